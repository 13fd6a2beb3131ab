"""NumPy-only fast path: convolution without gathered windows, from register-blocked loops.

The array-API convolution (:mod:`xcnn._conv`) gathers every window into a
matrix (im2col) and hands it to BLAS. Where the layer has few channels those
matrices are tall and thin, BLAS runs them at a fraction of its peak, and
gathering the windows and adding their gradients back costs as much again.
The loops of :mod:`xcnn._direct_conv_kernels` read the padded input in place
and keep a block of outputs in registers while they walk the kernel's taps:

- the forward pass, a few output pixels x 8, 16 or 32 output channels per block;
- the input gradient, as the same loops over the output gradient padded by
  the kernel's span, with the kernel flipped and its channel axes swapped;
- the weight gradient, 4 input x 16 or 8 input x 8 output channels per
  block, summed over each output row's pixels, and the bias gradient beside it.

:func:`usable` says which layers run here (after :mod:`xcnn._jit`'s
conditions and one group): stride 1, channel counts that fill the blocks and
are not too many, not a pointwise layer.

The blocks are vectorised by LLVM's SLP vectoriser, which Numba leaves off by
default since it miscompiled code in older LLVM versions (numba#8852). It is
turned on only while these kernels compile, under Numba's compiler lock so no
other compilation sees it; the tests compare every kernel with PyTorch and
with the array-API code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from . import _direct_conv_kernels as _kernels
from ._threads import in_sample_blocks
from ._windows import Windows

__all__ = ["backward", "forward", "usable"]

LANES = 8
"""Output channels per register block (and input channels of the weight gradient's)."""


class _VectorisedKernel:
    """A Numba kernel compiled with the SLP vectoriser on, once per argument types.

    The first call with new argument types compiles (or loads from Numba's
    cache) with ``SLP_VECTORIZE`` set, holding Numba's global compiler lock;
    later calls go straight to the dispatcher.
    """

    def __init__(self, kernel: Callable[..., Any]) -> None:
        options = {"nogil": True, "error_model": "numpy", "boundscheck": False, "fastmath": {"contract"}}
        try:
            self._dispatcher = numba.njit(cache=True, **options)(kernel)
        except RuntimeError:  # no writable cache directory: compile in each process
            self._dispatcher = numba.njit(**options)(kernel)
        self._ready: set[tuple[Any, ...]] = set()
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> Any:
        key = tuple(a.dtype if isinstance(a, np.ndarray) else type(a) for a in args)
        if key not in self._ready:
            with self._lock:
                if key not in self._ready:
                    self._compile(tuple(numba.typeof(a) for a in args))
                    self._ready.add(key)
        return self._dispatcher(*args)

    def _compile(self, signature: tuple[Any, ...]) -> None:
        from numba.core import config
        from numba.core.compiler_lock import global_compiler_lock

        with global_compiler_lock:
            before = config.SLP_VECTORIZE
            config.SLP_VECTORIZE = 1
            try:
                self._dispatcher.compile(signature)
            finally:
                config.SLP_VECTORIZE = before


_FORWARD = {lanes: _VectorisedKernel(getattr(_kernels, f"forward_{lanes}")) for lanes in (32, 16, 8)}
_WEIGHT_GRADIENT = {lanes: _VectorisedKernel(getattr(_kernels, f"weight_gradient_{lanes}")) for lanes in (16, 8)}


def _widest(kernels: dict[int, _VectorisedKernel], channels: int) -> _VectorisedKernel:
    """The kernel with the widest register block that `channels` fills (see the generator's measurements)."""
    return next(kernel for lanes, kernel in kernels.items() if channels % lanes == 0)


def _taps(kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Row and column offset of each tap ``k = i*kw + j``, dilation applied."""
    (kh, kw), (dh, dw) = kernel, dilation
    k = np.arange(kh * kw, dtype=np.int64)
    return (k // kw) * dh, (k % kw) * dw


MAX_CHANNEL_PRODUCT = 64 * 64
"""Largest ``C_in * C_out`` that runs here: with more channels BLAS is faster."""
# Measured on a 2-core CPU, forward + backward in ms, float32, 3x3 windows:
#   (64, 32, 32, 16) -> 32, stride 1:   26 here, 39 through gathered windows and BLAS
#   (32, 64, 64, 32) -> 64, stride 1:  157 here, 216 through BLAS
#   (16, 56, 56, 64) -> 64, stride 1:   96 here, 122 through BLAS
#   (32, 16, 16, 128) -> 128, stride 1: 93 here,  79 through BLAS
# A layer runs here whole or not at all: BLAS threads keep spinning for a
# while after a product and take a core from the loops that run next, so a
# layer mixing the two was slower than either (the 64 -> 64 layer: 136 to
# 145 ms with only the forward pass, or it and the weight gradient, here).
# At stride 2 the loops run at about half their stride-1 speed, and the input
# gradient, as one correlation per phase of the input, wrote its phases into
# place in another pass: (64, 32, 32, 32) -> 32 took 25 ms here against 21
# through BLAS, so strided layers stay there.


def usable(win: Windows, c_in: int, c_out: int, itemsize: int, limit: int) -> bool:
    """Whether a one-group layer runs here (the caller checks :func:`xcnn._jit.enabled`).

    Stride 1; the blocks must be whole: ``C_in`` and ``C_out`` multiples of
    :data:`LANES` (``C_in`` is the input gradient's output), and not too
    many (:data:`MAX_CHANNEL_PRODUCT`); and one sample's padded copies
    within the workspace limit of `limit` bytes (larger batches go in
    chunks of samples). Pointwise layers are plain products
    (:func:`xcnn._conv._is_pointwise`).
    """
    return (
        win.stride == (1, 1)
        and win.kernel != (1, 1)
        and c_in % LANES == 0
        and c_out % LANES == 0
        and c_in * c_out <= MAX_CHANNEL_PRODUCT
        and _padded_bytes(win, c_in, c_out, itemsize) <= limit
    )


def _padded_bytes(win: Windows, c_in: int, c_out: int, itemsize: int) -> int:
    """Bytes of one sample's padded input and padded output gradient (the backward pass holds both)."""
    _, _, pad_h, pad_w = _gradient_padding(win)
    (h_pad, w_pad), (out_h, out_w) = win.padded_size, win.out_size
    return itemsize * (h_pad * w_pad * c_in + (out_h + sum(pad_h)) * (out_w + sum(pad_w)) * c_out)


def _chunks(m: int, per_sample: int, limit: int) -> list[slice]:
    """Blocks of samples whose padded copies fit in `limit` bytes."""
    step = max(1, limit // max(per_sample, 1))
    return [slice(i, min(i + step, m)) for i in range(0, m, step)]


def _pad(a: np.ndarray, padding: tuple[tuple[int, int], tuple[int, int]]) -> np.ndarray:
    """`a` with zero rows and columns around each sample, C-contiguous."""
    if padding == ((0, 0), (0, 0)):
        return np.ascontiguousarray(a)
    return np.pad(a, ((0, 0), *padding, (0, 0)))


def _correlate(x_pad: np.ndarray, w3: np.ndarray, b: np.ndarray, z: np.ndarray, taps: tuple[np.ndarray, np.ndarray]) -> None:
    """Fill ``z (m, out_h, out_w, C_out)`` from the forward kernel at stride 1, on blocks of samples in parallel threads."""
    dy_k, dx_k = taps
    kernel = _widest(_FORWARD, z.shape[3])
    in_sample_blocks(len(z), x_pad.nbytes, lambda s: kernel(x_pad[s], w3, b, z[s], dy_k, dx_k, 1, 1))


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, win: Windows, limit: int) -> np.ndarray:
    """Convolution of ``x (m, H, W, C)``, zero-padded as `win` says, with ``w (kh, kw, C, C_out)``, plus `b`.

    Samples go in chunks whose padded copies fit in `limit` bytes.
    """
    kh, kw, c_in, c_out = w.shape
    w3 = np.ascontiguousarray(np.reshape(w, (kh * kw, c_in, c_out)))
    b = np.zeros(c_out, dtype=w.dtype) if b is None else np.ascontiguousarray(b)
    z = np.empty((x.shape[0], *win.out_size, c_out), dtype=x.dtype)
    per_sample = x.dtype.itemsize * win.padded_size[0] * win.padded_size[1] * c_in
    for chunk in _chunks(len(x), per_sample, limit):
        _correlate(_pad(x[chunk], win.full_padding), w3, b, z[chunk], _taps(win.kernel, win.dilation))
    return z


def _flipped_taps(n_in: int, n_out: int, k: int, d: int, lo: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Along one axis: where tap ``i`` of the input gradient reads the padded output gradient.

    Input row ``h`` takes ``dz[h + lo - i*d] * w[i]``: the output gradient
    correlated with the flipped kernel. Returns each tap's row offset into
    ``dz`` padded by the zero rows before and after it that are returned
    too (the kernel's span less the padding, where that is positive).
    """
    before = max(0, (k - 1) * d - lo)
    after = max(0, n_in + lo - n_out)
    return lo - np.arange(k, dtype=np.int64) * d + before, (before, after)


def _gradient_padding(win: Windows) -> tuple[np.ndarray, np.ndarray, tuple[int, int], tuple[int, int]]:
    """Tap offsets along rows and columns for the input gradient, and the output gradient's padding."""
    (kh, kw), (dh, dw), ((top, _), (left, _)) = win.kernel, win.dilation, win.full_padding
    rows, pad_h = _flipped_taps(win.in_size[0], win.out_size[0], kh, dh, top)
    cols, pad_w = _flipped_taps(win.in_size[1], win.out_size[1], kw, dw, left)
    return rows, cols, pad_h, pad_w


def backward(dz: np.ndarray, x: np.ndarray, w: np.ndarray, win: Windows, limit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of :func:`forward` with respect to ``x``, ``w`` and the bias.

    The input gradient is the forward loops again: the zero-padded output
    gradient correlated with the flipped kernel, read from output channels
    into input channels. The weight and bias gradients come from their own
    loops, in the same threads: not from a matrix product afterwards, as
    BLAS threads keep spinning for a while after a product and took a core
    from the loops that ran next (2-core CPU, the input gradient of
    ``(64, 32, 32, 16) -> 32``: 15 against 8 ms). Samples go in chunks whose
    padded copies fit in `limit` bytes.

    Returns
    -------
    dx : ``(m, H, W, C)``
    dw : ``(kh, kw, C, C_out)``
    db : ``(C_out,)``
    """
    kh, kw, c_in, c_out = w.shape
    rows, cols, pad_h, pad_w = _gradient_padding(win)
    flipped_taps = (np.repeat(rows, kw), np.tile(cols, kh))  # tap i*kw + j, as w's
    w_t = np.ascontiguousarray(np.reshape(np.swapaxes(w, 2, 3), (kh * kw, c_out, c_in)))
    no_bias = np.zeros(c_in, dtype=dz.dtype)
    dx = np.empty(x.shape, dtype=dz.dtype)
    dw = np.zeros((kh * kw, c_in, c_out), dtype=dz.dtype)
    db = np.zeros(c_out, dtype=dz.dtype)
    for chunk in _chunks(len(x), _padded_bytes(win, c_in, c_out, dz.dtype.itemsize), limit):
        _correlate(_pad(dz[chunk], (pad_h, pad_w)), w_t, no_bias, dx[chunk], flipped_taps)
        dw_part, db_part = _weight_gradient_of(_pad(x[chunk], win.full_padding), np.ascontiguousarray(dz[chunk]), win)
        dw += dw_part
        db += db_part
    return dx, np.reshape(dw, w.shape), db


def _weight_gradient_of(x_pad: np.ndarray, dz: np.ndarray, win: Windows) -> tuple[np.ndarray, np.ndarray]:
    """``(dw (taps, C, C_out), db)`` of these samples, each block of samples in a thread of its own."""
    c_in, c_out = x_pad.shape[3], dz.shape[3]
    dy_k, dx_k = _taps(win.kernel, win.dilation)
    kernel = _widest(_WEIGHT_GRADIENT, c_out)

    def run(s: slice) -> tuple[np.ndarray, np.ndarray]:
        dw, db = np.zeros((len(dy_k), c_in, c_out), dtype=dz.dtype), np.zeros(c_out, dtype=dz.dtype)  # this block's
        kernel(x_pad[s], dz[s], dw, db, np.empty_like(dw), np.empty_like(db), dy_k, dx_k, 1, 1)
        return dw, db

    parts = in_sample_blocks(len(dz), x_pad.nbytes, run)
    dw, db = (sum(totals[1:], totals[0]) for totals in zip(*parts))
    return dw, db
