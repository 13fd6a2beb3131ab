"""Layers with ``forward(x)`` / ``backward(grad)`` over :mod:`xcnn.functional`.

Every layer keeps what its backward needs from the last forward, stores its
parameter gradients in ``Parameter.grad`` and returns the gradient with
respect to its input. Activations are NHWC ``(m, H, W, C)``.

Weights are drawn on the host by NumPy from an explicit seed and then moved
to the selected backend, so the same seed gives the same network on NumPy,
PyTorch and CuPy.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from array_api_compat import array_namespace, device

from . import functional as F
from ._validation import as_int, shown
from .backend import Array, asarray, device_context
from .functional import _args

__all__ = [
    "AvgPool2D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAvgPool2D",
    "Layer",
    "MaxPool2D",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "glorot_uniform",
    "he_normal",
]

@dataclass(eq=False)
class Parameter:
    """A trainable array and the gradient the last backward pass left for it."""

    value: Array
    grad: Array | None = None


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(0 if seed is None else seed)


def he_normal(shape: tuple[int, ...], fan_in: int, rng: np.random.Generator) -> np.ndarray:
    """He (Kaiming) normal initialisation on the host: ``N(0, 2 / fan_in)``, float64."""
    return rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)


def glorot_uniform(shape: tuple[int, ...], fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot (Xavier) uniform initialisation on the host: ``U(-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def _init(shape: tuple[int, ...], fan_in: int, fan_out: int, init: str, rng: np.random.Generator) -> np.ndarray:
    if init == "he":
        return he_normal(shape, fan_in, rng)
    if init == "glorot":
        return glorot_uniform(shape, fan_in, fan_out, rng)
    msg = f"`init` must be 'he' or 'glorot', got {shown(init)}"
    raise ValueError(msg)


class Layer:
    """Base class: a layer without parameters that passes gradients through."""

    training: bool = True

    def forward(self, x: Array) -> Array:
        raise NotImplementedError

    def backward(self, grad: Array) -> Array:
        raise NotImplementedError

    def __call__(self, x: Array) -> Array:
        return self.forward(x)

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """``(name, Parameter)`` pairs, for example ``("weight", ...)``."""
        return iter(())

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def train(self, mode: bool = True) -> Layer:
        self.training = mode
        return self

    def eval(self) -> Layer:
        return self.train(False)

    def _saved(self, value: Any) -> Any:
        if value is None:
            msg = f"{type(self).__name__}.backward called before forward"
            raise RuntimeError(msg)
        return value


class Conv2D(Layer):
    """2-D convolution layer: weight ``(kH, kW, C_in/groups, C_out)``, bias ``(C_out,)``.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride, padding, dilation, groups
        As in :func:`xcnn.functional.conv2d`.
    bias : bool
    init : {"he", "glorot"}
    seed : int or numpy Generator
        Host random source for the initial weights.
    dtype : str
        Parameter dtype on the selected backend (default ``"float32"``).
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, *, stride: Any = 1, padding: Any = 0,
        dilation: Any = 1, groups: int = 1, bias: bool = True, init: str = "he",
        seed: int | np.random.Generator | None = None, dtype: str = "float32",
    ) -> None:
        # Checked here, not at the first forward: the weight's shape is built from them.
        in_channels = as_int("in_channels", in_channels, minimum=1)
        out_channels = as_int("out_channels", out_channels, minimum=1)
        groups = as_int("groups", groups, minimum=1)
        kh, kw = _args.pair("kernel_size", kernel_size, minimum=1)
        if in_channels % groups or out_channels % groups:
            msg = f"`groups`={groups} must divide in_channels={in_channels} and out_channels={out_channels}"
            raise ValueError(msg)
        fan_in, fan_out = kh * kw * in_channels // groups, kh * kw * out_channels // groups
        shape = (kh, kw, in_channels // groups, out_channels)
        self.weight = Parameter(asarray(_init(shape, fan_in, fan_out, init, _rng(seed)), dtype=dtype))
        self.bias = Parameter(asarray(np.zeros(out_channels), dtype=dtype)) if bias else None
        self.options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        self._x: Array | None = None

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        yield "weight", self.weight
        if self.bias is not None:
            yield "bias", self.bias

    def forward(self, x: Array) -> Array:
        self._x = x
        return F.conv2d(x, self.weight.value, None if self.bias is None else self.bias.value, **self.options)

    def backward(self, grad: Array) -> Array:
        dx, dw, db = F.conv2d_backward(
            grad, self._saved(self._x), self.weight.value, bias=self.bias is not None, **self.options
        )
        self.weight.grad = dw
        if self.bias is not None:
            self.bias.grad = db
        return dx


class Dense(Layer):
    """Fully connected layer: weight ``(in_features, out_features)``, bias ``(out_features,)``."""

    def __init__(
        self, in_features: int, out_features: int, *, bias: bool = True, init: str = "glorot",
        seed: int | np.random.Generator | None = None, dtype: str = "float32",
    ) -> None:
        w = _init((in_features, out_features), in_features, out_features, init, _rng(seed))
        self.weight = Parameter(asarray(w, dtype=dtype))
        self.bias = Parameter(asarray(np.zeros(out_features), dtype=dtype)) if bias else None
        self._x: Array | None = None

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        yield "weight", self.weight
        if self.bias is not None:
            yield "bias", self.bias

    def forward(self, x: Array) -> Array:
        self._x = x
        return F.linear(x, self.weight.value, None if self.bias is None else self.bias.value)

    def backward(self, grad: Array) -> Array:
        dx, dw, db = F.linear_backward(grad, self._saved(self._x), self.weight.value, bias=self.bias is not None)
        self.weight.grad = dw
        if self.bias is not None:
            self.bias.grad = db
        return dx


class _Pool(Layer):
    _forward: Any
    _backward: Any

    def __init__(self, kernel_size: Any, **options: Any) -> None:
        _args.pair("kernel_size", kernel_size, minimum=1)  # a zero kernel fails at construction, not at forward
        self.kernel_size = kernel_size
        self.options = options
        self._x: Array | None = None

    def forward(self, x: Array) -> Array:
        self._x = x
        return type(self)._forward(x, self.kernel_size, **self.options)

    def backward(self, grad: Array) -> Array:
        return type(self)._backward(grad, self._saved(self._x), self.kernel_size, **self.options)


class MaxPool2D(_Pool):
    """Max pooling; options as in :func:`xcnn.functional.max_pool2d`."""

    _forward = staticmethod(F.max_pool2d)
    _backward = staticmethod(F.max_pool2d_backward)

    def __init__(self, kernel_size: Any, *, stride: Any = None, padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)


class AvgPool2D(_Pool):
    """Average pooling; options as in :func:`xcnn.functional.avg_pool2d`."""

    _forward = staticmethod(F.avg_pool2d)
    _backward = staticmethod(F.avg_pool2d_backward)

    def __init__(
        self, kernel_size: Any, *, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
        count_include_pad: bool = True, divisor_override: int | None = None,
    ) -> None:
        super().__init__(
            kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode,
            count_include_pad=count_include_pad, divisor_override=divisor_override,
        )


class _Elementwise(Layer):
    """A layer applying ``fn`` with gradient ``fn_backward(grad, x)``."""

    _fn: Any
    _fn_backward: Any

    def __init__(self) -> None:
        self._x: Array | None = None

    def forward(self, x: Array) -> Array:
        self._x = x
        return type(self)._fn(x)

    def backward(self, grad: Array) -> Array:
        return type(self)._fn_backward(grad, self._saved(self._x))


class ReLU(_Elementwise):
    """``max(x, 0)``."""

    _fn = staticmethod(F.relu)
    _fn_backward = staticmethod(F.relu_backward)


class Sigmoid(_Elementwise):
    """Logistic sigmoid."""

    _fn = staticmethod(F.sigmoid)
    _fn_backward = staticmethod(F.sigmoid_backward)


class Tanh(_Elementwise):
    """Hyperbolic tangent."""

    _fn = staticmethod(F.tanh)
    _fn_backward = staticmethod(F.tanh_backward)


class GlobalAvgPool2D(_Elementwise):
    """Mean over all positions: ``(m, H, W, C)`` -> ``(m, C)``."""

    _fn = staticmethod(F.global_avg_pool2d)
    _fn_backward = staticmethod(F.global_avg_pool2d_backward)


class Flatten(Layer):
    """``(m, ...)`` -> ``(m, prod(...))``, row-major (NHWC order)."""

    def __init__(self) -> None:
        self._shape: tuple[int, ...] | None = None

    def forward(self, x: Array) -> Array:
        self._shape = tuple(x.shape)
        return array_namespace(x).reshape(x, (x.shape[0], -1))

    def backward(self, grad: Array) -> Array:
        return array_namespace(grad).reshape(grad, self._saved(self._shape))


class Dropout(Layer):
    """Inverted dropout: in training, zero each value with probability `p` and
    scale the rest by ``1 / (1 - p)``; the identity in eval mode.

    The mask is drawn on the host from `seed` (the array API has no random
    numbers) and sent to the input's device, one upload per call.
    """

    def __init__(self, p: float = 0.5, *, seed: int | np.random.Generator | None = None) -> None:
        if not 0 <= p < 1:
            msg = f"`p` must be in [0, 1), got {shown(p)}"
            raise ValueError(msg)
        self.p = p
        self._rng = _rng(seed)
        self._scale: Array | None = None

    def forward(self, x: Array) -> Array:
        if not self.training or self.p == 0:
            self._scale = None
            return x
        xp, dev = array_namespace(x), device(x)
        keep = self._rng.random(tuple(x.shape)) >= self.p
        with device_context(xp, dev):
            self._scale = xp.asarray(keep / (1 - self.p), dtype=x.dtype, device=dev)
        return x * self._scale

    def backward(self, grad: Array) -> Array:
        return grad if self._scale is None else grad * self._scale


class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse.

    Parameter names are ``"<index>.<name>"``, e.g. ``"0.weight"``.
    """

    def __init__(self, *layers: Layer) -> None:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                msg = f"layer {i} must be an xcnn.nn.Layer, got {type(layer).__name__}"
                raise TypeError(msg)
        self.layers = list(layers)

    def __getitem__(self, index: int) -> Layer:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                yield f"{i}.{name}", p

    def train(self, mode: bool = True) -> Sequential:
        self.training = mode
        for layer in self.layers:
            layer.train(mode)
        return self

    def forward(self, x: Array) -> Array:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad: Array) -> Array:
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None


def small_cnn(n_classes: int = 10, *, in_channels: int = 1, image_size: int = 8, seed: int = 0, dtype: str = "float32") -> Sequential:
    """conv(16) - relu - pool - conv(32) - relu - pool - dense, for small images.

    Two 3x3 "same" convolutions and two 2x2 max pools take an
    ``image_size x image_size`` image to ``image_size / 4`` squared positions.
    """
    if image_size % 4:
        msg = f"`image_size` must be a multiple of 4, got {image_size}"
        raise ValueError(msg)
    rng = np.random.default_rng(seed)
    side = image_size // 4
    return Sequential(
        Conv2D(in_channels, 16, 3, padding=1, seed=rng, dtype=dtype),
        ReLU(),
        MaxPool2D(2),
        Conv2D(16, 32, 3, padding=1, seed=rng, dtype=dtype),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(side * side * 32, n_classes, seed=rng, dtype=dtype),
    )
