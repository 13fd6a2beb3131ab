"""Convolution (cross-correlation) forward and backward on NHWC arrays: the reference.

Arguments arrive checked and normalised (a :class:`~xcnn._geometry.Windows`).
The forward pass is one matrix product over unfolded windows (im2col); the
backward pass is two matrix products and the fold (col2im). With
``groups > 1`` the products are batched over groups; depthwise layers take
:mod:`.depthwise`. Windows are unfolded in chunks that fit the workspace
limit (:mod:`xcnn.workspace`), so memory stays bounded for large images.
Written against the array API alone; faster single steps arrive through
`prims` (:mod:`.primitives`), and whole faster implementations are other
rows of the dispatch table (:mod:`xcnn._ops`).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import array_api_compat

from .._geometry import Windows, chunk_input_rows, chunks
from ..workspace import get_workspace_limit
from . import depthwise
from .primitives import Primitives
from .windows import column_sums, fold, pad, tall_product, unfold, unpad

__all__ = ["backward", "forward", "is_pointwise"]

Array = Any


def _group_columns(cols: Array, n_offsets: int, groups: int, xp: ModuleType) -> Array:
    """``(M, kh*kw*C)`` columns -> ``(groups, M, kh*kw*C/groups)``, each group's channels."""
    m_rows, width = cols.shape
    per_group = width // (n_offsets * groups)
    cols = xp.reshape(cols, (m_rows, n_offsets, groups, per_group))
    return xp.reshape(xp.permute_dims(cols, (2, 0, 1, 3)), (groups, m_rows, n_offsets * per_group))


