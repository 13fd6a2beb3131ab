"""Numba's compile machinery for xcnn's loops: caching, the SLP vectoriser, fork safety.

:func:`compile_kernel` compiles a loop with the GIL released and caches it on
disk (``cache=True``), so a process pays the compile time (measurements:
BENCHMARKS.md, 'CPU speed by default and on every host') once per machine.
:class:`VectorisedKernel` compiles the generated pooling loops, written one
scalar per lane, with LLVM's SLP vectoriser on (the convolution loops hold
vector-typed register blocks instead, :mod:`.register_blocks`). Importing
this module imports Numba.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from ...._geometry import Windows

__all__ = ["VectorisedKernel", "compile_kernel", "tap_offsets", "window_geometry"]

def compile_kernel(kernel: Callable[..., Any], **extra_options: Any) -> Any:
    """Compile `kernel` (GIL released, no bounds checks), cached on disk where Numba finds a place.

    Numba caches beside the source, else in the user's cache directory; with
    neither writable it refuses ``cache=True``, and the kernel is compiled
    afresh in each process instead. `extra_options` go to ``numba.njit``.
    """
    options = {"nogil": True, "error_model": "numpy", "boundscheck": False, **extra_options}
    try:
        return numba.njit(cache=True, **options)(kernel)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return numba.njit(**options)(kernel)


class VectorisedKernel:
    """A Numba kernel compiled with LLVM's SLP vectoriser on, once per argument types.

    For loops written out as one scalar per vector lane (the generated
    :mod:`.pool_kernels`): the SLP
    vectoriser packs the lanes into vector registers. Numba leaves it off by
    default, as it miscompiled code in older LLVM versions (numba#8852); it is
    switched on only while these kernels compile, under Numba's compiler lock
    so no other compilation sees it, and the tests compare them with the
    array-API code.

    The first call with new argument types compiles (or loads from Numba's
    cache) with ``SLP_VECTORIZE`` set, holding Numba's global compiler lock;
    later calls go straight to the dispatcher.
    """

    def __init__(self, kernel: Callable[..., Any]) -> None:
        self._dispatcher = compile_kernel(kernel, fastmath={"contract"})  # multiply-adds fused
        self._ready: set[tuple[Any, ...]] = set()
        self._lock = threading.Lock()
        _KERNELS.add(self)

    def __call__(self, *args: Any) -> Any:
        key = tuple(map(_type_key, args))
        if key not in self._ready:
            with self._lock:
                if key not in self._ready:
                    self._compile(tuple(numba.typeof(a) for a in args))
                    self._ready.add(key)
        return self._dispatcher(*args)

    def _compile(self, signature: tuple[Any, ...]) -> None:
        try:  # Numba's internals: a release without them compiles these loops unvectorised (slower, as correct)
            from numba.core import config
            from numba.core.compiler_lock import global_compiler_lock
        except ImportError:
            self._dispatcher.compile(signature)
            return
        with global_compiler_lock:
            before = getattr(config, "SLP_VECTORIZE", 0)
            config.SLP_VECTORIZE = 1
            try:
                self._dispatcher.compile(signature)
            finally:
                config.SLP_VECTORIZE = before


_KERNELS: weakref.WeakSet[VectorisedKernel] = weakref.WeakSet()
"""Every :class:`VectorisedKernel`, for :func:`_after_fork_in_child`."""


# A process forked while another of its threads compiles (multiprocessing's
# "fork" start method, data-loader workers) has only the forking thread: every
# lock that the compiling thread held (Numba's compiler lock, llvmlite's, an
# import's) stays held in the child, whose first compile then waits forever.
# So a fork waits for the compile in flight to end (Numba compiles under its
# global compiler lock, which is taken here before the fork), and the child
# starts with its locks free. (A fork while another thread is halfway through
# an import, of Numba say, is another matter: the child inherits that
# module's import lock, and no hook can free it. Holding a lock of ours
# across the import, and taking it before a fork, deadlocked against the fork
# hooks of modules imported meanwhile, such as logging's.)


def _compiler_lock() -> Any:
    try:
        from numba.core.compiler_lock import global_compiler_lock
    except ImportError:  # Numba's internals moved: nothing known to hold
        return None
    return global_compiler_lock


def _before_fork() -> None:
    lock = _compiler_lock()
    if lock is not None:
        lock.acquire()


def _after_fork_in_parent() -> None:
    lock = _compiler_lock()
    if lock is not None:
        lock.release()


def _after_fork_in_child() -> None:
    for kernel in list(_KERNELS):  # a thread may have been between this lock and the compiler's
        kernel._lock = threading.Lock()
    lock = _compiler_lock()
    if lock is not None:
        lock.release()


if hasattr(os, "register_at_fork"):  # after Numba's import, so before the hooks of what it imported
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)


def _type_key(a: Any) -> Any:
    """What decides Numba's type of an argument, cheaply: an array's dtype, dimensions, layout and
    writability (a read-only or 1-d array is another signature, compiled on its own)."""
    if isinstance(a, np.ndarray):
        return a.dtype, a.ndim, a.flags.c_contiguous, a.flags.f_contiguous, a.flags.writeable
    return type(a)


def tap_offsets(kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Row and column offset of each kernel offset ``k = i*kw + j``, dilation applied."""
    (kh, kw), (dh, dw) = kernel, dilation
    k = np.arange(kh * kw, dtype=np.int64)
    return (k // kw) * dh, (k % kw) * dw



def window_geometry(win: Windows) -> tuple[np.ndarray, np.ndarray, int, int]:
    """:func:`tap_offsets` of `win`, and its strides: what every window loop takes."""
    return *tap_offsets(win.kernel, win.dilation), *win.stride
