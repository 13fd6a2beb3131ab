"""The register-blocked loops of :mod:`.direct_conv_kernels`, by dtype and block width, for the host's ISA.

Each table holds, per dtype, the loops of one pass by the channels their register blocks span
(lanes), widest first, with the rows of each block (pixels, or input channels): those of the ISA
:func:`.isa.chosen` picks (:data:`.generate_direct_conv.BLOCK_ROWS`).
Each loop compiles when a layer first calls it (cached on disk by Numba). Also the weight layout
the forward loops read (:func:`packed`), and what both the dense and the depthwise loops need to
know about the columns every tap reads inside (:func:`inside_columns`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import direct_conv_kernels as _kernels
from . import register_block_intrinsics  # noqa: F401 - registers the compiled blocks before any loop compiles
from .compile import compile_kernel
from .generate_direct_conv import BLOCK_ROWS, NARROWEST_LANES
from .isa import chosen

__all__ = [
    "DEPTHWISE",
    "DEPTHWISE_WEIGHT_GRADIENT",
    "DEPTHWISE_WEIGHT_GRADIENT_3X3",
    "FORWARD",
    "FORWARD_PIXELS",
    "ISA",
    "LANES",
    "NARROW_INPUT_GRADIENT",
    "NARROW_WEIGHT_GRADIENT",
    "WEIGHT_GRADIENT",
    "Kernels",
    "inside_columns",
    "packed",
    "widest",
    "widest_lanes",
]

ISA = chosen()[0]
"""The ISA whose block shapes run here (:mod:`.isa` says why)."""

LANES = NARROWEST_LANES
"""Channels in the narrowest register block (8): the channel counts that run here are multiples of it."""

Kernels = dict[np.dtype, dict[int, Any]]
"""Per dtype, the loops of one pass by the channels their register blocks span, widest first."""
F32, F64 = np.dtype(np.float32), np.dtype(np.float64)


def _compiled(family: str) -> Kernels:
    """The generated functions of `family` for :data:`ISA`'s block shapes, per dtype and lanes.

    One dispatcher per function: a shape that both dtypes use is one function compiled for each."""
    loops: dict[str, Any] = {}
    table: Kernels = {}
    for dtype in (F32, F64):
        rows = BLOCK_ROWS[ISA][dtype.name][family]
        names = {lanes: f"{family}_{n_rows}x{lanes}" for lanes, n_rows in rows.items()}
        for name in names.values():
            if name not in loops:
                loops[name] = compile_kernel(getattr(_kernels, name))
        table[dtype] = {lanes: loops[name] for lanes, name in names.items()}
    return table


FORWARD = _compiled("forward")
WEIGHT_GRADIENT = _compiled("weight_gradient")
NARROW_WEIGHT_GRADIENT = _compiled("narrow_weight_gradient")
NARROW_INPUT_GRADIENT = _compiled("narrow_input_gradient")
DEPTHWISE = _compiled("depthwise")
DEPTHWISE_WEIGHT_GRADIENT = _compiled("depthwise_weight_gradient")
DEPTHWISE_WEIGHT_GRADIENT_3X3 = _compiled("depthwise_weight_gradient_3x3")

FORWARD_PIXELS = {dtype: dict(BLOCK_ROWS[ISA][dtype.name]["forward"]) for dtype in (F32, F64)}
"""Pixels per register block of the forward loops, by dtype and lanes."""


def widest_lanes(kernels: Kernels, dtype: np.dtype, channels: int) -> int:
    """The widest register block of `kernels` for `dtype` that `channels` fills (the generator's tables
    say why the widest)."""
    return next(lanes for lanes in kernels[dtype] if channels % lanes == 0)


def widest(kernels: Kernels, dtype: np.dtype, channels: int) -> Any:
    """The kernel for `dtype` with the widest register block that `channels` fills."""
    return kernels[dtype][widest_lanes(kernels, dtype, channels)]


def packed(w3: np.ndarray, lanes: int) -> np.ndarray:
    """``w3 (taps, C_in, C_out)`` as the forward loops read it, ``(C_out / lanes, taps, C_in, lanes)``:
    the weights of each block of output channels in one run of memory (see the generator)."""
    taps, c_in, c_out = w3.shape
    return np.ascontiguousarray(np.moveaxis(np.reshape(w3, (taps, c_in, c_out // lanes, lanes)), 2, 0))


def inside_columns(width: int, left: int, dx_k: np.ndarray) -> tuple[int, int]:
    """The output columns ``ow`` from which every tap, reading column ``ow - left + dx_k[k]``, stays
    inside rows `width` wide: ``(first, end)``, the end exclusive."""
    return left - int(dx_k.min()), width + left - int(dx_k.max())
