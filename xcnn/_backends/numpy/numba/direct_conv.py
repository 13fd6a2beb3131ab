"""NumPy-only fast path: convolution without gathered windows, from register-blocked loops.

The array-API convolution (:mod:`xcnn._conv`) gathers every window into a
matrix (im2col) and hands it to BLAS. Where the layer has few channels those
matrices are tall and thin, BLAS runs them at a fraction of its peak, and
gathering the windows and adding their gradients back costs as much again.
The loops of :mod:`xcnn._direct_conv_kernels` keep a block of outputs in
registers while they walk the kernel's taps (float64 has blocks of its own,
half as many channels wide: the same registers):

- the forward pass, a few output pixels x 8, 16 or 32 output channels per
  block, the weights rearranged so that each block reads one run of memory;
  the loops read the input in place, taking the pixels whose taps reach into
  the padding one at a time, or, where that would leave more such pixels,
  each thread copies one sample at a time into a zero-bordered buffer of its
  own and reads it from there (:func:`_reads_in_place`);
- the input gradient, as the same loops over the output gradient padded by
  the kernel's span, with the kernel flipped and its channel axes swapped
  (above stride 1, every phase of the input in the same call, each written
  straight into place);
- the weight gradient, 4 input x 16 or 8 input x 8 output channels per
  block, summed over each output row's pixels, and the bias gradient beside
  it, reading the input in place (each tap's rows and columns inside it
  worked out once);
- for fewer than 8 input channels (a first layer), the weight gradient one
  input channel at a time and the input gradient as dot products over the
  output channels.

:func:`usable` says which layers run here (after :mod:`xcnn._jit`'s
conditions and one group): channel counts that fill the blocks and are not
too many, 1x1 windows only at stride 1 and with fewer channels still.

The blocks are vectorised by LLVM's SLP vectoriser, which Numba leaves off by
default since it miscompiled code in older LLVM versions (numba#8852). It is
turned on only while these kernels compile, under Numba's compiler lock so no
other compilation sees it; the tests compare every kernel with PyTorch and
with the array-API code. The unrolled blocks take longer to compile than the
other kernels: 3 to 6 s each per dtype on a 2-core CPU (a layer uses up to three of them),
cached on disk by Numba like the rest.
"""

from __future__ import annotations

import numpy as np

from ...._geometry import Windows
from .. import threads as _threads
from ..threads import in_thread_shares, summed_over_thread_shares
from . import direct_conv_kernels as _kernels
from .compile import VectorisedKernel, tap_offsets
from .depthwise import depthwise_geometry

__all__ = ["backward", "forward", "usable"]

LANES = 8
"""Channels in the narrowest register block (one 256-bit vector of float32): ``C_in`` and ``C_out`` must be multiples."""


Kernels = dict[np.dtype, dict[int, VectorisedKernel]]
"""Per dtype, the loops of one pass by the channels their register blocks span, widest first."""
F32, F64 = np.dtype(np.float32), np.dtype(np.float64)


def _compiled(name: str, lanes: tuple[int, ...]) -> dict[int, VectorisedKernel]:
    return {n: VectorisedKernel(getattr(_kernels, f"{name}_{n}")) for n in lanes}


def _either_dtype(kernels: dict[int, VectorisedKernel]) -> Kernels:
    """Loops whose blocks fit the registers in float32 and float64 alike."""
    return {F32: kernels, F64: kernels}


# float64 blocks span half the channels of float32 ones: the same registers (see the generator)
_FORWARD: Kernels = {F32: _compiled("forward", (32, 16, 8)), F64: _compiled("forward_f64", (16, 8))}
_WEIGHT_GRADIENT: Kernels = {F32: _compiled("weight_gradient", (16, 8)), F64: _compiled("weight_gradient_f64", (16, 8))}
_NARROW_WEIGHT_GRADIENT = _either_dtype(_compiled("narrow_weight_gradient", (32, 16, 8)))
_NARROW_INPUT_GRADIENT: Kernels = {
    F32: _compiled("narrow_input_gradient", (32, 16, 8)),
    F64: _compiled("narrow_input_gradient_f64", (16, 8)),
}


