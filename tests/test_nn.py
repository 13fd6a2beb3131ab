"""Layers: gradient checks on every backend, modes, initialisers, errors."""

from __future__ import annotations

import numpy as np
import pytest

import xcnn
from xcnn import nn
from xcnn.gradcheck import check_gradients


def _model(dtype="float64"):
    rng = np.random.default_rng(1)
    return nn.Sequential(
        nn.Conv2D(2, 4, 3, padding=1, seed=rng, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2D(2),
        nn.Conv2D(4, 4, (2, 3), padding="same", groups=2, seed=rng, dtype=dtype),
        nn.Tanh(),
        nn.AvgPool2D(2, stride=1, padding=1, count_include_pad=False),
        nn.Conv2D(4, 3, 1, init="glorot", seed=rng, dtype=dtype),
        nn.Sigmoid(),
        nn.GlobalAvgPool2D(),
        nn.Dense(3, 5, seed=rng, dtype=dtype),
    )


def test_model_gradients_match_finite_differences(xb):
    with xcnn.use_backend(xb.name, xb.device):
        model = _model()
        x = xcnn.asarray(np.random.default_rng(2).standard_normal((3, 6, 6, 2)))
        labels = xcnn.asarray(np.array([0, 4, 2]))
    for p in model.parameters():
        xb.assert_here(p.value)
    result = check_gradients(model, x, labels, n_checks=4)
    assert result, result
    assert result.n_checked == 4 * (len(model.parameters()) + 1)


def test_gradient_checker_catches_a_wrong_backward(xb):
    class Wrong(nn.ReLU):
        def backward(self, grad):
            return grad  # ignores the mask

    with xcnn.use_backend(xb.name, xb.device):
        model = nn.Sequential(nn.Dense(4, 6, dtype="float64"), Wrong(), nn.Dense(6, 3, dtype="float64"))
        x = xcnn.asarray(np.random.default_rng(3).standard_normal((5, 4)))
        labels = xcnn.asarray(np.array([0, 1, 2, 0, 1]))
    assert not check_gradients(model, x, labels)


def test_same_seed_gives_the_same_weights_on_every_backend(xb):
    reference = [xcnn.to_numpy(p.value) for p in nn.small_cnn(seed=7).parameters()]
    with xcnn.use_backend(xb.name, xb.device):
        model = nn.small_cnn(seed=7)
    for p, want in zip(model.parameters(), reference):
        xb.assert_here(p.value)
        assert p.value.dtype == xb.xp.float32
        np.testing.assert_array_equal(xb.to_numpy(p.value), want)


def test_initialiser_scales():
    rng = np.random.default_rng(0)
    w = nn.he_normal((3, 3, 64, 256), 3 * 3 * 64, rng)
    assert abs(w.std() - np.sqrt(2 / 576)) / np.sqrt(2 / 576) < 0.02
    g = nn.glorot_uniform((400, 300), 400, 300, rng)
    assert abs(g).max() <= np.sqrt(6 / 700) and abs(g).max() > 0.99 * np.sqrt(6 / 700)


def test_dropout_train_and_eval(xb):
    layer = nn.Dropout(0.25, seed=0)
    x = xb.asarray(np.ones((200, 50)), "float32")
    y = layer.forward(x)
    xb.assert_here(y)
    kept = xb.to_numpy(y) != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(xb.to_numpy(y)[kept], 1 / 0.75, rtol=1e-6)
    np.testing.assert_array_equal(xb.to_numpy(layer.backward(x)) != 0, kept)  # same mask backwards
    layer.eval()
    assert layer.forward(x) is x


def test_flatten_round_trip(xb):
    layer = nn.Flatten()
    x = xb.asarray(np.arange(24.0).reshape(2, 2, 3, 2))
    y = layer.forward(x)
    assert tuple(y.shape) == (2, 12)
    np.testing.assert_array_equal(xb.to_numpy(layer.backward(y)), xb.to_numpy(x))


def test_sequential_modes_and_names():
    model = nn.small_cnn()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"]
    model.eval()
    assert not any(layer.training for layer in model.layers)
    model.train()
    assert all(layer.training for layer in model.layers)


def test_errors():
    with pytest.raises(TypeError, match=r"layer 1 must be an xcnn.nn.Layer, got function"):
        nn.Sequential(nn.ReLU(), lambda x: x)
    with pytest.raises(RuntimeError, match=r"ReLU.backward called before forward"):
        nn.ReLU().backward(np.zeros(2))
    with pytest.raises(ValueError, match=r"`p` must be in \[0, 1\), got 1"):
        nn.Dropout(1)
    with pytest.raises(ValueError, match=r"`init` must be 'he' or 'glorot', got 'zeros'"):
        nn.Dense(2, 2, init="zeros")
    with pytest.raises(ValueError, match=r"`groups`=3 must divide in_channels=4"):
        nn.Conv2D(4, 6, 3, groups=3)
