"""The ``xcnn`` command: ``xcnn <subcommand> [options]``.

Each subcommand is one small function registered with :func:`subcommand`,
which also declares its options; :func:`main` builds the parser from the
registry, selects the backend for subcommands that take ``--backend`` /
``--device``, and turns expected failures into a message on stderr and an
exit code, never a traceback:

* 0: success;
* 1: the subcommand ran but some inputs failed (named on stderr);
* 2: bad usage (an option, an input file or an ``XCNN_*`` setting that is
  invalid: all checked before the work starts), or the requested backend or
  device is unavailable;
* 130: interrupted with Ctrl-C.

Heavy optional dependencies (Pillow, matplotlib) are imported inside the
subcommand that needs them, so ``import xcnn`` stays light.

To add a subcommand, write its options and its body and register them::

    def _info_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="...")

    @subcommand("info", help="show backends and devices", options=_info_options, backend=True)
    def _info(args: argparse.Namespace) -> int:
        ...
        return 0
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .backend import BackendUnavailableError, use_backend

__all__ = ["main", "subcommand"]

Run = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Subcommand:
    """A registered subcommand: its name, one-line help, options and body."""

    name: str
    help: str
    run: Run
    options: Configure | None = None
    backend: bool = False
    settings: bool = True
    """Refuse to run when an ``XCNN_*`` speed setting in the environment is invalid."""


_SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str, *, help: str, options: Configure | None = None, backend: bool = False, settings: bool = True
) -> Callable[[Run], Run]:
    """Register ``run(args) -> exit code`` as ``xcnn <name>``; returns `run` unchanged.

    Parameters
    ----------
    name : str
        The subcommand's name on the command line.
    help : str
        One line for ``xcnn --help``.
    options : callable, optional
        ``options(parser)`` adds the subcommand's arguments to its parser.
    backend : bool
        Add ``--backend`` and ``--device`` and run inside
        :func:`xcnn.use_backend` with the chosen backend.
    settings : bool
        Check ``XCNN_WORKSPACE_MB``, ``XCNN_NUM_THREADS`` and ``XCNN_JIT``
        first and exit with 2 when one is invalid (``xcnn info`` instead
        reports them).
    """

    def register(run: Run) -> Run:
        if name in _SUBCOMMANDS:
            msg = f"subcommand {name!r} is already registered"
            raise ValueError(msg)
        _SUBCOMMANDS[name] = Subcommand(name, help, run, options, backend, settings)
        return run

    return register


def _error(command: str, message: str) -> None:
    print(f"xcnn {command}: error: {message}", file=sys.stderr)


def _settings_problem() -> str | None:
    """The first invalid ``XCNN_*`` speed setting, or None.

    The library reads them lazily, at the first convolution or thread
    hand-off, where a typo would surface as a traceback minutes into a run;
    the command reads them all before its work starts.
    """
    from . import workspace
    from ._backends.numpy import threads as _threads
    from ._backends.numpy.numba import available as _jit

    for read in (workspace.current_setting, _threads.thread_count, _jit._switched_on):
        try:
            read()
        except ValueError as exc:
            return str(exc)
    return None


# --- backend options -----------------------------------------------------------------


def _add_backend_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("backend")
    group.add_argument(
        "--backend",
        metavar="NAME",
        help="numpy, torch, array_api_strict, cupy or auto (default: $XCNN_BACKEND, else numpy)",
    )
    group.add_argument(
        "--device",
        metavar="DEV",
        help="e.g. cpu, cuda:1, device1 (default: $XCNN_DEVICE when the backend also comes from "
        "the environment, else the backend's first device)",
    )


def _backend_choice(args: argparse.Namespace) -> tuple[str, str | None]:
    """``--backend``/``--device`` over ``XCNN_BACKEND``/``XCNN_DEVICE`` over NumPy on its first device."""
    name = args.backend or os.environ.get("XCNN_BACKEND", "").strip() or "numpy"
    device = args.device
    if device is None and args.backend is None:
        device = os.environ.get("XCNN_DEVICE", "").strip() or None
    return name, device


# --- xcnn edges ------------------------------------------------------------------------

_EDGE_METHODS = ("sobel", "scharr", "vertical", "horizontal")
_SAMPLE_PHOTO = "grace_hopper.jpg"  # ships with matplotlib


def _sample_photo() -> Path:
    from matplotlib import cbook

    return Path(cbook.get_sample_data(_SAMPLE_PHOTO, asfileobj=False))


def _read_image(path: Path):  # -> numpy (H, W) or (H, W, 3): uint8, uint16/int32/float32 for deep or transparent images
    import numpy as np
    from PIL import Image, ImageOps

    from .data import composite_alpha

    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)  # photographs upright, as image viewers show them
        if _has_alpha(image):  # strokes on a transparent background: onto the page, not onto the hidden colour
            return composite_alpha(np.asarray(image.convert("RGBA"))) * np.float32(255)
        if image.mode == "1":
            image = image.convert("L")
        elif not (image.mode in ("L", "RGB", "I", "F") or image.mode.startswith("I;16")):
            image = image.convert("RGB")  # palette, CMYK, YCbCr, ...: keep colour
        return np.array(image)  # a writable copy: PyTorch warns about read-only NumPy arrays


def _has_alpha(image) -> bool:  # a PIL image
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _read_error(path: Path, exc: Exception) -> str:
    from PIL import UnidentifiedImageError

    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image Pillow can decode (expected PNG or JPEG)"
    return f"{type(exc).__name__}: {exc}"  # truncated or corrupt data, permissions, decompression bombs


def _to_uint8(magnitude):  # numpy float (H, W) -> uint8 (H, W), the strongest edge at 255
    import numpy as np

    peak = float(magnitude.max()) if magnitude.size else 0.0
    scaled = magnitude * (255.0 / peak) if peak > 0 else np.zeros_like(magnitude)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _edges_options(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Detect edges in each image (gradient magnitude of the luminance, borders replicated, scaled "
        "so the strongest edge is 255) and write <stem>_<method>.png into the output directory (<stem>-2_<method>.png "
        "and so on for a name seen before in the same call). Images are "
        f"read one at a time. Without IMAGE, uses the sample photograph {_SAMPLE_PHOTO} shipped with matplotlib."
    )
    parser.add_argument("images", nargs="*", metavar="IMAGE", help="PNG or JPEG files")
    parser.add_argument(
        "-o", "--output", metavar="DIR", default="xcnn-edges", help="output directory (default: ./xcnn-edges)"
    )
    parser.add_argument(
        "--method", choices=_EDGE_METHODS, default="sobel", help="edge filter (default: sobel)"
    )


def _output_names(sources: Sequence[Path], method: str) -> list[str]:
    """One output name per source: ``<stem>_<method>.png``, or ``<stem>-2_<method>.png``, ... for a repeated stem."""
    used: set[str] = set()
    names = []
    for source in sources:
        name, copy = f"{source.stem}_{method}.png", 1
        while name in used:
            copy += 1
            name = f"{source.stem}-{copy}_{method}.png"
        used.add(name)
        names.append(name)
    return names


@subcommand("edges", help="write edge maps of PNG/JPEG images", options=_edges_options, backend=True)
def _edges(args: argparse.Namespace) -> int:
    from PIL import Image

    import xcnn
    from xcnn.filters import detect_edges

    sources = [Path(s) for s in args.images or [_sample_photo()]]
    out_dir = Path(args.output)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _error("edges", f"cannot create output directory {str(out_dir)!r}: {exc.strerror or exc}")
        return 1
    failed = 0
    for source, name in zip(sources, _output_names(sources, args.method)):
        try:
            pixels = _read_image(source)  # one image at a time, never the whole list
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported and skipped
            _error("edges", f"cannot read {str(source)!r}: {_read_error(source, exc)}")
            failed += 1
            continue
        magnitude = detect_edges(xcnn.asarray(pixels[None]), method=args.method, padding_mode="replicate")
        target = out_dir / name
        try:
            Image.fromarray(_to_uint8(xcnn.to_numpy(magnitude)[0])).save(target)
        except OSError as exc:
            _error("edges", f"cannot write {str(target)!r}: {exc.strerror or exc}")
            failed += 1
            continue
        print(target)
    return 1 if failed else 0


# --- the command -------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The ``xcnn`` parser with one subparser per registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="xcnn", description="xcnn: convolutional networks on any array library."
    )
    parser.add_argument("--version", action="version", version=f"xcnn {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in _SUBCOMMANDS.values():
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        if command.options is not None:
            command.options(sub)
        if command.backend:
            _add_backend_options(sub)
        sub.set_defaults(subcommand=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``xcnn`` with `argv` (default ``sys.argv[1:]``) and return the exit code.

    Usage errors from argparse (an unknown option, a bad ``--method``) exit
    through ``SystemExit(2)`` as usual. Other failures print one line,
    ``xcnn <command>: error: ...``, on stderr.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Subcommand | None = getattr(args, "subcommand", None)
    if command is None:
        parser.print_help(sys.stderr)
        return 2
    problem = _settings_problem() if command.settings else None
    if problem is not None:
        _error(command.name, problem)
        return 2
    try:
        return _run(command, args)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # end a progress line that \r keeps rewriting
        _error(command.name, "interrupted")
        return 130  # the shells' code for a process ended by SIGINT


def _run(command: Subcommand, args: argparse.Namespace) -> int:
    if not command.backend:
        return command.run(args)
    name, device = _backend_choice(args)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(use_backend(name, device))
        except (ValueError, TypeError, BackendUnavailableError) as exc:
            _error(command.name, str(exc))
            return 2
        return command.run(args)


# Registers info, train, predict and bench (imported last: it uses `subcommand`).
from . import commands as _commands  # noqa: E402, F401
