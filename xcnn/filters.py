"""Edge-detection kernels, filter banks, and edge maps of image batches.

The tutorial opens with edge detection: a 3x3 kernel slid over the image
(cross-correlation, no flip, as :func:`xcnn.conv_forward` does). Its vertical
detector ``[[1, 0, -1]] * 3`` gives +30 where a bright left half (10) meets a
dark right half (0).

Axes are image coordinates: ``"x"`` (or 1) runs along the width, columns,
rightwards; ``"y"`` (or 0) runs along the height, rows, downwards. These are
the axis numbers of a 2-D image array, as in ``scipy.ndimage.sobel(image,
axis)``. A kernel for axis ``"x"`` measures change along x, so it responds to
**vertical** edges; one for ``"y"`` responds to **horizontal** edges. Signs
follow the tutorial: the response is positive where brightness *falls* along
the axis (bright left / dark right, bright top / dark bottom), the opposite
sign of ``scipy.ndimage.sobel``.

Layouts: a kernel is ``(f, f)``; a filter bank is ``(f, f, n_C_prev, n_C)``,
the ``W`` of :func:`xcnn.conv_forward`; images are NHWC ``(m, H, W, C)``.

Functions with no array input (:func:`sobel`, ...) take keyword-only ``xp``,
``device`` and ``dtype``: by default the selected backend
(:func:`xcnn.get_backend`), its device, and float32.
"""

from __future__ import annotations

import contextlib
import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from types import ModuleType
from typing import Any

from ._validation import (
    as_int,
    check_floating,
    check_ndim,
    common_float_dtype,
    describe,
    dtype_name,
    namespace_of,
)
from .backend import _NAMESPACES, Array, _dtype_for, device_context, get_backend
from .tutorial import conv_forward

__all__ = [
    "all_channels_filter",
    "channel_filter",
    "detect_edges",
    "horizontal_edge",
    "oriented_edge",
    "scharr",
    "sobel",
    "stack_filters",
    "vertical_edge",
]

_VERTICAL = ((1.0, 0.0, -1.0),) * 3
_SOBEL_X = ((1.0, 0.0, -1.0), (2.0, 0.0, -2.0), (1.0, 0.0, -1.0))
_SCHARR_X = ((3.0, 0.0, -3.0), (10.0, 0.0, -10.0), (3.0, 0.0, -3.0))
_AXES = {"x": 1, "y": 0, 1: 1, 0: 0}
_METHODS = ("sobel", "scharr", "vertical", "horizontal")
_PADDINGS = ("same", "valid")
_PADDING_MODES = ("zeros", "replicate")  # PyTorch's names
_BT601 = (0.299, 0.587, 0.114)  # ITU-R BT.601 luma weights for R, G, B
_CHUNK_PIXELS = 2**20  # pixels per chunk in detect_edges: ~36 MB of float32 im2col columns


# --- kernels ------------------------------------------------------------------------


def _target(xp: ModuleType | None, device: Any, dtype: Any) -> tuple[ModuleType, Any, Any]:
    """Resolve the keyword-only ``xp``/``device``/``dtype`` of a creation function."""
    if xp is None:
        backend = get_backend()
        xp, device = backend.xp, backend.device if device is None else device
    elif getattr(xp, "__name__", None) in ("numpy", "torch", "cupy"):
        xp = importlib.import_module(_NAMESPACES[xp.__name__])  # plain module -> array-API wrapper
    resolved = _dtype_for(xp, "float32" if dtype is None else dtype)
    if not xp.isdtype(resolved, "real floating"):
        msg = f"`dtype` must be a real floating dtype (float16/32/64), got {dtype!r}"
        raise TypeError(msg)
    return xp, device, resolved


def _on(xp: ModuleType, device: Any) -> contextlib.AbstractContextManager[Any]:
    return contextlib.nullcontext() if device is None else device_context(xp, device)


def _make(rows: Sequence[Sequence[float]], xp: ModuleType | None, device: Any, dtype: Any) -> Array:
    xp, device, dtype = _target(xp, device, dtype)
    with _on(xp, device):
        return xp.asarray([list(r) for r in rows], dtype=dtype, device=device)


def _transpose(rows: Sequence[Sequence[float]]) -> tuple[tuple[float, ...], ...]:
    return tuple(zip(*rows))


def _axis(axis: Any) -> int:
    key = axis.lower() if isinstance(axis, str) else axis
    if isinstance(axis, bool) or key not in _AXES:
        msg = (
            f"`axis` must be 'x' or 1 (change along the width: vertical edges) "
            f"or 'y' or 0 (change along the height: horizontal edges), got {axis!r}"
        )
        raise ValueError(msg)
    return _AXES[key]


