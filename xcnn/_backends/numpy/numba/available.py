"""Whether NumPy arrays take the compiled (Numba) loops of :mod:`xcnn._backends.numpy.numba`.

NumPy runs one unfused operation at a time, so a window reduction, a
max-pool gradient or a depthwise convolution costs several passes over memory
per kernel offset. Numba compiles the same sums into one pass. ``pip install
xcnn`` installs it wherever Numba publishes wheels (x86-64 and 64-bit ARM);
without it, and with ``XCNN_JIT=0``, every NumPy array takes the array-API
code, which stays the implementation on every other backend and is tested
against these kernels.

Numba is imported only when a kernel is first about to run (see
:func:`_import_problem`), so ``import xcnn`` stays light.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import warnings
from types import ModuleType
from typing import Any

import array_api_compat

__all__ = ["enabled", "isa_status", "status"]

_DTYPES = ("float32", "float64")
"""Dtypes the kernels are compiled for; float16 takes the array-API code."""

MIN_CHANNELS = 8
"""Fewest channels for which the kernels pay. Their innermost loop runs over
the channels, and each window offset costs a fixed overhead besides: with
fewer channels NumPy's whole-array operations on strided views are faster
(measurements: BENCHMARKS.md, 'Why each path exists')."""


@functools.cache
def _installed() -> bool:
    return importlib.util.find_spec("numba") is not None


@functools.cache
def _import_problem() -> str | None:
    """Why an installed Numba does not import (say, a NumPy newer than it supports); None if it does.

    Asked only when a kernel would run, so Numba is imported then and not before.
    """
    try:
        import numba  # noqa: F401 - the import itself is the check
    except Exception as exc:  # noqa: BLE001 - whatever a broken install raises, NumPy layers must still run
        problem = f"{type(exc).__name__}: {exc}"
        warnings.warn(
            f"Numba is installed but does not import ({problem}); xcnn's NumPy layers run the "
            "array-API code instead. Set XCNN_JIT=0 to silence this.",
            RuntimeWarning, stacklevel=4,
        )
        return problem
    return None


@functools.cache
def _switched_on() -> bool:
    raw = os.environ.get("XCNN_JIT", "").strip().lower()
    if raw in ("", "1", "on", "true", "yes"):
        return True
    if raw in ("0", "off", "false", "no"):
        return False
    msg = f"XCNN_JIT must be 0 or 1 (off or on), got {os.environ['XCNN_JIT']!r}"
    raise ValueError(msg)


def enabled(xp: ModuleType, *arrays: Any, channels: int) -> bool:
    """True when `arrays` (NumPy, one dtype: float32 or float64), windows of
    `channels` channels, go through the compiled kernels."""
    if channels < MIN_CHANNELS or not array_api_compat.is_numpy_namespace(xp):
        return False
    if not _switched_on() or not _installed():
        return False
    dtypes = {a.dtype for a in arrays}
    if len(dtypes) != 1:
        return False  # mixed dtypes: the array-API code promotes them
    dtype = dtypes.pop()
    if dtype.name not in _DTYPES or not dtype.isnative:  # Numba reads native byte order only
        return False
    return _import_problem() is None


def status() -> str:
    """One line for ``xcnn info`` and the benchmark header."""
    if not _installed():
        return "off (Numba not installed: none for this platform, or removed; pip install numba)"
    if not _switched_on():
        return "off (XCNN_JIT=0)"
    problem = _import_problem()
    if problem is not None:
        return f"off (Numba does not import: {problem})"
    from importlib.metadata import version

    return f"on (Numba {version('numba')})"


def isa_status() -> str:
    """One line for ``xcnn info``: the vector ISA whose register blocks the compiled loops take, and why."""
    if not status().startswith("on"):
        return "none (the compiled loops are off)"
    from .isa import chosen

    try:
        return chosen()[1]
    except ValueError as exc:  # a bad XCNN_ISA: said here, raised when a loop would run
        return f"none: {exc}"
