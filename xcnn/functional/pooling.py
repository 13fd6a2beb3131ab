"""Max, average and global average pooling, forward and backward, NHWC.

Options and output sizes follow ``torch.nn.functional.max_pool2d`` and
``avg_pool2d`` exactly (``ceil_mode``, ``count_include_pad``,
``divisor_override``). Backwards take the upstream gradient and the
forward's input and options.
"""

from __future__ import annotations

from typing import Any

from .. import _ops
from .._calls import PoolCall
from .._geometry import Windows
from .._validation import as_int, check_floating, check_ndim, check_shape, common_float_dtype, namespace_of, shown
from ..backend import Array, device_context
from . import _args

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "global_avg_pool2d",
    "global_avg_pool2d_backward",
    "max_pool2d",
    "max_pool2d_backward",
]

_NHWC = "(m, H, W, C)"


_NAMES = {"x": "x", "dy": "dy"}


def _pool_windows(
    x: Array, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: Any, x_name: str = "x"
) -> Windows:
    check_ndim(x_name, x, 4, _NHWC)
    kernel = _args.pair("kernel_size", kernel_size, minimum=1)
    stride = kernel if stride is None else _args.pair("stride", stride, minimum=1)
    dilation = _args.pair("dilation", dilation, minimum=1)
    if not isinstance(ceil_mode, bool):
        msg = f"`ceil_mode` must be True or False, got {shown(ceil_mode)}"
        raise TypeError(msg)
    sides = _args.pool_padding(padding, kernel)
    return _args.windows(x, x_name, kernel, stride, sides, dilation, ceil_mode=ceil_mode)


def _check_dy(dy: Array, x: Array, win: Windows, dy_name: str = "dy") -> None:
    check_ndim(dy_name, dy, 4, _NHWC)
    check_shape(dy_name, dy, (x.shape[0], *win.out_size, x.shape[3]), "the shape of the forward output")


def max_pool2d(
    x: Array, kernel_size: Any, /, *, stride: Any = None, padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False
) -> Array:
    """Maximum over each (dilated) window of an NHWC batch.

    Parameters
    ----------
    x : array, shape ``(m, H, W, C)``
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default: `kernel_size`.
    padding : int or (int, int)
        ``-inf`` padding on both sides, at most half the kernel size.
    dilation : int or (int, int)
    ceil_mode : bool
        Round the output size up instead of down.

    Returns
    -------
    array, shape ``(m, out_h, out_w, C)``

    Examples
    --------
    >>> import numpy as np
    >>> from xcnn import functional as F
    >>> F.max_pool2d(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    return max_pool2d_named(x, kernel_size, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)


def max_pool2d_named(
    x: Array, kernel_size: Any, *, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
    names: dict[str, str] = _NAMES,
) -> Array:
    """:func:`max_pool2d` with the caller's argument names in its errors."""
    return _ops.run(max_pool2d_call(
        x, kernel_size, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode, names=names
    ))


def max_pool2d_call(
    x: Array, kernel_size: Any, *, stride: Any = None, padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
    names: dict[str, str] = _NAMES,
) -> PoolCall:
    """:func:`max_pool2d`'s arguments checked, as the dispatch table's call."""
    xp, device = namespace_of(**{names["x"]: x})
    check_floating(names["x"], x, xp)
    win = _pool_windows(x, kernel_size, stride, padding, dilation, ceil_mode, names["x"])
    return PoolCall("max_pool2d", xp, device, x.dtype, x=x, win=win)


def max_pool2d_backward(
    dy: Array, x: Array, kernel_size: Any, /, *, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False,
) -> Array:
    """Gradient of :func:`max_pool2d` with respect to `x`.

    Each window's gradient goes to exactly one input, where PyTorch's CPU
    kernel sends it: its first maximum in row-major order, or its last NaN if
    it holds one, or (all ``-inf``) its first cell inside the image;
    overlapping windows add up. See the README's "Numerical semantics".

    Returns
    -------
    dx : array, shape ``(m, H, W, C)``
    """
    return max_pool2d_backward_named(
        dy, x, kernel_size, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode
    )


def max_pool2d_backward_named(
    dy: Array, x: Array, kernel_size: Any, *, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
    names: dict[str, str] = _NAMES,
) -> Array:
    """:func:`max_pool2d_backward` with the caller's argument names in its errors."""
    return _ops.run(max_pool2d_backward_call(
        dy, x, kernel_size, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode, names=names
    ))


def max_pool2d_backward_call(
    dy: Array, x: Array, kernel_size: Any, *, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, names: dict[str, str] = _NAMES,
) -> PoolCall:
    """:func:`max_pool2d_backward`'s arguments checked, as the dispatch table's call."""
    xp, device = namespace_of(**{names["dy"]: dy, names["x"]: x})
    dtype = common_float_dtype(xp, **{names["dy"]: dy, names["x"]: x})
    win = _pool_windows(x, kernel_size, stride, padding, dilation, ceil_mode, names["x"])
    _check_dy(dy, x, win, names["dy"])
    return PoolCall("max_pool2d_backward", xp, device, dtype, x=x, dy=dy, win=win)


