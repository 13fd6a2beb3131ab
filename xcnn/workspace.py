"""The workspace limit: how much scratch memory one convolution may use.

Convolution unfolds its windows into a ``(rows, kh*kw*C)`` matrix before one
matrix product. For large images that matrix is ``kh*kw`` times the input, so
xcnn builds it in chunks of samples (and, for huge images, of output rows)
that each fit the limit. Results do not depend on the limit; only speed and
peak memory do.

Set it with :func:`set_workspace_limit` or the environment variable
``XCNN_WORKSPACE_MB`` (read at the first convolution). Default: 64 MiB for
arrays in host memory, 1 GiB for CuPy arrays on a GPU.

With NumPy, each thread that runs convolutions keeps its two largest
scratch arrays (the unfolded windows and their gradient, each at most the
limit) for the next call: fresh memory of that size costs as much to touch
as to fill. Setting the limit gives them back.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from types import ModuleType

import array_api_compat

from ._validation import as_int

__all__ = ["get_workspace_limit", "set_workspace_limit"]

DEFAULT_BYTES = 64 * 2**20
"""Default for arrays in host memory (NumPy, PyTorch CPU, array_api_strict)."""

DEFAULT_CUDA_BYTES = 1024 * 2**20
"""Default for CuPy arrays: GPU memory is plentiful and every extra block costs
kernel launches (BENCHMARKS.md, "Why each path exists")."""

_setting: int | None = None
_env_read = False
_on_change: list[Callable[[], None]] = []
"""Called after every :func:`set_workspace_limit`: backends that keep buffers sized
for the limit register here (NumPy's scratch buffers)."""


def on_limit_change(callback: Callable[[], None]) -> None:
    """Call `callback` (no arguments) after every change of the limit."""
    _on_change.append(callback)


def _from_environment() -> int | None:
    raw = os.environ.get("XCNN_WORKSPACE_MB", "").strip()
    if not raw:
        return None
    try:
        megabytes = float(raw)
    except ValueError:
        msg = f"XCNN_WORKSPACE_MB must be a number of MiB, got {raw!r}"
        raise ValueError(msg) from None
    nbytes = int(megabytes * 2**20) if math.isfinite(megabytes) else 0  # int() of inf or nan raises
    if nbytes < 1:
        msg = f"XCNN_WORKSPACE_MB must be a finite number of MiB > 0 (at least one byte), got {raw!r}"
        raise ValueError(msg)
    return nbytes


def current_setting() -> int | None:
    """The limit set with :func:`set_workspace_limit` or ``XCNN_WORKSPACE_MB``; None when the defaults apply."""
    global _setting, _env_read
    if not _env_read:
        _setting, _env_read = _from_environment(), True
    return _setting


def get_workspace_limit(xp: ModuleType | None = None) -> int:
    """The limit in bytes for arrays of namespace `xp` (default: arrays in host memory).

    The value set with :func:`set_workspace_limit` or ``XCNN_WORKSPACE_MB``
    applies everywhere; without one, CuPy gets :data:`DEFAULT_CUDA_BYTES` and
    everything else :data:`DEFAULT_BYTES`.
    """
    setting = current_setting()
    if setting is not None:
        return setting
    if xp is not None and array_api_compat.is_cupy_namespace(xp):
        return DEFAULT_CUDA_BYTES
    return DEFAULT_BYTES


def set_workspace_limit(nbytes: int | None) -> int | None:
    """Set the limit in bytes (at least 1), or None for the defaults; returns the previous setting.

    The previous setting is None when the defaults were in force, so
    ``set_workspace_limit(previous)`` restores exactly what was there.
    The scratch buffers that every thread keeps (sized for the old limit)
    are released.

    Examples
    --------
    >>> import xcnn
    >>> previous = xcnn.set_workspace_limit(16 * 2**20)
    >>> xcnn.get_workspace_limit()
    16777216
    >>> _ = xcnn.set_workspace_limit(previous)
    """
    global _setting
    previous = current_setting()
    _setting = None if nbytes is None else as_int("nbytes", nbytes, minimum=1)
    for callback in _on_change:  # every thread's scratch buffers: they were sized for the old limit
        callback()
    return previous
