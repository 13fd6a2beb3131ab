"""NumPy-only fast path: convolution without unfolded windows, from register-blocked loops.

The array-API convolution (:mod:`xcnn._reference.conv`) unfolds every window
into a matrix (im2col) and hands it to BLAS. Where the layer has few channels
those matrices are tall and thin, BLAS runs them at a fraction of its peak,
and unfolding the windows and folding their gradients back costs as much
again. The loops of :mod:`.direct_conv_kernels` keep a block of outputs in
vector registers while they walk the kernel's taps (:mod:`.register_blocks`;
the block shapes are those of the host's vector ISA and the arrays' dtype,
:mod:`.direct_loops` holds them compiled):

- the forward pass, a few output pixels x 8, 16 or 32 output channels per
  block, the weights packed so that each block reads one run of memory
  (:func:`.direct_loops.packed`); the loops read the input in place, taking
  the pixels whose taps reach into the padding one at a time, or, where that
  would leave more such pixels, each thread copies one sample at a time into
  a zero-bordered buffer of its own and reads it from there
  (:func:`.direct_conv_phases.reads_in_place`);
- the input gradient, as the same loops over the output gradient padded by
  the kernel's span, with the kernel flipped and its channel axes swapped
  (above stride 1, every phase of the input in the same call, each written
  straight into place: :mod:`.direct_conv_phases`);
- the weight gradient, a few input x 8 or 16 output channels per
  block, summed over each output row's pixels, and the bias gradient beside
  it, reading the input in place (each tap's rows and columns inside it
  worked out once);
- for fewer than 8 input channels (a first layer), the weight gradient one
  input channel at a time and the input gradient as dot products over the
  output channels.

:func:`usable` says which layers run here (after :mod:`.available`'s
conditions and one group): channel counts that fill the blocks and are not
too many, 1x1 windows only at stride 1 and with fewer channels still.
Depthwise layers have loops of their own (:mod:`.direct_depthwise`, whose
functions this module re-exports for the dispatch table).

The tests compare every kernel with PyTorch and with the array-API code, on
every ISA's block shapes (``tests/test_isa.py``). Each loop compiles when a
layer first needs it, in about a second (measurements: BENCHMARKS.md, 'CPU
speed by default and on every host'), cached on disk by Numba like the rest.
"""

from __future__ import annotations

import numpy as np

from ...._geometry import Windows
from .. import threads as _threads
from ..threads import in_thread_shares, summed_over_thread_shares
from .compile import tap_offsets
from .direct_conv_phases import Padded, PhasedCorrelation, gradient_phases, phased_correlation
from .direct_conv_phases import reads_in_place as _reads_in_place
from .direct_depthwise import depthwise_backward, depthwise_forward, depthwise_usable
from .direct_loops import DEPTHWISE as _DEPTHWISE  # noqa: F401 - every table named here (see below)
from .direct_loops import DEPTHWISE_WEIGHT_GRADIENT as _DEPTHWISE_WEIGHT_GRADIENT  # noqa: F401
from .direct_loops import DEPTHWISE_WEIGHT_GRADIENT_3X3 as _DEPTHWISE_WEIGHT_GRADIENT_3X3  # noqa: F401
from .direct_loops import FORWARD as _FORWARD
from .direct_loops import FORWARD_PIXELS as _FORWARD_PIXELS
from .direct_loops import LANES, inside_columns, packed, widest, widest_lanes
from .direct_loops import NARROW_INPUT_GRADIENT as _NARROW_INPUT_GRADIENT
from .direct_loops import NARROW_WEIGHT_GRADIENT as _NARROW_WEIGHT_GRADIENT
from .direct_loops import WEIGHT_GRADIENT as _WEIGHT_GRADIENT

__all__ = ["LANES", "backward", "depthwise_backward", "depthwise_forward", "depthwise_usable", "forward", "usable"]

# The passes look up _FORWARD, _FORWARD_PIXELS and _reads_in_place here, in this module's namespace,
# so that a test may swap them for the plain-Python loops or force either way of reading; and every
# kernel table of .direct_loops has a name here (tests/boundscheck_sweep.py walks them).

MAX_CHANNEL_PRODUCT = 128 * 128
"""Largest ``C_in * C_out`` that runs here: with more channels BLAS is faster."""
MAX_POINTWISE_CHANNEL_PRODUCT = 64 * 128
"""The same for 1x1 windows (at stride 1 only), which are otherwise one product per pass."""
# Both limits come from timing forward + backward passes here against unfolded windows and BLAS
# (measurements: BENCHMARKS.md, 'Why each path exists'). A layer runs here whole or not at all:
# BLAS threads keep spinning for a while after a product and take a core from the loops that run
# next, so a layer mixing the two was slower than either.


