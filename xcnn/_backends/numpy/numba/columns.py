"""Unfolding windows into columns and folding them back, for NumPy, compiled by Numba.

:func:`unfold` is im2col, :func:`fold` its adjoint col2im (each window's
entries added back onto the padded input), as :mod:`xcnn._reference.windows`
defines them, in one pass instead of kh*kw strided copies or additions.
"""

from __future__ import annotations

import numpy as np

from ...._geometry import Windows
from ..scratch import scratch
from .compile import compile_kernel, window_geometry

__all__ = ["aligned_empty", "fold", "fold_add", "gradient_array", "spread_loops", "unfold"]

_UNSCALED = np.empty((0, 0))
"""The divisor grid of an unscaled spread: windows add their values as they are."""


@compile_kernel
def spread_loops(src, dx, dy_k, dx_k, sh, sw, per_offset, fresh_row, fresh_col, clear, divisor):
    m, channels = dx.shape[0], dx.shape[3]
    covering = clear and fresh_row >= 0  # see gradient_array
    if clear and not covering:
        dx[:] = 0
    out_h, out_w = src.shape[1], src.shape[2]
    scaled = np.empty(channels, dtype=src.dtype)
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                y0, x0 = oh * sh, ow * sw
                here = src[n, oh, ow]
                if divisor.size > 0:  # each window's share: its value divided once, added kh*kw times
                    d = divisor[oh, ow]
                    for c in range(channels):
                        scaled[c] = here[c] / d
                    here = scaled
                for k in range(dy_k.shape[0]):
                    row = dx[n, y0 + dy_k[k], x0 + dx_k[k]]
                    start = k * channels if per_offset else 0
                    fresh = covering and (oh == 0 or dy_k[k] >= fresh_row) and (ow == 0 or dx_k[k] >= fresh_col)
                    if fresh:  # no earlier window reached this position: store, no zeroed array to read
                        for c in range(channels):
                            row[c] = here[start + c]
                    else:
                        for c in range(channels):
                            row[c] += here[start + c]
    return dx



ALIGNMENT = 64
"""Bytes: a cache line, and the widest vector register (AVX-512)."""


def aligned_empty(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """``numpy.empty(shape, dtype)`` starting at a multiple of :data:`ALIGNMENT` bytes (NumPy's own
    allocations are only as aligned as ``malloc``'s: 16 bytes)."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    buffer = np.empty(nbytes + ALIGNMENT, dtype=np.uint8)
    start = -buffer.ctypes.data % ALIGNMENT
    return buffer[start : start + nbytes].view(dtype).reshape(shape)


def gradient_array(shape: tuple[int, ...], dtype: np.dtype, win: Windows) -> tuple[np.ndarray, tuple[int, int]]:
    """An uninitialised array for a gradient, and the offsets from which a window's positions are new.

    Where the windows cover the rows and columns without gaps (no dilation,
    stride at most the window), offset row ``i`` of a window is reached by
    no earlier window in row-major order unless ``oh > 0`` and
    ``i < kh - sh``, and likewise for columns: a kernel may store there
    instead of adding to zeros (disjoint tiles: everywhere). Then only the
    rows and columns past the last window need zeros, done here. Otherwise
    ``(-1, -1)``: the kernel zeroes its own share of the samples before adding into it.
    (measurements: BENCHMARKS.md, 'Why each path exists'). The array starts at a multiple of
    :data:`ALIGNMENT` bytes, as non-temporal vector stores into it need.
    """
    dx_pad = aligned_empty(shape, dtype)
    (out_h, out_w), (kh, kw), (sh, sw) = win.out_size, win.kernel, win.stride
    if win.dilation != (1, 1) or sh > kh or sw > kw:
        return dx_pad, (-1, -1)
    dx_pad[:, (out_h - 1) * sh + kh :] = 0
    dx_pad[:, :, (out_w - 1) * sw + kw :] = 0
    return dx_pad, (kh - sh, kw - sw)


# Unfolding and folding run in the calling thread only. They sit between
# matrix products, whose BLAS threads keep spinning for a while after each
# product and so hold the other core: two threads of ours measured no faster
# there (measurements: BENCHMARKS.md, 'Why each path exists').


def fold(dcols: np.ndarray, win: Windows, m: int, channels: int) -> np.ndarray:
    """:func:`xcnn._reference.windows.col2im`: ``(m*out_h*out_w, kh*kw*C)`` -> ``(m, H_pad, W_pad, C)``."""
    dy_k, dx_k, sh, sw = window_geometry(win)
    src = np.reshape(np.ascontiguousarray(dcols), (m, *win.out_size, win.n_offsets * channels))
    dx_pad, fresh = gradient_array((m, *win.padded_size, channels), src.dtype, win)
    return spread_loops(src, dx_pad, dy_k, dx_k, sh, sw, True, *fresh, True, _UNSCALED)


def fold_add(dcols: np.ndarray, win: Windows, into: np.ndarray) -> None:
    """Add :func:`fold` of `dcols` to `into` (``(m, H_pad, W_pad, C)``, a chunk of a larger gradient) in place."""
    dy_k, dx_k, sh, sw = window_geometry(win)
    m, channels = into.shape[0], into.shape[3]
    src = np.reshape(np.ascontiguousarray(dcols), (m, *win.out_size, win.n_offsets * channels))
    spread_loops(src, into, dy_k, dx_k, sh, sw, True, -1, -1, False, _UNSCALED)  # adds to what is there


@compile_kernel
def _unfold(x, cols, dy_k, dx_k, sh, sw):
    m, out_h, out_w = cols.shape[:3]
    channels = x.shape[3]
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                y0, x0 = oh * sh, ow * sw
                here = cols[n, oh, ow]
                for k in range(dy_k.shape[0]):
                    row = x[n, y0 + dy_k[k], x0 + dx_k[k]]
                    start = k * channels
                    for c in range(channels):
                        here[start + c] = row[c]
    return cols


def unfold(x_pad: np.ndarray, win: Windows) -> np.ndarray:
    """:func:`xcnn._reference.windows.im2col`: ``(m*out_h*out_w, kh*kw*C)``, columns ordered ``(i, j, c)``.

    The result lives in this thread's scratch buffer (:mod:`xcnn._backends.numpy.scratch`):
    the next call overwrites it.
    """
    dy_k, dx_k, sh, sw = window_geometry(win)
    x_pad = np.ascontiguousarray(x_pad)
    m, channels = x_pad.shape[0], x_pad.shape[3]
    cols = scratch("columns", (m, *win.out_size, win.n_offsets * channels), x_pad.dtype)
    _unfold(x_pad, cols, dy_k, dx_k, sh, sw)  # in this thread, like fold
    return np.reshape(cols, (-1, win.n_offsets * channels))

