"""Pooling loops, unrolled into register blocks of channels (generated; do not edit).

Written by ``python -m xcnn._backends.numpy.numba.generate_pool_kernels``; :mod:`.pool`
compiles and calls them. Plain Python functions: they run (slowly) without Numba too. Arrays
are C-contiguous and read through flat views, with unsigned indices (``U``, see
:mod:`.direct_conv_writers` for why) where the loops index them themselves, and through the
functions of :mod:`.register_blocks` in the max-pool gradient.
"""

import numpy as np

from .register_blocks import (
    block_max_start,
    block_max_step,
    block_route,
    block_route_add,
    block_route_streamed,
    store_fence,
)

U = np.uint64


def max_pool_backward_32(dy, x, dx, dy_k, dx_k, sh, sw, fresh_row, fresh_col, offsets, starts, streamed):
    """Send ``dy (m, out_h, out_w, C)`` to the maximum of each window of ``x``, into ``dx`` (shaped as ``x``).

    Window ``(oh, ow)``'s offset ``k`` is ``x[n, oh*sh + dy_k[k], ow*sw + dx_k[k]]``; ``offsets``
    numbers them. PyTorch's rule: from offset ``starts[oh, ow]``, the window's first cell inside
    the input, each later offset that is greater or NaN takes over, so ties keep the first
    maximum, the last NaN wins, and a window of -inf sends its gradient to that first cell, not
    to the padding. Offsets are compared as ``x``'s dtype (exact below 2**24). Where
    ``fresh_row >= 0`` the windows cover ``dx`` without gaps and an offset that no earlier
    window reached (see :func:`.columns.gradient_array`) is stored, not added; otherwise ``dx``
    is zeroed first. Where ``streamed``, the stored blocks bypass the caches (non-temporal stores;
    ``dx`` starts at a multiple of 64 bytes), with a fence after the last.
    ``C`` is a multiple of 32.
    """
    m, out_h, out_w, c = dy.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    covering = fresh_row >= 0
    if not covering:
        dx[:] = 0
    xf, dyf, dxf = x.reshape(-1), dy.reshape(-1), dx.reshape(-1)
    # Once per call, not per window: each offset's distance from its window's corner, in
    # elements, and whether it is stored or added in a window of the first row and column (0),
    # the first row (1), the first column (2) or neither (3).
    taps = (dy_k * width + dx_k) * c
    stored = np.zeros((4, n_taps), dtype=np.bool_)
    for k in range(n_taps):
        for kind in range(4):
            later_row, later_col = kind >= 2, kind % 2 == 1
            stored[kind, k] = covering and (not later_row or dy_k[k] >= fresh_row) and (
                not later_col or dx_k[k] >= fresh_col
            )
    for n in range(m):
        for oh in range(out_h):
            row_corner = (n * height + oh * sh) * width
            for ow in range(out_w):
                corner = (row_corner + ow * sw) * c
                d_at = ((n * out_h + oh) * out_w + ow) * c
                start = starts[oh, ow]  # offset 0 may be padding (-inf): never greater, so this stays
                kind = 2 * (oh > 0) + (ow > 0)
                for jb in range(0, c, 32):
                    at = corner + jb
                    state = block_max_start(xf, at + taps[0], start, 32)
                    for k in range(1, n_taps):
                        state = block_max_step(state, xf, at + taps[k], offsets[k])
                    for k in range(n_taps):
                        if stored[kind, k]:
                            if streamed:
                                block_route_streamed(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])
                            else:
                                block_route(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])
                        else:
                            block_route_add(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])
    if streamed:
        store_fence()  # before the thread that waits for this share reads dx
    return dx


