"""PyTorch as an independent oracle: forward values and autograd gradients.

Everything here runs in float64 on PyTorch's CPU, whatever backend xcnn is
tested on; arrays come in and go out as NumPy NHWC.
"""

from __future__ import annotations

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
