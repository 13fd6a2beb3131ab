"""Shared helpers for the example scripts: the ``--out`` option, backend round trips, matrix plots.

Not an example itself. The scripts import it from their own directory, which
Python puts first on ``sys.path`` when it runs ``python examples/<script>.py``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no window: the scripts run on servers and in CI

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

import xcnn

DEFAULT_OUT = Path(__file__).resolve().parent / "figures"
Box = tuple[int, int, int, int, str]  # row, column, height, width, colour


def parse_out(description: str) -> Path:
    """Parse ``--out DIR`` (default ``examples/figures/``), create the directory, return it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"directory for the figures (default: {DEFAULT_OUT})"
    )
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    print(f"Backend in use: {xcnn.get_backend()}")
    return out


def on_backend(data: Any) -> Any:
    """Host data -> a float64 array of the selected backend, on its device."""
    # A fresh copy: PyTorch refuses NumPy views with negative strides such as image[:, ::-1].
    return xcnn.asarray(np.array(data, dtype=np.float64), dtype="float64")


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    """One 2-D image, one 2-D filter, zero bias, through ``xcnn.conv_forward`` on the selected backend."""
    A_prev = on_backend(image[None, :, :, None])
    W = on_backend(kernel[:, :, None, None])
    b = on_backend(np.zeros((1, 1, 1, 1)))
    Z, _ = xcnn.conv_forward(A_prev, W, b, {"stride": stride, "pad": pad})
    return xcnn.to_numpy(Z)[0, :, :, 0]


def show_matrix(
    ax: Any,
    values: Any,
    title: str = "",
    *,
    signed: bool = False,
    cmap: str = "gray",
    boxes: Sequence[Box] = (),
    limits: tuple[float, float] | None = None,
    fontsize: float = 10,
    number_format: str = "{:.3g}",
    numbers: bool = True,
) -> None:
    """Draw a small matrix as coloured cells with its numbers written in.

    ``signed=True`` uses a red-white-blue scale centred on zero (red positive).
    Each box ``(row, column, height, width, colour)`` outlines a window; NaN
    cells are left blank.
    """
    values = np.asarray(values, dtype=float) + 0.0  # -0.0 prints as 0
    if signed:
        cmap = "RdBu_r"
        bound = float(np.nanmax(np.abs(values))) or 1.0
        limits = limits or (-bound, bound)
    vmin, vmax = limits if limits is not None else (float(np.nanmin(values)), float(np.nanmax(values)))
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1)
    if numbers:
        for (row, column), value in np.ndenumerate(values):
            if not np.isfinite(value):
                continue  # NaN cells are gaps
            r, g, b, _ = image.cmap(image.norm(value))
            ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
            text = number_format.format(value)
            ax.text(column, row, text, ha="center", va="center", color=ink, fontsize=fontsize)
    rows, columns = values.shape
    ax.set_xticks(np.arange(-0.5, columns, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="0.6", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    inset = 0.06  # neighbouring windows keep both outlines visible
    for row, column, height, width, colour in boxes:
        corner = (column - 0.5 + inset, row - 0.5 + inset)
        outline = Rectangle(
            corner, width - 2 * inset, height - 2 * inset, fill=False, edgecolor=colour, linewidth=3
        )
        ax.add_patch(outline)
    ax.set_title(title, fontsize=fontsize + 1)


def save(fig: Any, out: Path, name: str, *, dpi: int = 100, palette: bool = False) -> Path:
    """Save `fig` as ``out/name``, close it, print and return the path.

    ``palette=True`` stores 256 colours instead of full RGBA: a figure full of
    photographs shrinks about 2.5x, small enough for the README.
    """
    path = out / name
    fig.savefig(path, dpi=dpi, pil_kwargs={"optimize": True})
    plt.close(fig)
    if palette:
        from PIL import Image

        with Image.open(path) as image:
            quantized = image.convert("RGB").quantize(
                256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
            )
        quantized.save(path, optimize=True)
    print(f"Wrote {path}")
    return path
