"""Convolution forward and backward against independent oracles.

SciPy's correlate (forward), PyTorch's conv2d and autograd (forward and
backward), and central finite differences (backward), on every backend.
"""

from __future__ import annotations

import numpy as np
import pytest

import xcnn

from .helpers import conv_oracle, numeric_gradient

# (m, n_H_prev, n_W_prev, n_C_prev, f, n_C, stride, pad): strides 1-3, pad 0-2,
# odd and even kernels, non-square inputs, sizes that don't divide evenly.
CONFIGS = [
    (2, 5, 5, 3, 3, 4, 1, 0),
    (2, 5, 5, 3, 3, 4, 1, 1),
    (3, 7, 6, 2, 3, 2, 2, 0),
    (2, 8, 9, 3, 2, 5, 2, 1),
    (1, 9, 7, 4, 3, 3, 3, 2),
    (2, 6, 6, 1, 5, 2, 1, 2),
    (4, 4, 4, 3, 1, 6, 1, 0),
    (2, 7, 7, 2, 4, 3, 3, 1),
]


def _random_layer(config, seed=0):
    m, h, w, c_prev, f, c, stride, pad = config
    rng = np.random.default_rng(seed)
    a_prev = rng.standard_normal((m, h, w, c_prev))
    weights = rng.standard_normal((f, f, c_prev, c))
    b = rng.standard_normal((1, 1, 1, c))
    n_h = (h - f + 2 * pad) // stride + 1
    n_w = (w - f + 2 * pad) // stride + 1
    dz = rng.standard_normal((m, n_h, n_w, c))
    return a_prev, weights, b, dz, {"stride": stride, "pad": pad}


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_forward_matches_scipy_correlate(xb, config):
    a_prev, w, b, _, hp = _random_layer(config)
    z, cache = xcnn.conv_forward(xb.asarray(a_prev), xb.asarray(w), xb.asarray(b), hp)
    xb.assert_here(z)
    assert cache[3] is hp
    np.testing.assert_allclose(xb.to_numpy(z), conv_oracle(a_prev, w, b, hp["stride"], hp["pad"]), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_forward_and_backward_match_torch_autograd(xb, config):
    torch_oracle = pytest.importorskip("tests.torch_oracle")
    a_prev, w, b, dz, hp = _random_layer(config, seed=1)
    z, cache = xcnn.conv_forward(xb.asarray(a_prev), xb.asarray(w), xb.asarray(b), hp)
    da, dw, db = xcnn.conv_backward(xb.asarray(dz), cache)
    for out in (da, dw, db):
        xb.assert_here(out)
    expected = torch_oracle.conv(a_prev, w, b, dz, hp["stride"], hp["pad"])
    for got, want in zip((z, da, dw, db), expected):
        np.testing.assert_allclose(xb.to_numpy(got), want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("config", [CONFIGS[1], CONFIGS[3], CONFIGS[4]], ids=str)
def test_backward_matches_finite_differences(xb, config):
    a_prev, w, b, dz, hp = _random_layer(config, seed=2)

    def loss(a_prev_, w_, b_):
        z, _ = xcnn.conv_forward(xb.asarray(a_prev_), xb.asarray(w_), xb.asarray(b_), hp)
        return float(np.sum(xb.to_numpy(z) * dz))

    _, cache = xcnn.conv_forward(xb.asarray(a_prev), xb.asarray(w), xb.asarray(b), hp)
    grads = [xb.to_numpy(g) for g in xcnn.conv_backward(xb.asarray(dz), cache)]
    wrt = [
        (a_prev, lambda v: loss(v, w, b)),
        (w, lambda v: loss(a_prev, v, b)),
        (b, lambda v: loss(a_prev, w, v)),
    ]
    for grad, (value, f) in zip(grads, wrt):
        picks, numeric = numeric_gradient(f, value, n_checks=6)
        np.testing.assert_allclose([grad[p] for p in picks], numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_preserved(xb, dtype):
    a_prev, w, b, dz, hp = _random_layer(CONFIGS[3])
    z, cache = xcnn.conv_forward(xb.asarray(a_prev, dtype), xb.asarray(w, dtype), xb.asarray(b, dtype), hp)
    grads = xcnn.conv_backward(xb.asarray(dz, dtype), cache)
    for out in (z, *grads):
        assert out.dtype == getattr(xb.xp, dtype)
    rtol = 1e-4 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(xb.to_numpy(z), conv_oracle(a_prev, w, b, 2, 1), rtol=rtol, atol=rtol)


def test_mixed_float_dtypes_promote(xb):
    a_prev, w, b, _, hp = _random_layer(CONFIGS[0])
    z, _ = xcnn.conv_forward(xb.asarray(a_prev, "float32"), xb.asarray(w, "float64"), xb.asarray(b, "float32"), hp)
    assert z.dtype == xb.xp.float64


# --- the tutorial's bugs, each caught ---------------------------------------------


def test_conv_single_step_adds_bias_once(xb):
    a_slice = np.arange(18, dtype=float).reshape(3, 3, 2) / 10
    w = np.ones((3, 3, 2))
    z = xcnn.conv_single_step(xb.asarray(a_slice), xb.asarray(w), xb.asarray(np.full((1, 1, 1), 5.0)))
    # The tutorial's sum(a*W + b) would give sum(a) + 18*5.
    np.testing.assert_allclose(xb.to_numpy(z), a_slice.sum() + 5.0)


def test_backward_honours_stride(xb):
    """With stride 2 and f=1 only every other pixel is used, so only those get gradient."""
    a_prev = np.random.default_rng(3).standard_normal((1, 5, 5, 1))
    w = np.ones((1, 1, 1, 1))
    _, cache = xcnn.conv_forward(xb.asarray(a_prev), xb.asarray(w), xb.asarray(np.zeros((1, 1, 1, 1))), {"stride": 2, "pad": 0})
    da, dw, _ = xcnn.conv_backward(xb.asarray(np.ones((1, 3, 3, 1))), cache)
    expected = np.zeros((5, 5))
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(xb.to_numpy(da)[0, :, :, 0], expected)
    np.testing.assert_allclose(xb.to_numpy(dw).item(), a_prev[0, ::2, ::2, 0].sum())


def test_backward_with_zero_padding_keeps_the_full_gradient(xb):
    """The tutorial's ``pad:-pad`` slice returns an empty gradient for pad = 0."""
    a_prev, w, b, dz, hp = _random_layer(CONFIGS[0], seed=4)
    assert hp["pad"] == 0
    _, cache = xcnn.conv_forward(xb.asarray(a_prev), xb.asarray(w), xb.asarray(b), hp)
    da, _, _ = xcnn.conv_backward(xb.asarray(dz), cache)
    assert da.shape == a_prev.shape
    assert np.abs(xb.to_numpy(da)).sum() > 0


def test_zero_pad_matches_numpy_pad(xb):
    x = np.random.default_rng(5).standard_normal((2, 3, 4, 2))
    for pad in (0, 1, 3):
        out = xcnn.zero_pad(xb.asarray(x), pad)
        xb.assert_here(out)
        np.testing.assert_array_equal(xb.to_numpy(out), np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0))))
