"""Per-sample work on every core, for NumPy.

NumPy runs each operation on one core and releases the GIL while it runs, so
shares of the samples computed in threads of their own use the other cores too
(and each share fits the cache better; measurements: BENCHMARKS.md, "Why each
path exists"). Matrix products are left alone: BLAS threads them already.

``XCNN_NUM_THREADS`` sets the number of threads (default: the cores this
process may use; 1 turns the splitting off).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

__all__ = ["in_thread_shares", "over_samples", "summed_over_thread_shares", "thread_count"]

MIN_BYTES = 1 << 20
"""Below this much data (the largest array the work reads or writes) a thread hand-off costs more than it saves."""


@functools.cache
def thread_count() -> int:
    """Threads for per-sample work: ``XCNN_NUM_THREADS``, else the usable cores."""
    raw = os.environ.get("XCNN_NUM_THREADS", "").strip()
    if raw:
        try:
            count = int(raw)
        except ValueError:
            count = 0
        if count < 1:
            msg = f"XCNN_NUM_THREADS must be an integer >= 1, got {raw!r}"
            raise ValueError(msg)
        return count
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@functools.cache
def _executor(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="xcnn")


# A forked child inherits the pool but not its threads: work handed to it would
# wait forever (multiprocessing's "fork" start method, data-loader workers).
# The child starts a pool of its own instead.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_executor.cache_clear)


_worker = threading.local()


def _run_marked(run: Callable[[slice], Any], share: slice) -> Any:
    _worker.busy = True
    try:
        return run(share)
    finally:
        _worker.busy = False


def in_thread_shares(m: int, nbytes: int, run: Callable[[slice], Any]) -> list[Any]:
    """``[run(share) for share in shares of range(m)]``, the shares in parallel threads where that pays.

    `run` must only touch its own samples (it may write into slices of a
    shared output). Threads are used for at least :data:`MIN_BYTES` of
    data (`nbytes`: the largest array the work reads or writes) and never
    from inside one of these threads (a nested call runs in its caller's
    thread: waiting on the same pool could deadlock it).
    """
    workers = min(thread_count(), m)
    if workers < 2 or nbytes < MIN_BYTES or getattr(_worker, "busy", False):
        return [run(slice(0, m))]
    step = -(-m // workers)
    first, *others = [slice(i, min(i + step, m)) for i in range(0, m, step)]
    # The calling thread takes the first share rather than wait idle for the pool's: one thread
    # fewer to wake per call (tens of microseconds each on a 2-core virtual machine; measurements:
    # BENCHMARKS.md, 'Average-pool gradient in memory order').
    pending = [_executor(workers - 1).submit(_run_marked, run, share) for share in others]
    try:
        mine = _run_marked(run, first)
    finally:
        done = [future.result() for future in pending]  # never leave a share running past a failure here
    return [mine, *done]


def summed_over_thread_shares(m: int, nbytes: int, run: Callable[[slice], tuple[Any, ...]]) -> tuple[Any, ...]:
    """:func:`in_thread_shares` for a `run` that returns totals over its samples (weight and bias
    gradients): the shares' totals, added position by position."""
    parts = in_thread_shares(m, nbytes, run)
    return tuple(functools.reduce(lambda a, b: a + b, totals) for totals in zip(*parts))


def over_samples(fn: Callable[..., Any], arrays: Sequence[np.ndarray], *, summed: tuple[int, ...] = ()) -> Any:
    """``fn(*arrays)``, on shares of the samples (axis 0) in parallel threads where that pays.

    `fn` must treat samples independently and return an array, or a tuple of
    arrays, with one entry per sample along axis 0; results whose positions
    are in `summed` are instead totals over the samples (a weight gradient),
    and the shares' totals are added. Threads are used for NumPy arrays of at
    least :data:`MIN_BYTES`; otherwise this is just ``fn(*arrays)``. (The
    compiled kernels split the samples themselves, into one output, with no
    copy to join the shares: this is for the array-API code on NumPy.)
    """
    nbytes = getattr(arrays[0], "nbytes", 0)
    parts = in_thread_shares(arrays[0].shape[0], nbytes, lambda share: fn(*(a[share] for a in arrays)))
    if len(parts) == 1:
        return parts[0]
    if not isinstance(parts[0], tuple):
        return np.concatenate(parts, axis=0)
    joined = []
    for k, pieces in enumerate(zip(*parts)):
        total = functools.reduce(lambda a, b: a + b, pieces) if k in summed else None
        joined.append(total if total is not None else np.concatenate(pieces, axis=0))
    return tuple(joined)
