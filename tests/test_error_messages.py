"""Error messages name what came in without quoting it whole: a type and a shape, never a long repr."""

from __future__ import annotations

import numpy as np
import pytest

import xcnn
from xcnn import functional as F
from xcnn.nn import Dropout
from xcnn._validation import SHOWN_CHARS, as_int, hparameter


def test_a_python_list_is_named_by_its_type_and_lengths():
    x = np.ones((8, 32, 32, 16), np.float32)
    w = np.ones((3, 3, 16, 32), np.float32)
    with pytest.raises(TypeError) as caught:
        F.conv2d(x.tolist(), w, np.zeros(32, np.float32))
    message = str(caught.value)
    assert len(message) < 200, len(message)
    assert "`x` must be an array" in message and "list of 8 x 32 x 32 x 16 items" in message


def test_the_tutorial_api_caps_what_it_quotes():
    x = np.ones((2, 8, 8, 3), np.float32)
    with pytest.raises(TypeError) as caught:
        xcnn.conv_forward(x, np.ones((3, 3, 3, 4), np.float32).tolist(), np.zeros((1, 1, 1, 4)), {"stride": 1, "pad": 1})
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    "call",
    [
        lambda: as_int("stride", "s" * 10_000, minimum=1),
        lambda: as_int("stride", np.ones(10_000), minimum=1),
        lambda: hparameter(list(range(10_000)), "stride", "conv_forward", ("stride", "pad")),
        lambda: hparameter("x" * 10_000, "stride", "conv_forward", ("stride", "pad")),
    ],
)
def test_long_arguments_are_cut(call):
    with pytest.raises((TypeError, ValueError)) as caught:
        call()
    assert len(str(caught.value)) < 2 * SHOWN_CHARS + 100, str(caught.value)[:300]


_X, _W = np.ones((1, 4, 4, 8), np.float32), np.ones((3, 3, 8, 8), np.float32)
_LONG_LIST, _LONG_TEXT = [1] * 100_000, "x" * 100_000


@pytest.mark.parametrize(
    "call",
    [
        lambda: F.conv2d(_X, _W, padding=_LONG_LIST),
        lambda: F.conv2d(_X, _W, padding=[_LONG_LIST, _LONG_LIST]),
        lambda: F.conv2d(_X, _W, stride=_LONG_LIST),
        lambda: F.pad(_X, _LONG_TEXT),
        lambda: F.max_pool2d(_X, 2, ceil_mode=_LONG_LIST),
        lambda: F.avg_pool2d(_X, 2, count_include_pad=_LONG_TEXT),
        lambda: F.leaky_relu(_X, negative_slope=_LONG_TEXT),
        lambda: xcnn.pool_forward(_X, {"f": 2, "stride": 2}, mode=_LONG_TEXT),
        lambda: xcnn.distribute_value(1.0, _LONG_LIST),
        lambda: Dropout(_LONG_TEXT),
        lambda: xcnn.filters.detect_edges(_X[..., :1], method=_LONG_TEXT),
        lambda: xcnn.filters.sobel(axis=_LONG_TEXT),
    ],
)
def test_options_are_quoted_short(call):
    """Every option check quotes what came in through `shown`: a 100,000-item list or string stays short."""
    with pytest.raises((TypeError, ValueError)) as caught:
        call()
    assert len(str(caught.value)) < 2 * SHOWN_CHARS + 150, str(caught.value)[:300]
