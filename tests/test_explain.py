"""``xcnn.explain`` names the provider that the call then runs, on every backend, and says why each
provider before it did not take the call."""

from __future__ import annotations

import numpy as np
import pytest

import xcnn
import xcnn._ops as ops
from xcnn import functional as F


def _recording(monkeypatch) -> list[str]:
    """Make every row of the table note its provider when it runs; returns the list of those that ran."""
    ran: list[str] = []
    for op, rows in list(ops.TABLE.items()):

        def wrapped(row: ops.Row) -> ops.Row:
            def run(call):
                ran.append(row.provider)
                return row.run(call)

            return ops.Row(row.provider, row.why_not, run, row.declines)

        monkeypatch.setitem(ops.TABLE, op, tuple(wrapped(r) for r in rows))
    return ran


def _calls(xb, dtype: str = "float32"):
    """``(function, args, kwargs)`` per operation, over layers that pick different rows on NumPy."""
    rng = np.random.default_rng(3)

    def a(*shape):
        return xb.asarray(rng.standard_normal(shape), dtype)

    x16, x4 = a(2, 9, 17, 16), a(2, 9, 17, 4)
    yield F.conv2d, (x16, a(3, 3, 16, 16)), dict(padding=1)  # direct loops
    yield F.conv2d, (x16, a(3, 3, 8, 16)), dict(padding=1, groups=2)  # reference
    yield F.conv2d, (x16, a(3, 3, 1, 16)), dict(padding=1, groups=16)  # blocked depthwise
    yield F.conv2d, (x16, a(3, 3, 1, 16)), dict(padding=1, stride=2, groups=16)  # depthwise loops
    yield F.conv2d, (x4, a(3, 3, 4, 8)), dict(padding=1)  # too few channels
    yield F.conv2d_backward, (a(2, 9, 17, 16), x16, a(3, 3, 16, 16)), dict(padding=1)
    yield F.conv2d_backward, (a(2, 5, 9, 16), x16, a(3, 3, 1, 16)), dict(padding=1, stride=2, groups=16)
    yield F.max_pool2d, (x16, 3), dict(stride=2, padding=1)
    yield F.max_pool2d, (x4, 2), {}
    yield F.max_pool2d_backward, (a(2, 4, 8, 16), x16, 2), {}
    yield F.avg_pool2d, (x16, 3), dict(stride=2, count_include_pad=False)
    yield F.avg_pool2d_backward, (a(2, 4, 8, 16), x16, 2), {}
    yield F.pad, (x4, 2), {}


def test_explain_names_the_provider_that_runs(xb, monkeypatch):
    ran = _recording(monkeypatch)
    providers = set()
    for function, args, kwargs in _calls(xb):
        answer = xcnn.explain(function, *args, **kwargs)
        ran.clear()
        function(*args, **kwargs)
        assert ran == [answer.provider], (function.__name__, kwargs, str(answer))
        assert [name for name, _ in answer.skipped] == [r.provider for r in ops.TABLE[answer.op]][: len(answer.skipped)]
        assert all(reason for _, reason in answer.skipped)
        assert str(answer).splitlines()[0].startswith(f"{answer.op}: {answer.provider}")
        providers.add(answer.provider)
    if xb.name != "numpy" or not xb.jit or not _numba_on():
        assert providers == {"reference"}
        for function, args, kwargs in _calls(xb):
            skipped = dict(xcnn.explain(function, *args, **kwargs).skipped)
            assert all("NumPy" in r or "Numba" in r or "channels" in r or "depthwise" in r or "groups" in r
                       or r == "not dask arrays" for r in skipped.values()), skipped
    else:  # the dask rows take dask arrays only (tests/test_dask.py)
        assert providers == {r.provider for rows in ops.TABLE.values() for r in rows} - {"dask.blocks"}


def _numba_on() -> bool:
    from xcnn._backends.numpy.numba import available

    return available.status().startswith("on")


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_explain_foresees_a_compiled_gradient_declining_an_output_gradient_with_nan(xb, monkeypatch):
    """The compiled convolution gradients find NaN in dz only after running; explain says so up front,
    and what runs is the reference, once, after the one compiled row that ran and declined."""
    ran = _recording(monkeypatch)
    rng = np.random.default_rng(0)
    dz = rng.standard_normal((2, 9, 17, 16))
    dz[0, 0, 0, 0] = np.nan
    args = (xb.asarray(dz, "float32"), xb.asarray(rng.standard_normal((2, 9, 17, 16)), "float32"),
            xb.asarray(rng.standard_normal((3, 3, 16, 16)), "float32"))
    answer = xcnn.explain(F.conv2d_backward, *args, padding=1)
    assert answer.provider == "reference"
    F.conv2d_backward(*args, padding=1)
    if xb.name == "numpy" and xb.jit and _numba_on():
        assert "declines after running" in dict(answer.skipped)["numpy.numba.direct"]
        assert ran == ["numpy.numba.direct", "reference"]
    else:
        assert ran == ["reference"]


def test_explain_checks_the_arguments_as_the_call_does(xb):
    x = xb.asarray(np.ones((1, 4, 4, 3)), "float32")
    with pytest.raises(ValueError, match="`w`"):
        xcnn.explain(F.conv2d, x, xb.asarray(np.ones((3, 3, 2, 4)), "float32"))
    with pytest.raises(TypeError, match=r"^`function` must be one of xcnn.functional's .*got 'relu'"):
        xcnn.explain(F.relu, x)
