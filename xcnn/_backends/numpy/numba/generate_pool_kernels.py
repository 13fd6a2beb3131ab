"""Write :mod:`.pool_kernels` (beside this file): pooling loops unrolled into register blocks of channels.

The maximum and the mean of each window, and the gradient of max pooling,
which finds each window's maximum again as PyTorch's CPU kernel does (the
stateless ``max_pool2d_backward(dy, x)`` keeps no indices) and sends the
window's gradient there. Written as loops over the channels with arrays of running
maxima and their offsets (:mod:`.pool`), the max-pool gradient entered 18
short loops per window (the channels of one pixel each), which kept it slow
(measurements: BENCHMARKS.md, 'Why each path exists'). Here the max-pool
gradient keeps each block of channels' running maximum and its offset in a
vector-typed register block (:mod:`.register_blocks`, as the convolution loops
of :mod:`.generate_direct_conv` do), which compiles in a third of the time the
same loops took written one scalar per lane; the window maxima and means and
the average-pool gradient are still written so, one scalar per lane, which
LLVM's SLP vectoriser packs into vector registers
(:class:`.compile.VectorisedKernel`).

:data:`LANES` and :data:`MAX_GRADIENT_LANES` are the only places the block widths are written
down: :mod:`.pool` imports them. Importing this module writes nothing and imports neither NumPy nor Numba.

Usage: ``python -m xcnn._backends.numpy.numba.generate_pool_kernels`` (rewrites the file);
``tests/test_jit.py`` checks that the file matches :func:`source`.
"""

from __future__ import annotations

import sys
from pathlib import Path

TARGET = Path(__file__).with_name("pool_kernels.py")

LANES = (16, 8)
"""Channels per block, one function each, widest first; the widest that divides the channels is
used, in float32 and float64 alike (16 lanes measured fastest in both, though twice as wide in
float64; measurements: BENCHMARKS.md, 'Why each path exists'). The window maxima and means and
the average-pool gradient take these; the max-pool gradient takes :data:`MAX_GRADIENT_LANES`.
"""

MAX_GRADIENT_LANES = {"float32": (32, 16, 8), "float64": (16, 8)}
"""Channels per block of the max-pool gradient, by dtype, widest first. Its blocks are vectors
(:func:`max_pool_backward_source`), so a wider one costs no compile time. 32 float32 lanes (two
AVX-512 registers per row: a window's taps for 32 channels in one pass) were 12% faster than 16
at 2 x 2 and 19% at 3 x 3 on AVX-512; on AVX2 code, 14% faster at 3 x 3 and 14% slower at 2 x 2
(one run). 32 float64 lanes were no faster (measurements: BENCHMARKS.md, 'Average-pool gradient
in memory order')."""

HEADER = '''"""Pooling loops, unrolled into register blocks of channels (generated; do not edit).

Written by ``python -m xcnn._backends.numpy.numba.generate_pool_kernels``; :mod:`.pool`
compiles and calls them. Plain Python functions: they run (slowly) without Numba too. Arrays
are C-contiguous and read through flat views, with unsigned indices (``U``, see
:mod:`.direct_conv_writers` for why) where the loops index them themselves, and through the
functions of :mod:`.register_blocks` in the max-pool gradient.
"""

import numpy as np

from .register_blocks import (
    block_max_start,
    block_max_step,
    block_route,
    block_route_add,
    block_route_streamed,
    store_fence,
)

U = np.uint64
'''


