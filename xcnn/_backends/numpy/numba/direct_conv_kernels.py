"""Direct convolution loops over register blocks (generated; do not edit).

Written by ``python -m xcnn._backends.numpy.numba.generate_direct_conv``, one function per block
shape ``<family>_<rows>x<lanes>``; :mod:`.direct_loops` compiles those the host's ISA uses for
:mod:`.direct_conv` and :mod:`.direct_depthwise`. Plain Python functions: they run (slowly) without
Numba too. Arrays are C-contiguous and read through flat views, with unsigned indices (``U``)
where the loops index them themselves.
"""

import numpy as np

from .register_blocks import block_add_to, block_fma, block_fma_rows, block_load, block_store, block_store_sums, block_zeros

U = np.uint64
BLOCKS_DIGEST = 'dac06a10330906e5'  # of register_block_intrinsics.py: see the generator


def forward_8x32(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 32 output channels, ``(C_out / 32, taps, C_in, 32)``.
    ``C_out`` is a multiple of 32. Blocks of 8 pixels x 32 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 8) one at a time.
    """
    m, z_h, z_w, c_out = z.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        if xs.shape[0] == 0:
            src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left
        else:
            src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0
            for h in range(height):
                at = (n * height + h) * width * c_in
                to = ((h + top) * pad_w + left) * c_in
                for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly
                    xs[U(to + i)] = xf[U(at + i)]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 8 * 8
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 8):
                    for jb in range(0, c_out, 32):
                        acc = block_load(b, jb, 0, 8, 32)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 32
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 32)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb in range(0, c_out, 32):
                        acc = block_load(b, jb, 0, 1, 32)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 32
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 32)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
    return z


def forward_2x32(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 32 output channels, ``(C_out / 32, taps, C_in, 32)``.
    ``C_out`` is a multiple of 32. Blocks of 2 pixels x 32 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 2) one at a time.
    """
    m, z_h, z_w, c_out = z.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        if xs.shape[0] == 0:
            src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left
        else:
            src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0
            for h in range(height):
                at = (n * height + h) * width * c_in
                to = ((h + top) * pad_w + left) * c_in
                for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly
                    xs[U(to + i)] = xf[U(at + i)]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 2 * 2
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 2):
                    for jb in range(0, c_out, 32):
                        acc = block_load(b, jb, 0, 2, 32)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 32
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 32)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb in range(0, c_out, 32):
                        acc = block_load(b, jb, 0, 1, 32)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 32
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 32)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
    return z


def forward_8x16(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 16 output channels, ``(C_out / 16, taps, C_in, 16)``.
    ``C_out`` is a multiple of 16. Blocks of 8 pixels x 16 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 8) one at a time.
    """
    m, z_h, z_w, c_out = z.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        if xs.shape[0] == 0:
            src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left
        else:
            src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0
            for h in range(height):
                at = (n * height + h) * width * c_in
                to = ((h + top) * pad_w + left) * c_in
                for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly
                    xs[U(to + i)] = xf[U(at + i)]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 8 * 8
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 8):
                    for jb in range(0, c_out, 16):
                        acc = block_load(b, jb, 0, 8, 16)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 16
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 16)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb in range(0, c_out, 16):
                        acc = block_load(b, jb, 0, 1, 16)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 16
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 16)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
    return z


def forward_6x16(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 16 output channels, ``(C_out / 16, taps, C_in, 16)``.
    ``C_out`` is a multiple of 16. Blocks of 6 pixels x 16 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 6) one at a time.
    """
    m, z_h, z_w, c_out = z.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        if xs.shape[0] == 0:
            src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left
        else:
            src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0
            for h in range(height):
                at = (n * height + h) * width * c_in
                to = ((h + top) * pad_w + left) * c_in
                for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly
                    xs[U(to + i)] = xf[U(at + i)]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 6 * 6
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 6):
                    for jb in range(0, c_out, 16):
                        acc = block_load(b, jb, 0, 6, 16)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 16
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 16)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb in range(0, c_out, 16):
                        acc = block_load(b, jb, 0, 1, 16)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 16
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 16)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
    return z


def forward_4x16(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 16 output channels, ``(C_out / 16, taps, C_in, 16)``.
    ``C_out`` is a multiple of 16. Blocks of 4 pixels x 16 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 4) one at a time.
    """
    m, z_h, z_w, c_out = z.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        if xs.shape[0] == 0:
            src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left
        else:
            src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0
            for h in range(height):
                at = (n * height + h) * width * c_in
                to = ((h + top) * pad_w + left) * c_in
                for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly
                    xs[U(to + i)] = xf[U(at + i)]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 4 * 4
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 4):
                    for jb in range(0, c_out, 16):
                        acc = block_load(b, jb, 0, 4, 16)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 16
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 16)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb in range(0, c_out, 16):
                        acc = block_load(b, jb, 0, 1, 16)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 16
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 16)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
    return z


def forward_2x16(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 16 output channels, ``(C_out / 16, taps, C_in, 16)``.
    ``C_out`` is a multiple of 16. Blocks of 2 pixels x 16 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 2) one at a time.
    """
    m, z_h, z_w, c_out = z.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        if xs.shape[0] == 0:
            src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left
        else:
            src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0
            for h in range(height):
                at = (n * height + h) * width * c_in
                to = ((h + top) * pad_w + left) * c_in
                for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly
                    xs[U(to + i)] = xf[U(at + i)]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 2 * 2
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 2):
                    for jb in range(0, c_out, 16):
                        acc = block_load(b, jb, 0, 2, 16)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 16
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 16)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb in range(0, c_out, 16):
                        acc = block_load(b, jb, 0, 1, 16)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 16
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 16)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
    return z