def max_pool_backward_16(dy, x, dx, dy_k, dx_k, sh, sw, fresh_row, fresh_col, offsets, starts, streamed):
    """Send ``dy (m, out_h, out_w, C)`` to the maximum of each window of ``x``, into ``dx`` (shaped as ``x``).

    Window ``(oh, ow)``'s offset ``k`` is ``x[n, oh*sh + dy_k[k], ow*sw + dx_k[k]]``; ``offsets``
    numbers them. PyTorch's rule: from offset ``starts[oh, ow]``, the window's first cell inside
    the input, each later offset that is greater or NaN takes over, so ties keep the first
    maximum, the last NaN wins, and a window of -inf sends its gradient to that first cell, not
    to the padding. Offsets are compared as ``x``'s dtype (exact below 2**24). Where
    ``fresh_row >= 0`` the windows cover ``dx`` without gaps and an offset that no earlier
    window reached (see :func:`.columns.gradient_array`) is stored, not added; otherwise ``dx``
    is zeroed first. Where ``streamed``, the stored blocks bypass the caches (non-temporal stores;
    ``dx`` starts at a multiple of 64 bytes), with a fence after the last.
    ``C`` is a multiple of 16.
    """
    m, out_h, out_w, c = dy.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    covering = fresh_row >= 0
    if not covering:
        dx[:] = 0
    xf, dyf, dxf = x.reshape(-1), dy.reshape(-1), dx.reshape(-1)
    # Once per call, not per window: each offset's distance from its window's corner, in
    # elements, and whether it is stored or added in a window of the first row and column (0),
    # the first row (1), the first column (2) or neither (3).
    taps = (dy_k * width + dx_k) * c
    stored = np.zeros((4, n_taps), dtype=np.bool_)
    for k in range(n_taps):
        for kind in range(4):
            later_row, later_col = kind >= 2, kind % 2 == 1
            stored[kind, k] = covering and (not later_row or dy_k[k] >= fresh_row) and (
                not later_col or dx_k[k] >= fresh_col
            )
    for n in range(m):
        for oh in range(out_h):
            row_corner = (n * height + oh * sh) * width
            for ow in range(out_w):
                corner = (row_corner + ow * sw) * c
                d_at = ((n * out_h + oh) * out_w + ow) * c
                start = starts[oh, ow]  # offset 0 may be padding (-inf): never greater, so this stays
                kind = 2 * (oh > 0) + (ow > 0)
                for jb in range(0, c, 16):
                    at = corner + jb
                    state = block_max_start(xf, at + taps[0], start, 16)
                    for k in range(1, n_taps):
                        state = block_max_step(state, xf, at + taps[k], offsets[k])
                    for k in range(n_taps):
                        if stored[kind, k]:
                            if streamed:
                                block_route_streamed(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])
                            else:
                                block_route(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])
                        else:
                            block_route_add(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])
    if streamed:
        store_fence()  # before the thread that waits for this share reads dx
    return dx


def max_pool_backward_8(dy, x, dx, dy_k, dx_k, sh, sw, fresh_row, fresh_col, offsets, starts, streamed):
    """Send ``dy (m, out_h, out_w, C)`` to the maximum of each window of ``x``, into ``dx`` (shaped as ``x``).

    Window ``(oh, ow)``'s offset ``k`` is ``x[n, oh*sh + dy_k[k], ow*sw + dx_k[k]]``; ``offsets``
    numbers them. PyTorch's rule: from offset ``starts[oh, ow]``, the window's first cell inside
    the input, each later offset that is greater or NaN takes over, so ties keep the first
    maximum, the last NaN wins, and a window of -inf sends its gradient to that first cell, not
    to the padding. Offsets are compared as ``x``'s dtype (exact below 2**24). Where
    ``fresh_row >= 0`` the windows cover ``dx`` without gaps and an offset that no earlier
    window reached (see :func:`.columns.gradient_array`) is stored, not added; otherwise ``dx``
    is zeroed first. Where ``streamed``, the stored blocks bypass the caches (non-temporal stores;
    ``dx`` starts at a multiple of 64 bytes), with a fence after the last.
    ``C`` is a multiple of 8.
    """
    m, out_h, out_w, c = dy.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    covering = fresh_row >= 0
    if not covering:
        dx[:] = 0
    xf, dyf, dxf = x.reshape(-1), dy.reshape(-1), dx.reshape(-1)
    # Once per call, not per window: each offset's distance from its window's corner, in
    # elements, and whether it is stored or added in a window of the first row and column (0),
    # the first row (1), the first column (2) or neither (3).
    taps = (dy_k * width + dx_k) * c
    stored = np.zeros((4, n_taps), dtype=np.bool_)
    for k in range(n_taps):
        for kind in range(4):
            later_row, later_col = kind >= 2, kind % 2 == 1
            stored[kind, k] = covering and (not later_row or dy_k[k] >= fresh_row) and (
                not later_col or dx_k[k] >= fresh_col
            )
    for n in range(m):
        for oh in range(out_h):
            row_corner = (n * height + oh * sh) * width
            for ow in range(out_w):
                corner = (row_corner + ow * sw) * c
                d_at = ((n * out_h + oh) * out_w + ow) * c
                start = starts[oh, ow]  # offset 0 may be padding (-inf): never greater, so this stays
                kind = 2 * (oh > 0) + (ow > 0)
                for jb in range(0, c, 8):
                    at = corner + jb
                    state = block_max_start(xf, at + taps[0], start, 8)
                    for k in range(1, n_taps):
                        state = block_max_step(state, xf, at + taps[k], offsets[k])
                    for k in range(n_taps):
                        if stored[kind, k]:
                            if streamed:
                                block_route_streamed(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])
                            else:
                                block_route(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])
                        else:
                            block_route_add(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])
    if streamed:
        store_fence()  # before the thread that waits for this share reads dx
    return dx


