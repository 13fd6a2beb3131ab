"""How the forward loops of :mod:`.direct_conv` read their input, and the input gradient as those loops.

Two questions the dense passes ask before calling the loops:

- where a sample's taps reach into the zero padding, whether the loops read the sample in place
  (taking those pixels one at a time) or copy it into a zero-bordered buffer of each thread's own
  (:class:`Padded`, :func:`reads_in_place`);
- the input gradient as the same forward loops: along each axis, `s` stride-1 correlations of the
  output gradient, one per phase of the input (:func:`phases`), all of them in one call of the
  loops (:func:`phased_correlation`).
"""

from __future__ import annotations

import numpy as np

from ...._geometry import Windows
from .direct_loops import packed

__all__ = [
    "GradientPhases",
    "Padded",
    "Phase",
    "PhasedCorrelation",
    "gradient_phases",
    "phased_correlation",
    "phases",
    "reads_in_place",
    "single_pixels",
]


class Padded:
    """How the loops read each sample of ``a (m, H, W, C)``, padded by ``((top, bottom), (left, right))`` zeros.

    Either each thread copies one sample at a time into a buffer of the padded
    size (allocated here, so that NumPy's memory accounting sees it) and the
    loops read it from there, or, with `in_place`, the loops read the sample
    where it is and take the pixels whose taps reach into the padding one at
    a time (see :func:`reads_in_place`). No padded copy of the batch either way.
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


def reads_in_place(table: np.ndarray, dx_k: np.ndarray, width: int, left: int, stride: int, pixels: int) -> bool:
    """Whether the forward loops should read their input in place rather than copy each sample into a
    padded buffer: when that leaves them no more single pixels per row (:func:`single_pixels`).

    `table` is the loops' phase table (one row ``(rows, columns, first row, first column, first tap,
    end tap)`` per phase). The copy costs a pass over each sample, a noticeable share of the forward
    pass at stride 2, and all of it is cost where there is no padding (1x1 windows). Reading in
    place, the pixels whose taps reach into the padding go one at a time, and in blocks of 4 or 8
    pixels the rest of a row may leave more of them over, which made an input gradient at stride 1
    with one column of padding on each side slower read in place (measurements: BENCHMARKS.md,
    'Why each path exists').
    """
    columns = [(int(out_w), dx_k[k_lo:k_hi]) for _, out_w, _, _, k_lo, k_hi in table]
    in_place = sum(single_pixels(out_w, width, left, taps, stride, pixels) for out_w, taps in columns)
    return in_place <= sum(out_w % pixels for out_w, _ in columns)


def single_pixels(out_w: int, width: int, left: int, dx_k: np.ndarray, stride: int, pixels: int) -> int:
    """Pixels of a row the forward loops take one at a time reading in place: those whose taps reach
    into the padding, and what blocks of `pixels` leave over between them (see the generated loops)."""
    col_lo = min(out_w, max(0, -(-(left - int(dx_k.min())) // stride)))
    col_hi = max(col_lo, min(out_w, (width - 1 + left - int(dx_k.max())) // stride + 1))
    return out_w - (col_hi - col_lo) // pixels * pixels


Phase = tuple[int, int, list[int], list[int]]
"""``(r, rows, taps, shifts)`` of one phase of the input gradient along one axis, see :func:`phases`."""


def phases(n_in: int, n_out: int, k: int, s: int, d: int, lo: int) -> tuple[list[Phase], int, int]:
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
""":func:`phases` along rows and along columns, with the padding each needs."""


def gradient_phases(win: Windows) -> GradientPhases:
    """:func:`phases` along rows and along columns."""
    (kh, kw), (sh, sw), (dh, dw), ((top, _), (left, _)) = win.kernel, win.stride, win.dilation, win.full_padding
    return (
        phases(win.in_size[0], win.out_size[0], kh, sh, dh, top),
        phases(win.in_size[1], win.out_size[1], kw, sw, dw, left),
    )


PhasedCorrelation = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""``(weights, dy_k, dx_k, phases)``: the forward loops' arguments for every phase of the input gradient
at once: the taps of one phase after the other, and a row ``(rows, columns, first row, first column,
first tap, end tap)`` per phase (see the generated loops)."""


def phased_correlation(
    w_t: np.ndarray, both: GradientPhases, lanes: int
) -> tuple[PhasedCorrelation, list[tuple[int, int]]]:
    """The forward loops' arguments for the phases of the input gradient (:func:`phases`), and the
    phases that no window reaches (a stride above the dilated kernel: zero gradient).

    ``w_t`` is ``(kh, kw, C_out, C)``: the weights read from output channels into input channels,
    packed for loops `lanes` channels wide (:func:`.direct_loops.packed`). The loops run every
    phase of a sample while it is in cache (after one copy of it into their padded buffer, if they
    copy), where one call per phase read each sample from memory once per phase and was slower:
    memory traffic, not arithmetic (measurements: BENCHMARKS.md, 'Why each path exists').
    """
    (rows, _, _), (cols, _, _) = both
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
    w_packed = packed(np.concatenate(weights), lanes)
    return (w_packed, np.concatenate(dy), np.concatenate(dx), np.array(table, dtype=np.int64)), unreached
