"""Digit images prepared as the training digits were: alpha compositing, cropping, scaling, centring.

The implementation of :func:`xcnn.data.prepare_digit` and
:func:`xcnn.data.composite_alpha` (import them from :mod:`xcnn.data`). NumPy
only: image files are decoded by the caller (Pillow, in the ``xcnn`` command).
"""

from __future__ import annotations

import numpy as np

__all__ = ["composite_alpha", "prepare_digit"]

_LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601, as xcnn.filters uses
_BLOCK = 4
"""UCI's digits are 32x32 bitmaps counted in 4x4 blocks: 8x8 pixels of 0..16 on pixels."""


def _unit_float(image: np.ndarray) -> np.ndarray:
    """`image` as float64 ``(H, W, C)`` in ``[0, 1]``: integers divided by their type's maximum."""
    x = np.asarray(image)
    if x.ndim == 2:
        x = x[..., None]
    if x.ndim != 3 or x.shape[-1] not in (1, 2, 3, 4) or 0 in x.shape:
        msg = f"`image` must be (H, W) or (H, W, C) with C in 1..4 (gray, +alpha, RGB, RGBA), got shape {x.shape}"
        raise ValueError(msg)
    if x.dtype == np.bool_:
        return x.astype(np.float64)
    if x.dtype.kind in "iu":
        return np.clip(x.astype(np.float64) / np.iinfo(x.dtype).max, 0.0, 1.0)
    if x.dtype.kind != "f" or not np.isfinite(x).all():
        msg = f"`image` must hold finite real numbers, got dtype {x.dtype}"
        raise TypeError(msg) if x.dtype.kind != "f" else ValueError(msg)
    return np.clip(x.astype(np.float64), 0.0, 1.0)


def composite_alpha(image: np.ndarray) -> np.ndarray:
    """An image with alpha (gray+alpha or RGBA) flattened onto its page colour.

    The page is white where the ink (the opaque pixels, weighted by alpha)
    is dark, black where it is light, so black strokes on a transparent
    background become black on white, the way an image viewer shows them on
    a light page; dropping the alpha channel instead would leave the
    transparent pixels' stored colour, often black, under black strokes.

    Parameters
    ----------
    image : array, shape ``(H, W, 2)`` or ``(H, W, 4)``
        Integers (scaled by their type's maximum) or floats in ``[0, 1]``.

    Returns
    -------
    numpy.ndarray
        ``(H, W, 1)`` or ``(H, W, 3)`` float32 in ``[0, 1]``.
    """
    x = _unit_float(image)
    if x.shape[-1] not in (2, 4):
        msg = f"`image` must have an alpha channel, (H, W, 2) or (H, W, 4), got shape {x.shape}"
        raise ValueError(msg)
    colour, alpha = x[..., :-1], x[..., -1:]
    luminance = colour @ _LUMA if colour.shape[-1] == 3 else colour[..., 0]
    opaque = float(alpha.sum())
    ink = float((luminance * alpha[..., 0]).sum()) / opaque if opaque > 0 else 0.0
    page = 1.0 if ink < 0.5 else 0.0
    return (colour * alpha + page * (1.0 - alpha)).astype(np.float32)


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """``(n_out, n_in)``: the share of each input pixel in each output pixel (exact area resampling)."""
    edges = np.arange(n_out + 1) * (n_in / n_out)
    lo, hi = edges[:-1, None], edges[1:, None]
    pixels = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, pixels + 1) - np.maximum(lo, pixels), 0.0, None)
    return overlap / (n_in / n_out)


def _shift(com: float, length: int, box: int) -> int:
    """Where a run of `length` pixels starts in `box` so that its centre of mass `com` sits at the middle."""
    return int(np.clip(round(box / 2 - com), 0, box - length))