def window_max_16(x, out, dy_k, dx_k, sh, sw):
    """Maximum of each window of ``x`` into ``out (m, out_h, out_w, C)``; a NaN propagates (as in
    ``numpy.maximum``). Window ``(oh, ow)``'s offset ``k`` is ``x[n, oh*sh + dy_k[k], ow*sw + dx_k[k]]``;
    ``C`` is a multiple of 16.
    """
    m, out_h, out_w, c = out.shape
    height, width = x.shape[1], x.shape[2]
    xf, zf = x.reshape(-1), out.reshape(-1)
    # each offset's distance from its window's first cell, in elements: a load and an add per
    # offset in the loops, not the multiplies that place it
    taps = ((dy_k * width + dx_k) * c).astype(U)
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                corner = U(((n * height + oh * sh) * width + ow * sw) * c)
                z_corner = U(((n * out_h + oh) * out_w + ow) * c)
                for jb_ in range(0, c, 16):
                    jb = U(jb_)
                    x_at = corner + taps[0] + jb
                    b0 = xf[x_at + U(0)]
                    b1 = xf[x_at + U(1)]
                    b2 = xf[x_at + U(2)]
                    b3 = xf[x_at + U(3)]
                    b4 = xf[x_at + U(4)]
                    b5 = xf[x_at + U(5)]
                    b6 = xf[x_at + U(6)]
                    b7 = xf[x_at + U(7)]
                    b8 = xf[x_at + U(8)]
                    b9 = xf[x_at + U(9)]
                    b10 = xf[x_at + U(10)]
                    b11 = xf[x_at + U(11)]
                    b12 = xf[x_at + U(12)]
                    b13 = xf[x_at + U(13)]
                    b14 = xf[x_at + U(14)]
                    b15 = xf[x_at + U(15)]
                    for k in range(1, taps.shape[0]):
                        x_at = corner + taps[k] + jb
                        v0 = xf[x_at + U(0)]
                        v1 = xf[x_at + U(1)]
                        v2 = xf[x_at + U(2)]
                        v3 = xf[x_at + U(3)]
                        v4 = xf[x_at + U(4)]
                        v5 = xf[x_at + U(5)]
                        v6 = xf[x_at + U(6)]
                        v7 = xf[x_at + U(7)]
                        v8 = xf[x_at + U(8)]
                        v9 = xf[x_at + U(9)]
                        v10 = xf[x_at + U(10)]
                        v11 = xf[x_at + U(11)]
                        v12 = xf[x_at + U(12)]
                        v13 = xf[x_at + U(13)]
                        v14 = xf[x_at + U(14)]
                        v15 = xf[x_at + U(15)]
                        b0 = v0 if (v0 > b0) | (v0 != v0) else b0
                        b1 = v1 if (v1 > b1) | (v1 != v1) else b1
                        b2 = v2 if (v2 > b2) | (v2 != v2) else b2
                        b3 = v3 if (v3 > b3) | (v3 != v3) else b3
                        b4 = v4 if (v4 > b4) | (v4 != v4) else b4
                        b5 = v5 if (v5 > b5) | (v5 != v5) else b5
                        b6 = v6 if (v6 > b6) | (v6 != v6) else b6
                        b7 = v7 if (v7 > b7) | (v7 != v7) else b7
                        b8 = v8 if (v8 > b8) | (v8 != v8) else b8
                        b9 = v9 if (v9 > b9) | (v9 != v9) else b9
                        b10 = v10 if (v10 > b10) | (v10 != v10) else b10
                        b11 = v11 if (v11 > b11) | (v11 != v11) else b11
                        b12 = v12 if (v12 > b12) | (v12 != v12) else b12
                        b13 = v13 if (v13 > b13) | (v13 != v13) else b13
                        b14 = v14 if (v14 > b14) | (v14 != v14) else b14
                        b15 = v15 if (v15 > b15) | (v15 != v15) else b15
                    z_at = z_corner + jb
                    zf[z_at + U(0)] = b0
                    zf[z_at + U(1)] = b1
                    zf[z_at + U(2)] = b2
                    zf[z_at + U(3)] = b3
                    zf[z_at + U(4)] = b4
                    zf[z_at + U(5)] = b5
                    zf[z_at + U(6)] = b6
                    zf[z_at + U(7)] = b7
                    zf[z_at + U(8)] = b8
                    zf[z_at + U(9)] = b9
                    zf[z_at + U(10)] = b10
                    zf[z_at + U(11)] = b11
                    zf[z_at + U(12)] = b12
                    zf[z_at + U(13)] = b13
                    zf[z_at + U(14)] = b14
                    zf[z_at + U(15)] = b15
    return out


