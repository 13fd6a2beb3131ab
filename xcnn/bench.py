"""Benchmark xcnn's tutorial API against PyTorch and against the tutorial's loops.

Run ``python -m xcnn.bench [--backend NAME] [--device DEV] [--repeat N] [--quick]
[--json PATH] [--markdown PATH]``. Each case times one forward and one backward
pass (``conv_forward`` + ``conv_backward``, or ``pool_forward`` +
``pool_backward``) on float32 NHWC data: the median over ``--repeat`` runs after
one warm-up. In the same run PyTorch, when importable, does the same work
(``conv2d`` / ``max_pool2d`` / ``avg_pool2d`` with autograd backward, the faster
of NCHW and channels_last) on ``--torch-device`` (default the CPU). A last table
times the tutorial's loops (:mod:`xcnn._loops`, float64) against xcnn on NumPy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

import xcnn
from xcnn import _loops


@dataclass(frozen=True)
class Case:
    """One layer shape: a convolution (``n_c > 0``) or a pooling (``mode`` set)."""

    m: int
    h: int
    w: int
    c: int
    f: int
    stride: int
    pad: int = 0
    n_c: int = 0
    mode: str = ""

    @property
    def label(self) -> str:
        shape = f"({self.m},{self.h},{self.w},{self.c})"
        if self.mode:
            return f"{self.mode} pool {shape} f{self.f} s{self.stride}"
        return f"conv {shape}->{self.n_c} {self.f}x{self.f} s{self.stride} p{self.pad}"


def _pools(m: int, h: int, c: int, sizes: tuple[tuple[int, int], ...]) -> list[Case]:
    return [Case(m, h, h, c, f, s, mode=mode) for mode in ("max", "average") for f, s in sizes]


FULL = [
    Case(64, 32, 32, 16, 3, 1, 1, 32),
    Case(32, 64, 64, 32, 3, 1, 1, 64),
    Case(64, 28, 28, 1, 5, 1, 2, 32),
    Case(64, 32, 32, 32, 3, 2, 1, 32),
    *_pools(32, 64, 32, ((2, 2), (3, 2))),
]
QUICK = [Case(4, 8, 8, 3, 3, 1, 1, 4), Case(4, 8, 8, 3, 3, 2, 0, 4), *_pools(4, 8, 4, ((2, 2), (3, 2)))]
LOOP_CASES = [Case(2, 8, 8, 3, 3, 1, 1, 4), *_pools(2, 8, 3, ((2, 2),))]


def _median_ms(fn: Callable[[], Any], repeat: int, sync: Callable[[], None]) -> float:
    """Median wall time of ``fn()`` in milliseconds, after one warm-up call."""
    fn()
    sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def _no_sync() -> None:
    return None


def _sync_for(backend: str, device: str | None) -> Callable[[], None]:
    """A function that waits for queued GPU work; imports CuPy/PyTorch only when selected."""
    if backend == "cupy":
        import cupy

        return lambda: cupy.cuda.get_current_stream().synchronize()
    if backend == "torch" and device is not None and device.startswith("cuda"):
        import torch

        return torch.cuda.synchronize
    return _no_sync


def _host_data(case: Case, dtype: str, seed: int = 0) -> dict[str, np.ndarray]:
    """Random NHWC inputs and output gradient for `case`."""
    rng = np.random.default_rng(seed)
    data = {"x": rng.standard_normal((case.m, case.h, case.w, case.c))}
    if case.mode:
        out_h, out_w = (case.h - case.f) // case.stride + 1, (case.w - case.f) // case.stride + 1
        data["dy"] = rng.standard_normal((case.m, out_h, out_w, case.c))
    else:
        out_h = (case.h + 2 * case.pad - case.f) // case.stride + 1
        out_w = (case.w + 2 * case.pad - case.f) // case.stride + 1
        data["W"] = rng.standard_normal((case.f, case.f, case.c, case.n_c)) / np.sqrt(case.f * case.f * case.c)
        data["b"] = rng.standard_normal((1, 1, 1, case.n_c))
        data["dy"] = rng.standard_normal((case.m, out_h, out_w, case.n_c))
    return {k: v.astype(dtype) for k, v in data.items()}


def _xcnn_step(case: Case, data: dict[str, Any]) -> Callable[[], Any]:
    """One forward + backward pass through xcnn's tutorial API on arrays `data`."""
    x, dy = data["x"], data["dy"]
    if case.mode:
        hp = {"f": case.f, "stride": case.stride}

        def pool() -> Any:
            _, cache = xcnn.pool_forward(x, hp, mode=case.mode)
            return xcnn.pool_backward(dy, cache, mode=case.mode)

        return pool
    hp = {"stride": case.stride, "pad": case.pad}

    def conv() -> Any:
        _, cache = xcnn.conv_forward(x, data["W"], data["b"], hp)
        return xcnn.conv_backward(dy, cache)

    return conv


def time_xcnn(case: Case, backend: str, device: str | None, repeat: int) -> float:
    """Median ms of forward + backward on `backend`/`device`, float32."""
    with xcnn.use_backend(backend, device):
        data = {k: xcnn.asarray(v) for k, v in _host_data(case, "float32").items()}
        return _median_ms(_xcnn_step(case, data), repeat, _sync_for(backend, device))


