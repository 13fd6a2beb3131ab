"""Max and average pooling forward and backward on NHWC arrays: the reference.

Arguments arrive checked and normalised. Semantics follow PyTorch's
``max_pool2d`` and ``avg_pool2d``: padding is ``-inf`` for max pooling,
zeros for average pooling; a ``ceil_mode`` window that hangs over the edge
sees only what is inside. Names no array library: faster single steps
arrive through `prims`.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from .._geometry import Windows
from .max_routing import route_to_first_max
from .primitives import Primitives
from .windows import from_tiles, pad, spread, unpad, window_max, window_sum

__all__ = ["avg_backward", "avg_divisor", "avg_forward", "max_backward", "max_forward"]

Array = Any


def max_forward(x: Array, win: Windows, xp: ModuleType, prims: Primitives) -> Array:
    """Maximum over each window: ``(m, out_h, out_w, C)``."""
    return window_max(pad(x, win.full_padding, -math.inf, xp), win, xp, prims)


def max_backward(dy: Array, x: Array, win: Windows, xp: ModuleType, prims: Primitives) -> Array:
    """Gradient of :func:`max_forward`: each window's gradient goes to exactly
    one input where PyTorch's CPU kernel sends it: the first maximum in
    row-major order, the last NaN of a window holding NaN, the first cell
    inside the input of a window of -inf (see
    :func:`xcnn._reference.max_routing.route_to_first_max`)."""
    x_pad = pad(x, win.full_padding, -math.inf, xp)
    best = window_max(x_pad, win, xp, prims)
    return unpad(route_to_first_max(dy, x_pad, best, win, xp, prims), win.full_padding)


def _axis_counts(n: int, lo: int, hi: int, k: int, st: int, out: int, include_pad: bool, xp: ModuleType, dtype: Any, device: Any) -> Array:
    """Number of cells each window covers along one axis (PyTorch's divisor rule).

    A window starting at ``start`` covers ``[start, start + k)`` clipped to
    ``[-lo, n + hi)`` when padding counts, else to ``[0, n)``.
    """
    start = xp.arange(out, dtype=xp.int64, device=device) * st - lo
    if include_pad:
        end = xp.clip(start + k, max=n + hi)
    else:
        end = xp.clip(start + k, max=n)
        start = xp.clip(start, min=0)
    return xp.astype(end - start, dtype)


def avg_divisor(win: Windows, count_include_pad: bool, divisor_override: int | None, xp: ModuleType, dtype: Any, device: Any) -> Array | int:
    """The number each window's sum is divided by: an int, or ``(out_h, out_w, 1)``."""
    if divisor_override is not None:
        return divisor_override
    no_overhang = win.full_padding == win.padding
    if no_overhang and count_include_pad:
        return win.n_offsets  # every window is whole: the common case stays cheap
    (lo_h, hi_h), (lo_w, hi_w) = win.padding
    (kh, kw), (sh, sw), (out_h, out_w) = win.kernel, win.stride, win.out_size
    rows = _axis_counts(win.in_size[0], lo_h, hi_h, kh, sh, out_h, count_include_pad, xp, dtype, device)
    cols = _axis_counts(win.in_size[1], lo_w, hi_w, kw, sw, out_w, count_include_pad, xp, dtype, device)
    return xp.reshape(rows, (out_h, 1, 1)) * xp.reshape(cols, (1, out_w, 1))


def avg_forward(x: Array, win: Windows, divisor: Array | int, xp: ModuleType, prims: Primitives) -> Array:
    """Sum over each window divided by `divisor`: ``(m, out_h, out_w, C)``."""
    return window_sum(pad(x, win.full_padding, 0, xp), win, xp, prims) / divisor


def avg_backward(dy: Array, channels: int, win: Windows, divisor: Array | int, xp: ModuleType, prims: Primitives) -> Array:
    """Gradient of :func:`avg_forward`: each window's gradient split evenly."""
    if win.is_tiled and isinstance(divisor, int):
        m, out_h, out_w, _ = dy.shape
        (kh, kw) = win.kernel
        share = xp.reshape(dy / divisor, (m, out_h, 1, out_w, 1, channels))
        return from_tiles(xp.broadcast_to(share, (m, out_h, kh, out_w, kw, channels)), win, xp)
    return unpad(spread(dy / divisor, win, channels, xp, prims), win.full_padding)
