"""xcnn.filters: kernels, filter banks and detect_edges against SciPy and the tutorial's examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage

import xcnn
import xcnn.filters as xf

# Literal kernels from the tutorial, independent of xcnn's tables.
VERTICAL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=float)
SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float)
SCHARR_X = np.array([[3, 0, -3], [10, 0, -10], [3, 0, -3]], dtype=float)
BT601 = np.array([0.299, 0.587, 0.114])

TUTORIAL_6X6 = np.array(
    [[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
     [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]],
    dtype=float,
)  # fmt: skip
BRIGHT_LEFT = np.repeat([[10, 10, 10, 0, 0, 0]], 6, axis=0).astype(float)
HALF_HALF = np.concatenate([BRIGHT_LEFT[:3], BRIGHT_LEFT[:3, ::-1]])


def correlate(image: np.ndarray, kernel: np.ndarray, mode: str = "constant") -> np.ndarray:
    """SciPy's 2-D correlation of one float64 image, the same size as the input."""
    return ndimage.correlate(image.astype(np.float64), kernel, mode=mode, cval=0.0)


def random_images(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 255, size=shape)


class TestKernels:
    @pytest.mark.parametrize(
        ("make", "expected"),
        [
            (xf.vertical_edge, VERTICAL),
            (xf.horizontal_edge, VERTICAL.T),
            (lambda **kw: xf.sobel("x", **kw), SOBEL_X),
            (lambda **kw: xf.sobel(1, **kw), SOBEL_X),
            (lambda **kw: xf.sobel("y", **kw), SOBEL_X.T),
            (lambda **kw: xf.sobel(0, **kw), SOBEL_X.T),
            (lambda **kw: xf.scharr("X", **kw), SCHARR_X),
            (lambda **kw: xf.scharr("y", **kw), SCHARR_X.T),
        ],
    )
    def test_values_namespace_device(self, xb, make, expected):
        kernel = make(xp=xb.xp, device=xb.device)
        xb.assert_here(kernel)
        assert kernel.dtype == xb.xp.float32  # the documented default
        assert_array_equal(xb.to_numpy(kernel), expected)
        assert make(xp=xb.xp, device=xb.device, dtype="float64").dtype == xb.xp.float64

    def test_default_is_the_selected_backend(self):
        import array_api_strict as xs

        with xcnn.use_backend("array_api_strict", device="device1"):
            kernel = xf.sobel("x")
        assert kernel.device == xs.Device("device1")
        assert isinstance(xf.sobel("x"), np.ndarray)

    def test_plain_numpy_module_and_numpy_dtype(self):
        kernel = xf.scharr("y", xp=np, dtype=np.float64)
        assert kernel.dtype == np.float64
        assert_array_equal(kernel, SCHARR_X.T)

    def test_sobel_matches_scipy_with_the_tutorial_sign(self):
        image = random_images((9, 11))
        for axis in (0, 1):
            ours = correlate(image, xf.sobel(axis, dtype="float64"))
            assert_allclose(ours, -ndimage.sobel(image, axis=axis, mode="constant"), atol=1e-9)

    @pytest.mark.parametrize("axis", ["z", 2, -1, True, None])
    def test_bad_axis(self, axis):
        with pytest.raises(ValueError, match=r"`axis` must be 'x' or 1 .* got"):
            xf.sobel(axis)

    @pytest.mark.parametrize("dtype", ["int32", "bool"])
    def test_bad_dtype(self, dtype):
        with pytest.raises(TypeError, match=r"`dtype` must be a real floating dtype.*" + dtype):
            xf.vertical_edge(dtype=dtype)


class TestOrientedEdge:
    def test_axes_and_opposites_are_exact(self, xb):
        def at(angle):
            kernel = xf.oriented_edge(angle, xp=xb.xp, device=xb.device, dtype="float64")
            xb.assert_here(kernel)
            return xb.to_numpy(kernel)

        assert_array_equal(at(0), SOBEL_X)
        assert_array_equal(at(90), SOBEL_X.T)
        assert_array_equal(at(180), -SOBEL_X)
        assert_array_equal(at(-90), -SOBEL_X.T)
        assert_array_equal(at(450.0), SOBEL_X.T)

    @pytest.mark.parametrize("angle", [0.0, 30.0, 45.0, 100.0, 225.0])
    @pytest.mark.parametrize("gradient", [0.0, 60.0, 135.0, 300.0])
    def test_response_to_a_ramp_is_minus_8_cos(self, angle, gradient):
        # Brightness rises in direction `gradient` (image coordinates: x right, y down).
        t = math.radians(gradient)
        y, x = np.mgrid[0:8, 0:8].astype(float)
        ramp = x * math.cos(t) + y * math.sin(t)
        response = correlate(ramp, xf.oriented_edge(angle, dtype="float64"))[1:-1, 1:-1]
        assert_allclose(response, -8 * math.cos(math.radians(angle) - t), atol=1e-9)

    @pytest.mark.parametrize(("angle", "error"), [("45", TypeError), (True, TypeError), (None, TypeError),
                                                  (math.inf, ValueError), (math.nan, ValueError)])  # fmt: skip
    def test_bad_angle(self, angle, error):
        with pytest.raises(error, match="`angle_degrees` must be"):
            xf.oriented_edge(angle)