def max_pool_backward_source(lanes: int) -> str:
    """``max_pool_backward_<lanes>``: each window's gradient to its first maximum, `lanes` channels at a time.

    A block of channels keeps its running maximum and the offset where it is as a register block
    of two vector rows (:func:`.register_blocks.block_max_start`), so the loops are a dozen
    statements: written one scalar per lane for the SLP vectoriser, as the other loops here are,
    they took over 2 s to compile (measurements: BENCHMARKS.md, 'Average-pool gradient in memory
    order'). Each offset's place in a window and whether it is stored or added are worked out
    once per call, into small tables: worked out per window and offset, the index arithmetic and
    the tests took 10-24% of the time of one thread with its data in cache (measurements:
    BENCHMARKS.md, 'Max-pool gradient: tables made once per call').
    """
    return "\n".join([
        f"def max_pool_backward_{lanes}(dy, x, dx, dy_k, dx_k, sh, sw, fresh_row, fresh_col, offsets, starts, streamed):",
        '    """Send ``dy (m, out_h, out_w, C)`` to the maximum of each window of ``x``, into ``dx`` (shaped as ``x``).',
        "",
        "    Window ``(oh, ow)``'s offset ``k`` is ``x[n, oh*sh + dy_k[k], ow*sw + dx_k[k]]``; ``offsets``",
        "    numbers them. PyTorch's rule: from offset ``starts[oh, ow]``, the window's first cell inside",
        "    the input, each later offset that is greater or NaN takes over, so ties keep the first",
        "    maximum, the last NaN wins, and a window of -inf sends its gradient to that first cell, not",
        "    to the padding. Offsets are compared as ``x``'s dtype (exact below 2**24). Where",
        "    ``fresh_row >= 0`` the windows cover ``dx`` without gaps and an offset that no earlier",
        "    window reached (see :func:`.columns.gradient_array`) is stored, not added; otherwise ``dx``",
        "    is zeroed first. Where ``streamed``, the stored blocks bypass the caches (non-temporal stores;",
        "    ``dx`` starts at a multiple of 64 bytes), with a fence after the last.",
        f"    ``C`` is a multiple of {lanes}.",
        '    """',
        "    m, out_h, out_w, c = dy.shape",
        "    height, width = x.shape[1], x.shape[2]",
        "    n_taps = dy_k.shape[0]",
        "    covering = fresh_row >= 0",
        "    if not covering:",
        "        dx[:] = 0",
        "    xf, dyf, dxf = x.reshape(-1), dy.reshape(-1), dx.reshape(-1)",
        "    # Once per call, not per window: each offset's distance from its window's corner, in",
        "    # elements, and whether it is stored or added in a window of the first row and column (0),",
        "    # the first row (1), the first column (2) or neither (3).",
        "    taps = (dy_k * width + dx_k) * c",
        "    stored = np.zeros((4, n_taps), dtype=np.bool_)",
        "    for k in range(n_taps):",
        "        for kind in range(4):",
        "            later_row, later_col = kind >= 2, kind % 2 == 1",
        "            stored[kind, k] = covering and (not later_row or dy_k[k] >= fresh_row) and (",
        "                not later_col or dx_k[k] >= fresh_col",
        "            )",
        "    for n in range(m):",
        "        for oh in range(out_h):",
        "            row_corner = (n * height + oh * sh) * width",
        "            for ow in range(out_w):",
        "                corner = (row_corner + ow * sw) * c",
        "                d_at = ((n * out_h + oh) * out_w + ow) * c",
        "                start = starts[oh, ow]  # offset 0 may be padding (-inf): never greater, so this stays",
        "                kind = 2 * (oh > 0) + (ow > 0)",
        f"                for jb in range(0, c, {lanes}):",
        "                    at = corner + jb",
        f"                    state = block_max_start(xf, at + taps[0], start, {lanes})",
        "                    for k in range(1, n_taps):",
        "                        state = block_max_step(state, xf, at + taps[k], offsets[k])",
        "                    for k in range(n_taps):",
        "                        if stored[kind, k]:",
        "                            if streamed:",
        "                                block_route_streamed(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])",
        "                            else:",
        "                                block_route(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])",
        "                        else:",
        "                            block_route_add(state, dyf, d_at + jb, offsets[k], dxf, at + taps[k])",
        "    if streamed:",
        "        store_fence()  # before the thread that waits for this share reads dx",
        "    return dx",
    ])


def _window_lines(lanes: int, start: list[str], step: list[str], finish: list[str]) -> list[str]:
    """The loops over windows and blocks of `lanes` channels: `start` (offset 0 at ``x_at``), `step`
    (each further offset at ``x_at``), then `finish` (the output block at ``z_at``); lane ``{j}``."""

    def lanes_of(lines: list[str], indent: str) -> list[str]:
        return [indent + line.format(j=j) for line in lines for j in (range(lanes) if "{j}" in line else [0])]

    return [
        "    m, out_h, out_w, c = out.shape",
        "    height, width = x.shape[1], x.shape[2]",
        "    xf, zf = x.reshape(-1), out.reshape(-1)",
        "    # each offset's distance from its window's first cell, in elements: a load and an add per",
        "    # offset in the loops, not the multiplies that place it",
        "    taps = ((dy_k * width + dx_k) * c).astype(U)",
        "    for n in range(m):",
        "        for oh in range(out_h):",
        "            for ow in range(out_w):",
        "                corner = U(((n * height + oh * sh) * width + ow * sw) * c)",
        "                z_corner = U(((n * out_h + oh) * out_w + ow) * c)",
        f"                for jb_ in range(0, c, {lanes}):",
        "                    jb = U(jb_)",
        "                    x_at = corner + taps[0] + jb",
        *lanes_of(start, " " * 20),
        "                    for k in range(1, taps.shape[0]):",
        "                        x_at = corner + taps[k] + jb",
        *lanes_of(step, " " * 24),
        "                    z_at = z_corner + jb",
        *lanes_of(finish, " " * 20),
        "    return out",
    ]


def window_max_source(lanes: int) -> str:
    """``window_max_<lanes>``: the maximum of each window, NaN propagating."""
    return "\n".join([
        f"def window_max_{lanes}(x, out, dy_k, dx_k, sh, sw):",
        '    """Maximum of each window of ``x`` into ``out (m, out_h, out_w, C)``; a NaN propagates (as in',
        "    ``numpy.maximum``). Window ``(oh, ow)``'s offset ``k`` is ``x[n, oh*sh + dy_k[k], ow*sw + dx_k[k]]``;",
        f"    ``C`` is a multiple of {lanes}.",
        '    """',
        *_window_lines(
            lanes,
            ["b{j} = xf[x_at + U({j})]"],
            ["v{j} = xf[x_at + U({j})]", "b{j} = v{j} if (v{j} > b{j}) | (v{j} != v{j}) else b{j}"],
            ["zf[z_at + U({j})] = b{j}"],
        ),
    ])


