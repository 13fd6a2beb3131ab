"""The line writers of :mod:`.generate_direct_conv`: the source of each family of register-blocked loops.

Each ``*_source`` function writes one generated function for one block shape (``pixels`` or
input ``channels`` x ``lanes``) as text; :func:`.generate_direct_conv.source` picks the shapes
(its block tables) and joins the functions into :mod:`.direct_conv_kernels`. Pure text: nothing
here imports NumPy or Numba.
"""

from __future__ import annotations

# The plain loops index with unsigned integers (``U``, ``np.uint64``): with signed ones Numba checks
# every index for wraparound (a negative index counts from the end), and the checks kept LLVM from
# vectorising the loops. The register blocks compute their addresses themselves.


def _lines_sample_source(indent: str) -> list[str]:
    """Where the loops read sample ``n``: ``src`` from ``at0``, ``src_h x src_w`` pixels, as if padded by
    ``t`` rows and ``l`` columns of zeros before it.

    Either a copy in the inside of ``xs``, one padded sample (flat, ``pad_h x pad_w`` pixels, the
    sample at row ``top`` and column ``left``) whose borders are zero, or, where ``xs`` is empty,
    ``x`` itself, read in place. The copy costs a pass over the sample; reading in place costs
    single pixels at the edges, where taps fall in the padding, which the caller weighs
    (:func:`.direct_conv_phases.reads_in_place`; measurements: BENCHMARKS.md, 'Why each path exists').
    The caller allocates ``xs`` (zeros), so that it is counted where NumPy's memory is.
    """
    return [
        f"{indent}if xs.shape[0] == 0:",
        f"{indent}    src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left",
        f"{indent}else:",
        f"{indent}    src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0",
        f"{indent}    for h in range(height):",
        f"{indent}        at = (n * height + h) * width * c_in",
        f"{indent}        to = ((h + top) * pad_w + left) * c_in",
        f"{indent}        for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly",
        f"{indent}            xs[U(to + i)] = xf[U(at + i)]",
    ]


def _lines_forward_block(pixels: int, lanes: int, indent: str, check_columns: bool) -> list[str]:
    """Accumulate `pixels` output pixels x `lanes` channels starting at column ``ow0``, channels from
    ``jb``, over taps ``k_lo`` up to ``k_hi`` (one phase's, of ``n_taps`` in all), from ``src``
    (:func:`_lines_sample_source`): taps whose row is outside it add nothing, and so do those
    whose column is, where `check_columns` (single pixels at the edges). The sums stay in one
    register block (:mod:`.register_blocks`) over every tap.

    The weights come packed, ``(C_out / lanes, taps, C_in, lanes)``: each block of output channels
    reads one contiguous run. Read from ``(taps, C_in, C_out)``, a block took every other part of
    the rows once ``C_out`` was wider than it, and the loops ran slower (measurements:
    BENCHMARKS.md, 'Why each path exists').
    """
    return [
        f"{indent}acc = block_load(b, jb, 0, {pixels}, {lanes})",
        f"{indent}for k in range(k_lo, k_hi):",
        f"{indent}    yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l",
        f"{indent}    if yk < 0 or yk >= src_h{' or xk < 0 or xk >= src_w' if check_columns else ''}:",
        f"{indent}        continue  # zero padding adds nothing",
        f"{indent}    x_at = at0 + (yk * src_w + xk) * c_in",
        f"{indent}    w_at = jb * n_taps * c_in + k * c_in * {lanes}",
        f"{indent}    for c in range(c_in):",
        f"{indent}        acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * {lanes})",
        f"{indent}z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb",
        f"{indent}block_store(acc, zf, z_at, cs * c_out)",
    ]


