"""Which vector ISA the compiled convolution loops are shaped for: the CPU Numba compiles for, or ``XCNN_ISA``.

The generated loops are the same on every ISA; their register blocks are not:
AVX-512 has twice the registers of AVX2, each twice as wide, and a block
shaped for AVX2 leaves three quarters of them idle, while one shaped for
AVX-512 spills on AVX2 (:data:`.generate_direct_conv.BLOCK_ROWS`). So the
block shapes follow the CPU that Numba compiles for: the host's, unless
``NUMBA_CPU_NAME`` / ``NUMBA_CPU_FEATURES`` name another.

``XCNN_ISA`` (``avx512``, ``avx2``, ``neon`` or ``sse``) picks the shapes of
another ISA, for measuring and testing them: one whose vectors are no wider
than this CPU's (the 128-bit ones, NEON's and SSE's, anywhere). With
``XCNN_ISA=avx2`` an AVX-512 host runs the AVX2 shapes, still in its own
instructions. To compile the instructions of another CPU too, name it to Numba
as well, e.g. ``NUMBA_CPU_NAME=haswell NUMBA_CPU_FEATURES=+avx,+avx2,+fma,...``
(``tests/test_isa.py`` does, for every ISA but NEON, which only an ARM CPU runs).
"""

from __future__ import annotations

import functools
import os
import platform

__all__ = ["ISAS", "chosen", "compile_target", "requested"]

ISAS: dict[str, str] = {
    "avx512": "AVX-512: 32 registers of 512 bits",
    "avx2": "AVX2 and FMA: 16 registers of 256 bits",
    "neon": "NEON: 32 registers of 128 bits",
    "sse": "SSE: 16 registers of 128 bits",
}
"""The ISAs the block tables are written for, and what each offers."""


def compile_target() -> tuple[str, frozenset[str], str]:
    """``(cpu name, features, machine)`` of the CPU Numba compiles for: the host's, or those
    ``NUMBA_CPU_NAME`` and ``NUMBA_CPU_FEATURES`` name (features as LLVM spells them, e.g. ``avx2``)."""
    import llvmlite.binding as llvm
    from numba.core import config

    name = config.CPU_NAME or llvm.get_host_cpu_name()
    if config.CPU_FEATURES is not None:
        features = frozenset(f[1:] for f in config.CPU_FEATURES.split(",") if f.startswith("+"))
    else:
        try:
            features = frozenset(f for f, on in llvm.get_host_cpu_features().items() if on)
        except RuntimeError:  # LLVM cannot read them on this host (as Numba, it then assumes none)
            features = frozenset()
    return name, features, platform.machine().lower()


def _runs(isa: str, features: frozenset[str], machine: str) -> bool:
    """Whether a CPU with `features` (on `machine`) runs `isa`'s instructions."""
    x86 = machine in ("x86_64", "amd64", "i686", "x86")
    return {
        "avx512": x86 and "avx512f" in features,
        "avx2": x86 and {"avx2", "fma"} <= features,
        "neon": machine in ("aarch64", "arm64"),
        "sse": x86,
    }[isa]


def _widest(features: frozenset[str], machine: str) -> str:
    """The widest ISA this CPU runs; the 128-bit SSE shapes on a CPU that is neither x86 nor ARM."""
    return next((isa for isa in ISAS if _runs(isa, features, machine)), "sse")


def _fits(isa: str, features: frozenset[str], machine: str) -> bool:
    """Whether `isa`'s block shapes suit this CPU's vectors: its own, or 128-bit ones (LLVM splits a
    block's vectors into whatever registers the CPU has, so any shapes run anywhere; wider ones than
    the CPU's would only spill)."""
    return isa in ("neon", "sse") or _runs(isa, features, machine)


def requested() -> str | None:
    """The ISA ``XCNN_ISA`` names, or None for ``auto`` (or unset); ValueError for another value.
    Reads the environment only (the command line checks it before any work, without Numba)."""
    raw = os.environ.get("XCNN_ISA", "").strip().lower()
    if raw in ("", "auto"):
        return None
    if raw not in ISAS:
        msg = f"XCNN_ISA must be one of {', '.join(ISAS)} or auto, got {os.environ['XCNN_ISA']!r}"
        raise ValueError(msg)
    return raw


@functools.cache
def chosen() -> tuple[str, str]:
    """``(isa, why)``: the ISA whose block shapes the loops take, and a line saying why."""
    raw = requested()
    name, features, machine = compile_target()
    widest = _widest(features, machine)
    if raw is None:
        return widest, f"{widest}, the widest this CPU ({name}) runs"
    if not _fits(raw, features, machine):
        msg = f"XCNN_ISA={raw} asks for {ISAS[raw]}, which this CPU ({name}, {machine}) does not have; it runs {widest}"
        raise ValueError(msg)
    return raw, f"{raw}, as XCNN_ISA asks (this CPU, {name}, runs {widest})"
