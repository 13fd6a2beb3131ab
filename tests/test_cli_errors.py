"""Every mistake a user can make on the command line: one line on stderr, a non-zero exit code,
no traceback, and no work done before the error (nothing trained, nothing written).

Each row of the tables below is one mistake; the files it needs are made by
the `files` fixture. The commands run in-process through ``xcnn.cli.main``
with training and prediction replaced by a tripwire, so that a row also proves
the check came first; a few rows run again through ``python -m xcnn``, where a
traceback would really reach the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from xcnn import checkpoint, cli, nn

SMALL_CNN = {
    "model": "small_cnn", "n_classes": 10, "in_channels": 1, "image_size": 8, "dataset": "digits", "seed": 0,
}


@dataclass(frozen=True)
class Mistake:
    """One wrong command line: `argv` with ``{name}`` standing for the fixture's files."""

    argv: tuple[str, ...]
    names: tuple[str, ...]
    """Words stderr must contain: the option or file at fault, and what is wrong."""
    env: dict[str, str] = field(default_factory=dict)
    code: int = 2
    works: bool = False
    """The mistake shows only once the work runs (no tripwire); still no file is written, only folders."""


def _run_dir(root: Path) -> Path:
    run = root / "run1"
    run.mkdir()
    checkpoint.save_weights(nn.small_cnn(), run / "weights.npz", metadata=SMALL_CNN)
    (run / "history.json").write_text("{}")
    return run


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """The files the mistakes name, in a folder of their own; the run's outputs go elsewhere."""
    root = tmp_path / "inputs"
    root.mkdir()
    good = checkpoint.save_weights(nn.small_cnn(), root / "good.npz", metadata=SMALL_CNN)
    raw = good.read_bytes()
    (root / "truncated.npz").write_bytes(raw[: len(raw) // 2])
    (root / "empty.npz").write_bytes(b"")
    for name, meta in [
        ("null_classes", {**SMALL_CNN, "n_classes": None}),
        ("no_n_classes", {k: v for k, v in SMALL_CNN.items() if k != "n_classes"}),
        ("bad_size", {**SMALL_CNN, "image_size": 6}),
    ]:
        checkpoint.save_weights(nn.small_cnn(), root / f"{name}.npz", metadata=meta)
    checkpoint.save_weights(nn.small_cnn(n_classes=5), root / "five.npz", metadata=SMALL_CNN)  # shapes do not fit
    np.save(root / "weights.npy", np.ones(3))
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(root / "three.png")
    (root / "notes.txt").write_text("not weights\n")
    (root / "notes.npz").write_text("a text file named like an archive\n")
    np.savez(root / "objects.npz", x_train=np.array([{"a": 1}], dtype=object))
    with np.load(good) as stored:  # the metadata kept, the weights made complex
        made_complex = {k: v.astype(np.complex64) if "." in k else v for k, v in stored.items()}
    np.savez(root / "complex.npz", **made_complex)
    rng = np.random.default_rng(0)
    data = {
        "x_train": rng.integers(0, 256, (6, 8, 8), dtype=np.uint8), "y_train": np.arange(6) % 3,
        "x_test": rng.integers(0, 256, (3, 8, 8), dtype=np.uint8), "y_test": np.arange(3),
    }
    bigger = rng.integers(0, 256, (3, 12, 12), dtype=np.uint8)
    np.savez(root / "other_test_size.npz", **{**data, "x_test": bigger})
    np.savez(root / "negative_labels.npz", **{**data, "y_train": -np.arange(6)})
    np.savez(root / "complex_images.npz", **{**data, "x_train": data["x_train"].astype(np.complex64)})
    np.savez(root / "no_test.npz", x_train=data["x_train"], y_train=data["y_train"])
    np.savez(root / "labels_skip.npz", **{**data, "y_train": np.array([0, 1, 2, 180, 5, 1])})
    np.savez(root / "test_label_beyond.npz", **{**data, "y_test": np.array([0, 1, 7])})
    (root / "existing.txt").write_text("keep me\n")
    _run_dir(root)
    paths = {p.name.replace(".", "_"): str(p) for p in root.iterdir()}
    return {**paths, "out": str(tmp_path / "out"), "root": str(root)}


TRAIN = ("train", "--epochs", "1", "--out", "{out}")
DATA = (*TRAIN, "--data")
WEIGHTS = ("predict", "--weights")

MISTAKES = {
    # train: the output folder, checked before training
    "out-is-a-file": Mistake(("train", "--out", "{existing_txt}"), ("--out", "existing.txt", "is a file")),
    "out-holds-a-run": Mistake(("train", "--out", "{run1}"), ("--out", "run1", "already holds a run", "--force")),
    "out-under-a-file": Mistake(("train", "--out", "{existing_txt}/sub"), ("--out", "existing.txt")),
    # train: numeric options
    "epochs-0": Mistake((*TRAIN[:2], "0", *TRAIN[3:]), ("--epochs", "at least 1")),
    "batch-size-negative": Mistake((*TRAIN, "--batch-size", "-3"), ("--batch-size", "-3")),
    "lr-zero": Mistake((*TRAIN, "--lr", "0"), ("--lr", "> 0")),
    "lr-inf": Mistake((*TRAIN, "--lr", "inf"), ("--lr", "finite")),
    "lr-nan": Mistake((*TRAIN, "--lr", "nan"), ("--lr", "nan")),
    "seed-negative": Mistake((*TRAIN, "--seed", "-1"), ("--seed", ">= 0")),
    # train: --data files
    "data-missing": Mistake((*DATA, "{root}/none.npz"), ("none.npz", "does not exist")),
    "data-png": Mistake((*DATA, "{three_png}"), ("three.png", "not an .npz")),
    "data-text-named-npz": Mistake((*DATA, "{notes_npz}"), ("notes.npz", "not an .npz")),
    "data-npy": Mistake((*DATA, "{weights_npy}"), ("weights.npy", ".npy")),
    "data-truncated": Mistake((*DATA, "{truncated_npz}"), ("truncated.npz", "truncated")),
    "data-empty-file": Mistake((*DATA, "{empty_npz}"), ("empty.npz", "it is empty")),
    "data-objects": Mistake((*DATA, "{objects_npz}"), ("objects.npz", "Python objects")),
    "data-missing-arrays": Mistake((*DATA, "{no_test_npz}"), ("no_test.npz", "missing arrays")),
    "data-image-sizes-differ": Mistake((*DATA, "{other_test_size_npz}"), ("other_test_size.npz", "one shape")),
    "data-negative-labels": Mistake((*DATA, "{negative_labels_npz}"), ("negative_labels.npz", "y_train", ">= 0")),
    "data-complex-images": Mistake((*DATA, "{complex_images_npz}"), ("complex_images.npz", "complex64")),
    "data-labels-skip-classes": Mistake((*DATA, "{labels_skip_npz}"), ("labels_skip.npz", "181 classes", "class 3")),
    "data-test-label-beyond": Mistake((*DATA, "{test_label_beyond_npz}"), ("test_label_beyond.npz", "y_test", "7")),
    "data-folder-without-idx": Mistake((*DATA, "{run1}"), ("run1", "train-images-idx3-ubyte")),
    # predict: --weights files
    "weights-missing": Mistake((*WEIGHTS, "{root}/none.npz"), ("none.npz", "xcnn train")),
    "weights-truncated": Mistake((*WEIGHTS, "{truncated_npz}"), ("truncated.npz", "truncated")),
    "weights-empty-file": Mistake((*WEIGHTS, "{empty_npz}"), ("empty.npz", "it is empty")),
    "weights-no-n-classes": Mistake((*WEIGHTS, "{no_n_classes_npz}"), ("no_n_classes.npz", "n_classes")),
    "weights-n-classes-null": Mistake((*WEIGHTS, "{null_classes_npz}"), ("null_classes.npz", "n_classes", "None")),
    "weights-bad-image-size": Mistake((*WEIGHTS, "{bad_size_npz}"), ("bad_size.npz", "image_size")),
    "weights-that-do-not-fit": Mistake((*WEIGHTS, "{five_npz}"), ("five.npz", "7.weight", "shape")),
    "weights-complex": Mistake((*WEIGHTS, "{complex_npz}"), ("complex.npz", "complex64")),
    "weights-npy": Mistake((*WEIGHTS, "{weights_npy}"), ("weights.npy", ".npy")),
    "weights-png": Mistake((*WEIGHTS, "{three_png}"), ("three.png", "not an .npz")),
    "weights-text": Mistake((*WEIGHTS, "{notes_txt}"), ("notes.txt", "not an .npz")),
    "weights-text-named-npz": Mistake((*WEIGHTS, "{notes_npz}"), ("notes.npz", "not an .npz")),
    "weights-objects": Mistake((*WEIGHTS, "{objects_npz}"), ("objects.npz", "Python objects")),
    "show-negative": Mistake((*WEIGHTS, "{good_npz}", "--show", "-1"), ("--show", ">= 0")),
    "save-inputs-is-a-file": Mistake(
        (*WEIGHTS, "{good_npz}", "{three_png}", "--save-inputs", "{existing_txt}"), ("--save-inputs", "is a file")
    ),
    "save-inputs-without-images": Mistake((*WEIGHTS, "{good_npz}", "--save-inputs", "{out}"), ("--save-inputs", "IMAGE")),
    # bench
    "bench-only-matches-nothing": Mistake(("bench", "--quick", "--only", "nomatch"), ("--only", "'nomatch'", "max pool")),
    # found once the work runs: training that diverges stops before writing anything
    "lr-diverges": Mistake((*TRAIN, "--lr", "1e6"), ("diverged in epoch 1", "loss", "lower", "--lr"), code=1, works=True),
}

BAD_SETTINGS = [
    ("XCNN_WORKSPACE_MB", "abc"), ("XCNN_WORKSPACE_MB", "0"), ("XCNN_WORKSPACE_MB", "-5"),
    ("XCNN_WORKSPACE_MB", "nan"), ("XCNN_NUM_THREADS", "0"), ("XCNN_NUM_THREADS", "abc"),
    ("XCNN_NUM_THREADS", "-2"), ("XCNN_JIT", "maybe"), ("XCNN_ISA", "avx1024"),
]
COMMANDS = {
    "train": ("train", "--epochs", "1", "--out", "{out}"),
    "predict": ("predict", "--weights", "{good_npz}", "{three_png}"),
    "edges": ("edges", "{three_png}", "-o", "{out}"),
    "bench": ("bench", "--quick", "--repeat", "1"),
}
for _command, _argv in COMMANDS.items():
    for _variable, _value in BAD_SETTINGS:
        _mistake = Mistake(_argv, (_variable, repr(_value)), env={_variable: _value})
        MISTAKES[f"{_command}-{_variable}={_value}"] = _mistake


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[str, str]], None]]:
    """Set environment variables and forget what the library cached from the old ones."""
    import xcnn._backends.numpy.numba.available as jit
    import xcnn._backends.numpy.threads as threads
    import xcnn.workspace as workspace

    def forget() -> None:
        threads.thread_count.cache_clear()
        jit._switched_on.cache_clear()

    def apply(env: dict[str, str]) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(workspace, "_setting", None)
        monkeypatch.setattr(workspace, "_env_read", False)
        forget()

    yield apply
    forget()  # the monkeypatched variables are restored after this: read them afresh next time


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> None:
    """Training, prediction, edge detection and benchmarking fail the test if they start."""
    import xcnn.bench
    import xcnn.filters
    import xcnn.training

    def started(*args: object, **kwargs: object) -> None:
        pytest.fail("the work started before the mistake was reported")

    monkeypatch.setattr(xcnn.training, "fit", started)
    monkeypatch.setattr(xcnn.training, "predict", started)
    monkeypatch.setattr(xcnn.filters, "detect_edges", started)
    monkeypatch.setattr(xcnn.bench, "run_command", started)


