"""Depthwise convolution from the register-blocked loops of :mod:`.direct_conv_kernels`.

One input channel per group and one output channel per input channel: no
products to share a broadcast between, so the forward blocks are a few
pixels (which share each load of the weights) x 8 to 32 channels, summed
over the taps in registers instead of into the output in memory tap by tap
(:func:`.depthwise.depthwise_forward`, which takes the other depthwise
layers). They read the unpadded input and skip the taps that fall in the
zero padding. The weight gradient goes one tap at a time, except for a 3 x 3
kernel, whose nine taps per output row are summed together.

:mod:`.direct_conv` re-exports these functions: the dispatch table calls them from there.
"""

from __future__ import annotations

import numpy as np

from ...._geometry import Windows
from ..threads import in_thread_shares, summed_over_thread_shares
from .depthwise import depthwise_geometry
from .direct_loops import (
    DEPTHWISE,
    DEPTHWISE_WEIGHT_GRADIENT,
    DEPTHWISE_WEIGHT_GRADIENT_3X3,
    LANES,
    inside_columns,
    widest,
)

__all__ = ["depthwise_backward", "depthwise_forward", "depthwise_usable"]


def depthwise_usable(win: Windows, groups: int, c_out: int) -> bool:
    """Whether a depthwise layer (one input channel per group) runs here: stride 1, one output
    channel per group, and the groups in whole blocks of :data:`.direct_loops.LANES`."""
    return win.stride == (1, 1) and c_out == groups and groups % LANES == 0


def _depthwise_taps(w: np.ndarray, win: Windows) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """``(dy_k, dx_k, w (taps, G), top, left)``, from :func:`.depthwise.depthwise_geometry`."""
    dy_k, dx_k, _, _, top, left, w2 = depthwise_geometry(w, win)
    return dy_k, dx_k, w2, top, left


def depthwise_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, win: Windows) -> np.ndarray:
    """Depthwise convolution of the unpadded ``x (m, H, W, G)`` with ``w (kh, kw, 1, G)``, plus `b`: ``(m, out_h, out_w, G)``."""
    dy_k, dx_k, w2, top, left = _depthwise_taps(w, win)
    x = np.ascontiguousarray(x)
    groups = x.shape[3]
    b = np.zeros(groups, dtype=x.dtype) if b is None else np.ascontiguousarray(b)
    z = np.empty((x.shape[0], *win.out_size, groups), dtype=x.dtype)
    kernel = widest(DEPTHWISE, x.dtype, groups)
    inside = inside_columns(x.shape[2], left, dx_k)
    in_thread_shares(len(z), x.nbytes, lambda s: kernel(x[s], w2, b, z[s], dy_k, dx_k, top, left, *inside))
    return z


def depthwise_backward(dz: np.ndarray, x: np.ndarray, w: np.ndarray, win: Windows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dx, dw, db)`` of :func:`depthwise_forward`; `dx` unpadded, like `x`.

    The input gradient is the same loops over the output gradient with the
    taps mirrored: input pixel ``h`` takes ``dz[h + top - dy_k[k]] * w[k]``.
    """
    dy_k, dx_k, w2, top, left = _depthwise_taps(w, win)
    dz, x = np.ascontiguousarray(dz), np.ascontiguousarray(x)
    groups = x.shape[3]
    dx = np.empty(x.shape, dtype=dz.dtype)
    mirrored = widest(DEPTHWISE, dz.dtype, groups)
    no_bias = np.zeros(groups, dtype=dz.dtype)
    inside = inside_columns(dz.shape[2], -left, -dx_k)
    in_thread_shares(
        len(dx), dz.nbytes, lambda s: mirrored(dz[s], w2, no_bias, dx[s], -dy_k, -dx_k, -top, -left, *inside)
    )
    # a 3 x 3 kernel (any dilation) has loops of its own, which sum a row's nine taps together
    loops = DEPTHWISE_WEIGHT_GRADIENT_3X3 if tuple(win.kernel) == (3, 3) else DEPTHWISE_WEIGHT_GRADIENT
    gradient = widest(loops, dz.dtype, groups)

    def run(s: slice) -> tuple[np.ndarray, np.ndarray]:
        dw, db = np.zeros(w2.shape, dtype=dz.dtype), np.zeros(groups, dtype=dz.dtype)  # this block's
        gradient(x[s], dz[s], dw, db, np.empty_like(dw), np.empty_like(db), dy_k, dx_k, top, left)
        return dw, db

    dw, db = summed_over_thread_shares(len(dz), x.nbytes, run)
    return dx, np.reshape(dw, w.shape), db
