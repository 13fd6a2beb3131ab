"""NumPy-only fast paths: the window loops of :mod:`xcnn._windows` compiled by Numba.

Each function here computes what a piece of array-API code in
:mod:`xcnn._windows` or :mod:`xcnn._conv` computes, in one pass over memory
instead of several operations per kernel offset; :mod:`xcnn._jit` decides
when they run, and the tests run both and compare. The loops go over output
windows with the channel axis innermost, contiguous in NHWC, so that the
compiler vectorises it. Kernels release the GIL, and the pooling and depthwise
wrappers run theirs on blocks of samples in parallel threads
(:func:`xcnn._threads.in_sample_blocks`), writing into one output; no Numba
threading layer, so no clash with BLAS threads or the caller's.

Sums may be added in a different order from the array-API code's (equal to
rounding); which window a max-pool gradient goes to is exactly the same.

Pooling (the maximum and mean of each window, and both gradients) runs in
register blocks of 16 or 8 channels where they divide the channels
(:mod:`xcnn._pool_kernels`, generated, compiled with the SLP vectoriser by
:class:`VectorisedKernel`), else in the loops over the channels here.

Importing this module imports Numba; compiled code is cached on disk
(``cache=True``) so a process pays the compile time (about a second per
kernel and dtype) once per machine.
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from . import _pool_kernels
from ._scratch import scratch
from ._threads import in_sample_blocks, summed_over_sample_blocks
from ._windows import Windows, first_inside_offsets

__all__ = [
    "VectorisedKernel",
    "col2im",
    "col2im_add",
    "compile_kernel",
    "depthwise_backward",
    "depthwise_forward",
    "depthwise_geometry",
    "im2col",
    "max_pool_backward",
    "spread_mean",
    "tap_offsets",
    "window_max",
    "window_mean",
]

def compile_kernel(kernel: Callable[..., Any], **extra_options: Any) -> Any:
    """Compile `kernel` (GIL released, no bounds checks), cached on disk where Numba finds a place.

    Numba caches beside the source, else in the user's cache directory; with
    neither writable it refuses ``cache=True``, and the kernel is compiled
    afresh in each process instead. `extra_options` go to ``numba.njit``.
    """
    options = {"nogil": True, "error_model": "numpy", "boundscheck": False, **extra_options}
    try:
        return numba.njit(cache=True, **options)(kernel)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return numba.njit(**options)(kernel)


class VectorisedKernel:
    """A Numba kernel compiled with LLVM's SLP vectoriser on, once per argument types.

    For loops written out as one scalar per vector lane (the generated
    :mod:`xcnn._direct_conv_kernels` and :mod:`xcnn._pool_kernels`): the SLP
    vectoriser packs the lanes into vector registers. Numba leaves it off by
    default, as it miscompiled code in older LLVM versions (numba#8852); it is
    switched on only while these kernels compile, under Numba's compiler lock
    so no other compilation sees it, and the tests compare them with the
    array-API code.

    The first call with new argument types compiles (or loads from Numba's
    cache) with ``SLP_VECTORIZE`` set, holding Numba's global compiler lock;
    later calls go straight to the dispatcher.
    """

    def __init__(self, kernel: Callable[..., Any]) -> None:
        self._dispatcher = compile_kernel(kernel, fastmath={"contract"})  # multiply-adds fused
        self._ready: set[tuple[Any, ...]] = set()
        self._lock = threading.Lock()
        _KERNELS.add(self)

    def __call__(self, *args: Any) -> Any:
        key = tuple(map(_type_key, args))
        if key not in self._ready:
            with self._lock:
                if key not in self._ready:
                    self._compile(tuple(numba.typeof(a) for a in args))
                    self._ready.add(key)
        return self._dispatcher(*args)

    def _compile(self, signature: tuple[Any, ...]) -> None:
        try:  # Numba's internals: a release without them compiles these loops unvectorised (slower, as correct)
            from numba.core import config
            from numba.core.compiler_lock import global_compiler_lock
        except ImportError:
            self._dispatcher.compile(signature)
            return
        with global_compiler_lock:
            before = getattr(config, "SLP_VECTORIZE", 0)
            config.SLP_VECTORIZE = 1
            try:
                self._dispatcher.compile(signature)
            finally:
                config.SLP_VECTORIZE = before


_KERNELS: weakref.WeakSet[VectorisedKernel] = weakref.WeakSet()
"""Every :class:`VectorisedKernel`, for :func:`_after_fork_in_child`."""


# A process forked while another of its threads compiles (multiprocessing's
# "fork" start method, data-loader workers) has only the forking thread: every
# lock that the compiling thread held (Numba's compiler lock, llvmlite's, an
# import's) stays held in the child, whose first compile then waits forever.
# So a fork waits for the compile in flight to end (Numba compiles under its
# global compiler lock, which is taken here before the fork), and the child
# starts with its locks free. (A fork while another thread is halfway through
# an import, of Numba say, is another matter: the child inherits that
# module's import lock, and no hook can free it. Holding a lock of ours
# across the import, and taking it before a fork, deadlocked against the fork
# hooks of modules imported meanwhile, such as logging's.)


def _compiler_lock() -> Any:
    try:
        from numba.core.compiler_lock import global_compiler_lock
    except ImportError:  # Numba's internals moved: nothing known to hold
        return None
    return global_compiler_lock


def _before_fork() -> None:
    lock = _compiler_lock()
    if lock is not None:
        lock.acquire()


def _after_fork_in_parent() -> None:
    lock = _compiler_lock()
    if lock is not None:
        lock.release()


def _after_fork_in_child() -> None:
    for kernel in list(_KERNELS):  # a thread may have been between this lock and the compiler's
        kernel._lock = threading.Lock()
    lock = _compiler_lock()
    if lock is not None:
        lock.release()


if hasattr(os, "register_at_fork"):  # after Numba's import, so before the hooks of what it imported
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)


def _type_key(a: Any) -> Any:
    """What decides Numba's type of an argument, cheaply: an array's dtype, dimensions, layout and
    writability (a read-only or 1-d array is another signature, compiled on its own)."""
    if isinstance(a, np.ndarray):
        return a.dtype, a.ndim, a.flags.c_contiguous, a.flags.f_contiguous, a.flags.writeable
    return type(a)


def tap_offsets(kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Row and column offset of each kernel offset ``k = i*kw + j``, dilation applied."""
    (kh, kw), (dh, dw) = kernel, dilation
    k = np.arange(kh * kw, dtype=np.int64)
    return (k // kw) * dh, (k % kw) * dw


def _geometry(win: Windows) -> tuple[np.ndarray, np.ndarray, int, int]:
    """:func:`tap_offsets` of `win`, and its strides."""
    return *tap_offsets(win.kernel, win.dilation), *win.stride


# --- pooling ---------------------------------------------------------------------------


# Two habits keep these loops vectorised. A select stores into another array
# than it reads (`cur` and `nxt` swap after each offset): a select that may
# store back what it read becomes a masked store, slow on AMD processors
# (3x3/2 max pool on (32, 64, 64, 32): 5.3 against 2.3 ms for the forward
# pass, 13.9 against 7.2 for the backward, one thread). And constants take
# the array's dtype (`zero`): a bare 0 in `g if hit else 0` makes the
# expression float64 and converts every float32 element twice.


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
    """:func:`xcnn._windows.window_max`: ``(m, out_h, out_w, C)``, NaN propagates."""
    return _per_window(_in_blocks("window_max", x_pad.dtype, x_pad.shape[3], _window_max), x_pad, win)


def _per_window(kernel: Any, x_pad: np.ndarray, win: Windows, *extra: Any) -> np.ndarray:
    """One value per window and channel from `kernel`, on blocks of samples in parallel threads."""
    dy_k, dx_k, sh, sw = _geometry(win)
    x_pad = np.ascontiguousarray(x_pad)
    out = np.empty((x_pad.shape[0], *win.out_size, x_pad.shape[3]), dtype=x_pad.dtype)
    in_sample_blocks(len(out), x_pad.nbytes, lambda s: kernel(x_pad[s], out[s], dy_k, dx_k, sh, sw, *extra))
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
    """:func:`xcnn._windows.window_sum` divided by `divisor` (an int, or ``(out_h, out_w, 1)``), in one pass."""
    loops = _in_blocks("window_mean", x_pad.dtype, x_pad.shape[3], _window_mean)
    return _per_window(loops, x_pad, win, _divisor_grid(divisor, win, x_pad.dtype))


def _divisor_grid(divisor: np.ndarray | int, win: Windows, dtype: np.dtype) -> np.ndarray:
    """Each window's divisor as an ``(out_h, out_w)`` array of `dtype`."""
    if np.ndim(divisor) == 0:
        return np.full(win.out_size, divisor, dtype=dtype)
    return np.ascontiguousarray(np.reshape(divisor, win.out_size), dtype=dtype)


@compile_kernel
def _max_pool_backward(dy, x, dx, dy_k, dx_k, sh, sw, fresh_row, fresh_col, offsets, starts):
    m, out_h, out_w, channels = dy.shape
    covering = fresh_row >= 0
    if not covering:
        dx[:] = 0  # here, in this block's thread, rather than a zeroed array from one thread
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
                # (see _gradient_array).
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
    """:func:`xcnn._windows.route_to_first_max` of :func:`window_max`, in one pass.

    Each window's maximum is found again as PyTorch's CPU kernel finds it:
    from the window's first cell inside the input, each later cell that is
    greater or NaN takes over. The gradient goes to the first maximum, the
    last NaN, or, where the maximum is -inf, that first cell inside.
    """
    dy_k, dx_k, sh, sw = _geometry(win)
    dy, x_pad = np.ascontiguousarray(dy), np.ascontiguousarray(x_pad)
    dx_pad, (fresh_row, fresh_col) = _gradient_array(x_pad.shape, dy.dtype, win)
    # Offset numbers as integers as wide as the elements, one vector lane each
    # (one thread, (32, 64, 64, 32), 3x3/2: float64 10.5 ms with int64 against
    # 11.9 with int32; float32 7.1 with int32 against 9.8 with int64).
    offsets = np.arange(win.n_offsets, dtype=np.int64 if x_pad.itemsize == 8 else np.int32)
    starts = first_inside_offsets(win, np, offsets.dtype, "cpu")
    loops = _in_blocks("max_pool_backward", x_pad.dtype, x_pad.shape[3], _max_pool_backward)
    in_sample_blocks(
        len(dy),
        x_pad.nbytes,
        lambda s: loops(dy[s], x_pad[s], dx_pad[s], dy_k, dx_k, sh, sw, fresh_row, fresh_col, offsets, starts),
    )
    return dx_pad


_BLOCK_LANES = {np.dtype(np.float32): (16, 8), np.dtype(np.float64): (16, 8)}
"""Channels per register block of :mod:`xcnn._pool_kernels`, widest first, by dtype. In float64
too 16 lanes measured best, though twice as wide (3x3/2 and 2x2/2 max-pool gradients of
``(32, 64, 64, 32)``, two threads: 16 lanes 4.9 / 3.9 ms, 8 lanes 5.4-6.0 / 4.0, the loops over
the channels 7.9-8.6 / 4.6-4.7)."""


@functools.cache
def _pool_blocks(name: str, lanes: int) -> VectorisedKernel:
    """The generated loops ``<name>_<lanes>`` of :mod:`xcnn._pool_kernels`, compiled when first called."""
    return VectorisedKernel(getattr(_pool_kernels, f"{name}_{lanes}"))


def _in_blocks(name: str, dtype: np.dtype, channels: int, otherwise: Any) -> Any:
    """The loops ``<name>`` in register blocks of channels where a block width divides `channels`,
    else `otherwise` (the loops over the channels). Float32, ``(32, 64, 64, 32)``, two threads:
    3x3/2 max-pool gradient 1.9 against 3.4 ms; max and mean of the windows: see BENCHMARKS.md."""
    lanes = next((n for n in _BLOCK_LANES.get(dtype, ()) if channels % n == 0), None)
    return otherwise if lanes is None else _pool_blocks(name, lanes)


# --- gathering windows and adding them back ----------------------------------------------

_UNSCALED = np.empty((0, 0))
"""The divisor grid of an unscaled spread: windows add their values as they are."""


@compile_kernel
def _spread(src, dx, dy_k, dx_k, sh, sw, per_offset, fresh_row, fresh_col, clear, divisor):
    m, channels = dx.shape[0], dx.shape[3]
    covering = clear and fresh_row >= 0  # see _gradient_array
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


def spread_mean(dy: np.ndarray, win: Windows, channels: int, divisor: np.ndarray | int) -> np.ndarray:
    """:func:`xcnn._windows.spread` of ``dy / divisor``: each window's share added at all its positions,
    ``(m, H_pad, W_pad, C)``; no divided copy of `dy`."""
    dy_k, dx_k, sh, sw = _geometry(win)
    dy = np.ascontiguousarray(dy)
    grid = _divisor_grid(divisor, win, dy.dtype)
    dx_pad, fresh = _gradient_array((dy.shape[0], *win.padded_size, channels), dy.dtype, win)
    blocks = _in_blocks("spread_mean", dy.dtype, channels, None)
    if blocks is not None:
        in_sample_blocks(len(dy), dx_pad.nbytes, lambda s: blocks(dy[s], dx_pad[s], dy_k, dx_k, sh, sw, *fresh, grid))
        return dx_pad
    in_sample_blocks(
        len(dy), dx_pad.nbytes, lambda s: _spread(dy[s], dx_pad[s], dy_k, dx_k, sh, sw, False, *fresh, True, grid)
    )
    return dx_pad


def _gradient_array(shape: tuple[int, ...], dtype: np.dtype, win: Windows) -> tuple[np.ndarray, tuple[int, int]]:
    """An uninitialised array for a gradient, and the offsets from which a window's positions are new.

    Where the windows cover the rows and columns without gaps (no dilation,
    stride at most the window), offset row ``i`` of a window is reached by
    no earlier window in row-major order unless ``oh > 0`` and
    ``i < kh - sh``, and likewise for columns: a kernel may store there
    instead of adding to zeros (disjoint tiles: everywhere). Then only the
    rows and columns past the last window need zeros, done here. Otherwise
    ``(-1, -1)``: the kernel zeroes its own block before adding into it.
    (A 3x3/2 max-pool gradient at ``(32, 64, 64, 32)``: 3.1 to 3.7 against
    3.5 to 5.4 ms.)
    """
    dx_pad = np.empty(shape, dtype=dtype)
    (out_h, out_w), (kh, kw), (sh, sw) = win.out_size, win.kernel, win.stride
    if win.dilation != (1, 1) or sh > kh or sw > kw:
        return dx_pad, (-1, -1)
    dx_pad[:, (out_h - 1) * sh + kh :] = 0
    dx_pad[:, :, (out_w - 1) * sw + kw :] = 0
    return dx_pad, (kh - sh, kw - sw)


# Gathering and adding back run in the calling thread only. They sit between
# matrix products, whose BLAS threads keep spinning for a while after each
# product and so hold the other core: two threads of ours measured no faster
# there (2-core CPU, interleaved A/B over whole forward + backward passes:
# 44 against 44 ms at (64, 32, 32, 16) -> 32, 179 against 194 ms at
# (32, 64, 64, 32) -> 64, one thread first).


def col2im(dcols: np.ndarray, win: Windows, m: int, channels: int) -> np.ndarray:
    """:func:`xcnn._windows.col2im`: ``(m*out_h*out_w, kh*kw*C)`` -> ``(m, H_pad, W_pad, C)``."""
    dy_k, dx_k, sh, sw = _geometry(win)
    src = np.reshape(np.ascontiguousarray(dcols), (m, *win.out_size, win.n_offsets * channels))
    dx_pad, fresh = _gradient_array((m, *win.padded_size, channels), src.dtype, win)
    return _spread(src, dx_pad, dy_k, dx_k, sh, sw, True, *fresh, True, _UNSCALED)


def col2im_add(dcols: np.ndarray, win: Windows, into: np.ndarray) -> None:
    """Add :func:`col2im` of `dcols` to `into` (``(m, H_pad, W_pad, C)``, a block of a larger gradient) in place."""
    dy_k, dx_k, sh, sw = _geometry(win)
    m, channels = into.shape[0], into.shape[3]
    src = np.reshape(np.ascontiguousarray(dcols), (m, *win.out_size, win.n_offsets * channels))
    _spread(src, into, dy_k, dx_k, sh, sw, True, -1, -1, False, _UNSCALED)  # adds to what is there


@compile_kernel
def _im2col(x, cols, dy_k, dx_k, sh, sw):
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


def im2col(x_pad: np.ndarray, win: Windows) -> np.ndarray:
    """:func:`xcnn._windows.im2col`: ``(m*out_h*out_w, kh*kw*C)``, columns ordered ``(i, j, c)``.

    The result lives in this thread's scratch buffer (:mod:`xcnn._scratch`):
    the next call overwrites it.
    """
    dy_k, dx_k, sh, sw = _geometry(win)
    x_pad = np.ascontiguousarray(x_pad)
    m, channels = x_pad.shape[0], x_pad.shape[3]
    cols = scratch("columns", (m, *win.out_size, win.n_offsets * channels), x_pad.dtype)
    _im2col(x_pad, cols, dy_k, dx_k, sh, sw)  # in this thread, like col2im
    return np.reshape(cols, (-1, win.n_offsets * channels))


# --- depthwise convolution -----------------------------------------------------------------
#
# These read the unpadded input and skip the offsets that fall in the zero
# padding, and the backward pass writes the unpadded gradient: no padded copy
# of either (each a fresh array as big as the input), and the forward pass
# starts each sum from the bias instead of adding it in another pass.


@compile_kernel
def _depthwise_forward(x, w, b, z, dy_k, dx_k, sh, sw, top, left):
    m, out_h, out_w, c_out = z.shape
    height, width, groups = x.shape[1], x.shape[2], x.shape[3]
    mult = c_out // groups
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                y0, x0 = oh * sh - top, ow * sw - left
                out = z[n, oh, ow]
                for j in range(c_out):
                    out[j] = b[j]
                for k in range(dy_k.shape[0]):
                    yk, xk = y0 + dy_k[k], x0 + dx_k[k]
                    if yk < 0 or yk >= height or xk < 0 or xk >= width:
                        continue  # zero padding adds nothing
                    row, wk = x[n, yk, xk], w[k]
                    if mult == 1:
                        for g in range(groups):
                            out[g] += row[g] * wk[g]
                    else:
                        for g in range(groups):
                            for q in range(mult):
                                out[g * mult + q] += row[g] * wk[g * mult + q]
    return z


def depthwise_geometry(w: np.ndarray, win: Windows) -> tuple[np.ndarray, np.ndarray, int, int, int, int, np.ndarray]:
    """``(dy_k, dx_k, sh, sw, top, left, w (taps, G*mult))`` of a depthwise layer."""
    dy_k, dx_k, sh, sw = _geometry(win)
    (top, _), (left, _) = win.full_padding
    kh, kw, _, c_out = w.shape
    return dy_k, dx_k, sh, sw, top, left, np.ascontiguousarray(np.reshape(w, (kh * kw, c_out)))


def depthwise_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, win: Windows) -> np.ndarray:
    """Depthwise convolution of the unpadded `x`, ``w (kh, kw, 1, G*mult)``, plus `b`: ``(m, out_h, out_w, G*mult)``.

    Output channel ``g*mult + q`` reads input channel ``g`` (PyTorch's
    grouping); `win` gives the zero padding.
    """
    dy_k, dx_k, sh, sw, top, left, w2 = depthwise_geometry(w, win)
    x = np.ascontiguousarray(x)
    c_out = w.shape[3]
    b = np.zeros(c_out, dtype=x.dtype) if b is None else np.ascontiguousarray(b)
    z = np.empty((x.shape[0], *win.out_size, c_out), dtype=x.dtype)
    in_sample_blocks(
        len(z), x.nbytes, lambda s: _depthwise_forward(x[s], w2, b, z[s], dy_k, dx_k, sh, sw, top, left)
    )
    return z


@compile_kernel
def _depthwise_backward(dz, x, w, dx, dw, db, dy_k, dx_k, sh, sw, top, left):
    m, out_h, out_w, c_out = dz.shape
    height, width, groups = x.shape[1], x.shape[2], x.shape[3]
    mult = c_out // groups
    n_offsets = dy_k.shape[0]
    part = np.empty((n_offsets, c_out), dtype=dw.dtype)  # one sample's share: shorter sums, less rounding
    part_b = np.empty(c_out, dtype=db.dtype)
    dx[:] = 0  # here, in this block's thread, rather than a zeroed array from one thread
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            for ow in range(out_w):
                y0, x0 = oh * sh - top, ow * sw - left
                d = dz[n, oh, ow]
                for j in range(c_out):
                    part_b[j] += d[j]
                for k in range(n_offsets):
                    yk, xk = y0 + dy_k[k], x0 + dx_k[k]
                    if yk < 0 or yk >= height or xk < 0 or xk >= width:
                        continue  # padding: neither an input to update nor a weight term
                    row, drow, wk, pk = x[n, yk, xk], dx[n, yk, xk], w[k], part[k]
                    if mult == 1:
                        for g in range(groups):
                            pk[g] += row[g] * d[g]
                            drow[g] += d[g] * wk[g]
                    else:
                        for g in range(groups):
                            for q in range(mult):
                                j = g * mult + q
                                pk[j] += row[g] * d[j]
                                drow[g] += d[j] * wk[j]
        dw += part
        db += part_b
    return dw


def depthwise_backward(
    dz: np.ndarray, x: np.ndarray, w: np.ndarray, win: Windows
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dx, dw, db)`` of :func:`depthwise_forward`, in one pass over the windows; `dx` unpadded, like `x`."""
    dy_k, dx_k, sh, sw, top, left, w2 = depthwise_geometry(w, win)
    dz, x = np.ascontiguousarray(dz), np.ascontiguousarray(x)
    dx = np.empty(x.shape, dtype=dz.dtype)

    def run(s: slice) -> tuple[np.ndarray, np.ndarray]:
        dw, db = np.zeros(w2.shape, dtype=dz.dtype), np.zeros(w2.shape[1], dtype=dz.dtype)  # this block's totals
        _depthwise_backward(dz[s], x[s], w2, dx[s], dw, db, dy_k, dx_k, sh, sw, top, left)
        return dw, db

    dw, db = summed_over_sample_blocks(len(dz), x.nbytes, run)
    return dx, np.reshape(dw, w.shape), db
