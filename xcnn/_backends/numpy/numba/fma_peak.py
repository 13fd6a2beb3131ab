"""The host's float32 multiply-add peak, measured: what the register-blocked loops are held against.

The benchmark quotes convolution GFLOP/s against NumPy's matrix product,
which is itself below what the CPU can do. The peak is ``cores x FMA units x
lanes x 2 x clock``, but the FMA units per core and the clock under load are
not things a program can read (a VM reports its nominal clock, and the boost
clock is higher). So this runs that formula's workload instead: on every
thread at once, twelve independent accumulators, each a vector of the ISA's
width (:mod:`.isa`), fed fused multiply-adds from registers only, with no
loads, for long enough to reach the boost clock. Its GFLOP/s are the peak the
loops could reach.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from ..threads import in_thread_shares, thread_count
from .isa import chosen
from .register_block_intrinsics import fmuladd

__all__ = ["ACCUMULATORS", "fma_peak"]

ACCUMULATORS = 12
"""Independent chains of multiply-adds: at least the FMA units' latency x their count (4 x 2 on
recent x86 cores), so that the chains, not their latency, bound the rate."""

VECTOR_BITS = {"avx512": 512, "avx2": 256, "neon": 128, "sse": 128}


@intrinsic
def _fma_burst(typingctx: Any, out: Any, rounds: Any, lanes: Any) -> Any:
    """``rounds`` times, ACCUMULATORS vectors of `lanes` float32 each gain a multiply-add; their sum
    goes to ``out[:lanes]`` (every lane of every accumulator is used, so no work is optimised away)."""
    if not isinstance(lanes, types.IntegerLiteral) or not isinstance(rounds, types.Integer):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        out_v, rounds_v = args[0], args[1]
        n = lanes.literal_value
        vector = ir.VectorType(ir.FloatType(), n)
        slots = [cgutils.alloca_once_value(builder, ir.Constant(vector, [float(i)] * n)) for i in range(ACCUMULATORS)]
        scale = ir.Constant(vector, [0.999999] * n)
        step = ir.Constant(vector, [1e-7] * n)
        with cgutils.for_range(builder, context.cast(builder, rounds_v, sig.args[1], types.intp)):
            for slot in slots:
                builder.store(fmuladd(builder, builder.load(slot), scale, step), slot)
        total = builder.load(slots[0])
        for slot in slots[1:]:
            total = builder.fadd(total, builder.load(slot))
        array = context.make_array(sig.args[0])(context, builder, out_v)
        builder.store(total, builder.bitcast(array.data, vector.as_pointer()), align=4)
        return context.get_dummy_value()

    return types.none(out, rounds, lanes), codegen


@njit(nogil=True)
def _burst_16(out: Any, rounds: Any) -> None:
    _fma_burst(out, rounds, 16)


@njit(nogil=True)
def _burst_8(out: Any, rounds: Any) -> None:
    _fma_burst(out, rounds, 8)


@njit(nogil=True)
def _burst_4(out: Any, rounds: Any) -> None:
    _fma_burst(out, rounds, 4)


_BURSTS = {16: _burst_16, 8: _burst_8, 4: _burst_4}
"""The burst for each vector width in float32 lanes (the lane count must be a literal)."""


def fma_peak(seconds: float = 0.3) -> dict[str, Any]:
    """Measure the float32 FMA peak on every thread xcnn's loops use, for about `seconds` after a warm-up.

    Returns
    -------
    dict
        ``gflops`` (all threads), ``threads``, ``isa`` and ``lanes`` (float32 per vector).
    """
    isa = chosen()[0]
    lanes = VECTOR_BITS[isa] // 32
    burst = _BURSTS[lanes]
    threads = thread_count()
    outs = np.zeros((threads, lanes), dtype=np.float32)
    burst(outs[0], 10)  # compile
    rounds = 1 << 16
    while True:  # rounds long enough to time (and to reach the boost clock)
        start = time.perf_counter()
        burst(outs[0], rounds)
        if time.perf_counter() - start > 0.02:
            break
        rounds *= 2
    runs = max(1, int(seconds / (time.perf_counter() - start)))
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        in_thread_shares(threads, 1 << 40, lambda s: [burst(outs[i], rounds) for i in range(s.start, s.stop)])
        best = min(best, time.perf_counter() - start)
    flops = threads * rounds * ACCUMULATORS * lanes * 2
    return {"gflops": flops / best / 1e9, "threads": threads, "isa": isa, "lanes": lanes}
