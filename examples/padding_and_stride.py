"""Padding and stride: valid and same convolutions, the output-size formula, the 7x7 stride-2 example.

Usage::

    python examples/padding_and_stride.py [--out DIR]
    XCNN_BACKEND=torch python examples/padding_and_stride.py

Writes ``padding_and_stride.png`` into DIR (default ``examples/figures/``):

* top: the tutorial's 7x7 image, 3x3 filter, stride 2. The window jumps two
  pixels at a time, so the output is 3x3. The correct values at row 1,
  column 3 and row 2, column 3 are **88** and **117**; the original text
  printed 83 and 127.
* middle: a "valid" convolution (no padding) shrinks a 4x4 image to 2x2; a
  "same" one pads ``p = (f - 1) / 2 = 1`` ring of zeros (``xcnn.zero_pad``)
  and keeps 4x4, so border pixels are used as often as the others.
* bottom: the output size ``floor((n + 2p - f) / s) + 1`` against the input
  size ``n`` for a 3x3 filter, checked against ``xcnn.conv_forward``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from _plotting import conv2d, on_backend, parse_out, save, show_matrix
from matplotlib.ticker import MaxNLocator
from numpy.testing import assert_allclose

import xcnn

IMAGE_7X7 = np.array(
    [[2, 3, 7, 4, 6, 2, 9], [6, 6, 9, 8, 7, 4, 3], [3, 4, 8, 3, 8, 9, 7], [7, 8, 3, 6, 6, 3, 4],
     [4, 2, 1, 8, 3, 4, 6], [3, 2, 4, 1, 9, 8, 3], [0, 1, 3, 9, 2, 1, 4]],
    dtype=float,
)  # fmt: skip
KERNEL_3X3 = np.array([[3, 4, 4], [1, 0, 2], [-1, 0, 3]], dtype=float)
SMALL = np.array([[3, 0, 1, 2], [1, 5, 8, 9], [2, 7, 2, 5], [0, 1, 3, 1]], dtype=float)
VERTICAL = np.array([[1, 0, -1]] * 3, dtype=float)


def output_size(n: int, f: int, p: int, s: int) -> int:
    """The tutorial's formula: ``floor((n + 2p - f) / s) + 1``."""
    return (n + 2 * p - f) // s + 1


def strided_row(axes) -> None:
    stride = 2
    result = conv2d(IMAGE_7X7, KERNEL_3X3, stride=stride)
    assert_allclose(result, [[91, 100, 88], [69, 91, 117], [44, 72, 74]])
    # Output (0, 2) reads rows 0-2, columns 4-6; output (1, 2) reads rows 2-4, columns 4-6.
    windows = [(0, 0, 3, 3, "tab:green"), (0, 4, 3, 3, "orange"), (2, 4, 3, 3, "magenta")]
    show_matrix(
        axes[0],
        IMAGE_7X7,
        "7x7 image: windows start every 2 pixels",
        boxes=windows,
        cmap="Greys",
        limits=(0, 18),
    )
    show_matrix(axes[1], KERNEL_3X3, "* 3x3 filter, stride 2", signed=True)
    cells = [(0, 0, 1, 1, "tab:green"), (0, 2, 1, 1, "orange"), (1, 2, 1, 1, "magenta")]
    show_matrix(axes[2], result, "= 3x3 output", boxes=cells, cmap="Greys", limits=(0, 250))
    axes[2].set_xlabel("88 and 117 are right; the original\ntext printed 83 and 127", fontsize=10)


def padding_row(axes) -> None:
    padded = xcnn.to_numpy(xcnn.zero_pad(on_backend(SMALL[None, :, :, None]), 1))[0, :, :, 0]
    same, valid = conv2d(SMALL, VERTICAL, pad=1), conv2d(SMALL, VERTICAL, pad=0)
    assert padded.shape == (6, 6) and same.shape == SMALL.shape and valid.shape == (2, 2)
    assert_allclose(same[1:-1, 1:-1], valid)  # the interior does not see the padding
    border = [(0, 0, 6, 6, "tab:blue"), (1, 1, 4, 4, "black")]
    show_matrix(
        axes[0],
        padded,
        "zero_pad(image, 1): a ring of zeros, 4x4 -> 6x6",
        boxes=border,
        cmap="Greys",
        limits=(0, 18),
    )
    show_matrix(axes[1], valid, '"valid", p = 0: 4x4 -> 2x2', signed=True, limits=(-13, 13))
    show_matrix(axes[2], same, '"same", p = (f-1)/2 = 1: 4x4 -> 4x4', signed=True, limits=(-13, 13))
    axes[1].set_xlabel("vertical detector, stride 1", fontsize=10)
    axes[2].set_xlabel("the border pixels now count too", fontsize=10)


def size_plot(ax) -> None:
    f = 3
    sizes = np.arange(3, 21)
    rng = np.random.default_rng(0)
    for p, s, style in ((0, 1, "o-"), (1, 1, "s-"), (0, 2, "^-"), (1, 2, "v-")):
        predicted = [output_size(int(n), f, p, s) for n in sizes]
        measured = []
        for n in sizes:
            Z, _ = xcnn.conv_forward(
                on_backend(rng.standard_normal((1, n, n, 1))),
                on_backend(rng.standard_normal((f, f, 1, 1))),
                on_backend(np.zeros((1, 1, 1, 1))),
                {"stride": s, "pad": p},
            )
            measured.append(Z.shape[1])
        assert measured == predicted, (p, s, measured, predicted)
        label = f"p={p}, s={s}" + (
            ' ("valid")' if (p, s) == (0, 1) else ' ("same")' if (p, s) == (1, 1) else ""
        )
        ax.plot(sizes, measured, style, label=label)
    ax.set_xlabel("input size n", fontsize=11)
    ax.set_ylabel("output size", fontsize=11)
    ax.set_xticks(sizes)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=10)
    ax.set_title(
        "output size = floor((n + 2p - f) / s) + 1 for a 3x3 filter (f = 3), as xcnn.conv_forward returns",
        fontsize=11,
    )


def main() -> None:
    out = parse_out(__doc__.splitlines()[0])
    fig = plt.figure(figsize=(11, 13))
    grid = fig.add_gridspec(3, 3, height_ratios=[1.15, 1, 0.9])
    strided_row([fig.add_subplot(grid[0, i]) for i in range(3)])
    padding_row([fig.add_subplot(grid[1, i]) for i in range(3)])
    size_plot(fig.add_subplot(grid[2, :]))
    fig.suptitle("Stride and padding", fontsize=14)
    fig.tight_layout()
    save(fig, out, "padding_and_stride.png")


if __name__ == "__main__":
    main()
