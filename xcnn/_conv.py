"""Convolution (cross-correlation) forward and backward on NHWC arrays.

Private core: arguments arrive checked and normalised (a :class:`Windows`).
The forward pass is one matrix product over gathered windows (im2col); the
backward pass is two matrix products and the adjoint gather (col2im).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from . import _windows
from ._windows import Windows
from .backend import Array


def forward(x: Array, w: Array, b: Array | None, win: Windows, xp: ModuleType) -> Array:
    """``Z[n, h, w, c] = sum_{i, j, c'} x_pad[n, h*s + i*d, w*s + j*d, c'] * W[i, j, c', c] + b[c]``.

    Shapes: ``x (m, H, W, C)``, ``w (kh, kw, C, n_C)``, ``b`` broadcastable to
    ``(1, 1, 1, n_C)``; returns ``(m, out_h, out_w, n_C)``.
    """
    m = x.shape[0]
    n_c = w.shape[3]
    out_h, out_w = win.out_size
    cols = _windows.im2col(_windows.pad(x, win.padding, 0, xp), win, xp)
    z = cols @ xp.reshape(w, (-1, n_c))
    z = xp.reshape(z, (m, out_h, out_w, n_c))
    return z if b is None else z + xp.reshape(b, (1, 1, 1, n_c))


def backward(
    dz: Array, x: Array, w: Array, win: Windows, xp: ModuleType, device: Any
) -> tuple[Array, Array, Array]:
    """Gradients of :func:`forward` with respect to ``x``, ``w`` and the bias.

    ``dW = cols^T @ dZ`` and ``dcols = dZ @ W^T`` are the tutorial's sums
    ``dW_c += a_slice * dZ[h, w]`` and ``dA[slice] += W_c * dZ[h, w]`` over
    every window at once, with the windows placed by the real stride.

    Returns
    -------
    dx : ``(m, H, W, C)``
    dw : ``(kh, kw, C, n_C)``
    db : ``(n_C,)``
    """
    m, _, _, channels = x.shape
    n_c = w.shape[3]
    dz2 = xp.reshape(dz, (-1, n_c))
    cols = _windows.im2col(_windows.pad(x, win.padding, 0, xp), win, xp)
    dw = xp.reshape(cols.T @ dz2, w.shape)
    dcols = dz2 @ xp.reshape(w, (-1, n_c)).T
    dx_pad = _windows.col2im(dcols, win, m, channels, xp, device)
    db = xp.sum(dz2, axis=0)
    return _windows.unpad(dx_pad, win.padding), dw, db
