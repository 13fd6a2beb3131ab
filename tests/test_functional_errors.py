"""xcnn.functional rejects bad input with a clear error before computing."""

from __future__ import annotations

import numpy as np
import pytest

from xcnn import functional as F


@pytest.fixture
def conv_args(xb):
    return xb.asarray(np.zeros((1, 5, 5, 4))), xb.asarray(np.zeros((3, 3, 4, 6)))


@pytest.mark.parametrize(
    ("options", "error", "pattern"),
    [
        (dict(stride=0), ValueError, r"`stride` must be an integer >= 1, got 0"),
        (dict(stride=(1, 0)), ValueError, r"`stride\[1\]` must be an integer >= 1, got 0"),
        (dict(stride=(1, 2, 3)), ValueError, r"`stride` must be an int or an \(h, w\) pair, got \(1, 2, 3\)"),
        (dict(dilation=0), ValueError, r"`dilation` must be an integer >= 1, got 0"),
        (dict(padding=-1), ValueError, r"`padding` must be an integer >= 0, got -1"),
        (dict(padding=((0, -2), (0, 0))), ValueError, r"`padding \(top/bottom\)` must be an integer >= 0, got -2"),
        (dict(padding="full"), ValueError, r"`padding` must be an int, a pair, .*'valid' or 'same'; got 'full'"),
        (dict(padding="same", stride=2), ValueError, r"`padding`='same' needs stride 1, got stride=\(2, 2\)"),
        (dict(groups=0), ValueError, r"`groups` must be an integer >= 1, got 0"),
        (dict(groups=4), ValueError, r"`groups`=4 must divide .* output channels \(6"),
        (dict(dilation=3), ValueError, r"7x7 window\) is larger than the padded input `x` \(5x5"),
        (dict(stride=1.0), TypeError, r"`stride` must be an integer >= 1, got float 1.0"),
    ],
)
def test_conv2d_bad_options(conv_args, options, error, pattern):
    x, w = conv_args
    with pytest.raises(error, match=pattern):
        F.conv2d(x, w, **options)


def test_conv2d_bad_shapes(xb, conv_args):
    x, w = conv_args
    with pytest.raises(ValueError, match=r"`x` must be 4-D with shape \(m, H, W, C_in\), got shape \(5, 5, 4\)"):
        F.conv2d(x[0, ...], w)
    with pytest.raises(ValueError, match=r"`w` expects 4 input channels \(w.shape\[2\]\) per group, 8 in all with groups=2, but `x` has 4"):
        F.conv2d(x, w, groups=2)
    with pytest.raises(ValueError, match=r"`groups`=3 must divide both the input channels \(4"):
        F.conv2d(x, w, groups=3)
    with pytest.raises(ValueError, match=r"`b` must have shape \(6,\) or \(1, 1, 1, 6\) .* got \(5,\)"):
        F.conv2d(x, w, xb.asarray(np.zeros(5)))
    with pytest.raises(ValueError, match=r"`dz` must have shape \(1, 3, 3, 6\)"):
        F.conv2d_backward(xb.asarray(np.zeros((1, 5, 5, 6))), x, w)


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize(
    ("args", "options", "error", "pattern"),
    [
        ((0,), {}, ValueError, r"`kernel_size` must be an integer >= 1, got 0"),
        ((2,), dict(stride=0), ValueError, r"`stride` must be an integer >= 1, got 0"),
        ((2,), dict(padding=2), ValueError, r"`padding` must be at most half the kernel size; got padding 2 for kernel size 2"),
        ((2,), dict(padding=-1), ValueError, r"`padding` must be an integer >= 0, got -1"),
        ((2,), dict(padding="same"), TypeError, r"`padding` must be an integer >= 0, got str 'same'"),
        ((9,), {}, ValueError, r"9x9 window\) is larger than the padded input `x` \(4x4"),
        ((2,), dict(ceil_mode=1), TypeError, r"`ceil_mode` must be True or False, got 1"),
    ],
)
def test_pooling_bad_options(xb, op, args, options, error, pattern):
    with pytest.raises(error, match=pattern):
        getattr(F, op)(xb.asarray(np.zeros((1, 4, 4, 1))), *args, **options)


