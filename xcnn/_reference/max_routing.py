"""Where a max-pool gradient goes: PyTorch's rule, in array-API operations.

The forward pass keeps no argmax, so the backward pass finds each window's
maximum again and sends the window's gradient to the cell PyTorch's CPU
kernel picks (:func:`route_to_first_max`). Names no array library: the
strategy (per offset, or through one window view) comes from `prims`.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import array_api_compat

from .._geometry import Windows
from .primitives import Primitives
from ..workspace import get_workspace_limit
from .windows import fold

__all__ = ["first_inside_offsets", "route_to_first_max"]

Array = Any


def route_to_first_max(dy: Array, x_pad: Array, best: Array, win: Windows, xp: ModuleType, prims: Primitives) -> Array:
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
    device = array_api_compat.device(dy)
    view = prims.window_view(x_pad, win) if prims.reduce_over_view else None
    column_bytes = math.prod(best.shape) * win.n_offsets * (xp.finfo(dy.dtype).bits // 8)
    if view is not None and column_bytes <= get_workspace_limit(xp):
        return _route_through_columns(dy, view, best, win, xp, prims)
    at = _chosen_offsets(x_pad, best, win, xp, prims)
    dx_pad = xp.zeros(x_pad.shape, dtype=dy.dtype, device=device)
    zero = xp.zeros((), dtype=dy.dtype, device=device)
    by_products = prims.select_by_product and bool(xp.all(xp.isfinite(dy)))
    for k, index in win.offsets():
        hit = at == k
        dx_pad[index] += dy * xp.astype(hit, dy.dtype) if by_products else xp.where(hit, dy, zero)
    return dx_pad


def _offset_dtype(win: Windows, xp: ModuleType) -> Any:
    """The narrowest integer type that numbers the kernel offsets: less memory to go through."""
    return xp.uint8 if win.n_offsets <= 256 else xp.int32


def first_inside_offsets(win: Windows, xp: ModuleType, dtype: Any, device: Any) -> Array:
    """``(out_h, out_w)``: the offset ``k = i*kw + j`` of each window's first cell inside the input.

    See :attr:`xcnn._geometry.Windows.first_inside`.
    """
    rows, cols = win.first_inside
    kw = win.kernel[1]
    rows = xp.reshape(xp.asarray([i * kw for i in rows], dtype=dtype, device=device), (-1, 1))
    return rows + xp.reshape(xp.asarray(cols, dtype=dtype, device=device), (1, -1))


def _chosen_offsets(x_pad: Array, best: Array, win: Windows, xp: ModuleType, prims: Primitives) -> Array:
    """The offset each window's gradient goes to (:func:`route_to_first_max`), ``(m, out_h, out_w, C)``.

    Whole-array selections per offset, in two sweeps: backwards, so that the
    first offset equal to the maximum is the one written last; then
    forwards over the NaN, so that the last NaN is. Windows whose maximum
    is NaN equal it nowhere, nor do those whose maximum is -inf where there
    is padding (also -inf): both keep their first cell inside the input,
    until a NaN replaces it. Where a look at the host is cheap
    (:attr:`Primitives.cheap_host_checks`) the second sweep is left out
    when no window holds NaN (one check of the maxima).
    """
    device = array_api_compat.device(best)
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
        at = _pick(x_pad[index] == target, number[k], at, xp, prims)
    if not prims.cheap_host_checks or bool(xp.any(xp.isnan(best))):
        for k, index in offsets:
            at = _pick(xp.isnan(x_pad[index]), number[k], at, xp, prims)
    return at


def _pick(chosen: Array, k: Array, at: Array, xp: ModuleType, prims: Primitives) -> Array:
    """``where(chosen, k, at)`` for offset numbers, by a product where :attr:`Primitives.select_by_product`.

    Exact in unsigned integers, where ``k - at`` wraps around and ``at``
    plus it wraps back (NumPy's ``where`` is slow on uint8: BENCHMARKS.md,
    "Why each path exists").
    """
    if prims.select_by_product:
        return at + (k - at) * xp.astype(chosen, at.dtype)
    return xp.where(chosen, k, at)


def _route_through_columns(dy: Array, view: Array, best: Array, win: Windows, xp: ModuleType, prims: Primitives) -> Array:
    """:func:`route_to_first_max` in a few whole-array operations on the window view.

    :func:`argmax` returns the first of equal values: the first offset equal
    to the maximum, and, over the offsets reversed, the last NaN.
    """
    device = array_api_compat.device(dy)
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
    return fold(xp.reshape(dcols, (-1, n * channels)), win, m, channels, xp, prims)