def forward_source(pixels: int, lanes: int) -> str:
    """``forward_<pixels>x<lanes>``: ``z[n, oh, ow, :] = b + sum over taps k, channels c of x_pad[n, oh*sh + dy_k[k], ow*sw + dx_k[k], c] * w[k, c, :]``,
    phase by phase (the input gradient above stride 1 is several correlations of the same sample)."""
    lines = [
        f"def forward_{pixels}x{lanes}(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):",
        '    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.',
        "",
        "    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.",
        "    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``",
        "    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:",
        "    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``",
        "    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it",
        "    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row",
        "    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.",
        f"    ``w`` holds the weights of every tap packed by {lanes} output channels, ``(C_out / {lanes}, taps, C_in, {lanes})``.",
        f"    ``C_out`` is a multiple of {lanes}. Blocks of {pixels} pixels x {lanes} channels where every tap's column",
        "    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left",
        f"    over at the end of a row (fewer than {pixels}) one at a time.",
        '    """',
        "    m, z_h, z_w, c_out = z.shape",
        "    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]",
        "    n_taps = dy_k.shape[0]",
        "    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)",
        "    for n in range(m):",
        *_lines_sample_source(" " * 8),
        "        for phase in range(phases.shape[0]):",
        "            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]",
        "            k_lo, k_hi = phases[phase, 4], phases[phase, 5]",
        "            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)",
        "            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]",
        "            for k in range(k_lo, k_hi):",
        "                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])",
        "            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))",
        "            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))",
        f"            blocks_end = col_lo + (col_hi - col_lo) // {pixels} * {pixels}",
        "            for oh in range(out_h):",
        f"                for ow0 in range(col_lo, blocks_end, {pixels}):",
        f"                    for jb in range(0, c_out, {lanes}):",
        *_lines_forward_block(pixels, lanes, " " * 24, False),
        "                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest",
        "                    ow0 = i if i < col_lo else blocks_end + i - col_lo",
        f"                    for jb in range(0, c_out, {lanes}):",
        *_lines_forward_block(1, lanes, " " * 24, True),
        "    return z",
    ]
    return "\n".join(lines)


def gradient_sums_lines(channels: str) -> list[str]:
    """The weight-gradient loops' start: per sample, the bias gradient row by row, then each row's taps.

    `channels` names the variable holding the output gradient's channel count.
    """
    return [
        "    n_taps = dy_k.shape[0]",
        "    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)",
        "    row_b = np.empty_like(part_b)",
        "    for n in range(m):",
        "        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly",
        "            pf[U(i)] = 0",
        f"        for j in range({channels}):",
        "            part_b[U(j)] = 0",
        "        for oh in range(out_h):",
        f"            for j in range({channels}):",
        "                row_b[U(j)] = 0",
        "            for ow in range(out_w):",
        f"                d_at = U(((n * out_h + oh) * out_w + ow) * {channels})",
        f"                for j in range({channels}):",
        "                    row_b[U(j)] += dzf[d_at + U(j)]",
        f"            for j in range({channels}):",
        "                part_b[U(j)] += row_b[U(j)]",
    ]


ADD_SAMPLE_SUMS = [
    "        for i in range(pf.shape[0]):",
    "            dwf[U(i)] += pf[U(i)]",
    "        for j in range(db.shape[0]):",
    "            db[U(j)] += part_b[U(j)]",
]
"""The weight-gradient loops' end, per sample: its sums added to ``dw`` and ``db``."""


def weight_gradient_source(channels: int, lanes: int, name: str = "weight_gradient") -> str:
    """``<name>_<channels>x<lanes>``: ``dw[k, c, :] += sum over pixels of x[.., tap k, c] * dz[pixel, :]``."""
    lines = [
        f"def {name}_{channels}x{lanes}(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):",
        '    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.',
        "",
        f"    ``C_in`` and ``C_out`` are multiples of {channels} and {lanes}. Each sample's share is summed"
        if channels > 1
        else f"    ``C_out`` is a multiple of {lanes}; one input channel at a time. Each sample's share is summed",
        "    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:",
        "    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel",
        "    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and",
        "    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked",
        f"    out once, no check per pixel). A block of {channels} input x {lanes} output channels stays in",
        "    registers over a row's pixels.",
        '    """',
        "    m, out_h, out_w, c_out = dz.shape",
        "    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]",
        *gradient_sums_lines("c_out"),
        "            for k in range(n_taps):",
        "                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk",
        "                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)",
        "                if yk < 0 or yk >= height or ow_lo >= ow_hi:",
        "                    continue  # zero padding adds nothing",
        "                x_row = (n * height + yk) * width * c_in",
        f"                for cb in range(0, c_in, {channels}):",
        f"                    for jb in range(0, c_out, {lanes}):",
        f"                        acc = block_zeros(pf, {channels}, {lanes})",
        "                        for ow in range(ow_lo, ow_hi):",
        "                            x_at = x_row + (ow * sw + xk) * c_in + cb",
        "                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb",
        "                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)",
        "                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)",
        *ADD_SAMPLE_SUMS,
        "    return dw",
    ]
    return "\n".join(lines)