def vertical_edge(*, xp: ModuleType | None = None, device: Any = None, dtype: Any = None) -> Array:
    """The tutorial's vertical edge detector ``[[1, 0, -1], [1, 0, -1], [1, 0, -1]]``.

    Parameters
    ----------
    xp : array namespace, optional
        For example ``array_api_compat.numpy`` or ``array_api_strict``; plain
        ``numpy``, ``torch`` and ``cupy`` modules are accepted too. Default:
        the selected backend, and then `device` defaults to its device.
    device : device, optional
        Default: the selected backend's device, or `xp`'s default device.
    dtype : str or dtype, optional
        A real floating dtype, ``"float32"`` by default.

    Returns
    -------
    array, shape ``(3, 3)``

    Examples
    --------
    >>> import xcnn.filters as xf
    >>> xf.vertical_edge()
    array([[ 1.,  0., -1.],
           [ 1.,  0., -1.],
           [ 1.,  0., -1.]], dtype=float32)
    """
    return _make(_VERTICAL, xp, device, dtype)


def horizontal_edge(*, xp: ModuleType | None = None, device: Any = None, dtype: Any = None) -> Array:
    """The tutorial's horizontal edge detector ``[[1, 1, 1], [0, 0, 0], [-1, -1, -1]]``.

    The transpose of :func:`vertical_edge`; positive where a bright top meets
    a dark bottom. Keywords as in :func:`vertical_edge`; returns ``(3, 3)``.
    """
    return _make(_transpose(_VERTICAL), xp, device, dtype)


def sobel(axis: str | int, *, xp: ModuleType | None = None, device: Any = None, dtype: Any = None) -> Array:
    """Sobel kernel: ``[[1, 0, -1], [2, 0, -2], [1, 0, -1]]`` for ``"x"``, its transpose for ``"y"``.

    Parameters
    ----------
    axis : {"x", 1, "y", 0}
        ``"x"`` (or 1) measures change along the width and responds to vertical
        edges; ``"y"`` (or 0) measures change along the height and responds to
        horizontal edges. Correlating with ``sobel(axis)`` equals
        ``-scipy.ndimage.sobel(image, axis)`` on interior pixels.
    xp, device, dtype
        As in :func:`vertical_edge`.

    Returns
    -------
    array, shape ``(3, 3)``
    """
    rows = _SOBEL_X if _axis(axis) == 1 else _transpose(_SOBEL_X)
    return _make(rows, xp, device, dtype)


def scharr(axis: str | int, *, xp: ModuleType | None = None, device: Any = None, dtype: Any = None) -> Array:
    """Scharr kernel: ``[[3, 0, -3], [10, 0, -10], [3, 0, -3]]`` for ``"x"``, its transpose for ``"y"``.

    Better rotation symmetry than Sobel. `axis` and keywords as in :func:`sobel`;
    returns ``(3, 3)``.
    """
    rows = _SCHARR_X if _axis(axis) == 1 else _transpose(_SCHARR_X)
    return _make(rows, xp, device, dtype)


def _cos_sin(degrees: float) -> tuple[float, float]:
    # Exact at multiples of 90 degrees, so oriented_edge(90) is sobel("y") to the bit.
    quarter = degrees / 90.0
    if quarter == round(quarter):
        return ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))[round(quarter) % 4]
    radians = math.radians(degrees)
    return math.cos(radians), math.sin(radians)


def oriented_edge(
    angle_degrees: float, *, xp: ModuleType | None = None, device: Any = None, dtype: Any = None
) -> Array:
    """A 3x3 edge detector for any direction: ``cos(a) * sobel("x") + sin(a) * sobel("y")``.

    The tutorial's "parametrised filter" whose nine weights are set by hand.
    In image coordinates (x rightwards, y downwards) the response is about
    ``-8 * (gradient . (cos a, sin a))``: largest where brightness falls
    fastest in direction ``(cos a, sin a)``, that is across edges that run at
    ``a + 90`` degrees. ``0`` gives ``sobel("x")`` (vertical edges), ``90``
    gives ``sobel("y")`` (horizontal edges); since y points down, angles turn
    clockwise on screen.

    Parameters
    ----------
    angle_degrees : float
        Any finite angle in degrees.
    xp, device, dtype
        As in :func:`vertical_edge`.

    Returns
    -------
    array, shape ``(3, 3)``
    """
    if isinstance(angle_degrees, bool) or not isinstance(angle_degrees, Real):
        msg = f"`angle_degrees` must be a real number (degrees), got {describe(angle_degrees)}"
        raise TypeError(msg)
    if not math.isfinite(angle_degrees):
        msg = f"`angle_degrees` must be finite, got {angle_degrees!r}"
        raise ValueError(msg)
    c, s = _cos_sin(float(angle_degrees))
    rows = tuple(
        tuple(c * kx + s * ky for kx, ky in zip(row_x, row_y))
        for row_x, row_y in zip(_SOBEL_X, _transpose(_SOBEL_X))
    )
    return _make(rows, xp, device, dtype)


