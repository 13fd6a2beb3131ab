"""Walk through the "convolutional network step by step" tutorial with xcnn.

Usage::

    python examples/tutorial_walkthrough.py
    XCNN_BACKEND=torch python examples/tutorial_walkthrough.py
    XCNN_BACKEND=array_api_strict XCNN_DEVICE=device1 python examples/tutorial_walkthrough.py

Every step builds its data on the host with NumPy, moves it to the selected
backend and device with ``xcnn.asarray``, runs the tutorial function there and
brings the result back with ``xcnn.to_numpy`` to print it. The tutorial's worked
examples are checked with ``numpy.testing.assert_allclose``: a wrong result
stops the script with an error. Layout is NHWC throughout: ``(m, n_H, n_W, n_C)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal

import xcnn

SEED = 1
VERTICAL = np.array([[1, 0, -1]] * 3, dtype=float)
HORIZONTAL = VERTICAL.T.copy()


def on_backend(data: Any) -> Any:
    """Host data -> a float64 array of the selected backend, on its device."""
    return xcnn.asarray(np.asarray(data, dtype=np.float64), dtype="float64")


def fmt(a: np.ndarray) -> str:
    """Integers as integers, other floats to 4 significant digits, in aligned columns."""
    if a.dtype == bool:
        return np.array2string(a, prefix="    ")
    a = a + 0.0  # turns -0.0 into 0.0
    width = max(len(f"{v:.4g}") for v in a.ravel())
    return np.array2string(a, formatter={"float_kind": lambda v: f"{v:.4g}".rjust(width)}, prefix="    ")


def heading(title: str) -> None:
    print(f"\n=== {title} ===")


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    """One 2-D image, one 2-D filter, zero bias, through ``xcnn.conv_forward``."""
    A_prev = on_backend(image[None, :, :, None])
    W = on_backend(kernel[:, :, None, None])
    b = on_backend(np.zeros((1, 1, 1, 1)))
    Z, _ = xcnn.conv_forward(A_prev, W, b, {"stride": stride, "pad": pad})
    return xcnn.to_numpy(Z)[0, :, :, 0]


def step_backend() -> None:
    heading("1. Backend")
    print(f"Backend in use: {xcnn.get_backend()}")
    print("Choose another with XCNN_BACKEND=numpy|torch|array_api_strict|cupy|auto (and XCNN_DEVICE), e.g.")
    print("    XCNN_BACKEND=torch python examples/tutorial_walkthrough.py")


def step_zero_pad() -> None:
    heading("2. zero_pad")
    x = np.random.default_rng(SEED).standard_normal((4, 3, 3, 2))
    x_pad = xcnn.to_numpy(xcnn.zero_pad(on_backend(x), 2))
    print(f"x.shape     = {x.shape}")
    print(f"x_pad.shape = {x_pad.shape}   (pad = 2 on height and width)")
    print(f"x_pad[1, :, :, 0] =\n    {fmt(x_pad[1, :, :, 0])}")
    assert x_pad.shape == (4, 7, 7, 2)
    assert_allclose(x_pad[:, 2:-2, 2:-2, :], x)
    assert_allclose(np.abs(x_pad).sum(), np.abs(x).sum())  # the border is all zeros


def step_conv_single_step() -> None:
    heading("3. conv_single_step")
    rng = np.random.default_rng(SEED)
    a_slice, W, b = (rng.standard_normal(shape) for shape in ((4, 4, 3), (4, 4, 3), (1, 1, 1)))
    Z = float(xcnn.to_numpy(xcnn.conv_single_step(on_backend(a_slice), on_backend(W), on_backend(b))))
    print(f"Z = sum(a_slice_prev * W) + b = {Z:.6f}   (4x4x3 window, bias added once)")
    assert_allclose(Z, np.sum(a_slice * W) + b.item())


def step_edge_detection() -> None:
    heading("4. Edge detection (6x6 image, 3x3 filters, stride 1, no padding)")
    image = np.array(
        [[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
         [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]],
        dtype=float,
    )  # fmt: skip
    edges = conv2d(image, VERTICAL)
    print(f"The tutorial's 6x6 image * vertical filter [[1, 0, -1]] * 3 =\n    {fmt(edges)}")
    assert_allclose(edges, [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]])

    bright_left = np.repeat([[10, 10, 10, 0, 0, 0]], 6, axis=0)
    edges = conv2d(bright_left, VERTICAL)
    print(f"Vertical detector on a 10|0 image (edge in the middle) =\n    {fmt(edges)}")
    assert_allclose(edges, [[0, 30, 30, 0]] * 4)

    half_half = np.concatenate([bright_left[:3], bright_left[:3, ::-1]])
    edges = conv2d(half_half, HORIZONTAL)
    print(f"Horizontal detector on the half/half image\n    {fmt(half_half)}\n=\n    {fmt(edges)}")
    assert_allclose(edges, [[0, 0, 0, 0], [30, 10, -10, -30], [30, 10, -10, -30], [0, 0, 0, 0]])


def step_strided_conv() -> None:
    heading("5. Strided convolution (7x7 image, 3x3 filter, stride 2)")
    image = np.array(
        [[2, 3, 7, 4, 6, 2, 9], [6, 6, 9, 8, 7, 4, 3], [3, 4, 8, 3, 8, 9, 7], [7, 8, 3, 6, 6, 3, 4],
         [4, 2, 1, 8, 3, 4, 6], [3, 2, 4, 1, 9, 8, 3], [0, 1, 3, 9, 2, 1, 4]],
        dtype=float,
    )  # fmt: skip
    kernel = np.array([[3, 4, 4], [1, 0, 2], [-1, 0, 3]], dtype=float)
    n, f, p, s = image.shape[0], kernel.shape[0], 0, 2
    out = conv2d(image, kernel, stride=s, pad=p)
    print(f"Result =\n    {fmt(out)}")
    print("Note: the original text printed 83 (row 1) and 127 (row 2); those were arithmetic slips,")
    print("the correct values are 88 and 117.")
    assert_allclose(out, [[91, 100, 88], [69, 91, 117], [44, 72, 74]])
    size = (n + 2 * p - f) // s + 1
    print(f"Output size floor((n + 2p - f) / s) + 1 = floor(({n} + {2 * p} - {f}) / {s}) + 1 = {size}")
    assert out.shape == (size, size)


def step_conv_layer() -> None:
    heading("6. conv_forward and conv_backward on a random batch")
    rng = np.random.default_rng(SEED)
    A_prev, W, b = (rng.standard_normal(shape) for shape in ((10, 5, 7, 4), (3, 3, 4, 8), (1, 1, 1, 8)))
    hparameters = {"stride": 2, "pad": 1}
    Z_dev, cache = xcnn.conv_forward(on_backend(A_prev), on_backend(W), on_backend(b), hparameters)
    Z = xcnn.to_numpy(Z_dev)
    print(f"A_prev {A_prev.shape}, W {W.shape}, b {b.shape}, hparameters {hparameters}")
    print(f"Z.shape = {Z.shape}, mean(Z) = {Z.mean():.6f}")
    assert Z.shape == (10, (5 + 2 - 3) // 2 + 1, (7 + 2 - 3) // 2 + 1, 8)

    # The tutorial backpropagates dZ = Z itself.
    dA_prev, dW, db = (xcnn.to_numpy(g) for g in xcnn.conv_backward(Z_dev, cache))
    for name, grad in (("dA_prev", dA_prev), ("dW", dW), ("db", db)):
        print(f"{name + '.shape':>13} = {str(grad.shape):<16} mean({name}) = {grad.mean():.6f}")
    assert (dA_prev.shape, dW.shape, db.shape) == (A_prev.shape, W.shape, b.shape)
    assert_allclose(db.ravel(), Z.sum(axis=(0, 1, 2)))  # db is dZ summed over batch and positions


def step_pooling() -> None:
    heading("7. Pooling")
    image = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)
    print(f"Pooling f=2, stride=2 over\n    {fmt(image)}")
    for mode, expected in (("max", [[9, 2], [6, 3]]), ("average", [[3.75, 1.25], [3.75, 2]])):
        A, _ = xcnn.pool_forward(on_backend(image[None, :, :, None]), {"f": 2, "stride": 2}, mode=mode)
        pooled = xcnn.to_numpy(A)[0, :, :, 0]
        print(f"{mode:>7} pooling ->\n    {fmt(pooled)}")
        assert_allclose(pooled, expected)

    x = np.random.default_rng(SEED).standard_normal((2, 3))
    mask = xcnn.to_numpy(xcnn.create_mask_from_window(on_backend(x)))
    print(f"create_mask_from_window(\n    {fmt(x)})\n=\n    {fmt(mask)}")
    assert_array_equal(mask, x == x.max())
    tie = np.array([[1, 3], [3, 2]], dtype=float)
    mask = xcnn.to_numpy(xcnn.create_mask_from_window(on_backend(tie)))
    print(f"With a tie, only the first maximum (row-major) is marked:\n    {fmt(tie)}\n->  {fmt(mask)}")
    assert_array_equal(mask, [[False, True], [False, False]])

    spread = xcnn.to_numpy(xcnn.distribute_value(on_backend(2.0), (2, 2)))
    print(f"distribute_value(2.0, (2, 2)) =\n    {fmt(spread)}")
    assert_allclose(spread, [[0.5, 0.5], [0.5, 0.5]])

    rng = np.random.default_rng(SEED)
    A_prev = rng.standard_normal((5, 5, 3, 2))
    hparameters = {"f": 2, "stride": 1}
    for mode in ("max", "average"):
        A, cache = xcnn.pool_forward(on_backend(A_prev), hparameters, mode=mode)
        dA = rng.standard_normal(tuple(A.shape))
        dA_prev = xcnn.to_numpy(xcnn.pool_backward(on_backend(dA), cache, mode=mode))
        print(f"pool_backward ({mode}): dA {dA.shape} -> dA_prev {dA_prev.shape}, "
              f"sum(dA) = {dA.sum():.6f}, sum(dA_prev) = {dA_prev.sum():.6f}")  # fmt: skip
        assert dA_prev.shape == A_prev.shape
        assert_allclose(dA_prev.sum(), dA.sum())  # each window passes its gradient on exactly once


def main() -> None:
    """Run every step of the walkthrough on the selected backend."""
    np.set_printoptions(linewidth=110)
    step_backend()
    step_zero_pad()
    step_conv_single_step()
    step_edge_detection()
    step_strided_conv()
    step_conv_layer()
    step_pooling()
    print("\nAll worked examples match.")


if __name__ == "__main__":
    main()
