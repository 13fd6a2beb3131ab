"""Normalise the functional API's options once, before any array work.

``stride=2`` becomes ``(2, 2)``, ``padding="same"`` becomes
``((top, bottom), (left, right))``, and so on; every bad value raises with the
argument's name, what came in and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._validation import as_int, shown
from .._geometry import Pair, Windows
from ..backend import Array

Padding = tuple[Pair, Pair]


def pair(name: str, value: Any, *, minimum: int) -> Pair:
    """An int or an ``(h, w)`` pair of ints >= `minimum` -> ``(h, w)``."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            msg = f"`{name}` must be an int or an (h, w) pair, got {shown(value)}"
            raise ValueError(msg)
        return (as_int(f"{name}[0]", value[0], minimum=minimum), as_int(f"{name}[1]", value[1], minimum=minimum))
    n = as_int(name, value, minimum=minimum)
    return (n, n)


def conv_padding(padding: Any, kernel: Pair, dilation: Pair, stride: Pair) -> Padding:
    """``padding`` of :func:`conv2d` -> ``((top, bottom), (left, right))``.

    Accepts an int, an ``(h, w)`` pair, ``((top, bottom), (left, right))``,
    ``"valid"`` (no padding) or ``"same"`` (stride 1 only; output size equals
    input size; an odd total puts the extra row/column at the bottom/right, as
    PyTorch does).
    """
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            if stride != (1, 1):
                msg = f"`padding`='same' needs stride 1, got stride={stride}; give the padding as numbers instead"
                raise ValueError(msg)
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)  # type: ignore[return-value]
        msg = f"`padding` must be an int, a pair, ((top, bottom), (left, right)), 'valid' or 'same'; got {shown(padding)}"
        raise ValueError(msg)
    if (
        isinstance(padding, Sequence)
        and len(padding) == 2
        and all(isinstance(p, Sequence) and not isinstance(p, str) for p in padding)
    ):
        sides = []
        for axis, side_pair in zip(("top/bottom", "left/right"), padding):
            if len(side_pair) != 2:
                msg = f"`padding` ({axis}) must be a (before, after) pair, got {shown(side_pair)}"
                raise ValueError(msg)
            sides.append(tuple(as_int(f"padding ({axis})", p, minimum=0) for p in side_pair))
        return tuple(sides)  # type: ignore[return-value]
    ph, pw = pair("padding", padding, minimum=0)
    return ((ph, ph), (pw, pw))


def pool_padding(padding: Any, kernel: Pair) -> Padding:
    """``padding`` of the pooling functions: int or ``(h, w)``, at most half the kernel.

    Half the kernel size, not of the dilated window, as PyTorch checks it: a
    window then always holds at least one real input.
    """
    ph, pw = pair("padding", padding, minimum=0)
    for p, k, axis in zip((ph, pw), kernel, ("height", "width")):
        if p > k // 2:
            msg = (
                f"`padding` must be at most half the kernel size; got padding {p} "
                f"for kernel size {k} along the {axis} (at most {k // 2})"
            )
            raise ValueError(msg)
    return ((ph, ph), (pw, pw))


def windows(x: Array, x_name: str, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair, *, ceil_mode: bool = False) -> Windows:
    """Build the window geometry and check that a window fits the padded input.

    `x` may hold no samples (``m = 0`` gives an empty output, as in PyTorch),
    but each sample must have pixels and channels: PyTorch refuses an empty
    image, and zero channels have nothing to convolve or pool.
    """
    if 0 in tuple(x.shape[1:]):
        msg = (
            f"`{x_name}` must have images of at least 1x1 pixels and at least one channel (m, H, W, C) "
            f"with H, W, C >= 1 (m may be 0), got shape {tuple(x.shape)}"
        )
        raise ValueError(msg)
    win = Windows(
        in_size=(x.shape[1], x.shape[2]),
        kernel=kernel,
        stride=stride,
        dilation=dilation,
        padding=padding,
        ceil_mode=ceil_mode,
    )
    (top, bottom), (left, right) = padding
    height, width = x.shape[1] + top + bottom, x.shape[2] + left + right
    span_h, span_w = win.span
    if span_h > height or span_w > width:
        msg = (
            f"the kernel (size {kernel}, dilation {dilation}: a {span_h}x{span_w} window) is larger than "
            f"the padded input `{x_name}` ({height}x{width} = {tuple(x.shape[1:3])} plus padding {padding}); "
            "use a smaller kernel or more padding"
        )
        raise ValueError(msg)
    return win
