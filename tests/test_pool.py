"""Pooling forward and backward against a loop oracle, PyTorch and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import xcnn

from .helpers import force_primitives, numeric_gradient, pool_oracle

# (m, n_H_prev, n_W_prev, n_C, f, stride): overlapping (f > stride), gapped
# (f < stride) and tiling windows, sizes that leave a remainder.
CONFIGS = [
    (2, 4, 4, 3, 2, 2),
    (2, 5, 5, 2, 3, 2),
    (1, 7, 6, 3, 3, 1),
    (3, 8, 8, 2, 2, 3),
    (2, 9, 7, 1, 3, 3),
    (2, 6, 6, 2, 1, 2),
]
MODES = ["max", "average"]


def _random_pool(config, seed=0):
    m, h, w, c, f, stride = config
    rng = np.random.default_rng(seed)
    a_prev = rng.standard_normal((m, h, w, c))
    da = rng.standard_normal((m, (h - f) // stride + 1, (w - f) // stride + 1, c))
    return a_prev, da, {"f": f, "stride": stride}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_forward_matches_loop_oracle(xb, config, mode):
    a_prev, _, hp = _random_pool(config)
    a, cache = xcnn.pool_forward(xb.asarray(a_prev), hp, mode=mode)
    xb.assert_here(a)
    assert cache[1] is hp
    np.testing.assert_allclose(xb.to_numpy(a), pool_oracle(a_prev, hp["f"], hp["stride"], mode), rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_forward_and_backward_match_torch_autograd(xb, config, mode):
    torch_oracle = pytest.importorskip("tests.torch_oracle")
    a_prev, da, hp = _random_pool(config, seed=1)
    a, cache = xcnn.pool_forward(xb.asarray(a_prev), hp, mode=mode)
    da_prev = xcnn.pool_backward(xb.asarray(da), cache, mode=mode)
    xb.assert_here(da_prev)
    want_a, want_da_prev = torch_oracle.pool(a_prev, da, hp["f"], hp["stride"], mode)
    np.testing.assert_allclose(xb.to_numpy(a), want_a, rtol=1e-12)
    np.testing.assert_allclose(xb.to_numpy(da_prev), want_da_prev, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mode", MODES)
def test_backward_matches_finite_differences(xb, mode):
    a_prev, da, hp = _random_pool(CONFIGS[1], seed=2)  # overlapping windows, stride 2

    def loss(value):
        a, _ = xcnn.pool_forward(xb.asarray(value), hp, mode=mode)
        return float(np.sum(xb.to_numpy(a) * da))

    _, cache = xcnn.pool_forward(xb.asarray(a_prev), hp, mode=mode)
    grad = xb.to_numpy(xcnn.pool_backward(xb.asarray(da), cache, mode=mode))
    picks, numeric = numeric_gradient(loss, a_prev, n_checks=12)
    np.testing.assert_allclose([grad[p] for p in picks], numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", MODES)
def test_dtype_is_preserved(xb, mode, dtype):
    a_prev, da, hp = _random_pool(CONFIGS[1])
    a, cache = xcnn.pool_forward(xb.asarray(a_prev, dtype), hp, mode=mode)
    da_prev = xcnn.pool_backward(xb.asarray(da, dtype), cache, mode=mode)
    assert a.dtype == da_prev.dtype == getattr(xb.xp, dtype)


# --- the tutorial's bugs, each caught ---------------------------------------------


def test_max_pool_tie_passes_gradient_once_to_the_first_maximum(xb):
    """A window of equal values: the tutorial's mask would pass the gradient 4 times."""
    a_prev = np.ones((1, 2, 2, 1))
    _, cache = xcnn.pool_forward(xb.asarray(a_prev), {"f": 2, "stride": 2})
    da_prev = xb.to_numpy(xcnn.pool_backward(xb.asarray(np.full((1, 1, 1, 1), 3.0)), cache))
    np.testing.assert_array_equal(da_prev[0, :, :, 0], [[3.0, 0.0], [0.0, 0.0]])


def test_max_pool_ties_follow_torch(xb):
    """Overlapping windows over many ties: the same routing as PyTorch's kernel."""
    torch_oracle = pytest.importorskip("tests.torch_oracle")
    rng = np.random.default_rng(6)
    a_prev = rng.integers(0, 3, size=(2, 7, 7, 2)).astype(float)  # lots of ties
    da = rng.standard_normal((2, 3, 3, 2))
    _, cache = xcnn.pool_forward(xb.asarray(a_prev), {"f": 3, "stride": 2})
    got = xb.to_numpy(xcnn.pool_backward(xb.asarray(da), cache))
    np.testing.assert_allclose(got, torch_oracle.pool(a_prev, da, 3, 2, "max")[1], rtol=1e-12)