def test_pooling_bad_shapes_and_dtypes(xb):
    x = xb.asarray(np.zeros((1, 4, 4, 1)))
    with pytest.raises(ValueError, match=r"`x` must be 4-D"):
        F.max_pool2d(xb.asarray(np.zeros((4, 4))), 2)
    with pytest.raises(ValueError, match=r"`dy` must have shape \(1, 2, 2, 1\)"):
        F.max_pool2d_backward(xb.asarray(np.zeros((1, 3, 3, 1))), x, 2)
    with pytest.raises(TypeError, match=r"`x` must have a real floating dtype .* got int64"):
        F.avg_pool2d(xb.asarray(np.zeros((1, 4, 4, 1), dtype=np.int64)), 2)
    with pytest.raises(ValueError, match=r"`divisor_override` must be an integer >= 1, got 0"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ValueError, match=r"`dy` must have shape \(1, 1\)"):
        F.global_avg_pool2d_backward(xb.asarray(np.zeros((1, 2))), x)


def test_linear_errors(xb):
    x, w = xb.asarray(np.zeros((2, 3))), xb.asarray(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"`x` must end in in_features = 3 .* got shape \(2, 5\)"):
        F.linear(xb.asarray(np.zeros((2, 5))), w)
    with pytest.raises(ValueError, match=r"`w` must be 2-D"):
        F.linear(x, xb.asarray(np.zeros(3)))
    with pytest.raises(ValueError, match=r"`b` must have shape \(4,\)"):
        F.linear(x, w, xb.asarray(np.zeros(3)))


def test_activation_errors(xb):
    with pytest.raises(TypeError, match=r"`x` must have a real floating dtype"):
        F.relu(xb.asarray(np.zeros(3, dtype=np.int32)))
    with pytest.raises(ValueError, match=r"`axis` must be in \[-2, 1\] for a 2-D `x`, got 2"):
        F.softmax(xb.asarray(np.zeros((2, 3))), axis=2)
    with pytest.raises(ValueError, match=r"`dy` must have shape \(2, 3\)"):
        F.tanh_backward(xb.asarray(np.zeros((3, 2))), xb.asarray(np.zeros((2, 3))))
    with pytest.raises(TypeError, match=r"`negative_slope` must be a real number"):
        F.leaky_relu(xb.asarray(np.zeros(2)), "0.1")


def test_cross_entropy_errors(xb):
    logits = xb.asarray(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"`labels` must be class indices in \[0, 3\], got values from 0 to 4"):
        F.cross_entropy(logits, xb.asarray(np.array([0, 4, 1])))
    with pytest.raises(ValueError, match=r"`labels` must be class indices in \[0, 3\], got values from -1"):
        F.cross_entropy_backward(1.0, logits, xb.asarray(np.array([-1, 0, 1])))
    with pytest.raises(ValueError, match=r"`labels` must have shape \(3,\)"):
        F.cross_entropy(logits, xb.asarray(np.array([0, 1])))
    with pytest.raises(ValueError, match=r"`labels` must have shape \(3, 4\)"):
        F.cross_entropy(logits, xb.asarray(np.zeros((3, 5))))
    with pytest.raises(ValueError, match=r"`logits` must be 2-D"):
        F.cross_entropy(xb.asarray(np.zeros(4)), xb.asarray(np.array([0])))
    with pytest.raises(TypeError, match=r"`labels` must be integer class indices .* got dtype bool"):
        F.cross_entropy(logits, xb.asarray(np.zeros(3, dtype=bool)))


def test_mse_errors(xb):
    with pytest.raises(ValueError, match=r"`target` must have shape \(2,\)"):
        F.mse_loss(xb.asarray(np.zeros(2)), xb.asarray(np.zeros(3)))
