"""``xcnn info``, ``xcnn train``, ``xcnn predict`` and ``xcnn bench``.

Registered with :func:`xcnn.cli.subcommand`; :mod:`xcnn.cli` imports this
module so that ``xcnn --help`` lists them. Plotting (matplotlib) and image
reading (Pillow) are imported only inside the subcommands that need them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import workspace
from ._backends.numpy import threads as _threads
from ._backends.numpy.numba import available as _jit
from .backend import installed_version
from .cli import _error, _read_error, subcommand

__all__: list[str] = []

DEFAULT_OUT = "xcnn-run"
WEIGHTS = "weights.npz"
_RUN_FILES = (WEIGHTS, "history.json", "training.png")
"""What `xcnn train` writes into --out: a folder holding any of them holds a run."""


# --- xcnn info ---------------------------------------------------------------------------


@subcommand(
    "info", help="show xcnn's version, the usable backends and devices, and library versions", settings=False
)
def _info(args: argparse.Namespace) -> int:
    from . import __version__
    from .backend import backend_info, get_backend

    print(f"xcnn {__version__} on Python {platform.python_version()} ({platform.platform()})")
    try:
        print(f"selected backend: {get_backend()}")
    except (ValueError, ImportError) as exc:
        print(f"selected backend: unavailable ({exc})")
    print("backends:")
    for info in backend_info():
        if info.available:
            print(f"  {info.name:<17} yes  {info.version or ''}  devices: {', '.join(info.devices)}")
        else:
            print(f"  {info.name:<17} no   {info.reason}")
    print("libraries:")
    for package in ("numpy", "array-api-compat", "array-api-strict", "numba", "torch", "scipy", "matplotlib", "pillow"):
        print(f"  {package:<17} {installed_version(package)}")
    print("settings:")
    print(f"  workspace limit   {_setting(_workspace_limit)}  [xcnn.set_workspace_limit, XCNN_WORKSPACE_MB]")
    threads = _setting(lambda: str(_threads.thread_count()))
    print(f"  NumPy threads     {threads}  (pooling, compiled convolution) [XCNN_NUM_THREADS]")
    compiled = _setting(_jit.status)
    print(f"  NumPy kernels     {compiled}  [XCNN_JIT]")
    return 0


def _setting(read: Callable[[], str]) -> str:
    """A speed setting as text; one an environment variable gave a bad value says so instead of failing."""
    try:
        return read()
    except ValueError as exc:
        return f"invalid ({exc})"


def _workspace_limit() -> str:
    setting = workspace.current_setting()
    if setting is not None:
        return f"{setting / 2**20:g} MiB"
    return (
        f"{workspace.DEFAULT_BYTES / 2**20:g} MiB for host arrays, "
        f"{workspace.DEFAULT_CUDA_BYTES / 2**20:g} MiB for CuPy (defaults)"
    )


# --- xcnn train --------------------------------------------------------------------------


def _train_options(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Train a small CNN (conv-relu-pool-conv-relu-pool-dense) on the bundled 8x8 handwritten digits "
        "(or MNIST-format files with --data), then write the weights, a training-curve PNG and the history."
    )
    parser.add_argument("--epochs", type=int, default=15, help="passes over the training set (default 15)")
    parser.add_argument("--batch-size", type=int, default=32, help="default 32")
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate (default 3e-3)")
    parser.add_argument("--seed", type=int, default=0, help="weights, split and shuffling (default 0)")
    parser.add_argument("--data", metavar="PATH", help="MNIST IDX folder or .npz (default: bundled digits)")
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT, help=f"output folder (default ./{DEFAULT_OUT})")
    parser.add_argument(
        "--force", action="store_true",
        help=f"overwrite the run already in --out ({', '.join(_RUN_FILES)}); "
        "without it, a folder that holds one is refused",
    )


def _progress(epochs: int) -> Any:
    def on_batch(epoch: int, index: int, n_batches: int, loss: Any) -> None:
        done = (index + 1) * 30 // n_batches
        bar = "#" * done + "." * (30 - done)
        # Reading the loss is the one per-batch device read (a sync on a GPU).
        print(f"\repoch {epoch}/{epochs} [{bar}] {index + 1}/{n_batches} loss {float(loss):.4f}", end="", file=sys.stderr)

    return on_batch


def _plot_history(history: Any, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    epochs = [e.epoch for e in history.epochs]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, [e.loss for e in history.epochs], marker="o")
    ax_loss.set(xlabel="epoch", ylabel="training loss (cross-entropy)", title="loss", yscale="log")
    ax_acc.plot(epochs, [e.train_accuracy for e in history.epochs], marker="o", label="train")
    ax_acc.plot(epochs, [e.test_accuracy for e in history.epochs], marker="s", label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _train_arguments_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with train's numeric options, or None."""
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            return f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}"
    if not (math.isfinite(args.lr) and args.lr > 0):
        return f"--lr must be a finite number > 0, got {args.lr}"
    if args.seed < 0:
        return f"--seed must be >= 0, got {args.seed}"
    return None


