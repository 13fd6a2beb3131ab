"""Convolution (cross-correlation) forward and backward on NHWC arrays.

Private core: arguments arrive checked and normalised (a :class:`Windows`).
The forward pass is one matrix product over gathered windows (im2col); the
backward pass is two matrix products and the adjoint gather (col2im). With
``groups > 1`` the products are batched over groups. The gathered windows are
built in blocks that fit the workspace limit (:mod:`xcnn.workspace`), so
memory stays bounded for large images.

NumPy with Numba has faster paths next to this code: depthwise convolution
and gathering in :mod:`xcnn._numba_kernels`, and, for one-group layers with
up to 128 x 128 channels, convolution without gathered windows in
:mod:`xcnn._direct_conv` (:func:`_direct` decides). Those leave the zero
padding out, which PyTorch does not where it meets inf or NaN: such weights,
and such output gradients, take the code here (:func:`_finite_weights`,
:func:`_finite_output_gradient`).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import array_api_compat

from . import _jit, _scratch, _windows
from ._reduce import column_sums
from ._threads import over_samples
from ._windows import Windows
from .backend import Array
from .workspace import get_workspace_limit


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


def _column_blocks(x_pad: Array, win: Windows, xp: ModuleType) -> Iterator[tuple[tuple[slice, ...], tuple[slice, ...], Windows, Array]]:
    """Yield ``(out_index, in_index, sub, cols)`` per block of the workspace budget.

    ``cols`` are the gathered windows of ``x_pad[in_index]`` for the outputs
    ``[out_index]``.
    """
    m, _, _, channels = x_pad.shape
    width = win.n_offsets * channels
    itemsize = xp.finfo(x_pad.dtype).bits // 8
    everything = (slice(None),) * 4
    for samples, out_rows, sub in _windows.blocks(win, m, width, itemsize, get_workspace_limit(xp)):
        if sub is win:
            yield everything, everything, win, _windows.im2col(x_pad, win, xp)
            return
        in_index = (samples, _windows.block_input_rows(win, out_rows), slice(None), slice(None))
        out_index = (samples, out_rows, slice(None), slice(None))
        yield out_index, in_index, sub, _windows.im2col(x_pad[in_index], sub, xp)


ROW_BLOCK = 2048
"""Rows per product in :func:`_tall_product` on NumPy."""


def _tall_product(
    a: Array, b: Array, xp: ModuleType, *, bias: Array | None = None, scratch_use: str | None = None
) -> Array:
    """``a @ b (+ bias)`` for a tall, thin `a` (gathered windows, upstream gradients).

    On NumPy the product goes in blocks of :data:`ROW_BLOCK` rows, each of
    which stays in the cache while BLAS works through it, and gets its bias
    there: 10% to 30% faster on a 2-core CPU for ``(50176..131072,
    144..576) @ (.., 32..64)`` (``(131072, 288) @ (288, 64)``: 39 against
    50 ms); a temporary result may go into a reused buffer (`scratch_use`,
    see :mod:`xcnn._scratch`). Other libraries get one product.
    """
    rows = a.shape[0]
    blocked = array_api_compat.is_numpy_namespace(xp) and rows > 2 * ROW_BLOCK
    if not blocked or a.dtype != b.dtype or (bias is not None and bias.dtype != a.dtype):
        return a @ b if bias is None else a @ b + bias
    shape = (rows, b.shape[1])
    out = xp.empty(shape, dtype=a.dtype) if scratch_use is None else _scratch.scratch(scratch_use, shape, a.dtype)
    for start in range(0, rows, ROW_BLOCK):
        block = slice(start, start + ROW_BLOCK)
        xp.matmul(a[block], b, out=out[block])
        if bias is not None:
            out[block] += bias  # while the block is in the cache
    return out


def _products(cols: Array, w: Array, b: Array | None, n_offsets: int, groups: int, xp: ModuleType) -> Array:
    """``cols @ W + b`` as ``(rows, C_out)``, batched over groups."""
    c_out = w.shape[3]
    if groups == 1:
        return _tall_product(cols, xp.reshape(w, (-1, c_out)), xp, bias=b)
    if w.shape[2] == 1:  # depthwise: a multiply and a sum over offsets, not G tiny products
        products = _depthwise_columns(cols, n_offsets, groups, xp) * _depthwise_weights(w, groups, xp)
        z = xp.reshape(xp.sum(products, axis=1), (-1, c_out))
    else:
        z = _group_columns(cols, n_offsets, groups, xp) @ _group_weights(w, groups, xp)
        z = xp.reshape(xp.permute_dims(z, (1, 0, 2)), (-1, c_out))
    return z if b is None else z + b


# --- depthwise: one input channel per group -------------------------------------------
#
# With C_in/groups = 1 the grouped products are G tiny (rows x kh*kw) @
# (kh*kw x multiplier) matrices: on NumPy over 100x slower than PyTorch. As
# elementwise multiply-adds over the kernel offsets the same sums run at
# memory speed, with no gathered columns at all. On CuPy, where each of those
# 4*kh*kw operations is a kernel launch costing more than its arithmetic, the
# gathered columns go through a few whole-array operations instead (H200,
# ``(32, 32, 32, 64)`` 3x3: 82 launches and 1.95 ms before).


def _depthwise_by_columns(xp: ModuleType) -> bool:
    """Whether depthwise convolution runs on gathered columns rather than per offset."""
    return array_api_compat.is_cupy_namespace(xp)


def _depthwise_columns(cols: Array, n_offsets: int, groups: int, xp: ModuleType) -> Array:
    """``(rows, kh*kw*G)`` gathered columns -> ``(rows, kh*kw, G, 1)``."""
    return xp.reshape(cols, (-1, n_offsets, groups, 1))


def _depthwise_weights(w: Array, groups: int, xp: ModuleType) -> Array:
    """``(kh, kw, 1, G*mult)`` -> ``(kh*kw, G, mult)``; output channel ``g*mult + j`` reads input ``g``."""
    kh, kw, _, c_out = w.shape
    return xp.reshape(w, (kh * kw, groups, c_out // groups))


def _depthwise_forward(x_pad: Array, w: Array, win: Windows, groups: int, xp: ModuleType) -> Array:
    """``Z[..., c*mult + j] = sum_k x_pad[offset k][..., c] * W[k, 0, c*mult + j]``."""
    kh, kw, _, c_out = w.shape
    mult = c_out // groups
    if array_api_compat.is_numpy_namespace(xp):
        # One einsum over the strided window view: one pass, no product arrays
        # (14 against 38 ms for (32, 32, 32, 64) 3x3, the same sums).
        import numpy as np

        view = _windows.window_view(x_pad, win, xp)
        if mult == 1:
            z = np.einsum("nhwijg,ijg->nhwg", view, np.reshape(w, (kh, kw, groups)))[..., None]
        else:
            z = np.einsum("nhwijg,ijgk->nhwgk", view, np.reshape(w, (kh, kw, groups, mult)))
    else:
        z = None
        for k, index in win.offsets():
            wk = xp.reshape(w[k // kw, k % kw, 0, :], (groups, mult))
            term = xp.expand_dims(x_pad[index], axis=-1) * wk
            z = term if z is None else z + term
    m, out_h, out_w = z.shape[:3]
    return xp.reshape(z, (m, out_h, out_w, c_out))


def _depthwise_backward(
    dz: Array, x_pad: Array, w: Array, win: Windows, groups: int, xp: ModuleType, device: Any
) -> tuple[Array, Array]:
    """``(dx_pad, dw)`` of :func:`_depthwise_forward`."""
    m, out_h, out_w, c_out = dz.shape
    dz5 = xp.reshape(dz, (m, out_h, out_w, groups, c_out // groups))
    dx_pad = _depthwise_input_gradient(dz5, w, win, x_pad.shape, xp, device)
    return dx_pad, _depthwise_weight_gradient(x_pad, dz5, win, w.shape, xp, device)


def _depthwise_input_gradient(
    dz5: Array, w: Array, win: Windows, padded_shape: tuple[int, ...], xp: ModuleType, device: Any
) -> Array:
    """``dx_pad[offset k][..., g] += sum_j dz5[..., g, j] * W[k, 0, g*mult + j]`` over the offsets ``k``."""
    kh, kw = w.shape[:2]
    groups, mult = dz5.shape[3:]
    if array_api_compat.is_numpy_namespace(xp) and win.stride == (1, 1) and mult == 1 and _finite_weights(w, xp):
        # With stride 1 this is a depthwise correlation of dz, padded by the
        # kernel's span, with the flipped kernel: one einsum over its window
        # view instead of kh*kw products and strided additions (14 against
        # 23 ms for (32, 32, 32, 64) 3x3). Its padding times an inf or NaN
        # weight would be NaN where PyTorch adds no term: such weights take
        # the products.
        import numpy as np

        (dh, dw), (span_h, span_w) = win.dilation, ((kh - 1) * win.dilation[0], (kw - 1) * win.dilation[1])
        margins = ((span_h, span_h), (span_w, span_w))
        dz_pad = _windows.pad(dz5[..., 0], margins, 0, xp)
        flipped = Windows(in_size=dz5.shape[1:3], kernel=(kh, kw), stride=(1, 1), dilation=(dh, dw), padding=margins)
        view = _windows.window_view(dz_pad, flipped, xp)
        return np.einsum("nhwijg,ijg->nhwg", view, w[::-1, ::-1, 0, :])
    dx_pad = xp.zeros(padded_shape, dtype=dz5.dtype, device=device)
    for k, index in win.offsets():
        wk = xp.reshape(w[k // kw, k % kw, 0, :], (groups, mult))
        dx_pad[index] += dz5[..., 0] * wk[:, 0] if mult == 1 else xp.sum(dz5 * wk, axis=-1)
    return dx_pad


def _depthwise_weight_gradient(
    x_pad: Array, dz5: Array, win: Windows, w_shape: tuple[int, ...], xp: ModuleType, device: Any
) -> Array:
    """``dW[i, j, 0, g*mult + k] = sum over (n, h, w) of x_pad[offset (i, j)][n, h, w, g] * dz5[n, h, w, g, k]``."""
    c_out = w_shape[3]
    if array_api_compat.is_numpy_namespace(xp):
        # einsum sums products in one pass with no product arrays. For one
        # output channel per group, one call over the strided window view
        # (6.3 ms for (32, 32, 32, 64) 3x3, against 13 for one call per
        # offset and 40 for products and column sums); with several, one call
        # per offset (the view's five-index form is slower there).
        import numpy as np

        if dz5.shape[4] == 1:
            view = _windows.window_view(x_pad, win, xp)
            return xp.reshape(np.einsum("nhwijg,nhwg->ijg", view, dz5[..., 0]), w_shape)
        rows = [np.einsum("nhwg,nhwgk->gk", x_pad[index], dz5) for _, index in win.offsets()]
        return xp.reshape(xp.stack(rows), w_shape)
    rows = []
    for _, index in win.offsets():
        product = xp.expand_dims(x_pad[index], axis=-1) * dz5
        rows.append(column_sums(xp.reshape(product, (-1, c_out)), xp, device))
    return xp.reshape(xp.stack(rows), w_shape)


def forward(x: Array, w: Array, b: Array | None, win: Windows, groups: int, xp: ModuleType, device: Any) -> Array:
    """``Z[n, h, w, c] = sum_{i, j, c'} x_pad[n, h*sh + i*dh, w*sw + j*dw, c'] * W[i, j, c', c] + b[c]``.

    (``c'`` runs over the input channels of ``c``'s group.) Shapes:
    ``x (m, H, W, C)``, ``w (kh, kw, C/groups, C_out)``, ``b (C_out,)``;
    returns ``(m, out_h, out_w, C_out)``.
    """
    m = x.shape[0]
    c_out = w.shape[3]
    out_h, out_w = win.out_size
    if _direct(xp, win, groups, x, w, *([] if b is None else [b])):
        from . import _direct_conv  # no gathered windows; padded a sample at a time

        return _direct_conv.forward(x, w, b, win)
    if _is_pointwise(win, groups):
        z = _tall_product(xp.reshape(x, (-1, x.shape[3])), xp.reshape(w, (-1, c_out)), xp, bias=b)
        return xp.reshape(z, (m, out_h, out_w, c_out))
    bias = [] if b is None else [b]
    if groups > 1 and w.shape[2] == 1 and _compiled_depthwise(xp, w, x, *bias, channels=x.shape[3]):
        if _direct_depthwise(win, groups, c_out):
            from . import _direct_conv  # sums over the taps in registers

            return _direct_conv.depthwise_forward(x, w, b, win)
        from . import _numba_kernels  # padding and bias inside: one pass

        return _numba_kernels.depthwise_forward(x, w, b, win)
    x_pad = _windows.pad(x, win.full_padding, 0, xp)
    if groups > 1 and w.shape[2] == 1 and not _depthwise_by_columns(xp):
        z = over_samples(lambda x_pad: _depthwise_forward(x_pad, w, win, groups, xp), (x_pad,), xp)
        return z if b is None else z + b
    z = None
    for out_index, _, sub, cols in _column_blocks(x_pad, win, xp):
        rows, cols_out = sub.out_size
        # the bias per block: added to the whole output it would cost one more pass
        block = xp.reshape(_products(cols, w, b, win.n_offsets, groups, xp), (-1, rows, cols_out, c_out))
        if sub is win:
            z = block  # a single block: no copy into place
            break
        if z is None:
            z = xp.empty((m, out_h, out_w, c_out), dtype=block.dtype, device=device)
        z[out_index] = block
    return z


def _is_pointwise(win: Windows, groups: int) -> bool:
    """A 1x1 window at stride 1 with no padding: the gathered windows are the input itself.

    Then the layer is one product per pass with no copy of the input into
    columns and none of their gradient back (2-core CPU, ``(32, 32, 32, 64)
    -> 128``: the copies were a third of the time).
    """
    return groups == 1 and win.kernel == (1, 1) and win.stride == (1, 1) and win.full_padding == ((0, 0), (0, 0))


def _direct(xp: ModuleType, win: Windows, groups: int, *arrays: Array) -> bool:
    """Whether the layer runs through NumPy's register-blocked loops (:mod:`xcnn._direct_conv`).

    `arrays` are the pass's arrays, the input first and the weights second.
    """
    x, w = arrays[0], arrays[1]
    # The output channels fill the register blocks; a first layer may have fewer input channels.
    if groups > 1 or not _jit.enabled(xp, *arrays, channels=w.shape[3]):
        return False
    from . import _direct_conv

    usable = _direct_conv.usable(win, w.shape[2], w.shape[3], x.dtype.itemsize, get_workspace_limit(xp))
    return usable and _finite_weights(w, xp)


def _finite_weights(w: Array, xp: ModuleType) -> bool:
    """Whether the weights hold no inf or NaN; else NumPy takes the array-API code, not its compiled loops.

    PyTorch multiplies the padding's zeros by the weights in the forward
    pass (``0 * NaN`` and ``0 * inf`` are NaN) but adds only real terms into
    the input gradient, and so does the array-API code. The compiled loops
    skip the padding in the forward pass, and the direct input gradient
    (:mod:`xcnn._direct_conv`) and the depthwise einsum below correlate a
    zero-padded output gradient with the weights: the same for finite
    weights, another NaN pattern for the others. Asked only where NumPy's
    fast paths would run (a host array): one pass over the weights, 15 us
    for ``(3, 3, 128, 128)`` float32.
    """
    return bool(xp.all(xp.isfinite(w)))


def _finite_output_gradient(db: Array, xp: ModuleType) -> bool:
    """Whether the output gradient held no inf or NaN, read from its column sums `db` (the bias gradient).

    An inf or NaN in a column leaves its sum inf or NaN, and `db` has one
    number per channel: a check that costs nothing. PyTorch's weight
    gradient multiplies the padding's zeros by the output gradient
    (``0 * inf`` is NaN); NumPy's compiled loops leave the padding out. So
    where the output gradient is not finite, the array-API code computes
    the gradients again, as PyTorch does (a column of finite numbers whose
    sum overflows only costs that recomputation).
    """
    return bool(xp.all(xp.isfinite(db)))


def _compiled_depthwise(xp: ModuleType, w: Array, *others: Array, channels: int) -> bool:
    """Whether a depthwise layer runs through NumPy's compiled loops: :mod:`xcnn._jit`'s conditions on
    the weights and the pass's `others` arrays, and weights without inf or NaN (:func:`_finite_weights`)."""
    return _jit.enabled(xp, w, *others, channels=channels) and _finite_weights(w, xp)


def _direct_depthwise(win: Windows, groups: int, c_out: int) -> bool:
    """Whether a depthwise layer that NumPy's compiled kernels take runs through :mod:`xcnn._direct_conv`'s."""
    from . import _direct_conv

    return _direct_conv.depthwise_usable(win, groups, c_out)


def _input_gradient(dz2: Array, w: Array, win: Windows, m: int, xp: ModuleType, device: Any) -> Array:
    """Gradient with respect to the padded input, for ``groups = 1``.

    One small product ``dZ @ W[i, j]^T`` per kernel offset, added straight
    into place: no ``(M, kh*kw*C)`` gradient-of-columns array, and about 2x
    faster on NumPy than one big product followed by :func:`col2im`.
    """
    kw, channels = w.shape[1], w.shape[2]
    out_h, out_w = win.out_size
    dx_pad = xp.zeros((m, *win.padded_size, channels), dtype=dz2.dtype, device=device)
    for k, index in win.offsets():
        piece = xp.reshape(dz2 @ w[k // kw, k % kw, :, :].T, (m, out_h, out_w, channels))
        dx_pad[index] += piece
    return dx_pad


def _one_product_input_gradient(xp: ModuleType, dz: Array, channels: int) -> bool:
    """Whether ``groups = 1`` takes the input gradient as one product and :func:`col2im`.

    On CuPy the single ``dZ @ W^T`` plus kh*kw additions beats kh*kw small
    products plus kh*kw additions (H200: 0.39 against 0.70 ms for a
    ``(16, 56, 56, 64) -> 64`` 3x3 layer, and 9 fewer kernel launches). So
    does NumPy's compiled col2im (:mod:`xcnn._jit`; 2-core CPU, 3x3: 63
    against 107 ms at ``(32, 64, 64, 32) -> 64``, 18 against 24 at
    ``(64, 32, 32, 16) -> 32``). Without it, NumPy's per-offset products
    are about 2x faster than its kh*kw strided additions
    (:func:`_input_gradient`).
    """
    return array_api_compat.is_cupy_namespace(xp) or _jit.enabled(xp, dz, channels=channels)


def backward(
    dz: Array, x: Array, w: Array, win: Windows, groups: int, xp: ModuleType, device: Any
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
    if _direct(xp, win, groups, x, w, dz):
        from . import _direct_conv  # no gathered windows, no col2im; padded a sample at a time

        grads = _direct_conv.backward(dz, x, w, win)
        if _finite_output_gradient(grads[2], xp):
            return grads
    if _is_pointwise(win, groups):
        x2, dz2, w2 = xp.reshape(x, (-1, channels)), xp.reshape(dz, (-1, c_out)), xp.reshape(w, (channels, c_out))
        dx = xp.reshape(_tall_product(dz2, w2.T, xp), x.shape)  # the caller's to keep: no scratch buffer
        return dx, xp.reshape(x2.T @ dz2, w.shape), column_sums(dz2, xp, device)
    if groups > 1 and c_group == 1 and _compiled_depthwise(xp, w, dz, x, channels=channels):
        if _direct_depthwise(win, groups, c_out):
            from . import _direct_conv  # sums over the taps in registers, no padded copies

            grads = _direct_conv.depthwise_backward(dz, x, w, win)
        else:
            from . import _numba_kernels  # both gradients in one pass, no padded copies

            grads = _numba_kernels.depthwise_backward(dz, x, w, win)  # the bias gradient too
        if _finite_output_gradient(grads[2], xp):
            return grads
    x_pad = _windows.pad(x, win.full_padding, 0, xp)
    if groups > 1 and c_group == 1 and not _depthwise_by_columns(xp):
        dx_pad, dw = over_samples(
            lambda dz, x_pad: _depthwise_backward(dz, x_pad, w, win, groups, xp, device),
            (dz, x_pad), xp, summed=(1,),  # dw: each block's total over its samples
        )
        db = column_sums(xp.reshape(dz, (-1, c_out)), xp, device)
        return _windows.unpad(dx_pad, win.full_padding), dw, db
    one_product = groups > 1 or _one_product_input_gradient(xp, dz, channels)
    dw = dx_pad = None
    for out_index, in_index, sub, cols in _column_blocks(x_pad, win, xp):
        dz2 = xp.reshape(dz[out_index], (-1, c_out))
        if groups == 1:
            part = xp.reshape(cols.T @ dz2, w.shape)
            w_t = xp.reshape(w, (-1, c_out)).T
            dcols = _tall_product(dz2, w_t, xp, scratch_use="column_gradients") if one_product else None
        elif c_group == 1:  # depthwise on gathered columns
            cols4 = _depthwise_columns(cols, win.n_offsets, groups, xp)
            dz4 = xp.reshape(dz2, (-1, 1, groups, c_out // groups))
            part = xp.reshape(column_sums(xp.reshape(cols4 * dz4, (dz2.shape[0], -1)), xp, device), w.shape)
            dcols = dz4 * _depthwise_weights(w, groups, xp)  # (rows, kh*kw, G, mult)
            dcols = xp.reshape(dcols if c_out == groups else xp.sum(dcols, axis=-1), (-1, kh * kw * channels))
        else:
            dz3 = xp.permute_dims(xp.reshape(dz2, (-1, groups, c_out // groups)), (1, 0, 2))
            dw3 = xp.matrix_transpose(_group_columns(cols, win.n_offsets, groups, xp)) @ dz3
            part = xp.reshape(xp.permute_dims(dw3, (1, 0, 2)), w.shape)
            dcols = dz3 @ xp.matrix_transpose(_group_weights(w, groups, xp))  # (G, rows, kh*kw*Cg)
            dcols = xp.reshape(dcols, (groups, -1, kh * kw, c_group))
            dcols = xp.reshape(xp.permute_dims(dcols, (1, 2, 0, 3)), (-1, kh * kw * channels))
        if dcols is not None and sub is win:
            dx_pad = _windows.col2im(dcols, sub, m, channels, xp, device)  # a single block: no copy into place
        elif dcols is not None:
            if dx_pad is None:
                dx_pad = xp.zeros(x_pad.shape, dtype=dz.dtype, device=device)
            if _jit.enabled(xp, dcols, dx_pad, channels=channels):
                from . import _numba_kernels  # straight into place: no block-sized array to add

                _numba_kernels.col2im_add(dcols, sub, dx_pad[in_index])
            else:
                n = out_index[0].stop - out_index[0].start
                dx_pad[in_index] += _windows.col2im(dcols, sub, n, channels, xp, device)
        dw = part if dw is None else dw + part
        del cols, dcols
    if not one_product:
        dx_pad = _input_gradient(xp.reshape(dz, (-1, c_out)), w, win, m, xp, device)
    db = column_sums(xp.reshape(dz, (-1, c_out)), xp, device)
    return _windows.unpad(dx_pad, win.full_padding), dw, db
