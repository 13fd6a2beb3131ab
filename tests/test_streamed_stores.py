"""The max-pool gradient written past the caches (non-temporal stores) against PyTorch and the plain stores.

Where the windows tile the gradient (stride = window) and it is at least
:data:`xcnn._backends.numpy.numba.pool.STREAM_BYTES` large, the generated
loops store it with non-temporal stores, which need the array 64-byte
aligned. The threshold is lowered to 0 here, so that small cases sweep every
block width (32, 16 and 8 float32 lanes; 16 and 8 float64), padding, odd
sizes whose last row and column no window reaches, and 1 x 1 outputs.
"""

from __future__ import annotations

import numpy as np
import pytest

import xcnn._backends.numpy.numba.available as jit
import xcnn._backends.numpy.threads as threads
from xcnn import functional as F

pytest.importorskip("numba", reason="the compiled kernels need Numba (a dependency of xcnn where it has wheels)")

from xcnn._backends.numpy.numba import pool as numba_pool
from xcnn._backends.numpy.numba.columns import ALIGNMENT, aligned_empty

CASES = [  # (shape, kernel, options)
    ((3, 8, 10, 32), 2, {}),
    ((3, 9, 11, 16), 2, {}),  # odd sizes: the last row and column are no window's
    ((2, 2, 2, 8), 2, {}),  # a 1 x 1 output
    ((2, 5, 5, 8), 2, {}),  # the second thread's share starts 32 bytes past a cache line (8-lane blocks: 32 bytes)
    ((3, 7, 7, 48), 3, dict(stride=3, padding=1)),  # padding; 48 channels take 16-lane blocks
    ((2, 6, 6, 24), 2, dict(padding=1)),  # 24 channels: 8-lane blocks
]


@pytest.fixture
def streaming(monkeypatch):
    """Every tiling max-pool gradient streamed, whatever its size, across two threads."""
    monkeypatch.setattr(jit, "_switched_on", lambda: True)
    monkeypatch.setattr(numba_pool, "STREAM_BYTES", 0)
    monkeypatch.setattr(threads, "MIN_BYTES", 0)
    monkeypatch.setattr(threads, "thread_count", lambda: 2)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape", "kernel", "options"), CASES, ids=str)
def test_streamed_max_pool_gradient_matches_pytorch(streaming, shape, kernel, options, dtype):
    pytest.importorskip("torch")
    from . import torch_oracle

    rng = np.random.default_rng(20)
    x = (np.round(rng.standard_normal(shape) * 2) / 2).astype(dtype)  # halves: windows hold ties
    dy = rng.standard_normal(torch_oracle.pool2d_output(x.shape, "max_pool2d", kernel_size=kernel, **options)).astype(dtype)
    _, want = torch_oracle.pool2d(x.astype(np.float64), dy.astype(np.float64), "max_pool2d", kernel_size=kernel, **options)
    got = F.max_pool2d_backward(dy, x, kernel, **options)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, want.astype(dtype))  # routing only: every value is one of dy's


def test_the_streamed_loops_store_past_the_caches():
    """The streamed branch compiles to non-temporal stores and a fence (``nontemporal`` in the LLVM)."""
    import numba

    from xcnn._backends.numpy.numba import pool_kernels

    kernel = numba.njit(pool_kernels.max_pool_backward_8)  # not cached: its LLVM is compiled here
    x, dy, taps = np.zeros((1, 4, 4, 8), np.float32), np.zeros((1, 2, 2, 8), np.float32), np.zeros(4, np.int64)
    kernel(dy, x, aligned_empty(x.shape, x.dtype), taps, taps, 2, 2, 0, 0, np.arange(4, dtype=np.int32),
           np.zeros((2, 2), np.int32), True)
    llvm = "\n".join(kernel.inspect_llvm().values())
    assert "!nontemporal" in llvm
    assert "fence seq_cst" in llvm


def test_tiling_gradients_stream_and_others_do_not(monkeypatch):
    """Only windows that tile the gradient (every block stored, none added into) stream, and only past
    the threshold."""
    monkeypatch.setattr(jit, "_switched_on", lambda: True)
    seen = []
    real = numba_pool._pool_blocks

    def spy(name, lanes):
        kernel = real(name, lanes)
        return lambda *args: seen.append(args[-1]) or kernel(*args)

    monkeypatch.setattr(numba_pool, "_pool_blocks", spy)
    x = np.zeros((2, 8, 8, 16), np.float32)
    for kernel, stride, threshold, want in ((2, 2, 0, True), (3, 2, 0, False), (2, 3, 0, False), (2, 2, x.nbytes + 1, False)):
        monkeypatch.setattr(numba_pool, "STREAM_BYTES", threshold)
        dy = np.ones(F.max_pool2d(x, kernel, stride=stride).shape, np.float32)
        seen.clear()
        F.max_pool2d_backward(dy, x, kernel, stride=stride)
        assert seen and set(seen) == {want}, (kernel, stride, threshold)


@pytest.mark.parametrize("shape", [(0,), (3, 5), (2, 3, 4, 7)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int8"])
def test_aligned_empty_starts_on_a_cache_line(shape, dtype):
    for _ in range(5):  # different heap positions
        a = aligned_empty(shape, np.dtype(dtype))
        assert a.shape == shape and a.dtype == np.dtype(dtype) and a.flags.c_contiguous and a.flags.writeable
        assert a.size == 0 or a.ctypes.data % ALIGNMENT == 0  # an empty array's address is NumPy's to choose
        a[...] = 1  # the whole array lies inside its buffer
