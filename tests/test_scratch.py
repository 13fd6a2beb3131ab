"""Reused scratch buffers (NumPy) and the row-blocked products that write into them."""

from __future__ import annotations

import threading

import numpy as np

import xcnn
import xcnn._backends.numpy.primitives as conv
from xcnn._backends.numpy import scratch as _scratch


def test_scratch_reuses_one_buffer_per_use_and_thread():
    _scratch.release()
    a = _scratch.scratch("a", (4, 5), np.float32)
    again = _scratch.scratch("a", (2, 3), np.float64)  # smaller: the same memory
    other = _scratch.scratch("b", (4, 5), np.float32)
    assert a.shape == (4, 5) and a.dtype == np.float32 and again.shape == (2, 3) and again.dtype == np.float64
    assert np.shares_memory(a, again) and not np.shares_memory(a, other)
    bigger = _scratch.scratch("a", (100, 100), np.float32)  # larger: a new buffer
    assert not np.shares_memory(a, bigger)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(_scratch.scratch("a", (4, 5), np.float32)))
    thread.start()
    thread.join()
    assert not np.shares_memory(seen[0], bigger)  # each thread has its own
    _scratch.release()
    assert not np.shares_memory(_scratch.scratch("a", (4, 5), np.float32), bigger)


def test_setting_the_workspace_limit_releases_the_buffers():
    kept = _scratch.scratch("columns", (8, 8), np.float32)
    previous = xcnn.set_workspace_limit(2**20)
    try:
        assert not np.shares_memory(_scratch.scratch("columns", (8, 8), np.float32), kept)
    finally:
        xcnn.set_workspace_limit(previous)


def test_row_blocked_product_equals_one_product():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2 * conv.ROW_BLOCK + 123, 40)).astype(np.float32)
    b = rng.standard_normal((40, 7)).astype(np.float32)
    want = a @ b
    got = conv.tall_product(a, b, None, None)
    in_scratch = conv.tall_product(a, b, None, "test")
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(in_scratch, got)
    assert np.shares_memory(in_scratch, _scratch.scratch("test", (1,), np.float32))
    assert conv.tall_product(a, b.astype(np.float64), None, None).dtype == np.float64  # mixed dtypes: NumPy promotes
    bias = rng.standard_normal(7).astype(np.float32)
    np.testing.assert_allclose(conv.tall_product(a, b, bias, None), want + bias, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(conv.tall_product(a[:10], b, bias, None), want[:10] + bias, rtol=1e-5, atol=1e-5)
