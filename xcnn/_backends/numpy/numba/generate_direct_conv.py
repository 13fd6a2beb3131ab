"""Write :mod:`.direct_conv_kernels` (beside this file): convolution loops unrolled into register blocks.

A direct convolution keeps a block of outputs in registers while it walks
the kernel's taps: in the forward pass a few output pixels x 8, 16 or 32
output channels, in the weight gradient a few input channels x 8 or 16
output channels. Numba compiles loops over arrays, not blocks of
registers, so the blocks are written out as one scalar variable per
register lane; LLVM's SLP vectoriser then packs each run of 8 lanes into
one 256-bit vector register (:class:`.compile.VectorisedKernel` turns it on
for these kernels). Writing up to 96 accumulators by hand would be
error-prone, so this module writes them (the line writers are in
:mod:`.direct_conv_writers`), and ``tests/test_direct_conv.py`` checks that
the file matches :func:`source`.

Indices are unsigned (``np.uint64``): Numba then leaves out the wraparound
for negative indices, whose selects kept the vectoriser from seeing that
lanes sit next to each other in memory (measurements: BENCHMARKS.md, 'Why
each path exists').

The block tables here are the only place the register-block widths are
written down: :mod:`.direct_loops` compiles the functions named by
:data:`LANES`. Importing this module writes nothing and imports neither
NumPy nor Numba.

Usage: ``python -m xcnn._backends.numpy.numba.generate_direct_conv`` (rewrites the file).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .direct_conv_writers import (
    depthwise_source,
    depthwise_weight_gradient_source,
    forward_source,
    narrow_input_gradient_source,
    weight_gradient_source,
)

TARGET = Path(__file__).with_name("direct_conv_kernels.py")

Blocks = list[tuple[int, int]]
"""``(pixels or input channels, lanes)`` of one family's register blocks, one function each, widest first."""

FORWARD_BLOCKS: Blocks = [(3, 32), (4, 16), (8, 8)]
"""``(pixels, lanes)`` of the forward loops' register blocks, one function each: the shapes that
measured fastest on an AVX2 machine (measurements: BENCHMARKS.md, 'Why each path exists'). The
widest block whose lanes divide ``C_out`` is used."""
GRADIENT_BLOCKS: Blocks = [(4, 16), (8, 8)]
"""``(input channels, lanes)`` of the weight gradient's blocks, chosen the same way."""

# float64 lanes are twice as wide: the float32 blocks would need more than the 16 vector
# registers and spill. Functions ``<name>_f64_<lanes>``, blocks with as many registers as
# the float32 ones (measured faster than the float32 blocks in float64).
F64_FORWARD_BLOCKS: Blocks = [(3, 16), (4, 8)]
"""Forward blocks in float64."""
F64_GRADIENT_BLOCKS: Blocks = [(2, 16), (4, 8)]
"""Weight-gradient blocks in float64."""
F64_NARROW_INPUT_BLOCKS: Blocks = [(2, 16), (4, 8)]
"""First-layer input gradient: as many registers as the float32 blocks (:data:`NARROW_INPUT_BLOCKS`)."""

NARROW_LANES = [32, 16, 8]
"""Output channels per register block of the weight gradient's loops for fewer than 8 input
channels (a first layer on grey or RGB images), one input channel at a time, one function each.
Their input gradient is dot products over the output channels, in blocks of
:data:`NARROW_INPUT_BLOCKS`."""
NARROW_INPUT_BLOCKS: Blocks = [(2, 32), (4, 16), (4, 8)]
"""``(pixels, lanes)`` of the first-layer input gradient's blocks: several pixels of a row share
each load of the weights (three pixels x 32 spilled registers). Accumulators start from a zero of
the arrays' dtype: ``dxf[0] * 0`` is a float64 in Numba, and made these loops convert every
product (measurements: BENCHMARKS.md, 'Why each path exists')."""

