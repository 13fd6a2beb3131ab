"""Clocks and meters: median wall time, peak memory, the matrix-multiply peak.

xcnn runs through :mod:`xcnn.functional` (``conv2d`` + ``conv2d_backward``,
``max_pool2d``/``avg_pool2d`` + their backwards), PyTorch through
``torch.nn.functional`` and autograd, the tutorial's loops through
:mod:`xcnn.bench.loops`. CuPy and PyTorch are imported only when selected.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any, NamedTuple

import array_api_compat
import numpy as np

import xcnn
from xcnn import functional as F
from xcnn.backend import Backend, device_context

from . import loops as _loops
from .cases import Case, host_data

__all__ = [
    "Warmup", "matmul_peak", "measure_torch", "measure_xcnn", "median_ms", "peak_bytes", "time_loops", "xcnn_step",
]

Step = Callable[[], Any]


class Warmup(NamedTuple):
    """Untimed runs before timing: at least `runs` of them (and at least one), for at least `seconds`
    after the first.

    The time floor lets thread pools that the previous measurement left
    spinning go quiet first: OpenBLAS keeps its threads busy-waiting for a
    while after a product, and on 2 cores they took a core from the next
    step's threads (measurements: BENCHMARKS.md, 'Why each path exists').
    """

    runs: int
    seconds: float = 0.0


def median_ms(
    fn: Step, repeat: int, warmup: Warmup, sync: Callable[[], None], statistic: Callable[[list[float]], float] = statistics.median
) -> float:
    """Median (or another `statistic`) wall time of ``fn()`` in milliseconds over `repeat` runs, after the `warmup` runs.

    ``sync()`` runs before each clock read, so queued GPU work is counted.
    """
    fn()  # may compile, or load compiled kernels from the cache
    # The time floor starts after that first call: counted from before it, a slow first call used
    # the floor up and the timed runs began while the calls were still settling (measurements:
    # BENCHMARKS.md, 'Rounds').
    started, done = time.perf_counter(), 1
    while done < warmup.runs or time.perf_counter() - started < warmup.seconds:
        fn()
        done += 1
    sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return 1e3 * statistic(times)


def _no_sync() -> None:
    return None


def _sync_for(backend: Backend) -> Callable[[], None]:
    """A function that waits for the backend's queued GPU work (nothing to wait for on a CPU)."""
    if array_api_compat.is_cupy_namespace(backend.xp):
        return backend.device.synchronize  # the whole device, whichever device is current
    if array_api_compat.is_torch_namespace(backend.xp) and backend.device.type == "cuda":
        import torch

        return lambda: torch.cuda.synchronize(backend.device)
    return _no_sync


_POOLS = {"max": (F.max_pool2d, F.max_pool2d_backward), "average": (F.avg_pool2d, F.avg_pool2d_backward)}


def xcnn_step(case: Case, data: dict[str, Any]) -> Step:
    """One forward + backward through :mod:`xcnn.functional`; the step returns every result."""
    x, dy = data["x"], data["dy"]
    if case.mode:
        forward, backward = _POOLS[case.mode]
        return lambda: (forward(x, case.f, stride=case.stride), backward(dy, x, case.f, stride=case.stride))
    w, b = data["W"], data["b"]
    options = {"stride": case.stride, "padding": case.pad, "groups": case.groups}
    return lambda: (F.conv2d(x, w, b, **options), *F.conv2d_backward(dy, x, w, **options))


def peak_bytes(step: Step, backend: Backend) -> int | None:
    """Peak bytes allocated while ``step()`` runs, beyond what existed before; None where not measurable.

    NumPy (and array_api_strict, which wraps it) reports its data buffers to
    :mod:`tracemalloc`; the CuPy memory pool's high-water mark is read after
    emptying its cache (an upper bound: blocks are rounded up); PyTorch on
    CUDA keeps its own peak counter. PyTorch's CPU allocator reports nothing.
    """
    xp, device = backend.xp, backend.device
    if array_api_compat.is_numpy_namespace(xp) or array_api_compat.is_array_api_strict_namespace(xp):
        tracing = tracemalloc.is_tracing()  # someone else's tracing (python -X tracemalloc) stays on
        if not tracing:
            tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            step()
            return tracemalloc.get_traced_memory()[1] - before
        finally:
            if not tracing:
                tracemalloc.stop()
    if array_api_compat.is_cupy_namespace(xp):
        import cupy

        with device_context(xp, device):
            pool = cupy.get_default_memory_pool()
            device.synchronize()
            pool.free_all_blocks()
            before = pool.used_bytes()
            step()
            device.synchronize()
            return int(pool.total_bytes()) - int(before)
    if array_api_compat.is_torch_namespace(xp) and device.type == "cuda":
        import torch

        torch.cuda.synchronize(device)
        before = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        step()
        torch.cuda.synchronize(device)
        return int(torch.cuda.max_memory_allocated(device)) - int(before)
    return None