def window_max_8(x, out, dy_k, dx_k, sh, sw):
    """Maximum of each window of ``x`` into ``out (m, out_h, out_w, C)``; a NaN propagates (as in
    ``numpy.maximum``). Window ``(oh, ow)``'s offset ``k`` is ``x[n, oh*sh + dy_k[k], ow*sw + dx_k[k]]``;
    ``C`` is a multiple of 8.
    """
    m, out_h, out_w, c = out.shape
    height, width = x.shape[1], x.shape[2]
    xf, zf = x.reshape(-1), out.reshape(-1)
    # each offset's distance from its window's first cell, in elements: a load and an add per
    # offset in the loops, not the multiplies that place it
    taps = ((dy_k * width + dx_k) * c).astype(U)
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                corner = U(((n * height + oh * sh) * width + ow * sw) * c)
                z_corner = U(((n * out_h + oh) * out_w + ow) * c)
                for jb_ in range(0, c, 8):
                    jb = U(jb_)
                    x_at = corner + taps[0] + jb
                    b0 = xf[x_at + U(0)]
                    b1 = xf[x_at + U(1)]
                    b2 = xf[x_at + U(2)]
                    b3 = xf[x_at + U(3)]
                    b4 = xf[x_at + U(4)]
                    b5 = xf[x_at + U(5)]
                    b6 = xf[x_at + U(6)]
                    b7 = xf[x_at + U(7)]
                    for k in range(1, taps.shape[0]):
                        x_at = corner + taps[k] + jb
                        v0 = xf[x_at + U(0)]
                        v1 = xf[x_at + U(1)]
                        v2 = xf[x_at + U(2)]
                        v3 = xf[x_at + U(3)]
                        v4 = xf[x_at + U(4)]
                        v5 = xf[x_at + U(5)]
                        v6 = xf[x_at + U(6)]
                        v7 = xf[x_at + U(7)]
                        b0 = v0 if (v0 > b0) | (v0 != v0) else b0
                        b1 = v1 if (v1 > b1) | (v1 != v1) else b1
                        b2 = v2 if (v2 > b2) | (v2 != v2) else b2
                        b3 = v3 if (v3 > b3) | (v3 != v3) else b3
                        b4 = v4 if (v4 > b4) | (v4 != v4) else b4
                        b5 = v5 if (v5 > b5) | (v5 != v5) else b5
                        b6 = v6 if (v6 > b6) | (v6 != v6) else b6
                        b7 = v7 if (v7 > b7) | (v7 != v7) else b7
                    z_at = z_corner + jb
                    zf[z_at + U(0)] = b0
                    zf[z_at + U(1)] = b1
                    zf[z_at + U(2)] = b2
                    zf[z_at + U(3)] = b3
                    zf[z_at + U(4)] = b4
                    zf[z_at + U(5)] = b5
                    zf[z_at + U(6)] = b6
                    zf[z_at + U(7)] = b7
    return out


