"""CuPy's raw kernels: one launch where the array-API code needs a launch per kernel offset.

On CuPy every array operation is a kernel launch costing tens of
microseconds of host time, so the reference's fold (col2im: a zero fill and
kh*kw strided additions) is launch-bound. The kernel here computes the same sums in one
launch: each input position gathers, in the same order (kernel offsets
row-major, starting from zero), the window entries that cover it, so the
result is bit-for-bit the generic one. CuPy itself is imported only when a
kernel is first needed; the kernel's source is plain C++ that
``tests/test_cupy_kernels.py`` also compiles for the CPU and checks against the
generic code.
"""

from __future__ import annotations

import functools
from typing import Any

from ..._geometry import Windows

__all__ = ["fold_windows"]

_FOLD = r"""
const long long c = i % channels;
long long t = i / channels;
const int x = (int)(t % width);
t /= width;
const int y = (int)(t % height);
const long long n = t / height;
T acc = 0;
for (int a = 0; a < kh; ++a) {
    const int ty = y - a * dh;
    if (ty < 0) break;
    if (ty % sh != 0) continue;
    const int oy = ty / sh;
    if (oy >= out_h) continue;
    for (int b = 0; b < kw; ++b) {
        const int tx = x - b * dw;
        if (tx < 0) break;
        if (tx % sw != 0) continue;
        const int ox = tx / sw;
        if (ox >= out_w) continue;
        acc += src[((n * out_h + oy) * out_w + ox) * row + (long long)(a * kw + b) * koff + c];
    }
}
out = acc;
"""


@functools.cache
def _kernel() -> Any:
    import cupy

    return cupy.ElementwiseKernel(
        "raw T src, int32 height, int32 width, int32 channels, int32 out_h, int32 out_w, int32 kh, int32 kw, "
        "int32 sh, int32 sw, int32 dh, int32 dw, int64 row, int64 koff",
        "T out",
        _FOLD,
        "xcnn_fold_windows",
    )


def fold_windows(src: Any, win: Windows, m: int, channels: int, *, per_offset: bool) -> Any:
    """Sum window entries back onto the padded input, ``(m, H_pad, W_pad, C)``.

    Parameters
    ----------
    src : cupy.ndarray
        ``(m*out_h*out_w, kh*kw*C)`` with one entry per window and offset
        (`per_offset`, as the reference's :func:`~xcnn._reference.windows.fold` takes), or
        ``(m, out_h, out_w, C)`` with one entry per window, given to every
        offset (as :func:`~xcnn._reference.windows.spread` takes).
    """
    import cupy

    (height, width), (out_h, out_w) = win.padded_size, win.out_size
    (kh, kw), (sh, sw), (dh, dw) = win.kernel, win.stride, win.dilation
    src = cupy.ascontiguousarray(src)
    out = cupy.empty((m, height, width, channels), dtype=src.dtype)
    row, koff = (kh * kw * channels, channels) if per_offset else (channels, 0)
    return _kernel()(src, height, width, channels, out_h, out_w, kh, kw, sh, sw, dh, dw, row, koff, out)
