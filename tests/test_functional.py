"""xcnn.functional: hand-checked cases for each option (these run without
PyTorch), finite-difference gradients, and PyTorch for dense, activations and losses."""

from __future__ import annotations

import numpy as np
import pytest

from xcnn import functional as F

from .helpers import numeric_gradient

IMAGE = np.arange(1.0, 17.0).reshape(1, 4, 4, 1)  # rows 1-4, 5-8, 9-12, 13-16


def _map(xb, z):
    xb.assert_here(z)
    return xb.to_numpy(z)[0, :, :, 0]


# --- convolution options, by hand ------------------------------------------------


def test_conv2d_stride_pair_and_dilation(xb):
    x, ones = xb.asarray(IMAGE), xb.asarray(np.ones((2, 2, 1, 1)))
    # stride (1, 2): windows at columns 0 and 2; 1+2+5+6 = 14, 3+4+7+8 = 22, ...
    np.testing.assert_array_equal(_map(xb, F.conv2d(x, ones, stride=(1, 2))), [[14, 22], [30, 38], [46, 54]])
    # dilation 2: a 2x2 kernel touching (0,0), (0,2), (2,0), (2,2): 1+3+9+11 = 24
    np.testing.assert_array_equal(_map(xb, F.conv2d(x, ones, dilation=2)), [[24, 28], [40, 44]])


def test_conv2d_padding_forms(xb):
    x, w = xb.asarray(IMAGE), xb.asarray(np.ones((1, 1, 1, 1)))
    # a 1x1 kernel of one shows the padding itself
    asym = _map(xb, F.conv2d(x, w, padding=((1, 0), (0, 2))))
    assert asym.shape == (5, 6)
    np.testing.assert_array_equal(asym[0], 0)
    np.testing.assert_array_equal(asym[1:, :4], IMAGE[0, :, :, 0])
    np.testing.assert_array_equal(asym[:, 4:], 0)
    assert _map(xb, F.conv2d(x, w, padding=(2, 1))).shape == (8, 6)
    assert _map(xb, F.conv2d(x, w, padding="valid")).shape == (4, 4)


def test_conv2d_same_puts_the_odd_extra_row_at_the_bottom(xb):
    # A 2x2 kernel picking its top-left tap: "same" pads 0 above, 1 below,
    # so the output equals the input.
    w = np.zeros((2, 2, 1, 1))
    w[0, 0] = 1
    out = _map(xb, F.conv2d(xb.asarray(IMAGE), xb.asarray(w), padding="same"))
    np.testing.assert_array_equal(out, IMAGE[0, :, :, 0])


def test_conv2d_depthwise_groups(xb):
    x = np.stack([IMAGE[0, :, :, 0], -IMAGE[0, :, :, 0]], axis=-1)[None]  # channel 1 = -channel 0
    w = np.ones((2, 2, 1, 4))  # groups=2, two outputs per group; scale the 2nd of each
    w[..., 1] = 2
    w[..., 3] = 3
    z = xb.to_numpy(F.conv2d(xb.asarray(x), xb.asarray(w), stride=2, groups=2))
    top_left = 1 + 2 + 5 + 6
    np.testing.assert_array_equal(z[0, 0, 0], [top_left, 2 * top_left, -top_left, -3 * top_left])


def test_conv2d_bias_shapes(xb):
    x, w = xb.asarray(IMAGE), xb.asarray(np.ones((1, 1, 1, 2)))
    for b in (np.array([1.0, -1.0]), np.array([1.0, -1.0]).reshape(1, 1, 1, 2)):
        z = xb.to_numpy(F.conv2d(x, w, xb.asarray(b)))
        np.testing.assert_array_equal(z[0, 0, 0], [2.0, 0.0])


