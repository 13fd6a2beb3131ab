"""The line writers of the depthwise loops in :mod:`.direct_conv_kernels` (see :mod:`.direct_conv_writers`).

One input channel per group and one output channel per input channel: the forward blocks are a
few pixels x a run of channels, summed over the taps; the weight gradient goes one tap at a
time, or, for a 3 x 3 kernel, nine taps at once. Pure text: nothing here imports NumPy or Numba.
"""

from __future__ import annotations

from .direct_conv_writers import ADD_SAMPLE_SUMS, gradient_sums_lines, lines_inside_then_edges


def _lines_depthwise_block(pixels: int, lanes: int, indent: str, check_columns: bool) -> list[str]:
    """`pixels` output pixels from column ``ow0`` x `lanes` channels from ``jb``, one register block
    over the taps ``k_lo`` up to ``k_hi`` (those whose row is inside ``x``). Inside the columns every
    tap reaches, tap ``k`` reads ``x_row + ow0*c + offsets[k]``: an add and a load of the offset per
    tap, no checks (a depthwise block has one multiply-add per tap, so what else a tap costs shows).
    At the edges (`check_columns`) taps whose column falls in the zero padding add nothing."""
    if not check_columns:
        return [
            f"{indent}at = x_row + ow0 * c + jb",
            f"{indent}acc = block_load(b, jb, 0, {pixels}, {lanes})",
            f"{indent}for k in range(k_lo, k_hi):",
            f"{indent}    acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)",
            f"{indent}block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)",
        ]
    return [
        f"{indent}at = x_row + ow0 * c + jb",
        f"{indent}acc = block_load(b, jb, 0, {pixels}, {lanes})",
        f"{indent}for k in range(k_lo, k_hi):",
        f"{indent}    if not 0 <= ow0 - left + dx_k[k] < width:",
        f"{indent}        continue  # zero padding adds nothing",
        f"{indent}    acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)",
        f"{indent}block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)",
    ]


_LINES_TAP_ROWS = [
    "            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so",
    "            # they are one run, k_lo up to k_hi",
    "            k_lo = 0",
    "            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:",
    "                k_lo += 1",
    "            k_hi = k_lo",
    "            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:",
    "                k_hi += 1",
    "            x_row = (n * height + oh - top) * width * c - left * c",
]
"""Per output row of the depthwise loops: its taps inside ``x`` and where its reads start."""


def depthwise_source(pixels: int, lanes: int) -> str:
    """``depthwise_<pixels>x<lanes>``: ``z[n, oh, ow, g] = b[g] + sum over taps k of x[n, oh - top + dy_k[k], ow - left + dx_k[k], g] * w[k, g]``."""
    lines = [
        f"def depthwise_{pixels}x{lanes}(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):",
        '    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.',
        "",
        "    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and",
        f"    nothing outside ``x`` (zero padding). ``G`` is a multiple of {lanes}. Columns from ``col_lo``",
        f"    up to ``col_hi`` read inside ``x`` with every tap: there {pixels} pixel(s) at a time, with no",
        "    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or",
        "    mirrored).",
        '    """',
        "    m, out_h, out_w, c = z.shape",
        "    height, width = x.shape[1], x.shape[2]",
        "    n_taps = dy_k.shape[0]",
        "    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)",
        "    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements",
        "    for n in range(m):",
        "        for oh in range(out_h):",
        *_LINES_TAP_ROWS,
        *lines_inside_then_edges(
            "ow0",
            "out_w",
            pixels,
            [f"for jb in range(0, c, {lanes}):", *_lines_depthwise_block(pixels, lanes, " " * 4, False)],
            [f"for jb in range(0, c, {lanes}):", *_lines_depthwise_block(1, lanes, " " * 4, True)],
            shift_last=True,
        ),
        "    return z",
    ]
    return "\n".join(lines)


def depthwise_weight_gradient_source(lanes: int) -> str:
    """``depthwise_weight_gradient_1x<lanes>``: ``dw[k, g] += sum over pixels of x[.., tap k, g] * dz[pixel, g]``."""
    ind = " " * 20
    lines = [
        f"def depthwise_weight_gradient_1x{lanes}(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):",
        '    """Add to ``dw (taps, G)`` and ``db (G,)`` the gradients of the depthwise loops for these samples.',
        "",
        f"    ``G`` is a multiple of {lanes}. Each sample's share is summed in ``part`` and ``part_b``",
        "    from the sums of its output rows first.",
        '    """',
        "    m, out_h, out_w, c = dz.shape",
        "    height, width = x.shape[1], x.shape[2]",
        *gradient_sums_lines("c"),
        "            for k in range(n_taps):",
        "                yk = oh - top + dy_k[k]",
        "                xk = dx_k[k] - left  # pixel ow reads column ow + xk",
        "                ow_lo, ow_hi = max(0, -xk), min(out_w, width - xk)",
        "                if yk < 0 or yk >= height or ow_lo >= ow_hi:",
        "                    continue  # zero padding adds nothing",
        "                x_at = ((n * height + yk) * width + xk) * c",
        "                d_at = (n * out_h + oh) * out_w * c",
        f"                for jb in range(0, c, {lanes}):",
        f"{ind}acc = block_zeros(pf, 1, {lanes})",
        f"{ind}for ow in range(ow_lo, ow_hi):",
        f"{ind}    acc = block_fma_rows(acc, xf, x_at + ow * c + jb, 0, dzf, d_at + ow * c + jb)",
        f"{ind}block_add_to(acc, pf, k * c + jb, 0)",
        *ADD_SAMPLE_SUMS,
        "    return dw",
    ]
    return "\n".join(lines)


