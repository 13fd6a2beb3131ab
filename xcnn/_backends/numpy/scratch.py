"""Scratch memory kept between calls for NumPy temporaries: the unfolded windows and their gradient.

A fresh array of more than 32 MiB is new memory from the operating system
every time (glibc maps it, and unmaps it when freed), and every page of it
faults on first touch, which costs about as much as filling it (BENCHMARKS.md,
"Why each path exists").
Convolution's column matrices are such temporaries, consumed before the call
returns, so each thread keeps one buffer per use and reuses it. They are
bounded by the workspace limit (:mod:`xcnn.workspace`), and
:func:`xcnn.set_workspace_limit` gives them back.
"""

from __future__ import annotations

import math
import threading
import weakref
from typing import Any

import numpy as np

from ...workspace import on_limit_change

__all__ = ["release", "scratch"]


class _Buffers:
    """One thread's buffers by use, in an object that the registry can hold weakly (a dict cannot be)."""

    __slots__ = ("__weakref__", "by_use")

    def __init__(self) -> None:
        self.by_use: dict[str, np.ndarray] = {}


_local = threading.local()
_every_thread: weakref.WeakSet[_Buffers] = weakref.WeakSet()
"""Each live thread's buffers: :func:`release` must reach the threads of a pool too, which
outlive the call that filled them. A thread's entry goes when the thread ends."""
_registry_lock = threading.Lock()


def _buffers() -> _Buffers:
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = _Buffers()
        with _registry_lock:
            _every_thread.add(buffers)
    return buffers


def scratch(use: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """An uninitialised ``shape`` array for `use`, in this thread's buffer for it.

    The array is overwritten by the next request for the same `use` in the
    same thread: it must not outlive the call that asked for it.
    """
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    buffers = _buffers().by_use
    buffer = buffers.get(use)
    if buffer is None or buffer.nbytes < nbytes:
        buffers.pop(use, None)  # free the old one before taking the new
        buffer = buffers[use] = np.empty(nbytes, dtype=np.uint8)
    return buffer[:nbytes].view(dtype).reshape(shape)


def release() -> None:
    """Drop every thread's buffers (the memory returns once nothing else holds them).

    A thread in the middle of a call keeps the array it was handed (the array
    holds its memory) and takes a fresh buffer at its next request.
    """
    with _registry_lock:
        every = list(_every_thread)
    for buffers in every:
        buffers.by_use.clear()


on_limit_change(release)