DEPTHWISE_LANES = [32, 16, 8]
"""Channels per register block of the depthwise weight gradient's loops, one function each."""
DEPTHWISE_BLOCKS: Blocks = [(2, 32), (3, 16), (1, 8)]
"""``(pixels, lanes)`` of the depthwise forward loops' blocks: the pixels of a block share each
load of the weights, and each sum stays in registers over the taps instead of going into the
output in memory tap by tap (measurements: BENCHMARKS.md, 'Why each path exists')."""
F64_DEPTHWISE_BLOCKS: Blocks = [(2, 16)]
"""The float64 block with the registers of the float32 2 x 32 (with the float32 functions of
:data:`F64_SHARED_DEPTHWISE_LANES` for other channel counts)."""
F64_SHARED_DEPTHWISE_LANES = (8,)
"""Lanes of ``depthwise_<lanes>`` that float64 takes as they are: one pixel x 8 fits the registers
in either dtype."""


def _lanes(blocks: Blocks) -> tuple[int, ...]:
    return tuple(lanes for _, lanes in blocks)


LANES: dict[str, tuple[int, ...]] = {
    "forward": _lanes(FORWARD_BLOCKS),
    "forward_f64": _lanes(F64_FORWARD_BLOCKS),
    "weight_gradient": _lanes(GRADIENT_BLOCKS),
    "weight_gradient_f64": _lanes(F64_GRADIENT_BLOCKS),
    "narrow_weight_gradient": tuple(NARROW_LANES),
    "narrow_input_gradient": _lanes(NARROW_INPUT_BLOCKS),
    "narrow_input_gradient_f64": _lanes(F64_NARROW_INPUT_BLOCKS),
    "depthwise": _lanes(DEPTHWISE_BLOCKS),
    "depthwise_f64": _lanes(F64_DEPTHWISE_BLOCKS),
    "depthwise_weight_gradient": tuple(DEPTHWISE_LANES),
}
"""Each family of generated functions ``<family>_<lanes>``, by the lanes it is written for, widest first."""

HEADER = '''"""Direct convolution loops, unrolled into register blocks (generated; do not edit).

Written by ``python -m xcnn._backends.numpy.numba.generate_direct_conv``;
:mod:`.direct_loops` compiles them for :mod:`.direct_conv` and :mod:`.direct_depthwise`. Plain
Python functions: they run (slowly) without Numba too. Arrays are C-contiguous and read through
flat views with unsigned indices; see the generator for why.
"""

import numpy as np

U = np.uint64
'''


def source() -> str:
    """The whole generated module."""
    pixels = {f"forward_{lanes}": p for p, lanes in FORWARD_BLOCKS}
    pixels |= {f"forward_f64_{lanes}": p for p, lanes in F64_FORWARD_BLOCKS}
    table = "FORWARD_PIXELS = {\n" + "".join(f"    {name!r}: {p},\n" for name, p in pixels.items()) + "}\n"
    table += '"""Pixels per register block of each forward function (the caller weighs single pixels at the edges)."""'
    parts = [HEADER.rstrip("\n"), table]
    parts += [forward_source(pixels, lanes) for pixels, lanes in FORWARD_BLOCKS]
    parts += [weight_gradient_source(channels, lanes) for channels, lanes in GRADIENT_BLOCKS]
    parts += [weight_gradient_source(1, lanes, "narrow_weight_gradient") for lanes in NARROW_LANES]
    parts += [narrow_input_gradient_source(pixels, lanes) for pixels, lanes in NARROW_INPUT_BLOCKS]
    parts += [depthwise_source(pixels, lanes) for pixels, lanes in DEPTHWISE_BLOCKS]
    parts += [depthwise_weight_gradient_source(lanes) for lanes in DEPTHWISE_LANES]
    parts += [forward_source(pixels, lanes, "forward_f64") for pixels, lanes in F64_FORWARD_BLOCKS]
    parts += [weight_gradient_source(channels, lanes, "weight_gradient_f64") for channels, lanes in F64_GRADIENT_BLOCKS]
    parts += [
        narrow_input_gradient_source(pixels, lanes, "narrow_input_gradient_f64") for pixels, lanes in F64_NARROW_INPUT_BLOCKS
    ]
    parts += [depthwise_source(pixels, lanes, "depthwise_f64") for pixels, lanes in F64_DEPTHWISE_BLOCKS]
    return "\n\n\n".join(parts) + "\n"


def main() -> int:
    TARGET.write_text(source())
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
