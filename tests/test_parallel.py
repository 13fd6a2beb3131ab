"""Data-parallel training over ``torch.distributed`` (gloo): two processes give one process's weights."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from xcnn import parallel, training

from .parallel_fit import data_model_optimizer

SCRIPT = Path(__file__).with_name("parallel_fit.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("batch_size", [16, 15, 20])  # even shares; shares of 8 and 7; a last batch of one sample
def test_two_processes_train_the_weights_one_process_trains(tmp_path, batch_size):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'xcnn[torch]')")
    if not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
        pytest.skip("this PyTorch build has no torch.distributed with gloo")
    out = tmp_path / "weights.npz"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-addr", "127.0.0.1",
        "--master-port", str(_free_port()), str(SCRIPT), str(out), str(batch_size),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=SCRIPT.parent.parent)
    assert result.returncode == 0, result.stderr[-3000:]
    two = np.load(out)
    assert bool(two["same"]), "the two processes ended with different weights"
    x, y, model, optimizer = data_model_optimizer()
    history = training.fit(model, optimizer, x, y, epochs=2, batch_size=batch_size, n_classes=10)
    for i, p in enumerate(model.parameters()):
        np.testing.assert_allclose(two[f"p{i}"], p.value, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(two["losses"], [e.loss for e in history.epochs], rtol=1e-9)
    assert not np.allclose(two["p0"], data_model_optimizer()[2].parameters()[0].value)  # it trained


def test_batch_shares_cover_each_batch_once():
    for start, stop, world in [(0, 16, 2), (10, 17, 3), (5, 6, 2), (0, 100, 7)]:
        shares = [parallel.batch_share(start, stop, r, world) for r in range(world)]
        assert shares[0][0] == start and shares[-1][1] == stop
        assert all(a[1] == b[0] for a, b in zip(shares, shares[1:]))
        assert max(h - lo for lo, h in shares) - min(h - lo for lo, h in shares) <= 1


def test_a_communicator_needs_a_process_group():
    pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'xcnn[torch]')")
    with pytest.raises(RuntimeError, match="init_process_group"):
        parallel.TorchDistributed()


class _Alone:
    """A one-process communicator: sums and broadcasts change nothing."""

    rank, world_size = 0, 1

    def all_reduce_sum(self, a):
        return a

    def broadcast(self, a, root=0):
        return a


def test_one_process_with_a_communicator_is_fit_without_one():
    x, y, model, optimizer = data_model_optimizer()
    training.fit(model, optimizer, x, y, epochs=1, batch_size=8, n_classes=10, communicator=_Alone())
    x, y, alone, optimizer = data_model_optimizer()
    training.fit(alone, optimizer, x, y, epochs=1, batch_size=8, n_classes=10)
    for a, b in zip(model.parameters(), alone.parameters()):
        np.testing.assert_array_equal(a.value, b.value)


def test_a_batch_smaller_than_the_processes_is_refused():
    x, y, model, optimizer = data_model_optimizer()
    communicator = _Alone()
    communicator.world_size = 4
    with pytest.raises(ValueError, match="`batch_size` must be at least the 4 processes"):
        training.fit(model, optimizer, x, y, epochs=1, batch_size=3, n_classes=10, communicator=communicator)