def depthwise_weight_gradient_3x3_source(lanes: int) -> str:
    """``depthwise_weight_gradient_3x3_1x<lanes>``: the same sums as ``depthwise_weight_gradient``, for a 3 x 3 grid of taps.

    The one-tap-at-a-time loops load an input and an output-gradient vector for
    each multiply-add, in one chain of sums. Here the nine taps of an output row
    are nine rows of sums in registers: each output-gradient vector is loaded once
    for nine multiply-adds, in nine independent chains (measurements:
    BENCHMARKS.md, 'Depthwise weight gradient in a 3 x 3 block').
    """
    ind = " " * 24
    one_tap = [
        f"{ind}a = block_zeros(pf, 1, {lanes})",
        f"{ind}for ow in range(t_lo, min(t_hi, ow_lo)):",
        f"{ind}    a = block_fma_rows(a, xf, r_at + (ow + xs * j) * c + jb, 0, dzf, d_at + ow * c + jb)",
        f"{ind}for ow in range(max(t_lo, ow_hi), t_hi):",
        f"{ind}    a = block_fma_rows(a, xf, r_at + (ow + xs * j) * c + jb, 0, dzf, d_at + ow * c + jb)",
        f"{ind}block_add_to(a, pf, (3 * r + j) * c + jb, 0)",
    ]
    lines = [
        f"def depthwise_weight_gradient_3x3_1x{lanes}(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):",
        '    """Add to ``dw (9, G)`` and ``db (G,)`` the gradients of the depthwise loops for these samples.',
        "",
        "    The taps are a 3 x 3 grid in row-major order: tap ``3*r + j`` reads row ``dy_k[0] + r*ys`` and",
        f"    column ``dx_k[0] + j*xs`` (``ys, xs`` the dilation, at least 1). ``G`` is a multiple of {lanes}.",
        "    Output columns ``ow_lo`` up to ``ow_hi`` read inside ``x`` with all three taps of a row: there",
        "    the taps of every tap row inside ``x`` are summed together, each output-gradient vector",
        "    loaded once; the columns outside go one tap at a time. Each sample's share is summed in",
        "    ``part`` and ``part_b`` from the sums of its output rows first.",
        '    """',
        "    m, out_h, out_w, c = dz.shape",
        "    height, width = x.shape[1], x.shape[2]",
        "    ys, xs = dy_k[3] - dy_k[0], dx_k[1] - dx_k[0]",
        "    row_step, col_step = ys * width * c, xs * c  # elements between tap rows, and between a row's taps",
        "    xk0 = dx_k[0] - left  # pixel ow's first tap reads column ow + xk0",
        "    ow_lo = max(0, -xk0)",
        "    ow_hi = max(ow_lo, min(out_w, width - xk0 - 2 * xs))  # never below ow_lo: the edge loops split at both",
        *gradient_sums_lines("c"),
        "            r_lo = 0  # the tap rows inside x: r_lo up to r_hi",
        "            while r_lo < 3 and not 0 <= oh - top + dy_k[3 * r_lo] < height:",
        "                r_lo += 1",
        "            r_hi = r_lo",
        "            while r_hi < 3 and 0 <= oh - top + dy_k[3 * r_hi] < height:",
        "                r_hi += 1",
        "            d_at = (n * out_h + oh) * out_w * c",
        "            x_at = ((n * height + oh - top + dy_k[0]) * width + xk0) * c  # tap 0 of pixel 0 (maybe outside x)",
        f"            for jb in range(0, c, {lanes}):",
        "                if r_hi - r_lo == 3:",
        f"                    a0, a1, a2 = block_zeros(pf, 3, {lanes}), block_zeros(pf, 3, {lanes}), block_zeros(pf, 3, {lanes})",
        "                    for ow in range(ow_lo, ow_hi):",
        "                        at, d = x_at + ow * c + jb, d_at + ow * c + jb",
        "                        a0 = block_fma_rows(a0, xf, at, col_step, dzf, d)",
        "                        a1 = block_fma_rows(a1, xf, at + row_step, col_step, dzf, d)",
        "                        a2 = block_fma_rows(a2, xf, at + 2 * row_step, col_step, dzf, d)",
        "                    block_add_to(a0, pf, jb, c)",
        "                    block_add_to(a1, pf, 3 * c + jb, c)",
        "                    block_add_to(a2, pf, 6 * c + jb, c)",
        "                else:",
        "                    for r in range(r_lo, r_hi):",
        f"                        a3 = block_zeros(pf, 3, {lanes})",
        "                        for ow in range(ow_lo, ow_hi):",
        "                            a3 = block_fma_rows(a3, xf, x_at + r * row_step + ow * c + jb, col_step, dzf, d_at + ow * c + jb)",
        "                        block_add_to(a3, pf, 3 * r * c + jb, c)",
        "                for r in range(r_lo, r_hi):  # the edge columns, where some taps of a row read the zero padding",
        "                    r_at = x_at + r * row_step",
        "                    for j in range(3):",
        "                        t_lo, t_hi = max(0, -(xk0 + xs * j)), min(out_w, width - xk0 - xs * j)",
        *one_tap,
        *ADD_SAMPLE_SUMS,
        "    return dw",
    ]
    return "\n".join(lines)