def measure_xcnn(
    case: Case, backend: str, device: str | None, repeat: int, warmup: Warmup, *, dtype: str = "float32",
    memory: bool = True,
) -> tuple[float, int | None]:
    """Median ms of forward + backward on `backend`/`device`, and its peak extra bytes.

    Returns
    -------
    ms : float
        Median wall time of one forward + backward.
    peak : int or None
        Peak bytes allocated during one (untimed) forward + backward beyond
        the inputs, outputs and gradients included; None if not measured or
        not measurable on this backend.
    """
    with xcnn.use_backend(backend, device) as selected:
        data = {k: xcnn.asarray(v) for k, v in host_data(case, dtype).items()}
        step = xcnn_step(case, data)
        ms = median_ms(step, repeat, warmup, _sync_for(selected))
        return ms, (peak_bytes(step, selected) if memory else None)


def _torch_step(torch: Any, case: Case, host: dict[str, np.ndarray], device: str, fmt: Any) -> Step:
    """Forward + autograd backward in PyTorch, NCHW tensors in memory format `fmt`."""
    tf = torch.nn.functional

    def tensor(a: np.ndarray, axes: tuple[int, ...]) -> Any:
        return torch.from_numpy(np.ascontiguousarray(a.transpose(axes))).to(device).contiguous(memory_format=fmt)

    x, dy = tensor(host["x"], (0, 3, 1, 2)).requires_grad_(), tensor(host["dy"], (0, 3, 1, 2))
    if case.mode:
        pool = tf.max_pool2d if case.mode == "max" else tf.avg_pool2d

        def step() -> None:
            x.grad = None
            pool(x, case.f, case.stride).backward(dy)

        return step
    w = tensor(host["W"], (3, 2, 0, 1)).requires_grad_()  # (n_c, c/groups, f, f)
    b = torch.from_numpy(host["b"]).to(device).requires_grad_()

    def step() -> None:
        x.grad = w.grad = b.grad = None
        tf.conv2d(x, w, b, stride=case.stride, padding=case.pad, groups=case.groups).backward(dy)

    return step


def measure_torch(torch: Any, case: Case, device: str, repeat: int, warmup: Warmup) -> tuple[float, str]:
    """Median ms of the same work in PyTorch; the faster of NCHW and channels_last.

    Returns
    -------
    ms : float
    memory_format : str
        ``"NCHW"`` or ``"channels_last"``, whichever was faster.
    """
    host = host_data(case, "float32")
    sync = (lambda: torch.cuda.synchronize(device)) if device.startswith("cuda") else _no_sync
    formats = (("NCHW", torch.contiguous_format), ("channels_last", torch.channels_last))
    return min(
        (median_ms(_torch_step(torch, case, host, device, fmt), repeat, warmup, sync), name) for name, fmt in formats
    )


def time_loops(case: Case, repeat: int, warmup: Warmup, dtype: str = "float64") -> float:
    """Median ms of the tutorial's loops (:mod:`xcnn.bench.loops`) forward + backward on `case`, arrays in `dtype`."""
    host = host_data(case, dtype)
    x, dy = host["x"], host["dy"]
    if case.mode:
        def step() -> Any:
            return (
                _loops.pool_forward_loops(x, case.f, case.stride, case.mode),
                _loops.pool_backward_loops(dy, x, case.f, case.stride, case.mode),
            )
    else:
        b = host["b"].reshape(1, 1, 1, -1)

        def step() -> Any:
            return (
                _loops.conv_forward_loops(x, host["W"], b, case.stride, case.pad),
                _loops.conv_backward_loops(dy, x, host["W"], case.stride, case.pad),
            )
    return median_ms(step, repeat, warmup, _no_sync)


def matmul_peak(n: int, backend: str, device: str | None, repeat: int, warmup: Warmup) -> dict[str, float]:
    """The backend's float32 matrix-multiply speed: an ``(n, n) @ (n, n)`` product, ``2*n**3`` flops.

    A peak is what the machine can do, so this takes the fastest run, not
    the median: on a shared machine one busy moment would otherwise lower
    it and push the "% of peak" of every shape up.

    Returns
    -------
    dict
        ``n``, ``ms`` (fastest run) and ``gflops`` (GFLOP/s).
    """
    rng = np.random.default_rng(1)
    with xcnn.use_backend(backend, device) as selected:
        a, b = (xcnn.asarray(rng.standard_normal((n, n)), dtype="float32") for _ in range(2))
        ms = median_ms(lambda: selected.xp.matmul(a, b), repeat, warmup, _sync_for(selected), statistic=min)
    return {"n": n, "ms": ms, "gflops": 2 * n**3 / (ms * 1e6)}
