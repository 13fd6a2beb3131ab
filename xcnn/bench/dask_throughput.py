"""Throughput on Dask: ``detect_edges`` and a conv-pool-conv forward pass over a generated dask array.

Run ``python -m xcnn.bench.dask_throughput [--gib 4] [--chunk 256] [--json PATH]``.
The images are generated inside each task (``dask.array.random``), so the
array may be far larger than memory and nothing is read from disk; every
result is reduced to one number per chunk, so nothing large is kept either.
Each workload runs:

* in one process on NumPy, chunk after chunk, without Dask (the baseline);
* on a ``distributed.LocalCluster`` of 1 and then 2 worker processes, one
  thread each;
* with chunks 8 times smaller on 2 workers, which gives the overhead per chunk.

Peak memory per worker is the largest resident set a worker process reached
(``resource.getrusage``); the baseline's is measured in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .runner import _cpu_model, _cpus

IMAGE = (256, 256, 1)
"""One generated image: 256x256 grey, float32 (256 KiB)."""


def _weights() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return (rng.standard_normal((3, 3, 1, 8)).astype(np.float32), rng.standard_normal((3, 3, 8, 16)).astype(np.float32))


def conv_pool_conv(x: Any) -> Any:
    """``conv 3x3 (1 -> 8), relu, max pool 2x2, conv 3x3 (8 -> 16)``, padded: ``(m, 256, 256, 1) -> (m, 128, 128, 16)``."""
    from xcnn import functional as F

    w1, w2 = _weights()
    return F.conv2d(F.max_pool2d(F.relu(F.conv2d(x, w1, padding=1)), 2), w2, padding=1)


def edges(x: Any) -> Any:
    from xcnn.filters import detect_edges

    return detect_edges(x)


WORKLOADS: dict[str, Callable[[Any], Any]] = {"detect_edges": edges, "conv-pool-conv": conv_pool_conv}


def _in_one_process(workload: str, n_images: int, chunk: int) -> dict[str, float]:
    """The baseline: the same chunks generated and computed one after another, NumPy only."""
    fn = WORKLOADS[workload]
    start, total = time.perf_counter(), 0.0
    for first in range(0, n_images, chunk):
        rng = np.random.default_rng(first)
        x = rng.random((min(chunk, n_images - first), *IMAGE), dtype=np.float32)
        total += float(fn(x).mean())
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": _peak_mib(), "check": total}


def _baseline(workload: str, n_images: int, chunk: int) -> dict[str, float]:
    code = (
        "import json, sys; from xcnn.bench.dask_throughput import _in_one_process; "
        f"print(json.dumps(_in_one_process({workload!r}, {n_images}, {chunk})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _on_cluster(workload: str, n_images: int, chunk: int, workers: int) -> dict[str, Any]:
    import dask.array as da
    import distributed

    with distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster, distributed.Client(cluster) as client:
        warm = da.random.default_rng(1).random((chunk, *IMAGE), chunks=(chunk, *IMAGE), dtype=np.float32)
        client.compute(WORKLOADS[workload](warm).mean(), sync=True)  # each worker compiles once, untimed
        x = da.random.default_rng(0).random((n_images, *IMAGE), chunks=(chunk, *IMAGE), dtype=np.float32)
        means = WORKLOADS[workload](x).mean(axis=tuple(range(1, 3 if workload == "detect_edges" else 4)))
        start = time.perf_counter()
        client.compute(means.sum(), sync=True)
        seconds = time.perf_counter() - start
        peaks = client.run(_peak_mib)
    return {"seconds": seconds, "peak_mib_per_worker": max(peaks.values()), "chunks": -(-n_images // chunk)}


def run(gib: float, chunk: int) -> dict[str, Any]:
    """Every workload, baseline and cluster sizes; plain data (JSON-ready)."""
    n_images = int(gib * 2**30) // (int(np.prod(IMAGE)) * 4)
    n_images -= n_images % chunk
    rows = []
    for workload in WORKLOADS:
        base = _baseline(workload, n_images, chunk)
        row = {"workload": workload, "images": n_images, "gib": n_images * np.prod(IMAGE) * 4 / 2**30, "numpy": base}
        for workers in (1, 2):
            row[f"workers_{workers}"] = _on_cluster(workload, n_images, chunk, workers)
            print(f"{workload}: {workers} worker(s) {row[f'workers_{workers}']['seconds']:.1f} s", file=sys.stderr)
        small = _on_cluster(workload, n_images, chunk // 8, 2)
        extra = small["chunks"] - row["workers_2"]["chunks"]
        small["overhead_ms_per_chunk"] = 1e3 * (small["seconds"] - row["workers_2"]["seconds"]) * 2 / extra
        row["workers_2_small_chunks"] = small
        rows.append(row)
    cpu = f"{_cpu_model()}, {_cpus()} CPUs"  # the same description `xcnn bench` gives
    return {"cpu": cpu, "python": platform.python_version(), "chunk_images": chunk, "rows": rows}


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"CPU: {report['cpu']}; Python {report['python']}; chunks of {report['chunk_images']} images of 256x256.",
        "",
        "| workload | GiB | NumPy, one process: s (peak MiB) | 1 worker: s (peak MiB) | 2 workers: s (peak MiB) "
        "| 2 workers / NumPy | chunks / 8: overhead per chunk |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["rows"]:
        base, one, two, small = r["numpy"], r["workers_1"], r["workers_2"], r["workers_2_small_chunks"]
        lines.append(
            f"| {r['workload']} | {r['gib']:.1f} | {base['seconds']:.1f} ({base['peak_mib']:.0f}) "
            f"| {one['seconds']:.1f} ({one['peak_mib_per_worker']:.0f}) | {two['seconds']:.1f} ({two['peak_mib_per_worker']:.0f}) "
            f"| {two['seconds'] / base['seconds']:.2f} | {small['overhead_ms_per_chunk']:.1f} ms |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xcnn.bench.dask_throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=4.0, help="size of the generated float32 array (default 4)")
    parser.add_argument("--chunk", type=int, default=256, help="images per chunk (default 256: 64 MiB)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    report = run(args.gib, args.chunk)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    print(to_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
