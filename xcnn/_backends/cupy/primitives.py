"""CuPy's faster steps: windows through strided views, and folds in one raw-kernel launch.

Each CuPy operation is a kernel launch costing more host time than a
pooling layer's or a small convolution's arithmetic, so CuPy asks for the
strategies with the fewest, largest operations: pooling reduces one window
view instead of each offset, depthwise convolution runs on unfolded
columns, the convolution's input gradient is one product and one fold, and
the fold and the spread of a window's values are one launch each
(:mod:`xcnn._backends.cupy.kernels`). Measurements: BENCHMARKS.md, "Why each path exists".
Importing this package does not import CuPy.
"""

from __future__ import annotations

from typing import Any

from ..._geometry import Windows
from .kernels import fold_windows

__all__ = ["FIELDS", "fold", "spread", "window_view"]


def window_view(x_pad: Any, win: Windows) -> Any:
    """All windows as a ``(m, out_h, out_w, kh, kw, C)`` strided view, without copying."""
    from cupy.lib.stride_tricks import as_strided

    shape, strides = win.view_layout(x_pad.shape, x_pad.strides)  # strides in bytes
    return as_strided(x_pad, shape=shape, strides=strides)


def fold(dcols: Any, win: Windows, m: int, channels: int) -> Any:
    """col2im in one launch instead of kh*kw + 1."""
    return fold_windows(dcols, win, m, channels, per_offset=True)


def spread(dy: Any, win: Windows, m: int, channels: int) -> Any:
    """Each window's value at all its positions, in one launch instead of kh + kw + 2."""
    return fold_windows(dy, win, m, channels, per_offset=False)


FIELDS: dict[str, Any] = {
    "name": "CuPy",
    "window_view": window_view,
    "fold": fold,
    "spread": spread,
    "reduce_over_view": True,
    "depthwise_by_columns": True,
    "one_product_input_gradient": True,
}
"""What CuPy replaces in the reference, by :class:`~xcnn._reference.primitives.Primitives` field."""