def time_torch(case: Case, device: str, repeat: int) -> tuple[float, str]:
    """Median ms of the same work in PyTorch (autograd), best of NCHW and channels_last."""
    import torch
    import torch.nn.functional as F

    host = _host_data(case, "float32")
    sync = torch.cuda.synchronize if device.startswith("cuda") else _no_sync
    best: tuple[float, str] = (float("inf"), "")
    for name, fmt in (("NCHW", torch.contiguous_format), ("channels_last", torch.channels_last)):
        def nchw(a: np.ndarray) -> Any:
            t = torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2))).to(device)
            return t.contiguous(memory_format=fmt)

        x, dy = nchw(host["x"]).requires_grad_(), nchw(host["dy"])
        if case.mode:
            pool = F.max_pool2d if case.mode == "max" else F.avg_pool2d
            params = [x]

            def forward() -> Any:
                return pool(x, case.f, case.stride)
        else:
            w = torch.from_numpy(host["W"].transpose(3, 2, 0, 1).copy()).to(device)
            w = w.contiguous(memory_format=fmt).requires_grad_()
            b = torch.from_numpy(host["b"].reshape(-1)).to(device).requires_grad_()
            params = [x, w, b]

            def forward() -> Any:
                return F.conv2d(x, w, b, stride=case.stride, padding=case.pad)

        def step() -> None:
            for p in params:
                p.grad = None
            forward().backward(dy)

        best = min(best, (_median_ms(step, repeat, sync), name))
    return best


def _loop_step(case: Case, host: dict[str, np.ndarray]) -> Callable[[], Any]:
    x, dy = host["x"], host["dy"]
    if case.mode:
        return lambda: (
            _loops.pool_forward_loops(x, case.f, case.stride, case.mode),
            _loops.pool_backward_loops(dy, x, case.f, case.stride, case.mode),
        )
    return lambda: (
        _loops.conv_forward_loops(x, host["W"], host["b"], case.stride, case.pad),
        _loops.conv_backward_loops(dy, x, host["W"], case.stride, case.pad),
    )


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Time every case; return the results and the run's metadata as plain data."""
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(_cpus())
    with xcnn.use_backend(args.backend, args.device) as selected:
        backend_label = str(selected)
    meta = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_available": _cpus(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "array_api_compat": _version("array-api-compat"),
        "torch": torch.__version__ if torch is not None else "not installed",
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "backend": backend_label,
        "torch_device": args.torch_device,
        "repeat": args.repeat,
        "quick": args.quick,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS")},
    }
    rows = []
    for case in QUICK if args.quick else FULL:
        ms = time_xcnn(case, args.backend, args.device, args.repeat)
        row: dict[str, Any] = {"case": case.label, **asdict(case), "xcnn_ms": ms}
        if torch is not None:
            row["torch_ms"], row["torch_format"] = time_torch(case, args.torch_device, args.repeat)
            row["ratio"] = ms / row["torch_ms"]
        rows.append(row)
    loops = []
    for case in LOOP_CASES:
        loop_ms = _median_ms(_loop_step(case, _host_data(case, "float64")), args.repeat, _no_sync)
        with xcnn.use_backend("numpy"):
            vec_ms = _median_ms(_xcnn_step(case, _host_data(case, "float64")), args.repeat, _no_sync)
        loops.append({"case": case.label, "loops_ms": loop_ms, "xcnn_ms": vec_ms, "speedup": loop_ms / vec_ms})
    return {"meta": meta, "results": rows, "loops": loops}


def to_markdown(report: dict[str, Any]) -> str:
    """Render :func:`run`'s report as a markdown header and two tables."""
    meta = report["meta"]
    env = ", ".join(f"{k}={v if v is not None else 'unset'}" for k, v in meta["env"].items())
    lines = [
        f"- date: {meta['date']}",
        f"- machine: {meta['platform']} ({meta['machine']}), cpu_count {meta['cpu_count']}, "
        f"{meta['cpus_available']} available",
        f"- Python {meta['python']}, NumPy {meta['numpy']}, array-api-compat {meta['array_api_compat']}, "
        f"torch {meta['torch']}" + (f" ({meta['torch_threads']} threads)" if meta["torch_threads"] else ""),
        f"- xcnn backend: {meta['backend']}; PyTorch reference on {meta['torch_device']}",
        f"- float32 NHWC, forward + backward, median of {meta['repeat']} after 1 warm-up"
        + (" (--quick shapes)" if meta["quick"] else ""),
        f"- environment: {env}",
        "",
        "| case | xcnn ms | torch ms | xcnn / torch |",
        "|---|---:|---:|---:|",
    ]
    for r in report["results"]:
        if "torch_ms" in r:
            lines.append(f"| {r['case']} | {r['xcnn_ms']:.2f} | {r['torch_ms']:.2f} ({r['torch_format']}) "
                         f"| {r['ratio']:.2f} |")
        else:
            lines.append(f"| {r['case']} | {r['xcnn_ms']:.2f} | torch not installed | - |")
    lines += [
        "",
        "Tutorial loops (`xcnn._loops`) vs xcnn, NumPy backend, float64, forward + backward:",
        "",
        "| case | loops ms | xcnn ms | speed-up |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {r['case']} | {r['loops_ms']:.2f} | {r['xcnn_ms']:.3f} | {r['speedup']:.0f}x |"
              for r in report["loops"]]
    return "\n".join(lines) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options (shared by ``python -m xcnn.bench`` and ``xcnn bench``)."""
    parser.add_argument("--backend", default="numpy", help="xcnn backend (numpy, torch, cupy, array_api_strict)")
    parser.add_argument("--device", default=None, help="device for the xcnn backend, e.g. cpu or cuda:0")
    parser.add_argument("--torch-device", default="cpu", help="device of the PyTorch reference (default cpu)")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per case (default 10)")
    parser.add_argument("--quick", action="store_true", help="tiny shapes, for a smoke test")
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON")
    parser.add_argument("--markdown", metavar="PATH", help="also write the markdown tables")


def run_command(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed options, print the tables; returns the exit status."""
    if args.repeat < 1:
        print("error: --repeat must be >= 1", file=sys.stderr)
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


if __name__ == "__main__":
    raise SystemExit(main())