def _widest_lanes(kernels: Kernels, dtype: np.dtype, channels: int) -> int:
    """The widest register block of `kernels` for `dtype` that `channels` fills (see the generator's measurements)."""
    return next(lanes for lanes in kernels[dtype] if channels % lanes == 0)


def _widest(kernels: Kernels, dtype: np.dtype, channels: int) -> VectorisedKernel:
    """The kernel for `dtype` with the widest register block that `channels` fills."""
    return kernels[dtype][_widest_lanes(kernels, dtype, channels)]


def _blocked(w3: np.ndarray, lanes: int) -> np.ndarray:
    """``w3 (taps, C_in, C_out)`` as the forward loops read it, ``(C_out / lanes, taps, C_in, lanes)``:
    the weights of each block of output channels in one run of memory (see the generator)."""
    taps, c_in, c_out = w3.shape
    return np.ascontiguousarray(np.moveaxis(np.reshape(w3, (taps, c_in, c_out // lanes, lanes)), 2, 0))


MAX_CHANNEL_PRODUCT = 128 * 128
"""Largest ``C_in * C_out`` that runs here: with more channels BLAS is faster."""
MAX_POINTWISE_CHANNEL_PRODUCT = 64 * 128
"""The same for 1x1 windows (at stride 1 only), which are otherwise one product per pass."""
# Measured on a 2-core CPU (AMD EPYC, AVX2), forward + backward in ms,
# float32, 3x3 windows, here against gathered windows and BLAS, with the
# loops padding a sample at a time (before that, BLAS was faster from
# 32 x 64 channels at stride 2 and 128 x 128 at stride 1):
#   (32, 32, 32, 128) -> 64, stride 1:   116 against 176-180
#   (32, 16, 16, 64) -> 128, stride 1:    30 against 34
#   (32, 16, 16, 128) -> 128, stride 1:   60 against 64
#   (16, 16, 16, 128) -> 256, stride 1:   63 against 53-56
#   (32, 32, 32, 32) -> 64, stride 2:   9.5-15 against 15
#   (32, 32, 32, 64) -> 128, stride 2:   29-30 against 44-46
#   (16, 32, 32, 128) -> 128, stride 2:  32 against 35
#   (16, 32, 32, 256) -> 128, stride 2:  71 against 72-73
# 1x1 windows, here against one product per pass:
#   (32, 32, 32, 64) -> 128, stride 1:  14 against 16-22
#   (16, 56, 56, 64) -> 64, stride 1:   11 against 17-18
#   (64, 32, 32, 32) -> 32, stride 1:   9-10 against 9-10
#   (32, 16, 16, 128) -> 128, stride 1: 8-12 against 7
#   (16, 16, 16, 128) -> 256, stride 1: 11-13 against 7-8
#   (32, 32, 32, 64) -> 128, stride 2:  10 against 9 (gathered windows)
# A layer runs here whole or not at all: BLAS threads keep spinning for a
# while after a product and take a core from the loops that run next, so a
# layer mixing the two was slower than either (the 64 -> 64 layer: 136 to
# 145 ms with only the forward pass, or it and the weight gradient, here,
# against 96 all here and 122 all through BLAS).


def usable(win: Windows, c_in: int, c_out: int, itemsize: int, limit: int) -> bool:
    """Whether a one-group layer runs here (the caller checks :func:`xcnn._jit.enabled`).

    The blocks must be whole: ``C_out`` a multiple of :data:`LANES`, and
    ``C_in`` too (it is the input gradient's output) or, at stride 1, fewer
    than :data:`LANES` (a first layer: :func:`_narrow`); not too many
    channels (:data:`MAX_CHANNEL_PRODUCT`; for 1x1 windows, which run here
    at stride 1 only, :data:`MAX_POINTWISE_CHANNEL_PRODUCT`); rows of input
    and output at least :data:`LANES` pixels wide (narrower ones go mostly
    one pixel at a time, no faster than the gathered windows: 32 samples of
    7x7 pixels, 32 -> 32 channels, forward + backward 1.9 against 1.3 ms; of
    4x4 pixels, 8 -> 16: 393 against 365 microseconds); and the loops'
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
    (_, top, bottom), (_, left, right) = _gradient_phases(win)
    padded_x = h_pad * w_pad * c_in if win.padded_size != win.in_size else 0
    padded_dz = 0 if _narrow(c_in) or not any((top, bottom, left, right)) else (
        (out_h + top + bottom) * (out_w + left + right) * c_out
    )
    return _threads.thread_count() * itemsize * max(padded_x, padded_dz)


class _Padded:
    """How the loops read each sample of ``a (m, H, W, C)``, padded by ``((top, bottom), (left, right))`` zeros.

    Either each thread copies one sample at a time into a buffer of the padded
    size (allocated here, so that NumPy's memory accounting sees it) and the
    loops read it from there, or, with `in_place`, the loops read the sample
    where it is and take the pixels whose taps reach into the padding one at
    a time (see :func:`_reads_in_place`). No padded copy of the batch either way.
    """

    def __init__(self, a: np.ndarray, padding: tuple[tuple[int, int], tuple[int, int]], in_place: bool) -> None:
        (top, bottom), (left, right) = padding
        self.top, self.left = top, left
        self.height, self.width = a.shape[1] + top + bottom, a.shape[2] + left + right
        self._channels, self._dtype, self._in_place = a.shape[3], a.dtype, in_place

    def arguments(self) -> tuple[np.ndarray, int, int, int, int]:
        """A fresh buffer for one padded sample (flat, zeros; empty where the loops read in place) and
        the loops' ``top, left, pad_h, pad_w``."""
        size = 0 if self._in_place else self.height * self.width * self._channels
        return np.zeros(size, dtype=self._dtype), self.top, self.left, self.height, self.width


_FORWARD_PIXELS = {
    F32: {lanes: _kernels.FORWARD_PIXELS[f"forward_{lanes}"] for lanes in _FORWARD[F32]},
    F64: {lanes: _kernels.FORWARD_PIXELS[f"forward_f64_{lanes}"] for lanes in _FORWARD[F64]},
}
"""Pixels per register block of the forward loops, by dtype and lanes."""


def _reads_in_place(phases: np.ndarray, dx_k: np.ndarray, width: int, left: int, stride: int, pixels: int) -> bool:
    """Whether the forward loops should read their input in place rather than copy each sample into a
    padded buffer: when that leaves them no more single pixels per row (:func:`_single_pixels`).

    The copy costs a pass over each sample: at stride 2 a fifth of the forward pass (``(64, 32, 32,
    32) -> 32``: 2.1-2.6 ms read in place against 2.7-4.3 copied); with no padding all of it is cost
    (1x1 windows, ``(32, 32, 32, 64) -> 128``: 4.2-5.5 against 5.5-7.8 ms). Reading in place, the pixels
    whose taps reach into the padding go one at a time, and in blocks of 4 or 8 pixels the rest of a
    row may leave more of them over: at stride 1 with one column of padding on each side, 16 input
    channels read in place took 5.1-5.8 against 4.6-4.9 ms for an input gradient.
    """
    columns = [(int(out_w), dx_k[k_lo:k_hi]) for _, out_w, _, _, k_lo, k_hi in phases]
    in_place = sum(_single_pixels(out_w, width, left, taps, stride, pixels) for out_w, taps in columns)
    return in_place <= sum(out_w % pixels for out_w, _ in columns)


def _single_pixels(out_w: int, width: int, left: int, dx_k: np.ndarray, stride: int, pixels: int) -> int:
    """Pixels of a row the forward loops take one at a time reading in place: those whose taps reach
    into the padding, and what blocks of `pixels` leave over between them (see the generated loops)."""
    col_lo = min(out_w, max(0, -(-(left - int(dx_k.min())) // stride)))
    col_hi = max(col_lo, min(out_w, (width - 1 + left - int(dx_k.max())) // stride + 1))
    return out_w - (col_hi - col_lo) // pixels * pixels


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, win: Windows) -> np.ndarray:
    """Convolution of ``x (m, H, W, C)``, zero-padded as `win` says, with ``w (kh, kw, C, C_out)``, plus `b`.

    The loops read `x` in place or pad one sample at a time into a buffer of
    their own (:class:`_Padded`): no padded copy of the batch.
    """
    kh, kw, c_in, c_out = w.shape
    x = np.ascontiguousarray(x)
    lanes = _widest_lanes(_FORWARD, x.dtype, c_out)
    w3 = _blocked(np.reshape(w, (kh * kw, c_in, c_out)), lanes)
    b = np.zeros(c_out, dtype=w.dtype) if b is None else np.ascontiguousarray(b)
    z = np.empty((x.shape[0], *win.out_size, c_out), dtype=x.dtype)
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    kernel = _FORWARD[x.dtype][lanes]
    (sh, sw), (out_h, out_w), (_, (left, _)) = win.stride, win.out_size, win.full_padding
    one_phase = np.array([[out_h, out_w, 0, 0, 0, len(dy_k)]], dtype=np.int64)  # the whole output, every tap
    in_place = _reads_in_place(one_phase, dx_k, x.shape[2], left, sw, _FORWARD_PIXELS[x.dtype][lanes])
    padded = _Padded(x, win.full_padding, in_place)

    def run(s: slice) -> None:
        xs, top, left, pad_h, pad_w = padded.arguments()
        kernel(x[s], xs, w3, b, z[s], dy_k, dx_k, one_phase, top, left, pad_h, pad_w, sh, sw, 1, 1)

    in_thread_shares(len(z), max(x.nbytes, z.nbytes), run)  # a first layer's input is small next to its output
    return z


Phase = tuple[int, int, list[int], list[int]]
"""``(r, rows, taps, shifts)`` of one phase of the input gradient along one axis, see :func:`_phases`."""


def _phases(n_in: int, n_out: int, k: int, s: int, d: int, lo: int) -> tuple[list[Phase], int, int]:
    """The input gradient along one axis, as `s` stride-1 correlations of the output gradient.

    Input row ``h = s*a + r`` (phase ``r``, ``rows`` of them) takes
    ``dz[oh] * w[i]`` for each tap ``i`` with ``oh*s + i*d - lo = h``, that is
    ``oh = a + q``, ``q = (r + lo - i*d) / s`` a whole number. At stride 1
    there is one phase: the output gradient correlated with the flipped
    kernel. Returns ``[(r, rows, taps, shifts), ...]`` and the zero rows
    that ``dz`` needs before and after it so that every ``a + q`` of every
    phase falls inside; each shift is counted from the padded start.
    """
    raw = []
    before = after = 0
    for r in range(s):
        taps = [i for i in range(k) if (r + lo - i * d) % s == 0]
        shifts = [(r + lo - i * d) // s for i in taps]
        rows = len(range(r, n_in, s))
        if taps and rows:
            before = max(before, -min(shifts))
            after = max(after, rows - 1 + max(shifts) - (n_out - 1))
        raw.append((r, rows, taps, shifts))
    return [(r, rows, taps, [q + before for q in shifts]) for r, rows, taps, shifts in raw], before, after


GradientPhases = tuple[tuple[list[Phase], int, int], tuple[list[Phase], int, int]]
""":func:`_phases` along rows and along columns, with the padding each needs."""


def _gradient_phases(win: Windows) -> GradientPhases:
    """:func:`_phases` along rows and along columns."""
    (kh, kw), (sh, sw), (dh, dw), ((top, _), (left, _)) = win.kernel, win.stride, win.dilation, win.full_padding
    return (
        _phases(win.in_size[0], win.out_size[0], kh, sh, dh, top),
        _phases(win.in_size[1], win.out_size[1], kw, sw, dw, left),
    )


PhasedCorrelation = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""``(weights, dy_k, dx_k, phases)``: the forward loops' arguments for every phase of the input gradient
at once: the taps of one phase after the other, and a row ``(rows, columns, first row, first column,
first tap, end tap)`` per phase (see the generated loops)."""


def _phased_correlation(
    w_t: np.ndarray, phases: GradientPhases, lanes: int
) -> tuple[PhasedCorrelation, list[tuple[int, int]]]:
    """The forward loops' arguments for the phases of the input gradient (:func:`_phases`), and the
    phases that no window reaches (a stride above the dilated kernel: zero gradient).

    ``w_t`` is ``(kh, kw, C_out, C)``: the weights read from output channels into input channels,
    blocked for loops `lanes` channels wide (:func:`_blocked`). The loops run every phase of a
    sample while it is in cache (after one copy of it into their padded buffer, if they copy),
    where one call per phase read each sample from memory once per phase: at stride 2 the input gradient of ``(64, 32, 32, 32) -> 32``
    took 2.1-2.2 against 2.5 ms in two threads, of ``(32, 32, 32, 64) -> 128`` 7.8-7.9 against
    8.4-8.6 ms (in one thread the same, 4.7 ms: memory traffic, not arithmetic).
    """
    (rows, _, _), (cols, _, _) = phases
    weights, dy, dx, table, unreached = [], [], [], [], []
    for r_h, n_h, taps_h, shifts_h in rows:
        for r_w, n_w, taps_w, shifts_w in cols:
            if not (n_h and n_w):
                continue
            if not (taps_h and taps_w):
                unreached.append((r_h, r_w))
                continue
            first = sum(map(len, dy))
            dy.append(np.repeat(np.asarray(shifts_h, dtype=np.int64), len(taps_w)))
            dx.append(np.tile(np.asarray(shifts_w, dtype=np.int64), len(taps_h)))
            weights.append(np.reshape(w_t[np.ix_(taps_h, taps_w)], (len(dy[-1]), *w_t.shape[2:])))
            table.append((n_h, n_w, r_h, r_w, first, first + len(dy[-1])))
    if not table:  # no window reaches any input pixel: nothing to correlate
        taps = np.zeros(0, dtype=np.int64)
        return (np.zeros((0, 0, 0, lanes), dtype=w_t.dtype), taps, taps, np.zeros((0, 6), dtype=np.int64)), unreached
    blocked = _blocked(np.concatenate(weights), lanes)
    return (blocked, np.concatenate(dy), np.concatenate(dx), np.array(table, dtype=np.int64)), unreached


def _input_gradient(
    dz: np.ndarray, padding: tuple[tuple[int, int], tuple[int, int]], correlation: PhasedCorrelation,
    unreached: list[tuple[int, int]], dx: np.ndarray, stride: tuple[int, int], lanes: int,
) -> None:
    """Fill `dx` from the output gradient, padded by `padding` zeros, every phase
    (:func:`_phased_correlation`, weights blocked by `lanes`) straight into place.
    """
    sh, sw = stride
    for r_h, r_w in unreached:
        dx[:, r_h::sh, r_w::sw] = 0
    kernel = _FORWARD[dx.dtype][lanes]
    no_bias = np.zeros(dx.shape[3], dtype=dx.dtype)
    w_all, dy_k, dx_k, phases = correlation
    (_, (left, _)) = padding
    in_place = _reads_in_place(phases, dx_k, dz.shape[2], left, 1, _FORWARD_PIXELS[dx.dtype][lanes])
    padded = _Padded(dz, padding, in_place)

    def run(s: slice) -> None:
        dzs, top, left, pad_h, pad_w = padded.arguments()
        kernel(dz[s], dzs, w_all, no_bias, dx[s], dy_k, dx_k, phases, top, left, pad_h, pad_w, 1, 1, sh, sw)

    in_thread_shares(len(dx), max(dz.nbytes, dx.nbytes), run)


def _inside_columns(width: int, left: int, dx_k: np.ndarray) -> tuple[int, int]:
    """The output columns ``ow`` from which every tap, reading column ``ow - left + dx_k[k]``, stays
    inside rows `width` wide: ``(first, end)``, the end exclusive."""
    return left - int(dx_k.min()), width + left - int(dx_k.max())


def _narrow_input_gradient(dz: np.ndarray, w: np.ndarray, dx: np.ndarray, win: Windows) -> None:
    """Fill `dx` for fewer than :data:`LANES` input channels, at stride 1, from the unpadded `dz`."""
    kh, kw, c_in, c_out = w.shape
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    (top, _), (left, _) = win.full_padding
    w3 = np.ascontiguousarray(np.reshape(w, (kh * kw, c_in, c_out)))
    # the columns every tap reaches inside dz (which the loops read at column + left - dx_k, mirrored):
    # blocks of pixels there, single pixels elsewhere
    inside = _inside_columns(win.out_size[1], -left, -dx_k)
    kernel = _widest(_NARROW_INPUT_GRADIENT, dz.dtype, c_out)
    in_thread_shares(
        len(dx), max(dz.nbytes, dx.nbytes), lambda s: kernel(dz[s], w3, dx[s], dy_k, dx_k, top, left, *inside)
    )


def backward(dz: np.ndarray, x: np.ndarray, w: np.ndarray, win: Windows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of :func:`forward` with respect to ``x``, ``w`` and the bias.

    The input gradient is the forward loops again: the zero-padded output
    gradient correlated with the flipped kernel, read from output channels
    into input channels (at a stride above 1, once per phase of the input,
    :func:`_phases`, each written straight into place). The weight and bias
    gradients come from their own loops, in the same threads: not from a
    matrix product afterwards, as BLAS threads keep spinning for a while
    after a product and took a core from the loops that ran next (2-core
    CPU, the input gradient of ``(64, 32, 32, 16) -> 32``: 15 against 8 ms).

    Returns
    -------
    dx : ``(m, H, W, C)``
    dw : ``(kh, kw, C, C_out)``
    db : ``(C_out,)``
    """
    c_in = w.shape[2]
    phases = _gradient_phases(win)
    (_, top, bottom), (_, left, right) = phases
    dz, x = np.ascontiguousarray(dz), np.ascontiguousarray(x)
    dx = np.empty(x.shape, dtype=dz.dtype)
    if _narrow(c_in):
        _narrow_input_gradient(dz, w, dx, win)
    else:
        lanes = _widest_lanes(_FORWARD, dx.dtype, c_in)
        correlation, unreached = _phased_correlation(np.swapaxes(w, 2, 3), phases, lanes)
        _input_gradient(dz, ((top, bottom), (left, right)), correlation, unreached, dx, win.stride, lanes)
    dw, db = _weight_gradient_of(x, dz, win)
    return dx, np.reshape(dw, w.shape), db


def _weight_gradient_of(x: np.ndarray, dz: np.ndarray, win: Windows) -> tuple[np.ndarray, np.ndarray]:
    """``(dw (taps, C, C_out), db)``, each block of samples in a thread of its own."""
    c_in, c_out = x.shape[3], dz.shape[3]
    dy_k, dx_k = tap_offsets(win.kernel, win.dilation)
    kernel = _widest(_NARROW_WEIGHT_GRADIENT if _narrow(c_in) else _WEIGHT_GRADIENT, dz.dtype, c_out)
    ((top, _), (left, _)), (sh, sw) = win.full_padding, win.stride

    def run(s: slice) -> tuple[np.ndarray, np.ndarray]:
        dw, db = np.zeros((len(dy_k), c_in, c_out), dtype=dz.dtype), np.zeros(c_out, dtype=dz.dtype)  # this block's
        kernel(x[s], dz[s], dw, db, np.empty_like(dw), np.empty_like(db), dy_k, dx_k, top, left, sh, sw)
        return dw, db

    return summed_over_thread_shares(len(dz), max(x.nbytes, dz.nbytes), run)


# --- depthwise convolution ------------------------------------------------------------
#
# One input channel per group and one output channel per input channel: no
# products to share a broadcast between, so the forward blocks are a few
# pixels (which share each load of the weights) x 8 to 32 channels, summed
# over the taps in registers instead of into the output in memory tap by tap
# (:func:`xcnn._numba_kernels.depthwise_forward`, which takes the other
# depthwise layers). They read the unpadded input and skip the taps that fall
# in the zero padding; the weight gradient goes one tap at a time.

_DEPTHWISE: Kernels = {
    F32: _compiled("depthwise", (32, 16, 8)),
    F64: {**_compiled("depthwise_f64", (16,)), **_compiled("depthwise", (8,))},  # one pixel x 8: fits either
}
_DEPTHWISE_WEIGHT_GRADIENT = _either_dtype(_compiled("depthwise_weight_gradient", (32, 16, 8)))


def depthwise_usable(win: Windows, groups: int, c_out: int) -> bool:
    """Whether a depthwise layer (one input channel per group) runs here: stride 1, one output
    channel per group, and the groups in whole blocks of :data:`LANES`."""
    return win.stride == (1, 1) and c_out == groups and groups % LANES == 0


def _depthwise_taps(w: np.ndarray, win: Windows) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """``(dy_k, dx_k, w (taps, G), top, left)``, from :func:`xcnn._numba_kernels.depthwise_geometry`."""
    dy_k, dx_k, _, _, top, left, w2 = depthwise_geometry(w, win)
    return dy_k, dx_k, w2, top, left


def depthwise_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, win: Windows) -> np.ndarray:
    """Depthwise convolution of the unpadded ``x (m, H, W, G)`` with ``w (kh, kw, 1, G)``, plus `b`: ``(m, out_h, out_w, G)``."""
    dy_k, dx_k, w2, top, left = _depthwise_taps(w, win)
    x = np.ascontiguousarray(x)
    groups = x.shape[3]
    b = np.zeros(groups, dtype=x.dtype) if b is None else np.ascontiguousarray(b)
    z = np.empty((x.shape[0], *win.out_size, groups), dtype=x.dtype)
    kernel = _widest(_DEPTHWISE, x.dtype, groups)
    inside = _inside_columns(x.shape[2], left, dx_k)
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
    mirrored = _widest(_DEPTHWISE, dz.dtype, groups)
    no_bias = np.zeros(groups, dtype=dz.dtype)
    inside = _inside_columns(dz.shape[2], -left, -dx_k)
    in_thread_shares(
        len(dx), dz.nbytes, lambda s: mirrored(dz[s], w2, no_bias, dx[s], -dy_k, -dx_k, -top, -left, *inside)
    )
    gradient = _widest(_DEPTHWISE_WEIGHT_GRADIENT, dz.dtype, groups)

    def run(s: slice) -> tuple[np.ndarray, np.ndarray]:
        dw, db = np.zeros(w2.shape, dtype=dz.dtype), np.zeros(groups, dtype=dz.dtype)  # this block's
        gradient(x[s], dz[s], dw, db, np.empty_like(dw), np.empty_like(db), dy_k, dx_k, top, left)
        return dw, db

    dw, db = summed_over_thread_shares(len(dz), x.nbytes, run)
    return dx, np.reshape(dw, w.shape), db
