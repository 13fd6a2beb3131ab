"""The benchmark report: summary statistics and the markdown rendering."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

__all__ = ["summarize", "to_markdown"]

Row = dict[str, Any]

_MIB = 2.0**20


def _ratio_summary(rows: Sequence[Row], kind: str) -> dict[str, Any] | None:
    rated = [r for r in rows if r["kind"] == kind and r.get("ratio") is not None]
    if not rated:
        return None
    worst = max(rated, key=lambda r: r["ratio"])
    return {
        "geomean_ratio": statistics.geometric_mean(r["ratio"] for r in rated),
        "worst_case": worst["case"],
        "worst_ratio": worst["ratio"],
        "shapes": len(rated),
    }


def summarize(rows: Sequence[Row], peak_gflops: float) -> dict[str, Any]:
    """Geometric means of xcnn / PyTorch per kind, worst shapes, and the best convolution's speed.

    Parameters
    ----------
    rows : sequence of dict
        Per-shape results with keys ``case``, ``kind`` (``"conv"`` or
        ``"pool"``), ``ratio`` (xcnn time / PyTorch time, None without
        PyTorch) and, for convolutions, ``xcnn_gflops``.
    peak_gflops : float
        The measured float32 matrix-multiply speed, GFLOP/s.

    Returns
    -------
    dict
        ``conv`` and ``pool``: ``{geomean_ratio, worst_case, worst_ratio,
        shapes}`` or None when no ratio was measured; ``best_conv``:
        ``{case, gflops, fraction_of_peak}`` or None without convolutions.

    Examples
    --------
    >>> rows = [{"case": "a", "kind": "conv", "ratio": 0.5, "xcnn_gflops": 20.0},
    ...         {"case": "b", "kind": "conv", "ratio": 2.0, "xcnn_gflops": 50.0}]
    >>> s = summarize(rows, peak_gflops=100.0)
    >>> round(s["conv"]["geomean_ratio"], 12), s["conv"]["worst_case"], s["pool"]
    (1.0, 'b', None)
    >>> s["best_conv"]
    {'case': 'b', 'gflops': 50.0, 'fraction_of_peak': 0.5}
    """
    convs = [r for r in rows if r["kind"] == "conv"]
    best = max(convs, key=lambda r: r["xcnn_gflops"], default=None)
    return {
        "conv": _ratio_summary(rows, "conv"),
        "pool": _ratio_summary(rows, "pool"),
        "best_conv": None if best is None else {
            "case": best["case"], "gflops": best["xcnn_gflops"], "fraction_of_peak": best["xcnn_gflops"] / peak_gflops,
        },
    }


def _num(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _times(x: float) -> str:
    return f"{x:,.0f}x" if x >= 10 else f"{x:.2f}x"


def _mib(n_bytes: int | None) -> str:
    return "n/a" if n_bytes is None else f"{n_bytes / _MIB:.1f}"


def _header(meta: dict[str, Any]) -> list[str]:
    env = ", ".join(f"{k}={v if v is not None else 'unset'}" for k, v in meta["env"].items())
    torch = f"torch {meta['torch']}"
    if meta["torch_threads"] is not None:
        torch += f" ({meta['torch_threads']} intra-op threads)"
    gpus = "".join(f"; {where}: {name}" for where, name in meta["gpus"].items())
    machine = (
        f"- machine: {meta['cpu_model']}, {meta['platform']} ({meta['machine']}), cpu_count {meta['cpu_count']}, "
        f"{meta['cpus_available']} available; load average {meta['load_average']} at start, "
        f"{meta['load_average_end']} at end{gpus}"
    )
    return [
        f"- date: {meta['date']}",
        machine,
        f"- xcnn {meta['xcnn']}, Python {meta['python']}, NumPy {meta['numpy']} (BLAS: {meta['blas']}), "
        f"array-api-compat {meta['array_api_compat']}, {torch}" + (f", CuPy {meta['cupy']}" if meta["cupy"] else ""),
        f"- threads: {env}; BLAS pools: {meta['blas_threads']}",
        f"- xcnn backend: {meta['backend']}; PyTorch reference on {meta['torch_device']}"
        + ("; TF32 off" if meta["tf32_off"] else "")
        + (f"; compiled NumPy kernels: {meta['jit']}" if meta.get("jit") else "")
        + (f", register blocks for {meta['isa']}" if meta.get("isa") else ""),
        f"- float32 NHWC, forward + backward, median of {meta['repeat']} runs after at least {meta['warmup']} warm-up"
        f" runs and {meta.get('warmup_seconds', 0):g} s, in each of {meta.get('rounds', 1)} rounds per shape"
        + (" (--quick shapes)" if meta["quick"] else "")
        + (f" (only shapes matching {meta['only']!r})" if meta.get("only") else ""),
    ]


def _conv_table(rows: Sequence[Row], peak_gflops: float) -> list[str]:
    columns = (
        "case", "xcnn ms", "torch ms", "xcnn / torch", "xcnn GFLOP/s", "torch GFLOP/s", "xcnn % of peak",
        "peak MiB", "workspace MiB",
    )
    lines = ["| " + " | ".join(columns) + " |", "|---|" + "---:|" * (len(columns) - 1)]
    for r in rows:
        torch = "torch not installed" if r["torch_ms"] is None else f"{r['torch_ms']:.2f} ({r['torch_format']})"
        lines.append(
            f"| {r['case']} | {r['xcnn_ms']:.2f} | {torch} | {_num(r['ratio'], '.2f')} | {r['xcnn_gflops']:.1f} "
            f"| {_num(r['torch_gflops'], '.1f')} | {100 * r['xcnn_gflops'] / peak_gflops:.0f}% "
            f"| {_mib(r['peak_bytes'])} | {_mib(r['workspace_bytes'])} |"
        )
    return lines


def _pool_table(rows: Sequence[Row]) -> list[str]:
    lines = ["| case | xcnn ms | torch ms | xcnn / torch | peak MiB | workspace MiB |", "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        torch = "torch not installed" if r["torch_ms"] is None else f"{r['torch_ms']:.2f} ({r['torch_format']})"
        lines.append(
            f"| {r['case']} | {r['xcnn_ms']:.2f} | {torch} | {_num(r['ratio'], '.2f')} "
            f"| {_mib(r['peak_bytes'])} | {_mib(r['workspace_bytes'])} |"
        )
    return lines


def _summary_lines(report: dict[str, Any]) -> list[str]:
    summary, peak = report["summary"], report["matmul_peak"]
    lines = []
    for kind, name in (("conv", "convolution"), ("pool", "pooling")):
        s = summary[kind]
        if s is None:
            lines.append(f"- {name}: no PyTorch ratio (PyTorch not installed or no {name} shapes)")
        else:
            lines.append(
                f"- {name}: geometric mean of xcnn / torch over {s['shapes']} shapes **{s['geomean_ratio']:.2f}**; "
                f"worst {s['worst_ratio']:.2f} ({s['worst_case']})"
            )
    lines.append(
        f"- float32 matrix-multiply peak on the xcnn backend ({peak['n']}x{peak['n']} @ {peak['n']}x{peak['n']}, "
        "fastest run): "
        f"**{peak['gflops']:.1f} GFLOP/s**"
    )
    fma = report.get("fma_peak")
    if fma is not None:
        lines.append(
            f"- float32 FMA peak of this CPU, measured ({fma['threads']} threads, {fma['lanes']}-lane {fma['isa']} "
            f"vectors, multiply-adds from registers only): **{fma['gflops']:.1f} GFLOP/s**; the matrix product "
            f"reaches {100 * peak['gflops'] / fma['gflops']:.0f}% of it"
        )
    best = summary["best_conv"]
    if best is not None:
        of_fma = "" if fma is None else f", {100 * best['gflops'] / fma['gflops']:.0f}% of the FMA peak"
        lines.append(
            f"- best convolution: {best['case']}, {best['gflops']:.1f} GFLOP/s = "
            f"**{100 * best['fraction_of_peak']:.0f}%** of the matrix-multiply peak{of_fma}"
        )
    return lines


def _loops_table(loops: Sequence[Row]) -> list[str]:
    lines = [
        "| loops shape | dtype | loops ms | xcnn ms | speed-up | realistic shape | xcnn ms | loops / xcnn per output element |",
        "|---|---|---:|---:|---:|---|---:|---:|",
    ]
    lines += [
        f"| {r['case']} | {r['dtype']} | {r['loops_ms']:.1f} | {r['xcnn_ms']:.3f} | {_times(r['speedup'])} | {r['realistic_case']} "
        f"| {r['realistic_xcnn_ms']:.1f} | {_times(r['per_element_speedup'])} |"
        for r in loops
    ]
    return lines


NOTES = (
    "Notes: `xcnn / torch` is the median over the rounds of each round's ratio of medians (above 1: xcnn is "
    "slower); the rounds take turns at which side goes first; the ms columns are the medians over the rounds. "
    "PyTorch runs "
    "`torch.nn.functional` with autograd in NCHW and channels_last and the faster counts. GFLOP/s counts "
    "forward + backward as 3 x the forward's 2*M*K*N flops (M output pixels, K = kernel area x input channels "
    "per group, N output channels; bias left out). Peak MiB: the most memory allocated at once during one "
    "forward + backward beyond its inputs (NumPy via tracemalloc; CUDA from the memory pool; n/a where the "
    "allocator reports nothing); workspace MiB: that peak less the output and gradients the call returns. "
    "The loops table: the tutorial's loops (`xcnn.bench.loops`) and xcnn, both NumPy, both in the row's dtype (float32, the "
    "suite's; float64, the tutorial's own); the last column is a "
    "per-element extrapolation, not a measurement: the loops' time per output element on the small shape "
    "divided by xcnn's time per output element on the realistic shape (same kernel, stride and channels), "
    "since running the loops on the realistic shape would take minutes."
)


def to_markdown(report: dict[str, Any]) -> str:
    """Render :func:`xcnn.bench.run`'s report: header, tables, summary and notes, as markdown."""
    rows, peak = report["results"], report["matmul_peak"]["gflops"]
    lines = [
        *_header(report["meta"]), "",
        "Convolution, forward + backward:", "",
        *_conv_table([r for r in rows if r["kind"] == "conv"], peak), "",
        "Pooling, forward + backward:", "",
        *_pool_table([r for r in rows if r["kind"] == "pool"]), "",
        *_summary_lines(report), "",
        "Tutorial loops vs xcnn (NumPy backend, forward + backward):", "",
        *_loops_table(report["loops"]), "",
        NOTES,
    ]
    return "\n".join(lines) + "\n"
