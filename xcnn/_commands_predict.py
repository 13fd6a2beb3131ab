"""``xcnn predict``: classify digit images, or the bundled test split, with weights from ``xcnn train``.

Declared in :data:`SUBCOMMANDS`, which :mod:`xcnn.commands` lists for
:mod:`xcnn.cli`. Pillow is imported only when image files are read or written.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ._cli_cluster import add_cluster_options, cluster_client, expand_sources, run_tasks
from ._cli_shared import Subcommand, error, has_alpha, output_names, read_error
from ._commands_train import DEFAULT_OUT, WEIGHTS

__all__ = ["LOW_CONFIDENCE", "SUBCOMMANDS"]


def _predict_options(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Classify images with weights written by `xcnn train`. Each PNG/JPEG file is prepared as the training "
        "digits were (xcnn.data.prepare_digit): transparency flattened onto the page, the ink found on light or "
        "dark paper, cropped, scaled into the model's grid and centred by its centre of mass. Without IMAGE, "
        "classifies the bundled test split and prints the accuracy."
    )
    parser.add_argument(
        "images", nargs="*", metavar="IMAGE", help="PNG or JPEG files, one digit each, directories of them, or glob patterns"
    )
    parser.add_argument(
        "--weights", metavar="PATH", default=f"{DEFAULT_OUT}/{WEIGHTS}", help=f"default ./{DEFAULT_OUT}/{WEIGHTS}"
    )
    parser.add_argument("--show", type=int, default=20, help="predictions to list for the test split (default 20)")
    parser.add_argument(
        "--save-inputs", metavar="DIR",
        help="write the input the model saw for each IMAGE, enlarged, as DIR/<stem>_input.png",
    )
    add_cluster_options(parser)


LOW_CONFIDENCE = 0.9
"""Below this probability `xcnn predict` warns: typed or unusual digits are often confidently wrong."""

_MNIST_MARGIN = 4 / 28
"""MNIST's digits fill a 20x20 box in 28x28; the UCI digits fill their whole grid (margin 0)."""


def _image_for_model(path: Path, size: int, margin: float) -> np.ndarray:
    from PIL import Image, ImageOps

    from .data import prepare_digit

    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        pixels = np.asarray(image.convert("RGBA" if has_alpha(image) else "RGB"))
    return prepare_digit(pixels, size, margin=margin)


