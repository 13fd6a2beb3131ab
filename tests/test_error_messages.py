"""Error messages name what came in without quoting it whole: a type and a shape, never a long repr."""

from __future__ import annotations

import numpy as np
import pytest

import xcnn
from xcnn import functional as F
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