def forward_8x8(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 8 output channels, ``(C_out / 8, taps, C_in, 8)``.
    ``C_out`` is a multiple of 8. Blocks of 8 pixels x 8 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 8) one at a time.
    """
    m, z_h, z_w, c_out = z.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        if xs.shape[0] == 0:
            src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left
        else:
            src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0
            for h in range(height):
                at = (n * height + h) * width * c_in
                to = ((h + top) * pad_w + left) * c_in
                for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly
                    xs[U(to + i)] = xf[U(at + i)]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 8 * 8
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 8):
                    for jb in range(0, c_out, 8):
                        acc = block_load(b, jb, 0, 8, 8)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 8
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 8)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb in range(0, c_out, 8):
                        acc = block_load(b, jb, 0, 1, 8)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 8
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 8)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
    return z


def forward_4x8(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 8 output channels, ``(C_out / 8, taps, C_in, 8)``.
    ``C_out`` is a multiple of 8. Blocks of 4 pixels x 8 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 4) one at a time.
    """
    m, z_h, z_w, c_out = z.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        if xs.shape[0] == 0:
            src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left
        else:
            src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0
            for h in range(height):
                at = (n * height + h) * width * c_in
                to = ((h + top) * pad_w + left) * c_in
                for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly
                    xs[U(to + i)] = xf[U(at + i)]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 4 * 4
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 4):
                    for jb in range(0, c_out, 8):
                        acc = block_load(b, jb, 0, 4, 8)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 8
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 8)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb in range(0, c_out, 8):
                        acc = block_load(b, jb, 0, 1, 8)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 8
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 8)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
    return z


def forward_2x8(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 8 output channels, ``(C_out / 8, taps, C_in, 8)``.
    ``C_out`` is a multiple of 8. Blocks of 2 pixels x 8 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 2) one at a time.
    """
    m, z_h, z_w, c_out = z.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        if xs.shape[0] == 0:
            src, at0, src_h, src_w, t, l = xf, n * height * width * c_in, height, width, top, left
        else:
            src, at0, src_h, src_w, t, l = xs, 0, pad_h, pad_w, 0, 0
            for h in range(height):
                at = (n * height + h) * width * c_in
                to = ((h + top) * pad_w + left) * c_in
                for i in range(width * c_in):  # not a slice assignment: its shape check compiles slowly
                    xs[U(to + i)] = xf[U(at + i)]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 2 * 2
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 2):
                    for jb in range(0, c_out, 8):
                        acc = block_load(b, jb, 0, 2, 8)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 8
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 8)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb in range(0, c_out, 8):
                        acc = block_load(b, jb, 0, 1, 8)
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = at0 + (yk * src_w + xk) * c_in
                            w_at = jb * n_taps * c_in + k * c_in * 8
                            for c in range(c_in):
                                acc = block_fma(acc, src, x_at + c, sw * c_in, wf, w_at + c * 8)
                        z_at = ((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out + jb
                        block_store(acc, zf, z_at, cs * c_out)
    return z


def weight_gradient_8x16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 8 and 16. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel). A block of 8 input x 16 output channels stays in
    registers over a row's pixels.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c_out):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c_out):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c_out):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = (n * height + yk) * width * c_in
                for cb in range(0, c_in, 8):
                    for jb in range(0, c_out, 16):
                        acc = block_zeros(pf, 8, 16)
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + (ow * sw + xk) * c_in + cb
                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)
                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def weight_gradient_4x16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 4 and 16. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel). A block of 4 input x 16 output channels stays in
    registers over a row's pixels.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c_out):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c_out):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c_out):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = (n * height + yk) * width * c_in
                for cb in range(0, c_in, 4):
                    for jb in range(0, c_out, 16):
                        acc = block_zeros(pf, 4, 16)
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + (ow * sw + xk) * c_in + cb
                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)
                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def weight_gradient_2x16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 2 and 16. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel). A block of 2 input x 16 output channels stays in
    registers over a row's pixels.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c_out):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c_out):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c_out):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = (n * height + yk) * width * c_in
                for cb in range(0, c_in, 2):
                    for jb in range(0, c_out, 16):
                        acc = block_zeros(pf, 2, 16)
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + (ow * sw + xk) * c_in + cb
                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)
                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def weight_gradient_8x8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 8 and 8. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel). A block of 8 input x 8 output channels stays in
    registers over a row's pixels.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c_out):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c_out):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c_out):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = (n * height + yk) * width * c_in
                for cb in range(0, c_in, 8):
                    for jb in range(0, c_out, 8):
                        acc = block_zeros(pf, 8, 8)
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + (ow * sw + xk) * c_in + cb
                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)
                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def weight_gradient_4x8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 4 and 8. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel). A block of 4 input x 8 output channels stays in
    registers over a row's pixels.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c_out):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c_out):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c_out):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = (n * height + yk) * width * c_in
                for cb in range(0, c_in, 4):
                    for jb in range(0, c_out, 8):
                        acc = block_zeros(pf, 4, 8)
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + (ow * sw + xk) * c_in + cb
                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)
                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def weight_gradient_2x8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 2 and 8. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel). A block of 2 input x 8 output channels stays in
    registers over a row's pixels.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c_out):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c_out):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c_out):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = (n * height + yk) * width * c_in
                for cb in range(0, c_in, 2):
                    for jb in range(0, c_out, 8):
                        acc = block_zeros(pf, 2, 8)
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + (ow * sw + xk) * c_in + cb
                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)
                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def narrow_weight_gradient_1x32(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_out`` is a multiple of 32; one input channel at a time. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel). A block of 1 input x 32 output channels stays in
    registers over a row's pixels.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c_out):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c_out):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c_out):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = (n * height + yk) * width * c_in
                for cb in range(0, c_in, 1):
                    for jb in range(0, c_out, 32):
                        acc = block_zeros(pf, 1, 32)
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + (ow * sw + xk) * c_in + cb
                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)
                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def narrow_weight_gradient_1x16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_out`` is a multiple of 16; one input channel at a time. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel). A block of 1 input x 16 output channels stays in
    registers over a row's pixels.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c_out):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c_out):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c_out):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = (n * height + yk) * width * c_in
                for cb in range(0, c_in, 1):
                    for jb in range(0, c_out, 16):
                        acc = block_zeros(pf, 1, 16)
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + (ow * sw + xk) * c_in + cb
                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)
                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def narrow_weight_gradient_1x8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_out`` is a multiple of 8; one input channel at a time. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel). A block of 1 input x 8 output channels stays in
    registers over a row's pixels.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c_out):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c_out):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c_out):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = (n * height + yk) * width * c_in
                for cb in range(0, c_in, 1):
                    for jb in range(0, c_out, 8):
                        acc = block_zeros(pf, 1, 8)
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + (ow * sw + xk) * c_in + cb
                            d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                            acc = block_fma(acc, xf, x_at, 1, dzf, d_at)
                        block_add_to(acc, pf, (k * c_in + cb) * c_out + jb, c_out)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def narrow_input_gradient_4x32(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
    """Gradient with respect to the unpadded input of a stride-1 correlation with ``w (taps, C_in, C_out)``.

    For few input channels: each input channel of each pixel is a dot product over the taps
    and the output channels, summed 32 output channels at a time and then across them.
    ``C_out`` is a multiple of 32; taps that reach outside ``dz`` add nothing. Columns
    from ``col_lo`` up to ``col_hi`` reach inside ``dz`` with every tap: there 4 pixels of a
    row at a time, with no column checks; elsewhere one at a time. ``dz`` is read in place:
    a padded copy of a large image's output gradient would be as large as the image.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = dx.shape[1], dx.shape[2], dx.shape[3]
    n_taps = dy_k.shape[0]
    dzf, wf, dxf = dz.reshape(-1), w.reshape(-1), dx.reshape(-1)
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 4 <= blocks_end:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 4, 32)
                        for jb in range(0, c_out, 32):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 4
                else:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 1, 32)
                        for jb in range(0, c_out, 32):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 1
    return dx