def _tree(root: Path, *, files_only: bool = False) -> dict[str, bytes]:
    paths = (p for p in sorted(root.rglob("*")) if p.is_file() or not files_only)
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else b"" for p in paths}


def _check_one_line(err: str, command: str, names: tuple[str, ...]) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith(f"xcnn {command}: error: "), err
    for name in names:
        assert name in err, f"{name!r} not in {err!r}"
    assert "Traceback" not in err
    assert "pickle" not in err.replace("Python objects", ""), err  # never advice to allow pickles


@pytest.mark.parametrize("mistake", MISTAKES.values(), ids=MISTAKES.keys())
def test_mistake_is_one_line_before_any_work(mistake, files, tmp_path, capsys, fresh_settings, request):
    if not mistake.works:
        request.getfixturevalue("tripwire")
    argv = [arg.format(**files) for arg in mistake.argv]
    fresh_settings(mistake.env)
    before = _tree(tmp_path, files_only=mistake.works)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == mistake.code, err
    if mistake.works:  # progress lines come first; the mistake is the last line
        assert "Traceback" not in err
        err = err.splitlines(keepends=True)[-1]
    _check_one_line(err, argv[0], tuple(name.format(**files) for name in mistake.names))
    assert out == ""
    assert _tree(tmp_path, files_only=mistake.works) == before  # nothing written, nothing overwritten


