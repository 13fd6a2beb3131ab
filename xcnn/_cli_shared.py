"""What :mod:`xcnn.cli` and the subcommand modules share: the subcommand record, errors, image files.

The imports go one way: :mod:`xcnn.cli` imports :mod:`xcnn.commands` (which
lists the built-in subcommands), and both import this module, which imports
neither. Pillow is imported only inside the functions that need it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Configure", "Run", "Subcommand", "error", "has_alpha", "output_names", "read_error"]

Run = Callable[[argparse.Namespace], int]
"""A subcommand's body: ``run(args) -> exit code``."""

Configure = Callable[[argparse.ArgumentParser], None]
"""``options(parser)``: adds a subcommand's arguments to its parser."""


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


def error(command: str, message: str) -> None:
    """Print ``xcnn <command>: error: <message>`` on stderr: the one line a failure shows.

    Parameters
    ----------
    command : str
        The subcommand's name.
    message : str
        What went wrong, on one line.
    """
    print(f"xcnn {command}: error: {message}", file=sys.stderr)


def has_alpha(image: Any) -> bool:
    """Whether a PIL image has transparency (an alpha channel or a transparent palette colour)."""
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def read_error(path: Path, exc: Exception) -> str:
    """Why the image file at `path` could not be read, from the exception that reading it raised."""
    from PIL import UnidentifiedImageError

    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "a directory with no PNG or JPEG files"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image Pillow can decode (expected PNG or JPEG)"
    return f"{type(exc).__name__}: {exc}"  # truncated or corrupt data, permissions, decompression bombs


def output_names(sources: Sequence[Path], method: str) -> list[str]:
    """One output name per source: ``<stem>_<method>.png``, or ``<stem>-2_<method>.png``, ... for a repeated stem.

    Examples
    --------
    >>> output_names([Path("a/x.png"), Path("b/x.jpg"), Path("y.png")], "sobel")
    ['x_sobel.png', 'x-2_sobel.png', 'y_sobel.png']
    """
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