def _out_problem(out: Path, *, force: bool) -> str | None:
    """Why `out` cannot take a new run, or None; asked before training, which a late failure would waste.

    A folder that already holds a run is refused unless `force`: rerunning
    the same command would otherwise replace yesterday's weights without a word.
    """
    if out.exists() and not out.is_dir():
        return f"--out {str(out)!r} is a file, not a folder; choose another --out"
    present = [name for name in _RUN_FILES if (out / name).exists()]
    blocked = [name for name in present if not (out / name).is_file()]
    if blocked:
        return f"--out {str(out)!r} holds {', '.join(blocked)} that is not a file and cannot be overwritten"
    if present and not force:
        return (
            f"--out {str(out)!r} already holds a run ({', '.join(present)}); "
            "pass --force to overwrite it or choose another --out"
        )
    return None


@subcommand("train", help="train a small CNN on handwritten digits", options=_train_options, backend=True)
def _train(args: argparse.Namespace) -> int:
    from . import nn, optim, training
    from .backend import asarray, get_backend
    from .checkpoint import save_weights
    from .data import load_digits, load_mnist

    problem = _train_arguments_problem(args) or _out_problem(Path(args.out), force=args.force)
    if problem is not None:
        _error("train", problem)
        return 2
    try:
        data = load_digits(seed=args.seed) if args.data is None else load_mnist(args.data)
    except (OSError, ValueError) as exc:
        _error("train", str(exc))
        return 2
    height, width, channels = data.image_shape
    if height != width or height % 4:
        _error("train", f"images must be square with a side divisible by 4, got {height}x{width}")
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _error("train", f"cannot create --out {str(out)!r}: {exc.strerror or exc}")
        return 2
    if not os.access(out, os.W_OK | os.X_OK):
        _error("train", f"cannot write into --out {str(out)!r}: permission denied")
        return 2
    backend = get_backend()
    print(f"training on {data.name}: {len(data.x_train)} train / {len(data.x_test)} test images "
          f"{height}x{width}x{channels}, {data.n_classes} classes, backend {backend}", file=sys.stderr)
    model = nn.small_cnn(data.n_classes, in_channels=channels, image_size=height, seed=args.seed)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    x_train, y_train = asarray(data.x_train), asarray(data.y_train)  # to the device once
    x_test, y_test = asarray(data.x_test), asarray(data.y_test)

    def on_epoch(stats: training.EpochStats) -> None:
        print(f"\repoch {stats.epoch}/{args.epochs} loss {stats.loss:.4f} train {stats.train_accuracy:.4f} "
              f"test {stats.test_accuracy:.4f} ({stats.seconds:.1f} s)" + " " * 20, file=sys.stderr)

    start = time.perf_counter()
    try:
        history = training.fit(
            model, optimizer, x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
            n_classes=data.n_classes, seed=args.seed, x_test=x_test, y_test=y_test,
            on_batch=_progress(args.epochs), on_epoch=on_epoch,
        )
    except training.TrainingDiverged as exc:
        print(file=sys.stderr)  # end the progress line
        _error("train", f"{exc} (--lr {args.lr:g}); nothing was written")
        return 1
    seconds = time.perf_counter() - start
    metadata = {
        "model": "small_cnn", "n_classes": data.n_classes, "in_channels": channels, "image_size": height,
        "dataset": data.name, "seed": args.seed, "backend": str(backend),
    }
    try:
        weights = save_weights(model, out / WEIGHTS, metadata=metadata)
        records = [vars(e) for e in history.epochs]
        (out / "history.json").write_text(
            json.dumps({"metadata": metadata, "seconds": seconds, "epochs": records}, indent=2)
        )
        plot: Path | None = out / "training.png"
        try:
            _plot_history(history, plot, f"small CNN on {data.name} ({backend})")
        except ImportError:
            plot.unlink(missing_ok=True)  # an overwritten run's curves are not this run's
            plot = None
            print("matplotlib is not installed: no plot (pip install 'xcnn[cli]')", file=sys.stderr)
    except OSError as exc:  # checked writable before training; a full disk can still fail here
        _error("train", f"cannot write the run into {str(out)!r}: {exc.strerror or exc}")
        return 1
    final = history.epochs[-1].test_accuracy
    print(f"trained in {seconds:.1f} s; weights: {weights}" + (f"; plot: {plot}" if plot else ""))
    print(f"test accuracy: {final:.4f}")
    return 0


