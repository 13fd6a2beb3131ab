"""Column sums as matrix products, where that is the fast way to add up rows.

``ones(1, rows) @ a`` gives the same sums as ``sum(a, axis=0)``. Measured on
``(32768..131072, 32..128)`` float32 arrays: NumPy's ``sum(axis=0)`` is 2x to
10x slower than the product (BLAS streams the rows once, at least as
accurately); CuPy's column reduction is about 90x slower on an H200 (2.96 ms
against 0.03 ms for ``(131072, 64)``). PyTorch's own ``sum`` is the faster one
there, so it keeps it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from .backend import Array

__all__ = ["column_sums"]


def column_sums(a: Array, xp: ModuleType, device: Any) -> Array:
    """Sum of the rows of a 2-D array: ``(rows, n) -> (n,)``."""
    if array_api_compat.is_torch_namespace(xp):
        return xp.sum(a, axis=0)
    ones = xp.ones((1, a.shape[0]), dtype=a.dtype, device=device)
    return xp.reshape(ones @ a, (a.shape[1],))
