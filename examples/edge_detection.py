"""Convolution as a sliding window, the tutorial's edge detectors, and Sobel/Scharr on a photograph.

Usage::

    python examples/edge_detection.py [--out DIR]
    XCNN_BACKEND=torch python examples/edge_detection.py

Writes two figures into DIR (default ``examples/figures/``):

* ``edge_detection.png``: the tutorial's 6x6 examples. A 3x3 filter slides
  over the image; each output number is the sum of the window times the filter
  (cross-correlation, as ``xcnn.conv_forward`` computes it, stride 1, no
  padding, so 6x6 becomes 4x4). The vertical detector gives 30 where a bright
  left half meets a dark right half, -30 for the opposite edge; the horizontal
  detector does the same for top and bottom.
* ``edges_photo.png``: ``xcnn.filters.detect_edges`` on the sample photograph
  shipped with matplotlib: the signed Sobel responses to vertical and to
  horizontal edges, the gradient magnitude with Sobel and with Scharr, and a
  hand-set 45-degree filter (``xcnn.filters.oriented_edge``).

Data is built with NumPy, moved to the selected backend with ``xcnn.asarray``
and brought back with ``xcnn.to_numpy`` for plotting. Every worked example is
checked; a wrong number stops the script.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from _plotting import conv2d, on_backend, parse_out, save, show_matrix
from numpy.testing import assert_allclose

import xcnn
import xcnn.filters as xf

TUTORIAL_6X6 = np.array(
    [[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
     [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]],
    dtype=float,
)  # fmt: skip
BRIGHT_LEFT = np.repeat([[10, 10, 10, 0, 0, 0]], 6, axis=0).astype(float)
HALF_HALF = np.concatenate([BRIGHT_LEFT[:3], BRIGHT_LEFT[:3, ::-1]])


def host(kernel: object) -> np.ndarray:
    return xcnn.to_numpy(kernel).astype(float)


def sliding_window_figure(out):
    vertical, horizontal = host(xf.vertical_edge()), host(xf.horizontal_edge())
    examples = [
        ("The tutorial's 6x6 image", TUTORIAL_6X6, "vertical detector", vertical,
         [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]),
        ("bright left, dark right", BRIGHT_LEFT, "vertical detector", vertical, [[0, 30, 30, 0]] * 4),
        ("dark left, bright right", BRIGHT_LEFT[:, ::-1], "vertical detector", vertical, [[0, -30, -30, 0]] * 4),
        ("bright top-left, bright bottom-right", HALF_HALF, "horizontal detector", horizontal,
         [[0, 0, 0, 0], [30, 10, -10, -30], [30, 10, -10, -30], [0, 0, 0, 0]]),
    ]  # fmt: skip
    fig, axes = plt.subplots(len(examples), 3, figsize=(10, 13), gridspec_kw={"width_ratios": [6, 3, 4]})
    for row, (name, image, filter_name, kernel, expected) in enumerate(examples):
        result = conv2d(image, kernel)
        assert_allclose(result, expected)
        # The first example shows one step of the slide: window rows 1-3, columns 0-2 -> output (1, 0).
        window = [(1, 0, 3, 3, "orange")] if row == 0 else []
        cell = [(1, 0, 1, 1, "orange")] if row == 0 else []
        show_matrix(axes[row, 0], image, f"{name}  (6x6)", boxes=window)
        show_matrix(axes[row, 1], kernel, f"* {filter_name}", signed=True)
        step = f"; orange: {float((image[1:4, 0:3] * kernel).sum()):g}" if row == 0 else ""
        show_matrix(axes[row, 2], result, f"= output (4x4){step}", signed=True, boxes=cell)
    fig.suptitle(
        "Convolution slides the filter over the image: each output is sum(window * filter)\n"
        "(stride 1, no padding: 6x6 * 3x3 -> 4x4; red > 0, blue < 0)",
        fontsize=13,
    )
    fig.tight_layout()
    return save(fig, out, "edge_detection.png")


def load_photo() -> np.ndarray:
    from matplotlib import cbook
    from PIL import Image

    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as image:
        return np.array(image.convert("RGB"))


def photo_figure(out):
    rgb = load_photo()  # (600, 512, 3) uint8
    images = xcnn.asarray(rgb[None])  # a batch of one on the selected backend
    sobel, gx, gy = xf.detect_edges(images, method="sobel", padding_mode="replicate", return_components=True)
    scharr = xf.detect_edges(images, method="scharr", padding_mode="replicate")
    # A hand-set filter for edges at 45 degrees: one xcnn.conv_forward with a (3, 3, 3, 1) bank
    # that applies it to the luminance (BT.601 weights folded into the three channels).
    bt601 = on_backend(np.reshape([0.299, 0.587, 0.114], (1, 1, 3, 1)))
    diagonal = xf.all_channels_filter(xf.oriented_edge(45, dtype="float64")) * bt601
    zero_bias = on_backend(np.zeros((1, 1, 1, 1)))
    replicated = np.pad(rgb, ((1, 1), (1, 1), (0, 0)), mode="edge")  # no frame of edges at the border
    z, _ = xcnn.conv_forward(on_backend(replicated[None]), diagonal, zero_bias, {"stride": 1, "pad": 0})
    sobel, gx, gy, scharr, z = (xcnn.to_numpy(a)[0] for a in (sobel, gx, gy, scharr, z))
    assert sobel.shape == rgb.shape[:2]
    assert_allclose(sobel, np.hypot(gx, gy), rtol=1e-5)

    fig, axes = plt.subplots(2, 3, figsize=(12, 10.5))

    def clip(a: np.ndarray) -> float:
        return float(np.percentile(np.abs(a), 99.5))  # the strongest 0.5% saturate, so faint edges show

    panels = [
        (rgb, "photograph (grace_hopper.jpg, 600x512 RGB)", {}),
        (
            gx,
            'Sobel gx: sobel("x") responds to vertical edges',
            {"cmap": "RdBu_r", "vmin": -clip(gx), "vmax": clip(gx)},
        ),
        (
            gy,
            'Sobel gy: sobel("y") responds to horizontal edges',
            {"cmap": "RdBu_r", "vmin": -clip(gy), "vmax": clip(gy)},
        ),
        (
            sobel,
            "Sobel magnitude sqrt(gx\u00b2 + gy\u00b2)",
            {"cmap": "gray", "vmin": 0, "vmax": clip(sobel)},
        ),
        (scharr, "Scharr magnitude", {"cmap": "gray", "vmin": 0, "vmax": clip(scharr)}),
        (
            z[..., 0],
            "hand-set filter oriented_edge(45): edges along /",
            {"cmap": "RdBu_r", "vmin": -clip(z), "vmax": clip(z)},
        ),
    ]
    for ax, (data, title, style) in zip(axes.ravel(), panels):
        ax.imshow(data, **style)
        ax.set_title(title, fontsize=11)
        ax.set_axis_off()
    fig.suptitle("xcnn.filters.detect_edges on a real photograph (red > 0, blue < 0)", fontsize=14)
    fig.tight_layout()
    return save(fig, out, "edges_photo.png", dpi=80, palette=True)


def main() -> None:
    out = parse_out(__doc__.splitlines()[0])
    sliding_window_figure(out)
    photo_figure(out)


if __name__ == "__main__":
    main()