# --- xcnn predict ------------------------------------------------------------------------


def _predict_options(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Classify images with weights written by `xcnn train`. Each PNG/JPEG file is prepared as the training "
        "digits were (xcnn.data.prepare_digit): transparency flattened onto the page, the ink found on light or "
        "dark paper, cropped, scaled into the model's grid and centred by its centre of mass. Without IMAGE, "
        "classifies the bundled test split and prints the accuracy."
    )
    parser.add_argument("images", nargs="*", metavar="IMAGE", help="PNG or JPEG files, one digit each")
    parser.add_argument(
        "--weights", metavar="PATH", default=f"{DEFAULT_OUT}/{WEIGHTS}", help=f"default ./{DEFAULT_OUT}/{WEIGHTS}"
    )
    parser.add_argument("--show", type=int, default=20, help="predictions to list for the test split (default 20)")
    parser.add_argument(
        "--save-inputs", metavar="DIR",
        help="write the input the model saw for each IMAGE, enlarged, as DIR/<stem>_input.png",
    )


LOW_CONFIDENCE = 0.9
"""Below this probability `xcnn predict` warns: typed or unusual digits are often confidently wrong."""

_MNIST_MARGIN = 4 / 28
"""MNIST's digits fill a 20x20 box in 28x28; the UCI digits fill their whole grid (margin 0)."""


def _image_for_model(path: Path, size: int, margin: float) -> np.ndarray:
    from PIL import Image, ImageOps

    from .cli import _has_alpha
    from .data import prepare_digit

    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        pixels = np.asarray(image.convert("RGBA" if _has_alpha(image) else "RGB"))
    return prepare_digit(pixels, size, margin=margin)


