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

The built-in subcommands (``edges``, ``info``, ``train``, ``predict``,
``bench``) are listed in :data:`xcnn.commands.SUBCOMMANDS`; this module imports
that list and nothing there imports this module back (what both need is in
:mod:`xcnn._cli_shared`). Heavy optional dependencies (Pillow, matplotlib) are
imported inside the subcommand that needs them, so ``import xcnn`` stays light.

To add a subcommand, write its options and its body and register them::

    def _hello_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--name", default="world", help="...")

    @subcommand("hello", help="say hello", options=_hello_options, backend=True)
    def _hello(args: argparse.Namespace) -> int:
        ...
        return 0

(a built-in one goes into :data:`xcnn.commands.SUBCOMMANDS` instead).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence

from . import __version__
from ._cli_shared import Configure, Run, Subcommand
from ._cli_shared import error as _error
from .backend import BackendUnavailableError, use_backend
from .commands import SUBCOMMANDS as _BUILTIN

__all__ = ["main", "subcommand"]

_SUBCOMMANDS: dict[str, Subcommand] = {command.name: command for command in _BUILTIN}
"""Every subcommand by name: the built-in ones (:data:`xcnn.commands.SUBCOMMANDS`), then any registered."""


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
        Check ``XCNN_WORKSPACE_MB``, ``XCNN_NUM_THREADS``, ``XCNN_JIT`` and ``XCNN_ISA``
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


def _settings_problem() -> str | None:
    """The first invalid ``XCNN_*`` speed setting, or None.

    The library reads them lazily, at the first convolution or thread
    hand-off, where a typo would surface as a traceback minutes into a run;
    the command reads them all before its work starts.
    """
    from . import workspace
    from ._backends.numpy import threads as _threads
    from ._backends.numpy.numba import available as _jit
    from ._backends.numpy.numba import isa as _isa

    for read in (workspace.current_setting, _threads.thread_count, _jit._switched_on, _isa.requested):
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

