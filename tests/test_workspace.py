"""Convolution in blocks under the workspace limit: same results, bounded memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import xcnn
from xcnn import functional as F

from .helpers import force_primitives

CASES = [
    dict(stride=1, padding=1, dilation=1, groups=1),
    dict(stride=2, padding=((0, 1), (2, 0)), dilation=1, groups=1),
    dict(stride=(1, 2), padding="valid", dilation=2, groups=2),
    dict(stride=1, padding="same", dilation=1, groups=4),
]


@pytest.fixture
def workspace():
    previous = xcnn.set_workspace_limit(None)
    yield xcnn.set_workspace_limit
    xcnn.set_workspace_limit(previous)


@pytest.mark.parametrize("limit", [2**20, 3000, 1], ids=["sample-blocks", "row-blocks", "one-row"])
@pytest.mark.parametrize("options", CASES, ids=["plain", "strided", "dilated-groups", "depthwise"])
def test_blocks_give_the_same_result(xb, workspace, options, limit):
    rng = np.random.default_rng(0)
    x = xb.asarray(rng.standard_normal((5, 9, 8, 4)))
    w = xb.asarray(rng.standard_normal((3, 3, 4 // options["groups"], 4)))
    b = xb.asarray(rng.standard_normal(4))
    z_whole = F.conv2d(x, w, b, **options)
    dz = xb.asarray(rng.standard_normal(tuple(z_whole.shape)))
    grads_whole = F.conv2d_backward(dz, x, w, **options)
    workspace(limit)
    z = F.conv2d(x, w, b, **options)
    grads = F.conv2d_backward(dz, x, w, **options)
    xb.assert_here(z)
    np.testing.assert_allclose(xb.to_numpy(z), xb.to_numpy(z_whole), rtol=1e-12, atol=1e-12)
    for got, want in zip(grads, grads_whole):
        xb.assert_here(got)
        np.testing.assert_allclose(xb.to_numpy(got), xb.to_numpy(want), rtol=1e-12, atol=1e-12)


def test_workspace_setting_errors(monkeypatch):
    with pytest.raises(ValueError, match=r"`nbytes` must be an integer >= 1, got 0"):
        xcnn.set_workspace_limit(0)
    import xcnn.workspace as ws

    monkeypatch.setattr(ws, "_setting", None)
    monkeypatch.setattr(ws, "_env_read", False)
    monkeypatch.setenv("XCNN_WORKSPACE_MB", "lots")
    with pytest.raises(ValueError, match=r"XCNN_WORKSPACE_MB must be a number of MiB, got 'lots'"):
        xcnn.get_workspace_limit()
    monkeypatch.setenv("XCNN_WORKSPACE_MB", "1.5")
    assert xcnn.get_workspace_limit() == int(1.5 * 2**20)
    assert xcnn.set_workspace_limit(None) == int(1.5 * 2**20)  # the setting, which the environment gave
    assert xcnn.get_workspace_limit() == ws.DEFAULT_BYTES


def test_workspace_default_follows_the_array_library(xb, monkeypatch):
    import xcnn.workspace as ws

    monkeypatch.setattr(ws, "_setting", None)
    monkeypatch.setattr(ws, "_env_read", True)
    expected = ws.DEFAULT_CUDA_BYTES if xb.name == "cupy" else ws.DEFAULT_BYTES
    assert xcnn.get_workspace_limit(xb.xp) == expected
    xcnn.set_workspace_limit(12345)
    assert xcnn.get_workspace_limit(xb.xp) == 12345


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled-kernels", "array-api-code"])
def test_large_images_stay_within_256_mib_of_working_memory(monkeypatch, compiled):
    """Forward + backward of a 3x3, 3->16 convolution on four 1000x1000 RGB images.

    Working memory is the peak NumPy allocation during the two calls minus
    what the caller holds afterwards (output, input gradient, weight and bias
    gradients); the inputs and the upstream gradient exist before and are not
    counted. Without blocks the gathered windows alone would take 432 MB.
    With Numba the layer takes NumPy's direct loops (:mod:`xcnn._backends.numpy.numba.direct_conv`),
    which read their inputs in place or pad one sample at a time into a buffer
    per thread instead.
    """
    import xcnn._backends.numpy.numba.available as jit

    direct_calls = []
    if compiled:
        pytest.importorskip("numba")
        import xcnn._backends.numpy.numba.direct_conv as direct

        monkeypatch.setattr(direct, "backward", lambda *args, run=direct.backward: direct_calls.append(1) or run(*args))
    monkeypatch.setattr(jit, "_switched_on", lambda: compiled)
    rng = np.random.default_rng(0)
    a_prev = rng.standard_normal((4, 1000, 1000, 3), dtype=np.float32)
    w = rng.standard_normal((3, 3, 3, 16), dtype=np.float32)
    b = np.zeros((1, 1, 1, 16), dtype=np.float32)
    dz = rng.standard_normal((4, 1000, 1000, 16), dtype=np.float32)
    hp = {"stride": 1, "pad": 1}
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        z, cache = xcnn.conv_forward(a_prev, w, b, hp)
        da, dw, db = xcnn.conv_backward(dz, cache)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    held = z.nbytes + da.nbytes + dw.nbytes + db.nbytes
    working = peak - start - held
    assert working <= 256 * 2**20, f"working memory {working / 2**20:.0f} MiB"
    assert bool(direct_calls) == compiled  # the path the docstring says
    np.testing.assert_allclose(db.ravel(), dz.sum(axis=(0, 1, 2)), rtol=1e-3)


STRATEGIES = [
    ("one_product_input_gradient", dict(stride=1, padding=1, dilation=1, groups=1), 5),
    ("one_product_input_gradient", dict(stride=2, padding=((0, 1), (2, 0)), dilation=1, groups=1), 5),
    ("depthwise_by_columns", dict(stride=1, padding="same", dilation=1, groups=4), 4),
    ("depthwise_by_columns", dict(stride=(2, 1), padding=1, dilation=2, groups=4), 8),
]


@pytest.mark.parametrize("limit", [None, 3000], ids=["one-block", "row-blocks"])
@pytest.mark.parametrize(
    ("switch", "options", "c_out"), STRATEGIES, ids=["gradient-plain", "gradient-strided", "depthwise", "depthwise-x2"]
)
def test_cupy_strategies_match_the_defaults(xb, workspace, monkeypatch, switch, options, c_out, limit):
    """The strategies chosen for CuPy give the same results as the default ones, on every backend."""
    rng = np.random.default_rng(1)
    x = xb.asarray(rng.standard_normal((3, 9, 8, 4)))
    w = xb.asarray(rng.standard_normal((3, 3, 4 // options["groups"], c_out)))
    b = xb.asarray(rng.standard_normal(c_out))
    dz = xb.asarray(rng.standard_normal(tuple(F.conv2d(x, w, **options).shape)))
    workspace(limit)
    results = []
    for chosen in (False, True):
        force_primitives(monkeypatch, **{switch: chosen})
        results.append((F.conv2d(x, w, b, **options), *F.conv2d_backward(dz, x, w, **options)))
    for got, want in zip(results[1], results[0]):
        xb.assert_here(got)
        np.testing.assert_allclose(xb.to_numpy(got), xb.to_numpy(want), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("stride", "channels"), [(1, 16), (2, 12)], ids=["direct-loops", "gathered-windows"])
def test_compiled_path_working_memory_counts_its_kept_buffers(monkeypatch, stride, channels):
    """The same bound with as many channels in as out, through NumPy's compiled kernels: 16 at
    stride 1 take the direct loops (at most a padded sample per thread, nothing gathered); 12 (no whole
    register blocks) at stride 2 take windows gathered into scratch buffers that outlive the
    call, counted here from empty."""
    pytest.importorskip("numba")
    import xcnn._backends.numpy.numba.direct_conv as direct
    import xcnn._backends.numpy.numba.available as jit
    import xcnn._backends.numpy.scratch as scratch

    monkeypatch.setattr(jit, "_switched_on", lambda: True)

    direct_calls = []
    monkeypatch.setattr(direct, "forward", lambda *args, run=direct.forward: direct_calls.append(1) or run(*args))

    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 700, 700, channels), dtype=np.float32)
    w = rng.standard_normal((3, 3, channels, channels), dtype=np.float32)
    side = 700 // stride
    dz = rng.standard_normal((2, side, side, channels), dtype=np.float32)
    scratch.release()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        z = F.conv2d(x, w, stride=stride, padding=1)
        dx, dw, db = F.conv2d_backward(dz, x, w, stride=stride, padding=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        scratch.release()
    working = peak - start - (z.nbytes + dx.nbytes + dw.nbytes + db.nbytes)
    assert working <= 256 * 2**20, f"working memory {working / 2**20:.0f} MiB"
    assert bool(direct_calls) == (stride == 1)  # the path the docstring says
    # float32 sums of up to 980,000 terms of size 1, a few hundred in all: to about 1e-3 absolute
    np.testing.assert_allclose(db, dz.astype(np.float64).sum(axis=(0, 1, 2)), rtol=1e-4, atol=0.1)