def test_create_mask_marks_only_the_first_of_tied_maxima(xb):
    mask = xcnn.create_mask_from_window(xb.asarray(np.array([[1.0, 4.0], [4.0, 4.0]])))
    np.testing.assert_array_equal(xb.to_numpy(mask), [[False, True], [False, False]])


def test_create_mask_on_the_tutorial_example(xb):
    mask = xcnn.create_mask_from_window(xb.asarray(np.array([[1.0, 3.0], [4.0, 2.0]])))
    np.testing.assert_array_equal(xb.to_numpy(mask), [[False, False], [True, False]])


@pytest.mark.parametrize("mode", MODES)
def test_backward_honours_stride(xb, mode):
    """f=2, stride=3 leaves gaps: pixels in no window get no gradient."""
    a_prev = np.random.default_rng(7).standard_normal((1, 5, 5, 1))
    _, cache = xcnn.pool_forward(xb.asarray(a_prev), {"f": 2, "stride": 3}, mode=mode)
    da_prev = xb.to_numpy(xcnn.pool_backward(xb.asarray(np.ones((1, 2, 2, 1))), cache, mode=mode))[0, :, :, 0]
    assert np.all(da_prev[2, :] == 0) and np.all(da_prev[:, 2] == 0)
    np.testing.assert_allclose(da_prev.sum(), 4.0)


def test_max_pool_propagates_nan_like_torch(xb):
    a_prev = np.array([[1.0, np.nan], [3.0, 2.0]]).reshape(1, 2, 2, 1)
    a, _ = xcnn.pool_forward(xb.asarray(a_prev), {"f": 2, "stride": 2})
    assert np.isnan(xb.to_numpy(a)).all()


def test_distribute_value_on_the_selected_backend(xb):
    with xcnn.use_backend(xb.name, xb.device):
        a = xcnn.distribute_value(2.0, (2, 4))
    xb.assert_here(a)
    np.testing.assert_allclose(xb.to_numpy(a), np.full((2, 4), 0.25))


VIEW_CASES = [
    (3, dict(stride=2)),
    (2, dict(stride=2)),
    (3, dict(stride=1, padding=1)),
    ((2, 3), dict(stride=(1, 2), padding=(1, 0), ceil_mode=True)),
]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize(("kernel", "options"), VIEW_CASES, ids=["3x3s2", "2x2s2", "3x3s1p1", "ceil"])
def test_reduction_over_the_window_view_matches_per_offset(xb, monkeypatch, mode, kernel, options):
    """CuPy's strategy (one reduction over the strided window view) and the default agree, ties and NaN included."""
    from xcnn import functional as F

    rng = np.random.default_rng(2)
    x = rng.integers(0, 4, size=(2, 9, 8, 3)).astype(np.float64)  # many ties
    x[0, 1, 1, 0] = x[1, 4, 5, 2] = np.nan
    x = xb.asarray(x)
    forward, backward = (F.max_pool2d, F.max_pool2d_backward) if mode == "max" else (F.avg_pool2d, F.avg_pool2d_backward)
    dy = xb.asarray(rng.standard_normal(tuple(forward(x, kernel, **options).shape)))
    results = []
    for chosen in (False, True):
        force_primitives(monkeypatch, reduce_over_view=chosen)
        results.append((forward(x, kernel, **options), backward(dy, x, kernel, **options)))
    for got, want in zip(results[1], results[0]):
        xb.assert_here(got)
        np.testing.assert_allclose(xb.to_numpy(got), xb.to_numpy(want), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("upstream", ["finite", "inf", "nan"])
def test_max_pool_gradient_selection_by_product_matches_where(xb, monkeypatch, upstream):
    """NumPy selects each window's share with a 0/1 product; it must equal ``where`` exactly,
    and a non-finite upstream gradient must not leak NaN into other positions."""
    from xcnn import functional as F

    rng = np.random.default_rng(3)
    x = xb.asarray(rng.integers(0, 3, size=(2, 7, 7, 3)).astype(np.float64))  # ties
    dy = rng.standard_normal((2, 3, 3, 3))
    if upstream != "finite":
        dy[0, 1, 1, 0] = np.inf if upstream == "inf" else np.nan
        dy[1, 0, 2, 2] = -np.inf
    dy = xb.asarray(dy)
    results = []
    for chosen in (False, True):
        force_primitives(monkeypatch, select_by_product=chosen)
        results.append(xb.to_numpy(F.max_pool2d_backward(dy, x, 3, stride=2)))
    np.testing.assert_array_equal(results[1], results[0])
    assert np.isnan(results[1]).sum() == (upstream == "nan")  # one window's NaN goes to one input
