"""Where xcnn's time goes on a CUDA device: per benchmark shape, wall time,
kernel time and kernel count per forward + backward, the costliest kernels,
and the effect of the workspace limit.

Usage: python scripts/gpu_profile.py [BACKEND] [DEVICE] [--cpu]   (default: cupy cuda:0)
With ``--cpu``, also the host-side Python profile (cProfile) of a few shapes:
where the time goes between kernel launches.
Needs PyTorch with CUDA: its profiler (CUPTI) records every kernel in the
process, CuPy's too.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import pstats
import statistics
import sys
import time

from torch.profiler import ProfilerActivity, profile

import xcnn
from xcnn.bench.cases import FULL, host_data
from xcnn.bench.timing import _sync_for, _xcnn_step


def _device_us(event) -> float:
    return getattr(event, "device_time_total", None) or getattr(event, "cuda_time_total", 0.0)


@contextlib.contextmanager
def warm_step(case, backend: str, device: str):
    """``(step, sync)`` for one forward + backward of `case` on the backend, after three warm-up runs."""
    with xcnn.use_backend(backend, device) as selected:
        data = {k: xcnn.asarray(v) for k, v in host_data(case, "float32").items()}
        step, sync = _xcnn_step(case, data), _sync_for(selected)
        for _ in range(3):
            step()
        sync()
        yield step, sync


def profile_case(case, backend: str, device: str, workspace: int, repeat: int = 5) -> str:
    """Wall time, kernel time and launches per step, and the costliest kernels."""
    xcnn.set_workspace_limit(workspace)
    with warm_step(case, backend, device) as (step, sync):
        times = []
        for _ in range(10):
            start = time.perf_counter()
            step()
            sync()
            times.append(time.perf_counter() - start)
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(repeat):
                step()
            sync()
    kernels = [e for e in prof.key_averages() if _device_us(e) > 0]
    gpu_ms = sum(_device_us(e) for e in kernels) / repeat / 1e3
    count = sum(e.count for e in kernels) / repeat
    top = sorted(kernels, key=_device_us, reverse=True)[:6]
    lines = [
        f"{case.label} | ws {workspace >> 20} MiB | wall {1e3 * statistics.median(times):.3f} ms"
        f" | kernels {gpu_ms:.3f} ms in {count:.0f} launches"
    ]
    lines += [f"    {_device_us(e) / repeat / 1e3:7.3f} ms x{e.count / repeat:4.0f}  {e.key[:110]}" for e in top]
    return "\n".join(lines)


def host_profile(case, backend: str, device: str, repeat: int = 50) -> str:
    """cProfile of `repeat` forward + backward steps: the host functions that cost the most."""
    with warm_step(case, backend, device) as (step, sync):
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            step()
        sync()
        profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(22)
    return f"host profile of {case.label}, {repeat} steps\n" + text.getvalue()[-4500:]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    backend = args[0] if args else "cupy"
    device = args[1] if len(args) > 1 else "cuda:0"
    if "--cpu" in sys.argv:
        for case in (FULL[0], FULL[7], FULL[9]):
            print(host_profile(case, backend, device), flush=True)
    for case in FULL:
        for workspace in (64 << 20, 1024 << 20):
            if case.mode and workspace > 64 << 20:
                continue  # pooling has no workspace
            print(profile_case(case, backend, device, workspace), flush=True)
    xcnn.set_workspace_limit(None)


if __name__ == "__main__":
    main()
