"""The one windowing core: how windows are cut out of a padded NHWC array, and how gradients go back.

Convolution, max pooling and average pooling differ only in what they do
with the windows. The loops here run over the ``kh * kw`` kernel offsets,
never over samples, pixels or channels: offset ``(i, j)`` of every window at
once is one strided slice of the padded input,

    x_pad[:, i*dh : i*dh + sh*(out_h-1) + 1 : sh,
             j*dw : j*dw + sw*(out_w-1) + 1 : sw, :]

of shape ``(m, out_h, out_w, C)``. Gradients go back through the same slices
with in-place additions, never through integer-array scatter, whose handling
of repeated indices differs between backends. The in-place updates only ever
touch arrays created here for the purpose (accumulators, padded copies), never
a caller's array. (``array_api_extra.at`` would also serve immutable arrays,
but costs more per update and ``array_api_extra.pad`` much more than
:func:`pad` below, on the hot loops: see BENCHMARKS.md, "Why each path exists".)

Every step a backend may do faster comes in through `prims`
(:class:`~xcnn._reference.primitives.Primitives`); this module names no
array library.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import array_api_compat

from .._geometry import Pair, Windows
from .primitives import Primitives

__all__ = [
    "column_sums", "fold", "from_tiles", "pad", "spread", "tall_product", "to_tiles", "unfold", "unpad",
    "window_max", "window_sum",
]

Array = Any


def pad(x: Array, padding: tuple[Pair, Pair], value: float, xp: ModuleType) -> Array:
    """Pad the two spatial axes of an NHWC array with a constant.

    Operations pad with ``win.full_padding``, which includes the ``ceil_mode``
    overhang. Slice assignments into one fresh array, much faster than
    ``numpy.pad`` (which ``array_api_extra.pad`` calls); only the border is
    filled with `value`, not the whole array first (BENCHMARKS.md, "Why each
    path exists").
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


def unfold(x_pad: Array, win: Windows, xp: ModuleType, prims: Primitives) -> Array:
    """im2col: every window as one row, ``(m*out_h*out_w, kh*kw*C)``.

    Columns are ordered ``(i, j, c)``, matching a ``(kh, kw, C, n_C)`` weight
    reshaped to ``(kh*kw*C, n_C)``. A backend's `unfold` may put them in a
    scratch buffer that the next call overwrites: use them before unfolding
    again.
    """
    if prims.unfold is not None:
        return prims.unfold(x_pad, win)
    m, channels = x_pad.shape[0], x_pad.shape[3]
    out_h, out_w = win.out_size
    view = prims.window_view(x_pad, win)
    if view is not None:
        return xp.reshape(view, (m * out_h * out_w, win.n_offsets * channels))  # one copy
    pieces = [x_pad[index] for _, index in win.offsets()]
    cols = pieces[0] if len(pieces) == 1 else xp.concat(pieces, axis=-1)
    return xp.reshape(cols, (m * out_h * out_w, win.n_offsets * channels))


def fold(dcols: Array, win: Windows, m: int, channels: int, xp: ModuleType, prims: Primitives) -> Array:
    """col2im, the adjoint of :func:`unfold`: add each window's gradient back into place.

    Parameters
    ----------
    dcols : array, shape ``(m*out_h*out_w, kh*kw*C)``

    Returns
    -------
    array, shape ``(m, H + pad_total, W + pad_total, C)``
        Gradient with respect to the padded input.
    """
    if prims.fold is not None:
        return prims.fold(dcols, win, m, channels)
    out_h, out_w = win.out_size
    dcols = xp.reshape(dcols, (m, out_h, out_w, win.n_offsets, channels))
    dx_pad = xp.zeros((m, *win.padded_size, channels), dtype=dcols.dtype, device=array_api_compat.device(dcols))
    for k, index in win.offsets():
        dx_pad[index] += dcols[:, :, :, k, :]
    return dx_pad


def spread(dy: Array, win: Windows, channels: int, xp: ModuleType, prims: Primitives) -> Array:
    """Add ``dy`` (one value per window) to every position of its window.

    Returns the gradient with respect to the padded input; the adjoint of
    summing each window.
    """
    m, out_w = dy.shape[0], win.out_size[1]
    if prims.spread is not None:
        return prims.spread(dy, win, m, channels)
    (height, width), device = win.padded_size, array_api_compat.device(dy)
    by_rows = xp.zeros((m, height, out_w, channels), dtype=dy.dtype, device=device)
    for index in win.row_offsets():  # separable: kh + kw additions, not kh * kw
        by_rows[index] += dy
    dx_pad = xp.zeros((m, height, width, channels), dtype=dy.dtype, device=device)
    for index in win.column_offsets():
        dx_pad[index] += by_rows
    return dx_pad


def _pooling_view(x_pad: Array, win: Windows, prims: Primitives) -> Array | None:
    return prims.window_view(x_pad, win) if prims.reduce_over_view else None


def window_sum(x_pad: Array, win: Windows, xp: ModuleType, prims: Primitives) -> Array:
    """Sum over each window: ``(m, out_h, out_w, C)``."""
    view = _pooling_view(x_pad, win, prims)
    if view is not None:
        return xp.sum(view, axis=(3, 4))
    return _separable(x_pad, win, lambda a, b: a + b)


def window_max(x_pad: Array, win: Windows, xp: ModuleType, prims: Primitives) -> Array:
    """Maximum of each window, ``(m, out_h, out_w, C)``; NaN propagates."""
    view = _pooling_view(x_pad, win, prims)
    if view is not None:
        return xp.max(view, axis=(3, 4))
    return _separable(x_pad, win, xp.maximum)


def _separable(x_pad: Array, win: Windows, combine: Callable[[Array, Array], Array]) -> Array:
    """Reduce each window with `combine` over its columns, then over its rows.

    Half the operations of one chain over all kh*kw offsets, and faster on
    NumPy (BLAS-free hosts: see BENCHMARKS.md, "Why each path exists").
    """
    by_columns = None
    for index in win.column_offsets():
        by_columns = x_pad[index] if by_columns is None else combine(by_columns, x_pad[index])
    total = None
    for index in win.row_offsets():
        total = by_columns[index] if total is None else combine(total, by_columns[index])
    return total


def column_sums(a: Array, xp: ModuleType, prims: Primitives) -> Array:
    """Sum of the rows of a 2-D array, ``(rows, n) -> (n,)``: by default ``ones(1, rows) @ a``.

    The product streams the rows once through BLAS (cuBLAS), where a column
    reduction is several times slower on NumPy and CuPy (BENCHMARKS.md, "Why
    each path exists"); a backend whose own sum is the faster supplies it.
    """
    if prims.column_sums is not None:
        return prims.column_sums(a)
    ones = xp.ones((1, a.shape[0]), dtype=a.dtype, device=array_api_compat.device(a))
    return xp.reshape(ones @ a, (a.shape[1],))


def tall_product(
    a: Array, b: Array, prims: Primitives, *, bias: Array | None = None, scratch_use: str | None = None
) -> Array:
    """``a @ b (+ bias)`` for a tall, thin `a` (unfolded windows, upstream gradients).

    `scratch_use` names a temporary result that a backend may put in a
    reused buffer (NumPy: :mod:`xcnn._backends.numpy.scratch`).
    """
    if prims.tall_product is not None:
        return prims.tall_product(a, b, bias, scratch_use)
    return a @ b if bias is None else a @ b + bias


# --- tiled windows: stride == kernel, no padding, no dilation --------------------
#
# The most common pooling (2x2, stride 2) cuts the image into disjoint tiles.
# A reshape then exposes every tile as two axes, and one reduction over them
# replaces the per-offset loops: several times less memory traffic on NumPy.


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
