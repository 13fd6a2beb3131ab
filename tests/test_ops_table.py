"""Every row of the dispatch table (:data:`xcnn._ops.TABLE`) against the array-API reference.

Each case is built by the public call builders (so it is checked and cast as a
user's call is), then run by every row that takes it and by the reference row
given the plain :data:`~xcnn._reference.primitives.REFERENCE` primitives: no
namespace's shortcuts, no compiled unfold. The last comparison checks the
reference row with its namespace's primitives too, so NumPy's strided views,
PyTorch's and CuPy's primitives each meet the plain array-API code.

Cases sweep the axes the rows choose by: channel counts below and above the
compiled loops' minimum, one input channel (the first-layer loops), grouped,
depthwise and depthwise with a channel multiplier, 1x1 kernels, strides
past the kernel, dilation, padding past the kernel (on a 1x1 image) and
asymmetric padding, both float dtypes. On NumPy with Numba every row of every
operation must take at least one case, or the sweep no longer reaches it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import xcnn._ops as ops
from xcnn._reference.primitives import REFERENCE
from xcnn.functional import conv as conv_calls
from xcnn.functional import pooling as pool_calls

from .conftest import BackendCase

# (C_in, C_out, groups): one input channel, too few for the loops, dense both ways, grouped,
# depthwise, depthwise times two
CONV_CHANNELS = [(1, 16, 1), (4, 4, 1), (8, 16, 1), (16, 8, 1), (16, 16, 2), (16, 16, 16), (8, 16, 8)]
# (kernel, stride, padding, dilation)
CONV_GEOMETRIES = [
    (3, 1, 1, 1),
    (3, 2, 0, 1),
    (1, 1, 0, 1),
    (3, 1, 4, 2),  # padding past the kernel's reach: a 1x1 image still has outputs
    (2, 3, ((0, 2), (1, 0)), 1),  # stride past the kernel, asymmetric padding
]
IMAGES = [(7, 6), (1, 1), (5, 17)]  # rows of 17: wide enough for the register-blocked loops
DTYPES = ["float64", "float32"]
TOLERANCE = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=2e-4, atol=2e-5)}


def _random(xb: BackendCase, shape: tuple[int, ...], dtype: str, seed: int):
    return xb.asarray(np.random.default_rng(seed).standard_normal(shape), dtype)


def _as_tuple(result) -> tuple:
    return result if isinstance(result, tuple) else (result,)


def _check_rows(xb: BackendCase, call, monkeypatch, taken: set[str], dtype: str) -> None:
    """Run `call` on every row that takes it and compare with the plain reference."""
    call = call.cast()
    rows = ops.TABLE[call.op]
    with monkeypatch.context() as patch:
        patch.setattr(ops, "primitives", lambda c: REFERENCE)
        want = _as_tuple(rows[-1].run(call))
    for row in rows:
        if row.why_not(call) is not None:
            continue
        got = row.run(call)
        if got is ops.DECLINED:
            continue
        taken.add(row.provider)
        got = _as_tuple(got)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            xb.assert_here(g)
            assert g.dtype == w.dtype, (row.provider, g.dtype, w.dtype)
            np.testing.assert_allclose(xb.to_numpy(g), xb.to_numpy(w), **TOLERANCE[dtype], err_msg=row.provider)


def _numba_rows(op: str) -> set[str]:
    return {row.provider for row in ops.TABLE[op] if row.provider.startswith("numpy.")}


def _expects_every_row(xb: BackendCase) -> bool:
    from xcnn._backends.numpy.numba import available

    return xb.name == "numpy" and xb.jit and available.status().startswith("on")


@pytest.mark.parametrize("op", ["conv2d", "conv2d_backward"])
def test_every_convolution_row_matches_the_reference(xb, op, monkeypatch):
    taken: set[str] = set()
    seed = itertools.count()
    cases = itertools.product(CONV_CHANNELS, CONV_GEOMETRIES, IMAGES, DTYPES)
    ran = 0
    for (c_in, c_out, groups), (k, stride, padding, dilation), (h, w_), dtype in cases:
        x = _random(xb, (2, h, w_, c_in), dtype, next(seed))
        w = _random(xb, (k, k, c_in // groups, c_out), dtype, next(seed))
        options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        try:
            call = conv_calls.conv2d_call(x, w, **options)
        except ValueError:  # no output at this geometry: the builders refuse it, tested elsewhere
            continue
        if op == "conv2d_backward":
            dz = _random(xb, (2, *call.win.out_size, c_out), dtype, next(seed))
            call = conv_calls.conv2d_backward_call(dz, x, w, **options)
        else:
            b = _random(xb, (c_out,), dtype, next(seed))
            call = conv_calls.conv2d_call(x, w, b, **options)
        _check_rows(xb, call, monkeypatch, taken, dtype)
        ran += 1
    assert ran >= 100  # the geometries above leave most cases valid
    assert "reference" in taken
    if _expects_every_row(xb):
        assert _numba_rows(op) <= taken, f"rows no case reached: {sorted(_numba_rows(op) - taken)}"


POOL_GEOMETRIES = [
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=2, stride=2),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=2, stride=3),  # gaps between windows
    dict(kernel_size=(3, 1), stride=(1, 2), padding=(1, 0)),
]
POOL_CHANNELS = [3, 8, 16]


def _pool_cases(op: str):
    extra = (
        [dict(dilation=1), dict(dilation=2)]
        if op.startswith("max")
        else [dict(), dict(count_include_pad=False), dict(divisor_override=3)]
    )
    return itertools.product(POOL_CHANNELS, POOL_GEOMETRIES, extra, [(7, 6), (1, 1)], DTYPES)


BUILDERS = {
    "max_pool2d": pool_calls.max_pool2d_call,
    "avg_pool2d": pool_calls.avg_pool2d_call,
}


@pytest.mark.parametrize("op", ["max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward"])
def test_every_pooling_row_matches_the_reference(xb, op, monkeypatch):
    taken: set[str] = set()
    seed = itertools.count()
    forward = op.removesuffix("_backward")
    ran = 0
    for channels, geometry, extra, (h, w_), dtype in _pool_cases(op):
        options = {**geometry, **extra}
        if "dilation" in options and options["dilation"] > 1 and "padding" in options:
            continue  # padding must stay at most half the dilated kernel: refused, tested elsewhere
        x = _random(xb, (2, h, w_, channels), dtype, next(seed))
        if op.startswith("max"):
            # ties on purpose: the gradient goes to the first maximum of each window
            x = xb.asarray(np.round(xb.to_numpy(x) * 2) / 2, dtype)
        try:
            call = BUILDERS[forward](x, **options)
        except ValueError:
            continue
        if op.endswith("_backward"):
            dy = _random(xb, (2, *call.win.out_size, channels), dtype, next(seed))
            call = getattr(pool_calls, f"{op}_call")(dy, x, **options)
        _check_rows(xb, call, monkeypatch, taken, dtype)
        ran += 1
    assert ran >= 60
    assert "reference" in taken
    if _expects_every_row(xb):
        assert _numba_rows(op) <= taken, f"rows no case reached: {sorted(_numba_rows(op) - taken)}"


def test_padding_row_matches_numpy_pad(xb):
    x = _random(xb, (2, 3, 4, 5), "float64", 0)
    call = conv_calls.pad_call(x, ((1, 2), (0, 3)), value=1.5)
    (got,) = _as_tuple(ops.TABLE["pad"][-1].run(call.cast()))
    want = np.pad(xb.to_numpy(x), ((0, 0), (1, 2), (0, 3), (0, 0)), constant_values=1.5)
    xb.assert_here(got)
    np.testing.assert_array_equal(xb.to_numpy(got), want)


def test_the_sweep_fails_when_a_row_is_wrong(xb, monkeypatch):
    """The comparison can fail: a direct-convolution row that adds one to its output is caught."""
    if not _expects_every_row(xb):
        pytest.skip("needs NumPy with Numba")
    rows = list(ops.TABLE["conv2d"])
    wrong = ops.Row(rows[0].provider, rows[0].why_not, lambda c: rows[0].run(c) + 1)
    monkeypatch.setitem(ops.TABLE, "conv2d", (wrong, *rows[1:]))
    x, w = _random(xb, (2, 5, 17, 8), "float64", 0), _random(xb, (3, 3, 8, 16), "float64", 1)
    with pytest.raises(AssertionError, match="numpy.numba.direct"):
        _check_rows(xb, conv_calls.conv2d_call(x, w, padding=1), monkeypatch, set(), "float64")