# --- filter banks (f, f, n_C_prev, n_C) -------------------------------------------------


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


# --- edge maps ------------------------------------------------------------------------------


def _edge_bank(method: str, xp: ModuleType, device: Any, dtype: Any) -> Array:
    """``(3, 3, 1, k)``: the x kernel then the y kernel (one of them for vertical/horizontal)."""
    make = {"sobel": sobel, "scharr": scharr}
    where = {"xp": xp, "device": device, "dtype": dtype}
    if method in make:
        kernels = [make[method]("x", **where), make[method]("y", **where)]
    else:
        kernels = [vertical_edge(**where) if method == "vertical" else horizontal_edge(**where)]
    return stack_filters(kernels)


def _check_images(images: Array, xp: ModuleType) -> None:
    shapes = "(m, H, W), (m, H, W, 1) or (m, H, W, 3)"
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[3] not in (1, 3)):
        msg = f"`images` must be a batch of shape {shapes}, got shape {tuple(images.shape)}"
        if images.ndim == 2 or (images.ndim == 3 and images.shape[2] == 3):
            msg += "; for a single image pass images[None]"
        raise ValueError(msg)
    if not (xp.isdtype(images.dtype, "real floating") or xp.isdtype(images.dtype, ("integral", "bool"))):
        msg = f"`images` must hold real numbers (uint8, int or float), got dtype {dtype_name(images.dtype)}"
        raise TypeError(msg)


def _replicate_border(x: Array, xp: ModuleType) -> Array:
    """Pad the two spatial axes of NHWC `x` by one pixel, repeating the outermost rows and columns."""
    x = xp.concat([x[:, :1, ...], x, x[:, -1:, ...]], axis=1)
    return xp.concat([x[:, :, :1, ...], x, x[:, :, -1:, ...]], axis=2)


@dataclass(frozen=True)
class _EdgeRun:
    """The edge computation of :func:`detect_edges` for one chunk of images, arguments checked."""

    method: str
    bank: Array  # (3, 3, 1, k): the x kernel then the y kernel, or the one kernel
    luma: Array  # (3, 1) BT.601 weights
    pad: int
    replicate: bool
    components: bool
    xp: ModuleType
    device: Any

    def __call__(self, batch: Array) -> tuple[Array, ...]:
        xp, dtype = self.xp, self.bank.dtype
        x = xp.astype(batch, dtype, copy=False)
        # (c, H, W, 3) @ (3, 1) -> (c, H, W, 1): one luminance channel, before the 9x im2col copy
        x = x @ self.luma if x.ndim == 4 and x.shape[3] == 3 else xp.reshape(x, (*x.shape[:3], 1))
        pad = self.pad
        if self.replicate and pad:
            x, pad = _replicate_border(x, xp), 0
        bias = xp.zeros((1, 1, 1, self.bank.shape[3]), dtype=dtype, device=self.device)
        z, _ = conv_forward(x, self.bank, bias, {"stride": 1, "pad": pad})
        if self.bank.shape[3] == 2:
            gx, gy = z[..., 0], z[..., 1]
            magnitude = xp.sqrt(gx * gx + gy * gy)
            return (magnitude, gx, gy) if self.components else (magnitude,)
        response = z[..., 0]
        if not self.components:
            return (xp.abs(response),)
        zero = xp.zeros(response.shape, dtype=dtype, device=self.device)
        gx, gy = (response, zero) if self.method == "vertical" else (zero, response)
        return xp.abs(response), gx, gy


