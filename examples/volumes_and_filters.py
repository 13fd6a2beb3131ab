"""Convolution over RGB volumes, and several filters at once.

Usage::

    python examples/volumes_and_filters.py [--out DIR]
    XCNN_BACKEND=torch python examples/volumes_and_filters.py

Writes ``volumes_and_filters.png`` into DIR (default ``examples/figures/``).

On an RGB image (``n x n x 3``) a filter is a volume too (``f x f x 3``): each
output number is the sum over the window *and the three channels*. Which
channels carry weights decides what the filter sees:
``xcnn.filters.channel_filter(vertical_edge(), 0)`` puts the vertical
detector on the red channel only (the tutorial's "edges of the red layer"),
``all_channels_filter`` on every channel (edges of the whole image).
``stack_filters`` stacks ``n_C'`` such filters into one bank
``W (f, f, 3, n_C')``, and one ``xcnn.conv_forward`` call gives
``(n - f + 1) x (n - f + 1) x n_C'``: one output channel per filter.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from _plotting import on_backend, parse_out, save, show_matrix
from numpy.testing import assert_allclose

import xcnn
import xcnn.filters as xf

N = 24


def make_image() -> np.ndarray:
    """A 24x24 RGB test card: a red square, a white square and a green bar on black."""
    rgb = np.zeros((N, N, 3))
    rgb[3:11, 2:10] = (1.0, 0.0, 0.0)
    rgb[3:11, 14:22] = (1.0, 1.0, 1.0)
    rgb[15:19, 2:22] = (0.0, 1.0, 0.0)
    return rgb


def correlate_valid(channel: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Independent check in plain NumPy: every 3x3 window times the kernel, summed."""
    windows = np.lib.stride_tricks.sliding_window_view(channel, kernel.shape)
    return np.einsum("hwij,ij->hw", windows, kernel)


def filter_cells(w: np.ndarray) -> np.ndarray:
    """One (3, 3, 3) filter as a 3x11 matrix: the R, G and B slices with blank gaps."""
    gap = np.full((3, 1), np.nan)
    return np.concatenate([w[:, :, 0], gap, w[:, :, 1], gap, w[:, :, 2]], axis=1)


def main() -> None:
    out = parse_out(__doc__.splitlines()[0])
    rgb = make_image()
    vertical, horizontal = xf.vertical_edge(dtype="float64"), xf.horizontal_edge(dtype="float64")
    filters = [
        ("red channel, vertical edges", xf.channel_filter(vertical, 0)),
        ("whole image, vertical edges", xf.all_channels_filter(vertical)),
        ("whole image, horizontal edges", xf.all_channels_filter(horizontal)),
        ("green channel, horizontal edges", xf.channel_filter(horizontal, 1)),
    ]
    W = xf.stack_filters([bank for _, bank in filters])  # (3, 3, 3, 4)
    b = on_backend(np.zeros((1, 1, 1, W.shape[3])))
    Z, _ = xcnn.conv_forward(on_backend(rgb[None]), W, b, {"stride": 1, "pad": 0})
    Z, W = xcnn.to_numpy(Z)[0], xcnn.to_numpy(W)

    f, n_filters = W.shape[0], W.shape[3]
    assert W.shape == (3, 3, 3, 4)
    assert Z.shape == (N - f + 1, N - f + 1, n_filters)  # (n - f + 1) x (n - f + 1) x n_C'
    v, h = xcnn.to_numpy(vertical), xcnn.to_numpy(horizontal)
    assert_allclose(Z[..., 0], correlate_valid(rgb[..., 0], v))
    assert_allclose(Z[..., 1], sum(correlate_valid(rgb[..., c], v) for c in range(3)))
    assert_allclose(Z[..., 2], sum(correlate_valid(rgb[..., c], h) for c in range(3)))
    assert_allclose(Z[..., 3], correlate_valid(rgb[..., 1], h))
    print(f"A_prev (1, {N}, {N}, 3) * W {W.shape} -> Z (1, {Z.shape[0]}, {Z.shape[1]}, {Z.shape[2]})")

    fig, axes = plt.subplots(3, 4, figsize=(13, 10.5), gridspec_kw={"height_ratios": [1, 0.55, 1]})
    axes[0, 0].imshow(rgb)
    axes[0, 0].set_title(f"RGB image ({N}x{N}x3)", fontsize=11)
    for c, name in enumerate(("red", "green", "blue")):
        axes[0, c + 1].imshow(rgb * np.eye(3)[c])  # the channel alone, in its own colour
        axes[0, c + 1].set_title(f"{name} channel (A_prev[..., {c}])", fontsize=11)
    bound = float(np.abs(Z).max())
    for k, (name, _) in enumerate(filters):
        show_matrix(
            axes[1, k],
            filter_cells(W[..., k]),
            f"filter {k}: {name}",
            signed=True,
            limits=(-1, 1),
            fontsize=9,
        )
        axes[1, k].set_xticks([1, 5, 9], ["R", "G", "B"])
        axes[1, k].tick_params(labelbottom=True)
        axes[2, k].imshow(Z[..., k], cmap="RdBu_r", vmin=-bound, vmax=bound)
        axes[2, k].set_title(f"output channel {k}", fontsize=11)
    for ax in (*axes[0], *axes[2]):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(
        f"One conv_forward: image (1, {N}, {N}, 3) * filters W {W.shape} -> (1, {N - f + 1}, {N - f + 1}, {n_filters}), "
        "one output channel per filter\n(filters and outputs: red > 0, blue < 0)",
        fontsize=13,
    )
    fig.tight_layout()
    save(fig, out, "volumes_and_filters.png")


if __name__ == "__main__":
    main()
