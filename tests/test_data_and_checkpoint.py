"""Bundled digits, MNIST-format loaders, and checkpoints across backends."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

import xcnn
from xcnn import checkpoint, nn
from xcnn.data import load_digits, load_mnist, read_idx


def test_digits_are_the_uci_set_with_a_seeded_split():
    d = load_digits()
    assert d.x_train.shape[1:] == (8, 8, 1) and d.x_train.dtype == np.float32
    assert len(d.x_train) + len(d.x_test) == 1797 and len(d.x_test) == 359
    assert d.n_classes == 10 and 0 <= d.x_train.min() and d.x_train.max() == 1.0
    counts = np.bincount(np.concatenate([d.y_train, d.y_test]))
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # UCI's class counts
    again = load_digits()
    np.testing.assert_array_equal(d.y_test, again.y_test)
    assert not np.array_equal(d.y_test, load_digits(seed=1).y_test)


def _write_idx(path, array, gz=False):
    codes = {np.dtype(np.uint8): 0x08}
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(header + array.tobytes())


def test_mnist_idx_folder_and_npz(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (6, 5, 4), dtype=np.uint8),
        "train-labels-idx1-ubyte": np.array([2, 0, 1, 1, 0, 2], dtype=np.uint8),  # every class has images
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (3, 5, 4), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.array([1, 2, 0], dtype=np.uint8),
    }
    for i, (name, a) in enumerate(arrays.items()):
        gz = i % 2 == 0
        _write_idx(tmp_path / (name + (".gz" if gz else "")), a, gz=gz)
    d = load_mnist(tmp_path)
    assert d.x_train.shape == (6, 5, 4, 1)
    np.testing.assert_allclose(d.x_test[..., 0], arrays["t10k-images-idx3-ubyte"] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(d.y_train, arrays["train-labels-idx1-ubyte"])
    npz = tmp_path / "data.npz"
    np.savez(npz, x_train=arrays["train-images-idx3-ubyte"], y_train=arrays["train-labels-idx1-ubyte"],
             x_test=arrays["t10k-images-idx3-ubyte"], y_test=arrays["t10k-labels-idx1-ubyte"])
    np.testing.assert_array_equal(load_mnist(npz).x_train, d.x_train)


def test_loader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"`path` '.*nowhere' does not exist"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"no train-images-idx3-ubyte\[.gz\] file"):
        load_mnist(tmp_path)
    bad = tmp_path / "bad.npz"
    np.savez(bad, x_train=np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match=r"missing arrays \['y_train', 'x_test', 'y_test'\]"):
        load_mnist(bad)
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match=r"not an IDX file"):
        read_idx(junk)


def test_weights_saved_on_numpy_load_on_every_backend(xb, tmp_path):
    saved = nn.small_cnn(seed=3)
    path = checkpoint.save_weights(saved, tmp_path / "w", metadata={"model": "small_cnn", "n_classes": 10})
    assert path.name == "w.npz"
    with xcnn.use_backend(xb.name, xb.device):
        model = nn.small_cnn(seed=99)
    checkpoint.load_weights(model, path)
    for p, q in zip(model.parameters(), saved.parameters()):
        xb.assert_here(p.value)
        assert p.value.dtype == xb.xp.float32
        np.testing.assert_array_equal(xb.to_numpy(p.value), q.value)
    assert checkpoint.read_metadata(path) == {"model": "small_cnn", "n_classes": 10}
    # and back: saved from this backend, loaded on NumPy
    back = checkpoint.load_weights(nn.small_cnn(seed=5), checkpoint.save_weights(model, tmp_path / "back.npz"))
    np.testing.assert_array_equal(back.parameters()[0].value, saved.parameters()[0].value)


def test_loading_weights_that_do_not_fit(tmp_path):
    path = checkpoint.save_weights(nn.small_cnn(n_classes=5), tmp_path / "five.npz")
    with pytest.raises(ValueError, match=r"7.weight has shape \(128, 5\), the model needs \(128, 10\)"):
        checkpoint.load_weights(nn.small_cnn(n_classes=10), path)
    with pytest.raises(ValueError, match=r"unexpected 3.weight; .*0.weight has shape \(3, 3, 1, 16\), the model needs \(2, 2\)"):
        checkpoint.load_weights(nn.Sequential(nn.Dense(2, 2)), path)
