"""Compare a model's analytic gradients with central finite differences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from array_api_compat import array_namespace, device

from . import functional as F
from .backend import Array, to_numpy
from .nn import Layer

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

    for name, p, grad in targets:
        original = to_numpy(p.value).copy()
        for _ in range(n_checks):
            index = tuple(int(rng.integers(0, s)) for s in original.shape)
            losses = []
            for sign in (1, -1):
                shifted = original.copy()
                shifted[index] += sign * eps
                p.value = xp.asarray(shifted, dtype=p.value.dtype, device=device(p.value))
                losses.append(_loss(model, x, labels))
            record(float(grad[index]), (losses[0] - losses[1]) / (2 * eps), f"{name}{list(index)}")
        p.value = xp.asarray(original, dtype=p.value.dtype, device=device(p.value))
    x_host = to_numpy(x)
    for _ in range(n_checks):
        index = tuple(int(rng.integers(0, s)) for s in x_host.shape)
        losses = []
        for sign in (1, -1):
            shifted = x_host.copy()
            shifted[index] += sign * eps
            losses.append(_loss(model, xp.asarray(shifted, dtype=x.dtype, device=device(x)), labels))
        record(float(dx[index]), (losses[0] - losses[1]) / (2 * eps), f"input{list(index)}")
    return GradientCheck(worst, worst_where, count)
