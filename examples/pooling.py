"""Max and average pooling: forward, backward, and the tie rule.

Usage::

    python examples/pooling.py [--out DIR]
    XCNN_BACKEND=torch python examples/pooling.py

Writes ``pooling.png`` into DIR (default ``examples/figures/``), on the
tutorial's 4x4 example with ``f = 2``, ``stride = 2``:

* forward: max pooling keeps each window's largest value, average pooling
  its mean (``xcnn.pool_forward``);
* backward (``xcnn.pool_backward``): max pooling sends each window's gradient
  to the one input that was the maximum (``create_mask_from_window``) and zero
  to the others; average pooling spreads it evenly, ``dA / (f * f)`` to each
  input (``distribute_value``);
* ties: the tutorial's mask ``x == max(x)`` marks every tied maximum, so a
  window would pass its gradient on twice. xcnn marks only the first maximum
  in row-major order (PyTorch's rule), and the gradient is passed on once.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from _plotting import on_backend, parse_out, save, show_matrix
from numpy.testing import assert_allclose, assert_array_equal

import xcnn

IMAGE = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)
DA = np.array([[1, 2], [3, 4]], dtype=float)  # the gradient arriving at the 2x2 output
TIE = np.array([[1, 3], [3, 2]], dtype=float)
HPARAMETERS = {"f": 2, "stride": 2}
COLOURS = ("tab:orange", "tab:green", "tab:purple", "tab:cyan")


def pool(image: np.ndarray, d_out: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Pooling forward and backward of one 2-D image on the selected backend."""
    A, cache = xcnn.pool_forward(on_backend(image[None, :, :, None]), HPARAMETERS, mode=mode)
    dA_prev = xcnn.pool_backward(on_backend(d_out[None, :, :, None]), cache, mode=mode)
    return xcnn.to_numpy(A)[0, :, :, 0], xcnn.to_numpy(dA_prev)[0, :, :, 0]


def main() -> None:
    out = parse_out(__doc__.splitlines()[0])
    maximum, d_max = pool(IMAGE, DA, "max")
    average, d_avg = pool(IMAGE, DA, "average")
    assert_allclose(maximum, [[9, 2], [6, 3]])
    assert_allclose(average, [[3.75, 1.25], [3.75, 2]])
    assert_allclose(d_max, [[0, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 4], [0, 3, 0, 0]])
    assert_allclose(d_avg, np.kron(DA, np.full((2, 2), 0.25)))

    tutorial_mask = TIE == TIE.max()
    mask = xcnn.to_numpy(xcnn.create_mask_from_window(on_backend(TIE)))
    assert_array_equal(mask, [[False, True], [False, False]])
    _, d_tie = pool(TIE, np.ones((1, 1)), "max")
    assert d_tie.sum() == 1.0  # passed on once, not once per tie
    spread = xcnn.to_numpy(xcnn.distribute_value(on_backend(2.0), (2, 2)))
    assert_allclose(spread, np.full((2, 2), 0.5))

    windows = [(r, c, 2, 2, COLOURS[2 * (r // 2) + c // 2]) for r in (0, 2) for c in (0, 2)]
    cells = [(r, c, 1, 1, COLOURS[2 * r + c]) for r in (0, 1) for c in (0, 1)]
    fig, axes = plt.subplots(3, 3, figsize=(11, 11.5))
    show_matrix(
        axes[0, 0], IMAGE, "input 4x4, windows f=2, stride 2", boxes=windows, cmap="Greys", limits=(0, 14)
    )
    show_matrix(axes[0, 1], maximum, "max pooling: largest value", boxes=cells, cmap="Greys", limits=(0, 14))
    show_matrix(axes[0, 2], average, "average pooling: mean", boxes=cells, cmap="Greys", limits=(0, 14))
    show_matrix(axes[1, 0], DA, "upstream gradient dA (2x2)", boxes=cells, cmap="Blues", limits=(0, 6))
    show_matrix(
        axes[1, 1],
        d_max,
        "max backward: all of dA to the maximum",
        boxes=windows,
        cmap="Blues",
        limits=(0, 6),
    )
    show_matrix(
        axes[1, 2], d_avg, "average backward: dA / 4 to each", boxes=windows, cmap="Blues", limits=(0, 6)
    )
    show_matrix(axes[2, 0], TIE, "a window with a tie: two 3s", cmap="Greys", limits=(0, 6))
    show_matrix(
        axes[2, 1],
        tutorial_mask,
        "tutorial: x == max(x)\ntwo inputs get the gradient",
        cmap="Reds",
        limits=(0, 1.6),
        number_format="{:.0f}",
    )
    show_matrix(
        axes[2, 2],
        mask,
        "xcnn: only the first maximum\n(row-major, as PyTorch)",
        cmap="Greens",
        limits=(0, 1.6),
        number_format="{:.0f}",
    )
    for row, label in enumerate(("forward", "backward", "max-pooling mask")):
        axes[row, 0].set_ylabel(label, fontsize=13)
    fig.suptitle("Pooling (f = 2, stride = 2): forward, backward, and the tie rule", fontsize=14)
    fig.tight_layout()
    save(fig, out, "pooling.png")


if __name__ == "__main__":
    main()
