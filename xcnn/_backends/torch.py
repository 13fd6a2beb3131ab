"""PyTorch's faster steps: windows through ``Tensor.as_strided``, and its own column sums.

PyTorch's ``sum`` over rows is faster than the reference's ``ones @ a``
(BENCHMARKS.md, "Why each path exists"). Importing this module does not
import PyTorch: the functions use the tensors they are given.
"""

from __future__ import annotations

from typing import Any

from .._geometry import Windows

__all__ = ["FIELDS", "column_sums", "window_view"]


def window_view(x_pad: Any, win: Windows) -> Any:
    """All windows as a ``(m, out_h, out_w, kh, kw, C)`` strided view of a tensor, without copying."""
    return x_pad.as_strided(*win.view_layout(tuple(x_pad.shape), x_pad.stride()))  # strides in elements


def column_sums(a: Any) -> Any:
    """``(rows, n) -> (n,)``."""
    return a.sum(dim=0)


FIELDS: dict[str, Any] = {"name": "PyTorch", "window_view": window_view, "column_sums": column_sums}
"""What PyTorch replaces in the reference, by :class:`~xcnn._reference.primitives.Primitives` field."""