def window_mean_16(x, out, dy_k, dx_k, sh, sw, divisor):
    """Sum of each window of ``x``, offset after offset, divided by ``divisor[oh, ow]``, into ``out``
    (divided, as the array-API code does, not multiplied by the reciprocal). Offsets as in
    :func:`window_max_16`; ``C`` is a multiple of 16.
    """
    m, out_h, out_w, c = out.shape
    height, width = x.shape[1], x.shape[2]
    xf, zf = x.reshape(-1), out.reshape(-1)
    # each offset's distance from its window's first cell, in elements: a load and an add per
    # offset in the loops, not the multiplies that place it
    taps = ((dy_k * width + dx_k) * c).astype(U)
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                corner = U(((n * height + oh * sh) * width + ow * sw) * c)
                z_corner = U(((n * out_h + oh) * out_w + ow) * c)
                for jb_ in range(0, c, 16):
                    jb = U(jb_)
                    x_at = corner + taps[0] + jb
                    a0 = xf[x_at + U(0)]
                    a1 = xf[x_at + U(1)]
                    a2 = xf[x_at + U(2)]
                    a3 = xf[x_at + U(3)]
                    a4 = xf[x_at + U(4)]
                    a5 = xf[x_at + U(5)]
                    a6 = xf[x_at + U(6)]
                    a7 = xf[x_at + U(7)]
                    a8 = xf[x_at + U(8)]
                    a9 = xf[x_at + U(9)]
                    a10 = xf[x_at + U(10)]
                    a11 = xf[x_at + U(11)]
                    a12 = xf[x_at + U(12)]
                    a13 = xf[x_at + U(13)]
                    a14 = xf[x_at + U(14)]
                    a15 = xf[x_at + U(15)]
                    for k in range(1, taps.shape[0]):
                        x_at = corner + taps[k] + jb
                        a0 += xf[x_at + U(0)]
                        a1 += xf[x_at + U(1)]
                        a2 += xf[x_at + U(2)]
                        a3 += xf[x_at + U(3)]
                        a4 += xf[x_at + U(4)]
                        a5 += xf[x_at + U(5)]
                        a6 += xf[x_at + U(6)]
                        a7 += xf[x_at + U(7)]
                        a8 += xf[x_at + U(8)]
                        a9 += xf[x_at + U(9)]
                        a10 += xf[x_at + U(10)]
                        a11 += xf[x_at + U(11)]
                        a12 += xf[x_at + U(12)]
                        a13 += xf[x_at + U(13)]
                        a14 += xf[x_at + U(14)]
                        a15 += xf[x_at + U(15)]
                    z_at = z_corner + jb
                    d = divisor[oh, ow]
                    zf[z_at + U(0)] = a0 / d
                    zf[z_at + U(1)] = a1 / d
                    zf[z_at + U(2)] = a2 / d
                    zf[z_at + U(3)] = a3 / d
                    zf[z_at + U(4)] = a4 / d
                    zf[z_at + U(5)] = a5 / d
                    zf[z_at + U(6)] = a6 / d
                    zf[z_at + U(7)] = a7 / d
                    zf[z_at + U(8)] = a8 / d
                    zf[z_at + U(9)] = a9 / d
                    zf[z_at + U(10)] = a10 / d
                    zf[z_at + U(11)] = a11 / d
                    zf[z_at + U(12)] = a12 / d
                    zf[z_at + U(13)] = a13 / d
                    zf[z_at + U(14)] = a14 / d
                    zf[z_at + U(15)] = a15 / d
    return out


