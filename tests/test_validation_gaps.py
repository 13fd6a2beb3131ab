"""Arguments that slipped past the checks: zero-size axes, partial weight loads,
tiny gradients judged relatively, and scratch buffers left in other threads."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

import xcnn
from xcnn import checkpoint, nn
from xcnn._backends.numpy import scratch as _scratch
from xcnn import functional as F
from xcnn.gradcheck import check_gradients

# --- zero-size axes ----------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(0, 3, 3, 4), (3, 0, 3, 4), (0, 0, 3, 4), (3, 3, 3, 0)])
def test_conv_refuses_an_empty_kernel_or_no_output_channels(xb, shape):
    x = xb.asarray(np.ones((2, 8, 8, 3)), "float32")
    w = xb.asarray(np.ones(shape), "float32")
    with pytest.raises(ValueError, match=r"^`w` must have a kernel of at least 1x1 and at least one output channel"):
        F.conv2d(x, w)
    with pytest.raises(ValueError, match=r"^`w` must have a kernel"):
        F.conv2d(x, w, padding=1)
    dz = xb.asarray(np.ones((2, 8, 8, max(shape[3], 1))), "float32")
    with pytest.raises(ValueError, match=r"^`w` must have a kernel"):
        F.conv2d_backward(dz, x, w)


def test_tutorial_conv_forward_names_its_W(xb):
    a_prev = xb.asarray(np.ones((2, 8, 8, 3)), "float32")
    w, b = xb.asarray(np.ones((0, 3, 3, 4)), "float32"), xb.asarray(np.zeros((1, 1, 1, 4)), "float32")
    with pytest.raises(ValueError, match=r"^`W` must have a kernel"):
        xcnn.conv_forward(a_prev, w, b, {"stride": 1, "pad": 1})
    empty = xb.asarray(np.ones((0, 3, 3)))
    with pytest.raises(ValueError, match=r"^`a_slice_prev` must be a non-empty window"):
        xcnn.conv_single_step(empty, empty, xb.asarray(np.ones((1, 1, 1))))


@pytest.mark.parametrize("shape", [(2, 8, 8, 0), (2, 0, 8, 3), (2, 8, 0, 3)])
def test_empty_images_and_no_channels_are_refused(xb, shape):
    x = xb.asarray(np.ones(shape), "float32")
    w = xb.asarray(np.ones((1, 1, shape[3], 4)), "float32")
    message = r"^`x` must have images of at least 1x1 pixels and at least one channel"
    with pytest.raises(ValueError, match=message):
        F.conv2d(x, w, padding=1)
    with pytest.raises(ValueError, match=message):
        F.max_pool2d(x, 1, padding=0)
    with pytest.raises(ValueError, match=message):
        F.avg_pool2d(x, 2, padding=1)
    with pytest.raises(ValueError, match=r"^`A_prev` must have images"):
        xcnn.pool_forward(x, {"f": 1, "stride": 1})


def test_an_empty_batch_gives_empty_results_as_in_pytorch(xb):
    """``m = 0`` is a legitimate (if useless) batch: PyTorch returns empty outputs of the right shape."""
    x = xb.asarray(np.ones((0, 8, 8, 3)), "float32")
    w = xb.asarray(np.ones((3, 3, 3, 4)), "float32")
    z = F.conv2d(x, w, padding=1)
    assert tuple(z.shape) == (0, 8, 8, 4)
    dx, dw, db = F.conv2d_backward(z, x, w, padding=1)
    assert (tuple(dx.shape), tuple(dw.shape), tuple(db.shape)) == ((0, 8, 8, 3), (3, 3, 3, 4), (4,))
    np.testing.assert_array_equal(xb.to_numpy(dw), 0)
    y = F.max_pool2d(x, 2)
    assert tuple(y.shape) == (0, 4, 4, 3)
    assert tuple(F.max_pool2d_backward(y, x, 2).shape) == (0, 8, 8, 3)
    assert tuple(F.avg_pool2d(x, 2).shape) == (0, 4, 4, 3)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.Conv2D(3, 0, 3), r"`out_channels` must be an integer >= 1, got 0"),
        (lambda: nn.Conv2D(0, 4, 3), r"`in_channels` must be an integer >= 1, got 0"),
        (lambda: nn.Conv2D(3, 4, 0), r"`kernel_size` must be an integer >= 1, got 0"),
        (lambda: nn.Conv2D(3, 4, (3, 0)), r"`kernel_size\[1\]` must be an integer >= 1, got 0"),
        (lambda: nn.Conv2D(3, 4, 3, groups=0), r"`groups` must be an integer >= 1, got 0"),
        (lambda: nn.MaxPool2D(0), r"`kernel_size` must be an integer >= 1, got 0"),
        (lambda: nn.AvgPool2D((2, 0)), r"`kernel_size\[1\]` must be an integer >= 1, got 0"),
    ],
)
def test_layers_refuse_empty_kernels_and_channels_at_construction(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --- load_weights: all or nothing ---------------------------------------------------------


def _snapshot(model):
    return [(p.value, xcnn.to_numpy(p.value).copy()) for p in model.parameters()]


def _assert_unchanged(model, snapshot):
    for p, (value, copy) in zip(model.parameters(), snapshot):
        assert p.value is value
        np.testing.assert_array_equal(xcnn.to_numpy(p.value), copy)


def _weights_with_last_entry(tmp_path, last):
    """A file that fits small_cnn in every entry but the last: a loader that assigns
    as it goes has changed the others by the time it finds the fault."""
    arrays = {name: xcnn.to_numpy(p.value) + 1 for name, p in nn.small_cnn(seed=1).named_parameters()}
    arrays["7.bias"] = last
    path = tmp_path / "w.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    ("last", "message"),
    [
        (np.zeros(10, dtype=np.complex128), r"7.bias \(complex128\) must hold real numbers"),
        (np.zeros(10, dtype=bool), r"7.bias \(bool\) must hold real numbers"),
        (np.array(["a"] * 10), r"7.bias \(<U1\) must hold real numbers"),
        (np.zeros(11, dtype=np.float32), r"7.bias has shape \(11,\), the model needs \(10,\)"),
    ],
    ids=["complex", "bool", "string", "shape"],
)
def test_a_failed_load_leaves_the_model_unchanged(tmp_path, last, message):
    model = nn.small_cnn(seed=0)
    before = _snapshot(model)
    with pytest.raises(ValueError, match=message):
        checkpoint.load_weights(model, _weights_with_last_entry(tmp_path, last))
    _assert_unchanged(model, before)


def test_a_conversion_that_fails_midway_changes_nothing(tmp_path, monkeypatch):
    """Every array reaches the device before the first assignment: a failure on the
    way (out of device memory) leaves the model as it was."""
    path = _weights_with_last_entry(tmp_path, np.ones(10, dtype=np.float32))
    model = nn.small_cnn(seed=0)
    before = _snapshot(model)
    real, calls = checkpoint.device_context, []

    def failing_on_the_third(xp, dev):
        calls.append(1)
        if len(calls) == 3:
            raise MemoryError("out of device memory")
        return real(xp, dev)

    monkeypatch.setattr(checkpoint, "device_context", failing_on_the_third)
    with pytest.raises(MemoryError):
        checkpoint.load_weights(model, path)
    _assert_unchanged(model, before)


def test_loading_a_npy_or_other_files_says_what_they_are(tmp_path):
    model = nn.small_cnn()
    before = _snapshot(model)
    np.save(tmp_path / "weights.npy", np.ones(3))
    with pytest.raises(ValueError, match=r"weights.npy: is a .npy file \(one unnamed array\), not an .npz archive"):
        checkpoint.load_weights(model, tmp_path / "weights.npy")
    (tmp_path / "notes.npz").write_text("text\n")
    with pytest.raises(ValueError, match=r"notes.npz: not an .npz file") as info:
        checkpoint.load_weights(model, tmp_path / "notes.npz")
    assert "pickle" not in str(info.value)
    np.savez(tmp_path / "objects.npz", **{"0.weight": np.array([None], dtype=object)})
    with pytest.raises(ValueError, match=r"entry '0.weight' holds Python objects, which xcnn never loads"):
        checkpoint.load_weights(model, tmp_path / "objects.npz")
    with pytest.raises(FileNotFoundError, match=r"gone.npz: no such file"):
        checkpoint.load_weights(model, tmp_path / "gone.npz")
    _assert_unchanged(model, before)


# --- check_gradients: an absolute floor ---------------------------------------------------


def test_correct_tiny_gradients_pass():
    """Weights and inputs of 1e-12 give gradients of about 1e-12, which central differences
    cannot resolve (the loss moves by 1e-18, below float64's resolution near 1): the
    numeric gradient is 0 or rounding noise, and only an absolute floor can accept it."""
    model = nn.Sequential(nn.Dense(4, 3, bias=False, seed=0, dtype="float64"))
    model[0].weight.value = model[0].weight.value * 1e-12
    x = xcnn.asarray(np.random.default_rng(0).standard_normal((5, 4)) * 1e-12)
    labels = xcnn.asarray(np.array([0, 1, 2, 0, 1]))
    model.forward(x)
    grads = xcnn.to_numpy(model.backward(F.cross_entropy_backward(1.0, model.forward(x), labels)))
    assert 1e-14 < np.abs(grads).max() < 1e-11
    result = check_gradients(model, x, labels, n_checks=5)
    assert result, result


def test_an_absolute_floor_does_not_hide_wrong_gradients():
    class Doubled(nn.Dense):
        def backward(self, grad):
            return 2 * super().backward(grad)

    model = nn.Sequential(Doubled(4, 3, seed=0, dtype="float64"))
    x = xcnn.asarray(np.random.default_rng(0).standard_normal((5, 4)))
    labels = xcnn.asarray(np.array([0, 1, 2, 0, 1]))
    result = check_gradients(model, x, labels, n_checks=5)
    assert not result and result.worst.startswith("input")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (dict(eps=0.0), ValueError, r"`eps` must be a finite number > 0, got 0.0"),
        (dict(atol=-1e-9), ValueError, r"`atol` must be a finite number >= 0, got -1e-09"),
        (dict(atol=float("nan")), ValueError, r"`atol` must be a finite number >= 0, got nan"),
        (dict(eps="small"), TypeError, r"`eps` must be a finite number > 0, got str 'small'"),
        (dict(n_checks=0), ValueError, r"`n_checks` must be an integer >= 1, got 0"),
    ],
)
def test_check_gradients_options(options, error, message):
    model = nn.Sequential(nn.Dense(2, 2, dtype="float64"))
    with pytest.raises(error, match=message):
        check_gradients(model, xcnn.asarray(np.ones((1, 2))), xcnn.asarray(np.array([0])), **options)


# --- set_workspace_limit: every thread's buffers ------------------------------------------


def test_setting_the_workspace_limit_releases_every_threads_buffers():
    """Pool threads outlive the call that filled their buffers: the limit must reach them too."""
    n_threads = 3
    filled, done = threading.Barrier(n_threads + 1), threading.Event()
    buffers: list[weakref.ref] = []
    lock = threading.Lock()

    def work() -> None:
        for use in ("columns", "columns_grad"):
            view = _scratch.scratch(use, (64, 64), np.float32)
            with lock:
                buffers.append(weakref.ref(view.base if view.base is not None else view))
            del view
        filled.wait()
        done.wait()  # alive, as a pool's thread is, while the limit changes

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    previous = None
    try:
        filled.wait(timeout=30)
        gc.collect()
        assert all(ref() is not None for ref in buffers) and len(buffers) == 2 * n_threads  # kept between calls
        previous = xcnn.set_workspace_limit(2**20)
        gc.collect()
        assert [ref() for ref in buffers] == [None] * len(buffers)
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=30)
        xcnn.set_workspace_limit(previous)
