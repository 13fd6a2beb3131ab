"""Compare a model's analytic gradients with central finite differences."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from array_api_compat import array_namespace, device

from . import functional as F
from ._validation import as_int
from .backend import Array, to_numpy
from .nn import Layer, Parameter

__all__ = ["GradientCheck", "check_gradients"]


DEFAULT_ATOL = 1e-7
"""Absolute difference forgiven in every entry. A central difference of a float64
loss near 1 carries rounding noise of about ``ulp / eps`` (2e-10 with eps=1e-6)
times the rounding steps in the loss; an analytic gradient near zero can never
match that noise relatively (``torch.autograd.gradcheck`` has ``atol`` for the
same reason, 1e-5 by default)."""


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`check_gradients`: the worst relative error and where.

    An entry's relative error is ``max(|a - n| - atol, 0) / (|a| + |n|)`` for
    its analytic gradient ``a`` and numeric gradient ``n`` (0 when they differ
    by at most ``atol``).
    """

    max_relative_error: float
    worst: str
    n_checked: int

    def __bool__(self) -> bool:
        return self.max_relative_error < 1e-5


def _loss(model: Layer, x: Array, labels: Array) -> float:
    return float(F.cross_entropy(model.forward(x), labels))


def check_gradients(
    model: Layer, x: Array, labels: Array, *, n_checks: int = 10, eps: float = 1e-6, atol: float = DEFAULT_ATOL,
    seed: int = 0,
) -> GradientCheck:
    """Check backprop of `model` under softmax cross-entropy at random entries.

    For `n_checks` random entries of every parameter (and of the input), the
    analytic gradient ``a`` is compared with the central difference
    ``n = (L(w + eps) - L(w - eps)) / (2 eps)``. Use float64 parameters and
    inputs, and put the model in eval mode if it has dropout. An entry passes
    when ``|a - n| <= atol + 1e-5 (|a| + |n|)``: relatively for gradients of
    ordinary size, absolutely for those near zero, where the numeric one is
    rounding noise.

    Parameters
    ----------
    model : Layer
    x : array, shape ``(m, ...)``
        The input, as `model` takes it (NHWC ``(m, H, W, C)`` for convolutions).
    labels : int array, shape ``(m,)``
    n_checks : int
        Entries probed per parameter and in the input, at least 1.
    eps : float
        Step of the central difference, > 0.
    atol : float
        Absolute difference forgiven in every entry, >= 0 (default
        :data:`DEFAULT_ATOL`).
    seed : int
        Picks the entries.

    Returns
    -------
    GradientCheck
        Truthy when every entry passes.
    """
    n_checks = as_int("n_checks", n_checks, minimum=1)
    for name, value, low in (("eps", eps, "> 0"), ("atol", atol, ">= 0")):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            msg = f"`{name}` must be a finite number {low}, got {type(value).__name__} {value!r}"
            raise TypeError(msg)
        if not math.isfinite(value) or value < 0 or (name == "eps" and value == 0):
            msg = f"`{name}` must be a finite number {low}, got {value!r}"
            raise ValueError(msg)
    xp = array_namespace(x)
    rng = np.random.default_rng(seed)
    logits = model.forward(x)
    dx = to_numpy(model.backward(F.cross_entropy_backward(1.0, logits, labels)))
    targets = [(name, p, to_numpy(p.grad)) for name, p in model.named_parameters()]
    worst, worst_where, count = 0.0, "", 0

    def record(analytic: float, numeric: float, where: str) -> None:
        nonlocal worst, worst_where, count
        excess = abs(analytic - numeric) - atol
        error = excess / (abs(analytic) + abs(numeric)) if excess > 0 else 0.0
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