def _avg_options(count_include_pad: Any, divisor_override: Any) -> int | None:
    if not isinstance(count_include_pad, bool):
        msg = f"`count_include_pad` must be True or False, got {shown(count_include_pad)}"
        raise TypeError(msg)
    return None if divisor_override is None else as_int("divisor_override", divisor_override, minimum=1)


def avg_pool2d(
    x: Array, kernel_size: Any, /, *, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None,
) -> Array:
    """Mean over each window of an NHWC batch.

    Parameters
    ----------
    x : array, shape ``(m, H, W, C)``
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default: `kernel_size`.
    padding : int or (int, int)
        Zero padding on both sides, at most half the kernel.
    ceil_mode : bool
        Round the output size up; the last window's overhang is not counted.
    count_include_pad : bool
        Count padded zeros in the divisor (PyTorch's default).
    divisor_override : int, optional
        Divide every window's sum by this instead.

    Returns
    -------
    array, shape ``(m, out_h, out_w, C)``
    """
    return avg_pool2d_named(
        x, kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode,
        count_include_pad=count_include_pad, divisor_override=divisor_override,
    )


def avg_pool2d_named(
    x: Array, kernel_size: Any, *, stride: Any, padding: Any, ceil_mode: bool, count_include_pad: bool,
    divisor_override: int | None, names: dict[str, str] = _NAMES,
) -> Array:
    """:func:`avg_pool2d` with the caller's argument names in its errors."""
    return _ops.run(avg_pool2d_call(
        x, kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
        divisor_override=divisor_override, names=names,
    ))


def avg_pool2d_call(
    x: Array, kernel_size: Any, *, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None, names: dict[str, str] = _NAMES,
) -> PoolCall:
    """:func:`avg_pool2d`'s arguments checked, as the dispatch table's call."""
    xp, device = namespace_of(**{names["x"]: x})
    check_floating(names["x"], x, xp)
    divisor_override = _avg_options(count_include_pad, divisor_override)
    win = _pool_windows(x, kernel_size, stride, padding, 1, ceil_mode, names["x"])
    return PoolCall(
        "avg_pool2d", xp, device, x.dtype, x=x, win=win, count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def avg_pool2d_backward(
    dy: Array, x: Array, kernel_size: Any, /, *, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None,
) -> Array:
    """Gradient of :func:`avg_pool2d` with respect to `x`: each window's
    gradient divided by its divisor and spread over the window.

    Returns
    -------
    dx : array, shape ``(m, H, W, C)``
    """
    return avg_pool2d_backward_named(
        dy, x, kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode,
        count_include_pad=count_include_pad, divisor_override=divisor_override,
    )


def avg_pool2d_backward_named(
    dy: Array, x: Array, kernel_size: Any, *, stride: Any, padding: Any, ceil_mode: bool, count_include_pad: bool,
    divisor_override: int | None, names: dict[str, str] = _NAMES,
) -> Array:
    """:func:`avg_pool2d_backward` with the caller's argument names in its errors."""
    return _ops.run(avg_pool2d_backward_call(
        dy, x, kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
        divisor_override=divisor_override, names=names,
    ))


def avg_pool2d_backward_call(
    dy: Array, x: Array, kernel_size: Any, *, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None, names: dict[str, str] = _NAMES,
) -> PoolCall:
    """:func:`avg_pool2d_backward`'s arguments checked, as the dispatch table's call."""
    xp, device = namespace_of(**{names["dy"]: dy, names["x"]: x})
    dtype = common_float_dtype(xp, **{names["dy"]: dy, names["x"]: x})
    divisor_override = _avg_options(count_include_pad, divisor_override)
    win = _pool_windows(x, kernel_size, stride, padding, 1, ceil_mode, names["x"])
    _check_dy(dy, x, win, names["dy"])
    return PoolCall(
        "avg_pool2d_backward", xp, device, dtype, x=x, dy=dy, win=win, count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def global_avg_pool2d(x: Array, /) -> Array:
    """Mean over all spatial positions: ``(m, H, W, C)`` -> ``(m, C)``.

    Equals ``adaptive_avg_pool2d(x, 1)`` followed by a flatten.
    """
    xp, device = namespace_of(x=x)
    check_ndim("x", x, 4, _NHWC)
    check_floating("x", x, xp)
    with device_context(xp, device):
        return xp.mean(x, axis=(1, 2))


def global_avg_pool2d_backward(dy: Array, x: Array, /) -> Array:
    """Gradient of :func:`global_avg_pool2d`: ``dy / (H*W)`` at every position.

    Parameters
    ----------
    dy : array, shape ``(m, C)``
    x : array, shape ``(m, H, W, C)``, the forward's input
    """
    xp, device = namespace_of(dy=dy, x=x)
    check_ndim("x", x, 4, _NHWC)
    dtype = common_float_dtype(xp, dy=dy, x=x)
    check_shape("dy", dy, (x.shape[0], x.shape[3]), "(m, C) of the forward output")
    m, height, width, channels = x.shape
    with device_context(xp, device):
        share = xp.reshape(xp.astype(dy, dtype, copy=False), (m, 1, 1, channels)) / (height * width)
        return xp.zeros((m, height, width, channels), dtype=dtype, device=device) + share
