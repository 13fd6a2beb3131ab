"""The one windowing core shared by convolution and pooling.

Everything that knows how sliding windows are cut out of a padded NHWC array,
and how gradients flow back into it, lives here. Convolution, max pooling and
average pooling differ only in what they do with the windows.

The loops below run over the ``kh * kw`` kernel offsets, never over samples,
pixels or channels: offset ``(i, j)`` of every window at once is one strided
slice of the padded input,

    x_pad[:, i*dh : i*dh + sh*(out_h-1) + 1 : sh,
             j*dw : j*dw + sw*(out_w-1) + 1 : sw, :]

of shape ``(m, out_h, out_w, C)``. Gradients go back through the same slices
with in-place additions, never through integer-array scatter, whose handling
of repeated indices differs between backends. The in-place updates only ever
touch arrays created here for the purpose (accumulators, padded copies), never
a caller's array. (``array_api_extra.at`` would also serve immutable arrays,
but costs 2.6x more per update on NumPy and ``array_api_extra.pad`` 10x more
than :func:`pad` below: these are the hot loops.)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from types import ModuleType
from typing import Any

import array_api_compat

from . import _jit
from .backend import Array
from .workspace import get_workspace_limit

Pair = tuple[int, int]


@dataclass(frozen=True)
class Windows:
    """Geometry of a sliding-window operation over the two spatial axes.

    Attributes
    ----------
    in_size : (int, int)
        ``(n_H_prev, n_W_prev)`` of the unpadded input.
    kernel, stride, dilation : (int, int)
        Per-axis ``(h, w)`` values.
    padding : ((int, int), (int, int))
        ``((top, bottom), (left, right))``, as the caller asked for.
    ceil_mode : bool
        Round the output size up (pooling): a last, partial window may hang
        over the bottom/right edge; :attr:`full_padding` pads for it.
    """

    in_size: Pair
    kernel: Pair
    stride: Pair
    dilation: Pair
    padding: tuple[Pair, Pair]
    ceil_mode: bool = False

    @cached_property
    def span(self) -> Pair:
        """Extent of one (dilated) window: ``dilation * (kernel - 1) + 1``."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))  # type: ignore[return-value]

    @cached_property
    def out_size(self) -> Pair:
        """``floor((n + pad_total - span) / stride) + 1`` per axis (PyTorch's rule).

        With ``ceil_mode`` the division rounds up, but a window must still
        start inside the input or its top/left padding.
        """
        sizes = []
        for n, (lo, hi), span, st in zip(self.in_size, self.padding, self.span, self.stride):
            extent = n + lo + hi - span
            out = (extent + (st - 1 if self.ceil_mode else 0)) // st + 1
            if self.ceil_mode and (out - 1) * st >= n + lo:
                out -= 1
            sizes.append(out)
        return tuple(sizes)  # type: ignore[return-value]

    @cached_property
    def full_padding(self) -> tuple[Pair, Pair]:
        """:attr:`padding` plus what the last ``ceil_mode`` window hangs over."""
        full = []
        for n, (lo, hi), span, st, out in zip(self.in_size, self.padding, self.span, self.stride, self.out_size):
            overhang = max(0, (out - 1) * st + span - (n + lo + hi))
            full.append((lo, hi + overhang))
        return tuple(full)  # type: ignore[return-value]

    @cached_property
    def padded_size(self) -> Pair:
        (top, bottom), (left, right) = self.full_padding
        return (self.in_size[0] + top + bottom, self.in_size[1] + left + right)

    @property
    def n_offsets(self) -> int:
        return self.kernel[0] * self.kernel[1]

    @cached_property
    def first_inside(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Per axis and window, the first kernel offset whose cell lies inside the unpadded input.

        ``(rows, cols)``: ``rows[oh]`` is the smallest ``i`` with
        ``oh*sh + i*dh`` in ``[top, top + H)`` (rows of the padded input),
        likewise ``cols[ow]``; 0 where there is none (with dilation a window
        may fall wholly in the padding). A max-pool window whose maximum is
        -inf sends its gradient to cell ``(rows[oh], cols[ow])``.
        """
        per_axis = []
        for n, (lo, _), k, st, d, out in zip(
            self.in_size, self.full_padding, self.kernel, self.stride, self.dilation, self.out_size
        ):
            firsts = []
            for o in range(out):
                i = max(0, -((o * st - lo) // d))  # ceil((lo - o*st) / d): the first cell at or past `lo`
                firsts.append(i if i < k and o * st + i * d < lo + n else 0)
            per_axis.append(tuple(firsts))
        return tuple(per_axis)  # type: ignore[return-value]

    def offsets(self) -> Iterator[tuple[int, tuple[slice, ...]]]:
        """Yield ``(k, index)`` per kernel offset, row-major: ``k = i * kw + j``.

        ``x_pad[index]`` has shape ``(m, out_h, out_w, C)``: element
        ``[n, h, w, c]`` is offset ``(i, j)`` of window ``(h, w)``.
        """
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        out_h, out_w = self.out_size
        for i in range(kh):
            rows = slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh)
            for j in range(kw):
                cols = slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw)
                yield i * kw + j, (slice(None), rows, cols, slice(None))

    def row_offsets(self) -> Iterator[tuple[slice, ...]]:
        """Per kernel row ``i``, the index of ``x_pad`` whose rows are that row of every window.

        ``x_pad[index]`` has shape ``(m, out_h, W_pad, C)``. With
        :meth:`column_offsets` it splits a window reduction in two: over
        ``kw`` columns, then ``kh`` rows, ``kh + kw - 2`` operations instead
        of ``kh * kw - 1``.
        """
        (kh, sh, dh), out_h = (self.kernel[0], self.stride[0], self.dilation[0]), self.out_size[0]
        for i in range(kh):
            yield (slice(None), slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh), slice(None), slice(None))

    def column_offsets(self) -> Iterator[tuple[slice, ...]]:
        """Per kernel column ``j``: ``x_pad[index]`` has shape ``(m, H_pad, out_w, C)``."""
        (kw, sw, dw), out_w = (self.kernel[1], self.stride[1], self.dilation[1]), self.out_size[1]
        for j in range(kw):
            yield (slice(None), slice(None), slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw), slice(None))


def pad(x: Array, padding: tuple[Pair, Pair], value: float, xp: ModuleType) -> Array:
    """Pad the two spatial axes of an NHWC array with a constant.

    Operations pad with ``win.full_padding``, which includes the ``ceil_mode``
    overhang. Slice assignments into one fresh array: on NumPy 10x faster
    than ``numpy.pad`` (which ``array_api_extra.pad`` calls) for a
    ``(64, 32, 32, 16)`` batch, and 30x for a small one. Only the border is
    filled with `value`, not the whole array first: 15-30% faster
    (``(32, 64, 64, 32)``: 1.0 against 1.3 ms).
    """
    (top, bottom), (left, right) = padding
    if top == bottom == left == right == 0:
        return x
    m, height, width, channels = x.shape
    shape = (m, height + top + bottom, width + left + right, channels)
    out = xp.empty(shape, dtype=x.dtype, device=array_api_compat.device(x))
    # our own fresh array: update in place
    out[:, :top, :, :] = value
    out[:, top + height :, :, :] = value
    out[:, top : top + height, :left, :] = value
    out[:, top : top + height, left + width :, :] = value
    out[:, top : top + height, left : left + width, :] = x
    return out


def unpad(x_pad: Array, padding: tuple[Pair, Pair]) -> Array:
    """Inverse of :func:`pad`: cut the border off again.

    Slices by explicit end index, so zero padding works too (``pad:-pad``
    would give an empty array for ``pad = 0``).
    """
    (top, bottom), (left, right) = padding
    height, width = x_pad.shape[1], x_pad.shape[2]
    return x_pad[:, top : height - bottom, left : width - right, :]


def window_view(x_pad: Array, win: Windows, xp: ModuleType) -> Array | None:
    """All windows as a ``(m, out_h, out_w, kh, kw, C)`` strided view, without copying.

    A fast path for libraries that expose strides (NumPy, CuPy, PyTorch):
    gathering windows through one view and one copy is about 3x faster on
    NumPy than concatenating ``kh*kw`` slices. Returns ``None`` for others
    (array_api_strict), whose callers take the slice-by-slice path.
    """
    m, _, _, channels = x_pad.shape
    (out_h, out_w), (kh, kw) = win.out_size, win.kernel
    (sh, sw), (dh, dw) = win.stride, win.dilation
    shape = (m, out_h, out_w, kh, kw, channels)
    if array_api_compat.is_numpy_array(x_pad) or array_api_compat.is_cupy_array(x_pad):
        s0, s1, s2, s3 = x_pad.strides  # bytes
        strides = (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3)
        as_strided = _library_as_strided(x_pad)
        return as_strided(x_pad, shape=shape, strides=strides)
    if array_api_compat.is_torch_array(x_pad):
        s0, s1, s2, s3 = x_pad.stride()  # elements
        return x_pad.as_strided(shape, (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3))
    return None


def _library_as_strided(x: Array) -> Any:
    if array_api_compat.is_numpy_array(x):
        from numpy.lib.stride_tricks import as_strided
    else:
        from cupy.lib.stride_tricks import as_strided
    return as_strided


def im2col(x_pad: Array, win: Windows, xp: ModuleType) -> Array:
    """Gather every window into one row: ``(m*out_h*out_w, kh*kw*C)``.

    Columns are ordered ``(i, j, c)``, matching a ``(kh, kw, C, n_C)`` weight
    reshaped to ``(kh*kw*C, n_C)``. On NumPy's compiled path they live in a
    scratch buffer (:mod:`xcnn._scratch`) that the next call overwrites: use
    them before gathering again.
    """
    if _jit.enabled(xp, x_pad, channels=x_pad.shape[3]):
        from . import _numba_kernels

        return _numba_kernels.im2col(x_pad, win)
    m, channels = x_pad.shape[0], x_pad.shape[3]
    out_h, out_w = win.out_size
    view = window_view(x_pad, win, xp)
    if view is not None:
        return xp.reshape(view, (m * out_h * out_w, win.n_offsets * channels))  # one copy
    pieces = [x_pad[index] for _, index in win.offsets()]
    cols = pieces[0] if len(pieces) == 1 else xp.concat(pieces, axis=-1)
    return xp.reshape(cols, (m * out_h * out_w, win.n_offsets * channels))


def col2im(dcols: Array, win: Windows, m: int, channels: int, xp: ModuleType, device: Any) -> Array:
    """Adjoint of :func:`im2col`: add each window's gradient back into place.

    Parameters
    ----------
    dcols : array, shape ``(m*out_h*out_w, kh*kw*C)``

    Returns
    -------
    array, shape ``(m, H + pad_total, W + pad_total, C)``
        Gradient with respect to the padded input.
    """
    if array_api_compat.is_cupy_namespace(xp):
        from ._cupy_kernels import gather_windows  # one launch instead of kh*kw + 1

        return gather_windows(dcols, win, m, channels, per_offset=True)
    if _jit.enabled(xp, dcols, channels=channels):
        from . import _numba_kernels  # one pass instead of kh*kw strided additions

        return _numba_kernels.col2im(dcols, win, m, channels)
    out_h, out_w = win.out_size
    dcols = xp.reshape(dcols, (m, out_h, out_w, win.n_offsets, channels))
    dx_pad = xp.zeros((m, *win.padded_size, channels), dtype=dcols.dtype, device=device)
    for k, index in win.offsets():
        dx_pad[index] += dcols[:, :, :, k, :]
    return dx_pad


def spread(dy: Array, win: Windows, channels: int, xp: ModuleType, device: Any) -> Array:
    """Add ``dy`` (one value per window) to every position of its window.

    Returns the gradient with respect to the padded input; the adjoint of
    summing each window.
    """
    m, out_w = dy.shape[0], win.out_size[1]
    if array_api_compat.is_cupy_namespace(xp):
        from ._cupy_kernels import gather_windows  # one launch instead of kh + kw + 2

        return gather_windows(dy, win, m, channels, per_offset=False)
    (height, width) = win.padded_size
    by_rows = xp.zeros((m, height, out_w, channels), dtype=dy.dtype, device=device)
    for index in win.row_offsets():  # separable: kh + kw additions, not kh * kw
        by_rows[index] += dy
    dx_pad = xp.zeros((m, height, width, channels), dtype=dy.dtype, device=device)
    for index in win.column_offsets():
        dx_pad[index] += by_rows
    return dx_pad


def _reduce_over_view(xp: ModuleType) -> bool:
    """Whether pooling reduces each window through one strided view (CuPy) rather than per offset.

    On CuPy each elementwise operation is a kernel launch costing some 15-20 us
    of host time, more than a pooling layer's arithmetic; one reduction over
    the window view replaces kh*kw - 1 of them. On NumPy the per-offset
    operations are the faster ones.
    """
    return array_api_compat.is_cupy_namespace(xp)


def _pooling_view(x_pad: Array, win: Windows, xp: ModuleType) -> Array | None:
    return window_view(x_pad, win, xp) if _reduce_over_view(xp) else None


def window_sum(x_pad: Array, win: Windows, xp: ModuleType) -> Array:
    """Sum over each window: ``(m, out_h, out_w, C)``."""
    view = _pooling_view(x_pad, win, xp)
    if view is not None:
        return xp.sum(view, axis=(3, 4))
    return _separable(x_pad, win, lambda a, b: a + b)


def window_max(x_pad: Array, win: Windows, xp: ModuleType) -> Array:
    """Maximum of each window, ``(m, out_h, out_w, C)``; NaN propagates."""
    if _jit.enabled(xp, x_pad, channels=x_pad.shape[3]):
        from . import _numba_kernels

        return _numba_kernels.window_max(x_pad, win)
    view = _pooling_view(x_pad, win, xp)
    if view is not None:
        return xp.max(view, axis=(3, 4))
    return _separable(x_pad, win, xp.maximum)


def _separable(x_pad: Array, win: Windows, combine: Any) -> Array:
    """Reduce each window with `combine` over its columns, then over its rows.

    On NumPy a 3x3/2 max pool forward takes about 30% less time than
    combining all kh*kw offsets in one chain, and half the operations.
    """
    by_columns = None
    for index in win.column_offsets():
        by_columns = x_pad[index] if by_columns is None else combine(by_columns, x_pad[index])
    total = None
    for index in win.row_offsets():
        total = by_columns[index] if total is None else combine(total, by_columns[index])
    return total


def route_to_first_max(dy: Array, x_pad: Array, best: Array, win: Windows, xp: ModuleType, device: Any) -> Array:
    """Send each window's gradient to the one input that PyTorch's CPU kernel picks.

    That kernel starts at the window's first cell inside the input, with the
    maximum so far at -inf, and moves on to each later cell, row-major, that
    is greater or NaN. So the gradient goes to the window's first maximum; in
    a window holding NaN, to its last NaN; in a window whose maximum is
    -inf, to its first cell inside the input, never to the padding (-inf
    too). (PyTorch's CUDA kernel has the same rule.)

    Parameters
    ----------
    dy, best : arrays, shape ``(m, out_h, out_w, C)``
        Upstream gradient and :func:`window_max` of `x_pad`.
    x_pad : array
        The input padded with -inf.

    Returns the gradient with respect to the padded input.
    """
    view = _pooling_view(x_pad, win, xp)
    column_bytes = math.prod(best.shape) * win.n_offsets * (xp.finfo(dy.dtype).bits // 8)
    if view is not None and column_bytes <= get_workspace_limit(xp):
        return _route_through_columns(dy, view, best, win, xp, device)
    at = _chosen_offsets(x_pad, best, win, xp, device)
    dx_pad = xp.zeros(x_pad.shape, dtype=dy.dtype, device=device)
    zero = xp.zeros((), dtype=dy.dtype, device=device)
    by_products = _select_by_product(xp) and bool(xp.all(xp.isfinite(dy)))
    for k, index in win.offsets():
        hit = at == k
        dx_pad[index] += dy * xp.astype(hit, dy.dtype) if by_products else xp.where(hit, dy, zero)
    return dx_pad


def _offset_dtype(win: Windows, xp: ModuleType) -> Any:
    """The narrowest integer type that numbers the kernel offsets: less memory to go through."""
    return xp.uint8 if win.n_offsets <= 256 else xp.int32


def first_inside_offsets(win: Windows, xp: ModuleType, dtype: Any, device: Any) -> Array:
    """``(out_h, out_w)``: the offset ``k = i*kw + j`` of each window's first cell inside the input.

    See :attr:`Windows.first_inside`.
    """
    rows, cols = win.first_inside
    kw = win.kernel[1]
    rows = xp.reshape(xp.asarray([i * kw for i in rows], dtype=dtype, device=device), (-1, 1))
    return rows + xp.reshape(xp.asarray(cols, dtype=dtype, device=device), (1, -1))


def _chosen_offsets(x_pad: Array, best: Array, win: Windows, xp: ModuleType, device: Any) -> Array:
    """The offset each window's gradient goes to (:func:`route_to_first_max`), ``(m, out_h, out_w, C)``.

    Whole-array selections per offset, in two sweeps: backwards, so that the
    first offset equal to the maximum is the one written last; then
    forwards over the NaN, so that the last NaN is. Windows whose maximum
    is NaN equal it nowhere, nor do those whose maximum is -inf where there
    is padding (also -inf): both keep their first cell inside the input,
    until a NaN replaces it. NumPy leaves out the second sweep when no
    window holds NaN (one check of the maxima).
    """
    dtype = _offset_dtype(win, xp)
    out_h, out_w = win.out_size
    start = xp.reshape(first_inside_offsets(win, xp, dtype, device), (1, out_h, out_w, 1))
    at = xp.broadcast_to(start, best.shape)
    target = best
    if win.full_padding != ((0, 0), (0, 0)):
        target = xp.where(best == -math.inf, xp.asarray(math.nan, dtype=best.dtype, device=device), best)
    number = [xp.asarray(k, dtype=dtype, device=device) for k in range(win.n_offsets)]
    offsets = list(win.offsets())
    for k, index in reversed(offsets):
        at = _pick(x_pad[index] == target, number[k], at, xp)
    if not array_api_compat.is_numpy_namespace(xp) or bool(xp.any(xp.isnan(best))):
        for k, index in offsets:
            at = _pick(xp.isnan(x_pad[index]), number[k], at, xp)
    return at


def _pick(chosen: Array, k: Array, at: Array, xp: ModuleType) -> Array:
    """``where(chosen, k, at)`` for offset numbers: on NumPy by a product (:func:`_select_by_product`).

    Exact in unsigned integers, where ``k - at`` wraps around and ``at``
    plus it wraps back. NumPy's ``where`` is slow on uint8: 2.3 ms for a
    ``(32, 31, 31, 32)`` array (0.6 on float32), against 0.1 for this.
    """
    if _select_by_product(xp):
        return at + (k - at) * xp.astype(chosen, at.dtype)
    return xp.where(chosen, k, at)


def _select_by_product(xp: ModuleType) -> bool:
    """Whether to select ``dy`` or 0 by multiplying with a 0/1 mask rather than ``where``.

    On NumPy ``where`` costs 10x a cast and a product (3.0 ms against 0.3 ms
    for a ``(32, 32, 32, 32)`` float32 array). The two agree exactly for
    finite values (a share of -0.0 adds nothing); an upstream gradient holding
    inf or NaN takes ``where``, since ``inf * 0`` would spread NaN.
    """
    return array_api_compat.is_numpy_namespace(xp)


def _route_through_columns(dy: Array, view: Array, best: Array, win: Windows, xp: ModuleType, device: Any) -> Array:
    """:func:`route_to_first_max` in a few whole-array operations on the window view.

    :func:`argmax` returns the first of equal values: the first offset equal
    to the maximum, and, over the offsets reversed, the last NaN.
    """
    m, out_h, out_w, kh, kw, channels = view.shape
    n = kh * kw
    cells = xp.reshape(view, (m, out_h, out_w, n, channels))
    dtype = _offset_dtype(win, xp)
    nan = xp.asarray(math.nan, dtype=best.dtype, device=device)
    target = xp.where(best == -math.inf, nan, best)[:, :, :, None, :]  # as in _chosen_offsets
    equal = cells == target
    first_equal = xp.astype(xp.argmax(xp.astype(equal, xp.uint8), axis=3), dtype)
    start = xp.reshape(first_inside_offsets(win, xp, dtype, device), (1, out_h, out_w, 1))
    at = xp.where(xp.any(equal, axis=3), first_equal, start)
    last_nan = xp.argmax(xp.astype(xp.flip(xp.isnan(cells), axis=3), xp.uint8), axis=3)
    at = xp.where(xp.isnan(best), xp.astype(n - 1 - last_nan, dtype), at)
    offsets = xp.reshape(xp.arange(n, dtype=dtype, device=device), (n, 1))
    zero = xp.zeros((), dtype=dy.dtype, device=device)
    dcols = xp.where(offsets == at[:, :, :, None, :], dy[:, :, :, None, :], zero)
    return col2im(xp.reshape(dcols, (-1, n * channels)), win, m, channels, xp, device)


# --- tiled windows: stride == kernel, no padding, no dilation --------------------
#
# The most common pooling (2x2, stride 2) cuts the image into disjoint tiles.
# A reshape then exposes every tile as two axes, and one reduction over them
# replaces the per-offset loop above: about 5x less memory traffic on NumPy.


def is_tiled(win: Windows) -> bool:
    """True when the windows are disjoint tiles that start at the origin."""
    return (
        win.stride == win.kernel
        and win.dilation == (1, 1)
        and win.full_padding == ((0, 0), (0, 0))
    )


def to_tiles(x: Array, win: Windows, xp: ModuleType) -> Array:
    """``(m, H, W, C)`` -> ``(m, out_h, kh, out_w, kw, C)``; rows/columns no window reaches are dropped."""
    (kh, kw), (out_h, out_w) = win.kernel, win.out_size
    m, _, _, channels = x.shape
    x = x[:, : out_h * kh, : out_w * kw, :]
    return xp.reshape(x, (m, out_h, kh, out_w, kw, channels))


def from_tiles(tiles: Array, win: Windows, xp: ModuleType) -> Array:
    """Inverse of :func:`to_tiles`, with zeros where no window reaches."""
    m, out_h, kh, out_w, kw, channels = tiles.shape
    x = xp.reshape(tiles, (m, out_h * kh, out_w * kw, channels))
    height, width = win.in_size
    missing = ((0, height - out_h * kh), (0, width - out_w * kw))
    return pad(x, missing, 0, xp)


# --- blocks: im2col within a memory budget ------------------------------------------


def blocks(win: Windows, m: int, width: int, itemsize: int, limit: int) -> list[tuple[slice, slice, Windows]]:
    """Split the output into blocks whose gathered columns fit in `limit` bytes.

    Parameters
    ----------
    win : Windows
        The whole operation's geometry.
    m : int
        Number of samples.
    width : int
        Columns per output position (``kh*kw*C``).
    itemsize, limit : int
        Bytes per element, and the budget for one block's columns.

    Returns
    -------
    list of ``(samples, out_rows, sub)``
        `samples` and `out_rows` slice the output; ``sub`` is the geometry of
        the block over ``x_pad[samples, rows_in(out_rows)]`` (no padding of
        its own), see :func:`block_input_rows`, or `win` itself when one
        block covers everything. Whole samples are preferred;
        only a single sample too big for the budget is split by rows.
    """
    out_h, out_w = win.out_size
    per_row = out_w * width * itemsize  # one output row of one sample
    per_sample = out_h * per_row
    if m * per_sample <= limit:
        return [(slice(0, m), slice(0, out_h), win)]  # one block: the whole padded input
    if per_sample <= limit:
        step = limit // per_sample
        return [(slice(i, min(i + step, m)), slice(0, out_h), _sub(win, 0, out_h)) for i in range(0, m, step)]
    rows = max(1, limit // per_row)
    return [
        (slice(i, i + 1), slice(r, min(r + rows, out_h)), _sub(win, r, min(r + rows, out_h)))
        for i in range(m)
        for r in range(0, out_h, rows)
    ]


def block_input_rows(win: Windows, out_rows: slice) -> slice:
    """Rows of the padded input that output rows `out_rows` read."""
    stride, span = win.stride[0], win.span[0]
    return slice(out_rows.start * stride, (out_rows.stop - 1) * stride + span)


def _sub(win: Windows, start: int, stop: int) -> Windows:
    rows = block_input_rows(win, slice(start, stop))
    return Windows(
        in_size=(rows.stop - rows.start, win.padded_size[1]),
        kernel=win.kernel,
        stride=win.stride,
        dilation=win.dilation,
        padding=((0, 0), (0, 0)),
    )
