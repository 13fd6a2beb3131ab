"""Write :mod:`.direct_conv_kernels` (beside this file): convolution loops over register blocks.

A direct convolution keeps a block of outputs in registers while it walks
the kernel's taps: in the forward pass a few output pixels x 8, 16 or 32
output channels, in the weight gradient a few input channels x 8 or 16
output channels. The generated loops hold such a block in one variable and
load, multiply-add and store it whole (:mod:`.register_blocks`); compiled,
each block is a row of LLVM vectors per pixel or channel, which LLVM splits
into the host's vector registers. The loops are the same for every vector
ISA; the number of rows that fills the registers is not, so
:data:`BLOCK_ROWS` gives the block shapes per ISA (:mod:`.isa` picks one from
the host's CPU) and dtype, and the generated module holds a function for
each shape any of them uses, ``<family>_<rows>x<lanes>``. The line writers
are in :mod:`.direct_conv_writers` and :mod:`.depthwise_writers`, and ``tests/test_direct_conv.py`` checks
that the file matches :func:`source`.

The tables here are the only place the block shapes are written down:
:mod:`.direct_loops` compiles the functions the host's ISA names, when a
layer first needs them. Importing this module writes nothing and imports
neither NumPy nor Numba.

Usage: ``python -m xcnn._backends.numpy.numba.generate_direct_conv`` (rewrites the file).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from .depthwise_writers import (
    depthwise_source,
    depthwise_weight_gradient_3x3_source,
    depthwise_weight_gradient_source,
)
from .direct_conv_writers import forward_source, narrow_input_gradient_source, weight_gradient_source

TARGET = Path(__file__).with_name("direct_conv_kernels.py")

Rows = dict[int, int]
"""Rows of a family's register blocks by their lanes: ``{lanes: rows}`` (output pixels, or input
channels in the weight gradients), one generated function ``<family>_<rows>x<lanes>`` each."""

NARROWEST_LANES = 8
"""Every family's narrowest block, on every ISA: the channel counts that run the loops are
multiples of it, whatever the host. Of the lanes a table lists, widest first, the widest that
divides the layer's channels is used."""

_ONE_ROW = {32: 1, 16: 1, 8: 1}
"""One input channel (first-layer weight gradient) or one row of taps (depthwise weight gradient)."""

_NINE_ROWS_OF_8 = {8: 1}
"""The 3 x 3 depthwise weight gradient keeps nine rows of sums (one per tap) of its lanes: 8 float32
lanes are nine AVX2 registers, eighteen of SSE or NEON; wider blocks spill (measurements:
BENCHMARKS.md, 'Depthwise weight gradient in a 3 x 3 block'). In float64 even 8 lanes take eighteen
registers, which spills on AVX2 and SSE, but no table may go narrower than 8."""

BLOCK_ROWS: dict[str, dict[str, dict[str, Rows]]] = {
    # AVX-512: thirty-two 512-bit registers, 16 float32 or 8 float64 lanes each: twice the
    # registers of AVX2, each twice as wide, so a row of lanes takes half the registers and
    # there are twice as many to fill.
    "avx512": {
        "float32": {
            "forward": {32: 8, 16: 8, 8: 8},
            "weight_gradient": {16: 8, 8: 8},
            "narrow_weight_gradient": _ONE_ROW,
            "narrow_input_gradient": {32: 4, 16: 8, 8: 8},
            "depthwise": {32: 4, 16: 6, 8: 4},
            "depthwise_weight_gradient": _ONE_ROW,
            "depthwise_weight_gradient_3x3": {32: 1, 16: 1, 8: 1},
        },
        "float64": {
            "forward": {16: 6, 8: 8},
            "weight_gradient": {16: 4, 8: 8},
            "narrow_weight_gradient": _ONE_ROW,
            "narrow_input_gradient": {16: 4, 8: 8},
            "depthwise": {16: 4, 8: 4},
            "depthwise_weight_gradient": _ONE_ROW,
            "depthwise_weight_gradient_3x3": {16: 1, 8: 1},
        },
    },
    # AVX2 and FMA: sixteen 256-bit registers, 8 float32 or 4 float64 lanes each. A block of 3 x 32
    # float32 (12 registers of sums, 4 of weights) spilled once LLVM scheduled it for Haswell; blocks
    # of 16 lanes leave room.
    "avx2": {
        "float32": {
            "forward": {16: 4, 8: 8},
            "weight_gradient": {16: 4, 8: 8},
            "narrow_weight_gradient": _ONE_ROW,
            "narrow_input_gradient": {32: 2, 16: 4, 8: 4},
            "depthwise": {32: 2, 16: 3, 8: 1},
            "depthwise_weight_gradient": _ONE_ROW,
            "depthwise_weight_gradient_3x3": _NINE_ROWS_OF_8,
        },
        "float64": {
            "forward": {16: 2, 8: 4},
            "weight_gradient": {16: 2, 8: 4},
            "narrow_weight_gradient": _ONE_ROW,
            "narrow_input_gradient": {16: 2, 8: 4},
            "depthwise": {16: 2, 8: 1},
            "depthwise_weight_gradient": _ONE_ROW,
            "depthwise_weight_gradient_3x3": _NINE_ROWS_OF_8,
        },
    },
    # NEON (ARM, Apple silicon): thirty-two 128-bit registers, 4 float32 or 2 float64 lanes each.
    "neon": {
        "float32": {
            "forward": {32: 2, 16: 4, 8: 8},
            "weight_gradient": {16: 4, 8: 8},
            "narrow_weight_gradient": _ONE_ROW,
            "narrow_input_gradient": {32: 2, 16: 4, 8: 8},
            "depthwise": {32: 2, 16: 4, 8: 4},
            "depthwise_weight_gradient": _ONE_ROW,
            "depthwise_weight_gradient_3x3": _NINE_ROWS_OF_8,
        },
        "float64": {
            "forward": {16: 2, 8: 4},
            "weight_gradient": {16: 2, 8: 4},
            "narrow_weight_gradient": _ONE_ROW,
            "narrow_input_gradient": {16: 2, 8: 4},
            "depthwise": {16: 2, 8: 4},
            "depthwise_weight_gradient": _ONE_ROW,
            "depthwise_weight_gradient_3x3": _NINE_ROWS_OF_8,
        },
    },
    # SSE (x86-64 without AVX2; no fused multiply-add): sixteen 128-bit registers, 4 float32 or
    # 2 float64 lanes each.
    "sse": {
        "float32": {
            "forward": {16: 2, 8: 4},
            "weight_gradient": {16: 2, 8: 4},
            "narrow_weight_gradient": _ONE_ROW,
            "narrow_input_gradient": {16: 2, 8: 4},
            "depthwise": {16: 2, 8: 4},
            "depthwise_weight_gradient": _ONE_ROW,
            "depthwise_weight_gradient_3x3": _NINE_ROWS_OF_8,
        },
        "float64": {
            "forward": {8: 2},
            "weight_gradient": {8: 2},
            "narrow_weight_gradient": {16: 1, 8: 1},
            "narrow_input_gradient": {8: 2},
            "depthwise": {8: 2},
            "depthwise_weight_gradient": {16: 1, 8: 1},
            "depthwise_weight_gradient_3x3": _NINE_ROWS_OF_8,
        },
    },
}
"""Rows of each family's blocks by ISA, dtype and lanes (widest first): enough to fill the vector
registers (sums, plus the row of weights they share) without spilling (measurements: BENCHMARKS.md,
'CPU speed by default and on every host'). :mod:`.isa` picks the ISA from the CPU Numba compiles
for. A weight gradient's rows are input channels, so they divide 8."""

