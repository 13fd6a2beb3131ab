"""Depthwise convolution loops for NumPy, compiled by Numba, for layers the register blocks do not take.

They read the unpadded input and skip the offsets that fall in the zero
padding, and the backward pass writes the unpadded gradient: no padded copy
of either, and the forward pass starts each sum from the bias instead of
adding it in another pass.
"""

from __future__ import annotations

import numpy as np

from ...._geometry import Windows
from ..threads import in_thread_shares, summed_over_thread_shares
from .compile import compile_kernel, window_geometry

__all__ = ["depthwise_backward", "depthwise_forward", "depthwise_geometry"]


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
    dy_k, dx_k, sh, sw = window_geometry(win)
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
    in_thread_shares(
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
    dx[:] = 0  # here, in this share's thread, rather than a zeroed array from one thread
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
        dw, db = np.zeros(w2.shape, dtype=dz.dtype), np.zeros(w2.shape[1], dtype=dz.dtype)  # this share's totals
        _depthwise_backward(dz[s], x[s], w2, dx[s], dw, db, dy_k, dx_k, sh, sw, top, left)
        return dw, db

    dw, db = summed_over_thread_shares(len(dz), x.nbytes, run)
    return dx, np.reshape(dw, w.shape), db
