"""The reference's single steps done NumPy's way (see :class:`xcnn._reference.primitives.Primitives`).

- :func:`window_view`: every window through one strided view, so unfolding
  is one copy instead of ``kh*kw`` concatenated slices;
- :func:`tall_product`: a tall product in row blocks that stay in the cache
  while BLAS works through them, each getting its bias there, into a reused
  buffer where the result is a temporary (:mod:`.scratch`);
- ``numpy.einsum`` for the depthwise sums (one pass, no product arrays);
- selection by a 0/1 product (``where`` is many times slower on NumPy), and
  looks at the host that cost nothing.

Why each exists, with measurements: BENCHMARKS.md, "Why each path exists".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..._geometry import Windows
from . import threads
from .scratch import scratch

__all__ = ["FIELDS", "ROW_BLOCK", "tall_product", "window_view"]

ROW_BLOCK = 2048
"""Rows per product in :func:`tall_product`."""


def window_view(x_pad: np.ndarray, win: Windows) -> np.ndarray:
    """All windows as a ``(m, out_h, out_w, kh, kw, C)`` strided view, without copying."""
    shape, strides = win.view_layout(x_pad.shape, x_pad.strides)  # strides in bytes
    return as_strided(x_pad, shape=shape, strides=strides)


def tall_product(a: np.ndarray, b: np.ndarray, bias: np.ndarray | None, scratch_use: str | None) -> np.ndarray:
    """``a @ b (+ bias)`` in blocks of :data:`ROW_BLOCK` rows; a temporary result in the `scratch_use` buffer."""
    rows = a.shape[0]
    if rows <= 2 * ROW_BLOCK or a.dtype != b.dtype or (bias is not None and bias.dtype != a.dtype):
        return a @ b if bias is None else a @ b + bias
    shape = (rows, b.shape[1])
    out = np.empty(shape, dtype=a.dtype) if scratch_use is None else scratch(scratch_use, shape, a.dtype)
    for start in range(0, rows, ROW_BLOCK):
        block = slice(start, start + ROW_BLOCK)
        np.matmul(a[block], b, out=out[block])
        if bias is not None:
            out[block] += bias  # while the block is in the cache
    return out


FIELDS: dict[str, Any] = {
    "name": "NumPy",
    "window_view": window_view,
    "tall_product": tall_product,
    "over_samples": threads.over_samples,
    "einsum": np.einsum,
    "select_by_product": True,
    "cheap_host_checks": True,
}
"""What NumPy replaces in the reference, by :class:`~xcnn._reference.primitives.Primitives` field."""
