"""Bad input raises a clear error before any computation, naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

import xcnn

HP = {"stride": 1, "pad": 0}


def _conv_inputs(xb, m=1, n=5, c_prev=3, f=3, c=2):
    return (
        xb.asarray(np.zeros((m, n, n, c_prev))),
        xb.asarray(np.zeros((f, f, c_prev, c))),
        xb.asarray(np.zeros((1, 1, 1, c))),
    )


def test_conv_wrong_number_of_dimensions(xb):
    a_prev, w, b = _conv_inputs(xb)
    with pytest.raises(ValueError, match=r"`A_prev` must be 4-D .* got shape \(5, 5, 3\)"):
        xcnn.conv_forward(a_prev[0, ...], w, b, HP)
    with pytest.raises(ValueError, match=r"`W` must be 4-D"):
        xcnn.conv_forward(a_prev, w[..., 0], b, HP)


def test_conv_channel_mismatch(xb):
    a_prev, _, b = _conv_inputs(xb)
    w = xb.asarray(np.zeros((3, 3, 4, 2)))
    with pytest.raises(ValueError, match=r"`W` expects 4 input channels .* `A_prev` has 3"):
        xcnn.conv_forward(a_prev, w, b, HP)


def test_conv_bias_of_the_wrong_shape(xb):
    a_prev, w, _ = _conv_inputs(xb)
    with pytest.raises(ValueError, match=r"`b` must have shape \(2,\) or \(1, 1, 1, 2\) .* got \(1, 1, 2\)"):
        xcnn.conv_forward(a_prev, w, xb.asarray(np.zeros((1, 1, 2))), HP)


def test_conv_kernel_larger_than_padded_input(xb):
    a_prev, w, b = _conv_inputs(xb, n=2)
    with pytest.raises(ValueError, match=r"3x3 window\) is larger than the padded input `A_prev` \(2x2"):
        xcnn.conv_forward(a_prev, w, b, HP)


@pytest.mark.parametrize(
    ("hparameters", "error", "pattern"),
    [
        ({"stride": 0, "pad": 0}, ValueError, r'`hparameters\["stride"\]` must be an integer >= 1, got 0'),
        ({"stride": 1, "pad": -1}, ValueError, r'`hparameters\["pad"\]` must be an integer >= 0, got -1'),
        ({"stride": 1.5, "pad": 0}, TypeError, r'`hparameters\["stride"\]` must be an integer'),
        ({"stride": True, "pad": 0}, TypeError, r'`hparameters\["stride"\]` must be an integer'),
        ({"stride": 1}, ValueError, r"missing the key 'pad'"),
        ({"pad": 1}, ValueError, r"missing the key 'stride'"),
        ({"stride": 1, "pad": 0, "padding": 1}, ValueError, r"unknown key\(s\) \['padding'\]"),
        ([1, 0], TypeError, r"`hparameters` must be a dict"),
    ],
)
def test_conv_bad_hparameters(xb, hparameters, error, pattern):
    a_prev, w, b = _conv_inputs(xb)
    with pytest.raises(error, match=pattern):
        xcnn.conv_forward(a_prev, w, b, hparameters)


def test_integer_input_is_rejected(xb):
    _, w, b = _conv_inputs(xb)
    a_prev = xb.asarray(np.zeros((1, 5, 5, 3), dtype=np.int32))
    with pytest.raises(TypeError, match=r"`A_prev` must have a real floating dtype .* got int32"):
        xcnn.conv_forward(a_prev, w, b, HP)
    with pytest.raises(TypeError, match=r"`A_prev` must have a real floating dtype"):
        xcnn.pool_forward(a_prev, {"f": 2, "stride": 2})


def test_not_an_array(xb):
    _, w, b = _conv_inputs(xb)
    with pytest.raises(TypeError, match=r"`A_prev` must be an array .* got list"):
        xcnn.conv_forward([[1.0]], w, b, HP)


def test_conv_backward_checks_dz_and_cache(xb):
    a_prev, w, b = _conv_inputs(xb)
    _, cache = xcnn.conv_forward(a_prev, w, b, HP)
    with pytest.raises(ValueError, match=r"`dZ` must have shape \(1, 3, 3, 2\) \(the shape of the forward output"):
        xcnn.conv_backward(xb.asarray(np.zeros((1, 4, 4, 2))), cache)
    with pytest.raises(TypeError, match=r"`cache` must be the tuple \(A_prev, W, b, hparameters\)"):
        xcnn.conv_backward(xb.asarray(np.zeros((1, 3, 3, 2))), cache[:3])


def test_conv_single_step_shape_mismatch(xb):
    with pytest.raises(ValueError, match=r"`W` must have shape \(3, 3, 2\)"):
        xcnn.conv_single_step(xb.asarray(np.zeros((3, 3, 2))), xb.asarray(np.zeros((3, 3, 1))), xb.asarray(np.zeros((1, 1, 1))))
    with pytest.raises(ValueError, match=r"`b` must hold exactly one value"):
        xcnn.conv_single_step(xb.asarray(np.zeros((3, 3, 2))), xb.asarray(np.zeros((3, 3, 2))), xb.asarray(np.zeros((1, 1, 2))))


def test_zero_pad_errors(xb):
    x = xb.asarray(np.zeros((1, 2, 2, 1)))
    with pytest.raises(ValueError, match=r"`pad` must be an integer >= 0, got -2"):
        xcnn.zero_pad(x, -2)
    with pytest.raises(ValueError, match=r"`X` must be 4-D"):
        xcnn.zero_pad(xb.asarray(np.zeros((2, 2))), 1)


@pytest.mark.parametrize(
    ("hparameters", "mode", "error", "pattern"),
    [
        ({"f": 2, "stride": 2}, "avg", ValueError, r"`mode` must be one of \['max', 'average'\], got 'avg'"),
        ({"f": 0, "stride": 2}, "max", ValueError, r'`hparameters\["f"\]` must be an integer >= 1, got 0'),
        ({"f": 2, "stride": 0}, "max", ValueError, r'`hparameters\["stride"\]` must be an integer >= 1'),
        ({"f": 9, "stride": 1}, "max", ValueError, r"9x9 window\) is larger than the padded input `A_prev` \(4x4"),
        ({"stride": 2}, "max", ValueError, r"missing the key 'f'"),
        ({"f": 2, "stride": 2, "pad": 1}, "max", ValueError, r"unknown key\(s\) \['pad'\]"),
    ],
)
def test_pool_bad_arguments(xb, hparameters, mode, error, pattern):
    with pytest.raises(error, match=pattern):
        xcnn.pool_forward(xb.asarray(np.zeros((1, 4, 4, 1))), hparameters, mode=mode)


def test_pool_backward_checks_da(xb):
    _, cache = xcnn.pool_forward(xb.asarray(np.zeros((1, 4, 4, 1))), {"f": 2, "stride": 2})
    with pytest.raises(ValueError, match=r"`dA` must have shape \(1, 2, 2, 1\)"):
        xcnn.pool_backward(xb.asarray(np.zeros((1, 3, 3, 1))), cache)
    with pytest.raises(ValueError, match=r"`mode` must be one of"):
        xcnn.pool_backward(xb.asarray(np.zeros((1, 2, 2, 1))), cache, mode="min")


def test_distribute_value_errors(xb):
    with pytest.raises(ValueError, match=r"`shape\[0\]` must be an integer >= 1, got 0"):
        xcnn.distribute_value(1.0, (0, 2))
    with pytest.raises(TypeError, match=r"`shape` must be a pair"):
        xcnn.distribute_value(1.0, 4)
    with pytest.raises(ValueError, match=r"`dz` must be a scalar or a 0-d array"):
        xcnn.distribute_value(xb.asarray(np.ones(2)), (2, 2))
