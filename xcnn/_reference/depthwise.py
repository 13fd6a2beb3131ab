"""Depthwise convolution (one input channel per group) in the reference.

With ``C_in/groups = 1`` the grouped products of :mod:`.conv` are G tiny
``(rows x kh*kw) @ (kh*kw x multiplier)`` matrices, far slower than the same
sums as elementwise multiply-adds over the kernel offsets, which run at
memory speed with no unfolded columns at all (:func:`forward`,
:func:`backward`). Where each operation is a costly launch
(:attr:`Primitives.depthwise_by_columns`), :mod:`.conv` instead runs the
unfolded columns through a few whole-array operations, with
:func:`columns` and :func:`weights` below.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from .._geometry import Windows
from .primitives import Primitives
from .windows import column_sums, pad

__all__ = ["backward", "columns", "forward", "weights"]

Array = Any


def columns(cols: Array, n_offsets: int, groups: int, xp: ModuleType) -> Array:
    """``(rows, kh*kw*G)`` unfolded columns -> ``(rows, kh*kw, G, 1)``."""
    return xp.reshape(cols, (-1, n_offsets, groups, 1))


def weights(w: Array, groups: int, xp: ModuleType) -> Array:
    """``(kh, kw, 1, G*mult)`` -> ``(kh*kw, G, mult)``; output channel ``g*mult + j`` reads input ``g``."""
    kh, kw, _, c_out = w.shape
    return xp.reshape(w, (kh * kw, groups, c_out // groups))


def forward(x_pad: Array, w: Array, win: Windows, groups: int, xp: ModuleType, prims: Primitives) -> Array:
    """``Z[..., c*mult + j] = sum_k x_pad[offset k][..., c] * W[k, 0, c*mult + j]``."""
    kh, kw, _, c_out = w.shape
    mult = c_out // groups
    view = prims.window_view(x_pad, win) if prims.einsum is not None else None
    if view is not None:
        # One einsum over the strided window view: one pass, no product arrays
        # (BENCHMARKS.md, "Why each path exists").
        einsum = prims.einsum
        if mult == 1:
            z = einsum("nhwijg,ijg->nhwg", view, xp.reshape(w, (kh, kw, groups)))[..., None]
        else:
            z = einsum("nhwijg,ijgk->nhwgk", view, xp.reshape(w, (kh, kw, groups, mult)))
    else:
        z = None
        for k, index in win.offsets():
            wk = xp.reshape(w[k // kw, k % kw, 0, :], (groups, mult))
            term = xp.expand_dims(x_pad[index], axis=-1) * wk
            z = term if z is None else z + term
    m, out_h, out_w = z.shape[:3]
    return xp.reshape(z, (m, out_h, out_w, c_out))


def backward(
    dz: Array, x_pad: Array, w: Array, win: Windows, groups: int, xp: ModuleType, prims: Primitives
) -> tuple[Array, Array]:
    """``(dx_pad, dw)`` of :func:`forward`."""
    m, out_h, out_w, c_out = dz.shape
    dz5 = xp.reshape(dz, (m, out_h, out_w, groups, c_out // groups))
    dx_pad = _input_gradient(dz5, w, win, x_pad.shape, xp, prims)
    return dx_pad, _weight_gradient(x_pad, dz5, win, w.shape, xp, prims)


def _input_gradient(
    dz5: Array, w: Array, win: Windows, padded_shape: tuple[int, ...], xp: ModuleType, prims: Primitives
) -> Array:
    """``dx_pad[offset k][..., g] += sum_j dz5[..., g, j] * W[k, 0, g*mult + j]`` over the offsets ``k``."""
    kh, kw = w.shape[:2]
    groups, mult = dz5.shape[3:]
    device = array_api_compat.device(dz5)
    if prims.einsum is not None and win.stride == (1, 1) and mult == 1 and bool(xp.all(xp.isfinite(w))):
        # With stride 1 this is a depthwise correlation of dz, padded by the
        # kernel's span, with the flipped kernel: one einsum over its window
        # view instead of kh*kw products and strided additions. Its padding
        # times an inf or NaN weight would be NaN where PyTorch adds no term:
        # such weights take the products.
        (dh, dw), (span_h, span_w) = win.dilation, ((kh - 1) * win.dilation[0], (kw - 1) * win.dilation[1])
        margins = ((span_h, span_h), (span_w, span_w))
        dz_pad = pad(dz5[..., 0], margins, 0, xp)
        flipped = Windows(in_size=dz5.shape[1:3], kernel=(kh, kw), stride=(1, 1), dilation=(dh, dw), padding=margins)
        view = prims.window_view(dz_pad, flipped)
        if view is not None:
            return prims.einsum("nhwijg,ijg->nhwg", view, w[::-1, ::-1, 0, :])
    dx_pad = xp.zeros(padded_shape, dtype=dz5.dtype, device=device)
    for k, index in win.offsets():
        wk = xp.reshape(w[k // kw, k % kw, 0, :], (groups, mult))
        dx_pad[index] += dz5[..., 0] * wk[:, 0] if mult == 1 else xp.sum(dz5 * wk, axis=-1)
    return dx_pad


def _weight_gradient(
    x_pad: Array, dz5: Array, win: Windows, w_shape: tuple[int, ...], xp: ModuleType, prims: Primitives
) -> Array:
    """``dW[i, j, 0, g*mult + k] = sum over (n, h, w) of x_pad[offset (i, j)][n, h, w, g] * dz5[n, h, w, g, k]``."""
    c_out = w_shape[3]
    einsum = prims.einsum
    if einsum is not None:
        # einsum sums products in one pass with no product arrays. For one
        # output channel per group, one call over the strided window view;
        # with several, one call per offset (the view's five-index form is
        # slower there). BENCHMARKS.md, "Why each path exists".
        view = prims.window_view(x_pad, win) if dz5.shape[4] == 1 else None
        if view is not None:
            return xp.reshape(einsum("nhwijg,nhwg->ijg", view, dz5[..., 0]), w_shape)
        rows = [einsum("nhwg,nhwgk->gk", x_pad[index], dz5) for _, index in win.offsets()]
        return xp.reshape(xp.stack(rows), w_shape)
    rows = []
    for _, index in win.offsets():
        product = xp.expand_dims(x_pad[index], axis=-1) * dz5
        rows.append(column_sums(xp.reshape(product, (-1, c_out)), xp, prims))
    return xp.reshape(xp.stack(rows), w_shape)