def usable(win: Windows, c_in: int, c_out: int, itemsize: int, limit: int) -> bool:
    """Whether a one-group layer runs here (the caller checks :func:`.available.enabled`).

    The blocks must be whole: ``C_out`` a multiple of :data:`LANES`, and
    ``C_in`` too (it is the input gradient's output) or, at stride 1, fewer
    than :data:`LANES` (a first layer: :func:`_narrow`); not too many
    channels (:data:`MAX_CHANNEL_PRODUCT`; for 1x1 windows, which run here
    at stride 1 only, :data:`MAX_POINTWISE_CHANNEL_PRODUCT`); rows of input
    and output at least :data:`LANES` pixels wide (narrower ones go mostly
    one pixel at a time, no faster than the unfolded windows; measurements:
    BENCHMARKS.md, 'Why each path exists'); and the loops'
    buffers within the workspace limit of `limit` bytes
    (:func:`_buffer_bytes`: each thread pads one sample at a time into a
    buffer of its own).
    """
    pointwise = win.kernel == (1, 1)
    return (
        (not pointwise or win.stride == (1, 1))
        and min(win.in_size[1], win.out_size[1]) >= LANES
        and (c_in % LANES == 0 or (_narrow(c_in) and win.stride == (1, 1)))
        and c_out % LANES == 0
        and c_in * c_out <= (MAX_POINTWISE_CHANNEL_PRODUCT if pointwise else MAX_CHANNEL_PRODUCT)
        and _buffer_bytes(win, c_in, c_out, itemsize) <= limit
    )


def _narrow(c_in: int) -> bool:
    """Fewer input channels than a register block: the weight gradient goes one input channel at
    a time, and the input gradient as dot products over the output channels (stride 1 only)."""
    return c_in < LANES


def _buffer_bytes(win: Windows, c_in: int, c_out: int, itemsize: int) -> int:
    """Bytes of the loops' buffers at once: a padded sample of the input or of the output gradient
    (one pass after the other; :func:`_narrow` layers read the output gradient unpadded, and a pass
    without padding reads its input in place) in each thread. A padded pass counts as copying,
    though it may read in place instead (:func:`_reads_in_place`): never fewer bytes than used."""
    (h_pad, w_pad), (out_h, out_w) = win.padded_size, win.out_size
    (_, top, bottom), (_, left, right) = gradient_phases(win)
    padded_x = h_pad * w_pad * c_in if win.padded_size != win.in_size else 0
    padded_dz = 0 if _narrow(c_in) or not any((top, bottom, left, right)) else (
        (out_h + top + bottom) * (out_w + left + right) * c_out
    )
    return _threads.thread_count() * itemsize * max(padded_x, padded_dz)


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, win: Windows) -> np.ndarray:
    """Convolution of ``x (m, H, W, C)``, zero-padded as `win` says, with ``w (kh, kw, C, C_out)``, plus `b`.

    The loops read `x` in place or pad one sample at a time into a buffer of
    their own (:class:`.direct_conv_phases.Padded`): no padded copy of the batch.
    """
    kh, kw, c_in, c_out = w.shape
    x = np.ascontiguousarray(x)
    lanes = widest_lanes(_FORWARD, x.dtype, c_out)
    w3 = packed(np.reshape(w, (kh * kw, c_in, c_out)), lanes)
    b = np.zeros(c_out, dtype=w.dtype) if b is None else np.ascontiguousarray(b)
    z = np.empty((x.shape[0], *win.out_size, c_out), dtype=x.dtype)
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    kernel = _FORWARD[x.dtype][lanes]
    (sh, sw), (out_h, out_w), (_, (left, _)) = win.stride, win.out_size, win.full_padding
    one_phase = np.array([[out_h, out_w, 0, 0, 0, len(dy_k)]], dtype=np.int64)  # the whole output, every tap
    in_place = _reads_in_place(one_phase, dx_k, x.shape[2], left, sw, _FORWARD_PIXELS[x.dtype][lanes])
    padded = Padded(x, win.full_padding, in_place)

    def run(s: slice) -> None:
        xs, top, left, pad_h, pad_w = padded.arguments()
        kernel(x[s], xs, w3, b, z[s], dy_k, dx_k, one_phase, top, left, pad_h, pad_w, sh, sw, 1, 1)

    in_thread_shares(len(z), max(x.nbytes, z.nbytes), run)  # a first layer's input is small next to its output
    return z


