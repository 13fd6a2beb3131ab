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

from .banks import all_channels_filter, channel_filter, stack_filters
from .edges import detect_edges
from .kernels import horizontal_edge, oriented_edge, scharr, sobel, vertical_edge

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
