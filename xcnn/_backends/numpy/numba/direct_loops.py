"""The register-blocked loops of :mod:`.direct_conv_kernels`, compiled, by dtype and block width.

Each table holds, per dtype, the loops of one pass by the channels their register blocks span,
widest first; the widths are the generator's (:data:`.generate_direct_conv.LANES`), written down
there only. float64 blocks span half the channels of float32 ones: the same registers. Also the
weight layout the forward loops read (:func:`packed`), and what both the dense and the depthwise
loops need to know about the columns every tap reads inside (:func:`inside_columns`).
"""

from __future__ import annotations

import numpy as np

from . import direct_conv_kernels as _kernels
from .compile import VectorisedKernel
from .generate_direct_conv import F64_SHARED_DEPTHWISE_LANES
from .generate_direct_conv import LANES as _GENERATED_LANES

__all__ = [
    "DEPTHWISE",
    "DEPTHWISE_WEIGHT_GRADIENT",
    "FORWARD",
    "FORWARD_PIXELS",
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

LANES = min(min(lanes) for lanes in _GENERATED_LANES.values())
"""Channels in the narrowest register block (8: one 256-bit vector of float32): the channel counts
that run here are multiples of it."""

Kernels = dict[np.dtype, dict[int, VectorisedKernel]]
"""Per dtype, the loops of one pass by the channels their register blocks span, widest first."""
F32, F64 = np.dtype(np.float32), np.dtype(np.float64)


def _compiled(family: str, lanes: tuple[int, ...] | None = None) -> dict[int, VectorisedKernel]:
    """The generated functions ``<family>_<lanes>``, for the generator's lanes of `family` or `lanes`."""
    return {n: VectorisedKernel(getattr(_kernels, f"{family}_{n}")) for n in lanes or _GENERATED_LANES[family]}


def _either_dtype(kernels: dict[int, VectorisedKernel]) -> Kernels:
    """Loops whose blocks fit the registers in float32 and float64 alike."""
    return {F32: kernels, F64: kernels}


FORWARD: Kernels = {F32: _compiled("forward"), F64: _compiled("forward_f64")}
WEIGHT_GRADIENT: Kernels = {F32: _compiled("weight_gradient"), F64: _compiled("weight_gradient_f64")}
NARROW_WEIGHT_GRADIENT = _either_dtype(_compiled("narrow_weight_gradient"))
NARROW_INPUT_GRADIENT: Kernels = {
    F32: _compiled("narrow_input_gradient"),
    F64: _compiled("narrow_input_gradient_f64"),
}
DEPTHWISE: Kernels = {
    F32: _compiled("depthwise"),
    F64: {**_compiled("depthwise_f64"), **_compiled("depthwise", F64_SHARED_DEPTHWISE_LANES)},
}
DEPTHWISE_WEIGHT_GRADIENT = _either_dtype(_compiled("depthwise_weight_gradient"))

FORWARD_PIXELS = {
    F32: {lanes: _kernels.FORWARD_PIXELS[f"forward_{lanes}"] for lanes in FORWARD[F32]},
    F64: {lanes: _kernels.FORWARD_PIXELS[f"forward_f64_{lanes}"] for lanes in FORWARD[F64]},
}
"""Pixels per register block of the forward loops, by dtype and lanes."""


def widest_lanes(kernels: Kernels, dtype: np.dtype, channels: int) -> int:
    """The widest register block of `kernels` for `dtype` that `channels` fills (the generator's tables
    say why the widest)."""
    return next(lanes for lanes in kernels[dtype] if channels % lanes == 0)


def widest(kernels: Kernels, dtype: np.dtype, channels: int) -> VectorisedKernel:
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