def _save_input(pixels: np.ndarray, target: Path) -> None:
    """`pixels` ``(n, n, 1)`` in [0, 1] as a PNG enlarged to at least 128 pixels, each input pixel a square."""
    from PIL import Image

    scale = max(1, -(-128 // pixels.shape[0]))
    big = np.kron(pixels[..., 0], np.ones((scale, scale), dtype=np.float32))
    Image.fromarray(np.rint(big * 255).astype(np.uint8)).save(target)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _metadata_problem(meta: dict[str, Any]) -> str | None:
    """What keeps `meta` (from :func:`xcnn.checkpoint.read_metadata`) from rebuilding the model, or None."""
    if meta.get("model") != "small_cnn":
        return "not written by `xcnn train` (no small_cnn metadata)"
    required = {"n_classes": 1, "in_channels": 1, "image_size": 4}
    missing = [key for key in (*required, "dataset") if key not in meta]
    if missing:
        return f"the metadata lacks {', '.join(map(repr, missing))}; expected weights written by `xcnn train`"
    # "seed" only picks the bundled digits' split to score on; train's default, 0, stands in when it is absent
    for key, minimum in (*required.items(), ("seed", 0)):
        value = meta.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            return f"the metadata's {key!r} must be an integer >= {minimum}, got {_short(value)}"
    if meta["image_size"] % 4:
        return f"the metadata's 'image_size' must be a multiple of 4, got {meta['image_size']}"
    if not isinstance(meta["dataset"], str):
        return f"the metadata's 'dataset' must be a name, got {_short(meta['dataset'])}"
    return None


@subcommand("predict", help="classify images with trained weights", options=_predict_options, backend=True)
def _predict(args: argparse.Namespace) -> int:
    from . import functional as F
    from . import nn, training
    from .backend import asarray, to_numpy
    from .checkpoint import load_weights, read_metadata
    from .data import load_digits

    if args.show < 0:
        _error("predict", f"--show must be >= 0, got {args.show}")
        return 2
    inputs = None if args.save_inputs is None else Path(args.save_inputs)
    if inputs is not None:
        if not args.images:
            _error("predict", "--save-inputs needs IMAGE files (it writes what the model saw of each)")
            return 2
        if inputs.exists() and not inputs.is_dir():
            _error("predict", f"--save-inputs {str(inputs)!r} is a file, not a folder")
            return 2
    weights = Path(args.weights)
    if not weights.is_file():
        _error("predict", f"no weights at {str(weights)!r}; run `xcnn train` first or pass --weights PATH")
        return 2
    try:
        meta = read_metadata(weights)
        problem = _metadata_problem(meta)
        if problem is not None:
            _error("predict", f"{weights}: {problem}")
            return 2
        model = nn.small_cnn(meta["n_classes"], in_channels=meta["in_channels"], image_size=meta["image_size"])
        load_weights(model, weights)
    except (OSError, ValueError) as exc:
        _error("predict", str(exc))
        return 2
    model.eval()
    if not args.images:
        if meta["dataset"] != "digits":
            _error("predict", f"the weights were trained on {meta['dataset']!r}: give image files to classify")
            return 2
        data = load_digits(seed=meta.get("seed", 0))
        predicted = to_numpy(training.predict(model, asarray(data.x_test)))
        for i in range(min(args.show, len(predicted))):
            print(f"test image {i}: predicted {predicted[i]}, label {data.y_test[i]}")
        print(f"test accuracy: {(predicted == data.y_test).mean():.4f}")
        return 0
    if meta["in_channels"] != 1:
        _error("predict", "image files can only be classified by grayscale models")
        return 2
    if inputs is not None:
        try:
            inputs.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _error("predict", f"cannot create --save-inputs {str(inputs)!r}: {exc.strerror or exc}")
            return 2
    from .cli import _output_names

    paths = [Path(p) for p in args.images]
    margin = 0.0 if meta["dataset"] == "digits" else _MNIST_MARGIN
    failed = 0
    for path, name in zip(paths, _output_names(paths, "input")):
        try:
            pixels = _image_for_model(path, meta["image_size"], margin)
        except Exception as exc:  # noqa: BLE001 - report any unreadable file and go on
            reason = str(exc) if isinstance(exc, ValueError) and str(exc).startswith("no digit") else None
            _error("predict", f"cannot read {str(path)!r}: {reason or _read_error(path, exc)}")
            failed += 1
            continue
        if inputs is not None:
            try:
                _save_input(pixels, inputs / name)
            except OSError as exc:
                _error("predict", f"cannot write {str(inputs / name)!r}: {exc.strerror or exc}")
                failed += 1
        probabilities = to_numpy(F.softmax(model.forward(asarray(pixels[None]))))[0]
        best = int(probabilities.argmax())
        shown = round(float(probabilities[best]), 2)  # the warning agrees with the number printed
        print(f"{path}: {best} (p={shown:.2f})")
        if shown < LOW_CONFIDENCE:
            print(
                f"xcnn predict: warning: {path}: p={shown:.2f} < {LOW_CONFIDENCE}, low confidence; "
                f"the model knows the handwriting of {meta['dataset']!r}, see what it saw with --save-inputs",
                file=sys.stderr,
            )
    return 1 if failed else 0


# --- xcnn bench --------------------------------------------------------------------------


def _bench_options(parser: argparse.ArgumentParser) -> None:
    from . import bench

    parser.description = "Time convolution and pooling forward+backward against PyTorch and the tutorial's loops."
    bench.add_arguments(parser)


@subcommand("bench", help="benchmark convolution and pooling against PyTorch", options=_bench_options)
def _bench(args: argparse.Namespace) -> int:
    from . import bench

    problem = bench.only_problem(args)
    if problem is not None:
        _error("bench", problem)
        return 2
    return bench.run_command(args)
