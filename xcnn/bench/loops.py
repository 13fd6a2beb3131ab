"""The tutorial's loop algorithms, corrected; the speed baseline for the benchmark.

Plain Python loops over samples, output rows, output columns and channels, in
NumPy float64, as the "convolutional network step by step" tutorial writes
them, with its bugs fixed: the bias is added once per output element, backward
windows sit at ``h*stride`` / ``w*stride``, ``dA_prev`` is cut out of the padded
gradient with explicit end indices (so ``pad = 0`` works), and max-pool backward
sends each window's gradient only to its first maximum in row-major order.
"""

from __future__ import annotations

import numpy as np

__all__ = ["conv_backward_loops", "conv_forward_loops", "pool_backward_loops", "pool_forward_loops"]


def _pad(x: np.ndarray, pad: int) -> np.ndarray:
    return np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def conv_forward_loops(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Convolution layer forward pass, one output element at a time.

    Parameters
    ----------
    A_prev : ndarray, shape ``(m, n_H_prev, n_W_prev, n_C_prev)``
    W : ndarray, shape ``(f, f, n_C_prev, n_C)``
    b : ndarray, shape ``(1, 1, 1, n_C)``
    stride, pad : int

    Returns
    -------
    Z : ndarray, shape ``(m, n_H, n_W, n_C)``, float64
    """
    m, n_h_prev, n_w_prev, _ = A_prev.shape
    f, _, _, n_c = W.shape
    n_h = (n_h_prev + 2 * pad - f) // stride + 1
    n_w = (n_w_prev + 2 * pad - f) // stride + 1
    a_pad = _pad(A_prev, pad)
    Z = np.zeros((m, n_h, n_w, n_c))
    for i in range(m):
        for h in range(n_h):
            for w in range(n_w):
                v0, h0 = h * stride, w * stride
                a_slice = a_pad[i, v0 : v0 + f, h0 : h0 + f, :]
                for c in range(n_c):
                    Z[i, h, w, c] = np.sum(a_slice * W[:, :, :, c]) + float(b[0, 0, 0, c])
    return Z


def conv_backward_loops(
    dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray, stride: int, pad: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convolution layer backward pass, one output element at a time.

    Parameters
    ----------
    dZ : ndarray, shape ``(m, n_H, n_W, n_C)``
    A_prev : ndarray, shape ``(m, n_H_prev, n_W_prev, n_C_prev)``
    W : ndarray, shape ``(f, f, n_C_prev, n_C)``
    stride, pad : int

    Returns
    -------
    dA_prev : ndarray, shape of `A_prev`
    dW : ndarray, shape of `W`
    db : ndarray, shape ``(1, 1, 1, n_C)``
    """
    m, n_h_prev, n_w_prev, _ = A_prev.shape
    f = W.shape[0]
    _, n_h, n_w, n_c = dZ.shape
    a_pad = _pad(A_prev, pad)
    da_pad = np.zeros_like(a_pad)
    dW = np.zeros(W.shape)
    db = np.zeros((1, 1, 1, n_c))
    for i in range(m):
        for h in range(n_h):
            for w in range(n_w):
                v0, h0 = h * stride, w * stride
                a_slice = a_pad[i, v0 : v0 + f, h0 : h0 + f, :]
                for c in range(n_c):
                    g = dZ[i, h, w, c]
                    da_pad[i, v0 : v0 + f, h0 : h0 + f, :] += W[:, :, :, c] * g
                    dW[:, :, :, c] += a_slice * g
                    db[0, 0, 0, c] += g
    dA_prev = da_pad[:, pad : pad + n_h_prev, pad : pad + n_w_prev, :]
    return dA_prev, dW, db


def pool_forward_loops(A_prev: np.ndarray, f: int, stride: int, mode: str = "max") -> np.ndarray:
    """Pooling layer forward pass (``mode`` ``"max"`` or ``"average"``), one element at a time.

    Returns
    -------
    A : ndarray, shape ``(m, n_H, n_W, n_C)``, float64
    """
    m, n_h_prev, n_w_prev, n_c = A_prev.shape
    n_h, n_w = (n_h_prev - f) // stride + 1, (n_w_prev - f) // stride + 1
    reduce = np.max if mode == "max" else np.mean
    A = np.zeros((m, n_h, n_w, n_c))
    for i in range(m):
        for h in range(n_h):
            for w in range(n_w):
                for c in range(n_c):
                    window = A_prev[i, h * stride : h * stride + f, w * stride : w * stride + f, c]
                    A[i, h, w, c] = reduce(window)
    return A


def pool_backward_loops(dA: np.ndarray, A_prev: np.ndarray, f: int, stride: int, mode: str = "max") -> np.ndarray:
    """Pooling layer backward pass; max mode routes to the first maximum only.

    Returns
    -------
    dA_prev : ndarray, shape of `A_prev`, float64
    """
    m, n_h, n_w, n_c = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_h):
            for w in range(n_w):
                v0, h0 = h * stride, w * stride
                for c in range(n_c):
                    g = dA[i, h, w, c]
                    if mode == "max":
                        window = A_prev[i, v0 : v0 + f, h0 : h0 + f, c]
                        r, s = np.unravel_index(np.argmax(window), window.shape)
                        dA_prev[i, v0 + r, h0 + s, c] += g
                    else:
                        dA_prev[i, v0 : v0 + f, h0 : h0 + f, c] += g / (f * f)
    return dA_prev
