"""The built-in subcommands, listed for :mod:`xcnn.cli`; ``xcnn info`` and ``xcnn bench`` are here.

:data:`SUBCOMMANDS` names them all in ``xcnn --help`` order. ``xcnn edges``,
``xcnn train`` and ``xcnn predict`` live in their own modules
(:mod:`xcnn._commands_edges`, :mod:`xcnn._commands_train`,
:mod:`xcnn._commands_predict`). None of them imports :mod:`xcnn.cli`: what
they share with it is in :mod:`xcnn._cli_shared`. Plotting (matplotlib) and
image reading (Pillow) are imported only inside the subcommands that need them.
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Callable

from . import _commands_edges, _commands_predict, _commands_train, _ops, workspace
from ._backends.numpy import threads as _threads
from ._backends.numpy.numba import available as _jit
from ._cli_shared import Subcommand, error
from ._commands_predict import LOW_CONFIDENCE
from ._commands_train import DEFAULT_OUT, WEIGHTS
from .backend import installed_version

__all__ = ["DEFAULT_OUT", "LOW_CONFIDENCE", "SUBCOMMANDS", "WEIGHTS"]


# --- xcnn info ---------------------------------------------------------------------------


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
    for package in ("numpy", "array-api-compat", "array-api-strict", "numba", "torch", "dask", "distributed", "scipy", "matplotlib", "pillow"):
        print(f"  {package:<17} {installed_version(package)}")
    print("settings:")
    print(f"  workspace limit   {_setting(_workspace_limit)}  [xcnn.set_workspace_limit, XCNN_WORKSPACE_MB]")
    threads = _setting(lambda: str(_threads.thread_count()))
    print(f"  NumPy threads     {threads}  (pooling, compiled convolution) [XCNN_NUM_THREADS]")
    compiled = _setting(_jit.status)
    print(f"  NumPy kernels     {compiled}  [XCNN_JIT]")
    print(f"  vector ISA        register blocks for {_setting(_jit.isa_status)}  [XCNN_ISA]")
    print("providers (first that takes a call runs it; xcnn.explain(fn, *args) says which):")
    try:
        rows = _ops.providers()
    except ValueError as exc:
        print(f"  unavailable ({exc})")
        return 0
    width, status_width = max(len(name) for name, _, _ in rows), max(len(status) for _, _, status in rows)
    for name, served, status in rows:
        print(f"  {name:<{width}}  {status:<{status_width}}  {', '.join(served)}")
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


# --- xcnn bench --------------------------------------------------------------------------


def _bench_options(parser: argparse.ArgumentParser) -> None:
    from . import bench

    parser.description = "Time convolution and pooling forward+backward against PyTorch and the tutorial's loops."
    bench.add_arguments(parser)


def _bench(args: argparse.Namespace) -> int:
    from . import bench

    problem = bench.only_problem(args)
    if problem is not None:
        error("bench", problem)
        return 2
    return bench.run_command(args)


# --- the list ----------------------------------------------------------------------------

SUBCOMMANDS: tuple[Subcommand, ...] = (
    *_commands_edges.SUBCOMMANDS,
    Subcommand(
        "info", "show xcnn's version, the usable backends and devices, and library versions", _info, settings=False
    ),
    *_commands_train.SUBCOMMANDS,
    *_commands_predict.SUBCOMMANDS,
    Subcommand("bench", "benchmark convolution and pooling against PyTorch", _bench, _bench_options),
)
"""Every built-in subcommand, in ``xcnn --help`` order; :mod:`xcnn.cli` registers them."""
