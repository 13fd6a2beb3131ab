"""Edge maps of image batches: :func:`detect_edges`."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .._validation import as_int, describe, dtype_name, is_chunked, namespace_of, shown
from ..backend import Array, device_context
from ..tutorial import conv_forward
from .banks import stack_filters
from .kernels import horizontal_edge, scharr, sobel, vertical_edge

__all__ = ["detect_edges"]

_METHODS = ("sobel", "scharr", "vertical", "horizontal")
_PADDINGS = ("same", "valid")
_PADDING_MODES = ("zeros", "replicate")  # PyTorch's names
_BT601 = (0.299, 0.587, 0.114)  # ITU-R BT.601 luma weights for R, G, B
_CHUNK_PIXELS = 2**20  # pixels per chunk in detect_edges: ~36 MB of float32 im2col columns


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
        msg = f"`method` must be one of {list(_METHODS)}, got {shown(method)}"
        raise ValueError(msg)
    if padding not in _PADDINGS:
        msg = f"`padding` must be one of {list(_PADDINGS)}, got {shown(padding)}"
        raise ValueError(msg)
    if padding_mode not in _PADDING_MODES:
        msg = f"`padding_mode` must be one of {list(_PADDING_MODES)}, got {shown(padding_mode)}"
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
        if 0 < m <= chunk_size or is_chunked(images):  # a dask array is computed chunk by chunk already
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
