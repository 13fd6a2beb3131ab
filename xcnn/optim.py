"""Optimisers that update :class:`xcnn.nn.Parameter` values from their gradients.

Updates are whole-array expressions on the parameters' own backend and device
(``p.value = p.value - lr * step``), so they run on any array library,
including those without in-place updates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from array_api_compat import array_namespace

from .backend import Array
from .nn import Parameter

__all__ = ["SGD", "Adam", "Optimizer"]


def _positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        msg = f"`{name}` must be a number, got {value!r}"
        raise TypeError(msg)
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        msg = f"`{name}` must be {bound}, got {value}"
        raise ValueError(msg)
    return float(value)


class Optimizer:
    """Holds the parameters; :meth:`step` applies one update from their ``grad``."""

    def __init__(self, parameters: Iterable[Parameter]) -> None:
        self.parameters = list(parameters)
        if not self.parameters:
            msg = "`parameters` is empty: nothing to optimise"
            raise ValueError(msg)

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = None

    def step(self) -> None:
        for i, p in enumerate(self.parameters):
            if p.grad is None:
                continue  # no gradient this step (layer unused): leave it
            p.value = self._update(i, p.value, p.grad)

    def _update(self, index: int, value: Array, grad: Array) -> Array:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum and L2 weight decay (PyTorch's rule).

    ``g = grad + weight_decay * w``; ``v = momentum * v + g`` (``v = g`` at the
    first step); ``w -= lr * v`` (``lr * (g + momentum * v)`` with Nesterov).
    """

    def __init__(
        self, parameters: Iterable[Parameter], lr: float = 0.01, *, momentum: float = 0.0,
        weight_decay: float = 0.0, nesterov: bool = False,
    ) -> None:
        super().__init__(parameters)
        self.lr = _positive("lr", lr)
        self.momentum = _positive("momentum", momentum, allow_zero=True)
        self.weight_decay = _positive("weight_decay", weight_decay, allow_zero=True)
        if nesterov and self.momentum == 0:
            msg = "`nesterov`=True needs momentum > 0"
            raise ValueError(msg)
        self.nesterov = nesterov
        self._velocity: dict[int, Array] = {}

    def _update(self, index: int, value: Array, grad: Array) -> Array:
        if self.weight_decay:
            grad = grad + self.weight_decay * value
        if self.momentum:
            previous = self._velocity.get(index)
            velocity = grad if previous is None else self.momentum * previous + grad
            self._velocity[index] = velocity
            grad = grad + self.momentum * velocity if self.nesterov else velocity
        return value - self.lr * grad


class Adam(Optimizer):
    """Adam with bias correction; ``weight_decay`` is added to the gradient (PyTorch's ``Adam``)."""

    def __init__(
        self, parameters: Iterable[Parameter], lr: float = 1e-3, *, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0,
    ) -> None:
        super().__init__(parameters)
        self.lr = _positive("lr", lr)
        if not (isinstance(betas, tuple) and len(betas) == 2 and all(0 <= b < 1 for b in betas)):
            msg = f"`betas` must be a pair of numbers in [0, 1), got {betas!r}"
            raise ValueError(msg)
        self.betas = betas
        self.eps = _positive("eps", eps)
        self.weight_decay = _positive("weight_decay", weight_decay, allow_zero=True)
        self._moments: dict[int, tuple[Array, Array]] = {}
        self._steps: dict[int, int] = {}

    def _update(self, index: int, value: Array, grad: Array) -> Array:
        xp = array_namespace(value)
        if self.weight_decay:
            grad = grad + self.weight_decay * value
        beta1, beta2 = self.betas
        m, v = self._moments.get(index, (xp.zeros_like(value), xp.zeros_like(value)))
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        self._moments[index] = (m, v)
        t = self._steps[index] = self._steps.get(index, 0) + 1
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        return value - self.lr * m_hat / (xp.sqrt(v_hat) + self.eps)