class TestFilterBanks:
    def test_channel_filter_sees_one_channel(self, xb):
        rgb = random_images((2, 7, 8, 3))
        kernel = xb.asarray(VERTICAL, "float64")
        W = xf.channel_filter(kernel, 0)  # the tutorial's red-channel vertical edges
        xb.assert_here(W)
        assert W.shape == (3, 3, 3, 1)
        w = xb.to_numpy(W)
        assert_array_equal(w[:, :, 0, 0], VERTICAL)
        assert_array_equal(w[:, :, 1:, 0], 0)
        b = xb.asarray(np.zeros((1, 1, 1, 1)), "float64")
        Z, _ = xcnn.conv_forward(xb.asarray(rgb, "float64"), W, b, {"stride": 1, "pad": 0})
        expected = np.stack([correlate(img[:, :, 0], VERTICAL)[1:-1, 1:-1] for img in rgb])
        assert_allclose(xb.to_numpy(Z)[..., 0], expected, atol=1e-9)

    def test_all_channels_filter_sums_the_channels(self, xb):
        rgb = random_images((2, 6, 5, 3), seed=1)
        W = xf.all_channels_filter(xb.asarray(SOBEL_X.T, "float64"), n_channels=3)
        xb.assert_here(W)
        assert W.shape == (3, 3, 3, 1)
        b = xb.asarray(np.zeros((1, 1, 1, 1)), "float64")
        Z, _ = xcnn.conv_forward(xb.asarray(rgb, "float64"), W, b, {"stride": 1, "pad": 1})
        expected = np.stack([correlate(img.sum(axis=-1), SOBEL_X.T) for img in rgb])
        assert_allclose(xb.to_numpy(Z)[..., 0], expected, atol=1e-9)

    def test_stack_filters_orders_output_channels(self, xb):
        sobel_x = xf.sobel("x", xp=xb.xp, device=xb.device)
        vertical_red = xf.channel_filter(xf.vertical_edge(xp=xb.xp, device=xb.device), 0)
        pair = xf.stack_filters([vertical_red, vertical_red])  # (3, 3, 3, 2)
        bank = xf.stack_filters([vertical_red, xf.all_channels_filter(sobel_x), pair])
        xb.assert_here(bank)
        assert bank.shape == (3, 3, 3, 4)
        w = xb.to_numpy(bank)
        assert_array_equal(w[:, :, 0, 0], VERTICAL)
        assert_array_equal(w[:, :, 2, 1], SOBEL_X)
        assert_array_equal(w[..., 2], w[..., 0])
        gray = xf.stack_filters([sobel_x, xf.sobel("y", xp=xb.xp, device=xb.device)])
        assert gray.shape == (3, 3, 1, 2)
        assert_array_equal(xb.to_numpy(gray)[:, :, 0, 1], SOBEL_X.T)

    def test_stack_filters_promotes_dtypes(self):
        bank = xf.stack_filters([xf.sobel("x"), xf.sobel("y", dtype="float64")])
        assert bank.dtype == np.float64

    def test_bank_errors(self):
        import array_api_strict as xs

        kernel = xf.vertical_edge()
        with pytest.raises(ValueError, match=r"`channel` must be < n_channels = 3, got 3"):
            xf.channel_filter(kernel, 3)
        with pytest.raises(ValueError, match=r"`channel` must be an integer >= 0"):
            xf.channel_filter(kernel, -1)
        with pytest.raises(TypeError, match=r"`channel` must be an integer"):
            xf.channel_filter(kernel, "red")
        with pytest.raises(ValueError, match=r"`n_channels` must be an integer >= 1, got 0"):
            xf.all_channels_filter(kernel, 0)
        with pytest.raises(
            ValueError, match=r"`kernel` must be 2-D with shape \(f, f\), got shape \(3, 3, 1\)"
        ):
            xf.all_channels_filter(np.ones((3, 3, 1), dtype=np.float32))
        with pytest.raises(TypeError, match=r"`kernel` must have a real floating dtype .* int64"):
            xf.channel_filter(np.ones((3, 3), dtype=np.int64), 0)
        with pytest.raises(TypeError, match=r"`kernel` must be an array"):
            xf.channel_filter([[1.0, 0.0, -1.0]] * 3, 0)
        with pytest.raises(ValueError, match=r"`filters` must hold at least one filter"):
            xf.stack_filters([])
        with pytest.raises(TypeError, match=r"`filters` must be a list of arrays"):
            xf.stack_filters(kernel)
        with pytest.raises(ValueError, match=r"`filters\[1\]` has \(f_h, f_w, n_C_prev\) = \(3, 3, 3\)"):
            xf.stack_filters([kernel, xf.all_channels_filter(kernel)])
        with pytest.raises(ValueError, match=r"`filters\[1\]` must be \(f_h, f_w\)"):
            xf.stack_filters([kernel, np.ones(3, dtype=np.float32)])
        with pytest.raises(
            TypeError, match=r"`filters\[0\]` and `filters\[1\]` come from different backends"
        ):
            xf.stack_filters([kernel, xf.vertical_edge(xp=xs)])


