"""``xcnn train``: a small CNN trained on handwritten digits, written as a run folder.

Declared in :data:`SUBCOMMANDS`, which :mod:`xcnn.commands` lists for
:mod:`xcnn.cli`. matplotlib (the training curves) is imported only when the
run is written.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from ._cli_shared import Subcommand, error

__all__ = ["DEFAULT_OUT", "SUBCOMMANDS", "WEIGHTS"]

DEFAULT_OUT = "xcnn-run"
"""The folder `xcnn train` writes into, and `xcnn predict` reads from, without ``--out`` / ``--weights``."""
WEIGHTS = "weights.npz"
"""The weights' file name in a run folder."""
_RUN_FILES = (WEIGHTS, "history.json", "training.png")
"""What `xcnn train` writes into --out: a folder holding any of them holds a run."""


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


def _train(args: argparse.Namespace) -> int:
    from . import nn, optim, training
    from .backend import asarray, get_backend
    from .checkpoint import save_weights
    from .data import load_digits, load_mnist

    problem = _train_arguments_problem(args) or _out_problem(Path(args.out), force=args.force)
    if problem is not None:
        error("train", problem)
        return 2
    try:
        data = load_digits(seed=args.seed) if args.data is None else load_mnist(args.data)
    except (OSError, ValueError) as exc:
        error("train", str(exc))
        return 2
    height, width, channels = data.image_shape
    if height != width or height % 4:
        error("train", f"images must be square with a side divisible by 4, got {height}x{width}")
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        error("train", f"cannot create --out {str(out)!r}: {exc.strerror or exc}")
        return 2
    if not os.access(out, os.W_OK | os.X_OK):
        error("train", f"cannot write into --out {str(out)!r}: permission denied")
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
        error("train", f"{exc} (--lr {args.lr:g}); nothing was written")
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
        error("train", f"cannot write the run into {str(out)!r}: {exc.strerror or exc}")
        return 1
    final = history.epochs[-1].test_accuracy
    print(f"trained in {seconds:.1f} s; weights: {weights}" + (f"; plot: {plot}" if plot else ""))
    print(f"test accuracy: {final:.4f}")
    return 0


SUBCOMMANDS = (
    Subcommand("train", "train a small CNN on handwritten digits", _train, _train_options, backend=True),
)
"""The subcommands this module declares, in ``xcnn --help`` order."""