def window_mean_8(x, out, dy_k, dx_k, sh, sw, divisor):
    """Sum of each window of ``x``, offset after offset, divided by ``divisor[oh, ow]``, into ``out``
    (divided, as the array-API code does, not multiplied by the reciprocal). Offsets as in
    :func:`window_max_8`; ``C`` is a multiple of 8.
    """
    m, out_h, out_w, c = out.shape
    height, width = x.shape[1], x.shape[2]
    xf, zf = x.reshape(-1), out.reshape(-1)
    # each offset's distance from its window's first cell, in elements: a load and an add per
    # offset in the loops, not the multiplies that place it
    taps = ((dy_k * width + dx_k) * c).astype(U)
    for n in range(m):
        for oh in range(out_h):
            for ow in range(out_w):
                corner = U(((n * height + oh * sh) * width + ow * sw) * c)
                z_corner = U(((n * out_h + oh) * out_w + ow) * c)
                for jb_ in range(0, c, 8):
                    jb = U(jb_)
                    x_at = corner + taps[0] + jb
                    a0 = xf[x_at + U(0)]
                    a1 = xf[x_at + U(1)]
                    a2 = xf[x_at + U(2)]
                    a3 = xf[x_at + U(3)]
                    a4 = xf[x_at + U(4)]
                    a5 = xf[x_at + U(5)]
                    a6 = xf[x_at + U(6)]
                    a7 = xf[x_at + U(7)]
                    for k in range(1, taps.shape[0]):
                        x_at = corner + taps[k] + jb
                        a0 += xf[x_at + U(0)]
                        a1 += xf[x_at + U(1)]
                        a2 += xf[x_at + U(2)]
                        a3 += xf[x_at + U(3)]
                        a4 += xf[x_at + U(4)]
                        a5 += xf[x_at + U(5)]
                        a6 += xf[x_at + U(6)]
                        a7 += xf[x_at + U(7)]
                    z_at = z_corner + jb
                    d = divisor[oh, ow]
                    zf[z_at + U(0)] = a0 / d
                    zf[z_at + U(1)] = a1 / d
                    zf[z_at + U(2)] = a2 / d
                    zf[z_at + U(3)] = a3 / d
                    zf[z_at + U(4)] = a4 / d
                    zf[z_at + U(5)] = a5 / d
                    zf[z_at + U(6)] = a6 / d
                    zf[z_at + U(7)] = a7 / d
    return out


def spread_mean_16(dy, dx, dy_k, dx_k, kw, sh, sw, fresh_row, fresh_col, divisor):
    """Add ``dy[n, oh, ow] / divisor[oh, ow]`` at every offset of window ``(oh, ow)`` of ``dx``.

    Offsets as in :func:`window_max_16`, ``kw`` of them to a kernel row. A row of windows
    at a time: the windows' shares into a buffer, then each row of ``dx`` that they reach, left
    to right. Where ``fresh_row >= 0`` the windows cover ``dx`` without gaps and a position
    that no earlier window reached (see :func:`.columns.gradient_array`; the same positions in
    this order) is stored, not added; otherwise ``dx`` is zeroed first.
    ``C`` is a multiple of 16.
    """
    m, out_h, out_w, c = dy.shape
    height, width = dx.shape[1], dx.shape[2]
    kh = dy_k.shape[0] // kw
    covering = fresh_row >= 0
    if not covering:
        dx[:] = 0
    dyf, dxf = dy.reshape(-1), dx.reshape(-1)
    share = np.empty(out_w * c, dtype=dx.dtype)  # one row of windows
    for n in range(m):
        for oh in range(out_h):
            d_row = U((n * out_h + oh) * out_w * c)
            for ow in range(out_w):
                d = divisor[oh, ow]
                s_at = U(ow * c)
                for ch_ in range(c):
                    ch = U(ch_)
                    share[s_at + ch] = dyf[d_row + s_at + ch] / d  # once for all the offsets
            for ki in range(kh):
                row_at = U((n * height + oh * sh + dy_k[ki * kw]) * width)
                row_fresh = covering and (oh == 0 or dy_k[ki * kw] >= fresh_row)
                for ow in range(out_w):
                    for jb_ in range(0, c, 16):
                        jb = U(jb_)
                        s_at = U(ow * c) + jb
                        g0 = share[s_at + U(0)]
                        g1 = share[s_at + U(1)]
                        g2 = share[s_at + U(2)]
                        g3 = share[s_at + U(3)]
                        g4 = share[s_at + U(4)]
                        g5 = share[s_at + U(5)]
                        g6 = share[s_at + U(6)]
                        g7 = share[s_at + U(7)]
                        g8 = share[s_at + U(8)]
                        g9 = share[s_at + U(9)]
                        g10 = share[s_at + U(10)]
                        g11 = share[s_at + U(11)]
                        g12 = share[s_at + U(12)]
                        g13 = share[s_at + U(13)]
                        g14 = share[s_at + U(14)]
                        g15 = share[s_at + U(15)]
                        for kj in range(kw):
                            at = (row_at + U(ow * sw + dx_k[kj])) * U(c) + jb
                            if row_fresh and (ow == 0 or dx_k[kj] >= fresh_col):
                                dxf[at + U(0)] = g0
                                dxf[at + U(1)] = g1
                                dxf[at + U(2)] = g2
                                dxf[at + U(3)] = g3
                                dxf[at + U(4)] = g4
                                dxf[at + U(5)] = g5
                                dxf[at + U(6)] = g6
                                dxf[at + U(7)] = g7
                                dxf[at + U(8)] = g8
                                dxf[at + U(9)] = g9
                                dxf[at + U(10)] = g10
                                dxf[at + U(11)] = g11
                                dxf[at + U(12)] = g12
                                dxf[at + U(13)] = g13
                                dxf[at + U(14)] = g14
                                dxf[at + U(15)] = g15
                            else:
                                dxf[at + U(0)] += g0
                                dxf[at + U(1)] += g1
                                dxf[at + U(2)] += g2
                                dxf[at + U(3)] += g3
                                dxf[at + U(4)] += g4
                                dxf[at + U(5)] += g5
                                dxf[at + U(6)] += g6
                                dxf[at + U(7)] += g7
                                dxf[at + U(8)] += g8
                                dxf[at + U(9)] += g9
                                dxf[at + U(10)] += g10
                                dxf[at + U(11)] += g11
                                dxf[at + U(12)] += g12
                                dxf[at + U(13)] += g13
                                dxf[at + U(14)] += g14
                                dxf[at + U(15)] += g15
    return dx


