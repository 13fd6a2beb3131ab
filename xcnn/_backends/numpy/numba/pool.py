"""Pooling loops for NumPy, compiled by Numba: the maximum and mean of each window, and their gradients.

Each computes what the array-API pooling (:mod:`xcnn._reference.pool`)
computes, in one pass over memory instead of several operations per kernel
offset. The loops go over output windows with the channel axis innermost,
contiguous in NHWC, so that the compiler vectorises it; where a block width
(16 or 8 lanes; 32 too for the float32 max-pool gradient) divides the
channels, the generated register blocks of :mod:`.pool_kernels` run instead.
Kernels release the GIL and run on each thread's share of the samples
(:func:`..threads.in_thread_shares`), writing into one output; no Numba
threading layer, so no clash with BLAS threads or the caller's. Which window
a max-pool gradient goes to is exactly the reference's.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ...._geometry import Windows
from ..threads import in_thread_shares
from . import pool_kernels
from . import register_block_intrinsics  # noqa: F401 - registers the compiled blocks before any loop compiles
from .columns import ALIGNMENT, gradient_array, spread_loops
from .compile import VectorisedKernel, compile_kernel, window_geometry
from .generate_pool_kernels import LANES, MAX_GRADIENT_LANES

__all__ = ["max_pool_backward", "spread_mean", "window_max", "window_mean"]


# Two habits keep these loops vectorised. A select stores into another array
# than it reads (`cur` and `nxt` swap after each offset): a select that may
# store back what it read becomes a masked store, slow on AMD processors. And
# constants take the array's dtype (`zero`): a bare 0 in `g if hit else 0`
# makes the expression float64 and converts every float32 element twice.
# (measurements: BENCHMARKS.md, 'Why each path exists')


@compile_kernel
def _window_max(x, out, dy_k, dx_k, sh, sw):  # argument types: Numba infers them
    m, out_h, out_w, channels = out.shape
    n_offsets = dy_k.shape[0]
    buffers = np.empty((2, channels), dtype=x.dtype)
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                y0, x0 = oh * sh, ow * sw
                cur, nxt = buffers[0], buffers[1]
                first = x[n, y0 + dy_k[0], x0 + dx_k[0]]
                for c in range(channels):
                    cur[c] = first[c]
                for k in range(1, n_offsets):
                    row = x[n, y0 + dy_k[k], x0 + dx_k[k]]
                    into = out[n, oh, ow] if k == n_offsets - 1 else nxt  # the last offset: the output
                    for c in range(channels):
                        v, b = row[c], cur[c]
                        into[c] = v if (v > b) | (v != v) else b  # noqa: PLR0124 - NaN wins, as in numpy.maximum
                    cur, nxt = nxt, cur
                if n_offsets == 1:
                    out[n, oh, ow] = cur
    return out


def window_max(x_pad: np.ndarray, win: Windows) -> np.ndarray:
    """:func:`xcnn._reference.windows.window_max`: ``(m, out_h, out_w, C)``, NaN propagates."""
    return _per_window(_in_blocks("window_max", x_pad.dtype, x_pad.shape[3], _window_max), x_pad, win)


def _per_window(kernel: Any, x_pad: np.ndarray, win: Windows, *extra: Any) -> np.ndarray:
    """One value per window and channel from `kernel`, on shares of the samples in parallel threads."""
    dy_k, dx_k, sh, sw = window_geometry(win)
    x_pad = np.ascontiguousarray(x_pad)
    out = np.empty((x_pad.shape[0], *win.out_size, x_pad.shape[3]), dtype=x_pad.dtype)
    in_thread_shares(len(out), x_pad.nbytes, lambda s: kernel(x_pad[s], out[s], dy_k, dx_k, sh, sw, *extra))
    return out


@compile_kernel
def _window_mean(x, out, dy_k, dx_k, sh, sw, divisor):
    m, out_h, out_w, channels = out.shape
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                y0, x0 = oh * sh, ow * sw
                total = out[n, oh, ow]
                total[:] = 0
                for k in range(dy_k.shape[0]):
                    row = x[n, y0 + dy_k[k], x0 + dx_k[k]]
                    for c in range(channels):
                        total[c] += row[c]
                d = divisor[oh, ow]
                for c in range(channels):
                    total[c] = total[c] / d  # divided, as the array-API code does, not times 1/d
    return out


def window_mean(x_pad: np.ndarray, win: Windows, divisor: np.ndarray | int) -> np.ndarray:
    """:func:`xcnn._reference.windows.window_sum` divided by `divisor` (an int, or ``(out_h, out_w, 1)``), in one pass."""
    loops = _in_blocks("window_mean", x_pad.dtype, x_pad.shape[3], _window_mean)
    return _per_window(loops, x_pad, win, _divisor_grid(divisor, win, x_pad.dtype))


def _divisor_grid(divisor: np.ndarray | int, win: Windows, dtype: np.dtype) -> np.ndarray:
    """Each window's divisor as an ``(out_h, out_w)`` array of `dtype`."""
    if np.ndim(divisor) == 0:
        return np.full(win.out_size, divisor, dtype=dtype)
    return np.ascontiguousarray(np.reshape(divisor, win.out_size), dtype=dtype)


