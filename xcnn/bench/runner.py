"""Benchmark xcnn's convolution and pooling against PyTorch and against the tutorial's loops.

The program behind ``python -m xcnn.bench`` and ``xcnn bench``: options,
machine metadata, the timing loop over the suite and the report's files.
Run ``python -m xcnn.bench`` (or ``xcnn bench``) with ``[--backend NAME]
[--device DEV] [--torch-device DEV] [--repeat N] [--rounds N] [--warmup N] [--warmup-seconds S] [--quick]
[--json PATH] [--markdown PATH]``. Each shape of the fixed suite
(:data:`FULL`, float32 NHWC) is timed as one forward and one backward pass
through :mod:`xcnn.functional` (``conv2d`` + ``conv2d_backward``,
``max_pool2d``/``avg_pool2d`` + their backwards): the median of ``--repeat``
runs after ``--warmup`` runs and ``--warmup-seconds``, synchronizing CUDA devices before each clock
read. In the same run PyTorch, when importable, does the same work on
``--torch-device`` (default: the xcnn backend's CUDA device when it has one,
else the CPU; the faster of NCHW and channels_last), in ``--rounds``
rounds that take turns at which side goes first. The report gives
per shape the times, the median of the rounds' ratios, achieved GFLOP/s next to the measured
float32 matrix-multiply peak, peak memory; the geometric-mean ratio and worst
shape for convolution and for pooling; and the tutorial's loops
(:mod:`xcnn.bench.loops`) against xcnn, measured on a small shape and extrapolated
per output element to a realistic one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np

import xcnn

from .._backends.numpy.numba import available as _jit
from ..backend import _device_label, installed_version
from .cases import FULL, LOOP_PAIRS, QUICK, QUICK_LOOP_PAIRS, Case
from .report import summarize, to_markdown
from .rows import LOOP_DTYPES, loop_row, shape_row
from .timing import Warmup, matmul_peak

__all__ = [
    "FULL",
    "QUICK",
    "Case",
    "add_arguments",
    "main",
    "only_problem",
    "run",
    "run_command",
    "summarize",
    "to_markdown",
]

MATMUL_N, CUDA_MATMUL_N, QUICK_MATMUL_N = 2048, 8192, 256
"""Side of the square float32 matrix product that measures the peak (full run, on CUDA, ``--quick``).

