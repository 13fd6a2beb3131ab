"""The tutorial's worked examples and the course's published check values.

The 6x6 and 7x7 examples are the tutorial's own numbers (the 7x7 one with its
two arithmetic slips corrected: 88 and 117, not 83 and 127). The check values
of ``conv_single_step``, ``conv_forward``, ``conv_backward``, ``pool_forward``
and ``pool_backward`` are the expected outputs the course prints for its
``np.random.seed(1)`` test cases.
"""

from __future__ import annotations

import numpy as np
import pytest

import xcnn

SIX_BY_SIX = np.array(
    [
        [3, 0, 1, 2, 7, 4],
        [1, 5, 8, 9, 3, 1],
        [2, 7, 2, 5, 1, 3],
        [0, 1, 3, 1, 7, 8],
        [4, 2, 1, 6, 2, 8],
        [2, 4, 5, 2, 3, 9],
    ],
    dtype=float,
)
VERTICAL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=float)
HORIZONTAL = VERTICAL.T.copy()


def conv2d_single(xb, image, kernel, stride=1, pad=0, dtype="float64"):
    """One image, one filter, through the tutorial API; returns the 2-D map."""
    a_prev = xb.asarray(image[None, :, :, None], dtype)
    w = xb.asarray(kernel[:, :, None, None], dtype)
    b = xb.asarray(np.zeros((1, 1, 1, 1)), dtype)
    z, _ = xcnn.conv_forward(a_prev, w, b, {"stride": stride, "pad": pad})
    xb.assert_here(z)
    return xb.to_numpy(z)[0, :, :, 0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_six_by_six_vertical_filter(xb, dtype):
    expected = [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]
    np.testing.assert_allclose(conv2d_single(xb, SIX_BY_SIX, VERTICAL, dtype=dtype), expected, atol=1e-5)


def test_vertical_edge_detector_light_to_dark(xb):
    image = np.repeat([[10, 10, 10, 0, 0, 0]], 6, axis=0).astype(float)
    np.testing.assert_allclose(conv2d_single(xb, image, VERTICAL), [[0, 30, 30, 0]] * 4)


def test_vertical_edge_detector_dark_to_light(xb):
    image = np.repeat([[0, 0, 0, 10, 10, 10]], 6, axis=0).astype(float)
    np.testing.assert_allclose(conv2d_single(xb, image, VERTICAL), [[0, -30, -30, 0]] * 4)


def test_horizontal_edge_detector(xb):
    top = np.repeat([[10, 10, 10, 0, 0, 0]], 3, axis=0)
    bottom = np.repeat([[0, 0, 0, 10, 10, 10]], 3, axis=0)
    image = np.concatenate([top, bottom]).astype(float)
    expected = [[0, 0, 0, 0], [30, 10, -10, -30], [30, 10, -10, -30], [0, 0, 0, 0]]
    np.testing.assert_allclose(conv2d_single(xb, image, HORIZONTAL), expected)


def test_seven_by_seven_stride_two_with_corrected_arithmetic(xb):
    image = np.array(
        [
            [2, 3, 7, 4, 6, 2, 9],
            [6, 6, 9, 8, 7, 4, 3],
            [3, 4, 8, 3, 8, 9, 7],
            [7, 8, 3, 6, 6, 3, 4],
            [4, 2, 1, 8, 3, 4, 6],
            [3, 2, 4, 1, 9, 8, 3],
            [0, 1, 3, 9, 2, 1, 4],
        ],
        dtype=float,
    )
    kernel = np.array([[3, 4, 4], [1, 0, 2], [-1, 0, 3]], dtype=float)
    result = conv2d_single(xb, image, kernel, stride=2)
    # Rechecked by hand: window (0, 2) = 3*7+4*4+4*6 + 1*9+0*8+2*7 - 1*8+0*3+3*8 = 88,
    # window (1, 2) = 3*8+4*9+4*7 + 1*6+0*3+2*4 - 1*3+0*4+3*6 = 117.
    assert result[0, 2] == 88 and result[1, 2] == 117
    np.testing.assert_allclose(result, [[91, 100, 88], [69, 91, 117], [44, 72, 74]])


def test_output_size_formula(xb):
    """n_H = floor((n_H_prev - f + 2*pad) / stride) + 1."""
    for n, f, pad, stride in [(7, 3, 0, 2), (6, 3, 1, 1), (8, 3, 2, 3), (5, 5, 0, 1), (9, 2, 1, 4)]:
        z = conv2d_single(xb, np.ones((n, n)), np.ones((f, f)), stride=stride, pad=pad)
        size = (n - f + 2 * pad) // stride + 1
        assert z.shape == (size, size)


# --- the course's published check values ---------------------------------------


def test_course_zero_pad(xb):
    np.random.seed(1)
    x = np.random.randn(4, 3, 3, 2)
    x_pad = xcnn.zero_pad(xb.asarray(x), 2)
    xb.assert_here(x_pad)
    assert x_pad.shape == (4, 7, 7, 2)
    np.testing.assert_array_equal(xb.to_numpy(x_pad)[1, 1], np.zeros((7, 2)))
    np.testing.assert_array_equal(xb.to_numpy(x_pad)[:, 2:5, 2:5, :], x)


def test_course_conv_single_step(xb):
    np.random.seed(1)
    a_slice_prev = np.random.randn(4, 4, 3)
    w = np.random.randn(4, 4, 3)
    b = np.random.randn(1, 1, 1)
    z = xcnn.conv_single_step(xb.asarray(a_slice_prev), xb.asarray(w), xb.asarray(b))
    xb.assert_here(z)
    np.testing.assert_allclose(xb.to_numpy(z), -6.99908945068, rtol=1e-10)


def test_course_conv_forward_and_backward(xb):
    np.random.seed(1)
    a_prev = np.random.randn(10, 4, 4, 3)
    w = np.random.randn(2, 2, 3, 8)
    b = np.random.randn(1, 1, 1, 8)
    z, cache = xcnn.conv_forward(xb.asarray(a_prev), xb.asarray(w), xb.asarray(b), {"pad": 2, "stride": 2})
    z_np = xb.to_numpy(z)
    np.testing.assert_allclose(z_np.mean(), 0.0489952035289, rtol=1e-9)
    np.testing.assert_allclose(
        z_np[3, 2, 1],
        [-0.61490741, -6.7439236, -2.55153897, 1.75698377, 3.56208902, 0.53036437, 5.18531798, 8.75898442],
        rtol=1e-7,
    )
    da, dw, db = xcnn.conv_backward(z, cache)
    for grad in (da, dw, db):
        xb.assert_here(grad)
    np.testing.assert_allclose(xb.to_numpy(da).mean(), 1.45243777754, rtol=1e-9)
    np.testing.assert_allclose(xb.to_numpy(dw).mean(), 1.72699145831, rtol=1e-9)
    np.testing.assert_allclose(xb.to_numpy(db).mean(), 7.83923256462, rtol=1e-9)


def test_course_pool_forward(xb):
    np.random.seed(1)
    a_prev = np.random.randn(2, 4, 4, 3)
    hparameters = {"stride": 2, "f": 3}
    a_max, _ = xcnn.pool_forward(xb.asarray(a_prev), hparameters)
    a_avg, _ = xcnn.pool_forward(xb.asarray(a_prev), hparameters, mode="average")
    np.testing.assert_allclose(
        xb.to_numpy(a_max).reshape(2, 3),
        [[1.74481176, 0.86540763, 1.13376944], [1.13162939, 1.51981682, 2.18557541]],
        rtol=1e-7,
    )
    np.testing.assert_allclose(
        xb.to_numpy(a_avg).reshape(2, 3),
        [[0.02105773, -0.20328806, -0.40389855], [-0.22154621, 0.51716526, 0.48155844]],
        rtol=1e-6,
    )


def test_course_pool_backward(xb):
    np.random.seed(1)
    a_prev = np.random.randn(5, 5, 3, 2)
    _, cache = xcnn.pool_forward(xb.asarray(a_prev), {"stride": 1, "f": 2})
    da = np.random.randn(5, 4, 2, 2)
    da_max = xb.to_numpy(xcnn.pool_backward(xb.asarray(da), cache, mode="max"))
    da_avg = xb.to_numpy(xcnn.pool_backward(xb.asarray(da), cache, mode="average"))
    np.testing.assert_allclose(da_max[1, 1], [[0, 0], [5.05844394, -1.68282702], [0, 0]], rtol=1e-7)
    np.testing.assert_allclose(
        da_avg[1, 1], [[0.08485462, 0.2787552], [1.26461098, -0.25749373], [1.17975636, -0.53624893]], rtol=1e-7
    )


def test_course_create_mask_from_window(xb):
    np.random.seed(1)
    x = np.random.randn(2, 3)
    mask = xcnn.create_mask_from_window(xb.asarray(x))
    xb.assert_here(mask)
    np.testing.assert_array_equal(xb.to_numpy(mask), [[True, False, False], [False, False, False]])


def test_course_distribute_value(xb):
    a = xcnn.distribute_value(xb.asarray(2.0), (2, 2))
    xb.assert_here(a)
    np.testing.assert_array_equal(xb.to_numpy(a), [[0.5, 0.5], [0.5, 0.5]])
