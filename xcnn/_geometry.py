"""Geometry of sliding windows: sizes, offsets and the index arithmetic shared by every provider.

Pure Python over integers: no array library. :class:`Windows` holds one
operation's normalised options (built once by :mod:`xcnn.functional`) and
answers every question about where windows sit in the padded NHWC input;
:func:`chunks` splits an operation so that its unfolded windows fit the
workspace limit (:mod:`xcnn.workspace`).

The words used throughout: a window's *offsets* (or taps) are its
``kh * kw`` cells; *unfold* is im2col (every window as one row of a
matrix) and *fold* its adjoint col2im (rows added back onto the input);
a *chunk* is a part of an operation sized to the workspace limit; a
thread's *share* is the samples one thread takes; a *register block* is
the pixels and channels a compiled loop keeps in vector registers, and
*packed* weights are laid out one register block of output channels at a
time; a *row block* is the rows of a tall matrix product that stay in the
cache while BLAS works through them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

__all__ = ["Pair", "Windows", "chunk_input_rows", "chunks"]

Pair = tuple[int, int]


@dataclass(frozen=True)
class Windows:
    """Geometry of a sliding-window operation over the two spatial axes.

    Attributes
    ----------
    in_size : (int, int)
        ``(n_H_prev, n_W_prev)`` of the unpadded input.
    kernel, stride, dilation : (int, int)
        Per-axis ``(h, w)`` values.
    padding : ((int, int), (int, int))
        ``((top, bottom), (left, right))``, as the caller asked for.
    ceil_mode : bool
        Round the output size up (pooling): a last, partial window may hang
        over the bottom/right edge; :attr:`full_padding` pads for it.
    """

    in_size: Pair
    kernel: Pair
    stride: Pair
    dilation: Pair
    padding: tuple[Pair, Pair]
    ceil_mode: bool = False

    @cached_property
    def span(self) -> Pair:
        """Extent of one (dilated) window: ``dilation * (kernel - 1) + 1``."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))  # type: ignore[return-value]

    @cached_property
    def out_size(self) -> Pair:
        """``floor((n + pad_total - span) / stride) + 1`` per axis (PyTorch's rule).

        With ``ceil_mode`` the division rounds up, but a window must still
        start inside the input or its top/left padding.
        """
        sizes = []
        for n, (lo, hi), span, st in zip(self.in_size, self.padding, self.span, self.stride):
            extent = n + lo + hi - span
            out = (extent + (st - 1 if self.ceil_mode else 0)) // st + 1
            if self.ceil_mode and (out - 1) * st >= n + lo:
                out -= 1
            sizes.append(out)
        return tuple(sizes)  # type: ignore[return-value]

    @cached_property
    def full_padding(self) -> tuple[Pair, Pair]:
        """:attr:`padding` plus what the last ``ceil_mode`` window hangs over."""
        full = []
        for n, (lo, hi), span, st, out in zip(self.in_size, self.padding, self.span, self.stride, self.out_size):
            overhang = max(0, (out - 1) * st + span - (n + lo + hi))
            full.append((lo, hi + overhang))
        return tuple(full)  # type: ignore[return-value]

    @cached_property
    def padded_size(self) -> Pair:
        (top, bottom), (left, right) = self.full_padding
        return (self.in_size[0] + top + bottom, self.in_size[1] + left + right)

    @property
    def n_offsets(self) -> int:
        return self.kernel[0] * self.kernel[1]

    @cached_property
    def first_inside(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Per axis and window, the first kernel offset whose cell lies inside the unpadded input.

        ``(rows, cols)``: ``rows[oh]`` is the smallest ``i`` with
        ``oh*sh + i*dh`` in ``[top, top + H)`` (rows of the padded input),
        likewise ``cols[ow]``; 0 where there is none (with dilation a window
        may fall wholly in the padding). A max-pool window whose maximum is
        -inf sends its gradient to cell ``(rows[oh], cols[ow])``.
        """
        per_axis = []
        for n, (lo, _), k, st, d, out in zip(
            self.in_size, self.full_padding, self.kernel, self.stride, self.dilation, self.out_size
        ):
            firsts = []
            for o in range(out):
                i = max(0, -((o * st - lo) // d))  # ceil((lo - o*st) / d): the first cell at or past `lo`
                firsts.append(i if i < k and o * st + i * d < lo + n else 0)
            per_axis.append(tuple(firsts))
        return tuple(per_axis)  # type: ignore[return-value]

    def offsets(self) -> Iterator[tuple[int, tuple[slice, ...]]]:
        """Yield ``(k, index)`` per kernel offset, row-major: ``k = i * kw + j``.

        ``x_pad[index]`` has shape ``(m, out_h, out_w, C)``: element
        ``[n, h, w, c]`` is offset ``(i, j)`` of window ``(h, w)``.
        """
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        out_h, out_w = self.out_size
        for i in range(kh):
            rows = slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh)
            for j in range(kw):
                cols = slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw)
                yield i * kw + j, (slice(None), rows, cols, slice(None))

    def row_offsets(self) -> Iterator[tuple[slice, ...]]:
        """Per kernel row ``i``, the index of ``x_pad`` whose rows are that row of every window.

        ``x_pad[index]`` has shape ``(m, out_h, W_pad, C)``. With
        :meth:`column_offsets` it splits a window reduction in two: over
        ``kw`` columns, then ``kh`` rows, ``kh + kw - 2`` operations instead
        of ``kh * kw - 1``.
        """
        (kh, sh, dh), out_h = (self.kernel[0], self.stride[0], self.dilation[0]), self.out_size[0]
        for i in range(kh):
            yield (slice(None), slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh), slice(None), slice(None))

    def column_offsets(self) -> Iterator[tuple[slice, ...]]:
        """Per kernel column ``j``: ``x_pad[index]`` has shape ``(m, H_pad, out_w, C)``."""
        (kw, sw, dw), out_w = (self.kernel[1], self.stride[1], self.dilation[1]), self.out_size[1]
        for j in range(kw):
            yield (slice(None), slice(None), slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw), slice(None))

    @property
    def is_tiled(self) -> bool:
        """Whether the windows are disjoint tiles that start at the origin (stride = kernel, no padding or dilation)."""
        return self.stride == self.kernel and self.dilation == (1, 1) and self.full_padding == ((0, 0), (0, 0))

    def view_layout(self, shape: tuple[int, ...], strides: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Shape and strides of the ``(m, out_h, out_w, kh, kw, C)`` view of every window of a padded
        ``(m, H_pad, W_pad, C)`` array of `shape` and `strides` (in bytes or elements, as given).

        For the libraries that expose strides: one view and one copy unfold all
        windows, instead of ``kh*kw`` slices.
        """
        m, _, _, channels = shape
        s0, s1, s2, s3 = strides
        (sh, sw), (dh, dw) = self.stride, self.dilation
        return (m, *self.out_size, *self.kernel, channels), (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3)


# --- chunks: unfolded windows within the workspace limit ----------------------------


def chunks(win: Windows, m: int, width: int, itemsize: int, limit: int) -> list[tuple[slice, slice, Windows]]:
    """Split the output into chunks whose unfolded columns fit in `limit` bytes.

    Parameters
    ----------
    win : Windows
        The whole operation's geometry.
    m : int
        Number of samples.
    width : int
        Columns per output position (``kh*kw*C``).
    itemsize, limit : int
        Bytes per element, and the budget for one chunk's columns.

    Returns
    -------
    list of ``(samples, out_rows, sub)``
        `samples` and `out_rows` slice the output; ``sub`` is the geometry of
        the chunk over ``x_pad[samples, rows_in(out_rows)]`` (no padding of
        its own), see :func:`chunk_input_rows`, or `win` itself when one
        chunk covers everything. Whole samples are preferred;
        only a single sample too big for the budget is split by rows.
    """
    out_h, out_w = win.out_size
    per_row = out_w * width * itemsize  # one output row of one sample
    per_sample = out_h * per_row
    if m * per_sample <= limit:
        return [(slice(0, m), slice(0, out_h), win)]  # one chunk: the whole padded input
    if per_sample <= limit:
        step = limit // per_sample
        return [(slice(i, min(i + step, m)), slice(0, out_h), _sub(win, 0, out_h)) for i in range(0, m, step)]
    rows = max(1, limit // per_row)
    return [
        (slice(i, i + 1), slice(r, min(r + rows, out_h)), _sub(win, r, min(r + rows, out_h)))
        for i in range(m)
        for r in range(0, out_h, rows)
    ]


def chunk_input_rows(win: Windows, out_rows: slice) -> slice:
    """Rows of the padded input that output rows `out_rows` read."""
    stride, span = win.stride[0], win.span[0]
    return slice(out_rows.start * stride, (out_rows.stop - 1) * stride + span)


def _sub(win: Windows, start: int, stop: int) -> Windows:
    rows = chunk_input_rows(win, slice(start, stop))
    return Windows(
        in_size=(rows.stop - rows.start, win.padded_size[1]),
        kernel=win.kernel,
        stride=win.stride,
        dilation=win.dilation,
        padding=((0, 0), (0, 0)),
    )