@compile_kernel
def _max_pool_backward(dy, x, dx, dy_k, dx_k, sh, sw, fresh_row, fresh_col, offsets, starts, streamed):  # noqa: ARG001
    # `streamed` (the generated loops' non-temporal stores) is not for these loops: they store as they go
    m, out_h, out_w, channels = dy.shape
    covering = fresh_row >= 0
    if not covering:
        dx[:] = 0  # here, in this share's thread, rather than a zeroed array from one thread
    n_offsets = dy_k.shape[0]
    zero = np.zeros(1, dtype=dx.dtype)[0]
    bests = np.empty((2, channels), dtype=x.dtype)
    ats = np.empty((2, channels), dtype=offsets.dtype)  # as wide as an element of x: one vector lane each
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                y0, x0 = oh * sh, ow * sw
                best, at, best_next, at_next = bests[0], ats[0], bests[1], ats[1]
                first, start = x[n, y0 + dy_k[0], x0 + dx_k[0]], starts[oh, ow]
                for c in range(channels):  # offset 0 may be padding (-inf): never greater, `start` stays
                    best[c] = first[c]
                    at[c] = start
                for k in range(1, n_offsets):
                    row, kk = x[n, y0 + dy_k[k], x0 + dx_k[k]], offsets[k]
                    for c in range(channels):
                        v, b = row[c], best[c]
                        later = (v > b) | (v != v)  # noqa: PLR0124 - greater, or NaN (PyTorch's rule)
                        best_next[c] = v if later else b
                        at_next[c] = kk if later else at[c]
                    best, at, best_next, at_next = best_next, at_next, best, at
                g = dy[n, oh, ow]
                # Per offset a select and an add over the channels, not a scattered
                # add per channel: the loop vectorises. Adding 0 changes nothing.
                # An offset that no earlier window reached is stored, not added
                # (see gradient_array).
                for k in range(n_offsets):
                    row, kk = dx[n, y0 + dy_k[k], x0 + dx_k[k]], offsets[k]
                    fresh = covering and (oh == 0 or dy_k[k] >= fresh_row) and (ow == 0 or dx_k[k] >= fresh_col)
                    if fresh:
                        for c in range(channels):
                            row[c] = g[c] if at[c] == kk else zero
                    else:
                        for c in range(channels):
                            row[c] += g[c] if at[c] == kk else zero
    return dx


def max_pool_backward(dy: np.ndarray, x_pad: np.ndarray, win: Windows) -> np.ndarray:
    """:func:`xcnn._reference.windows.route_to_first_max` of :func:`window_max`, in one pass.

    Each window's maximum is found again as PyTorch's CPU kernel finds it:
    from the window's first cell inside the input, each later cell that is
    greater or NaN takes over. The gradient goes to the first maximum, the
    last NaN, or, where the maximum is -inf, that first cell inside.
    """
    dy_k, dx_k, sh, sw = window_geometry(win)
    dy, x_pad = np.ascontiguousarray(dy), np.ascontiguousarray(x_pad)
    dx_pad, (fresh_row, fresh_col) = gradient_array(x_pad.shape, dy.dtype, win)
    # Offset numbers as integers as wide as the elements, one vector lane each
    # (measurements: BENCHMARKS.md, 'Why each path exists').
    offsets = np.arange(win.n_offsets, dtype=np.int64 if x_pad.itemsize == 8 else np.int32)
    rows, cols = win.first_inside  # per axis; their offsets ``i*kw + j`` by broadcasting, not per window
    starts = np.add.outer(np.asarray(rows, dtype=offsets.dtype) * win.kernel[1], np.asarray(cols, dtype=offsets.dtype))
    loops = _in_blocks("max_pool_backward", x_pad.dtype, x_pad.shape[3], _max_pool_backward)
    if win.n_offsets > _EXACT_OFFSETS[x_pad.dtype]:  # the blocks hold offsets in x's dtype, inexact past this
        loops = _max_pool_backward
    streamed = bool(
        loops is not _max_pool_backward
        and (fresh_row, fresh_col) == (0, 0)  # windows that tile dx: every block is stored, none added
        and dx_pad.nbytes >= STREAM_BYTES
        and dx_pad.ctypes.data % ALIGNMENT == 0
    )
    in_thread_shares(
        len(dy),
        x_pad.nbytes,
        lambda s: loops(dy[s], x_pad[s], dx_pad[s], dy_k, dx_k, sh, sw, fresh_row, fresh_col, offsets, starts, streamed),
    )
    return dx_pad