def detect_edges(
    images: Array,
    /,
    *,
    method: str = "sobel",
    padding: str = "same",
    padding_mode: str = "zeros",
    return_components: bool = False,
    chunk_size: int | None = None,
) -> Array | tuple[Array, Array, Array]:
    """Edge map (gradient magnitude) of every image in a batch.

    RGB images are first turned into luminance with the ITU-R BT.601 weights
    ``0.299 R + 0.587 G + 0.114 B`` (so one edge map per image, in the units
    of the input); grayscale images are used as they are. Then one
    :func:`xcnn.conv_forward` call per chunk correlates them with the x and y
    kernels of `method`, giving ``gx`` and ``gy``, and the magnitude is
    ``sqrt(gx**2 + gy**2)``.

    Parameters
    ----------
    images : array, shape ``(m, H, W)``, ``(m, H, W, 1)`` or ``(m, H, W, 3)``
        A batch, of any backend and device. Integer or bool images (uint8
        photographs) are converted to float32 chunk by chunk; float images
        keep their dtype. Values are not rescaled.
    method : {"sobel", "scharr", "vertical", "horizontal"}
        ``"sobel"`` and ``"scharr"`` use :func:`sobel` / :func:`scharr` for
        both axes. ``"vertical"`` uses only :func:`vertical_edge` (``gy`` is
        zero) and ``"horizontal"`` only :func:`horizontal_edge` (``gx`` is
        zero), so their magnitude is the absolute response of the tutorial's
        single detector.
    padding : {"same", "valid"}
        ``"same"``: pad ``(f - 1) // 2 = 1`` pixel on each side, output
        ``(m, H, W)``; ``"valid"``: no padding, output ``(m, H - 2, W - 2)``,
        needs H, W >= 3.
    padding_mode : {"zeros", "replicate"}
        What ``"same"`` pads with. ``"zeros"`` is the tutorial's zero padding
        (:func:`xcnn.zero_pad`): against the zeros, the border of a bright
        image shows up as a frame of edges. ``"replicate"`` repeats the
        outermost pixels (``scipy.ndimage``'s ``mode="nearest"``), so the
        image's own border is no edge.
    return_components : bool
        Also return ``gx`` and ``gy``: the signed responses to vertical and to
        horizontal edges, positive where brightness falls to the right or
        downwards (see the module docstring).
    chunk_size : int, optional
        Images per :func:`xcnn.conv_forward` call, bounding the working memory
        (about ``60 * chunk_size * H * W`` bytes in float32 beyond the
        result). Default: as many as fit in about one million pixels, at least one.

    Returns
    -------
    magnitude : array, shape ``(m, H, W)`` or ``(m, H - 2, W - 2)``
        On `images`' backend and device.
    gx, gy : arrays, same shape
        Only with ``return_components=True``.

    Examples
    --------
    >>> import numpy as np, xcnn.filters as xf
    >>> step = np.repeat([[10, 10, 10, 0, 0, 0]], 6, axis=0)[None]
    >>> xf.detect_edges(step, method="vertical", padding="valid")[0]
    array([[ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.]], dtype=float32)
    """
    xp, device = namespace_of(images=images)
    if method not in _METHODS:
        msg = f"`method` must be one of {list(_METHODS)}, got {method!r}"
        raise ValueError(msg)
    if padding not in _PADDINGS:
        msg = f"`padding` must be one of {list(_PADDINGS)}, got {padding!r}"
        raise ValueError(msg)
    if padding_mode not in _PADDING_MODES:
        msg = f"`padding_mode` must be one of {list(_PADDING_MODES)}, got {padding_mode!r}"
        raise ValueError(msg)
    if not isinstance(return_components, bool):
        msg = f"`return_components` must be True or False, got {describe(return_components)}"
        raise TypeError(msg)
    _check_images(images, xp)
    m, height, width = images.shape[:3]
    pad = 1 if padding == "same" else 0
    if padding == "valid" and (height < 3 or width < 3):
        msg = f'`images` must be at least 3x3 for padding="valid" (3x3 kernels), got {height}x{width}'
        raise ValueError(msg)
    if chunk_size is None:
        chunk_size = max(1, _CHUNK_PIXELS // max(1, height * width))
    chunk_size = as_int("chunk_size", chunk_size, minimum=1)

    dtype = images.dtype if xp.isdtype(images.dtype, "real floating") else xp.float32
    with device_context(xp, device):
        bank = _edge_bank(method, xp, device, dtype)
        luma = xp.reshape(xp.asarray(_BT601, dtype=dtype, device=device), (3, 1))
        run = _EdgeRun(method, bank, luma, pad, padding_mode == "replicate", return_components, xp, device)
        if 0 < m <= chunk_size:
            result = run(images)
        else:
            out_shape = (m, height - 2 + 2 * pad, width - 2 + 2 * pad)
            result = tuple(
                xp.empty(out_shape, dtype=dtype, device=device) for _ in range(1 + 2 * return_components)
            )
            for start in range(0, m, chunk_size):
                stop = min(start + chunk_size, m)  # the standard leaves out-of-bounds stops undefined
                for out, part in zip(result, run(images[start:stop, ...])):
                    out[start:stop, ...] = part
    return result if return_components else result[0]
