"""Max and average pooling forward and backward on NHWC arrays.

Private core over the shared windowing helpers; arguments arrive checked and
normalised.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from . import _windows
from ._windows import Windows
from .backend import Array


def max_forward(x: Array, win: Windows, xp: ModuleType, device: Any) -> Array:
    """Maximum over each window: ``(m, out_h, out_w, C)``."""
    x_pad = _windows.pad(x, win.padding, -float("inf"), xp)
    values, _ = _windows.window_argmax(x_pad, win, xp, device)
    return values


def max_backward(dy: Array, x: Array, win: Windows, xp: ModuleType, device: Any) -> Array:
    """Gradient of :func:`max_forward`: each window's gradient goes to exactly
    one input, its first maximum in row-major order (PyTorch's rule)."""
    x_pad = _windows.pad(x, win.padding, -float("inf"), xp)
    _, argmax = _windows.window_argmax(x_pad, win, xp, device)
    dx_pad = _windows.route_to_argmax(dy, argmax, win, x.shape[3], xp, device)
    return _windows.unpad(dx_pad, win.padding)


def avg_forward(x: Array, win: Windows, xp: ModuleType) -> Array:
    """Mean over each window (padding counts as zeros): ``(m, out_h, out_w, C)``."""
    x_pad = _windows.pad(x, win.padding, 0, xp)
    return _windows.window_sum(x_pad, win) / win.n_offsets


def avg_backward(dy: Array, channels: int, win: Windows, xp: ModuleType, device: Any) -> Array:
    """Gradient of :func:`avg_forward`: each window's gradient split evenly."""
    dx_pad = _windows.spread(dy / win.n_offsets, win, channels, xp, device)
    return _windows.unpad(dx_pad, win.padding)
