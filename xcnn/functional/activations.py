"""Activations and their backwards: ``*_backward(dy, x)`` takes the upstream
gradient and the forward's input."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .._validation import as_int, check_floating, check_shape, common_float_dtype, namespace_of, shown
from ..backend import Array, device_context

__all__ = [
    "leaky_relu",
    "leaky_relu_backward",
    "log_softmax",
    "log_softmax_backward",
    "relu",
    "relu_backward",
    "sigmoid",
    "sigmoid_backward",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_backward",
]


def _one(x: Array) -> tuple[ModuleType, Any]:
    xp, device = namespace_of(x=x)
    check_floating("x", x, xp)
    return xp, device


def _pair(dy: Array, x: Array) -> tuple[ModuleType, Any, Array, Array]:
    xp, device = namespace_of(dy=dy, x=x)
    dtype = common_float_dtype(xp, dy=dy, x=x)
    check_shape("dy", dy, tuple(x.shape), "the shape of `x`")
    return xp, device, xp.astype(dy, dtype, copy=False), xp.astype(x, dtype, copy=False)


def _axis(axis: Any, x: Array) -> int:
    axis = as_int("axis", axis, minimum=-x.ndim)
    if axis >= x.ndim:
        msg = f"`axis` must be in [-{x.ndim}, {x.ndim - 1}] for a {x.ndim}-D `x`, got {axis}"
        raise ValueError(msg)
    return axis


def relu(x: Array, /) -> Array:
    """``max(x, 0)``, elementwise (NaN stays NaN)."""
    xp, device = _one(x)
    with device_context(xp, device):
        return xp.maximum(x, xp.zeros((), dtype=x.dtype, device=device))


def relu_backward(dy: Array, x: Array, /) -> Array:
    """``dy`` where ``x > 0``, else 0 (PyTorch's choice at ``x = 0``)."""
    xp, device, dy, x = _pair(dy, x)
    with device_context(xp, device):
        return xp.where(x > 0, dy, xp.zeros((), dtype=dy.dtype, device=device))


def _check_slope(negative_slope: Any) -> float:
    if isinstance(negative_slope, bool) or not isinstance(negative_slope, (int, float)):
        msg = f"`negative_slope` must be a real number, got {shown(negative_slope)}"
        raise TypeError(msg)
    return float(negative_slope)


def leaky_relu(x: Array, /, negative_slope: float = 0.01) -> Array:
    """``x`` where ``x > 0``, else ``negative_slope * x``."""
    xp, device = _one(x)
    slope = _check_slope(negative_slope)
    with device_context(xp, device):
        return xp.where(x > 0, x, x * slope)


def leaky_relu_backward(dy: Array, x: Array, /, negative_slope: float = 0.01) -> Array:
    """``dy`` where ``x > 0``, else ``negative_slope * dy``."""
    xp, device, dy, x = _pair(dy, x)
    slope = _check_slope(negative_slope)
    with device_context(xp, device):
        return xp.where(x > 0, dy, dy * slope)


def _sigmoid(x: Array, xp: ModuleType) -> Array:
    # exp(-|x|) never overflows; the two branches are the same function.
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid(x: Array, /) -> Array:
    """``1 / (1 + exp(-x))``, computed without overflow."""
    xp, device = _one(x)
    with device_context(xp, device):
        return _sigmoid(x, xp)


def sigmoid_backward(dy: Array, x: Array, /) -> Array:
    """``dy * s * (1 - s)`` with ``s = sigmoid(x)``."""
    xp, device, dy, x = _pair(dy, x)
    with device_context(xp, device):
        s = _sigmoid(x, xp)
        return dy * s * (1 - s)


def tanh(x: Array, /) -> Array:
    """Hyperbolic tangent."""
    xp, device = _one(x)
    with device_context(xp, device):
        return xp.tanh(x)


def tanh_backward(dy: Array, x: Array, /) -> Array:
    """``dy * (1 - tanh(x)**2)``."""
    xp, device, dy, x = _pair(dy, x)
    with device_context(xp, device):
        t = xp.tanh(x)
        return dy * (1 - t * t)


def _log_softmax(x: Array, axis: int, xp: ModuleType) -> Array:
    # Shift by the maximum so exp never overflows.
    shifted = x - xp.max(x, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


def softmax(x: Array, /, axis: int = -1) -> Array:
    """``exp(x) / sum(exp(x))`` along `axis`, computed stably."""
    xp, device = _one(x)
    axis = _axis(axis, x)
    with device_context(xp, device):
        return xp.exp(_log_softmax(x, axis, xp))


def softmax_backward(dy: Array, x: Array, /, axis: int = -1) -> Array:
    """``y * (dy - sum(dy * y))`` along `axis`, with ``y = softmax(x)``."""
    xp, device, dy, x = _pair(dy, x)
    axis = _axis(axis, x)
    with device_context(xp, device):
        y = xp.exp(_log_softmax(x, axis, xp))
        return y * (dy - xp.sum(dy * y, axis=axis, keepdims=True))


def log_softmax(x: Array, /, axis: int = -1) -> Array:
    """``x - log(sum(exp(x)))`` along `axis`, computed stably."""
    xp, device = _one(x)
    axis = _axis(axis, x)
    with device_context(xp, device):
        return _log_softmax(x, axis, xp)


def log_softmax_backward(dy: Array, x: Array, /, axis: int = -1) -> Array:
    """``dy - softmax(x) * sum(dy)`` along `axis`."""
    xp, device, dy, x = _pair(dy, x)
    axis = _axis(axis, x)
    with device_context(xp, device):
        return dy - xp.exp(_log_softmax(x, axis, xp)) * xp.sum(dy, axis=axis, keepdims=True)
