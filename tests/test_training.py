"""A short training run learns, and the same seed gives the same run on every backend."""

from __future__ import annotations

import numpy as np
import pytest

import xcnn
from xcnn import nn, optim, training
from xcnn.data import load_digits


def _run(backend, device, epochs=2):
    d = load_digits()
    with xcnn.use_backend(backend, device):
        model = nn.small_cnn(seed=0)
        x, y = xcnn.asarray(d.x_train[:600]), xcnn.asarray(d.y_train[:600])
        xt, yt = xcnn.asarray(d.x_test), xcnn.asarray(d.y_test)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    seen = []
    history = training.fit(
        model, opt, x, y, epochs=epochs, batch_size=32, n_classes=10, seed=0, x_test=xt, y_test=yt,
        on_batch=lambda epoch, i, n, loss: seen.append((epoch, i, n)),
    )
    return model, history, seen, xt


def test_short_run_learns_and_stays_on_device(xb):
    model, history, seen, xt = _run(xb.name, xb.device)
    assert seen[0] == (1, 0, 19) and len(seen) == 2 * 19
    first, last = history.epochs
    assert last.loss < first.loss
    assert last.test_accuracy > 0.8  # chance is 0.1
    for p in model.parameters():
        xb.assert_here(p.value)
    predictions = training.predict(model, xt)
    xb.assert_here(predictions)


def test_same_seed_same_run_on_numpy_and_torch():
    pytest.importorskip("torch")
    _, a, _, _ = _run("numpy", None)
    _, b, _, _ = _run("torch", "cpu")
    for ea, eb in zip(a.epochs, b.epochs):
        assert ea.loss == pytest.approx(eb.loss, rel=1e-4)
        assert ea.test_accuracy == pytest.approx(eb.test_accuracy, abs=2 / 359)


def test_bad_labels_are_refused():
    model = nn.small_cnn()
    opt = optim.SGD(model.parameters())
    x = np.zeros((4, 8, 8, 1), dtype=np.float32)
    with pytest.raises(ValueError, match=r"`y` must be class labels in \[0, 9\], got values from 0 to 12"):
        training.fit(model, opt, x, np.array([0, 1, 2, 12]), epochs=1, batch_size=2, n_classes=10)
    with pytest.raises(ValueError, match=r"`x` has 4 samples but `y` has 3 labels"):
        training.fit(model, opt, x, np.array([0, 1, 2]), epochs=1, batch_size=2, n_classes=10)
