"""Forward passes over images split into spatial tiles, each tile read with the halo its windows need.

The whole array is padded once, lazily, with the operation's fill (0 for
convolution and average pooling, -inf for max pooling; the ``ceil_mode``
overhang included). Output rows are then cut into tiles that follow the
input's chunks: a tile of output rows ``[o0, o1)`` starts on a multiple of
the stride, ``o0 * stride``, and reads the padded rows up to
``(o1 - 1) * stride + extent``, where ``extent = (kernel - 1) * dilation + 1``;
the ``extent - stride`` rows past its own chunk are its one-sided halo, which
dask slices from the next chunk. Columns likewise. Each tile is an unpadded
call on the tile, run per batch chunk (:mod:`.blocks`), so the output keeps
the batch chunks. Average pooling sums each tile's windows and divides by the
whole image's divisor (handed in by the table), because a tile cannot tell
padding from zeros when padding does not count.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

from ..._geometry import Windows
from . import blocks

__all__ = ["conv2d", "is_tiled", "merged_chunks", "output_tiles", "pool2d"]

Array = Any


def merged_chunks(sizes: Sequence[int], extent: int) -> tuple[int, ...]:
    """Chunk sizes along one axis with every chunk smaller than the window's `extent` joined to a neighbour.

    Thin chunks hold no window of their own; they come, for example, from a
    border concatenated to the array (``detect_edges`` replicating its edges).

    Examples
    --------
    >>> merged_chunks((1, 62, 1), 3), merged_chunks((5, 5, 3), 5), merged_chunks((1, 1, 1), 1)
    ((64,), (5, 8), (1, 1, 1))
    """
    out: list[int] = []
    for size in sizes:
        if out and (size < extent or out[-1] < extent):
            out[-1] += size
        else:
            out.append(size)
    return tuple(out)


def _spatial_chunks(call: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (merged_chunks(call.x.chunks[1], call.win.span[0]), merged_chunks(call.x.chunks[2], call.win.span[1]))


def is_tiled(call: Any) -> bool:
    """Whether the call's dask input ``(m, H, W, C)`` has more than one chunk along H or W that holds a window."""
    rows, cols = _spatial_chunks(call)
    return len(rows) > 1 or len(cols) > 1


def output_tiles(in_chunks: Sequence[int], lo: int, stride: int, extent: int, out: int) -> list[tuple[int, int]]:
    """Output index ranges ``[o0, o1)`` along one axis, one per input chunk where it has windows of its own.

    A tile starts at the first window that starts inside its input chunk (padded
    coordinates; the top padding belongs to the first chunk). A tile with no
    window of its own is merged into the one before, so every tile holds at
    least one output and a last chunk smaller than the halo joins its neighbour.
    """
    starts, position = [0], lo
    for size in in_chunks[:-1]:
        position += size
        first = min(out, math.ceil(position / stride))
        if first > starts[-1]:
            starts.append(first)
    if starts[-1] >= out:
        starts.pop()
    return list(zip(starts, starts[1:] + [out]))


def _tile_call(call: Any, rows: int, cols: int) -> Any:
    """`call` for one padded tile of ``rows x cols`` input cells: no padding, no ceil mode."""
    win = call.win
    tile_win = Windows((rows, cols), win.kernel, win.stride, win.dilation, ((0, 0), (0, 0)))
    return dataclasses.replace(call, win=tile_win)


def _padded(x: Array, win: Windows, fill: float) -> Array:
    import dask.array as da

    (top, bottom), (left, right) = win.full_padding
    if top == bottom == left == right == 0:
        return x
    return da.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), mode="constant", constant_values=fill)


def _over_tiles(call: Any, x: Array, fill: float, per_tile: Any) -> Array:
    """Stitch ``per_tile(tile_call, tile)`` over the output tiles of `call` on the padded `x`."""
    import dask.array as da

    win = call.win
    row_chunks, col_chunks = _spatial_chunks(call)
    x = x.rechunk((x.chunks[0], row_chunks, col_chunks, (x.shape[3],)))
    padded = _padded(x, win, fill)
    (top, _), (left, _) = win.full_padding
    tiles = [
        output_tiles(sizes, lo, stride, span, out)
        for sizes, lo, stride, span, out in zip((row_chunks, col_chunks), (top, left), win.stride, win.span, win.out_size)
    ]
    (sh, sw), (eh, ew) = win.stride, win.span
    stripes = []
    for r0, r1 in tiles[0]:
        row = []
        for c0, c1 in tiles[1]:
            r_in, c_in = (r0 * sh, (r1 - 1) * sh + eh), (c0 * sw, (c1 - 1) * sw + ew)
            tile = padded[:, r_in[0] : r_in[1], c_in[0] : c_in[1], :]
            row.append(per_tile(_tile_call(call, r_in[1] - r_in[0], c_in[1] - c_in[0]), tile))
        stripes.append(da.concatenate(row, axis=2))
    return da.concatenate(stripes, axis=1)


def conv2d(call: Any, run: blocks.Run) -> Array:
    """:func:`blocks.conv2d`, tile by tile where the images are split into spatial chunks."""
    if not is_tiled(call):
        return blocks.conv2d(call, run)
    return _over_tiles(call, call.x, 0.0, lambda c, tile: blocks.conv2d(dataclasses.replace(c, x=tile), run))


def pool2d(call: Any, run: blocks.Run, divisor: Callable[[], Array | int] | None = None) -> Array:
    """:func:`blocks.pool2d`, tile by tile where the images are split into spatial chunks.

    `divisor` gives average pooling's (an int, or ``(out_h, out_w, 1)``), asked for only
    when the images are tiled; None for max pooling.
    """
    if not is_tiled(call):
        return blocks.pool2d(call, run)
    if divisor is None:
        return _over_tiles(call, call.x, -math.inf, lambda c, tile: blocks.pool2d(dataclasses.replace(c, x=tile), run))
    sums = dataclasses.replace(call, count_include_pad=True, divisor_override=1)
    window_sums = _over_tiles(sums, call.x, 0.0, lambda c, tile: blocks.pool2d(dataclasses.replace(c, x=tile), run))
    return window_sums / divisor()