def test_conv2d_backward_without_bias_returns_none(xb):
    x, w = xb.asarray(IMAGE), xb.asarray(np.ones((2, 2, 1, 1)))
    dx, dw, db = F.conv2d_backward(xb.asarray(np.ones((1, 3, 3, 1))), x, w, bias=False)
    assert db is None
    # every input pixel is in (number of windows covering it) windows
    np.testing.assert_array_equal(_map(xb, dx), [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


@pytest.mark.parametrize(
    "options",
    [
        dict(stride=2, padding=((0, 1), (2, 1)), dilation=1, groups=1),
        dict(stride=(1, 2), padding=1, dilation=(2, 1), groups=2),
        dict(stride=1, padding="same", dilation=2, groups=4),
    ],
    ids=["asymmetric", "dilated-groups", "same-depthwise"],
)
def test_conv2d_backward_matches_finite_differences(xb, options):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, 7, 4))
    w = rng.standard_normal((3, 2, 4 // options["groups"], 4))
    b = rng.standard_normal(4)
    z = F.conv2d(xb.asarray(x), xb.asarray(w), xb.asarray(b), **options)
    dz = rng.standard_normal(tuple(z.shape))
    grads = [xb.to_numpy(g) for g in F.conv2d_backward(xb.asarray(dz), xb.asarray(x), xb.asarray(w), **options)]

    def loss(x_, w_, b_):
        return float(np.sum(xb.to_numpy(F.conv2d(xb.asarray(x_), xb.asarray(w_), xb.asarray(b_), **options)) * dz))

    for grad, (value, f) in zip(
        grads, [(x, lambda v: loss(v, w, b)), (w, lambda v: loss(x, v, b)), (b, lambda v: loss(x, w, v))]
    ):
        picks, numeric = numeric_gradient(f, value, n_checks=5)
        np.testing.assert_allclose([grad[p] for p in picks], numeric, rtol=1e-6, atol=1e-7)


def test_pad_per_side_and_value(xb):
    out = F.pad(xb.asarray(np.ones((1, 1, 1, 1))), ((1, 0), (0, 2)), value=-np.inf)
    np.testing.assert_array_equal(_map(xb, out), [[-np.inf] * 3, [1.0, -np.inf, -np.inf]])


# --- pooling options, by hand -----------------------------------------------------


def test_max_pool_default_stride_is_the_kernel(xb):
    np.testing.assert_array_equal(_map(xb, F.max_pool2d(xb.asarray(IMAGE), 2)), [[6, 8], [14, 16]])


def test_max_pool_padding_ceil_mode_and_dilation(xb):
    x = xb.asarray(IMAGE)
    # padding 1, kernel 2, stride 2: windows start at -1, 1, 3
    np.testing.assert_array_equal(_map(xb, F.max_pool2d(x, 2, padding=1)), [[1, 3, 4], [9, 11, 12], [13, 15, 16]])
    # kernel 3, stride 2: floor gives 1 window per axis, ceil_mode a 2nd partial one
    np.testing.assert_array_equal(_map(xb, F.max_pool2d(x, 3, stride=2)), [[11]])
    np.testing.assert_array_equal(_map(xb, F.max_pool2d(x, 3, stride=2, ceil_mode=True)), [[11, 12], [15, 16]])
    # dilation 2 with a 2x2 kernel: taps (0,0), (0,2), (2,0), (2,2)
    np.testing.assert_array_equal(_map(xb, F.max_pool2d(x, 2, stride=1, dilation=2)), [[11, 12], [15, 16]])


def test_max_pool_backward_routes_to_the_first_maximum(xb):
    x = np.full((1, 3, 3, 1), 7.0)
    dx = F.max_pool2d_backward(xb.asarray(np.ones((1, 2, 2, 1))), xb.asarray(x), 2, stride=1)
    # every window's first maximum is its top-left element
    np.testing.assert_array_equal(_map(xb, dx), [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_avg_pool_count_include_pad_and_divisor_override(xb):
    x = xb.asarray(np.ones((1, 2, 2, 1)))
    # kernel 2, padding 1: each of the 3x3 windows sees one real 1 and three pad cells... only corners
    with_pad = _map(xb, F.avg_pool2d(x, 2, stride=1, padding=1))
    np.testing.assert_allclose(with_pad, [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])
    without_pad = _map(xb, F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False))
    np.testing.assert_allclose(without_pad, np.ones((3, 3)))
    override = _map(xb, F.avg_pool2d(x, 2, stride=1, padding=1, divisor_override=1))
    np.testing.assert_allclose(override, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_avg_pool_ceil_mode_does_not_count_the_overhang(xb):
    # 3 columns, kernel 2, stride 2, ceil_mode: the 2nd window covers column 2 only
    x = xb.asarray(np.array([[[[2.0], [4.0], [9.0]]]]))
    np.testing.assert_allclose(_map(xb, F.avg_pool2d(x, (1, 2), ceil_mode=True)), [[3.0, 9.0]])


def test_global_avg_pool(xb):
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5))
    y = F.global_avg_pool2d(xb.asarray(x))
    xb.assert_here(y)
    np.testing.assert_allclose(xb.to_numpy(y), x.mean(axis=(1, 2)))
    dy = np.random.default_rng(2).standard_normal((2, 5))
    dx = xb.to_numpy(F.global_avg_pool2d_backward(xb.asarray(dy), xb.asarray(x)))
    np.testing.assert_allclose(dx, np.broadcast_to(dy[:, None, None, :] / 12, x.shape))


# --- dense, activations, losses vs PyTorch --------------------------------------------


def test_linear_forward_and_backward(xb):
    torch_oracle = pytest.importorskip("tests.torch_oracle")
    torch = torch_oracle.torch
    rng = np.random.default_rng(3)
    x, w, b, dy = rng.standard_normal((5, 7)), rng.standard_normal((7, 3)), rng.standard_normal(3), rng.standard_normal((5, 3))
    y = F.linear(xb.asarray(x), xb.asarray(w), xb.asarray(b))
    grads = F.linear_backward(xb.asarray(dy), xb.asarray(x), xb.asarray(w))
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    yt = torch.nn.functional.linear(xt, wt.T, bt)
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(xb.to_numpy(y), yt.detach().numpy(), rtol=1e-12)
    for g, t in zip(grads, (xt, wt, bt)):
        xb.assert_here(g)
        np.testing.assert_allclose(xb.to_numpy(g), t.grad.numpy(), rtol=1e-12)
    assert F.linear_backward(xb.asarray(dy), xb.asarray(x), xb.asarray(w), bias=False)[2] is None


ACTIVATIONS = {
    "relu": ({}, lambda t, F_: F_.relu(t)),
    "leaky_relu": ({"negative_slope": 0.2}, lambda t, F_: F_.leaky_relu(t, 0.2)),
    "sigmoid": ({}, lambda t, F_: t.sigmoid()),
    "tanh": ({}, lambda t, F_: t.tanh()),
    "softmax": ({"axis": 1}, lambda t, F_: F_.softmax(t, dim=1)),
    "log_softmax": ({"axis": -1}, lambda t, F_: F_.log_softmax(t, dim=-1)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_forward_and_backward(xb, name):
    torch_oracle = pytest.importorskip("tests.torch_oracle")
    torch = torch_oracle.torch
    kwargs, reference = ACTIVATIONS[name]
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 6)) * 30  # large values: overflow must not happen
    x[0, :3] = 0.0  # the kink of relu and leaky_relu
    dy = rng.standard_normal((4, 6))
    y = getattr(F, name)(xb.asarray(x), **kwargs)
    dx = getattr(F, name + "_backward")(xb.asarray(dy), xb.asarray(x), **kwargs)
    xt = torch.tensor(x, requires_grad=True)
    yt = reference(xt, torch.nn.functional)
    yt.backward(torch.tensor(dy))
    xb.assert_here(y)
    xb.assert_here(dx)
    np.testing.assert_allclose(xb.to_numpy(y), yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xb.to_numpy(dx), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("label_kind", ["indices", "one_hot"])
def test_cross_entropy_forward_and_backward(xb, label_kind):
    torch_oracle = pytest.importorskip("tests.torch_oracle")
    torch = torch_oracle.torch
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((6, 4)) * 50  # stable from logits
    labels = rng.integers(0, 4, size=6)
    given = labels if label_kind == "indices" else np.eye(4)[labels]
    loss = F.cross_entropy(xb.asarray(logits), xb.asarray(given))
    grad = F.cross_entropy_backward(2.0, xb.asarray(logits), xb.asarray(given))
    lt = torch.tensor(logits, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(lt, torch.tensor(labels))
    (2 * ref).backward()
    xb.assert_here(loss)
    np.testing.assert_allclose(xb.to_numpy(loss), ref.item(), rtol=1e-12)
    np.testing.assert_allclose(xb.to_numpy(grad), lt.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cross_entropy_by_hand(xb):
    # uniform logits over 4 classes: loss log(4), gradient (1/4 - onehot) / N
    loss = F.cross_entropy(xb.asarray(np.zeros((2, 4))), xb.asarray(np.array([0, 3])))
    np.testing.assert_allclose(xb.to_numpy(loss), np.log(4))
    grad = xb.to_numpy(F.cross_entropy_backward(1.0, xb.asarray(np.zeros((2, 4))), xb.asarray(np.array([0, 3]))))
    np.testing.assert_allclose(grad, (0.25 - np.eye(4)[[0, 3]]) / 2)


def test_mse_loss_and_backward(xb):
    a, t = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(xb.to_numpy(F.mse_loss(xb.asarray(a), xb.asarray(t))), (0 + 4 + 9 + 16) / 4)
    grad = F.mse_loss_backward(1.0, xb.asarray(a), xb.asarray(t))
    xb.assert_here(grad)
    np.testing.assert_allclose(xb.to_numpy(grad), 2 * (a - t) / 4)


def test_float16_works(xb):
    if xb.name == "array_api_strict":
        pytest.skip("array_api_strict has no float16")
    x = xb.asarray(IMAGE, "float16")
    z = F.conv2d(x, xb.asarray(np.ones((2, 2, 1, 1)), "float16"), stride=2)
    assert z.dtype == xb.xp.float16
    np.testing.assert_array_equal(xb.to_numpy(z)[0, :, :, 0], [[14, 22], [46, 54]])
    assert F.max_pool2d(x, 2).dtype == xb.xp.float16
