"""A convolution layer step by step: the forward pass, the backward pass, and a gradient check.

Usage::

    python examples/conv_layer_step_by_step.py [--out DIR]
    XCNN_BACKEND=torch python examples/conv_layer_step_by_step.py

Writes ``conv_layer_step_by_step.png`` into DIR (default ``examples/figures/``):

* forward (``xcnn.conv_forward``): a 5x5 input padded with ``pad = 1``, a 3x3
  filter, bias ``b = 1``, ``stride = 2``: ``floor((5 + 2 - 3) / 2) + 1 = 3``,
  a 3x3 output. Each output is ``sum(window * W) + b``, with the bias added
  once (the tutorial's ``conv_single_step`` adds it to every product).
* backward (``xcnn.conv_backward``) for a gradient ``dZ`` with two non-zero
  entries: each ``dZ[h, w]`` adds ``W * dZ[h, w]`` into ``dA_prev`` where its
  window sat, at rows ``h*stride ...`` and columns ``w*stride ...`` (the
  tutorial's code puts it at ``h``, ``w``: wrong for any stride above 1);
  overlapping windows add up. ``dW`` sums ``window * dZ[h, w]`` and ``db``
  sums ``dZ``.
* a gradient check on a random batch ``(2, 7, 7, 3)`` with 4 filters, stride
  2, pad 1: 40 random entries of ``dA_prev`` and of ``dW`` and all of ``db``
  against central finite differences of ``sum(Z * dZ)``. The points must lie
  on the diagonal.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from _plotting import on_backend, parse_out, save, show_matrix
from numpy.testing import assert_allclose

import xcnn

A_PREV = np.array(
    [[4, 1, 7, 0, 3], [2, 8, 5, 6, 1], [0, 3, 9, 2, 4], [6, 1, 2, 7, 5], [3, 5, 0, 4, 8]], dtype=float
)
W_FILTER = np.array([[1, 0, -1], [2, 1, 0], [0, -1, 1]], dtype=float)
BIAS = 1.0
DZ = np.array([[1, 0, 0], [0, 2, 0], [0, 0, 0]], dtype=float)
HPARAMETERS = {"stride": 2, "pad": 1}
MAX_CHECKS = 40  # finite differences per gradient: one conv_forward pair each


def layer(a_prev: np.ndarray, w: np.ndarray, b: np.ndarray, dz: np.ndarray):
    """Forward and backward on the selected backend; everything returned on the host."""
    Z, cache = xcnn.conv_forward(on_backend(a_prev), on_backend(w), on_backend(b), HPARAMETERS)
    grads = xcnn.conv_backward(on_backend(dz), cache)
    return (xcnn.to_numpy(Z), *(xcnn.to_numpy(g) for g in grads))


def worked_example(axes_forward, axes_backward) -> None:
    Z, dA_prev, dW, db = layer(
        A_PREV[None, :, :, None],
        W_FILTER[:, :, None, None],
        np.full((1, 1, 1, 1), BIAS),
        DZ[None, :, :, None],
    )
    Z, dA_prev, dW = Z[0, :, :, 0], dA_prev[0, :, :, 0], dW[:, :, 0, 0]
    padded = np.pad(A_PREV, 1)
    expected_z = [
        [(padded[2 * h : 2 * h + 3, 2 * w : 2 * w + 3] * W_FILTER).sum() + BIAS for w in range(3)]
        for h in range(3)
    ]
    assert_allclose(Z, expected_z)
    # Backward by hand: W * dZ[h, w] added where window (h, w) sat in the padded input, then the pad cut off.
    d_padded = np.zeros_like(padded)
    d_padded[0:3, 0:3] += W_FILTER * DZ[0, 0]
    d_padded[2:5, 2:5] += W_FILTER * DZ[1, 1]
    assert_allclose(dA_prev, d_padded[1:-1, 1:-1])
    assert_allclose(dW, padded[0:3, 0:3] * DZ[0, 0] + padded[2:5, 2:5] * DZ[1, 1])
    assert_allclose(db.ravel(), [DZ.sum()])

    windows = [(0, 0, 3, 3, "tab:orange"), (2, 2, 3, 3, "tab:purple")]
    show_matrix(
        axes_forward[0],
        padded,
        "A_prev 5x5, zero-padded (pad 1)",
        boxes=windows,
        cmap="Greys",
        limits=(0, 14),
    )
    show_matrix(axes_forward[1], W_FILTER, "* W (3x3), stride 2", signed=True)
    cells = [(0, 0, 1, 1, "tab:orange"), (1, 1, 1, 1, "tab:purple")]
    show_matrix(axes_forward[2], Z, f"= Z (3x3): sum(window * W) + b, b = {BIAS:g}", signed=True, boxes=cells)
    show_matrix(axes_backward[0], DZ, "dZ: gradient arriving at Z", signed=True, boxes=cells, limits=(-2, 2))
    # Unpadded coordinates: window (0, 0) covers rows/cols 0-1, window (1, 1) rows/cols 1-3.
    landing = [(0, 0, 2, 2, "tab:orange"), (1, 1, 3, 3, "tab:purple")]
    show_matrix(
        axes_backward[1], dA_prev, "dA_prev: W * dZ[h, w] where each window sat", signed=True, boxes=landing
    )
    show_matrix(
        axes_backward[2], dW, f"dW = sum(window * dZ[h, w]);  db = {float(db.ravel()[0]):g}", signed=True
    )
    axes_backward[1].set_xlabel("overlap at (1, 1): the two contributions add up", fontsize=10)


def gradient_check(axes) -> None:
    rng = np.random.default_rng(0)
    a_prev, w, b = (
        rng.standard_normal((2, 7, 7, 3)),
        rng.standard_normal((3, 3, 3, 4)),
        rng.standard_normal((1, 1, 1, 4)),
    )
    dz = rng.standard_normal((2, 4, 4, 4))  # Z is (2, 4, 4, 4): floor((7 + 2 - 3) / 2) + 1 = 4
    _, dA_prev, dW, db = layer(a_prev, w, b, dz)

    def loss(a: np.ndarray, w_: np.ndarray, b_: np.ndarray) -> float:
        Z, _ = xcnn.conv_forward(on_backend(a), on_backend(w_), on_backend(b_), HPARAMETERS)
        return float(np.sum(xcnn.to_numpy(Z) * dz))

    def numeric(which: int, indices: list[tuple[int, ...]]) -> np.ndarray:
        """Central differences, one entry at a time: the slow, obvious oracle."""
        args, eps = [a_prev, w, b], 1e-6
        estimate = []
        for index in indices:
            plus = [x.copy() for x in args]
            minus = [x.copy() for x in args]
            plus[which][index] += eps
            minus[which][index] -= eps
            estimate.append((loss(*plus) - loss(*minus)) / (2 * eps))
        return np.array(estimate)

    for ax, (name, analytic), which in zip(axes, (("dA_prev", dA_prev), ("dW", dW), ("db", db)), range(3)):
        every = list(np.ndindex(analytic.shape))
        picks = [
            every[i] for i in sorted(rng.choice(len(every), size=min(MAX_CHECKS, len(every)), replace=False))
        ]
        estimate = numeric(which, picks)
        checked = np.array([analytic[index] for index in picks])
        error = float(np.abs(checked - estimate).max())
        assert_allclose(checked, estimate, rtol=1e-5, atol=1e-6)
        bound = float(np.abs(estimate).max()) * 1.1
        ax.plot([-bound, bound], [-bound, bound], color="0.7", linewidth=1)
        ax.scatter(estimate, checked, s=18, alpha=0.8)
        ax.set_xlabel("finite differences", fontsize=10)
        ax.set_ylabel("conv_backward", fontsize=10)
        ax.set_title(
            f"{name}: {len(picks)} of {analytic.size} entries, max |error| = {error:.1e}", fontsize=11
        )
        ax.set_aspect("equal")
        ax.grid(alpha=0.3)


def main() -> None:
    out = parse_out(__doc__.splitlines()[0])
    fig, axes = plt.subplots(3, 3, figsize=(12, 12.5), gridspec_kw={"height_ratios": [1, 1, 0.95]})
    worked_example(axes[0], axes[1])
    gradient_check(axes[2])
    for row, label in enumerate(("forward", "backward")):
        axes[row, 0].set_ylabel(label, fontsize=13)
    fig.suptitle(
        "A convolution layer, step by step (red > 0, blue < 0)\n"
        "bottom: gradient check, batch (2, 7, 7, 3), W (3, 3, 3, 4), stride 2, pad 1",
        fontsize=13,
    )
    fig.tight_layout()
    save(fig, out, "conv_layer_step_by_step.png")


if __name__ == "__main__":
    main()
