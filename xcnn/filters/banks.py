"""Filter banks ``(f, f, n_C_prev, n_C)`` built from ``(f, f)`` kernels."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from .._validation import as_int, check_floating, check_ndim, common_float_dtype, describe, namespace_of
from ..backend import Array, device_context

__all__ = ["all_channels_filter", "channel_filter", "stack_filters"]


def _kernel_2d(kernel: Array) -> tuple[ModuleType, Any]:
    xp, device = namespace_of(kernel=kernel)
    check_ndim("kernel", kernel, 2, "(f, f)")
    check_floating("kernel", kernel, xp)
    return xp, device


def channel_filter(kernel: Array, channel: int, n_channels: int = 3) -> Array:
    """A filter that applies `kernel` to one input channel and ignores the others.

    The tutorial's "vertical edges of the red channel": ``channel_filter(
    vertical_edge(), 0)`` on RGB images.

    Parameters
    ----------
    kernel : array, shape ``(f_h, f_w)``
    channel : int
        ``0 <= channel < n_channels``; for RGB 0 is red, 1 green, 2 blue.
    n_channels : int
        ``n_C_prev``, the number of input channels.

    Returns
    -------
    array, shape ``(f_h, f_w, n_channels, 1)``
        Zero except ``[:, :, channel, 0] == kernel``; `kernel`'s namespace,
        device and dtype.
    """
    xp, device = _kernel_2d(kernel)
    n_channels = as_int("n_channels", n_channels, minimum=1)
    channel = as_int("channel", channel, minimum=0)
    if channel >= n_channels:
        msg = f"`channel` must be < n_channels = {n_channels}, got {channel}"
        raise ValueError(msg)
    f_h, f_w = kernel.shape
    with device_context(xp, device):
        one_hot = xp.astype(xp.arange(n_channels, device=device) == channel, kernel.dtype)
        return xp.reshape(kernel, (f_h, f_w, 1, 1)) * xp.reshape(one_hot, (1, 1, n_channels, 1))


def all_channels_filter(kernel: Array, n_channels: int = 3) -> Array:
    """A filter that applies `kernel` to every input channel and sums: the whole image's edges.

    On RGB input its response is the sum of the three channels' responses,
    that is ``3 *`` the response on the channel mean.

    Parameters
    ----------
    kernel : array, shape ``(f_h, f_w)``
    n_channels : int
        ``n_C_prev``, the number of input channels.

    Returns
    -------
    array, shape ``(f_h, f_w, n_channels, 1)``
        ``[:, :, c, 0] == kernel`` for every ``c``.
    """
    xp, device = _kernel_2d(kernel)
    n_channels = as_int("n_channels", n_channels, minimum=1)
    f_h, f_w = kernel.shape
    with device_context(xp, device):
        ones = xp.ones((1, 1, n_channels, 1), dtype=kernel.dtype, device=device)
        return xp.reshape(kernel, (f_h, f_w, 1, 1)) * ones


def stack_filters(filters: Sequence[Array]) -> Array:
    """Stack filters as the output channels of one bank, for one :func:`xcnn.conv_forward` call.

    Parameters
    ----------
    filters : sequence of arrays
        Each ``(f_h, f_w)`` (a single-channel kernel), ``(f_h, f_w, n_C_prev)``
        (one filter) or ``(f_h, f_w, n_C_prev, k)`` (a bank of k filters), all
        with the same ``f_h``, ``f_w`` and ``n_C_prev`` (1 for 2-D kernels),
        namespace and device.

    Returns
    -------
    array, shape ``(f_h, f_w, n_C_prev, n_C)``
        ``n_C`` is the total number of filters, in order. Dtypes are promoted.

    Examples
    --------
    >>> import xcnn.filters as xf
    >>> bank = xf.stack_filters([xf.all_channels_filter(xf.vertical_edge()),
    ...                          xf.all_channels_filter(xf.horizontal_edge())])
    >>> bank.shape
    (3, 3, 3, 2)
    """
    if isinstance(filters, (str, bytes)) or not isinstance(filters, Sequence):
        msg = f"`filters` must be a list of arrays, got {describe(filters)}"
        raise TypeError(msg)
    if len(filters) == 0:
        msg = "`filters` must hold at least one filter, got an empty sequence"
        raise ValueError(msg)
    named = {f"filters[{i}]": f for i, f in enumerate(filters)}
    xp, device = namespace_of(**named)
    dtype = common_float_dtype(xp, **named)
    banks = []
    for name, f in named.items():
        if f.ndim not in (2, 3, 4):
            msg = (
                f"`{name}` must be (f_h, f_w), (f_h, f_w, n_C_prev) or (f_h, f_w, n_C_prev, k), "
                f"got shape {tuple(f.shape)}"
            )
            raise ValueError(msg)
        shape = (*f.shape, *(1,) * (4 - f.ndim))
        if banks and shape[:3] != tuple(banks[0].shape[:3]):
            msg = (
                f"`{name}` has (f_h, f_w, n_C_prev) = {shape[:3]}, but `filters[0]` has "
                f"{tuple(banks[0].shape[:3])}; stacked filters must agree on all three"
            )
            raise ValueError(msg)
        banks.append(xp.reshape(xp.astype(f, dtype, copy=False), shape))
    with device_context(xp, device):
        return banks[0] if len(banks) == 1 else xp.concat(banks, axis=3)