def _group_weights(w: Array, groups: int, xp: ModuleType) -> Array:
    """``(kh, kw, C/groups, C_out)`` -> ``(groups, kh*kw*C/groups, C_out/groups)``."""
    kh, kw, c_group, c_out = w.shape
    w = xp.reshape(w, (kh * kw * c_group, groups, c_out // groups))
    return xp.permute_dims(w, (1, 0, 2))


def _unfolded_chunks(x_pad: Array, win: Windows, xp: ModuleType, prims: Primitives) -> Iterator[tuple[tuple[slice, ...], tuple[slice, ...], Windows, Array]]:
    """Yield ``(out_index, in_index, sub, cols)`` per chunk of the workspace limit.

    ``cols`` are the unfolded windows of ``x_pad[in_index]`` for the outputs
    ``[out_index]``.
    """
    m, _, _, channels = x_pad.shape
    width = win.n_offsets * channels
    itemsize = xp.finfo(x_pad.dtype).bits // 8
    everything = (slice(None),) * 4
    for samples, out_rows, sub in chunks(win, m, width, itemsize, get_workspace_limit(xp)):
        if sub is win:
            yield everything, everything, win, unfold(x_pad, win, xp, prims)
            return
        in_index = (samples, chunk_input_rows(win, out_rows), slice(None), slice(None))
        out_index = (samples, out_rows, slice(None), slice(None))
        yield out_index, in_index, sub, unfold(x_pad[in_index], sub, xp, prims)


def _products(cols: Array, w: Array, b: Array | None, n_offsets: int, groups: int, xp: ModuleType, prims: Primitives) -> Array:
    """``cols @ W + b`` as ``(rows, C_out)``, batched over groups."""
    c_out = w.shape[3]
    if groups == 1:
        return tall_product(cols, xp.reshape(w, (-1, c_out)), prims, bias=b)
    if w.shape[2] == 1:  # depthwise: a multiply and a sum over offsets, not G tiny products
        products = depthwise.columns(cols, n_offsets, groups, xp) * depthwise.weights(w, groups, xp)
        z = xp.reshape(xp.sum(products, axis=1), (-1, c_out))
    else:
        z = _group_columns(cols, n_offsets, groups, xp) @ _group_weights(w, groups, xp)
        z = xp.reshape(xp.permute_dims(z, (1, 0, 2)), (-1, c_out))
    return z if b is None else z + b


def forward(x: Array, w: Array, b: Array | None, win: Windows, groups: int, xp: ModuleType, prims: Primitives) -> Array:
    """``Z[n, h, w, c] = sum_{i, j, c'} x_pad[n, h*sh + i*dh, w*sw + j*dw, c'] * W[i, j, c', c] + b[c]``.

    (``c'`` runs over the input channels of ``c``'s group.) Shapes:
    ``x (m, H, W, C)``, ``w (kh, kw, C/groups, C_out)``, ``b (C_out,)``;
    returns ``(m, out_h, out_w, C_out)``.
    """
    m, c_out = x.shape[0], w.shape[3]
    out_h, out_w = win.out_size
    if is_pointwise(win, groups):
        z = tall_product(xp.reshape(x, (-1, x.shape[3])), xp.reshape(w, (-1, c_out)), prims, bias=b)
        return xp.reshape(z, (m, out_h, out_w, c_out))
    x_pad = pad(x, win.full_padding, 0, xp)
    if groups > 1 and w.shape[2] == 1 and not prims.depthwise_by_columns:
        z = prims.over_samples(lambda x_pad: depthwise.forward(x_pad, w, win, groups, xp, prims), (x_pad,))
        return z if b is None else z + b
    z = None
    for out_index, _, sub, cols in _unfolded_chunks(x_pad, win, xp, prims):
        rows, cols_out = sub.out_size
        # the bias per chunk: added to the whole output it would cost one more pass
        chunk = xp.reshape(_products(cols, w, b, win.n_offsets, groups, xp, prims), (-1, rows, cols_out, c_out))
        if sub is win:
            z = chunk  # a single chunk: no copy into place
            break
        if z is None:
            z = xp.empty((m, out_h, out_w, c_out), dtype=chunk.dtype, device=array_api_compat.device(x))
        z[out_index] = chunk
    return z


def is_pointwise(win: Windows, groups: int) -> bool:
    """A 1x1 window at stride 1 with no padding: the unfolded windows are the input itself.

    Then the layer is one product per pass with no copy of the input into
    columns and none of their gradient back (the copies cost a third of the
    time: BENCHMARKS.md, "Why each path exists").
    """
    return groups == 1 and win.kernel == (1, 1) and win.stride == (1, 1) and win.full_padding == ((0, 0), (0, 0))


def _input_gradient(dz2: Array, w: Array, win: Windows, m: int, xp: ModuleType) -> Array:
    """Gradient with respect to the padded input, for ``groups = 1``, one product per offset.

    One small product ``dZ @ W[i, j]^T`` per kernel offset, added straight
    into place: no ``(M, kh*kw*C)`` gradient-of-columns array, and faster on
    NumPy than one big product followed by array-API :func:`fold`.
    """
    kw, channels = w.shape[1], w.shape[2]
    out_h, out_w = win.out_size
    dx_pad = xp.zeros((m, *win.padded_size, channels), dtype=dz2.dtype, device=array_api_compat.device(dz2))
    for k, index in win.offsets():
        piece = xp.reshape(dz2 @ w[k // kw, k % kw, :, :].T, (m, out_h, out_w, channels))
        dx_pad[index] += piece
    return dx_pad


def backward(
    dz: Array, x: Array, w: Array, win: Windows, groups: int, xp: ModuleType, prims: Primitives
) -> tuple[Array, Array, Array]:
    """Gradients of :func:`forward` with respect to ``x``, ``w`` and the bias.

    ``dW = cols^T @ dZ`` and ``dcols = dZ @ W^T`` are the tutorial's sums
    ``dW_c += a_slice * dZ[h, w]`` and ``dA[slice] += W_c * dZ[h, w]`` over
    every window at once, with the windows placed by the real stride.

    Returns
    -------
    dx : ``(m, H, W, C)``
    dw : ``(kh, kw, C/groups, C_out)``
    db : ``(C_out,)``
    """
    m, _, _, channels = x.shape
    kh, kw, c_group, c_out = w.shape
    device = array_api_compat.device(x)
    if is_pointwise(win, groups):
        x2, dz2, w2 = xp.reshape(x, (-1, channels)), xp.reshape(dz, (-1, c_out)), xp.reshape(w, (channels, c_out))
        dx = xp.reshape(tall_product(dz2, w2.T, prims), x.shape)  # the caller's to keep: no scratch buffer
        return dx, xp.reshape(x2.T @ dz2, w.shape), column_sums(dz2, xp, prims)
    x_pad = pad(x, win.full_padding, 0, xp)
    if groups > 1 and c_group == 1 and not prims.depthwise_by_columns:
        dx_pad, dw = prims.over_samples(
            lambda dz, x_pad: depthwise.backward(dz, x_pad, w, win, groups, xp, prims),
            (dz, x_pad), summed=(1,),  # dw: each share's total over its samples
        )
        db = column_sums(xp.reshape(dz, (-1, c_out)), xp, prims)
        return unpad(dx_pad, win.full_padding), dw, db
    one_product = groups > 1 or prims.one_product_input_gradient
    dw = dx_pad = None
    for out_index, in_index, sub, cols in _unfolded_chunks(x_pad, win, xp, prims):
        dz2 = xp.reshape(dz[out_index], (-1, c_out))
        if groups == 1:
            part = xp.reshape(cols.T @ dz2, w.shape)
            w_t = xp.reshape(w, (-1, c_out)).T
            dcols = tall_product(dz2, w_t, prims, scratch_use="column_gradients") if one_product else None
        elif c_group == 1:  # depthwise on unfolded columns
            cols4 = depthwise.columns(cols, win.n_offsets, groups, xp)
            dz4 = xp.reshape(dz2, (-1, 1, groups, c_out // groups))
            part = xp.reshape(column_sums(xp.reshape(cols4 * dz4, (dz2.shape[0], -1)), xp, prims), w.shape)
            dcols = dz4 * depthwise.weights(w, groups, xp)  # (rows, kh*kw, G, mult)
            dcols = xp.reshape(dcols if c_out == groups else xp.sum(dcols, axis=-1), (-1, kh * kw * channels))
        else:
            dz3 = xp.permute_dims(xp.reshape(dz2, (-1, groups, c_out // groups)), (1, 0, 2))
            dw3 = xp.matrix_transpose(_group_columns(cols, win.n_offsets, groups, xp)) @ dz3
            part = xp.reshape(xp.permute_dims(dw3, (1, 0, 2)), w.shape)
            dcols = dz3 @ xp.matrix_transpose(_group_weights(w, groups, xp))  # (G, rows, kh*kw*Cg)
            dcols = xp.reshape(dcols, (groups, -1, kh * kw, c_group))
            dcols = xp.reshape(xp.permute_dims(dcols, (1, 2, 0, 3)), (-1, kh * kw * channels))
        if dcols is not None and sub is win:
            dx_pad = fold(dcols, sub, m, channels, xp, prims)  # a single chunk: no copy into place
        elif dcols is not None:
            if dx_pad is None:
                dx_pad = xp.zeros(x_pad.shape, dtype=dz.dtype, device=device)
            if prims.fold_add is not None:
                prims.fold_add(dcols, sub, dx_pad[in_index])  # straight into place: no chunk-sized array to add
            else:
                n = out_index[0].stop - out_index[0].start
                dx_pad[in_index] += fold(dcols, sub, n, channels, xp, prims)
        dw = part if dw is None else dw + part
        del cols, dcols
    if not one_product:
        dx_pad = _input_gradient(xp.reshape(dz, (-1, c_out)), w, win, m, xp)
    db = column_sums(xp.reshape(dz, (-1, c_out)), xp, prims)
    return unpad(dx_pad, win.full_padding), dw, db
