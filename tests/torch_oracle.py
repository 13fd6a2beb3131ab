"""PyTorch as an independent oracle: forward values and autograd gradients.

Everything here runs in float64 on PyTorch's CPU, whatever backend xcnn is
tested on; arrays come in and go out as NumPy NHWC.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed; its oracle tests are skipped")
F = torch.nn.functional


def _nchw(x: np.ndarray):
    return torch.tensor(x, dtype=torch.float64).permute(0, 3, 1, 2).contiguous().requires_grad_(True)


def _nhwc(t) -> np.ndarray:
    return t.detach().permute(0, 2, 3, 1).numpy()


def conv(a_prev, w, b, dz, stride, pad):
    """``(Z, dA_prev, dW, db)`` of a convolution layer by torch's conv2d and autograd."""
    x = _nchw(a_prev)
    weight = torch.tensor(w, dtype=torch.float64).permute(3, 2, 0, 1).contiguous().requires_grad_(True)
    bias = torch.tensor(b.reshape(-1), dtype=torch.float64, requires_grad=True)
    z = F.conv2d(x, weight, bias, stride=stride, padding=pad)
    z.backward(torch.tensor(dz, dtype=torch.float64).permute(0, 3, 1, 2))
    dw = weight.grad.permute(2, 3, 1, 0).numpy()
    return _nhwc(z), _nhwc(x.grad), dw, bias.grad.numpy().reshape(1, 1, 1, -1)


def pool(a_prev, da, f, stride, mode):
    """``(A, dA_prev)`` of max or average pooling by torch and autograd."""
    x = _nchw(a_prev)
    op = F.max_pool2d if mode == "max" else F.avg_pool2d
    a = op(x, kernel_size=f, stride=stride)
    a.backward(torch.tensor(da, dtype=torch.float64).permute(0, 3, 1, 2))
    return _nhwc(a), _nhwc(x.grad)


def _tensor(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def conv2d(x, w, b, dz, *, stride, padding, dilation, groups):
    """Forward and autograd gradients of ``torch.nn.functional.conv2d`` (NHWC in and out).

    ``((top, bottom), (left, right))`` padding goes through ``F.pad`` first;
    ints, pairs and the strings go to ``conv2d`` itself, so ``"same"`` is
    PyTorch's own rule.
    """
    xt = _nchw(x)
    wt = _tensor(w).permute(3, 2, 0, 1).contiguous().requires_grad_(True)
    bt = None if b is None else _tensor(b.reshape(-1), grad=True)
    inp = xt
    if isinstance(padding, tuple) and isinstance(padding[0], tuple):
        (top, bottom), (left, right) = padding
        inp = F.pad(xt, (left, right, top, bottom))
        padding = 0
    with warnings.catch_warnings():
        # PyTorch warns that padding="same" with an even kernel copies the input.
        warnings.filterwarnings("ignore", "Using padding='same'", UserWarning)
        z = F.conv2d(inp, wt, bt, stride=stride, padding=padding, dilation=dilation, groups=groups)
    z.backward(_tensor(dz).permute(0, 3, 1, 2))
    db = None if bt is None else bt.grad.numpy()
    return _nhwc(z), _nhwc(xt.grad), wt.grad.permute(2, 3, 1, 0).numpy(), db


def pool2d(x, dy, op, **options):
    """Forward and autograd gradient of ``max_pool2d``/``avg_pool2d`` (NHWC)."""
    xt = _nchw(x)
    y = getattr(F, op)(xt, **options)
    y.backward(_tensor(dy).permute(0, 3, 1, 2))
    return _nhwc(y), _nhwc(xt.grad)


def pool2d_output(x_shape, op, **options):
    """Output shape PyTorch gives, NHWC."""
    m, h, w, c = x_shape
    y = getattr(F, op)(torch.zeros((m, c, h, w), dtype=torch.float64), **options)
    return (m, y.shape[2], y.shape[3], c)