def window_mean_source(lanes: int) -> str:
    """``window_mean_<lanes>``: the sum of each window divided by its divisor."""
    return "\n".join([
        f"def window_mean_{lanes}(x, out, dy_k, dx_k, sh, sw, divisor):",
        '    """Sum of each window of ``x``, offset after offset, divided by ``divisor[oh, ow]``, into ``out``',
        "    (divided, as the array-API code does, not multiplied by the reciprocal). Offsets as in",
        f"    :func:`window_max_{lanes}`; ``C`` is a multiple of {lanes}.",
        '    """',
        *_window_lines(
            lanes,
            ["a{j} = xf[x_at + U({j})]"],
            ["a{j} += xf[x_at + U({j})]"],
            ["d = divisor[oh, ow]", "zf[z_at + U({j})] = a{j} / d"],
        ),
    ])


def spread_mean_source(lanes: int) -> str:
    """``spread_mean_<lanes>``: the average-pool gradient, each window's share sent to all its offsets.

    The windows go a row at a time: first each window's share, ``dy / divisor``, into a buffer
    for the row, then the gradient's rows that the window row reaches, each in memory order. In
    window order (as the max-pool gradient goes) the loops wrote a window's ``kh`` rows in turn;
    one sweep per row was faster (measurements: BENCHMARKS.md, 'Average-pool gradient in memory
    order'). Each block of shares is read into scalars before any is written, so that the
    compiler, which cannot tell that ``dx`` and the buffer do not overlap, may still pack the
    lanes into vectors.
    """
    lanes_range = range(lanes)

    def written(op: str) -> list[str]:
        return [f"                                dxf[at + U({j})] {op} g{j}" for j in lanes_range]

    return "\n".join([
        f"def spread_mean_{lanes}(dy, dx, dy_k, dx_k, kw, sh, sw, fresh_row, fresh_col, divisor):",
        '    """Add ``dy[n, oh, ow] / divisor[oh, ow]`` at every offset of window ``(oh, ow)`` of ``dx``.',
        "",
        f"    Offsets as in :func:`window_max_{lanes}`, ``kw`` of them to a kernel row. A row of windows",
        "    at a time: the windows' shares into a buffer, then each row of ``dx`` that they reach, left",
        "    to right. Where ``fresh_row >= 0`` the windows cover ``dx`` without gaps and a position",
        "    that no earlier window reached (see :func:`.columns.gradient_array`; the same positions in",
        "    this order) is stored, not added; otherwise ``dx`` is zeroed first.",
        f"    ``C`` is a multiple of {lanes}.",
        '    """',
        "    m, out_h, out_w, c = dy.shape",
        "    height, width = dx.shape[1], dx.shape[2]",
        "    kh = dy_k.shape[0] // kw",
        "    covering = fresh_row >= 0",
        "    if not covering:",
        "        dx[:] = 0",
        "    dyf, dxf = dy.reshape(-1), dx.reshape(-1)",
        "    share = np.empty(out_w * c, dtype=dx.dtype)  # one row of windows",
        "    for n in range(m):",
        "        for oh in range(out_h):",
        "            d_row = U((n * out_h + oh) * out_w * c)",
        "            for ow in range(out_w):",
        "                d = divisor[oh, ow]",
        "                s_at = U(ow * c)",
        "                for ch_ in range(c):",
        "                    ch = U(ch_)",
        "                    share[s_at + ch] = dyf[d_row + s_at + ch] / d  # once for all the offsets",
        "            for ki in range(kh):",
        "                row_at = U((n * height + oh * sh + dy_k[ki * kw]) * width)",
        "                row_fresh = covering and (oh == 0 or dy_k[ki * kw] >= fresh_row)",
        "                for ow in range(out_w):",
        f"                    for jb_ in range(0, c, {lanes}):",
        "                        jb = U(jb_)",
        "                        s_at = U(ow * c) + jb",
        *(f"                        g{j} = share[s_at + U({j})]" for j in lanes_range),
        "                        for kj in range(kw):",
        "                            at = (row_at + U(ow * sw + dx_k[kj])) * U(c) + jb",
        "                            if row_fresh and (ow == 0 or dx_k[kj] >= fresh_col):",
        *written("="),
        "                            else:",
        *written("+="),
        "    return dx",
    ])


def source() -> str:
    """The whole generated module."""
    parts = [HEADER.rstrip("\n")]
    gradient_lanes = sorted(set().union(*MAX_GRADIENT_LANES.values()), reverse=True)
    parts += [max_pool_backward_source(lanes) for lanes in gradient_lanes]
    parts += [window_max_source(lanes) for lanes in LANES]
    parts += [window_mean_source(lanes) for lanes in LANES]
    parts += [spread_mean_source(lanes) for lanes in LANES]
    return "\n\n\n".join(parts) + "\n"


def main() -> int:
    TARGET.write_text(source())
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