def narrow_input_gradient_2x32(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
    """Gradient with respect to the unpadded input of a stride-1 correlation with ``w (taps, C_in, C_out)``.

    For few input channels: each input channel of each pixel is a dot product over the taps
    and the output channels, summed 32 output channels at a time and then across them.
    ``C_out`` is a multiple of 32; taps that reach outside ``dz`` add nothing. Columns
    from ``col_lo`` up to ``col_hi`` reach inside ``dz`` with every tap: there 2 pixels of a
    row at a time, with no column checks; elsewhere one at a time. ``dz`` is read in place:
    a padded copy of a large image's output gradient would be as large as the image.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = dx.shape[1], dx.shape[2], dx.shape[3]
    n_taps = dy_k.shape[0]
    dzf, wf, dxf = dz.reshape(-1), w.reshape(-1), dx.reshape(-1)
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 2 <= blocks_end:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 2, 32)
                        for jb in range(0, c_out, 32):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 2
                else:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 1, 32)
                        for jb in range(0, c_out, 32):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 1
    return dx


def narrow_input_gradient_8x16(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
    """Gradient with respect to the unpadded input of a stride-1 correlation with ``w (taps, C_in, C_out)``.

    For few input channels: each input channel of each pixel is a dot product over the taps
    and the output channels, summed 16 output channels at a time and then across them.
    ``C_out`` is a multiple of 16; taps that reach outside ``dz`` add nothing. Columns
    from ``col_lo`` up to ``col_hi`` reach inside ``dz`` with every tap: there 8 pixels of a
    row at a time, with no column checks; elsewhere one at a time. ``dz`` is read in place:
    a padded copy of a large image's output gradient would be as large as the image.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = dx.shape[1], dx.shape[2], dx.shape[3]
    n_taps = dy_k.shape[0]
    dzf, wf, dxf = dz.reshape(-1), w.reshape(-1), dx.reshape(-1)
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 8 <= blocks_end:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 8, 16)
                        for jb in range(0, c_out, 16):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 8
                else:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 1, 16)
                        for jb in range(0, c_out, 16):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 1
    return dx


def narrow_input_gradient_4x16(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
    """Gradient with respect to the unpadded input of a stride-1 correlation with ``w (taps, C_in, C_out)``.

    For few input channels: each input channel of each pixel is a dot product over the taps
    and the output channels, summed 16 output channels at a time and then across them.
    ``C_out`` is a multiple of 16; taps that reach outside ``dz`` add nothing. Columns
    from ``col_lo`` up to ``col_hi`` reach inside ``dz`` with every tap: there 4 pixels of a
    row at a time, with no column checks; elsewhere one at a time. ``dz`` is read in place:
    a padded copy of a large image's output gradient would be as large as the image.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = dx.shape[1], dx.shape[2], dx.shape[3]
    n_taps = dy_k.shape[0]
    dzf, wf, dxf = dz.reshape(-1), w.reshape(-1), dx.reshape(-1)
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 4 <= blocks_end:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 4, 16)
                        for jb in range(0, c_out, 16):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 4
                else:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 1, 16)
                        for jb in range(0, c_out, 16):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 1
    return dx


def narrow_input_gradient_2x16(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
    """Gradient with respect to the unpadded input of a stride-1 correlation with ``w (taps, C_in, C_out)``.

    For few input channels: each input channel of each pixel is a dot product over the taps
    and the output channels, summed 16 output channels at a time and then across them.
    ``C_out`` is a multiple of 16; taps that reach outside ``dz`` add nothing. Columns
    from ``col_lo`` up to ``col_hi`` reach inside ``dz`` with every tap: there 2 pixels of a
    row at a time, with no column checks; elsewhere one at a time. ``dz`` is read in place:
    a padded copy of a large image's output gradient would be as large as the image.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = dx.shape[1], dx.shape[2], dx.shape[3]
    n_taps = dy_k.shape[0]
    dzf, wf, dxf = dz.reshape(-1), w.reshape(-1), dx.reshape(-1)
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 2 <= blocks_end:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 2, 16)
                        for jb in range(0, c_out, 16):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 2
                else:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 1, 16)
                        for jb in range(0, c_out, 16):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 1
    return dx