class TestDetectEdges:
    @pytest.mark.parametrize(
        ("method", "kernel_x"),
        [("sobel", SOBEL_X), ("scharr", SCHARR_X)],
    )
    def test_matches_scipy_on_every_pixel(self, xb, method, kernel_x):
        images = random_images((3, 9, 12))
        magnitude, gx, gy = xf.detect_edges(
            xb.asarray(images, "float64"), method=method, return_components=True
        )
        for result in (magnitude, gx, gy):
            xb.assert_here(result)
            assert result.shape == (3, 9, 12)
            assert result.dtype == xb.xp.float64
        ex = np.stack([correlate(img, kernel_x) for img in images])
        ey = np.stack([correlate(img, kernel_x.T) for img in images])
        assert_allclose(xb.to_numpy(gx), ex, atol=1e-9)
        assert_allclose(xb.to_numpy(gy), ey, atol=1e-9)
        assert_allclose(xb.to_numpy(magnitude), np.hypot(ex, ey), atol=1e-9)

    def test_scipy_sobel_interior_and_valid_padding(self, xb):
        images = random_images((2, 10, 8), seed=3)
        magnitude = xb.to_numpy(xf.detect_edges(xb.asarray(images, "float64"), padding="valid"))
        assert magnitude.shape == (2, 8, 6)
        for img, ours in zip(images, magnitude):
            expected = np.hypot(ndimage.sobel(img, axis=0), ndimage.sobel(img, axis=1))[1:-1, 1:-1]
            assert_allclose(ours, expected, atol=1e-9)

    def test_replicate_padding_matches_scipy_nearest(self, xb):
        images = random_images((2, 7, 9), seed=4)
        _, gx, gy = xf.detect_edges(
            xb.asarray(images, "float64"), padding_mode="replicate", return_components=True
        )
        xb.assert_here(gx)
        for img, ours_x, ours_y in zip(images, xb.to_numpy(gx), xb.to_numpy(gy)):
            assert_allclose(ours_x, -ndimage.sobel(img, axis=1, mode="nearest"), atol=1e-9)
            assert_allclose(ours_y, -ndimage.sobel(img, axis=0, mode="nearest"), atol=1e-9)

    def test_rgb_is_bt601_luminance(self, xb):
        rgb = random_images((2, 8, 7, 3), seed=5)
        ours = xb.to_numpy(xf.detect_edges(xb.asarray(rgb, "float64")))
        gray = rgb @ BT601
        expected = np.stack([np.hypot(correlate(g, SOBEL_X), correlate(g, SOBEL_X.T)) for g in gray])
        assert_allclose(ours, expected, rtol=1e-9, atol=1e-9)

    def test_tutorial_vertical_and_horizontal_examples(self, xb):
        images = xb.asarray(np.stack([BRIGHT_LEFT, BRIGHT_LEFT[:, ::-1], HALF_HALF, TUTORIAL_6X6]), "float32")
        magnitude, gx, gy = xf.detect_edges(
            images, method="vertical", padding="valid", return_components=True
        )
        xb.assert_here(magnitude)
        gx, gy, magnitude = xb.to_numpy(gx), xb.to_numpy(gy), xb.to_numpy(magnitude)
        assert_array_equal(gx[0], [[0, 30, 30, 0]] * 4)
        assert_array_equal(gx[1], [[0, -30, -30, 0]] * 4)
        assert_array_equal(magnitude[1], [[0, 30, 30, 0]] * 4)
        assert_array_equal(gx[3], [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]])
        assert_array_equal(gy, 0)

        magnitude, gx, gy = xf.detect_edges(
            images, method="horizontal", padding="valid", return_components=True
        )
        expected = [[0, 0, 0, 0], [30, 10, -10, -30], [30, 10, -10, -30], [0, 0, 0, 0]]
        assert_array_equal(xb.to_numpy(gy)[2], expected)
        assert_array_equal(xb.to_numpy(magnitude)[2], np.abs(expected))
        assert_array_equal(xb.to_numpy(gx), 0)

    @pytest.mark.parametrize("shape", [(2, 6, 5), (2, 6, 5, 1), (2, 6, 5, 3)])
    def test_uint8_layouts(self, xb, shape):
        pixels = random_images(shape, seed=6).astype(np.uint8)
        magnitude = xf.detect_edges(xb.asarray(pixels))
        xb.assert_here(magnitude)
        assert magnitude.shape == (2, 6, 5)
        assert magnitude.dtype == xb.xp.float32
        expected = xf.detect_edges(pixels.astype(np.float64))
        assert_allclose(xb.to_numpy(magnitude), expected, rtol=1e-5, atol=1e-3)

    def test_float32_stays_float32(self, xb):
        magnitude = xf.detect_edges(xb.asarray(random_images((1, 5, 5)), "float32"), method="scharr")
        assert magnitude.dtype == xb.xp.float32

    @pytest.mark.parametrize("chunk_size", [1, 2, 4])
    def test_chunks_give_the_same_result(self, xb, chunk_size):
        images = xb.asarray(random_images((5, 6, 7, 3), seed=7), "float64")
        whole = xf.detect_edges(images, return_components=True)
        chunked = xf.detect_edges(images, return_components=True, chunk_size=chunk_size)
        for a, b in zip(whole, chunked):
            xb.assert_here(b)
            assert_allclose(xb.to_numpy(b), xb.to_numpy(a), atol=1e-12)
        vertical = xf.detect_edges(images, method="vertical", chunk_size=chunk_size)
        xb.assert_here(vertical)
        assert_allclose(
            xb.to_numpy(vertical), xb.to_numpy(xf.detect_edges(images, method="vertical")), atol=1e-12
        )

    def test_empty_batch(self, xb):
        magnitude = xf.detect_edges(xb.asarray(np.zeros((0, 5, 6, 3)), "float32"), padding="valid")
        xb.assert_here(magnitude)
        assert magnitude.shape == (0, 3, 4)