def prepare_digit(image: np.ndarray, size: int = 8, *, margin: float = 0.0, threshold: float = 0.5) -> np.ndarray:
    """One digit from a photo, scan or drawing, made into a model input as the training digits were.

    The UCI 8x8 digits that ship with xcnn were made from 32x32 bitmaps of
    handwriting, the digit scaled so that its longer side fills the box,
    counted in 4x4 blocks (0..16 pixels on, stored here divided by 16). This
    does the same to any image:

    1. an alpha channel is composited onto the page colour (:func:`composite_alpha`);
    2. the image becomes luminance (ITU-R BT.601); the paper's brightness is
       the median of the border pixels, light or dark paper alike, and ink is
       the difference from it;
    3. ink is where that difference reaches `threshold` of its largest value;
       the image is cropped to the ink's bounding box;
    4. the crop is scaled (area resampling), keeping its aspect ratio, so that
       its longer side fills ``4 * size`` pixels less `margin` on each side,
       and thresholded at half coverage into a bitmap;
    5. the bitmap is placed in a ``4 * size`` square with its centre of mass
       at the middle (as far as the square allows);
    6. each 4x4 block's count of pixels on, divided by 16, is one input pixel.

    Parameters
    ----------
    image : array, shape ``(H, W)`` or ``(H, W, C)``
        Gray (C = 1), gray and alpha (2), RGB (3) or RGBA (4); integers
        (scaled by their type's maximum) or floats in ``[0, 1]``.
    size : int
        The model's input side (8 for the bundled digits).
    margin : float
        Empty border on each side as a fraction of the side: 0 for the UCI
        digits, 4/28 for MNIST-style data (a 20x20 digit in 28x28).
    threshold : float
        Fraction of the strongest ink, in ``(0, 1)``, that counts as ink.

    Returns
    -------
    numpy.ndarray
        ``(size, size, 1)`` float32 in ``[0, 1]``, light strokes on dark, in
        steps of 1/16: the scale of :func:`xcnn.data.load_digits`.

    Raises
    ------
    ValueError
        The image has no ink (one brightness all over), or a bad shape or option.

    Examples
    --------
    >>> page = np.full((40, 30), 255, dtype=np.uint8)
    >>> page[5:35, 12:18] = 0                      # a black "1" on white paper
    >>> x = prepare_digit(page)
    >>> x.shape, bool((x > 0).any(axis=(1, 2)).all()), float(x[:, 0].max())  # every row inked, sides empty
    ((8, 8, 1), True, 0.0)
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        msg = f"`size` must be an integer >= 1, got {size!r}"
        raise ValueError(msg)
    if not 0 <= margin < 0.5:
        msg = f"`margin` must be in [0, 0.5), got {margin!r}"
        raise ValueError(msg)
    if not 0 < threshold < 1:
        msg = f"`threshold` must be in (0, 1), got {threshold!r}"
        raise ValueError(msg)
    x = _unit_float(image)
    if x.shape[-1] in (2, 4):
        x = composite_alpha(x).astype(np.float64)
    gray = x @ _LUMA if x.shape[-1] == 3 else x[..., 0]
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    paper = float(np.median(border))
    ink = gray - paper if paper < 0.5 else paper - gray
    strongest = float(ink.max())
    if strongest < 0.05:  # below 13 of 255 grey levels: noise, not a digit
        msg = "no digit found: the image has one brightness all over"
        raise ValueError(msg)
    mask = ink >= threshold * strongest
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float64)
    box = _BLOCK * size
    inner = max(1, round(box * (1 - 2 * margin)))
    scale = inner / max(crop.shape)
    h, w = (max(1, min(inner, round(n * scale))) for n in crop.shape)
    bitmap = (_area_weights(crop.shape[0], h) @ crop @ _area_weights(crop.shape[1], w).T) >= 0.5
    if not bitmap.any():  # a speck: keep the pixel it covers most
        bitmap = np.zeros((h, w), dtype=bool)
        bitmap[h // 2, w // 2] = True
    ys, xs = np.nonzero(bitmap)
    top, left = _shift(ys.mean() + 0.5, h, box), _shift(xs.mean() + 0.5, w, box)
    canvas = np.zeros((box, box), dtype=np.float32)
    canvas[top : top + h, left : left + w] = bitmap
    counts = canvas.reshape(size, _BLOCK, size, _BLOCK).sum(axis=(1, 3))
    return (counts / _BLOCK**2)[..., None].astype(np.float32)