def narrow_input_gradient_8x8(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
    """Gradient with respect to the unpadded input of a stride-1 correlation with ``w (taps, C_in, C_out)``.

    For few input channels: each input channel of each pixel is a dot product over the taps
    and the output channels, summed 8 output channels at a time and then across them.
    ``C_out`` is a multiple of 8; taps that reach outside ``dz`` add nothing. Columns
    from ``col_lo`` up to ``col_hi`` reach inside ``dz`` with every tap: there 8 pixels of a
    row at a time, with no column checks; elsewhere one at a time. ``dz`` is read in place:
    a padded copy of a large image's output gradient would be as large as the image.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = dx.shape[1], dx.shape[2], dx.shape[3]
    n_taps = dy_k.shape[0]
    dzf, wf, dxf = dz.reshape(-1), w.reshape(-1), dx.reshape(-1)
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 8 <= blocks_end:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 8, 8)
                        for jb in range(0, c_out, 8):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 8
                else:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 1, 8)
                        for jb in range(0, c_out, 8):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 1
    return dx


def narrow_input_gradient_4x8(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
    """Gradient with respect to the unpadded input of a stride-1 correlation with ``w (taps, C_in, C_out)``.

    For few input channels: each input channel of each pixel is a dot product over the taps
    and the output channels, summed 8 output channels at a time and then across them.
    ``C_out`` is a multiple of 8; taps that reach outside ``dz`` add nothing. Columns
    from ``col_lo`` up to ``col_hi`` reach inside ``dz`` with every tap: there 4 pixels of a
    row at a time, with no column checks; elsewhere one at a time. ``dz`` is read in place:
    a padded copy of a large image's output gradient would be as large as the image.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = dx.shape[1], dx.shape[2], dx.shape[3]
    n_taps = dy_k.shape[0]
    dzf, wf, dxf = dz.reshape(-1), w.reshape(-1), dx.reshape(-1)
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 4 <= blocks_end:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 4, 8)
                        for jb in range(0, c_out, 8):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 4
                else:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 1, 8)
                        for jb in range(0, c_out, 8):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 1
    return dx


