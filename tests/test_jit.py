"""The compiled NumPy kernels (:mod:`xcnn._backends.numpy.numba`) against the array-API code they replace.

Every case runs twice on NumPy, once through the kernels and once with them
switched off, and the two must agree: bit for bit where no sum is reordered
(window maxima, and which input a max-pool gradient goes to), to rounding
where sums are added in another order. Inputs hold ties, NaN and infinities,
and geometries cover stride, dilation, padding, ``ceil_mode``, 1x1 windows
and uneven blocks of samples across threads.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import xcnn._backends.numpy.numba.available as jit
import xcnn._backends.numpy.threads as threads
from xcnn import functional as F

from .helpers import assert_generated, inferred_float_types, run_python

pytest.importorskip("numba", reason="the compiled kernels need Numba (a dependency of xcnn where it has wheels)")

from xcnn._backends.numpy.numba import pool as _numba_kernels
from xcnn._backends.numpy.numba.columns import gradient_array
from xcnn._backends.numpy.numba.compile import tap_offsets
from xcnn._backends.numpy.numba.generate_pool_kernels import LANES

POOL_GEOMETRIES = [  # (kernel_size, options)
    (2, {}),
    (3, dict(stride=2)),
    (3, dict(stride=2, padding=1, ceil_mode=True)),
    ((2, 3), dict(stride=(1, 2), padding=(1, 1), dilation=(2, 1))),
    (1, dict(stride=2)),
    (2, dict(stride=3, ceil_mode=True)),
]
CONV_GEOMETRIES = [
    dict(stride=1, padding=1),
    dict(stride=2, padding=((0, 1), (2, 0))),
    dict(stride=(2, 1), padding="valid", dilation=2),
    dict(stride=1, padding="same", dilation=(1, 2)),
]


def _both(monkeypatch, run):
    """``(compiled, array-API)`` results of ``run()``."""
    results = []
    for on in (True, False):
        monkeypatch.setattr(jit, "_switched_on", lambda on=on: on)
        results.append(run())
    return results


def _tricky(shape, seed, dtype="float64"):
    """Random values rounded to halves, so windows hold ties; plus NaN and infinities."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.standard_normal(shape) * 2) / 2
    flat = x.reshape(-1)
    flat[rng.choice(flat.size, 3, replace=False)] = [np.nan, np.inf, -np.inf]
    return x.astype(dtype)


@pytest.mark.parametrize("channels", [9, 16, 24, 32], ids=lambda c: f"{c}ch")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geometry", POOL_GEOMETRIES, ids=str)
def test_max_pooling_kernels_match_the_array_api_code(monkeypatch, geometry, dtype, channels):
    """9 channels: the loops over the channels (vectorised with a remainder); 16, 24 and 32: register
    blocks of 16 and of 8 channels, and the gradient's of 32 float32 channels
    (:mod:`xcnn._backends.numpy.numba.pool_kernels`)."""
    x = _tricky((3, 9, 8, channels), seed=1, dtype=dtype)
    kernel, options = geometry
    chosen = []
    pick = _numba_kernels._in_blocks
    monkeypatch.setattr(_numba_kernels, "_in_blocks", lambda *a: chosen.append(pick(*a)) or chosen[-1])
    out_shape = F.max_pool2d(x, kernel, **options).shape
    dy = np.random.default_rng(2).standard_normal(out_shape).astype(dtype)
    dy[0, 0, 0, 0] = np.inf  # an infinite gradient must not turn into NaN elsewhere

    def run():
        return F.max_pool2d(x, kernel, **options), F.max_pool2d_backward(dy, x, kernel, **options)

    chosen.clear()  # the output shape above took a forward pass
    (y_jit, dx_jit), (y, dx) = _both(monkeypatch, run)
    gradient_lanes = 32 if channels == 32 and dtype == "float32" else 16 if channels % 16 == 0 else 8
    blocks = [_numba_kernels._pool_blocks("window_max", 16 if channels % 16 == 0 else 8),
              _numba_kernels._pool_blocks("max_pool_backward", gradient_lanes)]
    assert chosen == (blocks if channels % 8 == 0 else [_numba_kernels._window_max, _numba_kernels._max_pool_backward])
    assert y_jit.dtype == y.dtype == dtype and dx_jit.dtype == dx.dtype
    np.testing.assert_array_equal(y_jit, y)  # maxima: no arithmetic, no rounding
    np.testing.assert_array_equal(dx_jit != 0, dx != 0)  # the same inputs receive the gradients
    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx_jit, dx, **tolerance)  # overlapping windows add in another order