On a GPU a 2048-cube product is mostly launch and ramp-up; 8192 keeps it busy
long enough to read its real rate (measurements: BENCHMARKS.md, 'Why each path exists').
"""


def _import_torch() -> ModuleType | None:
    """PyTorch if installed, else None: the reference columns are optional."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def _cupy_version() -> str:
    import cupy

    return str(cupy.__version__)


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def _blas() -> tuple[str, str]:
    """NumPy's BLAS library, and its thread pools (from threadpoolctl, if installed)."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name = f"{blas['name']} {blas.get('version', '')}".strip()
    except (TypeError, KeyError):  # NumPy < 1.26 has no mode="dicts"
        name = "unknown"
    try:
        import threadpoolctl
    except ImportError:
        return name, "unknown (threadpoolctl not installed)"
    pools = threadpoolctl.threadpool_info()
    return name, ", ".join(f"{p['internal_api']} {p['num_threads']}" for p in pools) or "none"


def _gpu_names(selected: xcnn.Backend, torch: ModuleType | None, torch_device: str) -> dict[str, str]:
    """Names of the CUDA devices in use, keyed by who uses them."""
    names = {}
    if array_api_compat.is_cupy_namespace(selected.xp):
        import cupy

        props = cupy.cuda.runtime.getDeviceProperties(selected.device.id)
        names["xcnn device"] = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    elif torch is not None and array_api_compat.is_torch_namespace(selected.xp) and selected.device.type == "cuda":
        names["xcnn device"] = torch.cuda.get_device_name(selected.device)
    if torch is not None and torch_device.startswith("cuda"):
        names["torch device"] = torch.cuda.get_device_name(torch.device(torch_device))
    return names


def _uses_cuda(selected: xcnn.Backend, torch_device: str) -> bool:
    return torch_device.startswith("cuda") or array_api_compat.is_cupy_namespace(selected.xp) or (
        array_api_compat.is_torch_namespace(selected.xp) and selected.device.type == "cuda"
    )


def _default_torch_device(selected: xcnn.Backend) -> str:
    """PyTorch's reference device when none is given: xcnn's own CUDA device, else the CPU."""
    label = _device_label(selected.device)
    return label if label.startswith("cuda") else "cpu"


def _progress(text: str) -> None:
    """One line on stderr per finished step, so a long run shows where it is."""
    print(text, file=sys.stderr, flush=True)


def _check_torch_device(torch: ModuleType, device: str) -> None:
    """Reject a ``--torch-device`` PyTorch cannot use here, before any timing."""
    try:
        kind = torch.device(device).type
    except RuntimeError:
        kind = None
    if kind not in ("cpu", "cuda"):
        msg = f"--torch-device must be cpu, cuda or cuda:N, got {device!r}"
        raise ValueError(msg)
    if kind == "cuda" and not torch.cuda.is_available():
        msg = f"--torch-device {device!r} is not available: the installed PyTorch sees no CUDA device"
        raise ValueError(msg)


def _tf32_off(torch: ModuleType) -> None:
    """Full float32 in PyTorch's CUDA matrix products and cuDNN convolutions (CuPy's default is off)."""
    if hasattr(torch.backends.cuda.matmul, "fp32_precision"):
        torch.backends.cuda.matmul.fp32_precision = "ieee"
        torch.backends.cudnn.conv.fp32_precision = "ieee"
    else:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False


def _metadata(args: argparse.Namespace, selected: xcnn.Backend, torch: ModuleType | None) -> dict[str, Any]:
    blas, blas_threads = _blas()
    threads = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "CUPY_TF32")
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_available": _cpus(),
        "load_average": _load_average(),
        "gpus": _gpu_names(selected, torch, args.torch_device),
        "python": platform.python_version(),
        "xcnn": xcnn.__version__,
        "numpy": np.__version__,
        "blas": blas,
        "blas_threads": blas_threads,
        "array_api_compat": installed_version("array-api-compat"),
        "torch": torch.__version__ if torch is not None else "not installed",
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "cupy": _cupy_version() if array_api_compat.is_cupy_namespace(selected.xp) else None,
        "jit": _jit.status() if array_api_compat.is_numpy_namespace(selected.xp) else None,
        "isa": _jit.isa_status() if array_api_compat.is_numpy_namespace(selected.xp) else None,
        "env": {k: os.environ.get(k) for k in threads},
        "backend": str(selected),
        "torch_device": args.torch_device,
        "tf32_off": _uses_cuda(selected, args.torch_device),
        "repeat": args.repeat,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "warmup_seconds": _warmup(args).seconds,
        "quick": args.quick,
        "only": args.only,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Time every shape; return the results and the run's metadata as plain data (JSON-ready).

    Returns
    -------
    dict
        ``meta`` (machine, versions, date, threads, settings), ``matmul_peak``
        (``n``, ``ms``, ``gflops``), ``results`` (one dict per shape),
        ``summary`` (see :func:`summarize`) and ``loops``.
    """
    torch = _import_torch()
    if args.rounds is None:
        args.rounds = 1 if args.quick else ROUNDS
    with xcnn.use_backend(args.backend, args.device) as selected:
        pass  # an unknown backend or device fails here, before any timing
    if args.torch_device is None:
        args.torch_device = _default_torch_device(selected)
    if torch is not None:
        _check_torch_device(torch, args.torch_device)
        torch.set_num_threads(_cpus())
        if _uses_cuda(selected, args.torch_device):
            _tf32_off(torch)
    meta = _metadata(args, selected, torch)
    cases, loop_pairs, n = (QUICK, QUICK_LOOP_PAIRS, QUICK_MATMUL_N) if args.quick else (FULL, LOOP_PAIRS, MATMUL_N)
    problem = only_problem(args)
    if problem is not None:
        raise ValueError(problem)
    if args.only:
        cases = [c for c in cases if args.only in c.label]
        loop_pairs = [(small, big) for small, big in loop_pairs if args.only in big.label]
    if not args.quick and _uses_cuda(selected, "cpu"):
        n = CUDA_MATMUL_N
    peak = matmul_peak(n, args.backend, args.device, args.repeat, _warmup(args))
    _progress(f"matmul peak {peak['gflops']:.1f} GFLOP/s ({n}x{n}, float32)")
    fma = _fma_peak(selected)
    if fma is not None:
        _progress(f"FMA peak {fma['gflops']:.1f} GFLOP/s ({fma['threads']} threads, {fma['isa']} vectors)")
    rows = []
    for case in cases:
        rows.append(shape_row(case, args, torch, peak["gflops"], _warmup(args)))
        ratio = rows[-1]["ratio"]
        _progress(f"{case.label}: xcnn {rows[-1]['xcnn_ms']:.3f} ms" + ("" if ratio is None else f", x{ratio:.2f} PyTorch"))
    loops = []
    for small, realistic in loop_pairs:
        for dtype in LOOP_DTYPES:
            loops.append(loop_row(small, realistic, args, dtype, _warmup(args)))
            _progress(f"loops {small.label} {dtype}: x{loops[-1]['speedup']:.0f} measured")
    meta["load_average_end"] = _load_average()
    return {"meta": meta, "matmul_peak": peak, "fma_peak": fma, "results": rows,
            "summary": summarize(rows, peak["gflops"]), "loops": loops}


