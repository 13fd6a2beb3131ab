"""The xcnn command: info, train, predict and bench, on short runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from xcnn.cli import main
from xcnn.data import load_digits


def test_info_lists_backends(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "numpy             yes" in out and "cupy" in out and "array-api-compat" in out


def test_info_lists_every_provider_of_the_dispatch_table(capsys):
    """One line per provider with the operations it serves; the reference last, serving them all."""
    import xcnn._ops as ops

    assert main(["info"]) == 0
    lines = capsys.readouterr().out.split("providers (")[1].splitlines()[1:]
    listed = [line.split()[0] for line in lines if line.startswith("  ")]
    assert listed == list(dict.fromkeys(r.provider for rows in ops.TABLE.values() for r in rows if r.provider != "reference")) + ["reference"]
    assert lines[listed.index("reference")].rstrip().endswith(", ".join(ops.TABLE))


def test_info_shows_the_speed_settings(capsys, monkeypatch):
    import xcnn._backends.numpy.threads as threads
    import xcnn.workspace as workspace

    monkeypatch.setattr(workspace, "_setting", None)
    monkeypatch.setattr(workspace, "_env_read", True)
    monkeypatch.setattr(threads, "thread_count", lambda: 3)
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "workspace limit   64 MiB for host arrays, 1024 MiB for CuPy (defaults)" in out
    assert "NumPy threads     3" in out
    import xcnn._backends.numpy.numba.available as jit

    assert f"NumPy kernels     {jit.status()}  [XCNN_JIT]" in out
    monkeypatch.setattr(workspace, "_setting", 12 * 2**20)
    assert main(["info"]) == 0
    assert "workspace limit   12 MiB  [" in capsys.readouterr().out


def test_train_then_predict(tmp_path, capsys):
    out_dir = tmp_path / "run"
    assert main(["train", "--epochs", "3", "--out", str(out_dir), "--seed", "1"]) == 0
    printed = capsys.readouterr()
    last = printed.out.strip().splitlines()[-1]
    assert last.startswith("test accuracy: ")
    accuracy = float(last.split(": ")[1])
    assert accuracy > 0.85
    assert "epoch 3/3" in printed.err
    for name in ("weights.npz", "training.png", "history.json"):
        assert (out_dir / name).is_file()
    history = json.loads((out_dir / "history.json").read_text())
    assert len(history["epochs"]) == 3 and history["metadata"]["image_size"] == 8

    assert main(["predict", "--weights", str(out_dir / "weights.npz"), "--show", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("test image 0: predicted ")
    assert lines[-1] == f"test accuracy: {accuracy:.4f}"  # the same weights, the same split

    # a real image file: a test digit drawn big, dark on light paper, as a PNG
    from PIL import Image

    d = load_digits(seed=1)
    digit = d.x_test[0, :, :, 0]
    big = np.kron(255 - digit * 255, np.ones((8, 8))).astype(np.uint8)
    png = tmp_path / "digit.png"
    Image.fromarray(big).save(png)
    assert main(["predict", "--weights", str(out_dir / "weights.npz"), str(png), str(tmp_path / "missing.png")]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{png}: ") and "(p=" in captured.out
    assert "cannot read" in captured.err and "missing.png" in captured.err


def test_train_on_another_backend(tmp_path, capsys):
    pytest.importorskip("torch")
    assert main(["train", "--epochs", "1", "--backend", "torch", "--out", str(tmp_path)]) == 0
    assert "backend torch on cpu" in capsys.readouterr().err


def test_train_and_predict_errors(tmp_path, capsys):
    assert main(["train", "--backend", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown backend 'nope'" in capsys.readouterr().err
    assert main(["train", "--epochs", "0", "--out", str(tmp_path)]) == 2
    assert "--epochs must be at least 1" in capsys.readouterr().err
    assert main(["train", "--data", str(tmp_path / "none"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["predict", "--weights", str(tmp_path / "none.npz")]) == 2
    assert "run `xcnn train` first" in capsys.readouterr().err


def test_bench_quick(capsys):
    assert main(["bench", "--quick", "--repeat", "1"]) == 0
    assert "| case |" in capsys.readouterr().out