def narrow_input_gradient_2x8(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
    """Gradient with respect to the unpadded input of a stride-1 correlation with ``w (taps, C_in, C_out)``.

    For few input channels: each input channel of each pixel is a dot product over the taps
    and the output channels, summed 8 output channels at a time and then across them.
    ``C_out`` is a multiple of 8; taps that reach outside ``dz`` add nothing. Columns
    from ``col_lo`` up to ``col_hi`` reach inside ``dz`` with every tap: there 2 pixels of a
    row at a time, with no column checks; elsewhere one at a time. ``dz`` is read in place:
    a padded copy of a large image's output gradient would be as large as the image.
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = dx.shape[1], dx.shape[2], dx.shape[3]
    n_taps = dy_k.shape[0]
    dzf, wf, dxf = dz.reshape(-1), w.reshape(-1), dx.reshape(-1)
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 2 <= blocks_end:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 2, 8)
                        for jb in range(0, c_out, 8):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 2
                else:
                    for ci in range(c_in):
                        acc = block_zeros(dxf, 1, 8)
                        for jb in range(0, c_out, 8):
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = ((n * out_h + oh) * out_w + ow) * c_out + jb
                                acc = block_fma_rows(acc, dzf, d_at, c_out, wf, (k * c_in + ci) * c_out + jb)
                        block_store_sums(acc, dxf, ((n * height + h) * width + col0) * c_in + ci, c_in)
                    col0 += 1
    return dx


def depthwise_4x32(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 32. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 4 pixel(s) at a time, with no
    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or
    mirrored).
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements
    for n in range(m):
        for oh in range(out_h):
            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so
            # they are one run, k_lo up to k_hi
            k_lo = 0
            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:
                k_lo += 1
            k_hi = k_lo
            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:
                k_hi += 1
            x_row = (n * height + oh - top) * width * c - left * c
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 < blocks_end and blocks_end - max(col_lo, 0) >= 4:
                    ow0 = min(ow0, blocks_end - 4)
                    for jb in range(0, c, 32):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 4, 32)
                        for k in range(k_lo, k_hi):
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 4
                else:
                    for jb in range(0, c, 32):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 32)
                        for k in range(k_lo, k_hi):
                            if not 0 <= ow0 - left + dx_k[k] < width:
                                continue  # zero padding adds nothing
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
    return z


def depthwise_2x32(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 32. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 2 pixel(s) at a time, with no
    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or
    mirrored).
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements
    for n in range(m):
        for oh in range(out_h):
            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so
            # they are one run, k_lo up to k_hi
            k_lo = 0
            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:
                k_lo += 1
            k_hi = k_lo
            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:
                k_hi += 1
            x_row = (n * height + oh - top) * width * c - left * c
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 < blocks_end and blocks_end - max(col_lo, 0) >= 2:
                    ow0 = min(ow0, blocks_end - 2)
                    for jb in range(0, c, 32):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 2, 32)
                        for k in range(k_lo, k_hi):
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 2
                else:
                    for jb in range(0, c, 32):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 32)
                        for k in range(k_lo, k_hi):
                            if not 0 <= ow0 - left + dx_k[k] < width:
                                continue  # zero padding adds nothing
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
    return z


def depthwise_6x16(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 16. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 6 pixel(s) at a time, with no
    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or
    mirrored).
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements
    for n in range(m):
        for oh in range(out_h):
            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so
            # they are one run, k_lo up to k_hi
            k_lo = 0
            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:
                k_lo += 1
            k_hi = k_lo
            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:
                k_hi += 1
            x_row = (n * height + oh - top) * width * c - left * c
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 < blocks_end and blocks_end - max(col_lo, 0) >= 6:
                    ow0 = min(ow0, blocks_end - 6)
                    for jb in range(0, c, 16):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 6, 16)
                        for k in range(k_lo, k_hi):
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 6
                else:
                    for jb in range(0, c, 16):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 16)
                        for k in range(k_lo, k_hi):
                            if not 0 <= ow0 - left + dx_k[k] < width:
                                continue  # zero padding adds nothing
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
    return z


def depthwise_4x16(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 16. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 4 pixel(s) at a time, with no
    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or
    mirrored).
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements
    for n in range(m):
        for oh in range(out_h):
            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so
            # they are one run, k_lo up to k_hi
            k_lo = 0
            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:
                k_lo += 1
            k_hi = k_lo
            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:
                k_hi += 1
            x_row = (n * height + oh - top) * width * c - left * c
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 < blocks_end and blocks_end - max(col_lo, 0) >= 4:
                    ow0 = min(ow0, blocks_end - 4)
                    for jb in range(0, c, 16):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 4, 16)
                        for k in range(k_lo, k_hi):
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 4
                else:
                    for jb in range(0, c, 16):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 16)
                        for k in range(k_lo, k_hi):
                            if not 0 <= ow0 - left + dx_k[k] < width:
                                continue  # zero padding adds nothing
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
    return z


def depthwise_3x16(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 16. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 3 pixel(s) at a time, with no
    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or
    mirrored).
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements
    for n in range(m):
        for oh in range(out_h):
            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so
            # they are one run, k_lo up to k_hi
            k_lo = 0
            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:
                k_lo += 1
            k_hi = k_lo
            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:
                k_hi += 1
            x_row = (n * height + oh - top) * width * c - left * c
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 < blocks_end and blocks_end - max(col_lo, 0) >= 3:
                    ow0 = min(ow0, blocks_end - 3)
                    for jb in range(0, c, 16):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 3, 16)
                        for k in range(k_lo, k_hi):
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 3
                else:
                    for jb in range(0, c, 16):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 16)
                        for k in range(k_lo, k_hi):
                            if not 0 <= ow0 - left + dx_k[k] < width:
                                continue  # zero padding adds nothing
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
    return z


def depthwise_2x16(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 16. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 2 pixel(s) at a time, with no
    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or
    mirrored).
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements
    for n in range(m):
        for oh in range(out_h):
            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so
            # they are one run, k_lo up to k_hi
            k_lo = 0
            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:
                k_lo += 1
            k_hi = k_lo
            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:
                k_hi += 1
            x_row = (n * height + oh - top) * width * c - left * c
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 < blocks_end and blocks_end - max(col_lo, 0) >= 2:
                    ow0 = min(ow0, blocks_end - 2)
                    for jb in range(0, c, 16):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 2, 16)
                        for k in range(k_lo, k_hi):
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 2
                else:
                    for jb in range(0, c, 16):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 16)
                        for k in range(k_lo, k_hi):
                            if not 0 <= ow0 - left + dx_k[k] < width:
                                continue  # zero padding adds nothing
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
    return z


def depthwise_4x8(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 8. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 4 pixel(s) at a time, with no
    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or
    mirrored).
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements
    for n in range(m):
        for oh in range(out_h):
            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so
            # they are one run, k_lo up to k_hi
            k_lo = 0
            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:
                k_lo += 1
            k_hi = k_lo
            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:
                k_hi += 1
            x_row = (n * height + oh - top) * width * c - left * c
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 < blocks_end and blocks_end - max(col_lo, 0) >= 4:
                    ow0 = min(ow0, blocks_end - 4)
                    for jb in range(0, c, 8):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 4, 8)
                        for k in range(k_lo, k_hi):
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 4
                else:
                    for jb in range(0, c, 8):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 8)
                        for k in range(k_lo, k_hi):
                            if not 0 <= ow0 - left + dx_k[k] < width:
                                continue  # zero padding adds nothing
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
    return z


def depthwise_2x8(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 8. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 2 pixel(s) at a time, with no
    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or
    mirrored).
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements
    for n in range(m):
        for oh in range(out_h):
            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so
            # they are one run, k_lo up to k_hi
            k_lo = 0
            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:
                k_lo += 1
            k_hi = k_lo
            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:
                k_hi += 1
            x_row = (n * height + oh - top) * width * c - left * c
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 < blocks_end and blocks_end - max(col_lo, 0) >= 2:
                    ow0 = min(ow0, blocks_end - 2)
                    for jb in range(0, c, 8):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 2, 8)
                        for k in range(k_lo, k_hi):
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 2
                else:
                    for jb in range(0, c, 8):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 8)
                        for k in range(k_lo, k_hi):
                            if not 0 <= ow0 - left + dx_k[k] < width:
                                continue  # zero padding adds nothing
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
    return z


def depthwise_1x8(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 8. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 1 pixel(s) at a time, with no
    column checks; elsewhere one at a time. ``dy_k`` is monotonic (taps in row-major order, or
    mirrored).
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    offsets = (dy_k * width + dx_k) * c  # of each tap's read, in elements
    for n in range(m):
        for oh in range(out_h):
            # the taps whose row is inside x: dy_k is monotonic (row-major taps, mirrored or not), so
            # they are one run, k_lo up to k_hi
            k_lo = 0
            while k_lo < n_taps and not 0 <= oh - top + dy_k[k_lo] < height:
                k_lo += 1
            k_hi = k_lo
            while k_hi < n_taps and 0 <= oh - top + dy_k[k_hi] < height:
                k_hi += 1
            x_row = (n * height + oh - top) * width * c - left * c
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 < blocks_end and blocks_end - max(col_lo, 0) >= 1:
                    ow0 = min(ow0, blocks_end - 1)
                    for jb in range(0, c, 8):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 8)
                        for k in range(k_lo, k_hi):
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
                else:
                    for jb in range(0, c, 8):
                        at = x_row + ow0 * c + jb
                        acc = block_load(b, jb, 0, 1, 8)
                        for k in range(k_lo, k_hi):
                            if not 0 <= ow0 - left + dx_k[k] < width:
                                continue  # zero padding adds nothing
                            acc = block_fma_rows(acc, xf, at + offsets[k], c, wf, k * c + jb)
                        block_store(acc, zf, ((n * out_h + oh) * out_w + ow0) * c + jb, c)
                    ow0 += 1
    return z


def depthwise_weight_gradient_1x32(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):
    """Add to ``dw (taps, G)`` and ``db (G,)`` the gradients of the depthwise loops for these samples.

    ``G`` is a multiple of 32. Each sample's share is summed in ``part`` and ``part_b``
    from the sums of its output rows first.
    """
    m, out_h, out_w, c = dz.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c)
                for j in range(c):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk = oh - top + dy_k[k]
                xk = dx_k[k] - left  # pixel ow reads column ow + xk
                ow_lo, ow_hi = max(0, -xk), min(out_w, width - xk)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_at = ((n * height + yk) * width + xk) * c
                d_at = (n * out_h + oh) * out_w * c
                for jb in range(0, c, 32):
                    acc = block_zeros(pf, 1, 32)
                    for ow in range(ow_lo, ow_hi):
                        acc = block_fma_rows(acc, xf, x_at + ow * c + jb, 0, dzf, d_at + ow * c + jb)
                    block_add_to(acc, pf, k * c + jb, 0)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def depthwise_weight_gradient_1x16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):
    """Add to ``dw (taps, G)`` and ``db (G,)`` the gradients of the depthwise loops for these samples.

    ``G`` is a multiple of 16. Each sample's share is summed in ``part`` and ``part_b``
    from the sums of its output rows first.
    """
    m, out_h, out_w, c = dz.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c)
                for j in range(c):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk = oh - top + dy_k[k]
                xk = dx_k[k] - left  # pixel ow reads column ow + xk
                ow_lo, ow_hi = max(0, -xk), min(out_w, width - xk)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_at = ((n * height + yk) * width + xk) * c
                d_at = (n * out_h + oh) * out_w * c
                for jb in range(0, c, 16):
                    acc = block_zeros(pf, 1, 16)
                    for ow in range(ow_lo, ow_hi):
                        acc = block_fma_rows(acc, xf, x_at + ow * c + jb, 0, dzf, d_at + ow * c + jb)
                    block_add_to(acc, pf, k * c + jb, 0)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def depthwise_weight_gradient_1x8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):
    """Add to ``dw (taps, G)`` and ``db (G,)`` the gradients of the depthwise loops for these samples.

    ``G`` is a multiple of 8. Each sample's share is summed in ``part`` and ``part_b``
    from the sums of its output rows first.
    """
    m, out_h, out_w, c = dz.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c)
                for j in range(c):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c):
                part_b[U(j)] += row_b[U(j)]
            for k in range(n_taps):
                yk = oh - top + dy_k[k]
                xk = dx_k[k] - left  # pixel ow reads column ow + xk
                ow_lo, ow_hi = max(0, -xk), min(out_w, width - xk)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_at = ((n * height + yk) * width + xk) * c
                d_at = (n * out_h + oh) * out_w * c
                for jb in range(0, c, 8):
                    acc = block_zeros(pf, 1, 8)
                    for ow in range(ow_lo, ow_hi):
                        acc = block_fma_rows(acc, xf, x_at + ow * c + jb, 0, dzf, d_at + ow * c + jb)
                    block_add_to(acc, pf, k * c + jb, 0)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def depthwise_weight_gradient_3x3_1x32(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):
    """Add to ``dw (9, G)`` and ``db (G,)`` the gradients of the depthwise loops for these samples.

    The taps are a 3 x 3 grid in row-major order: tap ``3*r + j`` reads row ``dy_k[0] + r*ys`` and
    column ``dx_k[0] + j*xs`` (``ys, xs`` the dilation, at least 1). ``G`` is a multiple of 32.
    Output columns ``ow_lo`` up to ``ow_hi`` read inside ``x`` with all three taps of a row: there
    the taps of every tap row inside ``x`` are summed together, each output-gradient vector
    loaded once; the columns outside go one tap at a time. Each sample's share is summed in
    ``part`` and ``part_b`` from the sums of its output rows first.
    """
    m, out_h, out_w, c = dz.shape
    height, width = x.shape[1], x.shape[2]
    ys, xs = dy_k[3] - dy_k[0], dx_k[1] - dx_k[0]
    row_step, col_step = ys * width * c, xs * c  # elements between tap rows, and between a row's taps
    xk0 = dx_k[0] - left  # pixel ow's first tap reads column ow + xk0
    ow_lo = max(0, -xk0)
    ow_hi = max(ow_lo, min(out_w, width - xk0 - 2 * xs))  # never below ow_lo: the edge loops split at both
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c)
                for j in range(c):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c):
                part_b[U(j)] += row_b[U(j)]
            r_lo = 0  # the tap rows inside x: r_lo up to r_hi
            while r_lo < 3 and not 0 <= oh - top + dy_k[3 * r_lo] < height:
                r_lo += 1
            r_hi = r_lo
            while r_hi < 3 and 0 <= oh - top + dy_k[3 * r_hi] < height:
                r_hi += 1
            d_at = (n * out_h + oh) * out_w * c
            x_at = ((n * height + oh - top + dy_k[0]) * width + xk0) * c  # tap 0 of pixel 0 (maybe outside x)
            for jb in range(0, c, 32):
                if r_hi - r_lo == 3:
                    a0, a1, a2 = block_zeros(pf, 3, 32), block_zeros(pf, 3, 32), block_zeros(pf, 3, 32)
                    for ow in range(ow_lo, ow_hi):
                        at, d = x_at + ow * c + jb, d_at + ow * c + jb
                        a0 = block_fma_rows(a0, xf, at, col_step, dzf, d)
                        a1 = block_fma_rows(a1, xf, at + row_step, col_step, dzf, d)
                        a2 = block_fma_rows(a2, xf, at + 2 * row_step, col_step, dzf, d)
                    block_add_to(a0, pf, jb, c)
                    block_add_to(a1, pf, 3 * c + jb, c)
                    block_add_to(a2, pf, 6 * c + jb, c)
                else:
                    for r in range(r_lo, r_hi):
                        a3 = block_zeros(pf, 3, 32)
                        for ow in range(ow_lo, ow_hi):
                            a3 = block_fma_rows(a3, xf, x_at + r * row_step + ow * c + jb, col_step, dzf, d_at + ow * c + jb)
                        block_add_to(a3, pf, 3 * r * c + jb, c)
                for r in range(r_lo, r_hi):  # the edge columns, where some taps of a row read the zero padding
                    r_at = x_at + r * row_step
                    for j in range(3):
                        t_lo, t_hi = max(0, -(xk0 + xs * j)), min(out_w, width - xk0 - xs * j)
                        a = block_zeros(pf, 1, 32)
                        for ow in range(t_lo, min(t_hi, ow_lo)):
                            a = block_fma_rows(a, xf, r_at + (ow + xs * j) * c + jb, 0, dzf, d_at + ow * c + jb)
                        for ow in range(max(t_lo, ow_hi), t_hi):
                            a = block_fma_rows(a, xf, r_at + (ow + xs * j) * c + jb, 0, dzf, d_at + ow * c + jb)
                        block_add_to(a, pf, (3 * r + j) * c + jb, 0)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def depthwise_weight_gradient_3x3_1x16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):
    """Add to ``dw (9, G)`` and ``db (G,)`` the gradients of the depthwise loops for these samples.

    The taps are a 3 x 3 grid in row-major order: tap ``3*r + j`` reads row ``dy_k[0] + r*ys`` and
    column ``dx_k[0] + j*xs`` (``ys, xs`` the dilation, at least 1). ``G`` is a multiple of 16.
    Output columns ``ow_lo`` up to ``ow_hi`` read inside ``x`` with all three taps of a row: there
    the taps of every tap row inside ``x`` are summed together, each output-gradient vector
    loaded once; the columns outside go one tap at a time. Each sample's share is summed in
    ``part`` and ``part_b`` from the sums of its output rows first.
    """
    m, out_h, out_w, c = dz.shape
    height, width = x.shape[1], x.shape[2]
    ys, xs = dy_k[3] - dy_k[0], dx_k[1] - dx_k[0]
    row_step, col_step = ys * width * c, xs * c  # elements between tap rows, and between a row's taps
    xk0 = dx_k[0] - left  # pixel ow's first tap reads column ow + xk0
    ow_lo = max(0, -xk0)
    ow_hi = max(ow_lo, min(out_w, width - xk0 - 2 * xs))  # never below ow_lo: the edge loops split at both
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c)
                for j in range(c):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c):
                part_b[U(j)] += row_b[U(j)]
            r_lo = 0  # the tap rows inside x: r_lo up to r_hi
            while r_lo < 3 and not 0 <= oh - top + dy_k[3 * r_lo] < height:
                r_lo += 1
            r_hi = r_lo
            while r_hi < 3 and 0 <= oh - top + dy_k[3 * r_hi] < height:
                r_hi += 1
            d_at = (n * out_h + oh) * out_w * c
            x_at = ((n * height + oh - top + dy_k[0]) * width + xk0) * c  # tap 0 of pixel 0 (maybe outside x)
            for jb in range(0, c, 16):
                if r_hi - r_lo == 3:
                    a0, a1, a2 = block_zeros(pf, 3, 16), block_zeros(pf, 3, 16), block_zeros(pf, 3, 16)
                    for ow in range(ow_lo, ow_hi):
                        at, d = x_at + ow * c + jb, d_at + ow * c + jb
                        a0 = block_fma_rows(a0, xf, at, col_step, dzf, d)
                        a1 = block_fma_rows(a1, xf, at + row_step, col_step, dzf, d)
                        a2 = block_fma_rows(a2, xf, at + 2 * row_step, col_step, dzf, d)
                    block_add_to(a0, pf, jb, c)
                    block_add_to(a1, pf, 3 * c + jb, c)
                    block_add_to(a2, pf, 6 * c + jb, c)
                else:
                    for r in range(r_lo, r_hi):
                        a3 = block_zeros(pf, 3, 16)
                        for ow in range(ow_lo, ow_hi):
                            a3 = block_fma_rows(a3, xf, x_at + r * row_step + ow * c + jb, col_step, dzf, d_at + ow * c + jb)
                        block_add_to(a3, pf, 3 * r * c + jb, c)
                for r in range(r_lo, r_hi):  # the edge columns, where some taps of a row read the zero padding
                    r_at = x_at + r * row_step
                    for j in range(3):
                        t_lo, t_hi = max(0, -(xk0 + xs * j)), min(out_w, width - xk0 - xs * j)
                        a = block_zeros(pf, 1, 16)
                        for ow in range(t_lo, min(t_hi, ow_lo)):
                            a = block_fma_rows(a, xf, r_at + (ow + xs * j) * c + jb, 0, dzf, d_at + ow * c + jb)
                        for ow in range(max(t_lo, ow_hi), t_hi):
                            a = block_fma_rows(a, xf, r_at + (ow + xs * j) * c + jb, 0, dzf, d_at + ow * c + jb)
                        block_add_to(a, pf, (3 * r + j) * c + jb, 0)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw


def depthwise_weight_gradient_3x3_1x8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):
    """Add to ``dw (9, G)`` and ``db (G,)`` the gradients of the depthwise loops for these samples.

    The taps are a 3 x 3 grid in row-major order: tap ``3*r + j`` reads row ``dy_k[0] + r*ys`` and
    column ``dx_k[0] + j*xs`` (``ys, xs`` the dilation, at least 1). ``G`` is a multiple of 8.
    Output columns ``ow_lo`` up to ``ow_hi`` read inside ``x`` with all three taps of a row: there
    the taps of every tap row inside ``x`` are summed together, each output-gradient vector
    loaded once; the columns outside go one tap at a time. Each sample's share is summed in
    ``part`` and ``part_b`` from the sums of its output rows first.
    """
    m, out_h, out_w, c = dz.shape
    height, width = x.shape[1], x.shape[2]
    ys, xs = dy_k[3] - dy_k[0], dx_k[1] - dx_k[0]
    row_step, col_step = ys * width * c, xs * c  # elements between tap rows, and between a row's taps
    xk0 = dx_k[0] - left  # pixel ow's first tap reads column ow + xk0
    ow_lo = max(0, -xk0)
    ow_hi = max(ow_lo, min(out_w, width - xk0 - 2 * xs))  # never below ow_lo: the edge loops split at both
    n_taps = dy_k.shape[0]
    xf, dzf, pf, dwf = x.reshape(-1), dz.reshape(-1), part.reshape(-1), dw.reshape(-1)
    row_b = np.empty_like(part_b)
    for n in range(m):
        for i in range(pf.shape[0]):  # loops, not whole-array statements: those compile slowly
            pf[U(i)] = 0
        for j in range(c):
            part_b[U(j)] = 0
        for oh in range(out_h):
            for j in range(c):
                row_b[U(j)] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c)
                for j in range(c):
                    row_b[U(j)] += dzf[d_at + U(j)]
            for j in range(c):
                part_b[U(j)] += row_b[U(j)]
            r_lo = 0  # the tap rows inside x: r_lo up to r_hi
            while r_lo < 3 and not 0 <= oh - top + dy_k[3 * r_lo] < height:
                r_lo += 1
            r_hi = r_lo
            while r_hi < 3 and 0 <= oh - top + dy_k[3 * r_hi] < height:
                r_hi += 1
            d_at = (n * out_h + oh) * out_w * c
            x_at = ((n * height + oh - top + dy_k[0]) * width + xk0) * c  # tap 0 of pixel 0 (maybe outside x)
            for jb in range(0, c, 8):
                if r_hi - r_lo == 3:
                    a0, a1, a2 = block_zeros(pf, 3, 8), block_zeros(pf, 3, 8), block_zeros(pf, 3, 8)
                    for ow in range(ow_lo, ow_hi):
                        at, d = x_at + ow * c + jb, d_at + ow * c + jb
                        a0 = block_fma_rows(a0, xf, at, col_step, dzf, d)
                        a1 = block_fma_rows(a1, xf, at + row_step, col_step, dzf, d)
                        a2 = block_fma_rows(a2, xf, at + 2 * row_step, col_step, dzf, d)
                    block_add_to(a0, pf, jb, c)
                    block_add_to(a1, pf, 3 * c + jb, c)
                    block_add_to(a2, pf, 6 * c + jb, c)
                else:
                    for r in range(r_lo, r_hi):
                        a3 = block_zeros(pf, 3, 8)
                        for ow in range(ow_lo, ow_hi):
                            a3 = block_fma_rows(a3, xf, x_at + r * row_step + ow * c + jb, col_step, dzf, d_at + ow * c + jb)
                        block_add_to(a3, pf, 3 * r * c + jb, c)
                for r in range(r_lo, r_hi):  # the edge columns, where some taps of a row read the zero padding
                    r_at = x_at + r * row_step
                    for j in range(3):
                        t_lo, t_hi = max(0, -(xk0 + xs * j)), min(out_w, width - xk0 - xs * j)
                        a = block_zeros(pf, 1, 8)
                        for ow in range(t_lo, min(t_hi, ow_lo)):
                            a = block_fma_rows(a, xf, r_at + (ow + xs * j) * c + jb, 0, dzf, d_at + ow * c + jb)
                        for ow in range(max(t_lo, ow_hi), t_hi):
                            a = block_fma_rows(a, xf, r_at + (ow + xs * j) * c + jb, 0, dzf, d_at + ow * c + jb)
                        block_add_to(a, pf, (3 * r + j) * c + jb, 0)
        for i in range(pf.shape[0]):
            dwf[U(i)] += pf[U(i)]
        for j in range(db.shape[0]):
            db[U(j)] += part_b[U(j)]
    return dw