class TestDetectEdgesErrors:
    @pytest.fixture(autouse=True)
    def _no_convolution(self, monkeypatch):
        """Errors must come before any convolution runs."""

        def fail(*args, **kwargs):
            raise AssertionError("conv_forward ran before the arguments were checked")

        import xcnn.filters.edges

        monkeypatch.setattr(xcnn.filters.edges, "conv_forward", fail)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"method": "canny"}, ValueError, r"`method` must be one of \['sobel', 'scharr', 'vertical', 'horizontal'\], got 'canny'"),
            ({"padding": 1}, ValueError, r"`padding` must be one of \['same', 'valid'\], got 1"),
            ({"padding_mode": "reflect"}, ValueError, r"`padding_mode` must be one of \['zeros', 'replicate'\], got 'reflect'"),
            ({"chunk_size": 0}, ValueError, r"`chunk_size` must be an integer >= 1, got 0"),
            ({"chunk_size": 2.5}, TypeError, r"`chunk_size` must be an integer >= 1"),
            ({"return_components": "yes"}, TypeError, r"`return_components` must be True or False, got str 'yes'"),
        ],
    )  # fmt: skip
    def test_bad_options(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            xf.detect_edges(np.zeros((1, 5, 5), dtype=np.uint8), **kwargs)

    @pytest.mark.parametrize(
        ("images", "error", "match"),
        [
            (np.zeros((5, 5)), ValueError, r"`images` must be a batch of shape \(m, H, W\), \(m, H, W, 1\) or \(m, H, W, 3\), got shape \(5, 5\); for a single image pass images\[None\]"),
            (np.zeros((1, 5, 5, 4)), ValueError, r"got shape \(1, 5, 5, 4\)"),
            (np.zeros((1, 1, 5, 5, 3)), ValueError, r"got shape \(1, 1, 5, 5, 3\)"),
            (np.zeros((1, 5, 5), dtype=complex), TypeError, r"`images` must hold real numbers .* got dtype complex128"),
            ([[[0.0]]], TypeError, r"`images` must be an array"),
        ],
    )  # fmt: skip
    def test_bad_images(self, images, error, match):
        with pytest.raises(error, match=match):
            xf.detect_edges(images)

    def test_too_small_for_valid(self):
        with pytest.raises(ValueError, match=r'`images` must be at least 3x3 for padding="valid" .* got 2x5'):
            xf.detect_edges(np.zeros((1, 2, 5)), padding="valid")
