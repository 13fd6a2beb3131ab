"""The report's rows: one shape timed in xcnn and PyTorch over rounds, and the tutorial's loops against xcnn.

``args`` is :func:`.runner.add_arguments`' parsed options (backend, device,
torch device, repeat, rounds); ``warmup`` the warm-up of every measurement.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from dataclasses import asdict
from types import ModuleType
from typing import Any

import xcnn

from .cases import Case, host_data
from .timing import Warmup, measure_torch, measure_xcnn, peak_bytes, time_loops, xcnn_step

__all__ = ["LOOP_DTYPES", "loop_row", "shape_row"]


def _round(
    case: Case, args: argparse.Namespace, torch: ModuleType | None, torch_first: bool, warmup: Warmup
) -> dict[str, Any]:
    """One round of a shape: xcnn's and PyTorch's medians, timed one right after the other."""
    torch_first = torch_first and torch is not None
    torch_ms = torch_format = None
    if torch_first:
        torch_ms, torch_format = measure_torch(torch, case, args.torch_device, args.repeat, warmup)
    xcnn_ms = measure_xcnn(case, args.backend, args.device, args.repeat, warmup, memory=False)[0]
    if torch is not None and not torch_first:
        torch_ms, torch_format = measure_torch(torch, case, args.torch_device, args.repeat, warmup)
    return {
        "first": "torch" if torch_first else "xcnn",
        "xcnn_ms": xcnn_ms,
        "torch_ms": torch_ms,
        "torch_format": torch_format,
        "ratio": None if torch_ms is None else xcnn_ms / torch_ms,
    }


def shape_row(
    case: Case, args: argparse.Namespace, torch: ModuleType | None, peak_gflops: float, warmup: Warmup
) -> dict[str, Any]:
    """Time one shape in xcnn and PyTorch over ``args.rounds`` rounds; the report's row for it.

    The rounds take turns at going first (xcnn, PyTorch, xcnn, ...), and the
    shape's ratio is the median of the rounds' ratios: each round's two
    medians are timed a moment apart, so a slow spell of a shared machine
    (its memory bandwidth swings by 2x over seconds) lands on both sides of a
    ratio instead of on one (measurements: BENCHMARKS.md, 'Rounds').
    """
    rounds = [_round(case, args, torch, r % 2 == 1, warmup) for r in range(args.rounds)]
    ms = statistics.median(r["xcnn_ms"] for r in rounds)
    row: dict[str, Any] = {"case": case.label, "kind": case.kind, **asdict(case), "xcnn_ms": ms}
    rated = [r for r in rounds if r["ratio"] is not None]
    row["torch_ms"] = statistics.median(r["torch_ms"] for r in rated) if rated else None
    row["torch_format"] = Counter(r["torch_format"] for r in rated).most_common(1)[0][0] if rated else None
    row["ratio"] = statistics.median(r["ratio"] for r in rated) if rated else None
    row["rounds"] = rounds
    row["flops"] = case.flops
    if case.flops is not None:
        row["xcnn_gflops"] = case.flops / (ms * 1e6)
        row["torch_gflops"] = None if row["torch_ms"] is None else case.flops / (row["torch_ms"] * 1e6)
        row["fraction_of_peak"] = row["xcnn_gflops"] / peak_gflops
    with xcnn.use_backend(args.backend, args.device) as selected:
        data = {k: xcnn.asarray(v) for k, v in host_data(case, "float32").items()}
        peak = peak_bytes(xcnn_step(case, data), selected)
    row["peak_bytes"] = peak
    row["workspace_bytes"] = None if peak is None else peak - 4 * case.result_elements
    return row


LOOP_DTYPES = ("float32", "float64")
"""The loops' comparison runs in the suite's dtype and in the tutorial's (its examples are float64)."""


def loop_row(small: Case, realistic: Case, args: argparse.Namespace, dtype: str, warmup: Warmup) -> dict[str, Any]:
    """Loops vs xcnn (NumPy, both in `dtype`) on `small`, and per output element against xcnn on `realistic`."""
    loops_ms = time_loops(small, args.repeat, warmup, dtype)
    xcnn_ms = measure_xcnn(small, "numpy", None, args.repeat, warmup, dtype=dtype, memory=False)[0]
    big_ms = measure_xcnn(realistic, "numpy", None, args.repeat, warmup, dtype=dtype, memory=False)[0]
    loops_ns, xcnn_ns = 1e6 * loops_ms / small.out_elements, 1e6 * big_ms / realistic.out_elements
    return {
        "case": small.label, "dtype": dtype, "loops_ms": loops_ms, "xcnn_ms": xcnn_ms, "speedup": loops_ms / xcnn_ms,
        "realistic_case": realistic.label, "realistic_xcnn_ms": big_ms,
        "loops_ns_per_element": loops_ns, "xcnn_ns_per_element": xcnn_ns,
        "extrapolated_loops_ms": loops_ns * realistic.out_elements / 1e6,
        "per_element_speedup": loops_ns / xcnn_ns,
    }