def _save_input(pixels: np.ndarray, target: Path) -> None:
    """`pixels` ``(n, n, 1)`` in [0, 1] as a PNG enlarged to at least 128 pixels, each input pixel a square."""
    from PIL import Image

    scale = max(1, -(-128 // pixels.shape[0]))
    big = np.kron(pixels[..., 0], np.ones((scale, scale), dtype=np.float32))
    Image.fromarray(np.rint(big * 255).astype(np.uint8)).save(target)


@functools.lru_cache(maxsize=2)
def _model(weights: str, modified_ns: int, backend: tuple[str, str]) -> Any:
    """The model in `weights` on `backend`, loaded once per process (a cluster worker classifies many files)."""
    from . import nn
    from .backend import use_backend
    from .checkpoint import load_weights, read_metadata

    with use_backend(*backend):
        meta = read_metadata(Path(weights))
        model = nn.small_cnn(meta["n_classes"], in_channels=meta["in_channels"], image_size=meta["image_size"])
        load_weights(model, Path(weights))
    return model.eval()


def classify_file(
    path: str, save_as: str | None, weights: str, image_size: int, margin: float, backend: tuple[str, str]
) -> dict[str, Any]:
    """Classify one image file, here or in a cluster's worker process.

    Returns ``read`` (why the file could not be read, or None), ``write`` (why
    `save_as` could not be written, or None), ``best`` and ``p`` (the class and
    its probability, rounded as printed; None if unread).
    """
    from . import functional as F
    from .backend import asarray, to_numpy, use_backend

    result: dict[str, Any] = {"read": None, "write": None, "best": None, "p": None}
    try:
        pixels = _image_for_model(Path(path), image_size, margin)
    except Exception as exc:  # noqa: BLE001 - report any unreadable file and go on
        reason = str(exc) if isinstance(exc, ValueError) and str(exc).startswith("no digit") else None
        result["read"] = f"cannot read {path!r}: {reason or read_error(Path(path), exc)}"
        return result
    if save_as is not None:
        try:
            _save_input(pixels, Path(save_as))
        except OSError as exc:
            result["write"] = f"cannot write {save_as!r}: {exc.strerror or exc}"
    model = _model(weights, os.stat(weights).st_mtime_ns, backend)
    with use_backend(*backend):
        probabilities = to_numpy(F.softmax(model.forward(asarray(pixels[None]))))[0]
    best = int(probabilities.argmax())
    result.update(best=best, p=round(float(probabilities[best]), 2))  # the warning agrees with the number printed
    return result


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


def _predict(args: argparse.Namespace) -> int:
    from . import nn, training
    from .backend import _device_label, asarray, get_backend, to_numpy
    from .checkpoint import load_weights, read_metadata
    from .data import load_digits

    if args.show < 0:
        error("predict", f"--show must be >= 0, got {args.show}")
        return 2
    inputs = None if args.save_inputs is None else Path(args.save_inputs)
    if not args.images and (args.workers is not None or args.scheduler is not None):
        error("predict", "--workers and --scheduler need IMAGE files (the test split runs in this process)")
        return 2
    if inputs is not None:
        if not args.images:
            error("predict", "--save-inputs needs IMAGE files (it writes what the model saw of each)")
            return 2
        if inputs.exists() and not inputs.is_dir():
            error("predict", f"--save-inputs {str(inputs)!r} is a file, not a folder")
            return 2
    weights = Path(args.weights)
    if not weights.is_file():
        error("predict", f"no weights at {str(weights)!r}; run `xcnn train` first or pass --weights PATH")
        return 2
    try:
        meta = read_metadata(weights)
        problem = _metadata_problem(meta)
        if problem is not None:
            error("predict", f"{weights}: {problem}")
            return 2
        model = nn.small_cnn(meta["n_classes"], in_channels=meta["in_channels"], image_size=meta["image_size"])
        load_weights(model, weights)
    except (OSError, ValueError) as exc:
        error("predict", str(exc))
        return 2
    model.eval()
    if not args.images:
        if meta["dataset"] != "digits":
            error("predict", f"the weights were trained on {meta['dataset']!r}: give image files to classify")
            return 2
        data = load_digits(seed=meta.get("seed", 0))
        predicted = to_numpy(training.predict(model, asarray(data.x_test)))
        for i in range(min(args.show, len(predicted))):
            print(f"test image {i}: predicted {predicted[i]}, label {data.y_test[i]}")
        print(f"test accuracy: {(predicted == data.y_test).mean():.4f}")
        return 0
    if meta["in_channels"] != 1:
        error("predict", "image files can only be classified by grayscale models")
        return 2
    if inputs is not None:
        try:
            inputs.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            error("predict", f"cannot create --save-inputs {str(inputs)!r}: {exc.strerror or exc}")
            return 2
    paths = expand_sources(args.images)
    margin = 0.0 if meta["dataset"] == "digits" else _MNIST_MARGIN
    selected = get_backend()
    backend = (selected.name, _device_label(selected.device))  # a name each worker process selects again
    saved = [None if inputs is None else str(inputs / name) for name in output_names(paths, "input")]
    tasks = [(str(p), s, str(weights), meta["image_size"], margin, backend) for p, s in zip(paths, saved)]
    failed = 0
    try:
        with cluster_client(args) as client:
            for index, result in run_tasks(client, classify_file, tasks):
                failed += _report(paths[index], result, meta["dataset"])
    except RuntimeError as exc:
        error("predict", str(exc))
        return 1
    return 1 if failed else 0


def _report(path: Path, result: dict[str, Any], dataset: str) -> int:
    """Print one file's prediction (and any problem); 1 if the file failed, else 0."""
    for problem in (result["read"], result["write"]):
        if problem is not None:
            error("predict", problem)
    if result["best"] is None:
        return 1
    shown = result["p"]
    print(f"{path}: {result['best']} (p={shown:.2f})", flush=True)
    if shown < LOW_CONFIDENCE:
        print(
            f"xcnn predict: warning: {path}: p={shown:.2f} < {LOW_CONFIDENCE}, low confidence; "
            f"the model knows the handwriting of {dataset!r}, see what it saw with --save-inputs",
            file=sys.stderr,
        )
    return 1 if result["write"] is not None else 0


SUBCOMMANDS = (
    Subcommand("predict", "classify images with trained weights", _predict, _predict_options, backend=True),
)
"""The subcommands this module declares, in ``xcnn --help`` order."""