@pytest.mark.parametrize("channels", [9, 16, 24], ids=lambda c: f"{c}ch")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geometry", [g for g in POOL_GEOMETRIES if "dilation" not in g[1]], ids=str)
def test_average_pooling_kernels_match_the_array_api_code(monkeypatch, geometry, dtype, channels):
    """The window means in register blocks (16 and 24 channels) or loops over the channels (9)."""
    kernel, options = geometry
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 9, 8, channels)).astype(dtype)
    dy = rng.standard_normal(F.avg_pool2d(x, kernel, **options).shape).astype(dtype)

    def run():
        return F.avg_pool2d(x, kernel, **options), F.avg_pool2d_backward(dy, x, kernel, **options)

    chosen = []
    pick = _numba_kernels._in_blocks
    monkeypatch.setattr(_numba_kernels, "_in_blocks", lambda *a: chosen.append(pick(*a)) or chosen[-1])
    for got, want in zip(*_both(monkeypatch, run)):
        assert got.dtype == want.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-6)
    blocks = [_numba_kernels._pool_blocks(name, 16 if channels == 16 else 8) for name in ("window_mean", "spread_mean")]
    assert chosen == (blocks if channels % 8 == 0 else [_numba_kernels._window_mean, None])  # None: the loops over channels


@pytest.mark.parametrize("channels", [9, 16], ids=lambda c: f"{c}ch")
@pytest.mark.parametrize("divisor", [dict(count_include_pad=False), dict(divisor_override=5)], ids=str)
def test_average_pooling_kernels_divide_as_the_array_api_code(monkeypatch, divisor, channels):
    """Per-window divisors (padding left out of the count) and an overridden one, folded into the kernels."""
    rng = np.random.default_rng(14)
    x = rng.standard_normal((2, 9, 8, channels))
    options = dict(stride=2, padding=1, ceil_mode=True, **divisor)
    dy = rng.standard_normal(F.avg_pool2d(x, 3, **options).shape)

    def run():
        return F.avg_pool2d(x, 3, **options), F.avg_pool2d_backward(dy, x, 3, **options)

    for got, want in zip(*_both(monkeypatch, run)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("lanes", [32, 16, 8])
@pytest.mark.parametrize(("kernel", "stride"), [(3, 2), (2, 3)], ids=["3x3/2", "2x2/3"])
def test_the_generated_pooling_loops_run_as_plain_python(kernel, stride, lanes):
    """Without Numba the generated loops compute the same maxima and means and route the same
    gradients: overlapping windows (3x3/2, stored where no earlier window reached) and windows with
    gaps between them (2x2/3, added into zeros)."""
    from xcnn._backends.numpy.numba import pool_kernels as _pool_kernels
    from xcnn._geometry import Windows
    from xcnn._reference.max_routing import first_inside_offsets

    x = _tricky((2, 9, 8, lanes), seed=5)
    win = Windows(in_size=(9, 8), kernel=(kernel, kernel), stride=(stride, stride), dilation=(1, 1), padding=((0, 0), (0, 0)))
    dy = np.random.default_rng(6).standard_normal((2, *win.out_size, lanes))
    compiled = _numba_kernels.max_pool_backward(dy, x, win)
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    dx, fresh = gradient_array(x.shape, dy.dtype, win)
    offsets = np.arange(win.n_offsets, dtype=np.int64)
    starts = first_inside_offsets(win, np, np.int64, "cpu")
    getattr(_pool_kernels, f"max_pool_backward_{lanes}")(dy, x, dx, dy_k, dx_k, stride, stride, *fresh, offsets, starts, False)
    np.testing.assert_array_equal(dx, compiled)
    if lanes not in LANES:  # only the max-pool gradient comes in this width
        return
    maxima, means, divisor = np.empty_like(dy), np.empty_like(dy), np.full(win.out_size, 3.0)
    getattr(_pool_kernels, f"window_max_{lanes}")(x, maxima, dy_k, dx_k, stride, stride)
    np.testing.assert_array_equal(maxima, _numba_kernels.window_max(x, win))
    getattr(_pool_kernels, f"window_mean_{lanes}")(x, means, dy_k, dx_k, stride, stride, divisor)
    np.testing.assert_array_equal(means, _numba_kernels.window_mean(x, win, 3))
    spread, fresh = gradient_array(x.shape, dy.dtype, win)
    spread_loops = getattr(_pool_kernels, f"spread_mean_{lanes}")
    spread_loops(dy, spread, dy_k, dx_k, kernel, stride, stride, *fresh, divisor)
    np.testing.assert_array_equal(spread, _numba_kernels.spread_mean(dy, win, lanes, 3))


def test_the_generated_max_pool_gradient_computes_float32_in_float32():
    """No value in the loops becomes float64 on float32 arrays (a bare ``0`` in a select would be, and
    convert every element), the register blocks' elements included: Numba's inferred types,
    compiled here without the cache."""
    from xcnn._backends.numpy.numba import pool_kernels as _pool_kernels

    x, dy, taps = np.zeros((1, 4, 4, 8), np.float32), np.zeros((1, 2, 2, 8), np.float32), np.zeros(4, np.int64)
    arguments = (dy, x, x.copy(), taps, taps, 2, 2, 0, 0, np.arange(4, dtype=np.int32), np.zeros((2, 2), np.int32), True)
    assert inferred_float_types(_pool_kernels.max_pool_backward_8, arguments) == {"float32"}


def test_the_generated_pool_module_is_what_its_generator_writes():
    assert_generated("generate_pool_kernels")


def test_a_window_with_nan_sends_its_gradient_to_its_last_nan(monkeypatch):
    """PyTorch's rule (each NaN replaces the maximum so far); tests/test_nonfinite.py checks it against PyTorch."""
    channels = jit.MIN_CHANNELS  # the same window on every channel, enough of them for the kernels
    x = np.repeat(np.array([[np.nan, 5.0], [np.nan, 5.0]]).reshape(1, 2, 2, 1), channels, axis=3)
    dy = np.ones((1, 1, 1, channels))
    monkeypatch.setattr(jit, "_switched_on", lambda: True)
    assert np.isnan(F.max_pool2d(x, 2)).all()
    np.testing.assert_array_equal(F.max_pool2d_backward(dy, x, 2)[..., 3].reshape(-1), [0.0, 0.0, 1.0, 0.0])
    tie = np.repeat(np.array([[1.0, 5.0], [5.0, 2.0]]).reshape(1, 2, 2, 1), channels, axis=3)  # the first in row-major order
    np.testing.assert_array_equal(F.max_pool2d_backward(dy, tie, 2)[..., 3].reshape(-1), [0.0, 1.0, 0.0, 0.0])


@pytest.mark.parametrize("c_out", [9, 18], ids=["depthwise", "depthwise-x2"])
@pytest.mark.parametrize("geometry", CONV_GEOMETRIES, ids=str)
def test_depthwise_kernels_match_the_array_api_code(monkeypatch, geometry, c_out):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 9, 8, 9))
    w = rng.standard_normal((3, 3, 1, c_out))
    b = rng.standard_normal(c_out)
    dz = rng.standard_normal(F.conv2d(x, w, groups=9, **geometry).shape)

    def run():
        return F.conv2d(x, w, b, groups=9, **geometry), *F.conv2d_backward(dz, x, w, groups=9, **geometry)

    for got, want in zip(*_both(monkeypatch, run)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("limit", [None, 3000], ids=["one-block", "row-blocks"])
@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("geometry", CONV_GEOMETRIES, ids=str)
def test_gathering_kernels_match_the_array_api_code(monkeypatch, geometry, groups, limit):
    """im2col and col2im, through ordinary and grouped convolutions, in one block or many."""
    import xcnn

    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 9, 8, 10)).astype("float32")
    w = rng.standard_normal((3, 3, 10 // groups, 6)).astype("float32")
    dz = rng.standard_normal(F.conv2d(x, w, groups=groups, **geometry).shape).astype("float32")
    xcnn.set_workspace_limit(limit)
    try:
        results = _both(monkeypatch, lambda: (F.conv2d(x, w, groups=groups, **geometry),
                                              *F.conv2d_backward(dz, x, w, groups=groups, **geometry)))
    finally:
        xcnn.set_workspace_limit(None)
    for got, want in zip(*results):
        assert got.dtype == want.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("geometry", [(3, dict(stride=2, padding=1)), ((2, 3), dict(stride=(1, 2), dilation=(2, 1)))], ids=str)
def test_pooling_kernels_match_pytorch(monkeypatch, geometry):
    """An independent oracle as well: PyTorch's pooling and autograd, float64, on 9 channels."""
    pytest.importorskip("torch")
    from . import torch_oracle

    monkeypatch.setattr(jit, "_switched_on", lambda: True)
    kernel, options = geometry
    x = np.random.default_rng(10).standard_normal((2, 9, 10, 9))
    for op, ours, backward in (("max_pool2d", F.max_pool2d, F.max_pool2d_backward),
                               ("avg_pool2d", F.avg_pool2d, F.avg_pool2d_backward)):
        if op == "avg_pool2d" and "dilation" in options:
            continue  # average pooling has no dilation
        dy = np.random.default_rng(11).standard_normal(torch_oracle.pool2d_output(x.shape, op, kernel_size=kernel, **options))
        want_y, want_dx = torch_oracle.pool2d(x, dy, op, kernel_size=kernel, **options)
        np.testing.assert_allclose(ours(x, kernel, **options), want_y, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(backward(dy, x, kernel, **options), want_dx, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("groups", [1, 9], ids=["ordinary", "depthwise"])
def test_convolution_kernels_match_pytorch(monkeypatch, groups):
    pytest.importorskip("torch")
    from . import torch_oracle

    monkeypatch.setattr(jit, "_switched_on", lambda: True)
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 9, 8, 9))
    w = rng.standard_normal((3, 3, 9 // groups, 18))
    b = rng.standard_normal(18)
    options = dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=groups)
    dz = rng.standard_normal(F.conv2d(x, w, b, **options).shape)
    want = torch_oracle.conv2d(x, w, b, dz, **options)
    got = (F.conv2d(x, w, b, **options), *F.conv2d_backward(dz, x, w, **options))
    for g, wt in zip(got, want):
        np.testing.assert_allclose(g, wt, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("workers", [2, 3])
def test_kernels_split_samples_across_threads_into_one_output(monkeypatch, workers):
    """Blocks of 7 samples over 2 or 3 threads give what one thread gives."""
    monkeypatch.setattr(jit, "_switched_on", lambda: True)
    monkeypatch.setattr(threads, "MIN_BYTES", 0)
    x = _tricky((7, 9, 10, 8), seed=6)
    w = np.random.default_rng(7).standard_normal((3, 3, 1, 8))
    dz = np.random.default_rng(8).standard_normal((7, 9, 10, 8))
    dy = np.random.default_rng(9).standard_normal((7, 4, 5, 8))
    results = []
    for count in (1, workers):
        monkeypatch.setattr(threads, "thread_count", lambda count=count: count)
        results.append((
            F.max_pool2d(x, 2), F.max_pool2d_backward(dy, x, 2), F.avg_pool2d(x, 2), F.avg_pool2d_backward(dy, x, 2),
            F.conv2d(np.nan_to_num(x), w, padding=1, groups=8),
            *F.conv2d_backward(dz, np.nan_to_num(x), w, padding=1, groups=8),
        ))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_float16_and_mixed_dtypes_take_the_array_api_code(monkeypatch):
    monkeypatch.setattr(jit, "_switched_on", lambda: True)
    x16 = np.ones((1, 4, 4, 2), dtype=np.float16)
    assert not jit.enabled(np, x16, channels=8)
    assert not jit.enabled(np, np.ones(2, np.float32), np.ones(2), channels=8)
    assert not jit.enabled(np, np.ones(2, ">f8"), channels=8)  # Numba reads native byte order only
    assert jit.enabled(np, np.ones(2, np.float32), np.ones(2, np.float32), channels=8)
    assert not jit.enabled(np, np.ones(2, np.float32), channels=jit.MIN_CHANNELS - 1)  # too few to pay
    assert F.max_pool2d(x16, 2).dtype == np.float16


def test_nested_sample_blocks_run_in_the_calling_thread(monkeypatch):
    """A block runner called from inside a block must not wait on the pool it is running in."""
    monkeypatch.setattr(threads, "MIN_BYTES", 0)
    monkeypatch.setattr(threads, "thread_count", lambda: 2)
    inner = threads.in_thread_shares(4, 1, lambda outer: threads.in_thread_shares(2, 1, lambda s: (s.start, s.stop)))
    assert inner == [[(0, 2)], [(0, 2)]]


def test_xcnn_jit_switch_and_status():
    off = run_python("import numpy as np, xcnn._backends.numpy.numba.available as j; print(j.enabled(np, np.ones(1), channels=8), j.status())", XCNN_JIT="0")
    assert off.stdout == "False off (XCNN_JIT=0)\n", off.stderr
    on = run_python("import numpy as np, xcnn._backends.numpy.numba.available as j; print(j.enabled(np, np.ones(1), channels=8), j.status())", XCNN_JIT="1")
    assert on.stdout.startswith("True on (Numba "), on.stderr
    bad = run_python("import numpy as np, xcnn.functional as F; F.max_pool2d(np.ones((1, 2, 2, 8)), 2)", XCNN_JIT="maybe")
    assert "XCNN_JIT must be 0 or 1 (off or on), got 'maybe'" in bad.stderr


def test_kernels_compile_without_a_writable_cache():
    """Where Numba has nowhere to cache, the kernels are compiled per process instead."""
    code = (
        "import numpy as np, xcnn.functional as F, xcnn._backends.numpy.numba.pool as K\n"
        "x = np.arange(2 * 4 * 4 * 8, dtype=np.float32).reshape(2, 4, 4, 8)\n"
        "assert (F.max_pool2d(x, 2) == x.reshape(2, 2, 2, 2, 2, 8).max(axis=(2, 4))).all()\n"
        "dx = F.max_pool2d_backward(np.ones((2, 2, 2, 8), dtype=np.float32), x, 2)  # blocks of 8 channels\n"
        "assert dx.sum() == 64 and (dx[:, 1::2, 1::2] == 1).all()  # each window's last element is its maximum\n"
        "import xcnn._backends.numpy.numba.direct_conv as D\n"
        "z = F.conv2d(x, np.ones((3, 3, 8, 8), dtype=np.float32), padding=1)  # the register-blocked loops\n"
        "assert z[0, 1, 1, 0] == x[0, :3, :3].sum()\n"
        "blocks = (K._pool_blocks('max_pool_backward', 8), D._FORWARD[np.dtype(np.float32)][8])\n"
        "print(K._window_max._cache.__class__.__name__, blocks[0]._dispatcher._cache.__class__.__name__,\n"
        "      blocks[1]._cache.__class__.__name__)"
    )
    result = run_python(code, NUMBA_CACHE_LOCATOR_CLASSES="ZipCacheLocator", XCNN_JIT="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "NullCache NullCache NullCache"


def test_a_numba_that_does_not_import_leaves_the_array_api_code(tmp_path):
    """A broken Numba install (say, too old for this NumPy) warns once and changes nothing else."""
    fake = tmp_path / "numba"
    fake.mkdir()
    (fake / "__init__.py").write_text('raise ImportError("Numba needs NumPy 2.0 or less")\n')
    code = (
        "import warnings, numpy as np, xcnn.functional as F, xcnn._backends.numpy.numba.available as j\n"
        "x = np.arange(2 * 4 * 4 * 8, dtype=np.float32).reshape(2, 4, 4, 8)\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    y = F.max_pool2d(x, 2)\n"
        "    F.max_pool2d(x, 2)\n"
        "assert (y == x.reshape(2, 2, 2, 2, 2, 8).max(axis=(2, 4))).all()\n"
        "print(len(caught), caught[0].category.__name__, j.status())"
    )
    pythonpath = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    result = run_python(code, PYTHONPATH=pythonpath, XCNN_JIT="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "1 RuntimeWarning off (Numba does not import: ImportError: Numba needs NumPy 2.0 or less)"
    )


def test_concurrent_callers_share_the_threads_safely(monkeypatch):
    """Layers called from several threads at once (a data loader, a server) get their own results."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(jit, "_switched_on", lambda: True)
    monkeypatch.setattr(threads, "MIN_BYTES", 0)
    monkeypatch.setattr(threads, "thread_count", lambda: 2)
    rng = np.random.default_rng(13)
    inputs = [rng.standard_normal((5, 12, 12, 8)).astype(np.float32) for _ in range(6)]
    dy = rng.standard_normal((5, 6, 6, 8)).astype(np.float32)
    want = [F.max_pool2d_backward(dy, x, 2) for x in inputs]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda x: F.max_pool2d_backward(dy, x, 2), inputs * 3))
    for g, w in zip(got, want * 3):
        np.testing.assert_array_equal(g, w)


def test_import_xcnn_does_not_import_numba():
    result = run_python("import sys, xcnn, xcnn.functional; print('numba' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr
