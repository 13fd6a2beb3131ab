"""The benchmark's layer shapes: the fixed suite, a tiny one for smoke tests, and the loop baseline's.

Every case is float32 NHWC: ``x`` has shape ``(m, h, w, c)``; a convolution's
weights ``(f, f, c/groups, n_c)`` and bias ``(n_c,)``; the upstream gradient has
the forward output's shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FULL", "LOOP_PAIRS", "QUICK", "QUICK_LOOP_PAIRS", "Case", "host_data"]


@dataclass(frozen=True)
class Case:
    """One layer shape: a convolution (``n_c > 0``) or a pooling (``mode`` set).

    Attributes
    ----------
    m, h, w, c : int
        Batch, height, width and channels of the NHWC input.
    f, stride, pad : int
        Square kernel size, stride and zero padding on every side.
    n_c : int
        Output channels of a convolution; 0 for a pooling.
    groups : int
        Convolution groups; ``groups == c == n_c`` is a depthwise convolution.
    mode : str
        ``"max"`` or ``"average"`` for a pooling, ``""`` for a convolution.
    """

    m: int
    h: int
    w: int
    c: int
    f: int
    stride: int
    pad: int = 0
    n_c: int = 0
    groups: int = 1
    mode: str = ""

    @property
    def kind(self) -> str:
        """``"conv"`` or ``"pool"``."""
        return "pool" if self.mode else "conv"

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        """Forward output shape ``(m, out_h, out_w, n_c or c)``, ``out = (n + 2*pad - f) // stride + 1``."""
        out_h = (self.h + 2 * self.pad - self.f) // self.stride + 1
        out_w = (self.w + 2 * self.pad - self.f) // self.stride + 1
        return (self.m, out_h, out_w, self.n_c if self.n_c else self.c)

    @property
    def out_elements(self) -> int:
        """Number of elements of the forward output."""
        m, out_h, out_w, channels = self.out_shape
        return m * out_h * out_w * channels

    @property
    def flops(self) -> int | None:
        """Floating-point operations of forward + backward of a convolution; None for a pooling.

        The forward is a matrix product of ``M = m*out_h*out_w`` output pixels
        by ``K = f*f*c/groups`` window elements by ``N = n_c`` output channels,
        ``2*M*K*N`` flops (a multiply and an add each). The input gradient and
        the weight gradient are products of the same sizes, so forward +
        backward counts ``3 * 2*M*K*N``; the bias and its gradient are left out.
        """
        if self.mode:
            return None
        m, out_h, out_w, n_c = self.out_shape
        return 3 * 2 * (m * out_h * out_w) * (self.f * self.f * (self.c // self.groups)) * n_c

    @property
    def result_elements(self) -> int:
        """Elements of everything one forward + backward returns: output and gradients."""
        grads = self.m * self.h * self.w * self.c
        if not self.mode:
            grads += self.f * self.f * (self.c // self.groups) * self.n_c + self.n_c
        return self.out_elements + grads

    @property
    def label(self) -> str:
        """A short name, e.g. ``conv (64,32,32,16)->32 3x3 s1 p1``."""
        shape = f"({self.m},{self.h},{self.w},{self.c})"
        if self.mode:
            return f"{self.mode} pool {shape} {self.f}x{self.f} s{self.stride}"
        groups = f" g{self.groups}" if self.groups > 1 else ""
        return f"conv {shape}->{self.n_c} {self.f}x{self.f} s{self.stride} p{self.pad}{groups}"


def _conv(shape: tuple[int, int, int, int], n_c: int, f: int, stride: int = 1, pad: int = 0, groups: int = 1) -> Case:
    return Case(*shape, f=f, stride=stride, pad=pad, n_c=n_c, groups=groups)


def _pools(shape: tuple[int, int, int, int], sizes: tuple[tuple[int, int], ...]) -> list[Case]:
    return [Case(*shape, f=f, stride=s, mode=mode) for mode in ("max", "average") for f, s in sizes]


FULL = [
    _conv((64, 32, 32, 16), 32, 3, pad=1),
    _conv((32, 64, 64, 32), 64, 3, pad=1),
    _conv((64, 28, 28, 1), 32, 5, pad=2),
    _conv((16, 56, 56, 64), 64, 3, pad=1),
    _conv((32, 16, 16, 128), 128, 3, pad=1),
    _conv((64, 32, 32, 32), 32, 3, stride=2, pad=1),
    _conv((32, 32, 32, 64), 128, 1),
    _conv((32, 32, 32, 64), 64, 3, pad=1, groups=64),
    *_pools((32, 64, 64, 32), ((2, 2), (3, 2))),
]
"""The fixed suite of the speed issue: eight convolutions, four poolings."""

QUICK = [
    _conv((4, 8, 8, 3), 4, 3, pad=1),
    _conv((4, 8, 8, 3), 4, 3, stride=2),
    _conv((4, 8, 8, 4), 8, 1),
    _conv((4, 8, 8, 4), 4, 3, pad=1, groups=4),
    *_pools((4, 8, 8, 4), ((2, 2), (3, 2))),
]
"""Tiny shapes of every kind, for a smoke test (``--quick``)."""

LOOP_PAIRS = [
    (_conv((1, 8, 8, 16), 32, 3, pad=1), FULL[0]),
    (Case(1, 8, 8, 32, 2, 2, mode="max"), FULL[8]),
    (Case(1, 8, 8, 32, 2, 2, mode="average"), FULL[10]),
]
"""``(small, realistic)``: the loops run on the small shape, which has the
realistic shape's kernel, stride and channels, so that their cost per output
element carries over to the realistic one."""

QUICK_LOOP_PAIRS = [
    (_conv((1, 4, 4, 3), 4, 3, pad=1), QUICK[0]),
    (Case(1, 4, 4, 4, 2, 2, mode="max"), QUICK[4]),
]


def host_data(case: Case, dtype: str, seed: int = 0) -> dict[str, np.ndarray]:
    """Random NumPy inputs for `case`: ``x``, ``dy`` and, for a convolution, ``W`` and ``b``.

    Parameters
    ----------
    case : Case
    dtype : str
        ``"float32"`` or ``"float64"``.
    seed : int

    Returns
    -------
    dict of ndarray
        ``x`` ``(m, h, w, c)``, ``dy`` of :attr:`Case.out_shape`, ``W``
        ``(f, f, c/groups, n_c)``, ``b`` ``(n_c,)``.
    """
    rng = np.random.default_rng(seed)
    data = {"x": rng.standard_normal((case.m, case.h, case.w, case.c)), "dy": rng.standard_normal(case.out_shape)}
    if not case.mode:
        fan_in = case.f * case.f * (case.c // case.groups)
        data["W"] = rng.standard_normal((case.f, case.f, case.c // case.groups, case.n_c)) / np.sqrt(fan_in)
        data["b"] = rng.standard_normal(case.n_c)
    return {k: v.astype(dtype) for k, v in data.items()}
