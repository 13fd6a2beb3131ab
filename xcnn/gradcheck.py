"""Compare a model's analytic gradients with central finite differences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from array_api_compat import array_namespace, device

from . import functional as F
from .backend import Array, to_numpy
from .nn import Layer, Parameter

__all__ = ["GradientCheck", "check_gradients"]


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`check_gradients`: the worst relative error and where."""

    max_relative_error: float
    worst: str
    n_checked: int

    def __bool__(self) -> bool:
        return self.max_relative_error < 1e-5


def _loss(model: Layer, x: Array, labels: Array) -> float:
    return float(F.cross_entropy(model.forward(x), labels))


def check_gradients(
    model: Layer, x: Array, labels: Array, *, n_checks: int = 10, eps: float = 1e-6, seed: int = 0
) -> GradientCheck:
    """Check backprop of `model` under softmax cross-entropy at random entries.

    For `n_checks` random entries of every parameter (and of the input), the
    analytic gradient is compared with ``(L(w + eps) - L(w - eps)) / (2 eps)``.
    Use float64 parameters and inputs, and put the model in eval mode if it
    has dropout. The relative error is ``|a - n| / max(|a| + |n|, 1e-8)``.

    Returns
    -------
    GradientCheck
        Truthy when the largest relative error is below ``1e-5``.
    """
    xp = array_namespace(x)
    rng = np.random.default_rng(seed)
    logits = model.forward(x)
    dx = to_numpy(model.backward(F.cross_entropy_backward(1.0, logits, labels)))
    targets = [(name, p, to_numpy(p.grad)) for name, p in model.named_parameters()]
    worst, worst_where, count = 0.0, "", 0

    def record(analytic: float, numeric: float, where: str) -> None:
        nonlocal worst, worst_where, count
        error = abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-8)
        count += 1
        if error >= worst:
            worst, worst_where = error, where

    def probe(label: str, host: np.ndarray, analytic: np.ndarray, loss_at: Callable[[np.ndarray], float]) -> None:
        # central differences at random entries of `host`, a host copy of one array
        for _ in range(n_checks):
            index = tuple(int(rng.integers(0, s)) for s in host.shape)
            losses = []
            for sign in (1, -1):
                shifted = host.copy()
                shifted[index] += sign * eps
                losses.append(loss_at(shifted))
            record(float(analytic[index]), (losses[0] - losses[1]) / (2 * eps), f"{label}{list(index)}")

    for name, p, grad in targets:
        original = to_numpy(p.value).copy()

        def loss_with(value: np.ndarray, p: Parameter = p) -> float:
            p.value = xp.asarray(value, dtype=p.value.dtype, device=device(p.value))
            return _loss(model, x, labels)

        probe(name, original, grad, loss_with)
        loss_with(original)  # put the parameter back
    probe("input", to_numpy(x), dx, lambda v: _loss(model, xp.asarray(v, dtype=x.dtype, device=device(x)), labels))
    return GradientCheck(worst, worst_where, count)