def _fma_peak(selected: Any) -> dict[str, Any] | None:
    """The CPU's float32 multiply-add peak, measured (:mod:`xcnn._backends.numpy.numba.fma_peak`), where
    the backend is NumPy with its compiled loops; None elsewhere."""
    if not array_api_compat.is_numpy_namespace(selected.xp) or not _jit.status().startswith("on"):
        return None
    from .._backends.numpy.numba.fma_peak import fma_peak

    return fma_peak()


ROUNDS = 3
"""Default rounds per shape (1 with ``--quick``), see :func:`.rows.shape_row`."""

WARMUP_SECONDS = 0.25
"""Default floor on the warm-up time of each measurement (none with ``--quick``), see :class:`Warmup`."""


def _warmup(args: argparse.Namespace) -> Warmup:
    seconds = args.warmup_seconds
    if seconds is None:
        seconds = 0.0 if args.quick else WARMUP_SECONDS
    return Warmup(args.warmup, seconds)


def only_problem(args: argparse.Namespace) -> str | None:
    """Why ``--only`` selects no shape (naming the shapes there are), or None."""
    if not args.only:
        return None
    cases, loop_pairs = (QUICK, QUICK_LOOP_PAIRS) if args.quick else (FULL, LOOP_PAIRS)
    labels = [c.label for c in cases]
    if any(args.only in label for label in labels + [big.label for _, big in loop_pairs]):
        return None
    return f"--only {args.only!r} matches no shape{' of --quick' if args.quick else ''}; the shapes: " + "; ".join(labels)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options (shared by ``python -m xcnn.bench`` and ``xcnn bench``)."""
    parser.add_argument("--backend", default="numpy", help="xcnn backend (numpy, torch, cupy, array_api_strict)")
    parser.add_argument("--device", default=None, help="device for the xcnn backend, e.g. cpu or cuda:0")
    parser.add_argument(
        "--torch-device", default=None,
        help="device of the PyTorch reference (default: the xcnn backend's CUDA device if it has one, else cpu)",
    )
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per case (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs before timing (default 2)")
    parser.add_argument(
        "--warmup-seconds", type=float, default=None, metavar="S",
        help=f"keep warming up for at least S seconds (default {WARMUP_SECONDS}, 0 with --quick): "
        "thread pools left spinning by the previous measurement go quiet first",
    )
    parser.add_argument(
        "--rounds", type=int, default=None, metavar="N",
        help=f"rounds per shape, xcnn and PyTorch taking turns at going first; the ratio is the rounds' median "
        f"(default {ROUNDS}, 1 with --quick)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny shapes, for a smoke test")
    parser.add_argument(
        "--only", metavar="TEXT", default=None,
        help="time only the shapes whose label contains TEXT, e.g. 'max pool' or '3x3 s2'",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON")
    parser.add_argument("--markdown", metavar="PATH", help="also write the markdown report")


def run_command(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed options, print the markdown report; returns the exit status."""
    for name in ("repeat", "rounds", "warmup", "warmup_seconds"):
        minimum = 1 if name in ("repeat", "rounds") else 0
        value = getattr(args, name)
        if value is not None and value < minimum:
            print(f"error: --{name.replace('_', '-')} must be >= {minimum}, got {value}", file=sys.stderr)
            return 2
    try:
        report = run(args)
    except (ValueError, xcnn.BackendUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = to_markdown(report)
    print(text, end="")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m xcnn.bench", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_command(parser.parse_args(argv))