def _input_gradient(
    dz: np.ndarray, padding: tuple[tuple[int, int], tuple[int, int]], correlation: PhasedCorrelation,
    unreached: list[tuple[int, int]], dx: np.ndarray, stride: tuple[int, int], lanes: int,
) -> None:
    """Fill `dx` from the output gradient, padded by `padding` zeros, every phase
    (:func:`.direct_conv_phases.phased_correlation`, weights packed by `lanes`) straight into place.
    """
    sh, sw = stride
    for r_h, r_w in unreached:
        dx[:, r_h::sh, r_w::sw] = 0
    kernel = _FORWARD[dx.dtype][lanes]
    no_bias = np.zeros(dx.shape[3], dtype=dx.dtype)
    w_all, dy_k, dx_k, phases = correlation
    (_, (left, _)) = padding
    in_place = _reads_in_place(phases, dx_k, dz.shape[2], left, 1, _FORWARD_PIXELS[dx.dtype][lanes])
    padded = Padded(dz, padding, in_place)

    def run(s: slice) -> None:
        dzs, top, left, pad_h, pad_w = padded.arguments()
        kernel(dz[s], dzs, w_all, no_bias, dx[s], dy_k, dx_k, phases, top, left, pad_h, pad_w, 1, 1, sh, sw)

    in_thread_shares(len(dx), max(dz.nbytes, dx.nbytes), run)


def _narrow_input_gradient(dz: np.ndarray, w: np.ndarray, dx: np.ndarray, win: Windows) -> None:
    """Fill `dx` for fewer than :data:`LANES` input channels, at stride 1, from the unpadded `dz`."""
    kh, kw, c_in, c_out = w.shape
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    (top, _), (left, _) = win.full_padding
    w3 = np.ascontiguousarray(np.reshape(w, (kh * kw, c_in, c_out)))
    # the columns every tap reaches inside dz (which the loops read at column + left - dx_k, mirrored):
    # blocks of pixels there, single pixels elsewhere
    inside = inside_columns(win.out_size[1], -left, -dx_k)
    kernel = widest(_NARROW_INPUT_GRADIENT, dz.dtype, c_out)
    in_thread_shares(
        len(dx), max(dz.nbytes, dx.nbytes), lambda s: kernel(dz[s], w3, dx[s], dy_k, dx_k, top, left, *inside)
    )


def backward(dz: np.ndarray, x: np.ndarray, w: np.ndarray, win: Windows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of :func:`forward` with respect to ``x``, ``w`` and the bias.

    The input gradient is the forward loops again: the zero-padded output
    gradient correlated with the flipped kernel, read from output channels
    into input channels (at a stride above 1, once per phase of the input,
    :func:`.direct_conv_phases.phases`, each written straight into place). The weight and bias
    gradients come from their own loops, in the same threads: not from a
    matrix product afterwards, as BLAS threads keep spinning for a while
    after a product and took a core from the loops that ran next, which made
    the passes slower (measurements: BENCHMARKS.md, 'Why each path exists').

    Returns
    -------
    dx : ``(m, H, W, C)``
    dw : ``(kh, kw, C, C_out)``
    db : ``(C_out,)``
    """
    c_in = w.shape[2]
    phases = gradient_phases(win)
    (_, top, bottom), (_, left, right) = phases
    dz, x = np.ascontiguousarray(dz), np.ascontiguousarray(x)
    dx = np.empty(x.shape, dtype=dz.dtype)
    if _narrow(c_in):
        _narrow_input_gradient(dz, w, dx, win)
    else:
        lanes = widest_lanes(_FORWARD, dx.dtype, c_in)
        correlation, unreached = phased_correlation(np.swapaxes(w, 2, 3), phases, lanes)
        _input_gradient(dz, ((top, bottom), (left, right)), correlation, unreached, dx, win.stride, lanes)
    dw, db = _weight_gradient_of(x, dz, win)
    return dx, np.reshape(dw, w.shape), db


def _weight_gradient_of(x: np.ndarray, dz: np.ndarray, win: Windows) -> tuple[np.ndarray, np.ndarray]:
    """``(dw (taps, C, C_out), db)``, each block of samples in a thread of its own."""
    c_in, c_out = x.shape[3], dz.shape[3]
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    kernel = widest(_NARROW_WEIGHT_GRADIENT if _narrow(c_in) else _WEIGHT_GRADIENT, dz.dtype, c_out)
    ((top, _), (left, _)), (sh, sw) = win.full_padding, win.stride

    def run(s: slice) -> tuple[np.ndarray, np.ndarray]:
        dw, db = np.zeros((len(dy_k), c_in, c_out), dtype=dz.dtype), np.zeros(c_out, dtype=dz.dtype)  # this block's
        kernel(x[s], dz[s], dw, db, np.empty_like(dw), np.empty_like(db), dy_k, dx_k, top, left, sh, sw)
        return dw, db

    return summed_over_thread_shares(len(dz), max(x.nbytes, dz.nbytes), run)