def spread_mean_8(dy, dx, dy_k, dx_k, kw, sh, sw, fresh_row, fresh_col, divisor):
    """Add ``dy[n, oh, ow] / divisor[oh, ow]`` at every offset of window ``(oh, ow)`` of ``dx``.

    Offsets as in :func:`window_max_8`, ``kw`` of them to a kernel row. A row of windows
    at a time: the windows' shares into a buffer, then each row of ``dx`` that they reach, left
    to right. Where ``fresh_row >= 0`` the windows cover ``dx`` without gaps and a position
    that no earlier window reached (see :func:`.columns.gradient_array`; the same positions in
    this order) is stored, not added; otherwise ``dx`` is zeroed first.
    ``C`` is a multiple of 8.
    """
    m, out_h, out_w, c = dy.shape
    height, width = dx.shape[1], dx.shape[2]
    kh = dy_k.shape[0] // kw
    covering = fresh_row >= 0
    if not covering:
        dx[:] = 0
    dyf, dxf = dy.reshape(-1), dx.reshape(-1)
    share = np.empty(out_w * c, dtype=dx.dtype)  # one row of windows
    for n in range(m):
        for oh in range(out_h):
            d_row = U((n * out_h + oh) * out_w * c)
            for ow in range(out_w):
                d = divisor[oh, ow]
                s_at = U(ow * c)
                for ch_ in range(c):
                    ch = U(ch_)
                    share[s_at + ch] = dyf[d_row + s_at + ch] / d  # once for all the offsets
            for ki in range(kh):
                row_at = U((n * height + oh * sh + dy_k[ki * kw]) * width)
                row_fresh = covering and (oh == 0 or dy_k[ki * kw] >= fresh_row)
                for ow in range(out_w):
                    for jb_ in range(0, c, 8):
                        jb = U(jb_)
                        s_at = U(ow * c) + jb
                        g0 = share[s_at + U(0)]
                        g1 = share[s_at + U(1)]
                        g2 = share[s_at + U(2)]
                        g3 = share[s_at + U(3)]
                        g4 = share[s_at + U(4)]
                        g5 = share[s_at + U(5)]
                        g6 = share[s_at + U(6)]
                        g7 = share[s_at + U(7)]
                        for kj in range(kw):
                            at = (row_at + U(ow * sw + dx_k[kj])) * U(c) + jb
                            if row_fresh and (ow == 0 or dx_k[kj] >= fresh_col):
                                dxf[at + U(0)] = g0
                                dxf[at + U(1)] = g1
                                dxf[at + U(2)] = g2
                                dxf[at + U(3)] = g3
                                dxf[at + U(4)] = g4
                                dxf[at + U(5)] = g5
                                dxf[at + U(6)] = g6
                                dxf[at + U(7)] = g7
                            else:
                                dxf[at + U(0)] += g0
                                dxf[at + U(1)] += g1
                                dxf[at + U(2)] += g2
                                dxf[at + U(3)] += g3
                                dxf[at + U(4)] += g4
                                dxf[at + U(5)] += g5
                                dxf[at + U(6)] += g6
                                dxf[at + U(7)] += g7
    return dx
