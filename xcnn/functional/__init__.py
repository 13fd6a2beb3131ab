"""Functional API: stateless NHWC operations with their backward passes.

What ``torch.nn.functional`` offers for small CNNs, on any array-API backend:
convolution and pooling with every option (stride, padding forms, dilation,
groups, ``ceil_mode``, ``count_include_pad``), dense layers, activations and
losses. Each forward ``op`` has an ``op_backward`` that takes the upstream
gradient and the forward's inputs and options.

Layouts: activations ``(m, H, W, C)``; convolution weights
``(kH, kW, C_in/groups, C_out)``; dense weights ``(in, out)``.
"""

from __future__ import annotations

from .activations import (
    leaky_relu,
    leaky_relu_backward,
    log_softmax,
    log_softmax_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
)
from .conv import conv2d, conv2d_backward, pad
from .dense import linear, linear_backward
from .losses import cross_entropy, cross_entropy_backward, mse_loss, mse_loss_backward
from .pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    global_avg_pool2d,
    global_avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "conv2d",
    "conv2d_backward",
    "cross_entropy",
    "cross_entropy_backward",
    "global_avg_pool2d",
    "global_avg_pool2d_backward",
    "leaky_relu",
    "leaky_relu_backward",
    "linear",
    "linear_backward",
    "log_softmax",
    "log_softmax_backward",
    "max_pool2d",
    "max_pool2d_backward",
    "mse_loss",
    "mse_loss_backward",
    "pad",
    "relu",
    "relu_backward",
    "sigmoid",
    "sigmoid_backward",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_backward",
]