def lines_inside_then_edges(
    column: str, end: str, pixels: int, inside: list[str], edge: list[str], *, shift_last: bool = False
) -> list[str]:
    """A row's columns ``column`` up to `end`: `inside` (a block of `pixels`) where every tap stays
    inside the array it reads (``col_lo`` up to ``col_hi``), `edge` (one pixel, checked) elsewhere.

    A block must also end by `end`, the width of the row it writes: with padding past the kernel's
    extent the columns every tap reads inside reach beyond it (a 1x1 kernel, padding 1: the input
    gradient's reads stay inside the padded output gradient up to one column past the input's
    width), and a block there wrote past the row, at the last row past the array.
    With `shift_last`, the inside columns left over after the last whole block (fewer than
    `pixels`) are a block too, shifted left over columns done already, which it writes again with
    the same values: for loops that store their block, not add it. Taken one at a time through the
    checked `edge` lines, those columns took a third of a depthwise layer's time with a 5 x 5
    kernel over 14 columns (measurements: BENCHMARKS.md, 'Depthwise edges').
    `inside` and `edge` are lines indented from the branch they run in.
    """
    if shift_last:
        # col_lo may be negative (padding past the kernel's extent): a shifted block starts at 0 at the earliest
        block = [
            f"                if {column} >= col_lo and {column} < blocks_end and blocks_end - max(col_lo, 0) >= {pixels}:",
            f"                    {column} = min({column}, blocks_end - {pixels})",
        ]
    else:
        block = [f"                if {column} >= col_lo and {column} + {pixels} <= blocks_end:"]
    return [
        f"            blocks_end = min(col_hi, {end})",
        f"            {column} = 0",
        f"            while {column} < {end}:",
        *block,
        *(" " * 20 + line for line in inside),
        f"                    {column} += {pixels}",
        "                else:",
        *(" " * 20 + line for line in edge),
        f"                    {column} += 1",
    ]


def _lines_narrow_input_block(pixels: int, lanes: int, indent: str, check_columns: bool) -> list[str]:
    """``dx`` of `pixels` pixels from column ``col0``, input channel ``ci``: dot products over the
    taps and the output channels, `lanes` at a time in one register block, summed across its lanes
    at the end.

    Taps whose row falls outside ``dz`` add nothing; so do those whose column does, where
    `check_columns` (a block inside the columns that every tap reaches needs no check)."""
    return [
        f"{indent}acc = block_zeros(dxf, {pixels}, {lanes})",
        f"{indent}for jb in range(0, c_out, {lanes}):",
        f"{indent}    for k in range(n_taps):",
        f"{indent}        oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]",
        f"{indent}        if oh < 0 or oh >= out_h{' or ow < 0 or ow >= out_w' if check_columns else ''}:",
        f"{indent}            continue",
        f"{indent}        d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb",
        f"{indent}        acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)",
        f"{indent}block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)",
    ]


def narrow_input_gradient_source(pixels: int, lanes: int) -> str:
    """``narrow_input_gradient_<pixels>x<lanes>``: ``dx[n, h, w, c] = sum over taps k, channels j of dz[n, h + top - dy_k[k], w + left - dx_k[k], j] * w[k, c, j]``."""
    lines = [
        f"def narrow_input_gradient_{pixels}x{lanes}(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):",
        '    """Gradient with respect to the unpadded input of a stride-1 correlation with ``w (taps, C_in, C_out)``.',
        "",
        "    For few input channels: each input channel of each pixel is a dot product over the taps",
        f"    and the output channels, summed {lanes} output channels at a time and then across them.",
        f"    ``C_out`` is a multiple of {lanes}; taps that reach outside ``dz`` add nothing. Columns",
        f"    from ``col_lo`` up to ``col_hi`` reach inside ``dz`` with every tap: there {pixels} pixels of a",
        "    row at a time, with no column checks; elsewhere one at a time. ``dz`` is read in place:",
        "    a padded copy of a large image's output gradient would be as large as the image.",
        '    """',
        "    m, out_h, out_w, c_out = dz.shape",
        "    height, width, c_in = dx.shape[1], dx.shape[2], dx.shape[3]",
        "    n_taps = dy_k.shape[0]",
        "    dzf, wf, dxf = dz.reshape(-1), w.reshape(-1), dx.reshape(-1)",
        "    for n in range(m):",
        "        for h in range(height):",
        *lines_inside_then_edges(
            "col0",
            "width",
            pixels,
            ["for ci in range(c_in):", *_lines_narrow_input_block(pixels, lanes, " " * 4, check_columns=False)],
            ["for ci in range(c_in):", *_lines_narrow_input_block(1, lanes, " " * 4, check_columns=True)],
        ),
        "    return dx",
    ]
    return "\n".join(lines)