def test_info_reports_bad_settings_instead_of_failing(capsys, fresh_settings):
    fresh_settings({"XCNN_WORKSPACE_MB": "-5", "XCNN_NUM_THREADS": "abc"})
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "invalid (XCNN_WORKSPACE_MB must be" in out and "invalid (XCNN_NUM_THREADS must be" in out


def test_force_overwrites_a_run(files, capsys):
    run = Path(files["run1"])
    assert cli.main(["train", "--epochs", "1", "--out", str(run), "--force"]) == 0
    assert "test accuracy: " in capsys.readouterr().out
    assert checkpoint.read_metadata(run / "weights.npz")["dataset"] == "digits"
    assert (run / "training.png").is_file() and (run / "history.json").read_text() != "{}"


def test_force_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    assert "--force" in capsys.readouterr().out


def test_predict_reports_unreadable_images_one_line_each(files, capsys):
    gone = files["root"] + "/gone.png"
    code = cli.main(["predict", "--weights", files["good_npz"], files["notes_txt"], gone])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert "notes.txt" in lines[0] and "not an image" in lines[0]
    assert "gone.png" in lines[1] and "no such file" in lines[1]


@pytest.mark.parametrize(
    "mistake",
    ["out-is-a-file", "weights-npy", "data-png", "train-XCNN_NUM_THREADS=abc", "edges-XCNN_WORKSPACE_MB=0"],
)
def test_python_dash_m(mistake, files, tmp_path):
    """Through the real entry point, with the environment as a user's shell would set it."""
    case = MISTAKES[mistake]
    argv = [arg.format(**files) for arg in case.argv]
    env = {k: v for k, v in os.environ.items() if not k.startswith("XCNN_")} | case.env
    before = _tree(tmp_path)
    command = [sys.executable, "-m", "xcnn", *argv]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=env)
    assert result.returncode == case.code, result.stderr
    _check_one_line(result.stderr, argv[0], tuple(name.format(**files) for name in case.names))
    assert result.stdout == ""
    assert _tree(tmp_path) == before