STREAM_BYTES = 8 << 20
"""A max-pool gradient this large or larger, whose windows tile it (stride = window, as in 2 x 2
pooling with stride 2), is written with non-temporal stores: to memory without first reading each
cache line in, which a plain store does and which made a third of the bytes the gradient moved.
Smaller ones stay in the caches for the layer before, which reads them next (measurements:
BENCHMARKS.md, 'Max-pool gradient past the caches')."""


_EXACT_OFFSETS = {np.dtype(np.float32): 2**24, np.dtype(np.float64): 2**53}
"""The most offsets in a window whose numbers the register blocks of the max-pool gradient, which
hold them in the elements' dtype, tell apart (float32's 24-bit significand; larger windows, 4097 x
4097 and up, take the loops over the channels)."""

_BLOCK_LANES = {np.dtype(np.float32): LANES, np.dtype(np.float64): LANES}
"""Channels per register block of :mod:`.pool_kernels`, widest first, by dtype: the generator's
:data:`.generate_pool_kernels.LANES` in either dtype."""

_FAMILY_LANES = {"max_pool_backward": {np.dtype(name): lanes for name, lanes in MAX_GRADIENT_LANES.items()}}
"""The families whose widths are not :data:`_BLOCK_LANES`: the max-pool gradient's,
:data:`.generate_pool_kernels.MAX_GRADIENT_LANES`."""


@functools.cache
def _pool_blocks(name: str, lanes: int) -> VectorisedKernel:
    """The generated loops ``<name>_<lanes>`` of :mod:`.pool_kernels`, compiled when first called."""
    return VectorisedKernel(getattr(pool_kernels, f"{name}_{lanes}"))


def _in_blocks(name: str, dtype: np.dtype, channels: int, otherwise: Any) -> Any:
    """The loops ``<name>`` in register blocks of channels where a block width divides `channels`,
    else `otherwise` (the loops over the channels, slower: measurements: BENCHMARKS.md, 'Why each
    path exists')."""
    widths = _FAMILY_LANES.get(name, _BLOCK_LANES).get(dtype, ())
    lanes = next((n for n in widths if channels % n == 0), None)
    return otherwise if lanes is None else _pool_blocks(name, lanes)


def spread_mean(dy: np.ndarray, win: Windows, channels: int, divisor: np.ndarray | int) -> np.ndarray:
    """:func:`xcnn._reference.windows.spread` of ``dy / divisor``: each window's share added at all its positions,
    ``(m, H_pad, W_pad, C)``; no divided copy of `dy`."""
    dy_k, dx_k, sh, sw = window_geometry(win)
    dy = np.ascontiguousarray(dy)
    grid = _divisor_grid(divisor, win, dy.dtype)
    dx_pad, fresh = gradient_array((dy.shape[0], *win.padded_size, channels), dy.dtype, win)
    blocks = _in_blocks("spread_mean", dy.dtype, channels, None)
    if blocks is not None:
        kw = win.kernel[1]
        in_thread_shares(
            len(dy), dx_pad.nbytes, lambda s: blocks(dy[s], dx_pad[s], dy_k, dx_k, kw, sh, sw, *fresh, grid)
        )
        return dx_pad
    in_thread_shares(
        len(dy), dx_pad.nbytes, lambda s: spread_loops(dy[s], dx_pad[s], dy_k, dx_k, sh, sw, False, *fresh, True, grid)
    )
    return dx_pad