WRITERS = {
    "forward": forward_source,
    "weight_gradient": weight_gradient_source,
    "narrow_weight_gradient": lambda rows, lanes: weight_gradient_source(rows, lanes, "narrow_weight_gradient"),
    "narrow_input_gradient": narrow_input_gradient_source,
    "depthwise": depthwise_source,
    "depthwise_weight_gradient": lambda rows, lanes: depthwise_weight_gradient_source(lanes),
    "depthwise_weight_gradient_3x3": lambda rows, lanes: depthwise_weight_gradient_3x3_source(lanes),
}
"""The writer of each family's function for one block shape (:mod:`.direct_conv_writers`,
:mod:`.depthwise_writers`)."""


def shapes() -> dict[str, list[tuple[int, int]]]:
    """Every ``(rows, lanes)`` some ISA and dtype uses, by family, in a fixed order."""
    found: dict[str, set[tuple[int, int]]] = {family: set() for family in WRITERS}
    for by_dtype in BLOCK_ROWS.values():
        for families in by_dtype.values():
            assert set(families) == set(WRITERS), sorted(families)  # noqa: S101 - the tables' invariants
            for family, rows in families.items():
                lanes = list(rows)
                assert lanes == sorted(lanes, reverse=True) and lanes[-1] == NARROWEST_LANES, (family, lanes)  # noqa: S101
                assert "weight_gradient" not in family or all(8 % r == 0 for r in rows.values()), family  # noqa: S101
                found[family] |= {(n_rows, lanes) for lanes, n_rows in rows.items()}
    return {family: sorted(pairs, key=lambda p: (-p[1], -p[0])) for family, pairs in found.items()}


HEADER = '''"""Direct convolution loops over register blocks (generated; do not edit).

Written by ``python -m xcnn._backends.numpy.numba.generate_direct_conv``, one function per block
shape ``<family>_<rows>x<lanes>``; :mod:`.direct_loops` compiles those the host's ISA uses for
:mod:`.direct_conv` and :mod:`.direct_depthwise`. Plain Python functions: they run (slowly) without
Numba too. Arrays are C-contiguous and read through flat views, with unsigned indices (``U``)
where the loops index them themselves.
"""

import numpy as np

from .register_blocks import block_add_to, block_fma, block_fma_rows, block_load, block_store, block_store_sums, block_zeros

U = np.uint64
'''


INTRINSICS = Path(__file__).with_name("register_block_intrinsics.py")
"""The compiled register blocks. Numba's disk cache keys a loop on its own file alone, so the
generated file carries a digest of this one: a change to the blocks' code generation changes the
generated file (the tests insist it is regenerated), and with it every cached loop."""


def source() -> str:
    """The whole generated module."""
    digest = hashlib.sha256(INTRINSICS.read_bytes()).hexdigest()[:16]
    header = HEADER.rstrip("\n") + f"\nBLOCKS_DIGEST = {digest!r}  # of register_block_intrinsics.py: see the generator\n"
    parts = [header.rstrip("\n")]
    for family, pairs in shapes().items():
        parts += [WRITERS[family](rows, lanes) for rows, lanes in pairs]
    return "\n\n\n".join(parts) + "\n"


def main() -> int:
    TARGET.write_text(source())
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
