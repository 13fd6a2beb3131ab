"""Direct convolution loops, unrolled into register blocks (generated; do not edit).

Written by ``python -m xcnn._backends.numpy.numba.generate_direct_conv``;
:mod:`.direct_loops` compiles them for :mod:`.direct_conv` and :mod:`.direct_depthwise`. Plain
Python functions: they run (slowly) without Numba too. Arrays are C-contiguous and read through
flat views with unsigned indices; see the generator for why.
"""

import numpy as np

U = np.uint64


FORWARD_PIXELS = {
    'forward_32': 3,
    'forward_16': 4,
    'forward_8': 8,
    'forward_f64_16': 3,
    'forward_f64_8': 4,
}
"""Pixels per register block of each forward function (the caller weighs single pixels at the edges)."""


def forward_32(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 32 output channels, ``(C_out / 32, taps, C_in, 32)``.
    ``C_out`` is a multiple of 32. Blocks of 3 pixels x 32 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 3) one at a time.
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
                xs[to : to + width * c_in] = xf[at : at + width * c_in]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 3 * 3
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 3):
                    for jb_ in range(0, c_out, 32):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        a0_16 = b[jb + U(16)]
                        a0_17 = b[jb + U(17)]
                        a0_18 = b[jb + U(18)]
                        a0_19 = b[jb + U(19)]
                        a0_20 = b[jb + U(20)]
                        a0_21 = b[jb + U(21)]
                        a0_22 = b[jb + U(22)]
                        a0_23 = b[jb + U(23)]
                        a0_24 = b[jb + U(24)]
                        a0_25 = b[jb + U(25)]
                        a0_26 = b[jb + U(26)]
                        a0_27 = b[jb + U(27)]
                        a0_28 = b[jb + U(28)]
                        a0_29 = b[jb + U(29)]
                        a0_30 = b[jb + U(30)]
                        a0_31 = b[jb + U(31)]
                        a1_0 = b[jb + U(0)]
                        a1_1 = b[jb + U(1)]
                        a1_2 = b[jb + U(2)]
                        a1_3 = b[jb + U(3)]
                        a1_4 = b[jb + U(4)]
                        a1_5 = b[jb + U(5)]
                        a1_6 = b[jb + U(6)]
                        a1_7 = b[jb + U(7)]
                        a1_8 = b[jb + U(8)]
                        a1_9 = b[jb + U(9)]
                        a1_10 = b[jb + U(10)]
                        a1_11 = b[jb + U(11)]
                        a1_12 = b[jb + U(12)]
                        a1_13 = b[jb + U(13)]
                        a1_14 = b[jb + U(14)]
                        a1_15 = b[jb + U(15)]
                        a1_16 = b[jb + U(16)]
                        a1_17 = b[jb + U(17)]
                        a1_18 = b[jb + U(18)]
                        a1_19 = b[jb + U(19)]
                        a1_20 = b[jb + U(20)]
                        a1_21 = b[jb + U(21)]
                        a1_22 = b[jb + U(22)]
                        a1_23 = b[jb + U(23)]
                        a1_24 = b[jb + U(24)]
                        a1_25 = b[jb + U(25)]
                        a1_26 = b[jb + U(26)]
                        a1_27 = b[jb + U(27)]
                        a1_28 = b[jb + U(28)]
                        a1_29 = b[jb + U(29)]
                        a1_30 = b[jb + U(30)]
                        a1_31 = b[jb + U(31)]
                        a2_0 = b[jb + U(0)]
                        a2_1 = b[jb + U(1)]
                        a2_2 = b[jb + U(2)]
                        a2_3 = b[jb + U(3)]
                        a2_4 = b[jb + U(4)]
                        a2_5 = b[jb + U(5)]
                        a2_6 = b[jb + U(6)]
                        a2_7 = b[jb + U(7)]
                        a2_8 = b[jb + U(8)]
                        a2_9 = b[jb + U(9)]
                        a2_10 = b[jb + U(10)]
                        a2_11 = b[jb + U(11)]
                        a2_12 = b[jb + U(12)]
                        a2_13 = b[jb + U(13)]
                        a2_14 = b[jb + U(14)]
                        a2_15 = b[jb + U(15)]
                        a2_16 = b[jb + U(16)]
                        a2_17 = b[jb + U(17)]
                        a2_18 = b[jb + U(18)]
                        a2_19 = b[jb + U(19)]
                        a2_20 = b[jb + U(20)]
                        a2_21 = b[jb + U(21)]
                        a2_22 = b[jb + U(22)]
                        a2_23 = b[jb + U(23)]
                        a2_24 = b[jb + U(24)]
                        a2_25 = b[jb + U(25)]
                        a2_26 = b[jb + U(26)]
                        a2_27 = b[jb + U(27)]
                        a2_28 = b[jb + U(28)]
                        a2_29 = b[jb + U(29)]
                        a2_30 = b[jb + U(30)]
                        a2_31 = b[jb + U(31)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 32)
                            for c in range(c_in):
                                w_row = w_at + U(c * 32)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                w8 = wf[w_row + U(8)]
                                w9 = wf[w_row + U(9)]
                                w10 = wf[w_row + U(10)]
                                w11 = wf[w_row + U(11)]
                                w12 = wf[w_row + U(12)]
                                w13 = wf[w_row + U(13)]
                                w14 = wf[w_row + U(14)]
                                w15 = wf[w_row + U(15)]
                                w16 = wf[w_row + U(16)]
                                w17 = wf[w_row + U(17)]
                                w18 = wf[w_row + U(18)]
                                w19 = wf[w_row + U(19)]
                                w20 = wf[w_row + U(20)]
                                w21 = wf[w_row + U(21)]
                                w22 = wf[w_row + U(22)]
                                w23 = wf[w_row + U(23)]
                                w24 = wf[w_row + U(24)]
                                w25 = wf[w_row + U(25)]
                                w26 = wf[w_row + U(26)]
                                w27 = wf[w_row + U(27)]
                                w28 = wf[w_row + U(28)]
                                w29 = wf[w_row + U(29)]
                                w30 = wf[w_row + U(30)]
                                w31 = wf[w_row + U(31)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                                a0_8 += x0 * w8
                                a0_9 += x0 * w9
                                a0_10 += x0 * w10
                                a0_11 += x0 * w11
                                a0_12 += x0 * w12
                                a0_13 += x0 * w13
                                a0_14 += x0 * w14
                                a0_15 += x0 * w15
                                a0_16 += x0 * w16
                                a0_17 += x0 * w17
                                a0_18 += x0 * w18
                                a0_19 += x0 * w19
                                a0_20 += x0 * w20
                                a0_21 += x0 * w21
                                a0_22 += x0 * w22
                                a0_23 += x0 * w23
                                a0_24 += x0 * w24
                                a0_25 += x0 * w25
                                a0_26 += x0 * w26
                                a0_27 += x0 * w27
                                a0_28 += x0 * w28
                                a0_29 += x0 * w29
                                a0_30 += x0 * w30
                                a0_31 += x0 * w31
                                x1 = src[x_at + U(1 * sw * c_in + c)]
                                a1_0 += x1 * w0
                                a1_1 += x1 * w1
                                a1_2 += x1 * w2
                                a1_3 += x1 * w3
                                a1_4 += x1 * w4
                                a1_5 += x1 * w5
                                a1_6 += x1 * w6
                                a1_7 += x1 * w7
                                a1_8 += x1 * w8
                                a1_9 += x1 * w9
                                a1_10 += x1 * w10
                                a1_11 += x1 * w11
                                a1_12 += x1 * w12
                                a1_13 += x1 * w13
                                a1_14 += x1 * w14
                                a1_15 += x1 * w15
                                a1_16 += x1 * w16
                                a1_17 += x1 * w17
                                a1_18 += x1 * w18
                                a1_19 += x1 * w19
                                a1_20 += x1 * w20
                                a1_21 += x1 * w21
                                a1_22 += x1 * w22
                                a1_23 += x1 * w23
                                a1_24 += x1 * w24
                                a1_25 += x1 * w25
                                a1_26 += x1 * w26
                                a1_27 += x1 * w27
                                a1_28 += x1 * w28
                                a1_29 += x1 * w29
                                a1_30 += x1 * w30
                                a1_31 += x1 * w31
                                x2 = src[x_at + U(2 * sw * c_in + c)]
                                a2_0 += x2 * w0
                                a2_1 += x2 * w1
                                a2_2 += x2 * w2
                                a2_3 += x2 * w3
                                a2_4 += x2 * w4
                                a2_5 += x2 * w5
                                a2_6 += x2 * w6
                                a2_7 += x2 * w7
                                a2_8 += x2 * w8
                                a2_9 += x2 * w9
                                a2_10 += x2 * w10
                                a2_11 += x2 * w11
                                a2_12 += x2 * w12
                                a2_13 += x2 * w13
                                a2_14 += x2 * w14
                                a2_15 += x2 * w15
                                a2_16 += x2 * w16
                                a2_17 += x2 * w17
                                a2_18 += x2 * w18
                                a2_19 += x2 * w19
                                a2_20 += x2 * w20
                                a2_21 += x2 * w21
                                a2_22 += x2 * w22
                                a2_23 += x2 * w23
                                a2_24 += x2 * w24
                                a2_25 += x2 * w25
                                a2_26 += x2 * w26
                                a2_27 += x2 * w27
                                a2_28 += x2 * w28
                                a2_29 += x2 * w29
                                a2_30 += x2 * w30
                                a2_31 += x2 * w31
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
                        zf[z_at + U(0 * cs * c_out + 8)] = a0_8
                        zf[z_at + U(0 * cs * c_out + 9)] = a0_9
                        zf[z_at + U(0 * cs * c_out + 10)] = a0_10
                        zf[z_at + U(0 * cs * c_out + 11)] = a0_11
                        zf[z_at + U(0 * cs * c_out + 12)] = a0_12
                        zf[z_at + U(0 * cs * c_out + 13)] = a0_13
                        zf[z_at + U(0 * cs * c_out + 14)] = a0_14
                        zf[z_at + U(0 * cs * c_out + 15)] = a0_15
                        zf[z_at + U(0 * cs * c_out + 16)] = a0_16
                        zf[z_at + U(0 * cs * c_out + 17)] = a0_17
                        zf[z_at + U(0 * cs * c_out + 18)] = a0_18
                        zf[z_at + U(0 * cs * c_out + 19)] = a0_19
                        zf[z_at + U(0 * cs * c_out + 20)] = a0_20
                        zf[z_at + U(0 * cs * c_out + 21)] = a0_21
                        zf[z_at + U(0 * cs * c_out + 22)] = a0_22
                        zf[z_at + U(0 * cs * c_out + 23)] = a0_23
                        zf[z_at + U(0 * cs * c_out + 24)] = a0_24
                        zf[z_at + U(0 * cs * c_out + 25)] = a0_25
                        zf[z_at + U(0 * cs * c_out + 26)] = a0_26
                        zf[z_at + U(0 * cs * c_out + 27)] = a0_27
                        zf[z_at + U(0 * cs * c_out + 28)] = a0_28
                        zf[z_at + U(0 * cs * c_out + 29)] = a0_29
                        zf[z_at + U(0 * cs * c_out + 30)] = a0_30
                        zf[z_at + U(0 * cs * c_out + 31)] = a0_31
                        zf[z_at + U(1 * cs * c_out + 0)] = a1_0
                        zf[z_at + U(1 * cs * c_out + 1)] = a1_1
                        zf[z_at + U(1 * cs * c_out + 2)] = a1_2
                        zf[z_at + U(1 * cs * c_out + 3)] = a1_3
                        zf[z_at + U(1 * cs * c_out + 4)] = a1_4
                        zf[z_at + U(1 * cs * c_out + 5)] = a1_5
                        zf[z_at + U(1 * cs * c_out + 6)] = a1_6
                        zf[z_at + U(1 * cs * c_out + 7)] = a1_7
                        zf[z_at + U(1 * cs * c_out + 8)] = a1_8
                        zf[z_at + U(1 * cs * c_out + 9)] = a1_9
                        zf[z_at + U(1 * cs * c_out + 10)] = a1_10
                        zf[z_at + U(1 * cs * c_out + 11)] = a1_11
                        zf[z_at + U(1 * cs * c_out + 12)] = a1_12
                        zf[z_at + U(1 * cs * c_out + 13)] = a1_13
                        zf[z_at + U(1 * cs * c_out + 14)] = a1_14
                        zf[z_at + U(1 * cs * c_out + 15)] = a1_15
                        zf[z_at + U(1 * cs * c_out + 16)] = a1_16
                        zf[z_at + U(1 * cs * c_out + 17)] = a1_17
                        zf[z_at + U(1 * cs * c_out + 18)] = a1_18
                        zf[z_at + U(1 * cs * c_out + 19)] = a1_19
                        zf[z_at + U(1 * cs * c_out + 20)] = a1_20
                        zf[z_at + U(1 * cs * c_out + 21)] = a1_21
                        zf[z_at + U(1 * cs * c_out + 22)] = a1_22
                        zf[z_at + U(1 * cs * c_out + 23)] = a1_23
                        zf[z_at + U(1 * cs * c_out + 24)] = a1_24
                        zf[z_at + U(1 * cs * c_out + 25)] = a1_25
                        zf[z_at + U(1 * cs * c_out + 26)] = a1_26
                        zf[z_at + U(1 * cs * c_out + 27)] = a1_27
                        zf[z_at + U(1 * cs * c_out + 28)] = a1_28
                        zf[z_at + U(1 * cs * c_out + 29)] = a1_29
                        zf[z_at + U(1 * cs * c_out + 30)] = a1_30
                        zf[z_at + U(1 * cs * c_out + 31)] = a1_31
                        zf[z_at + U(2 * cs * c_out + 0)] = a2_0
                        zf[z_at + U(2 * cs * c_out + 1)] = a2_1
                        zf[z_at + U(2 * cs * c_out + 2)] = a2_2
                        zf[z_at + U(2 * cs * c_out + 3)] = a2_3
                        zf[z_at + U(2 * cs * c_out + 4)] = a2_4
                        zf[z_at + U(2 * cs * c_out + 5)] = a2_5
                        zf[z_at + U(2 * cs * c_out + 6)] = a2_6
                        zf[z_at + U(2 * cs * c_out + 7)] = a2_7
                        zf[z_at + U(2 * cs * c_out + 8)] = a2_8
                        zf[z_at + U(2 * cs * c_out + 9)] = a2_9
                        zf[z_at + U(2 * cs * c_out + 10)] = a2_10
                        zf[z_at + U(2 * cs * c_out + 11)] = a2_11
                        zf[z_at + U(2 * cs * c_out + 12)] = a2_12
                        zf[z_at + U(2 * cs * c_out + 13)] = a2_13
                        zf[z_at + U(2 * cs * c_out + 14)] = a2_14
                        zf[z_at + U(2 * cs * c_out + 15)] = a2_15
                        zf[z_at + U(2 * cs * c_out + 16)] = a2_16
                        zf[z_at + U(2 * cs * c_out + 17)] = a2_17
                        zf[z_at + U(2 * cs * c_out + 18)] = a2_18
                        zf[z_at + U(2 * cs * c_out + 19)] = a2_19
                        zf[z_at + U(2 * cs * c_out + 20)] = a2_20
                        zf[z_at + U(2 * cs * c_out + 21)] = a2_21
                        zf[z_at + U(2 * cs * c_out + 22)] = a2_22
                        zf[z_at + U(2 * cs * c_out + 23)] = a2_23
                        zf[z_at + U(2 * cs * c_out + 24)] = a2_24
                        zf[z_at + U(2 * cs * c_out + 25)] = a2_25
                        zf[z_at + U(2 * cs * c_out + 26)] = a2_26
                        zf[z_at + U(2 * cs * c_out + 27)] = a2_27
                        zf[z_at + U(2 * cs * c_out + 28)] = a2_28
                        zf[z_at + U(2 * cs * c_out + 29)] = a2_29
                        zf[z_at + U(2 * cs * c_out + 30)] = a2_30
                        zf[z_at + U(2 * cs * c_out + 31)] = a2_31
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb_ in range(0, c_out, 32):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        a0_16 = b[jb + U(16)]
                        a0_17 = b[jb + U(17)]
                        a0_18 = b[jb + U(18)]
                        a0_19 = b[jb + U(19)]
                        a0_20 = b[jb + U(20)]
                        a0_21 = b[jb + U(21)]
                        a0_22 = b[jb + U(22)]
                        a0_23 = b[jb + U(23)]
                        a0_24 = b[jb + U(24)]
                        a0_25 = b[jb + U(25)]
                        a0_26 = b[jb + U(26)]
                        a0_27 = b[jb + U(27)]
                        a0_28 = b[jb + U(28)]
                        a0_29 = b[jb + U(29)]
                        a0_30 = b[jb + U(30)]
                        a0_31 = b[jb + U(31)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 32)
                            for c in range(c_in):
                                w_row = w_at + U(c * 32)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                w8 = wf[w_row + U(8)]
                                w9 = wf[w_row + U(9)]
                                w10 = wf[w_row + U(10)]
                                w11 = wf[w_row + U(11)]
                                w12 = wf[w_row + U(12)]
                                w13 = wf[w_row + U(13)]
                                w14 = wf[w_row + U(14)]
                                w15 = wf[w_row + U(15)]
                                w16 = wf[w_row + U(16)]
                                w17 = wf[w_row + U(17)]
                                w18 = wf[w_row + U(18)]
                                w19 = wf[w_row + U(19)]
                                w20 = wf[w_row + U(20)]
                                w21 = wf[w_row + U(21)]
                                w22 = wf[w_row + U(22)]
                                w23 = wf[w_row + U(23)]
                                w24 = wf[w_row + U(24)]
                                w25 = wf[w_row + U(25)]
                                w26 = wf[w_row + U(26)]
                                w27 = wf[w_row + U(27)]
                                w28 = wf[w_row + U(28)]
                                w29 = wf[w_row + U(29)]
                                w30 = wf[w_row + U(30)]
                                w31 = wf[w_row + U(31)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                                a0_8 += x0 * w8
                                a0_9 += x0 * w9
                                a0_10 += x0 * w10
                                a0_11 += x0 * w11
                                a0_12 += x0 * w12
                                a0_13 += x0 * w13
                                a0_14 += x0 * w14
                                a0_15 += x0 * w15
                                a0_16 += x0 * w16
                                a0_17 += x0 * w17
                                a0_18 += x0 * w18
                                a0_19 += x0 * w19
                                a0_20 += x0 * w20
                                a0_21 += x0 * w21
                                a0_22 += x0 * w22
                                a0_23 += x0 * w23
                                a0_24 += x0 * w24
                                a0_25 += x0 * w25
                                a0_26 += x0 * w26
                                a0_27 += x0 * w27
                                a0_28 += x0 * w28
                                a0_29 += x0 * w29
                                a0_30 += x0 * w30
                                a0_31 += x0 * w31
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
                        zf[z_at + U(0 * cs * c_out + 8)] = a0_8
                        zf[z_at + U(0 * cs * c_out + 9)] = a0_9
                        zf[z_at + U(0 * cs * c_out + 10)] = a0_10
                        zf[z_at + U(0 * cs * c_out + 11)] = a0_11
                        zf[z_at + U(0 * cs * c_out + 12)] = a0_12
                        zf[z_at + U(0 * cs * c_out + 13)] = a0_13
                        zf[z_at + U(0 * cs * c_out + 14)] = a0_14
                        zf[z_at + U(0 * cs * c_out + 15)] = a0_15
                        zf[z_at + U(0 * cs * c_out + 16)] = a0_16
                        zf[z_at + U(0 * cs * c_out + 17)] = a0_17
                        zf[z_at + U(0 * cs * c_out + 18)] = a0_18
                        zf[z_at + U(0 * cs * c_out + 19)] = a0_19
                        zf[z_at + U(0 * cs * c_out + 20)] = a0_20
                        zf[z_at + U(0 * cs * c_out + 21)] = a0_21
                        zf[z_at + U(0 * cs * c_out + 22)] = a0_22
                        zf[z_at + U(0 * cs * c_out + 23)] = a0_23
                        zf[z_at + U(0 * cs * c_out + 24)] = a0_24
                        zf[z_at + U(0 * cs * c_out + 25)] = a0_25
                        zf[z_at + U(0 * cs * c_out + 26)] = a0_26
                        zf[z_at + U(0 * cs * c_out + 27)] = a0_27
                        zf[z_at + U(0 * cs * c_out + 28)] = a0_28
                        zf[z_at + U(0 * cs * c_out + 29)] = a0_29
                        zf[z_at + U(0 * cs * c_out + 30)] = a0_30
                        zf[z_at + U(0 * cs * c_out + 31)] = a0_31
    return z


def forward_16(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
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
                xs[to : to + width * c_in] = xf[at : at + width * c_in]
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
                    for jb_ in range(0, c_out, 16):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        a1_0 = b[jb + U(0)]
                        a1_1 = b[jb + U(1)]
                        a1_2 = b[jb + U(2)]
                        a1_3 = b[jb + U(3)]
                        a1_4 = b[jb + U(4)]
                        a1_5 = b[jb + U(5)]
                        a1_6 = b[jb + U(6)]
                        a1_7 = b[jb + U(7)]
                        a1_8 = b[jb + U(8)]
                        a1_9 = b[jb + U(9)]
                        a1_10 = b[jb + U(10)]
                        a1_11 = b[jb + U(11)]
                        a1_12 = b[jb + U(12)]
                        a1_13 = b[jb + U(13)]
                        a1_14 = b[jb + U(14)]
                        a1_15 = b[jb + U(15)]
                        a2_0 = b[jb + U(0)]
                        a2_1 = b[jb + U(1)]
                        a2_2 = b[jb + U(2)]
                        a2_3 = b[jb + U(3)]
                        a2_4 = b[jb + U(4)]
                        a2_5 = b[jb + U(5)]
                        a2_6 = b[jb + U(6)]
                        a2_7 = b[jb + U(7)]
                        a2_8 = b[jb + U(8)]
                        a2_9 = b[jb + U(9)]
                        a2_10 = b[jb + U(10)]
                        a2_11 = b[jb + U(11)]
                        a2_12 = b[jb + U(12)]
                        a2_13 = b[jb + U(13)]
                        a2_14 = b[jb + U(14)]
                        a2_15 = b[jb + U(15)]
                        a3_0 = b[jb + U(0)]
                        a3_1 = b[jb + U(1)]
                        a3_2 = b[jb + U(2)]
                        a3_3 = b[jb + U(3)]
                        a3_4 = b[jb + U(4)]
                        a3_5 = b[jb + U(5)]
                        a3_6 = b[jb + U(6)]
                        a3_7 = b[jb + U(7)]
                        a3_8 = b[jb + U(8)]
                        a3_9 = b[jb + U(9)]
                        a3_10 = b[jb + U(10)]
                        a3_11 = b[jb + U(11)]
                        a3_12 = b[jb + U(12)]
                        a3_13 = b[jb + U(13)]
                        a3_14 = b[jb + U(14)]
                        a3_15 = b[jb + U(15)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 16)
                            for c in range(c_in):
                                w_row = w_at + U(c * 16)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                w8 = wf[w_row + U(8)]
                                w9 = wf[w_row + U(9)]
                                w10 = wf[w_row + U(10)]
                                w11 = wf[w_row + U(11)]
                                w12 = wf[w_row + U(12)]
                                w13 = wf[w_row + U(13)]
                                w14 = wf[w_row + U(14)]
                                w15 = wf[w_row + U(15)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                                a0_8 += x0 * w8
                                a0_9 += x0 * w9
                                a0_10 += x0 * w10
                                a0_11 += x0 * w11
                                a0_12 += x0 * w12
                                a0_13 += x0 * w13
                                a0_14 += x0 * w14
                                a0_15 += x0 * w15
                                x1 = src[x_at + U(1 * sw * c_in + c)]
                                a1_0 += x1 * w0
                                a1_1 += x1 * w1
                                a1_2 += x1 * w2
                                a1_3 += x1 * w3
                                a1_4 += x1 * w4
                                a1_5 += x1 * w5
                                a1_6 += x1 * w6
                                a1_7 += x1 * w7
                                a1_8 += x1 * w8
                                a1_9 += x1 * w9
                                a1_10 += x1 * w10
                                a1_11 += x1 * w11
                                a1_12 += x1 * w12
                                a1_13 += x1 * w13
                                a1_14 += x1 * w14
                                a1_15 += x1 * w15
                                x2 = src[x_at + U(2 * sw * c_in + c)]
                                a2_0 += x2 * w0
                                a2_1 += x2 * w1
                                a2_2 += x2 * w2
                                a2_3 += x2 * w3
                                a2_4 += x2 * w4
                                a2_5 += x2 * w5
                                a2_6 += x2 * w6
                                a2_7 += x2 * w7
                                a2_8 += x2 * w8
                                a2_9 += x2 * w9
                                a2_10 += x2 * w10
                                a2_11 += x2 * w11
                                a2_12 += x2 * w12
                                a2_13 += x2 * w13
                                a2_14 += x2 * w14
                                a2_15 += x2 * w15
                                x3 = src[x_at + U(3 * sw * c_in + c)]
                                a3_0 += x3 * w0
                                a3_1 += x3 * w1
                                a3_2 += x3 * w2
                                a3_3 += x3 * w3
                                a3_4 += x3 * w4
                                a3_5 += x3 * w5
                                a3_6 += x3 * w6
                                a3_7 += x3 * w7
                                a3_8 += x3 * w8
                                a3_9 += x3 * w9
                                a3_10 += x3 * w10
                                a3_11 += x3 * w11
                                a3_12 += x3 * w12
                                a3_13 += x3 * w13
                                a3_14 += x3 * w14
                                a3_15 += x3 * w15
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
                        zf[z_at + U(0 * cs * c_out + 8)] = a0_8
                        zf[z_at + U(0 * cs * c_out + 9)] = a0_9
                        zf[z_at + U(0 * cs * c_out + 10)] = a0_10
                        zf[z_at + U(0 * cs * c_out + 11)] = a0_11
                        zf[z_at + U(0 * cs * c_out + 12)] = a0_12
                        zf[z_at + U(0 * cs * c_out + 13)] = a0_13
                        zf[z_at + U(0 * cs * c_out + 14)] = a0_14
                        zf[z_at + U(0 * cs * c_out + 15)] = a0_15
                        zf[z_at + U(1 * cs * c_out + 0)] = a1_0
                        zf[z_at + U(1 * cs * c_out + 1)] = a1_1
                        zf[z_at + U(1 * cs * c_out + 2)] = a1_2
                        zf[z_at + U(1 * cs * c_out + 3)] = a1_3
                        zf[z_at + U(1 * cs * c_out + 4)] = a1_4
                        zf[z_at + U(1 * cs * c_out + 5)] = a1_5
                        zf[z_at + U(1 * cs * c_out + 6)] = a1_6
                        zf[z_at + U(1 * cs * c_out + 7)] = a1_7
                        zf[z_at + U(1 * cs * c_out + 8)] = a1_8
                        zf[z_at + U(1 * cs * c_out + 9)] = a1_9
                        zf[z_at + U(1 * cs * c_out + 10)] = a1_10
                        zf[z_at + U(1 * cs * c_out + 11)] = a1_11
                        zf[z_at + U(1 * cs * c_out + 12)] = a1_12
                        zf[z_at + U(1 * cs * c_out + 13)] = a1_13
                        zf[z_at + U(1 * cs * c_out + 14)] = a1_14
                        zf[z_at + U(1 * cs * c_out + 15)] = a1_15
                        zf[z_at + U(2 * cs * c_out + 0)] = a2_0
                        zf[z_at + U(2 * cs * c_out + 1)] = a2_1
                        zf[z_at + U(2 * cs * c_out + 2)] = a2_2
                        zf[z_at + U(2 * cs * c_out + 3)] = a2_3
                        zf[z_at + U(2 * cs * c_out + 4)] = a2_4
                        zf[z_at + U(2 * cs * c_out + 5)] = a2_5
                        zf[z_at + U(2 * cs * c_out + 6)] = a2_6
                        zf[z_at + U(2 * cs * c_out + 7)] = a2_7
                        zf[z_at + U(2 * cs * c_out + 8)] = a2_8
                        zf[z_at + U(2 * cs * c_out + 9)] = a2_9
                        zf[z_at + U(2 * cs * c_out + 10)] = a2_10
                        zf[z_at + U(2 * cs * c_out + 11)] = a2_11
                        zf[z_at + U(2 * cs * c_out + 12)] = a2_12
                        zf[z_at + U(2 * cs * c_out + 13)] = a2_13
                        zf[z_at + U(2 * cs * c_out + 14)] = a2_14
                        zf[z_at + U(2 * cs * c_out + 15)] = a2_15
                        zf[z_at + U(3 * cs * c_out + 0)] = a3_0
                        zf[z_at + U(3 * cs * c_out + 1)] = a3_1
                        zf[z_at + U(3 * cs * c_out + 2)] = a3_2
                        zf[z_at + U(3 * cs * c_out + 3)] = a3_3
                        zf[z_at + U(3 * cs * c_out + 4)] = a3_4
                        zf[z_at + U(3 * cs * c_out + 5)] = a3_5
                        zf[z_at + U(3 * cs * c_out + 6)] = a3_6
                        zf[z_at + U(3 * cs * c_out + 7)] = a3_7
                        zf[z_at + U(3 * cs * c_out + 8)] = a3_8
                        zf[z_at + U(3 * cs * c_out + 9)] = a3_9
                        zf[z_at + U(3 * cs * c_out + 10)] = a3_10
                        zf[z_at + U(3 * cs * c_out + 11)] = a3_11
                        zf[z_at + U(3 * cs * c_out + 12)] = a3_12
                        zf[z_at + U(3 * cs * c_out + 13)] = a3_13
                        zf[z_at + U(3 * cs * c_out + 14)] = a3_14
                        zf[z_at + U(3 * cs * c_out + 15)] = a3_15
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb_ in range(0, c_out, 16):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 16)
                            for c in range(c_in):
                                w_row = w_at + U(c * 16)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                w8 = wf[w_row + U(8)]
                                w9 = wf[w_row + U(9)]
                                w10 = wf[w_row + U(10)]
                                w11 = wf[w_row + U(11)]
                                w12 = wf[w_row + U(12)]
                                w13 = wf[w_row + U(13)]
                                w14 = wf[w_row + U(14)]
                                w15 = wf[w_row + U(15)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                                a0_8 += x0 * w8
                                a0_9 += x0 * w9
                                a0_10 += x0 * w10
                                a0_11 += x0 * w11
                                a0_12 += x0 * w12
                                a0_13 += x0 * w13
                                a0_14 += x0 * w14
                                a0_15 += x0 * w15
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
                        zf[z_at + U(0 * cs * c_out + 8)] = a0_8
                        zf[z_at + U(0 * cs * c_out + 9)] = a0_9
                        zf[z_at + U(0 * cs * c_out + 10)] = a0_10
                        zf[z_at + U(0 * cs * c_out + 11)] = a0_11
                        zf[z_at + U(0 * cs * c_out + 12)] = a0_12
                        zf[z_at + U(0 * cs * c_out + 13)] = a0_13
                        zf[z_at + U(0 * cs * c_out + 14)] = a0_14
                        zf[z_at + U(0 * cs * c_out + 15)] = a0_15
    return z


def forward_8(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
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
                xs[to : to + width * c_in] = xf[at : at + width * c_in]
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
                    for jb_ in range(0, c_out, 8):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a1_0 = b[jb + U(0)]
                        a1_1 = b[jb + U(1)]
                        a1_2 = b[jb + U(2)]
                        a1_3 = b[jb + U(3)]
                        a1_4 = b[jb + U(4)]
                        a1_5 = b[jb + U(5)]
                        a1_6 = b[jb + U(6)]
                        a1_7 = b[jb + U(7)]
                        a2_0 = b[jb + U(0)]
                        a2_1 = b[jb + U(1)]
                        a2_2 = b[jb + U(2)]
                        a2_3 = b[jb + U(3)]
                        a2_4 = b[jb + U(4)]
                        a2_5 = b[jb + U(5)]
                        a2_6 = b[jb + U(6)]
                        a2_7 = b[jb + U(7)]
                        a3_0 = b[jb + U(0)]
                        a3_1 = b[jb + U(1)]
                        a3_2 = b[jb + U(2)]
                        a3_3 = b[jb + U(3)]
                        a3_4 = b[jb + U(4)]
                        a3_5 = b[jb + U(5)]
                        a3_6 = b[jb + U(6)]
                        a3_7 = b[jb + U(7)]
                        a4_0 = b[jb + U(0)]
                        a4_1 = b[jb + U(1)]
                        a4_2 = b[jb + U(2)]
                        a4_3 = b[jb + U(3)]
                        a4_4 = b[jb + U(4)]
                        a4_5 = b[jb + U(5)]
                        a4_6 = b[jb + U(6)]
                        a4_7 = b[jb + U(7)]
                        a5_0 = b[jb + U(0)]
                        a5_1 = b[jb + U(1)]
                        a5_2 = b[jb + U(2)]
                        a5_3 = b[jb + U(3)]
                        a5_4 = b[jb + U(4)]
                        a5_5 = b[jb + U(5)]
                        a5_6 = b[jb + U(6)]
                        a5_7 = b[jb + U(7)]
                        a6_0 = b[jb + U(0)]
                        a6_1 = b[jb + U(1)]
                        a6_2 = b[jb + U(2)]
                        a6_3 = b[jb + U(3)]
                        a6_4 = b[jb + U(4)]
                        a6_5 = b[jb + U(5)]
                        a6_6 = b[jb + U(6)]
                        a6_7 = b[jb + U(7)]
                        a7_0 = b[jb + U(0)]
                        a7_1 = b[jb + U(1)]
                        a7_2 = b[jb + U(2)]
                        a7_3 = b[jb + U(3)]
                        a7_4 = b[jb + U(4)]
                        a7_5 = b[jb + U(5)]
                        a7_6 = b[jb + U(6)]
                        a7_7 = b[jb + U(7)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 8)
                            for c in range(c_in):
                                w_row = w_at + U(c * 8)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                                x1 = src[x_at + U(1 * sw * c_in + c)]
                                a1_0 += x1 * w0
                                a1_1 += x1 * w1
                                a1_2 += x1 * w2
                                a1_3 += x1 * w3
                                a1_4 += x1 * w4
                                a1_5 += x1 * w5
                                a1_6 += x1 * w6
                                a1_7 += x1 * w7
                                x2 = src[x_at + U(2 * sw * c_in + c)]
                                a2_0 += x2 * w0
                                a2_1 += x2 * w1
                                a2_2 += x2 * w2
                                a2_3 += x2 * w3
                                a2_4 += x2 * w4
                                a2_5 += x2 * w5
                                a2_6 += x2 * w6
                                a2_7 += x2 * w7
                                x3 = src[x_at + U(3 * sw * c_in + c)]
                                a3_0 += x3 * w0
                                a3_1 += x3 * w1
                                a3_2 += x3 * w2
                                a3_3 += x3 * w3
                                a3_4 += x3 * w4
                                a3_5 += x3 * w5
                                a3_6 += x3 * w6
                                a3_7 += x3 * w7
                                x4 = src[x_at + U(4 * sw * c_in + c)]
                                a4_0 += x4 * w0
                                a4_1 += x4 * w1
                                a4_2 += x4 * w2
                                a4_3 += x4 * w3
                                a4_4 += x4 * w4
                                a4_5 += x4 * w5
                                a4_6 += x4 * w6
                                a4_7 += x4 * w7
                                x5 = src[x_at + U(5 * sw * c_in + c)]
                                a5_0 += x5 * w0
                                a5_1 += x5 * w1
                                a5_2 += x5 * w2
                                a5_3 += x5 * w3
                                a5_4 += x5 * w4
                                a5_5 += x5 * w5
                                a5_6 += x5 * w6
                                a5_7 += x5 * w7
                                x6 = src[x_at + U(6 * sw * c_in + c)]
                                a6_0 += x6 * w0
                                a6_1 += x6 * w1
                                a6_2 += x6 * w2
                                a6_3 += x6 * w3
                                a6_4 += x6 * w4
                                a6_5 += x6 * w5
                                a6_6 += x6 * w6
                                a6_7 += x6 * w7
                                x7 = src[x_at + U(7 * sw * c_in + c)]
                                a7_0 += x7 * w0
                                a7_1 += x7 * w1
                                a7_2 += x7 * w2
                                a7_3 += x7 * w3
                                a7_4 += x7 * w4
                                a7_5 += x7 * w5
                                a7_6 += x7 * w6
                                a7_7 += x7 * w7
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
                        zf[z_at + U(1 * cs * c_out + 0)] = a1_0
                        zf[z_at + U(1 * cs * c_out + 1)] = a1_1
                        zf[z_at + U(1 * cs * c_out + 2)] = a1_2
                        zf[z_at + U(1 * cs * c_out + 3)] = a1_3
                        zf[z_at + U(1 * cs * c_out + 4)] = a1_4
                        zf[z_at + U(1 * cs * c_out + 5)] = a1_5
                        zf[z_at + U(1 * cs * c_out + 6)] = a1_6
                        zf[z_at + U(1 * cs * c_out + 7)] = a1_7
                        zf[z_at + U(2 * cs * c_out + 0)] = a2_0
                        zf[z_at + U(2 * cs * c_out + 1)] = a2_1
                        zf[z_at + U(2 * cs * c_out + 2)] = a2_2
                        zf[z_at + U(2 * cs * c_out + 3)] = a2_3
                        zf[z_at + U(2 * cs * c_out + 4)] = a2_4
                        zf[z_at + U(2 * cs * c_out + 5)] = a2_5
                        zf[z_at + U(2 * cs * c_out + 6)] = a2_6
                        zf[z_at + U(2 * cs * c_out + 7)] = a2_7
                        zf[z_at + U(3 * cs * c_out + 0)] = a3_0
                        zf[z_at + U(3 * cs * c_out + 1)] = a3_1
                        zf[z_at + U(3 * cs * c_out + 2)] = a3_2
                        zf[z_at + U(3 * cs * c_out + 3)] = a3_3
                        zf[z_at + U(3 * cs * c_out + 4)] = a3_4
                        zf[z_at + U(3 * cs * c_out + 5)] = a3_5
                        zf[z_at + U(3 * cs * c_out + 6)] = a3_6
                        zf[z_at + U(3 * cs * c_out + 7)] = a3_7
                        zf[z_at + U(4 * cs * c_out + 0)] = a4_0
                        zf[z_at + U(4 * cs * c_out + 1)] = a4_1
                        zf[z_at + U(4 * cs * c_out + 2)] = a4_2
                        zf[z_at + U(4 * cs * c_out + 3)] = a4_3
                        zf[z_at + U(4 * cs * c_out + 4)] = a4_4
                        zf[z_at + U(4 * cs * c_out + 5)] = a4_5
                        zf[z_at + U(4 * cs * c_out + 6)] = a4_6
                        zf[z_at + U(4 * cs * c_out + 7)] = a4_7
                        zf[z_at + U(5 * cs * c_out + 0)] = a5_0
                        zf[z_at + U(5 * cs * c_out + 1)] = a5_1
                        zf[z_at + U(5 * cs * c_out + 2)] = a5_2
                        zf[z_at + U(5 * cs * c_out + 3)] = a5_3
                        zf[z_at + U(5 * cs * c_out + 4)] = a5_4
                        zf[z_at + U(5 * cs * c_out + 5)] = a5_5
                        zf[z_at + U(5 * cs * c_out + 6)] = a5_6
                        zf[z_at + U(5 * cs * c_out + 7)] = a5_7
                        zf[z_at + U(6 * cs * c_out + 0)] = a6_0
                        zf[z_at + U(6 * cs * c_out + 1)] = a6_1
                        zf[z_at + U(6 * cs * c_out + 2)] = a6_2
                        zf[z_at + U(6 * cs * c_out + 3)] = a6_3
                        zf[z_at + U(6 * cs * c_out + 4)] = a6_4
                        zf[z_at + U(6 * cs * c_out + 5)] = a6_5
                        zf[z_at + U(6 * cs * c_out + 6)] = a6_6
                        zf[z_at + U(6 * cs * c_out + 7)] = a6_7
                        zf[z_at + U(7 * cs * c_out + 0)] = a7_0
                        zf[z_at + U(7 * cs * c_out + 1)] = a7_1
                        zf[z_at + U(7 * cs * c_out + 2)] = a7_2
                        zf[z_at + U(7 * cs * c_out + 3)] = a7_3
                        zf[z_at + U(7 * cs * c_out + 4)] = a7_4
                        zf[z_at + U(7 * cs * c_out + 5)] = a7_5
                        zf[z_at + U(7 * cs * c_out + 6)] = a7_6
                        zf[z_at + U(7 * cs * c_out + 7)] = a7_7
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb_ in range(0, c_out, 8):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 8)
                            for c in range(c_in):
                                w_row = w_at + U(c * 8)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
    return z


def weight_gradient_16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 4 and 16. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel).
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = U((n * height + yk) * width * c_in)
                for cb_ in range(0, c_in, 4):
                    for jb_ in range(0, c_out, 16):
                        jb = U(jb_)
                        p_at = U((k * c_in + cb_) * c_out) + jb
                        a0_0 = zero
                        a0_1 = zero
                        a0_2 = zero
                        a0_3 = zero
                        a0_4 = zero
                        a0_5 = zero
                        a0_6 = zero
                        a0_7 = zero
                        a0_8 = zero
                        a0_9 = zero
                        a0_10 = zero
                        a0_11 = zero
                        a0_12 = zero
                        a0_13 = zero
                        a0_14 = zero
                        a0_15 = zero
                        a1_0 = zero
                        a1_1 = zero
                        a1_2 = zero
                        a1_3 = zero
                        a1_4 = zero
                        a1_5 = zero
                        a1_6 = zero
                        a1_7 = zero
                        a1_8 = zero
                        a1_9 = zero
                        a1_10 = zero
                        a1_11 = zero
                        a1_12 = zero
                        a1_13 = zero
                        a1_14 = zero
                        a1_15 = zero
                        a2_0 = zero
                        a2_1 = zero
                        a2_2 = zero
                        a2_3 = zero
                        a2_4 = zero
                        a2_5 = zero
                        a2_6 = zero
                        a2_7 = zero
                        a2_8 = zero
                        a2_9 = zero
                        a2_10 = zero
                        a2_11 = zero
                        a2_12 = zero
                        a2_13 = zero
                        a2_14 = zero
                        a2_15 = zero
                        a3_0 = zero
                        a3_1 = zero
                        a3_2 = zero
                        a3_3 = zero
                        a3_4 = zero
                        a3_5 = zero
                        a3_6 = zero
                        a3_7 = zero
                        a3_8 = zero
                        a3_9 = zero
                        a3_10 = zero
                        a3_11 = zero
                        a3_12 = zero
                        a3_13 = zero
                        a3_14 = zero
                        a3_15 = zero
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + U((ow * sw + xk) * c_in + cb_)
                            d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                            d0 = dzf[d_at + U(0)]
                            d1 = dzf[d_at + U(1)]
                            d2 = dzf[d_at + U(2)]
                            d3 = dzf[d_at + U(3)]
                            d4 = dzf[d_at + U(4)]
                            d5 = dzf[d_at + U(5)]
                            d6 = dzf[d_at + U(6)]
                            d7 = dzf[d_at + U(7)]
                            d8 = dzf[d_at + U(8)]
                            d9 = dzf[d_at + U(9)]
                            d10 = dzf[d_at + U(10)]
                            d11 = dzf[d_at + U(11)]
                            d12 = dzf[d_at + U(12)]
                            d13 = dzf[d_at + U(13)]
                            d14 = dzf[d_at + U(14)]
                            d15 = dzf[d_at + U(15)]
                            x0 = xf[x_at + U(0)]
                            a0_0 += x0 * d0
                            a0_1 += x0 * d1
                            a0_2 += x0 * d2
                            a0_3 += x0 * d3
                            a0_4 += x0 * d4
                            a0_5 += x0 * d5
                            a0_6 += x0 * d6
                            a0_7 += x0 * d7
                            a0_8 += x0 * d8
                            a0_9 += x0 * d9
                            a0_10 += x0 * d10
                            a0_11 += x0 * d11
                            a0_12 += x0 * d12
                            a0_13 += x0 * d13
                            a0_14 += x0 * d14
                            a0_15 += x0 * d15
                            x1 = xf[x_at + U(1)]
                            a1_0 += x1 * d0
                            a1_1 += x1 * d1
                            a1_2 += x1 * d2
                            a1_3 += x1 * d3
                            a1_4 += x1 * d4
                            a1_5 += x1 * d5
                            a1_6 += x1 * d6
                            a1_7 += x1 * d7
                            a1_8 += x1 * d8
                            a1_9 += x1 * d9
                            a1_10 += x1 * d10
                            a1_11 += x1 * d11
                            a1_12 += x1 * d12
                            a1_13 += x1 * d13
                            a1_14 += x1 * d14
                            a1_15 += x1 * d15
                            x2 = xf[x_at + U(2)]
                            a2_0 += x2 * d0
                            a2_1 += x2 * d1
                            a2_2 += x2 * d2
                            a2_3 += x2 * d3
                            a2_4 += x2 * d4
                            a2_5 += x2 * d5
                            a2_6 += x2 * d6
                            a2_7 += x2 * d7
                            a2_8 += x2 * d8
                            a2_9 += x2 * d9
                            a2_10 += x2 * d10
                            a2_11 += x2 * d11
                            a2_12 += x2 * d12
                            a2_13 += x2 * d13
                            a2_14 += x2 * d14
                            a2_15 += x2 * d15
                            x3 = xf[x_at + U(3)]
                            a3_0 += x3 * d0
                            a3_1 += x3 * d1
                            a3_2 += x3 * d2
                            a3_3 += x3 * d3
                            a3_4 += x3 * d4
                            a3_5 += x3 * d5
                            a3_6 += x3 * d6
                            a3_7 += x3 * d7
                            a3_8 += x3 * d8
                            a3_9 += x3 * d9
                            a3_10 += x3 * d10
                            a3_11 += x3 * d11
                            a3_12 += x3 * d12
                            a3_13 += x3 * d13
                            a3_14 += x3 * d14
                            a3_15 += x3 * d15
                        pf[p_at + U(0 * c_out + 0)] += a0_0
                        pf[p_at + U(0 * c_out + 1)] += a0_1
                        pf[p_at + U(0 * c_out + 2)] += a0_2
                        pf[p_at + U(0 * c_out + 3)] += a0_3
                        pf[p_at + U(0 * c_out + 4)] += a0_4
                        pf[p_at + U(0 * c_out + 5)] += a0_5
                        pf[p_at + U(0 * c_out + 6)] += a0_6
                        pf[p_at + U(0 * c_out + 7)] += a0_7
                        pf[p_at + U(0 * c_out + 8)] += a0_8
                        pf[p_at + U(0 * c_out + 9)] += a0_9
                        pf[p_at + U(0 * c_out + 10)] += a0_10
                        pf[p_at + U(0 * c_out + 11)] += a0_11
                        pf[p_at + U(0 * c_out + 12)] += a0_12
                        pf[p_at + U(0 * c_out + 13)] += a0_13
                        pf[p_at + U(0 * c_out + 14)] += a0_14
                        pf[p_at + U(0 * c_out + 15)] += a0_15
                        pf[p_at + U(1 * c_out + 0)] += a1_0
                        pf[p_at + U(1 * c_out + 1)] += a1_1
                        pf[p_at + U(1 * c_out + 2)] += a1_2
                        pf[p_at + U(1 * c_out + 3)] += a1_3
                        pf[p_at + U(1 * c_out + 4)] += a1_4
                        pf[p_at + U(1 * c_out + 5)] += a1_5
                        pf[p_at + U(1 * c_out + 6)] += a1_6
                        pf[p_at + U(1 * c_out + 7)] += a1_7
                        pf[p_at + U(1 * c_out + 8)] += a1_8
                        pf[p_at + U(1 * c_out + 9)] += a1_9
                        pf[p_at + U(1 * c_out + 10)] += a1_10
                        pf[p_at + U(1 * c_out + 11)] += a1_11
                        pf[p_at + U(1 * c_out + 12)] += a1_12
                        pf[p_at + U(1 * c_out + 13)] += a1_13
                        pf[p_at + U(1 * c_out + 14)] += a1_14
                        pf[p_at + U(1 * c_out + 15)] += a1_15
                        pf[p_at + U(2 * c_out + 0)] += a2_0
                        pf[p_at + U(2 * c_out + 1)] += a2_1
                        pf[p_at + U(2 * c_out + 2)] += a2_2
                        pf[p_at + U(2 * c_out + 3)] += a2_3
                        pf[p_at + U(2 * c_out + 4)] += a2_4
                        pf[p_at + U(2 * c_out + 5)] += a2_5
                        pf[p_at + U(2 * c_out + 6)] += a2_6
                        pf[p_at + U(2 * c_out + 7)] += a2_7
                        pf[p_at + U(2 * c_out + 8)] += a2_8
                        pf[p_at + U(2 * c_out + 9)] += a2_9
                        pf[p_at + U(2 * c_out + 10)] += a2_10
                        pf[p_at + U(2 * c_out + 11)] += a2_11
                        pf[p_at + U(2 * c_out + 12)] += a2_12
                        pf[p_at + U(2 * c_out + 13)] += a2_13
                        pf[p_at + U(2 * c_out + 14)] += a2_14
                        pf[p_at + U(2 * c_out + 15)] += a2_15
                        pf[p_at + U(3 * c_out + 0)] += a3_0
                        pf[p_at + U(3 * c_out + 1)] += a3_1
                        pf[p_at + U(3 * c_out + 2)] += a3_2
                        pf[p_at + U(3 * c_out + 3)] += a3_3
                        pf[p_at + U(3 * c_out + 4)] += a3_4
                        pf[p_at + U(3 * c_out + 5)] += a3_5
                        pf[p_at + U(3 * c_out + 6)] += a3_6
                        pf[p_at + U(3 * c_out + 7)] += a3_7
                        pf[p_at + U(3 * c_out + 8)] += a3_8
                        pf[p_at + U(3 * c_out + 9)] += a3_9
                        pf[p_at + U(3 * c_out + 10)] += a3_10
                        pf[p_at + U(3 * c_out + 11)] += a3_11
                        pf[p_at + U(3 * c_out + 12)] += a3_12
                        pf[p_at + U(3 * c_out + 13)] += a3_13
                        pf[p_at + U(3 * c_out + 14)] += a3_14
                        pf[p_at + U(3 * c_out + 15)] += a3_15
        dw += part
        db += part_b
    return dw


def weight_gradient_8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 8 and 8. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel).
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = U((n * height + yk) * width * c_in)
                for cb_ in range(0, c_in, 8):
                    for jb_ in range(0, c_out, 8):
                        jb = U(jb_)
                        p_at = U((k * c_in + cb_) * c_out) + jb
                        a0_0 = zero
                        a0_1 = zero
                        a0_2 = zero
                        a0_3 = zero
                        a0_4 = zero
                        a0_5 = zero
                        a0_6 = zero
                        a0_7 = zero
                        a1_0 = zero
                        a1_1 = zero
                        a1_2 = zero
                        a1_3 = zero
                        a1_4 = zero
                        a1_5 = zero
                        a1_6 = zero
                        a1_7 = zero
                        a2_0 = zero
                        a2_1 = zero
                        a2_2 = zero
                        a2_3 = zero
                        a2_4 = zero
                        a2_5 = zero
                        a2_6 = zero
                        a2_7 = zero
                        a3_0 = zero
                        a3_1 = zero
                        a3_2 = zero
                        a3_3 = zero
                        a3_4 = zero
                        a3_5 = zero
                        a3_6 = zero
                        a3_7 = zero
                        a4_0 = zero
                        a4_1 = zero
                        a4_2 = zero
                        a4_3 = zero
                        a4_4 = zero
                        a4_5 = zero
                        a4_6 = zero
                        a4_7 = zero
                        a5_0 = zero
                        a5_1 = zero
                        a5_2 = zero
                        a5_3 = zero
                        a5_4 = zero
                        a5_5 = zero
                        a5_6 = zero
                        a5_7 = zero
                        a6_0 = zero
                        a6_1 = zero
                        a6_2 = zero
                        a6_3 = zero
                        a6_4 = zero
                        a6_5 = zero
                        a6_6 = zero
                        a6_7 = zero
                        a7_0 = zero
                        a7_1 = zero
                        a7_2 = zero
                        a7_3 = zero
                        a7_4 = zero
                        a7_5 = zero
                        a7_6 = zero
                        a7_7 = zero
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + U((ow * sw + xk) * c_in + cb_)
                            d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                            d0 = dzf[d_at + U(0)]
                            d1 = dzf[d_at + U(1)]
                            d2 = dzf[d_at + U(2)]
                            d3 = dzf[d_at + U(3)]
                            d4 = dzf[d_at + U(4)]
                            d5 = dzf[d_at + U(5)]
                            d6 = dzf[d_at + U(6)]
                            d7 = dzf[d_at + U(7)]
                            x0 = xf[x_at + U(0)]
                            a0_0 += x0 * d0
                            a0_1 += x0 * d1
                            a0_2 += x0 * d2
                            a0_3 += x0 * d3
                            a0_4 += x0 * d4
                            a0_5 += x0 * d5
                            a0_6 += x0 * d6
                            a0_7 += x0 * d7
                            x1 = xf[x_at + U(1)]
                            a1_0 += x1 * d0
                            a1_1 += x1 * d1
                            a1_2 += x1 * d2
                            a1_3 += x1 * d3
                            a1_4 += x1 * d4
                            a1_5 += x1 * d5
                            a1_6 += x1 * d6
                            a1_7 += x1 * d7
                            x2 = xf[x_at + U(2)]
                            a2_0 += x2 * d0
                            a2_1 += x2 * d1
                            a2_2 += x2 * d2
                            a2_3 += x2 * d3
                            a2_4 += x2 * d4
                            a2_5 += x2 * d5
                            a2_6 += x2 * d6
                            a2_7 += x2 * d7
                            x3 = xf[x_at + U(3)]
                            a3_0 += x3 * d0
                            a3_1 += x3 * d1
                            a3_2 += x3 * d2
                            a3_3 += x3 * d3
                            a3_4 += x3 * d4
                            a3_5 += x3 * d5
                            a3_6 += x3 * d6
                            a3_7 += x3 * d7
                            x4 = xf[x_at + U(4)]
                            a4_0 += x4 * d0
                            a4_1 += x4 * d1
                            a4_2 += x4 * d2
                            a4_3 += x4 * d3
                            a4_4 += x4 * d4
                            a4_5 += x4 * d5
                            a4_6 += x4 * d6
                            a4_7 += x4 * d7
                            x5 = xf[x_at + U(5)]
                            a5_0 += x5 * d0
                            a5_1 += x5 * d1
                            a5_2 += x5 * d2
                            a5_3 += x5 * d3
                            a5_4 += x5 * d4
                            a5_5 += x5 * d5
                            a5_6 += x5 * d6
                            a5_7 += x5 * d7
                            x6 = xf[x_at + U(6)]
                            a6_0 += x6 * d0
                            a6_1 += x6 * d1
                            a6_2 += x6 * d2
                            a6_3 += x6 * d3
                            a6_4 += x6 * d4
                            a6_5 += x6 * d5
                            a6_6 += x6 * d6
                            a6_7 += x6 * d7
                            x7 = xf[x_at + U(7)]
                            a7_0 += x7 * d0
                            a7_1 += x7 * d1
                            a7_2 += x7 * d2
                            a7_3 += x7 * d3
                            a7_4 += x7 * d4
                            a7_5 += x7 * d5
                            a7_6 += x7 * d6
                            a7_7 += x7 * d7
                        pf[p_at + U(0 * c_out + 0)] += a0_0
                        pf[p_at + U(0 * c_out + 1)] += a0_1
                        pf[p_at + U(0 * c_out + 2)] += a0_2
                        pf[p_at + U(0 * c_out + 3)] += a0_3
                        pf[p_at + U(0 * c_out + 4)] += a0_4
                        pf[p_at + U(0 * c_out + 5)] += a0_5
                        pf[p_at + U(0 * c_out + 6)] += a0_6
                        pf[p_at + U(0 * c_out + 7)] += a0_7
                        pf[p_at + U(1 * c_out + 0)] += a1_0
                        pf[p_at + U(1 * c_out + 1)] += a1_1
                        pf[p_at + U(1 * c_out + 2)] += a1_2
                        pf[p_at + U(1 * c_out + 3)] += a1_3
                        pf[p_at + U(1 * c_out + 4)] += a1_4
                        pf[p_at + U(1 * c_out + 5)] += a1_5
                        pf[p_at + U(1 * c_out + 6)] += a1_6
                        pf[p_at + U(1 * c_out + 7)] += a1_7
                        pf[p_at + U(2 * c_out + 0)] += a2_0
                        pf[p_at + U(2 * c_out + 1)] += a2_1
                        pf[p_at + U(2 * c_out + 2)] += a2_2
                        pf[p_at + U(2 * c_out + 3)] += a2_3
                        pf[p_at + U(2 * c_out + 4)] += a2_4
                        pf[p_at + U(2 * c_out + 5)] += a2_5
                        pf[p_at + U(2 * c_out + 6)] += a2_6
                        pf[p_at + U(2 * c_out + 7)] += a2_7
                        pf[p_at + U(3 * c_out + 0)] += a3_0
                        pf[p_at + U(3 * c_out + 1)] += a3_1
                        pf[p_at + U(3 * c_out + 2)] += a3_2
                        pf[p_at + U(3 * c_out + 3)] += a3_3
                        pf[p_at + U(3 * c_out + 4)] += a3_4
                        pf[p_at + U(3 * c_out + 5)] += a3_5
                        pf[p_at + U(3 * c_out + 6)] += a3_6
                        pf[p_at + U(3 * c_out + 7)] += a3_7
                        pf[p_at + U(4 * c_out + 0)] += a4_0
                        pf[p_at + U(4 * c_out + 1)] += a4_1
                        pf[p_at + U(4 * c_out + 2)] += a4_2
                        pf[p_at + U(4 * c_out + 3)] += a4_3
                        pf[p_at + U(4 * c_out + 4)] += a4_4
                        pf[p_at + U(4 * c_out + 5)] += a4_5
                        pf[p_at + U(4 * c_out + 6)] += a4_6
                        pf[p_at + U(4 * c_out + 7)] += a4_7
                        pf[p_at + U(5 * c_out + 0)] += a5_0
                        pf[p_at + U(5 * c_out + 1)] += a5_1
                        pf[p_at + U(5 * c_out + 2)] += a5_2
                        pf[p_at + U(5 * c_out + 3)] += a5_3
                        pf[p_at + U(5 * c_out + 4)] += a5_4
                        pf[p_at + U(5 * c_out + 5)] += a5_5
                        pf[p_at + U(5 * c_out + 6)] += a5_6
                        pf[p_at + U(5 * c_out + 7)] += a5_7
                        pf[p_at + U(6 * c_out + 0)] += a6_0
                        pf[p_at + U(6 * c_out + 1)] += a6_1
                        pf[p_at + U(6 * c_out + 2)] += a6_2
                        pf[p_at + U(6 * c_out + 3)] += a6_3
                        pf[p_at + U(6 * c_out + 4)] += a6_4
                        pf[p_at + U(6 * c_out + 5)] += a6_5
                        pf[p_at + U(6 * c_out + 6)] += a6_6
                        pf[p_at + U(6 * c_out + 7)] += a6_7
                        pf[p_at + U(7 * c_out + 0)] += a7_0
                        pf[p_at + U(7 * c_out + 1)] += a7_1
                        pf[p_at + U(7 * c_out + 2)] += a7_2
                        pf[p_at + U(7 * c_out + 3)] += a7_3
                        pf[p_at + U(7 * c_out + 4)] += a7_4
                        pf[p_at + U(7 * c_out + 5)] += a7_5
                        pf[p_at + U(7 * c_out + 6)] += a7_6
                        pf[p_at + U(7 * c_out + 7)] += a7_7
        dw += part
        db += part_b
    return dw


def narrow_weight_gradient_32(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_out`` is a multiple of 32; one input channel at a time. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel).
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = U((n * height + yk) * width * c_in)
                for cb_ in range(0, c_in, 1):
                    for jb_ in range(0, c_out, 32):
                        jb = U(jb_)
                        p_at = U((k * c_in + cb_) * c_out) + jb
                        a0_0 = zero
                        a0_1 = zero
                        a0_2 = zero
                        a0_3 = zero
                        a0_4 = zero
                        a0_5 = zero
                        a0_6 = zero
                        a0_7 = zero
                        a0_8 = zero
                        a0_9 = zero
                        a0_10 = zero
                        a0_11 = zero
                        a0_12 = zero
                        a0_13 = zero
                        a0_14 = zero
                        a0_15 = zero
                        a0_16 = zero
                        a0_17 = zero
                        a0_18 = zero
                        a0_19 = zero
                        a0_20 = zero
                        a0_21 = zero
                        a0_22 = zero
                        a0_23 = zero
                        a0_24 = zero
                        a0_25 = zero
                        a0_26 = zero
                        a0_27 = zero
                        a0_28 = zero
                        a0_29 = zero
                        a0_30 = zero
                        a0_31 = zero
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + U((ow * sw + xk) * c_in + cb_)
                            d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                            d0 = dzf[d_at + U(0)]
                            d1 = dzf[d_at + U(1)]
                            d2 = dzf[d_at + U(2)]
                            d3 = dzf[d_at + U(3)]
                            d4 = dzf[d_at + U(4)]
                            d5 = dzf[d_at + U(5)]
                            d6 = dzf[d_at + U(6)]
                            d7 = dzf[d_at + U(7)]
                            d8 = dzf[d_at + U(8)]
                            d9 = dzf[d_at + U(9)]
                            d10 = dzf[d_at + U(10)]
                            d11 = dzf[d_at + U(11)]
                            d12 = dzf[d_at + U(12)]
                            d13 = dzf[d_at + U(13)]
                            d14 = dzf[d_at + U(14)]
                            d15 = dzf[d_at + U(15)]
                            d16 = dzf[d_at + U(16)]
                            d17 = dzf[d_at + U(17)]
                            d18 = dzf[d_at + U(18)]
                            d19 = dzf[d_at + U(19)]
                            d20 = dzf[d_at + U(20)]
                            d21 = dzf[d_at + U(21)]
                            d22 = dzf[d_at + U(22)]
                            d23 = dzf[d_at + U(23)]
                            d24 = dzf[d_at + U(24)]
                            d25 = dzf[d_at + U(25)]
                            d26 = dzf[d_at + U(26)]
                            d27 = dzf[d_at + U(27)]
                            d28 = dzf[d_at + U(28)]
                            d29 = dzf[d_at + U(29)]
                            d30 = dzf[d_at + U(30)]
                            d31 = dzf[d_at + U(31)]
                            x0 = xf[x_at + U(0)]
                            a0_0 += x0 * d0
                            a0_1 += x0 * d1
                            a0_2 += x0 * d2
                            a0_3 += x0 * d3
                            a0_4 += x0 * d4
                            a0_5 += x0 * d5
                            a0_6 += x0 * d6
                            a0_7 += x0 * d7
                            a0_8 += x0 * d8
                            a0_9 += x0 * d9
                            a0_10 += x0 * d10
                            a0_11 += x0 * d11
                            a0_12 += x0 * d12
                            a0_13 += x0 * d13
                            a0_14 += x0 * d14
                            a0_15 += x0 * d15
                            a0_16 += x0 * d16
                            a0_17 += x0 * d17
                            a0_18 += x0 * d18
                            a0_19 += x0 * d19
                            a0_20 += x0 * d20
                            a0_21 += x0 * d21
                            a0_22 += x0 * d22
                            a0_23 += x0 * d23
                            a0_24 += x0 * d24
                            a0_25 += x0 * d25
                            a0_26 += x0 * d26
                            a0_27 += x0 * d27
                            a0_28 += x0 * d28
                            a0_29 += x0 * d29
                            a0_30 += x0 * d30
                            a0_31 += x0 * d31
                        pf[p_at + U(0 * c_out + 0)] += a0_0
                        pf[p_at + U(0 * c_out + 1)] += a0_1
                        pf[p_at + U(0 * c_out + 2)] += a0_2
                        pf[p_at + U(0 * c_out + 3)] += a0_3
                        pf[p_at + U(0 * c_out + 4)] += a0_4
                        pf[p_at + U(0 * c_out + 5)] += a0_5
                        pf[p_at + U(0 * c_out + 6)] += a0_6
                        pf[p_at + U(0 * c_out + 7)] += a0_7
                        pf[p_at + U(0 * c_out + 8)] += a0_8
                        pf[p_at + U(0 * c_out + 9)] += a0_9
                        pf[p_at + U(0 * c_out + 10)] += a0_10
                        pf[p_at + U(0 * c_out + 11)] += a0_11
                        pf[p_at + U(0 * c_out + 12)] += a0_12
                        pf[p_at + U(0 * c_out + 13)] += a0_13
                        pf[p_at + U(0 * c_out + 14)] += a0_14
                        pf[p_at + U(0 * c_out + 15)] += a0_15
                        pf[p_at + U(0 * c_out + 16)] += a0_16
                        pf[p_at + U(0 * c_out + 17)] += a0_17
                        pf[p_at + U(0 * c_out + 18)] += a0_18
                        pf[p_at + U(0 * c_out + 19)] += a0_19
                        pf[p_at + U(0 * c_out + 20)] += a0_20
                        pf[p_at + U(0 * c_out + 21)] += a0_21
                        pf[p_at + U(0 * c_out + 22)] += a0_22
                        pf[p_at + U(0 * c_out + 23)] += a0_23
                        pf[p_at + U(0 * c_out + 24)] += a0_24
                        pf[p_at + U(0 * c_out + 25)] += a0_25
                        pf[p_at + U(0 * c_out + 26)] += a0_26
                        pf[p_at + U(0 * c_out + 27)] += a0_27
                        pf[p_at + U(0 * c_out + 28)] += a0_28
                        pf[p_at + U(0 * c_out + 29)] += a0_29
                        pf[p_at + U(0 * c_out + 30)] += a0_30
                        pf[p_at + U(0 * c_out + 31)] += a0_31
        dw += part
        db += part_b
    return dw


def narrow_weight_gradient_16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_out`` is a multiple of 16; one input channel at a time. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel).
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = U((n * height + yk) * width * c_in)
                for cb_ in range(0, c_in, 1):
                    for jb_ in range(0, c_out, 16):
                        jb = U(jb_)
                        p_at = U((k * c_in + cb_) * c_out) + jb
                        a0_0 = zero
                        a0_1 = zero
                        a0_2 = zero
                        a0_3 = zero
                        a0_4 = zero
                        a0_5 = zero
                        a0_6 = zero
                        a0_7 = zero
                        a0_8 = zero
                        a0_9 = zero
                        a0_10 = zero
                        a0_11 = zero
                        a0_12 = zero
                        a0_13 = zero
                        a0_14 = zero
                        a0_15 = zero
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + U((ow * sw + xk) * c_in + cb_)
                            d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                            d0 = dzf[d_at + U(0)]
                            d1 = dzf[d_at + U(1)]
                            d2 = dzf[d_at + U(2)]
                            d3 = dzf[d_at + U(3)]
                            d4 = dzf[d_at + U(4)]
                            d5 = dzf[d_at + U(5)]
                            d6 = dzf[d_at + U(6)]
                            d7 = dzf[d_at + U(7)]
                            d8 = dzf[d_at + U(8)]
                            d9 = dzf[d_at + U(9)]
                            d10 = dzf[d_at + U(10)]
                            d11 = dzf[d_at + U(11)]
                            d12 = dzf[d_at + U(12)]
                            d13 = dzf[d_at + U(13)]
                            d14 = dzf[d_at + U(14)]
                            d15 = dzf[d_at + U(15)]
                            x0 = xf[x_at + U(0)]
                            a0_0 += x0 * d0
                            a0_1 += x0 * d1
                            a0_2 += x0 * d2
                            a0_3 += x0 * d3
                            a0_4 += x0 * d4
                            a0_5 += x0 * d5
                            a0_6 += x0 * d6
                            a0_7 += x0 * d7
                            a0_8 += x0 * d8
                            a0_9 += x0 * d9
                            a0_10 += x0 * d10
                            a0_11 += x0 * d11
                            a0_12 += x0 * d12
                            a0_13 += x0 * d13
                            a0_14 += x0 * d14
                            a0_15 += x0 * d15
                        pf[p_at + U(0 * c_out + 0)] += a0_0
                        pf[p_at + U(0 * c_out + 1)] += a0_1
                        pf[p_at + U(0 * c_out + 2)] += a0_2
                        pf[p_at + U(0 * c_out + 3)] += a0_3
                        pf[p_at + U(0 * c_out + 4)] += a0_4
                        pf[p_at + U(0 * c_out + 5)] += a0_5
                        pf[p_at + U(0 * c_out + 6)] += a0_6
                        pf[p_at + U(0 * c_out + 7)] += a0_7
                        pf[p_at + U(0 * c_out + 8)] += a0_8
                        pf[p_at + U(0 * c_out + 9)] += a0_9
                        pf[p_at + U(0 * c_out + 10)] += a0_10
                        pf[p_at + U(0 * c_out + 11)] += a0_11
                        pf[p_at + U(0 * c_out + 12)] += a0_12
                        pf[p_at + U(0 * c_out + 13)] += a0_13
                        pf[p_at + U(0 * c_out + 14)] += a0_14
                        pf[p_at + U(0 * c_out + 15)] += a0_15
        dw += part
        db += part_b
    return dw


def narrow_weight_gradient_8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_out`` is a multiple of 8; one input channel at a time. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel).
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = U((n * height + yk) * width * c_in)
                for cb_ in range(0, c_in, 1):
                    for jb_ in range(0, c_out, 8):
                        jb = U(jb_)
                        p_at = U((k * c_in + cb_) * c_out) + jb
                        a0_0 = zero
                        a0_1 = zero
                        a0_2 = zero
                        a0_3 = zero
                        a0_4 = zero
                        a0_5 = zero
                        a0_6 = zero
                        a0_7 = zero
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + U((ow * sw + xk) * c_in + cb_)
                            d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                            d0 = dzf[d_at + U(0)]
                            d1 = dzf[d_at + U(1)]
                            d2 = dzf[d_at + U(2)]
                            d3 = dzf[d_at + U(3)]
                            d4 = dzf[d_at + U(4)]
                            d5 = dzf[d_at + U(5)]
                            d6 = dzf[d_at + U(6)]
                            d7 = dzf[d_at + U(7)]
                            x0 = xf[x_at + U(0)]
                            a0_0 += x0 * d0
                            a0_1 += x0 * d1
                            a0_2 += x0 * d2
                            a0_3 += x0 * d3
                            a0_4 += x0 * d4
                            a0_5 += x0 * d5
                            a0_6 += x0 * d6
                            a0_7 += x0 * d7
                        pf[p_at + U(0 * c_out + 0)] += a0_0
                        pf[p_at + U(0 * c_out + 1)] += a0_1
                        pf[p_at + U(0 * c_out + 2)] += a0_2
                        pf[p_at + U(0 * c_out + 3)] += a0_3
                        pf[p_at + U(0 * c_out + 4)] += a0_4
                        pf[p_at + U(0 * c_out + 5)] += a0_5
                        pf[p_at + U(0 * c_out + 6)] += a0_6
                        pf[p_at + U(0 * c_out + 7)] += a0_7
        dw += part
        db += part_b
    return dw


def narrow_input_gradient_32(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
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
    zero = np.zeros(1, dtype=dx.dtype)[0]  # in the arrays' dtype: `dxf[0] * 0` would be float64
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 2 <= blocks_end:
                    for ci in range(c_in):
                        t0 = zero
                        t1 = zero
                        for jb_ in range(0, c_out, 32):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            a0_8 = zero
                            a0_9 = zero
                            a0_10 = zero
                            a0_11 = zero
                            a0_12 = zero
                            a0_13 = zero
                            a0_14 = zero
                            a0_15 = zero
                            a0_16 = zero
                            a0_17 = zero
                            a0_18 = zero
                            a0_19 = zero
                            a0_20 = zero
                            a0_21 = zero
                            a0_22 = zero
                            a0_23 = zero
                            a0_24 = zero
                            a0_25 = zero
                            a0_26 = zero
                            a0_27 = zero
                            a0_28 = zero
                            a0_29 = zero
                            a0_30 = zero
                            a0_31 = zero
                            a1_0 = zero
                            a1_1 = zero
                            a1_2 = zero
                            a1_3 = zero
                            a1_4 = zero
                            a1_5 = zero
                            a1_6 = zero
                            a1_7 = zero
                            a1_8 = zero
                            a1_9 = zero
                            a1_10 = zero
                            a1_11 = zero
                            a1_12 = zero
                            a1_13 = zero
                            a1_14 = zero
                            a1_15 = zero
                            a1_16 = zero
                            a1_17 = zero
                            a1_18 = zero
                            a1_19 = zero
                            a1_20 = zero
                            a1_21 = zero
                            a1_22 = zero
                            a1_23 = zero
                            a1_24 = zero
                            a1_25 = zero
                            a1_26 = zero
                            a1_27 = zero
                            a1_28 = zero
                            a1_29 = zero
                            a1_30 = zero
                            a1_31 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                w8 = wf[w_at + U(8)]
                                w9 = wf[w_at + U(9)]
                                w10 = wf[w_at + U(10)]
                                w11 = wf[w_at + U(11)]
                                w12 = wf[w_at + U(12)]
                                w13 = wf[w_at + U(13)]
                                w14 = wf[w_at + U(14)]
                                w15 = wf[w_at + U(15)]
                                w16 = wf[w_at + U(16)]
                                w17 = wf[w_at + U(17)]
                                w18 = wf[w_at + U(18)]
                                w19 = wf[w_at + U(19)]
                                w20 = wf[w_at + U(20)]
                                w21 = wf[w_at + U(21)]
                                w22 = wf[w_at + U(22)]
                                w23 = wf[w_at + U(23)]
                                w24 = wf[w_at + U(24)]
                                w25 = wf[w_at + U(25)]
                                w26 = wf[w_at + U(26)]
                                w27 = wf[w_at + U(27)]
                                w28 = wf[w_at + U(28)]
                                w29 = wf[w_at + U(29)]
                                w30 = wf[w_at + U(30)]
                                w31 = wf[w_at + U(31)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                                a0_8 += dzf[d_at + U(0 * c_out + 8)] * w8
                                a0_9 += dzf[d_at + U(0 * c_out + 9)] * w9
                                a0_10 += dzf[d_at + U(0 * c_out + 10)] * w10
                                a0_11 += dzf[d_at + U(0 * c_out + 11)] * w11
                                a0_12 += dzf[d_at + U(0 * c_out + 12)] * w12
                                a0_13 += dzf[d_at + U(0 * c_out + 13)] * w13
                                a0_14 += dzf[d_at + U(0 * c_out + 14)] * w14
                                a0_15 += dzf[d_at + U(0 * c_out + 15)] * w15
                                a0_16 += dzf[d_at + U(0 * c_out + 16)] * w16
                                a0_17 += dzf[d_at + U(0 * c_out + 17)] * w17
                                a0_18 += dzf[d_at + U(0 * c_out + 18)] * w18
                                a0_19 += dzf[d_at + U(0 * c_out + 19)] * w19
                                a0_20 += dzf[d_at + U(0 * c_out + 20)] * w20
                                a0_21 += dzf[d_at + U(0 * c_out + 21)] * w21
                                a0_22 += dzf[d_at + U(0 * c_out + 22)] * w22
                                a0_23 += dzf[d_at + U(0 * c_out + 23)] * w23
                                a0_24 += dzf[d_at + U(0 * c_out + 24)] * w24
                                a0_25 += dzf[d_at + U(0 * c_out + 25)] * w25
                                a0_26 += dzf[d_at + U(0 * c_out + 26)] * w26
                                a0_27 += dzf[d_at + U(0 * c_out + 27)] * w27
                                a0_28 += dzf[d_at + U(0 * c_out + 28)] * w28
                                a0_29 += dzf[d_at + U(0 * c_out + 29)] * w29
                                a0_30 += dzf[d_at + U(0 * c_out + 30)] * w30
                                a0_31 += dzf[d_at + U(0 * c_out + 31)] * w31
                                a1_0 += dzf[d_at + U(1 * c_out + 0)] * w0
                                a1_1 += dzf[d_at + U(1 * c_out + 1)] * w1
                                a1_2 += dzf[d_at + U(1 * c_out + 2)] * w2
                                a1_3 += dzf[d_at + U(1 * c_out + 3)] * w3
                                a1_4 += dzf[d_at + U(1 * c_out + 4)] * w4
                                a1_5 += dzf[d_at + U(1 * c_out + 5)] * w5
                                a1_6 += dzf[d_at + U(1 * c_out + 6)] * w6
                                a1_7 += dzf[d_at + U(1 * c_out + 7)] * w7
                                a1_8 += dzf[d_at + U(1 * c_out + 8)] * w8
                                a1_9 += dzf[d_at + U(1 * c_out + 9)] * w9
                                a1_10 += dzf[d_at + U(1 * c_out + 10)] * w10
                                a1_11 += dzf[d_at + U(1 * c_out + 11)] * w11
                                a1_12 += dzf[d_at + U(1 * c_out + 12)] * w12
                                a1_13 += dzf[d_at + U(1 * c_out + 13)] * w13
                                a1_14 += dzf[d_at + U(1 * c_out + 14)] * w14
                                a1_15 += dzf[d_at + U(1 * c_out + 15)] * w15
                                a1_16 += dzf[d_at + U(1 * c_out + 16)] * w16
                                a1_17 += dzf[d_at + U(1 * c_out + 17)] * w17
                                a1_18 += dzf[d_at + U(1 * c_out + 18)] * w18
                                a1_19 += dzf[d_at + U(1 * c_out + 19)] * w19
                                a1_20 += dzf[d_at + U(1 * c_out + 20)] * w20
                                a1_21 += dzf[d_at + U(1 * c_out + 21)] * w21
                                a1_22 += dzf[d_at + U(1 * c_out + 22)] * w22
                                a1_23 += dzf[d_at + U(1 * c_out + 23)] * w23
                                a1_24 += dzf[d_at + U(1 * c_out + 24)] * w24
                                a1_25 += dzf[d_at + U(1 * c_out + 25)] * w25
                                a1_26 += dzf[d_at + U(1 * c_out + 26)] * w26
                                a1_27 += dzf[d_at + U(1 * c_out + 27)] * w27
                                a1_28 += dzf[d_at + U(1 * c_out + 28)] * w28
                                a1_29 += dzf[d_at + U(1 * c_out + 29)] * w29
                                a1_30 += dzf[d_at + U(1 * c_out + 30)] * w30
                                a1_31 += dzf[d_at + U(1 * c_out + 31)] * w31
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7 + a0_8 + a0_9 + a0_10 + a0_11 + a0_12 + a0_13 + a0_14 + a0_15 + a0_16 + a0_17 + a0_18 + a0_19 + a0_20 + a0_21 + a0_22 + a0_23 + a0_24 + a0_25 + a0_26 + a0_27 + a0_28 + a0_29 + a0_30 + a0_31
                            t1 += a1_0 + a1_1 + a1_2 + a1_3 + a1_4 + a1_5 + a1_6 + a1_7 + a1_8 + a1_9 + a1_10 + a1_11 + a1_12 + a1_13 + a1_14 + a1_15 + a1_16 + a1_17 + a1_18 + a1_19 + a1_20 + a1_21 + a1_22 + a1_23 + a1_24 + a1_25 + a1_26 + a1_27 + a1_28 + a1_29 + a1_30 + a1_31
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                        dxf[dx_at + U(1 * c_in)] = t1
                    col0 += 2
                else:
                    for ci in range(c_in):
                        t0 = zero
                        for jb_ in range(0, c_out, 32):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            a0_8 = zero
                            a0_9 = zero
                            a0_10 = zero
                            a0_11 = zero
                            a0_12 = zero
                            a0_13 = zero
                            a0_14 = zero
                            a0_15 = zero
                            a0_16 = zero
                            a0_17 = zero
                            a0_18 = zero
                            a0_19 = zero
                            a0_20 = zero
                            a0_21 = zero
                            a0_22 = zero
                            a0_23 = zero
                            a0_24 = zero
                            a0_25 = zero
                            a0_26 = zero
                            a0_27 = zero
                            a0_28 = zero
                            a0_29 = zero
                            a0_30 = zero
                            a0_31 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                w8 = wf[w_at + U(8)]
                                w9 = wf[w_at + U(9)]
                                w10 = wf[w_at + U(10)]
                                w11 = wf[w_at + U(11)]
                                w12 = wf[w_at + U(12)]
                                w13 = wf[w_at + U(13)]
                                w14 = wf[w_at + U(14)]
                                w15 = wf[w_at + U(15)]
                                w16 = wf[w_at + U(16)]
                                w17 = wf[w_at + U(17)]
                                w18 = wf[w_at + U(18)]
                                w19 = wf[w_at + U(19)]
                                w20 = wf[w_at + U(20)]
                                w21 = wf[w_at + U(21)]
                                w22 = wf[w_at + U(22)]
                                w23 = wf[w_at + U(23)]
                                w24 = wf[w_at + U(24)]
                                w25 = wf[w_at + U(25)]
                                w26 = wf[w_at + U(26)]
                                w27 = wf[w_at + U(27)]
                                w28 = wf[w_at + U(28)]
                                w29 = wf[w_at + U(29)]
                                w30 = wf[w_at + U(30)]
                                w31 = wf[w_at + U(31)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                                a0_8 += dzf[d_at + U(0 * c_out + 8)] * w8
                                a0_9 += dzf[d_at + U(0 * c_out + 9)] * w9
                                a0_10 += dzf[d_at + U(0 * c_out + 10)] * w10
                                a0_11 += dzf[d_at + U(0 * c_out + 11)] * w11
                                a0_12 += dzf[d_at + U(0 * c_out + 12)] * w12
                                a0_13 += dzf[d_at + U(0 * c_out + 13)] * w13
                                a0_14 += dzf[d_at + U(0 * c_out + 14)] * w14
                                a0_15 += dzf[d_at + U(0 * c_out + 15)] * w15
                                a0_16 += dzf[d_at + U(0 * c_out + 16)] * w16
                                a0_17 += dzf[d_at + U(0 * c_out + 17)] * w17
                                a0_18 += dzf[d_at + U(0 * c_out + 18)] * w18
                                a0_19 += dzf[d_at + U(0 * c_out + 19)] * w19
                                a0_20 += dzf[d_at + U(0 * c_out + 20)] * w20
                                a0_21 += dzf[d_at + U(0 * c_out + 21)] * w21
                                a0_22 += dzf[d_at + U(0 * c_out + 22)] * w22
                                a0_23 += dzf[d_at + U(0 * c_out + 23)] * w23
                                a0_24 += dzf[d_at + U(0 * c_out + 24)] * w24
                                a0_25 += dzf[d_at + U(0 * c_out + 25)] * w25
                                a0_26 += dzf[d_at + U(0 * c_out + 26)] * w26
                                a0_27 += dzf[d_at + U(0 * c_out + 27)] * w27
                                a0_28 += dzf[d_at + U(0 * c_out + 28)] * w28
                                a0_29 += dzf[d_at + U(0 * c_out + 29)] * w29
                                a0_30 += dzf[d_at + U(0 * c_out + 30)] * w30
                                a0_31 += dzf[d_at + U(0 * c_out + 31)] * w31
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7 + a0_8 + a0_9 + a0_10 + a0_11 + a0_12 + a0_13 + a0_14 + a0_15 + a0_16 + a0_17 + a0_18 + a0_19 + a0_20 + a0_21 + a0_22 + a0_23 + a0_24 + a0_25 + a0_26 + a0_27 + a0_28 + a0_29 + a0_30 + a0_31
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                    col0 += 1
    return dx


def narrow_input_gradient_16(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
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
    zero = np.zeros(1, dtype=dx.dtype)[0]  # in the arrays' dtype: `dxf[0] * 0` would be float64
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 4 <= blocks_end:
                    for ci in range(c_in):
                        t0 = zero
                        t1 = zero
                        t2 = zero
                        t3 = zero
                        for jb_ in range(0, c_out, 16):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            a0_8 = zero
                            a0_9 = zero
                            a0_10 = zero
                            a0_11 = zero
                            a0_12 = zero
                            a0_13 = zero
                            a0_14 = zero
                            a0_15 = zero
                            a1_0 = zero
                            a1_1 = zero
                            a1_2 = zero
                            a1_3 = zero
                            a1_4 = zero
                            a1_5 = zero
                            a1_6 = zero
                            a1_7 = zero
                            a1_8 = zero
                            a1_9 = zero
                            a1_10 = zero
                            a1_11 = zero
                            a1_12 = zero
                            a1_13 = zero
                            a1_14 = zero
                            a1_15 = zero
                            a2_0 = zero
                            a2_1 = zero
                            a2_2 = zero
                            a2_3 = zero
                            a2_4 = zero
                            a2_5 = zero
                            a2_6 = zero
                            a2_7 = zero
                            a2_8 = zero
                            a2_9 = zero
                            a2_10 = zero
                            a2_11 = zero
                            a2_12 = zero
                            a2_13 = zero
                            a2_14 = zero
                            a2_15 = zero
                            a3_0 = zero
                            a3_1 = zero
                            a3_2 = zero
                            a3_3 = zero
                            a3_4 = zero
                            a3_5 = zero
                            a3_6 = zero
                            a3_7 = zero
                            a3_8 = zero
                            a3_9 = zero
                            a3_10 = zero
                            a3_11 = zero
                            a3_12 = zero
                            a3_13 = zero
                            a3_14 = zero
                            a3_15 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                w8 = wf[w_at + U(8)]
                                w9 = wf[w_at + U(9)]
                                w10 = wf[w_at + U(10)]
                                w11 = wf[w_at + U(11)]
                                w12 = wf[w_at + U(12)]
                                w13 = wf[w_at + U(13)]
                                w14 = wf[w_at + U(14)]
                                w15 = wf[w_at + U(15)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                                a0_8 += dzf[d_at + U(0 * c_out + 8)] * w8
                                a0_9 += dzf[d_at + U(0 * c_out + 9)] * w9
                                a0_10 += dzf[d_at + U(0 * c_out + 10)] * w10
                                a0_11 += dzf[d_at + U(0 * c_out + 11)] * w11
                                a0_12 += dzf[d_at + U(0 * c_out + 12)] * w12
                                a0_13 += dzf[d_at + U(0 * c_out + 13)] * w13
                                a0_14 += dzf[d_at + U(0 * c_out + 14)] * w14
                                a0_15 += dzf[d_at + U(0 * c_out + 15)] * w15
                                a1_0 += dzf[d_at + U(1 * c_out + 0)] * w0
                                a1_1 += dzf[d_at + U(1 * c_out + 1)] * w1
                                a1_2 += dzf[d_at + U(1 * c_out + 2)] * w2
                                a1_3 += dzf[d_at + U(1 * c_out + 3)] * w3
                                a1_4 += dzf[d_at + U(1 * c_out + 4)] * w4
                                a1_5 += dzf[d_at + U(1 * c_out + 5)] * w5
                                a1_6 += dzf[d_at + U(1 * c_out + 6)] * w6
                                a1_7 += dzf[d_at + U(1 * c_out + 7)] * w7
                                a1_8 += dzf[d_at + U(1 * c_out + 8)] * w8
                                a1_9 += dzf[d_at + U(1 * c_out + 9)] * w9
                                a1_10 += dzf[d_at + U(1 * c_out + 10)] * w10
                                a1_11 += dzf[d_at + U(1 * c_out + 11)] * w11
                                a1_12 += dzf[d_at + U(1 * c_out + 12)] * w12
                                a1_13 += dzf[d_at + U(1 * c_out + 13)] * w13
                                a1_14 += dzf[d_at + U(1 * c_out + 14)] * w14
                                a1_15 += dzf[d_at + U(1 * c_out + 15)] * w15
                                a2_0 += dzf[d_at + U(2 * c_out + 0)] * w0
                                a2_1 += dzf[d_at + U(2 * c_out + 1)] * w1
                                a2_2 += dzf[d_at + U(2 * c_out + 2)] * w2
                                a2_3 += dzf[d_at + U(2 * c_out + 3)] * w3
                                a2_4 += dzf[d_at + U(2 * c_out + 4)] * w4
                                a2_5 += dzf[d_at + U(2 * c_out + 5)] * w5
                                a2_6 += dzf[d_at + U(2 * c_out + 6)] * w6
                                a2_7 += dzf[d_at + U(2 * c_out + 7)] * w7
                                a2_8 += dzf[d_at + U(2 * c_out + 8)] * w8
                                a2_9 += dzf[d_at + U(2 * c_out + 9)] * w9
                                a2_10 += dzf[d_at + U(2 * c_out + 10)] * w10
                                a2_11 += dzf[d_at + U(2 * c_out + 11)] * w11
                                a2_12 += dzf[d_at + U(2 * c_out + 12)] * w12
                                a2_13 += dzf[d_at + U(2 * c_out + 13)] * w13
                                a2_14 += dzf[d_at + U(2 * c_out + 14)] * w14
                                a2_15 += dzf[d_at + U(2 * c_out + 15)] * w15
                                a3_0 += dzf[d_at + U(3 * c_out + 0)] * w0
                                a3_1 += dzf[d_at + U(3 * c_out + 1)] * w1
                                a3_2 += dzf[d_at + U(3 * c_out + 2)] * w2
                                a3_3 += dzf[d_at + U(3 * c_out + 3)] * w3
                                a3_4 += dzf[d_at + U(3 * c_out + 4)] * w4
                                a3_5 += dzf[d_at + U(3 * c_out + 5)] * w5
                                a3_6 += dzf[d_at + U(3 * c_out + 6)] * w6
                                a3_7 += dzf[d_at + U(3 * c_out + 7)] * w7
                                a3_8 += dzf[d_at + U(3 * c_out + 8)] * w8
                                a3_9 += dzf[d_at + U(3 * c_out + 9)] * w9
                                a3_10 += dzf[d_at + U(3 * c_out + 10)] * w10
                                a3_11 += dzf[d_at + U(3 * c_out + 11)] * w11
                                a3_12 += dzf[d_at + U(3 * c_out + 12)] * w12
                                a3_13 += dzf[d_at + U(3 * c_out + 13)] * w13
                                a3_14 += dzf[d_at + U(3 * c_out + 14)] * w14
                                a3_15 += dzf[d_at + U(3 * c_out + 15)] * w15
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7 + a0_8 + a0_9 + a0_10 + a0_11 + a0_12 + a0_13 + a0_14 + a0_15
                            t1 += a1_0 + a1_1 + a1_2 + a1_3 + a1_4 + a1_5 + a1_6 + a1_7 + a1_8 + a1_9 + a1_10 + a1_11 + a1_12 + a1_13 + a1_14 + a1_15
                            t2 += a2_0 + a2_1 + a2_2 + a2_3 + a2_4 + a2_5 + a2_6 + a2_7 + a2_8 + a2_9 + a2_10 + a2_11 + a2_12 + a2_13 + a2_14 + a2_15
                            t3 += a3_0 + a3_1 + a3_2 + a3_3 + a3_4 + a3_5 + a3_6 + a3_7 + a3_8 + a3_9 + a3_10 + a3_11 + a3_12 + a3_13 + a3_14 + a3_15
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                        dxf[dx_at + U(1 * c_in)] = t1
                        dxf[dx_at + U(2 * c_in)] = t2
                        dxf[dx_at + U(3 * c_in)] = t3
                    col0 += 4
                else:
                    for ci in range(c_in):
                        t0 = zero
                        for jb_ in range(0, c_out, 16):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            a0_8 = zero
                            a0_9 = zero
                            a0_10 = zero
                            a0_11 = zero
                            a0_12 = zero
                            a0_13 = zero
                            a0_14 = zero
                            a0_15 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                w8 = wf[w_at + U(8)]
                                w9 = wf[w_at + U(9)]
                                w10 = wf[w_at + U(10)]
                                w11 = wf[w_at + U(11)]
                                w12 = wf[w_at + U(12)]
                                w13 = wf[w_at + U(13)]
                                w14 = wf[w_at + U(14)]
                                w15 = wf[w_at + U(15)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                                a0_8 += dzf[d_at + U(0 * c_out + 8)] * w8
                                a0_9 += dzf[d_at + U(0 * c_out + 9)] * w9
                                a0_10 += dzf[d_at + U(0 * c_out + 10)] * w10
                                a0_11 += dzf[d_at + U(0 * c_out + 11)] * w11
                                a0_12 += dzf[d_at + U(0 * c_out + 12)] * w12
                                a0_13 += dzf[d_at + U(0 * c_out + 13)] * w13
                                a0_14 += dzf[d_at + U(0 * c_out + 14)] * w14
                                a0_15 += dzf[d_at + U(0 * c_out + 15)] * w15
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7 + a0_8 + a0_9 + a0_10 + a0_11 + a0_12 + a0_13 + a0_14 + a0_15
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                    col0 += 1
    return dx


def narrow_input_gradient_8(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
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
    zero = np.zeros(1, dtype=dx.dtype)[0]  # in the arrays' dtype: `dxf[0] * 0` would be float64
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 4 <= blocks_end:
                    for ci in range(c_in):
                        t0 = zero
                        t1 = zero
                        t2 = zero
                        t3 = zero
                        for jb_ in range(0, c_out, 8):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            a1_0 = zero
                            a1_1 = zero
                            a1_2 = zero
                            a1_3 = zero
                            a1_4 = zero
                            a1_5 = zero
                            a1_6 = zero
                            a1_7 = zero
                            a2_0 = zero
                            a2_1 = zero
                            a2_2 = zero
                            a2_3 = zero
                            a2_4 = zero
                            a2_5 = zero
                            a2_6 = zero
                            a2_7 = zero
                            a3_0 = zero
                            a3_1 = zero
                            a3_2 = zero
                            a3_3 = zero
                            a3_4 = zero
                            a3_5 = zero
                            a3_6 = zero
                            a3_7 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                                a1_0 += dzf[d_at + U(1 * c_out + 0)] * w0
                                a1_1 += dzf[d_at + U(1 * c_out + 1)] * w1
                                a1_2 += dzf[d_at + U(1 * c_out + 2)] * w2
                                a1_3 += dzf[d_at + U(1 * c_out + 3)] * w3
                                a1_4 += dzf[d_at + U(1 * c_out + 4)] * w4
                                a1_5 += dzf[d_at + U(1 * c_out + 5)] * w5
                                a1_6 += dzf[d_at + U(1 * c_out + 6)] * w6
                                a1_7 += dzf[d_at + U(1 * c_out + 7)] * w7
                                a2_0 += dzf[d_at + U(2 * c_out + 0)] * w0
                                a2_1 += dzf[d_at + U(2 * c_out + 1)] * w1
                                a2_2 += dzf[d_at + U(2 * c_out + 2)] * w2
                                a2_3 += dzf[d_at + U(2 * c_out + 3)] * w3
                                a2_4 += dzf[d_at + U(2 * c_out + 4)] * w4
                                a2_5 += dzf[d_at + U(2 * c_out + 5)] * w5
                                a2_6 += dzf[d_at + U(2 * c_out + 6)] * w6
                                a2_7 += dzf[d_at + U(2 * c_out + 7)] * w7
                                a3_0 += dzf[d_at + U(3 * c_out + 0)] * w0
                                a3_1 += dzf[d_at + U(3 * c_out + 1)] * w1
                                a3_2 += dzf[d_at + U(3 * c_out + 2)] * w2
                                a3_3 += dzf[d_at + U(3 * c_out + 3)] * w3
                                a3_4 += dzf[d_at + U(3 * c_out + 4)] * w4
                                a3_5 += dzf[d_at + U(3 * c_out + 5)] * w5
                                a3_6 += dzf[d_at + U(3 * c_out + 6)] * w6
                                a3_7 += dzf[d_at + U(3 * c_out + 7)] * w7
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7
                            t1 += a1_0 + a1_1 + a1_2 + a1_3 + a1_4 + a1_5 + a1_6 + a1_7
                            t2 += a2_0 + a2_1 + a2_2 + a2_3 + a2_4 + a2_5 + a2_6 + a2_7
                            t3 += a3_0 + a3_1 + a3_2 + a3_3 + a3_4 + a3_5 + a3_6 + a3_7
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                        dxf[dx_at + U(1 * c_in)] = t1
                        dxf[dx_at + U(2 * c_in)] = t2
                        dxf[dx_at + U(3 * c_in)] = t3
                    col0 += 4
                else:
                    for ci in range(c_in):
                        t0 = zero
                        for jb_ in range(0, c_out, 8):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                    col0 += 1
    return dx


def depthwise_32(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 32. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 2 pixel(s) at a time, with no
    column checks; elsewhere one at a time.
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        for oh in range(out_h):
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 + 2 <= blocks_end:
                    for jb_ in range(0, c, 32):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        a0_16 = b[jb + U(16)]
                        a0_17 = b[jb + U(17)]
                        a0_18 = b[jb + U(18)]
                        a0_19 = b[jb + U(19)]
                        a0_20 = b[jb + U(20)]
                        a0_21 = b[jb + U(21)]
                        a0_22 = b[jb + U(22)]
                        a0_23 = b[jb + U(23)]
                        a0_24 = b[jb + U(24)]
                        a0_25 = b[jb + U(25)]
                        a0_26 = b[jb + U(26)]
                        a0_27 = b[jb + U(27)]
                        a0_28 = b[jb + U(28)]
                        a0_29 = b[jb + U(29)]
                        a0_30 = b[jb + U(30)]
                        a0_31 = b[jb + U(31)]
                        a1_0 = b[jb + U(0)]
                        a1_1 = b[jb + U(1)]
                        a1_2 = b[jb + U(2)]
                        a1_3 = b[jb + U(3)]
                        a1_4 = b[jb + U(4)]
                        a1_5 = b[jb + U(5)]
                        a1_6 = b[jb + U(6)]
                        a1_7 = b[jb + U(7)]
                        a1_8 = b[jb + U(8)]
                        a1_9 = b[jb + U(9)]
                        a1_10 = b[jb + U(10)]
                        a1_11 = b[jb + U(11)]
                        a1_12 = b[jb + U(12)]
                        a1_13 = b[jb + U(13)]
                        a1_14 = b[jb + U(14)]
                        a1_15 = b[jb + U(15)]
                        a1_16 = b[jb + U(16)]
                        a1_17 = b[jb + U(17)]
                        a1_18 = b[jb + U(18)]
                        a1_19 = b[jb + U(19)]
                        a1_20 = b[jb + U(20)]
                        a1_21 = b[jb + U(21)]
                        a1_22 = b[jb + U(22)]
                        a1_23 = b[jb + U(23)]
                        a1_24 = b[jb + U(24)]
                        a1_25 = b[jb + U(25)]
                        a1_26 = b[jb + U(26)]
                        a1_27 = b[jb + U(27)]
                        a1_28 = b[jb + U(28)]
                        a1_29 = b[jb + U(29)]
                        a1_30 = b[jb + U(30)]
                        a1_31 = b[jb + U(31)]
                        for k in range(n_taps):
                            yk, xk = oh - top + dy_k[k], ow0 - left + dx_k[k]
                            if yk < 0 or yk >= height:
                                continue  # zero padding adds nothing
                            x_at = U(((n * height + yk) * width + xk) * c) + jb
                            w_at = U(k * c) + jb
                            w0 = wf[w_at + U(0)]
                            w1 = wf[w_at + U(1)]
                            w2 = wf[w_at + U(2)]
                            w3 = wf[w_at + U(3)]
                            w4 = wf[w_at + U(4)]
                            w5 = wf[w_at + U(5)]
                            w6 = wf[w_at + U(6)]
                            w7 = wf[w_at + U(7)]
                            w8 = wf[w_at + U(8)]
                            w9 = wf[w_at + U(9)]
                            w10 = wf[w_at + U(10)]
                            w11 = wf[w_at + U(11)]
                            w12 = wf[w_at + U(12)]
                            w13 = wf[w_at + U(13)]
                            w14 = wf[w_at + U(14)]
                            w15 = wf[w_at + U(15)]
                            w16 = wf[w_at + U(16)]
                            w17 = wf[w_at + U(17)]
                            w18 = wf[w_at + U(18)]
                            w19 = wf[w_at + U(19)]
                            w20 = wf[w_at + U(20)]
                            w21 = wf[w_at + U(21)]
                            w22 = wf[w_at + U(22)]
                            w23 = wf[w_at + U(23)]
                            w24 = wf[w_at + U(24)]
                            w25 = wf[w_at + U(25)]
                            w26 = wf[w_at + U(26)]
                            w27 = wf[w_at + U(27)]
                            w28 = wf[w_at + U(28)]
                            w29 = wf[w_at + U(29)]
                            w30 = wf[w_at + U(30)]
                            w31 = wf[w_at + U(31)]
                            a0_0 += xf[x_at + U(0 * c + 0)] * w0
                            a0_1 += xf[x_at + U(0 * c + 1)] * w1
                            a0_2 += xf[x_at + U(0 * c + 2)] * w2
                            a0_3 += xf[x_at + U(0 * c + 3)] * w3
                            a0_4 += xf[x_at + U(0 * c + 4)] * w4
                            a0_5 += xf[x_at + U(0 * c + 5)] * w5
                            a0_6 += xf[x_at + U(0 * c + 6)] * w6
                            a0_7 += xf[x_at + U(0 * c + 7)] * w7
                            a0_8 += xf[x_at + U(0 * c + 8)] * w8
                            a0_9 += xf[x_at + U(0 * c + 9)] * w9
                            a0_10 += xf[x_at + U(0 * c + 10)] * w10
                            a0_11 += xf[x_at + U(0 * c + 11)] * w11
                            a0_12 += xf[x_at + U(0 * c + 12)] * w12
                            a0_13 += xf[x_at + U(0 * c + 13)] * w13
                            a0_14 += xf[x_at + U(0 * c + 14)] * w14
                            a0_15 += xf[x_at + U(0 * c + 15)] * w15
                            a0_16 += xf[x_at + U(0 * c + 16)] * w16
                            a0_17 += xf[x_at + U(0 * c + 17)] * w17
                            a0_18 += xf[x_at + U(0 * c + 18)] * w18
                            a0_19 += xf[x_at + U(0 * c + 19)] * w19
                            a0_20 += xf[x_at + U(0 * c + 20)] * w20
                            a0_21 += xf[x_at + U(0 * c + 21)] * w21
                            a0_22 += xf[x_at + U(0 * c + 22)] * w22
                            a0_23 += xf[x_at + U(0 * c + 23)] * w23
                            a0_24 += xf[x_at + U(0 * c + 24)] * w24
                            a0_25 += xf[x_at + U(0 * c + 25)] * w25
                            a0_26 += xf[x_at + U(0 * c + 26)] * w26
                            a0_27 += xf[x_at + U(0 * c + 27)] * w27
                            a0_28 += xf[x_at + U(0 * c + 28)] * w28
                            a0_29 += xf[x_at + U(0 * c + 29)] * w29
                            a0_30 += xf[x_at + U(0 * c + 30)] * w30
                            a0_31 += xf[x_at + U(0 * c + 31)] * w31
                            a1_0 += xf[x_at + U(1 * c + 0)] * w0
                            a1_1 += xf[x_at + U(1 * c + 1)] * w1
                            a1_2 += xf[x_at + U(1 * c + 2)] * w2
                            a1_3 += xf[x_at + U(1 * c + 3)] * w3
                            a1_4 += xf[x_at + U(1 * c + 4)] * w4
                            a1_5 += xf[x_at + U(1 * c + 5)] * w5
                            a1_6 += xf[x_at + U(1 * c + 6)] * w6
                            a1_7 += xf[x_at + U(1 * c + 7)] * w7
                            a1_8 += xf[x_at + U(1 * c + 8)] * w8
                            a1_9 += xf[x_at + U(1 * c + 9)] * w9
                            a1_10 += xf[x_at + U(1 * c + 10)] * w10
                            a1_11 += xf[x_at + U(1 * c + 11)] * w11
                            a1_12 += xf[x_at + U(1 * c + 12)] * w12
                            a1_13 += xf[x_at + U(1 * c + 13)] * w13
                            a1_14 += xf[x_at + U(1 * c + 14)] * w14
                            a1_15 += xf[x_at + U(1 * c + 15)] * w15
                            a1_16 += xf[x_at + U(1 * c + 16)] * w16
                            a1_17 += xf[x_at + U(1 * c + 17)] * w17
                            a1_18 += xf[x_at + U(1 * c + 18)] * w18
                            a1_19 += xf[x_at + U(1 * c + 19)] * w19
                            a1_20 += xf[x_at + U(1 * c + 20)] * w20
                            a1_21 += xf[x_at + U(1 * c + 21)] * w21
                            a1_22 += xf[x_at + U(1 * c + 22)] * w22
                            a1_23 += xf[x_at + U(1 * c + 23)] * w23
                            a1_24 += xf[x_at + U(1 * c + 24)] * w24
                            a1_25 += xf[x_at + U(1 * c + 25)] * w25
                            a1_26 += xf[x_at + U(1 * c + 26)] * w26
                            a1_27 += xf[x_at + U(1 * c + 27)] * w27
                            a1_28 += xf[x_at + U(1 * c + 28)] * w28
                            a1_29 += xf[x_at + U(1 * c + 29)] * w29
                            a1_30 += xf[x_at + U(1 * c + 30)] * w30
                            a1_31 += xf[x_at + U(1 * c + 31)] * w31
                        z_at = U(((n * out_h + oh) * out_w + ow0) * c) + jb
                        zf[z_at + U(0 * c + 0)] = a0_0
                        zf[z_at + U(0 * c + 1)] = a0_1
                        zf[z_at + U(0 * c + 2)] = a0_2
                        zf[z_at + U(0 * c + 3)] = a0_3
                        zf[z_at + U(0 * c + 4)] = a0_4
                        zf[z_at + U(0 * c + 5)] = a0_5
                        zf[z_at + U(0 * c + 6)] = a0_6
                        zf[z_at + U(0 * c + 7)] = a0_7
                        zf[z_at + U(0 * c + 8)] = a0_8
                        zf[z_at + U(0 * c + 9)] = a0_9
                        zf[z_at + U(0 * c + 10)] = a0_10
                        zf[z_at + U(0 * c + 11)] = a0_11
                        zf[z_at + U(0 * c + 12)] = a0_12
                        zf[z_at + U(0 * c + 13)] = a0_13
                        zf[z_at + U(0 * c + 14)] = a0_14
                        zf[z_at + U(0 * c + 15)] = a0_15
                        zf[z_at + U(0 * c + 16)] = a0_16
                        zf[z_at + U(0 * c + 17)] = a0_17
                        zf[z_at + U(0 * c + 18)] = a0_18
                        zf[z_at + U(0 * c + 19)] = a0_19
                        zf[z_at + U(0 * c + 20)] = a0_20
                        zf[z_at + U(0 * c + 21)] = a0_21
                        zf[z_at + U(0 * c + 22)] = a0_22
                        zf[z_at + U(0 * c + 23)] = a0_23
                        zf[z_at + U(0 * c + 24)] = a0_24
                        zf[z_at + U(0 * c + 25)] = a0_25
                        zf[z_at + U(0 * c + 26)] = a0_26
                        zf[z_at + U(0 * c + 27)] = a0_27
                        zf[z_at + U(0 * c + 28)] = a0_28
                        zf[z_at + U(0 * c + 29)] = a0_29
                        zf[z_at + U(0 * c + 30)] = a0_30
                        zf[z_at + U(0 * c + 31)] = a0_31
                        zf[z_at + U(1 * c + 0)] = a1_0
                        zf[z_at + U(1 * c + 1)] = a1_1
                        zf[z_at + U(1 * c + 2)] = a1_2
                        zf[z_at + U(1 * c + 3)] = a1_3
                        zf[z_at + U(1 * c + 4)] = a1_4
                        zf[z_at + U(1 * c + 5)] = a1_5
                        zf[z_at + U(1 * c + 6)] = a1_6
                        zf[z_at + U(1 * c + 7)] = a1_7
                        zf[z_at + U(1 * c + 8)] = a1_8
                        zf[z_at + U(1 * c + 9)] = a1_9
                        zf[z_at + U(1 * c + 10)] = a1_10
                        zf[z_at + U(1 * c + 11)] = a1_11
                        zf[z_at + U(1 * c + 12)] = a1_12
                        zf[z_at + U(1 * c + 13)] = a1_13
                        zf[z_at + U(1 * c + 14)] = a1_14
                        zf[z_at + U(1 * c + 15)] = a1_15
                        zf[z_at + U(1 * c + 16)] = a1_16
                        zf[z_at + U(1 * c + 17)] = a1_17
                        zf[z_at + U(1 * c + 18)] = a1_18
                        zf[z_at + U(1 * c + 19)] = a1_19
                        zf[z_at + U(1 * c + 20)] = a1_20
                        zf[z_at + U(1 * c + 21)] = a1_21
                        zf[z_at + U(1 * c + 22)] = a1_22
                        zf[z_at + U(1 * c + 23)] = a1_23
                        zf[z_at + U(1 * c + 24)] = a1_24
                        zf[z_at + U(1 * c + 25)] = a1_25
                        zf[z_at + U(1 * c + 26)] = a1_26
                        zf[z_at + U(1 * c + 27)] = a1_27
                        zf[z_at + U(1 * c + 28)] = a1_28
                        zf[z_at + U(1 * c + 29)] = a1_29
                        zf[z_at + U(1 * c + 30)] = a1_30
                        zf[z_at + U(1 * c + 31)] = a1_31
                    ow0 += 2
                else:
                    for jb_ in range(0, c, 32):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        a0_16 = b[jb + U(16)]
                        a0_17 = b[jb + U(17)]
                        a0_18 = b[jb + U(18)]
                        a0_19 = b[jb + U(19)]
                        a0_20 = b[jb + U(20)]
                        a0_21 = b[jb + U(21)]
                        a0_22 = b[jb + U(22)]
                        a0_23 = b[jb + U(23)]
                        a0_24 = b[jb + U(24)]
                        a0_25 = b[jb + U(25)]
                        a0_26 = b[jb + U(26)]
                        a0_27 = b[jb + U(27)]
                        a0_28 = b[jb + U(28)]
                        a0_29 = b[jb + U(29)]
                        a0_30 = b[jb + U(30)]
                        a0_31 = b[jb + U(31)]
                        for k in range(n_taps):
                            yk, xk = oh - top + dy_k[k], ow0 - left + dx_k[k]
                            if yk < 0 or yk >= height or xk < 0 or xk >= width:
                                continue  # zero padding adds nothing
                            x_at = U(((n * height + yk) * width + xk) * c) + jb
                            w_at = U(k * c) + jb
                            w0 = wf[w_at + U(0)]
                            w1 = wf[w_at + U(1)]
                            w2 = wf[w_at + U(2)]
                            w3 = wf[w_at + U(3)]
                            w4 = wf[w_at + U(4)]
                            w5 = wf[w_at + U(5)]
                            w6 = wf[w_at + U(6)]
                            w7 = wf[w_at + U(7)]
                            w8 = wf[w_at + U(8)]
                            w9 = wf[w_at + U(9)]
                            w10 = wf[w_at + U(10)]
                            w11 = wf[w_at + U(11)]
                            w12 = wf[w_at + U(12)]
                            w13 = wf[w_at + U(13)]
                            w14 = wf[w_at + U(14)]
                            w15 = wf[w_at + U(15)]
                            w16 = wf[w_at + U(16)]
                            w17 = wf[w_at + U(17)]
                            w18 = wf[w_at + U(18)]
                            w19 = wf[w_at + U(19)]
                            w20 = wf[w_at + U(20)]
                            w21 = wf[w_at + U(21)]
                            w22 = wf[w_at + U(22)]
                            w23 = wf[w_at + U(23)]
                            w24 = wf[w_at + U(24)]
                            w25 = wf[w_at + U(25)]
                            w26 = wf[w_at + U(26)]
                            w27 = wf[w_at + U(27)]
                            w28 = wf[w_at + U(28)]
                            w29 = wf[w_at + U(29)]
                            w30 = wf[w_at + U(30)]
                            w31 = wf[w_at + U(31)]
                            a0_0 += xf[x_at + U(0 * c + 0)] * w0
                            a0_1 += xf[x_at + U(0 * c + 1)] * w1
                            a0_2 += xf[x_at + U(0 * c + 2)] * w2
                            a0_3 += xf[x_at + U(0 * c + 3)] * w3
                            a0_4 += xf[x_at + U(0 * c + 4)] * w4
                            a0_5 += xf[x_at + U(0 * c + 5)] * w5
                            a0_6 += xf[x_at + U(0 * c + 6)] * w6
                            a0_7 += xf[x_at + U(0 * c + 7)] * w7
                            a0_8 += xf[x_at + U(0 * c + 8)] * w8
                            a0_9 += xf[x_at + U(0 * c + 9)] * w9
                            a0_10 += xf[x_at + U(0 * c + 10)] * w10
                            a0_11 += xf[x_at + U(0 * c + 11)] * w11
                            a0_12 += xf[x_at + U(0 * c + 12)] * w12
                            a0_13 += xf[x_at + U(0 * c + 13)] * w13
                            a0_14 += xf[x_at + U(0 * c + 14)] * w14
                            a0_15 += xf[x_at + U(0 * c + 15)] * w15
                            a0_16 += xf[x_at + U(0 * c + 16)] * w16
                            a0_17 += xf[x_at + U(0 * c + 17)] * w17
                            a0_18 += xf[x_at + U(0 * c + 18)] * w18
                            a0_19 += xf[x_at + U(0 * c + 19)] * w19
                            a0_20 += xf[x_at + U(0 * c + 20)] * w20
                            a0_21 += xf[x_at + U(0 * c + 21)] * w21
                            a0_22 += xf[x_at + U(0 * c + 22)] * w22
                            a0_23 += xf[x_at + U(0 * c + 23)] * w23
                            a0_24 += xf[x_at + U(0 * c + 24)] * w24
                            a0_25 += xf[x_at + U(0 * c + 25)] * w25
                            a0_26 += xf[x_at + U(0 * c + 26)] * w26
                            a0_27 += xf[x_at + U(0 * c + 27)] * w27
                            a0_28 += xf[x_at + U(0 * c + 28)] * w28
                            a0_29 += xf[x_at + U(0 * c + 29)] * w29
                            a0_30 += xf[x_at + U(0 * c + 30)] * w30
                            a0_31 += xf[x_at + U(0 * c + 31)] * w31
                        z_at = U(((n * out_h + oh) * out_w + ow0) * c) + jb
                        zf[z_at + U(0 * c + 0)] = a0_0
                        zf[z_at + U(0 * c + 1)] = a0_1
                        zf[z_at + U(0 * c + 2)] = a0_2
                        zf[z_at + U(0 * c + 3)] = a0_3
                        zf[z_at + U(0 * c + 4)] = a0_4
                        zf[z_at + U(0 * c + 5)] = a0_5
                        zf[z_at + U(0 * c + 6)] = a0_6
                        zf[z_at + U(0 * c + 7)] = a0_7
                        zf[z_at + U(0 * c + 8)] = a0_8
                        zf[z_at + U(0 * c + 9)] = a0_9
                        zf[z_at + U(0 * c + 10)] = a0_10
                        zf[z_at + U(0 * c + 11)] = a0_11
                        zf[z_at + U(0 * c + 12)] = a0_12
                        zf[z_at + U(0 * c + 13)] = a0_13
                        zf[z_at + U(0 * c + 14)] = a0_14
                        zf[z_at + U(0 * c + 15)] = a0_15
                        zf[z_at + U(0 * c + 16)] = a0_16
                        zf[z_at + U(0 * c + 17)] = a0_17
                        zf[z_at + U(0 * c + 18)] = a0_18
                        zf[z_at + U(0 * c + 19)] = a0_19
                        zf[z_at + U(0 * c + 20)] = a0_20
                        zf[z_at + U(0 * c + 21)] = a0_21
                        zf[z_at + U(0 * c + 22)] = a0_22
                        zf[z_at + U(0 * c + 23)] = a0_23
                        zf[z_at + U(0 * c + 24)] = a0_24
                        zf[z_at + U(0 * c + 25)] = a0_25
                        zf[z_at + U(0 * c + 26)] = a0_26
                        zf[z_at + U(0 * c + 27)] = a0_27
                        zf[z_at + U(0 * c + 28)] = a0_28
                        zf[z_at + U(0 * c + 29)] = a0_29
                        zf[z_at + U(0 * c + 30)] = a0_30
                        zf[z_at + U(0 * c + 31)] = a0_31
                    ow0 += 1
    return z


def depthwise_16(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 16. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 3 pixel(s) at a time, with no
    column checks; elsewhere one at a time.
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        for oh in range(out_h):
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 + 3 <= blocks_end:
                    for jb_ in range(0, c, 16):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        a1_0 = b[jb + U(0)]
                        a1_1 = b[jb + U(1)]
                        a1_2 = b[jb + U(2)]
                        a1_3 = b[jb + U(3)]
                        a1_4 = b[jb + U(4)]
                        a1_5 = b[jb + U(5)]
                        a1_6 = b[jb + U(6)]
                        a1_7 = b[jb + U(7)]
                        a1_8 = b[jb + U(8)]
                        a1_9 = b[jb + U(9)]
                        a1_10 = b[jb + U(10)]
                        a1_11 = b[jb + U(11)]
                        a1_12 = b[jb + U(12)]
                        a1_13 = b[jb + U(13)]
                        a1_14 = b[jb + U(14)]
                        a1_15 = b[jb + U(15)]
                        a2_0 = b[jb + U(0)]
                        a2_1 = b[jb + U(1)]
                        a2_2 = b[jb + U(2)]
                        a2_3 = b[jb + U(3)]
                        a2_4 = b[jb + U(4)]
                        a2_5 = b[jb + U(5)]
                        a2_6 = b[jb + U(6)]
                        a2_7 = b[jb + U(7)]
                        a2_8 = b[jb + U(8)]
                        a2_9 = b[jb + U(9)]
                        a2_10 = b[jb + U(10)]
                        a2_11 = b[jb + U(11)]
                        a2_12 = b[jb + U(12)]
                        a2_13 = b[jb + U(13)]
                        a2_14 = b[jb + U(14)]
                        a2_15 = b[jb + U(15)]
                        for k in range(n_taps):
                            yk, xk = oh - top + dy_k[k], ow0 - left + dx_k[k]
                            if yk < 0 or yk >= height:
                                continue  # zero padding adds nothing
                            x_at = U(((n * height + yk) * width + xk) * c) + jb
                            w_at = U(k * c) + jb
                            w0 = wf[w_at + U(0)]
                            w1 = wf[w_at + U(1)]
                            w2 = wf[w_at + U(2)]
                            w3 = wf[w_at + U(3)]
                            w4 = wf[w_at + U(4)]
                            w5 = wf[w_at + U(5)]
                            w6 = wf[w_at + U(6)]
                            w7 = wf[w_at + U(7)]
                            w8 = wf[w_at + U(8)]
                            w9 = wf[w_at + U(9)]
                            w10 = wf[w_at + U(10)]
                            w11 = wf[w_at + U(11)]
                            w12 = wf[w_at + U(12)]
                            w13 = wf[w_at + U(13)]
                            w14 = wf[w_at + U(14)]
                            w15 = wf[w_at + U(15)]
                            a0_0 += xf[x_at + U(0 * c + 0)] * w0
                            a0_1 += xf[x_at + U(0 * c + 1)] * w1
                            a0_2 += xf[x_at + U(0 * c + 2)] * w2
                            a0_3 += xf[x_at + U(0 * c + 3)] * w3
                            a0_4 += xf[x_at + U(0 * c + 4)] * w4
                            a0_5 += xf[x_at + U(0 * c + 5)] * w5
                            a0_6 += xf[x_at + U(0 * c + 6)] * w6
                            a0_7 += xf[x_at + U(0 * c + 7)] * w7
                            a0_8 += xf[x_at + U(0 * c + 8)] * w8
                            a0_9 += xf[x_at + U(0 * c + 9)] * w9
                            a0_10 += xf[x_at + U(0 * c + 10)] * w10
                            a0_11 += xf[x_at + U(0 * c + 11)] * w11
                            a0_12 += xf[x_at + U(0 * c + 12)] * w12
                            a0_13 += xf[x_at + U(0 * c + 13)] * w13
                            a0_14 += xf[x_at + U(0 * c + 14)] * w14
                            a0_15 += xf[x_at + U(0 * c + 15)] * w15
                            a1_0 += xf[x_at + U(1 * c + 0)] * w0
                            a1_1 += xf[x_at + U(1 * c + 1)] * w1
                            a1_2 += xf[x_at + U(1 * c + 2)] * w2
                            a1_3 += xf[x_at + U(1 * c + 3)] * w3
                            a1_4 += xf[x_at + U(1 * c + 4)] * w4
                            a1_5 += xf[x_at + U(1 * c + 5)] * w5
                            a1_6 += xf[x_at + U(1 * c + 6)] * w6
                            a1_7 += xf[x_at + U(1 * c + 7)] * w7
                            a1_8 += xf[x_at + U(1 * c + 8)] * w8
                            a1_9 += xf[x_at + U(1 * c + 9)] * w9
                            a1_10 += xf[x_at + U(1 * c + 10)] * w10
                            a1_11 += xf[x_at + U(1 * c + 11)] * w11
                            a1_12 += xf[x_at + U(1 * c + 12)] * w12
                            a1_13 += xf[x_at + U(1 * c + 13)] * w13
                            a1_14 += xf[x_at + U(1 * c + 14)] * w14
                            a1_15 += xf[x_at + U(1 * c + 15)] * w15
                            a2_0 += xf[x_at + U(2 * c + 0)] * w0
                            a2_1 += xf[x_at + U(2 * c + 1)] * w1
                            a2_2 += xf[x_at + U(2 * c + 2)] * w2
                            a2_3 += xf[x_at + U(2 * c + 3)] * w3
                            a2_4 += xf[x_at + U(2 * c + 4)] * w4
                            a2_5 += xf[x_at + U(2 * c + 5)] * w5
                            a2_6 += xf[x_at + U(2 * c + 6)] * w6
                            a2_7 += xf[x_at + U(2 * c + 7)] * w7
                            a2_8 += xf[x_at + U(2 * c + 8)] * w8
                            a2_9 += xf[x_at + U(2 * c + 9)] * w9
                            a2_10 += xf[x_at + U(2 * c + 10)] * w10
                            a2_11 += xf[x_at + U(2 * c + 11)] * w11
                            a2_12 += xf[x_at + U(2 * c + 12)] * w12
                            a2_13 += xf[x_at + U(2 * c + 13)] * w13
                            a2_14 += xf[x_at + U(2 * c + 14)] * w14
                            a2_15 += xf[x_at + U(2 * c + 15)] * w15
                        z_at = U(((n * out_h + oh) * out_w + ow0) * c) + jb
                        zf[z_at + U(0 * c + 0)] = a0_0
                        zf[z_at + U(0 * c + 1)] = a0_1
                        zf[z_at + U(0 * c + 2)] = a0_2
                        zf[z_at + U(0 * c + 3)] = a0_3
                        zf[z_at + U(0 * c + 4)] = a0_4
                        zf[z_at + U(0 * c + 5)] = a0_5
                        zf[z_at + U(0 * c + 6)] = a0_6
                        zf[z_at + U(0 * c + 7)] = a0_7
                        zf[z_at + U(0 * c + 8)] = a0_8
                        zf[z_at + U(0 * c + 9)] = a0_9
                        zf[z_at + U(0 * c + 10)] = a0_10
                        zf[z_at + U(0 * c + 11)] = a0_11
                        zf[z_at + U(0 * c + 12)] = a0_12
                        zf[z_at + U(0 * c + 13)] = a0_13
                        zf[z_at + U(0 * c + 14)] = a0_14
                        zf[z_at + U(0 * c + 15)] = a0_15
                        zf[z_at + U(1 * c + 0)] = a1_0
                        zf[z_at + U(1 * c + 1)] = a1_1
                        zf[z_at + U(1 * c + 2)] = a1_2
                        zf[z_at + U(1 * c + 3)] = a1_3
                        zf[z_at + U(1 * c + 4)] = a1_4
                        zf[z_at + U(1 * c + 5)] = a1_5
                        zf[z_at + U(1 * c + 6)] = a1_6
                        zf[z_at + U(1 * c + 7)] = a1_7
                        zf[z_at + U(1 * c + 8)] = a1_8
                        zf[z_at + U(1 * c + 9)] = a1_9
                        zf[z_at + U(1 * c + 10)] = a1_10
                        zf[z_at + U(1 * c + 11)] = a1_11
                        zf[z_at + U(1 * c + 12)] = a1_12
                        zf[z_at + U(1 * c + 13)] = a1_13
                        zf[z_at + U(1 * c + 14)] = a1_14
                        zf[z_at + U(1 * c + 15)] = a1_15
                        zf[z_at + U(2 * c + 0)] = a2_0
                        zf[z_at + U(2 * c + 1)] = a2_1
                        zf[z_at + U(2 * c + 2)] = a2_2
                        zf[z_at + U(2 * c + 3)] = a2_3
                        zf[z_at + U(2 * c + 4)] = a2_4
                        zf[z_at + U(2 * c + 5)] = a2_5
                        zf[z_at + U(2 * c + 6)] = a2_6
                        zf[z_at + U(2 * c + 7)] = a2_7
                        zf[z_at + U(2 * c + 8)] = a2_8
                        zf[z_at + U(2 * c + 9)] = a2_9
                        zf[z_at + U(2 * c + 10)] = a2_10
                        zf[z_at + U(2 * c + 11)] = a2_11
                        zf[z_at + U(2 * c + 12)] = a2_12
                        zf[z_at + U(2 * c + 13)] = a2_13
                        zf[z_at + U(2 * c + 14)] = a2_14
                        zf[z_at + U(2 * c + 15)] = a2_15
                    ow0 += 3
                else:
                    for jb_ in range(0, c, 16):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        for k in range(n_taps):
                            yk, xk = oh - top + dy_k[k], ow0 - left + dx_k[k]
                            if yk < 0 or yk >= height or xk < 0 or xk >= width:
                                continue  # zero padding adds nothing
                            x_at = U(((n * height + yk) * width + xk) * c) + jb
                            w_at = U(k * c) + jb
                            w0 = wf[w_at + U(0)]
                            w1 = wf[w_at + U(1)]
                            w2 = wf[w_at + U(2)]
                            w3 = wf[w_at + U(3)]
                            w4 = wf[w_at + U(4)]
                            w5 = wf[w_at + U(5)]
                            w6 = wf[w_at + U(6)]
                            w7 = wf[w_at + U(7)]
                            w8 = wf[w_at + U(8)]
                            w9 = wf[w_at + U(9)]
                            w10 = wf[w_at + U(10)]
                            w11 = wf[w_at + U(11)]
                            w12 = wf[w_at + U(12)]
                            w13 = wf[w_at + U(13)]
                            w14 = wf[w_at + U(14)]
                            w15 = wf[w_at + U(15)]
                            a0_0 += xf[x_at + U(0 * c + 0)] * w0
                            a0_1 += xf[x_at + U(0 * c + 1)] * w1
                            a0_2 += xf[x_at + U(0 * c + 2)] * w2
                            a0_3 += xf[x_at + U(0 * c + 3)] * w3
                            a0_4 += xf[x_at + U(0 * c + 4)] * w4
                            a0_5 += xf[x_at + U(0 * c + 5)] * w5
                            a0_6 += xf[x_at + U(0 * c + 6)] * w6
                            a0_7 += xf[x_at + U(0 * c + 7)] * w7
                            a0_8 += xf[x_at + U(0 * c + 8)] * w8
                            a0_9 += xf[x_at + U(0 * c + 9)] * w9
                            a0_10 += xf[x_at + U(0 * c + 10)] * w10
                            a0_11 += xf[x_at + U(0 * c + 11)] * w11
                            a0_12 += xf[x_at + U(0 * c + 12)] * w12
                            a0_13 += xf[x_at + U(0 * c + 13)] * w13
                            a0_14 += xf[x_at + U(0 * c + 14)] * w14
                            a0_15 += xf[x_at + U(0 * c + 15)] * w15
                        z_at = U(((n * out_h + oh) * out_w + ow0) * c) + jb
                        zf[z_at + U(0 * c + 0)] = a0_0
                        zf[z_at + U(0 * c + 1)] = a0_1
                        zf[z_at + U(0 * c + 2)] = a0_2
                        zf[z_at + U(0 * c + 3)] = a0_3
                        zf[z_at + U(0 * c + 4)] = a0_4
                        zf[z_at + U(0 * c + 5)] = a0_5
                        zf[z_at + U(0 * c + 6)] = a0_6
                        zf[z_at + U(0 * c + 7)] = a0_7
                        zf[z_at + U(0 * c + 8)] = a0_8
                        zf[z_at + U(0 * c + 9)] = a0_9
                        zf[z_at + U(0 * c + 10)] = a0_10
                        zf[z_at + U(0 * c + 11)] = a0_11
                        zf[z_at + U(0 * c + 12)] = a0_12
                        zf[z_at + U(0 * c + 13)] = a0_13
                        zf[z_at + U(0 * c + 14)] = a0_14
                        zf[z_at + U(0 * c + 15)] = a0_15
                    ow0 += 1
    return z


def depthwise_8(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 8. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 1 pixel(s) at a time, with no
    column checks; elsewhere one at a time.
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        for oh in range(out_h):
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 + 1 <= blocks_end:
                    for jb_ in range(0, c, 8):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        for k in range(n_taps):
                            yk, xk = oh - top + dy_k[k], ow0 - left + dx_k[k]
                            if yk < 0 or yk >= height:
                                continue  # zero padding adds nothing
                            x_at = U(((n * height + yk) * width + xk) * c) + jb
                            w_at = U(k * c) + jb
                            w0 = wf[w_at + U(0)]
                            w1 = wf[w_at + U(1)]
                            w2 = wf[w_at + U(2)]
                            w3 = wf[w_at + U(3)]
                            w4 = wf[w_at + U(4)]
                            w5 = wf[w_at + U(5)]
                            w6 = wf[w_at + U(6)]
                            w7 = wf[w_at + U(7)]
                            a0_0 += xf[x_at + U(0 * c + 0)] * w0
                            a0_1 += xf[x_at + U(0 * c + 1)] * w1
                            a0_2 += xf[x_at + U(0 * c + 2)] * w2
                            a0_3 += xf[x_at + U(0 * c + 3)] * w3
                            a0_4 += xf[x_at + U(0 * c + 4)] * w4
                            a0_5 += xf[x_at + U(0 * c + 5)] * w5
                            a0_6 += xf[x_at + U(0 * c + 6)] * w6
                            a0_7 += xf[x_at + U(0 * c + 7)] * w7
                        z_at = U(((n * out_h + oh) * out_w + ow0) * c) + jb
                        zf[z_at + U(0 * c + 0)] = a0_0
                        zf[z_at + U(0 * c + 1)] = a0_1
                        zf[z_at + U(0 * c + 2)] = a0_2
                        zf[z_at + U(0 * c + 3)] = a0_3
                        zf[z_at + U(0 * c + 4)] = a0_4
                        zf[z_at + U(0 * c + 5)] = a0_5
                        zf[z_at + U(0 * c + 6)] = a0_6
                        zf[z_at + U(0 * c + 7)] = a0_7
                    ow0 += 1
                else:
                    for jb_ in range(0, c, 8):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        for k in range(n_taps):
                            yk, xk = oh - top + dy_k[k], ow0 - left + dx_k[k]
                            if yk < 0 or yk >= height or xk < 0 or xk >= width:
                                continue  # zero padding adds nothing
                            x_at = U(((n * height + yk) * width + xk) * c) + jb
                            w_at = U(k * c) + jb
                            w0 = wf[w_at + U(0)]
                            w1 = wf[w_at + U(1)]
                            w2 = wf[w_at + U(2)]
                            w3 = wf[w_at + U(3)]
                            w4 = wf[w_at + U(4)]
                            w5 = wf[w_at + U(5)]
                            w6 = wf[w_at + U(6)]
                            w7 = wf[w_at + U(7)]
                            a0_0 += xf[x_at + U(0 * c + 0)] * w0
                            a0_1 += xf[x_at + U(0 * c + 1)] * w1
                            a0_2 += xf[x_at + U(0 * c + 2)] * w2
                            a0_3 += xf[x_at + U(0 * c + 3)] * w3
                            a0_4 += xf[x_at + U(0 * c + 4)] * w4
                            a0_5 += xf[x_at + U(0 * c + 5)] * w5
                            a0_6 += xf[x_at + U(0 * c + 6)] * w6
                            a0_7 += xf[x_at + U(0 * c + 7)] * w7
                        z_at = U(((n * out_h + oh) * out_w + ow0) * c) + jb
                        zf[z_at + U(0 * c + 0)] = a0_0
                        zf[z_at + U(0 * c + 1)] = a0_1
                        zf[z_at + U(0 * c + 2)] = a0_2
                        zf[z_at + U(0 * c + 3)] = a0_3
                        zf[z_at + U(0 * c + 4)] = a0_4
                        zf[z_at + U(0 * c + 5)] = a0_5
                        zf[z_at + U(0 * c + 6)] = a0_6
                        zf[z_at + U(0 * c + 7)] = a0_7
                    ow0 += 1
    return z


def depthwise_weight_gradient_32(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):
    """Add to ``dw (taps, G)`` and ``db (G,)`` the gradients of :func:`depthwise_<lanes>` for these samples.

    ``G`` is a multiple of 32. Each sample's share is summed in ``part`` and ``part_b``
    from the sums of its output rows first.
    """
    m, out_h, out_w, c = dz.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c)
                for j in range(c):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk = oh - top + dy_k[k]
                if yk < 0 or yk >= height:
                    continue
                for jb_ in range(0, c, 32):
                    jb = U(jb_)
                    p_at = U(k * c) + jb
                    a0 = zero
                    a1 = zero
                    a2 = zero
                    a3 = zero
                    a4 = zero
                    a5 = zero
                    a6 = zero
                    a7 = zero
                    a8 = zero
                    a9 = zero
                    a10 = zero
                    a11 = zero
                    a12 = zero
                    a13 = zero
                    a14 = zero
                    a15 = zero
                    a16 = zero
                    a17 = zero
                    a18 = zero
                    a19 = zero
                    a20 = zero
                    a21 = zero
                    a22 = zero
                    a23 = zero
                    a24 = zero
                    a25 = zero
                    a26 = zero
                    a27 = zero
                    a28 = zero
                    a29 = zero
                    a30 = zero
                    a31 = zero
                    for ow in range(out_w):
                        xk = ow - left + dx_k[k]
                        if xk < 0 or xk >= width:
                            continue
                        x_at = U(((n * height + yk) * width + xk) * c) + jb
                        d_at = U(((n * out_h + oh) * out_w + ow) * c) + jb
                        a0 += xf[x_at + U(0)] * dzf[d_at + U(0)]
                        a1 += xf[x_at + U(1)] * dzf[d_at + U(1)]
                        a2 += xf[x_at + U(2)] * dzf[d_at + U(2)]
                        a3 += xf[x_at + U(3)] * dzf[d_at + U(3)]
                        a4 += xf[x_at + U(4)] * dzf[d_at + U(4)]
                        a5 += xf[x_at + U(5)] * dzf[d_at + U(5)]
                        a6 += xf[x_at + U(6)] * dzf[d_at + U(6)]
                        a7 += xf[x_at + U(7)] * dzf[d_at + U(7)]
                        a8 += xf[x_at + U(8)] * dzf[d_at + U(8)]
                        a9 += xf[x_at + U(9)] * dzf[d_at + U(9)]
                        a10 += xf[x_at + U(10)] * dzf[d_at + U(10)]
                        a11 += xf[x_at + U(11)] * dzf[d_at + U(11)]
                        a12 += xf[x_at + U(12)] * dzf[d_at + U(12)]
                        a13 += xf[x_at + U(13)] * dzf[d_at + U(13)]
                        a14 += xf[x_at + U(14)] * dzf[d_at + U(14)]
                        a15 += xf[x_at + U(15)] * dzf[d_at + U(15)]
                        a16 += xf[x_at + U(16)] * dzf[d_at + U(16)]
                        a17 += xf[x_at + U(17)] * dzf[d_at + U(17)]
                        a18 += xf[x_at + U(18)] * dzf[d_at + U(18)]
                        a19 += xf[x_at + U(19)] * dzf[d_at + U(19)]
                        a20 += xf[x_at + U(20)] * dzf[d_at + U(20)]
                        a21 += xf[x_at + U(21)] * dzf[d_at + U(21)]
                        a22 += xf[x_at + U(22)] * dzf[d_at + U(22)]
                        a23 += xf[x_at + U(23)] * dzf[d_at + U(23)]
                        a24 += xf[x_at + U(24)] * dzf[d_at + U(24)]
                        a25 += xf[x_at + U(25)] * dzf[d_at + U(25)]
                        a26 += xf[x_at + U(26)] * dzf[d_at + U(26)]
                        a27 += xf[x_at + U(27)] * dzf[d_at + U(27)]
                        a28 += xf[x_at + U(28)] * dzf[d_at + U(28)]
                        a29 += xf[x_at + U(29)] * dzf[d_at + U(29)]
                        a30 += xf[x_at + U(30)] * dzf[d_at + U(30)]
                        a31 += xf[x_at + U(31)] * dzf[d_at + U(31)]
                    pf[p_at + U(0)] += a0
                    pf[p_at + U(1)] += a1
                    pf[p_at + U(2)] += a2
                    pf[p_at + U(3)] += a3
                    pf[p_at + U(4)] += a4
                    pf[p_at + U(5)] += a5
                    pf[p_at + U(6)] += a6
                    pf[p_at + U(7)] += a7
                    pf[p_at + U(8)] += a8
                    pf[p_at + U(9)] += a9
                    pf[p_at + U(10)] += a10
                    pf[p_at + U(11)] += a11
                    pf[p_at + U(12)] += a12
                    pf[p_at + U(13)] += a13
                    pf[p_at + U(14)] += a14
                    pf[p_at + U(15)] += a15
                    pf[p_at + U(16)] += a16
                    pf[p_at + U(17)] += a17
                    pf[p_at + U(18)] += a18
                    pf[p_at + U(19)] += a19
                    pf[p_at + U(20)] += a20
                    pf[p_at + U(21)] += a21
                    pf[p_at + U(22)] += a22
                    pf[p_at + U(23)] += a23
                    pf[p_at + U(24)] += a24
                    pf[p_at + U(25)] += a25
                    pf[p_at + U(26)] += a26
                    pf[p_at + U(27)] += a27
                    pf[p_at + U(28)] += a28
                    pf[p_at + U(29)] += a29
                    pf[p_at + U(30)] += a30
                    pf[p_at + U(31)] += a31
        dw += part
        db += part_b
    return dw


def depthwise_weight_gradient_16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):
    """Add to ``dw (taps, G)`` and ``db (G,)`` the gradients of :func:`depthwise_<lanes>` for these samples.

    ``G`` is a multiple of 16. Each sample's share is summed in ``part`` and ``part_b``
    from the sums of its output rows first.
    """
    m, out_h, out_w, c = dz.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c)
                for j in range(c):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk = oh - top + dy_k[k]
                if yk < 0 or yk >= height:
                    continue
                for jb_ in range(0, c, 16):
                    jb = U(jb_)
                    p_at = U(k * c) + jb
                    a0 = zero
                    a1 = zero
                    a2 = zero
                    a3 = zero
                    a4 = zero
                    a5 = zero
                    a6 = zero
                    a7 = zero
                    a8 = zero
                    a9 = zero
                    a10 = zero
                    a11 = zero
                    a12 = zero
                    a13 = zero
                    a14 = zero
                    a15 = zero
                    for ow in range(out_w):
                        xk = ow - left + dx_k[k]
                        if xk < 0 or xk >= width:
                            continue
                        x_at = U(((n * height + yk) * width + xk) * c) + jb
                        d_at = U(((n * out_h + oh) * out_w + ow) * c) + jb
                        a0 += xf[x_at + U(0)] * dzf[d_at + U(0)]
                        a1 += xf[x_at + U(1)] * dzf[d_at + U(1)]
                        a2 += xf[x_at + U(2)] * dzf[d_at + U(2)]
                        a3 += xf[x_at + U(3)] * dzf[d_at + U(3)]
                        a4 += xf[x_at + U(4)] * dzf[d_at + U(4)]
                        a5 += xf[x_at + U(5)] * dzf[d_at + U(5)]
                        a6 += xf[x_at + U(6)] * dzf[d_at + U(6)]
                        a7 += xf[x_at + U(7)] * dzf[d_at + U(7)]
                        a8 += xf[x_at + U(8)] * dzf[d_at + U(8)]
                        a9 += xf[x_at + U(9)] * dzf[d_at + U(9)]
                        a10 += xf[x_at + U(10)] * dzf[d_at + U(10)]
                        a11 += xf[x_at + U(11)] * dzf[d_at + U(11)]
                        a12 += xf[x_at + U(12)] * dzf[d_at + U(12)]
                        a13 += xf[x_at + U(13)] * dzf[d_at + U(13)]
                        a14 += xf[x_at + U(14)] * dzf[d_at + U(14)]
                        a15 += xf[x_at + U(15)] * dzf[d_at + U(15)]
                    pf[p_at + U(0)] += a0
                    pf[p_at + U(1)] += a1
                    pf[p_at + U(2)] += a2
                    pf[p_at + U(3)] += a3
                    pf[p_at + U(4)] += a4
                    pf[p_at + U(5)] += a5
                    pf[p_at + U(6)] += a6
                    pf[p_at + U(7)] += a7
                    pf[p_at + U(8)] += a8
                    pf[p_at + U(9)] += a9
                    pf[p_at + U(10)] += a10
                    pf[p_at + U(11)] += a11
                    pf[p_at + U(12)] += a12
                    pf[p_at + U(13)] += a13
                    pf[p_at + U(14)] += a14
                    pf[p_at + U(15)] += a15
        dw += part
        db += part_b
    return dw


def depthwise_weight_gradient_8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left):
    """Add to ``dw (taps, G)`` and ``db (G,)`` the gradients of :func:`depthwise_<lanes>` for these samples.

    ``G`` is a multiple of 8. Each sample's share is summed in ``part`` and ``part_b``
    from the sums of its output rows first.
    """
    m, out_h, out_w, c = dz.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c)
                for j in range(c):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk = oh - top + dy_k[k]
                if yk < 0 or yk >= height:
                    continue
                for jb_ in range(0, c, 8):
                    jb = U(jb_)
                    p_at = U(k * c) + jb
                    a0 = zero
                    a1 = zero
                    a2 = zero
                    a3 = zero
                    a4 = zero
                    a5 = zero
                    a6 = zero
                    a7 = zero
                    for ow in range(out_w):
                        xk = ow - left + dx_k[k]
                        if xk < 0 or xk >= width:
                            continue
                        x_at = U(((n * height + yk) * width + xk) * c) + jb
                        d_at = U(((n * out_h + oh) * out_w + ow) * c) + jb
                        a0 += xf[x_at + U(0)] * dzf[d_at + U(0)]
                        a1 += xf[x_at + U(1)] * dzf[d_at + U(1)]
                        a2 += xf[x_at + U(2)] * dzf[d_at + U(2)]
                        a3 += xf[x_at + U(3)] * dzf[d_at + U(3)]
                        a4 += xf[x_at + U(4)] * dzf[d_at + U(4)]
                        a5 += xf[x_at + U(5)] * dzf[d_at + U(5)]
                        a6 += xf[x_at + U(6)] * dzf[d_at + U(6)]
                        a7 += xf[x_at + U(7)] * dzf[d_at + U(7)]
                    pf[p_at + U(0)] += a0
                    pf[p_at + U(1)] += a1
                    pf[p_at + U(2)] += a2
                    pf[p_at + U(3)] += a3
                    pf[p_at + U(4)] += a4
                    pf[p_at + U(5)] += a5
                    pf[p_at + U(6)] += a6
                    pf[p_at + U(7)] += a7
        dw += part
        db += part_b
    return dw


def forward_f64_16(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
    """Correlate ``x (m, H, W, C_in)``, zero-padded, with the weights ``(taps, C_in, C_out)``, plus ``b``, into ``z``.

    ``x`` is padded by ``top`` rows and ``left`` columns of zeros before it, to ``pad_h x pad_w`` pixels.
    Each sample is copied into ``xs`` (zeros, that size) once for all its phases, or, where ``xs``
    is empty, read in place. ``phases`` has a row ``(out_h, out_w, r0, c0, k_lo, k_hi)`` per phase:
    output pixel ``(oh, ow)``, for ``oh < out_h`` and ``ow < out_w``, goes to ``z[n, r0 + oh*rs, c0 + ow*cs]``
    (``z (m, *, *, C_out)``; one phase ``(out_h, out_w, 0, 0, 0, taps)`` with ``rs = cs = 1`` fills it
    whole) and sums taps ``k_lo`` up to ``k_hi``; tap ``k`` reads the padded sample at row
    ``oh*sh + dy_k[k]`` and column ``ow*sw + dx_k[k]``.
    ``w`` holds the weights of every tap packed by 16 output channels, ``(C_out / 16, taps, C_in, 16)``.
    ``C_out`` is a multiple of 16. Blocks of 3 pixels x 16 channels where every tap's column
    is inside what the loops read; the pixels elsewhere (read in place, the edges) and those left
    over at the end of a row (fewer than 3) one at a time.
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
                xs[to : to + width * c_in] = xf[at : at + width * c_in]
        for phase in range(phases.shape[0]):
            out_h, out_w, r0, c0 = phases[phase, 0], phases[phase, 1], phases[phase, 2], phases[phase, 3]
            k_lo, k_hi = phases[phase, 4], phases[phase, 5]
            # the columns ow whose taps all read inside src: ow*sw + dx_k[k] - l in [0, src_w)
            dx_lo, dx_hi = dx_k[k_lo], dx_k[k_lo]
            for k in range(k_lo, k_hi):
                dx_lo, dx_hi = min(dx_lo, dx_k[k]), max(dx_hi, dx_k[k])
            col_lo = min(out_w, max(0, (l - dx_lo + sw - 1) // sw))
            col_hi = max(col_lo, min(out_w, (src_w - 1 + l - dx_hi) // sw + 1))
            blocks_end = col_lo + (col_hi - col_lo) // 3 * 3
            for oh in range(out_h):
                for ow0 in range(col_lo, blocks_end, 3):
                    for jb_ in range(0, c_out, 16):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        a1_0 = b[jb + U(0)]
                        a1_1 = b[jb + U(1)]
                        a1_2 = b[jb + U(2)]
                        a1_3 = b[jb + U(3)]
                        a1_4 = b[jb + U(4)]
                        a1_5 = b[jb + U(5)]
                        a1_6 = b[jb + U(6)]
                        a1_7 = b[jb + U(7)]
                        a1_8 = b[jb + U(8)]
                        a1_9 = b[jb + U(9)]
                        a1_10 = b[jb + U(10)]
                        a1_11 = b[jb + U(11)]
                        a1_12 = b[jb + U(12)]
                        a1_13 = b[jb + U(13)]
                        a1_14 = b[jb + U(14)]
                        a1_15 = b[jb + U(15)]
                        a2_0 = b[jb + U(0)]
                        a2_1 = b[jb + U(1)]
                        a2_2 = b[jb + U(2)]
                        a2_3 = b[jb + U(3)]
                        a2_4 = b[jb + U(4)]
                        a2_5 = b[jb + U(5)]
                        a2_6 = b[jb + U(6)]
                        a2_7 = b[jb + U(7)]
                        a2_8 = b[jb + U(8)]
                        a2_9 = b[jb + U(9)]
                        a2_10 = b[jb + U(10)]
                        a2_11 = b[jb + U(11)]
                        a2_12 = b[jb + U(12)]
                        a2_13 = b[jb + U(13)]
                        a2_14 = b[jb + U(14)]
                        a2_15 = b[jb + U(15)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 16)
                            for c in range(c_in):
                                w_row = w_at + U(c * 16)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                w8 = wf[w_row + U(8)]
                                w9 = wf[w_row + U(9)]
                                w10 = wf[w_row + U(10)]
                                w11 = wf[w_row + U(11)]
                                w12 = wf[w_row + U(12)]
                                w13 = wf[w_row + U(13)]
                                w14 = wf[w_row + U(14)]
                                w15 = wf[w_row + U(15)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                                a0_8 += x0 * w8
                                a0_9 += x0 * w9
                                a0_10 += x0 * w10
                                a0_11 += x0 * w11
                                a0_12 += x0 * w12
                                a0_13 += x0 * w13
                                a0_14 += x0 * w14
                                a0_15 += x0 * w15
                                x1 = src[x_at + U(1 * sw * c_in + c)]
                                a1_0 += x1 * w0
                                a1_1 += x1 * w1
                                a1_2 += x1 * w2
                                a1_3 += x1 * w3
                                a1_4 += x1 * w4
                                a1_5 += x1 * w5
                                a1_6 += x1 * w6
                                a1_7 += x1 * w7
                                a1_8 += x1 * w8
                                a1_9 += x1 * w9
                                a1_10 += x1 * w10
                                a1_11 += x1 * w11
                                a1_12 += x1 * w12
                                a1_13 += x1 * w13
                                a1_14 += x1 * w14
                                a1_15 += x1 * w15
                                x2 = src[x_at + U(2 * sw * c_in + c)]
                                a2_0 += x2 * w0
                                a2_1 += x2 * w1
                                a2_2 += x2 * w2
                                a2_3 += x2 * w3
                                a2_4 += x2 * w4
                                a2_5 += x2 * w5
                                a2_6 += x2 * w6
                                a2_7 += x2 * w7
                                a2_8 += x2 * w8
                                a2_9 += x2 * w9
                                a2_10 += x2 * w10
                                a2_11 += x2 * w11
                                a2_12 += x2 * w12
                                a2_13 += x2 * w13
                                a2_14 += x2 * w14
                                a2_15 += x2 * w15
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
                        zf[z_at + U(0 * cs * c_out + 8)] = a0_8
                        zf[z_at + U(0 * cs * c_out + 9)] = a0_9
                        zf[z_at + U(0 * cs * c_out + 10)] = a0_10
                        zf[z_at + U(0 * cs * c_out + 11)] = a0_11
                        zf[z_at + U(0 * cs * c_out + 12)] = a0_12
                        zf[z_at + U(0 * cs * c_out + 13)] = a0_13
                        zf[z_at + U(0 * cs * c_out + 14)] = a0_14
                        zf[z_at + U(0 * cs * c_out + 15)] = a0_15
                        zf[z_at + U(1 * cs * c_out + 0)] = a1_0
                        zf[z_at + U(1 * cs * c_out + 1)] = a1_1
                        zf[z_at + U(1 * cs * c_out + 2)] = a1_2
                        zf[z_at + U(1 * cs * c_out + 3)] = a1_3
                        zf[z_at + U(1 * cs * c_out + 4)] = a1_4
                        zf[z_at + U(1 * cs * c_out + 5)] = a1_5
                        zf[z_at + U(1 * cs * c_out + 6)] = a1_6
                        zf[z_at + U(1 * cs * c_out + 7)] = a1_7
                        zf[z_at + U(1 * cs * c_out + 8)] = a1_8
                        zf[z_at + U(1 * cs * c_out + 9)] = a1_9
                        zf[z_at + U(1 * cs * c_out + 10)] = a1_10
                        zf[z_at + U(1 * cs * c_out + 11)] = a1_11
                        zf[z_at + U(1 * cs * c_out + 12)] = a1_12
                        zf[z_at + U(1 * cs * c_out + 13)] = a1_13
                        zf[z_at + U(1 * cs * c_out + 14)] = a1_14
                        zf[z_at + U(1 * cs * c_out + 15)] = a1_15
                        zf[z_at + U(2 * cs * c_out + 0)] = a2_0
                        zf[z_at + U(2 * cs * c_out + 1)] = a2_1
                        zf[z_at + U(2 * cs * c_out + 2)] = a2_2
                        zf[z_at + U(2 * cs * c_out + 3)] = a2_3
                        zf[z_at + U(2 * cs * c_out + 4)] = a2_4
                        zf[z_at + U(2 * cs * c_out + 5)] = a2_5
                        zf[z_at + U(2 * cs * c_out + 6)] = a2_6
                        zf[z_at + U(2 * cs * c_out + 7)] = a2_7
                        zf[z_at + U(2 * cs * c_out + 8)] = a2_8
                        zf[z_at + U(2 * cs * c_out + 9)] = a2_9
                        zf[z_at + U(2 * cs * c_out + 10)] = a2_10
                        zf[z_at + U(2 * cs * c_out + 11)] = a2_11
                        zf[z_at + U(2 * cs * c_out + 12)] = a2_12
                        zf[z_at + U(2 * cs * c_out + 13)] = a2_13
                        zf[z_at + U(2 * cs * c_out + 14)] = a2_14
                        zf[z_at + U(2 * cs * c_out + 15)] = a2_15
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb_ in range(0, c_out, 16):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 16)
                            for c in range(c_in):
                                w_row = w_at + U(c * 16)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                w8 = wf[w_row + U(8)]
                                w9 = wf[w_row + U(9)]
                                w10 = wf[w_row + U(10)]
                                w11 = wf[w_row + U(11)]
                                w12 = wf[w_row + U(12)]
                                w13 = wf[w_row + U(13)]
                                w14 = wf[w_row + U(14)]
                                w15 = wf[w_row + U(15)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                                a0_8 += x0 * w8
                                a0_9 += x0 * w9
                                a0_10 += x0 * w10
                                a0_11 += x0 * w11
                                a0_12 += x0 * w12
                                a0_13 += x0 * w13
                                a0_14 += x0 * w14
                                a0_15 += x0 * w15
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
                        zf[z_at + U(0 * cs * c_out + 8)] = a0_8
                        zf[z_at + U(0 * cs * c_out + 9)] = a0_9
                        zf[z_at + U(0 * cs * c_out + 10)] = a0_10
                        zf[z_at + U(0 * cs * c_out + 11)] = a0_11
                        zf[z_at + U(0 * cs * c_out + 12)] = a0_12
                        zf[z_at + U(0 * cs * c_out + 13)] = a0_13
                        zf[z_at + U(0 * cs * c_out + 14)] = a0_14
                        zf[z_at + U(0 * cs * c_out + 15)] = a0_15
    return z


def forward_f64_8(x, xs, w, b, z, dy_k, dx_k, phases, top, left, pad_h, pad_w, sh, sw, rs, cs):
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
                xs[to : to + width * c_in] = xf[at : at + width * c_in]
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
                    for jb_ in range(0, c_out, 8):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a1_0 = b[jb + U(0)]
                        a1_1 = b[jb + U(1)]
                        a1_2 = b[jb + U(2)]
                        a1_3 = b[jb + U(3)]
                        a1_4 = b[jb + U(4)]
                        a1_5 = b[jb + U(5)]
                        a1_6 = b[jb + U(6)]
                        a1_7 = b[jb + U(7)]
                        a2_0 = b[jb + U(0)]
                        a2_1 = b[jb + U(1)]
                        a2_2 = b[jb + U(2)]
                        a2_3 = b[jb + U(3)]
                        a2_4 = b[jb + U(4)]
                        a2_5 = b[jb + U(5)]
                        a2_6 = b[jb + U(6)]
                        a2_7 = b[jb + U(7)]
                        a3_0 = b[jb + U(0)]
                        a3_1 = b[jb + U(1)]
                        a3_2 = b[jb + U(2)]
                        a3_3 = b[jb + U(3)]
                        a3_4 = b[jb + U(4)]
                        a3_5 = b[jb + U(5)]
                        a3_6 = b[jb + U(6)]
                        a3_7 = b[jb + U(7)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 8)
                            for c in range(c_in):
                                w_row = w_at + U(c * 8)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                                x1 = src[x_at + U(1 * sw * c_in + c)]
                                a1_0 += x1 * w0
                                a1_1 += x1 * w1
                                a1_2 += x1 * w2
                                a1_3 += x1 * w3
                                a1_4 += x1 * w4
                                a1_5 += x1 * w5
                                a1_6 += x1 * w6
                                a1_7 += x1 * w7
                                x2 = src[x_at + U(2 * sw * c_in + c)]
                                a2_0 += x2 * w0
                                a2_1 += x2 * w1
                                a2_2 += x2 * w2
                                a2_3 += x2 * w3
                                a2_4 += x2 * w4
                                a2_5 += x2 * w5
                                a2_6 += x2 * w6
                                a2_7 += x2 * w7
                                x3 = src[x_at + U(3 * sw * c_in + c)]
                                a3_0 += x3 * w0
                                a3_1 += x3 * w1
                                a3_2 += x3 * w2
                                a3_3 += x3 * w3
                                a3_4 += x3 * w4
                                a3_5 += x3 * w5
                                a3_6 += x3 * w6
                                a3_7 += x3 * w7
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
                        zf[z_at + U(1 * cs * c_out + 0)] = a1_0
                        zf[z_at + U(1 * cs * c_out + 1)] = a1_1
                        zf[z_at + U(1 * cs * c_out + 2)] = a1_2
                        zf[z_at + U(1 * cs * c_out + 3)] = a1_3
                        zf[z_at + U(1 * cs * c_out + 4)] = a1_4
                        zf[z_at + U(1 * cs * c_out + 5)] = a1_5
                        zf[z_at + U(1 * cs * c_out + 6)] = a1_6
                        zf[z_at + U(1 * cs * c_out + 7)] = a1_7
                        zf[z_at + U(2 * cs * c_out + 0)] = a2_0
                        zf[z_at + U(2 * cs * c_out + 1)] = a2_1
                        zf[z_at + U(2 * cs * c_out + 2)] = a2_2
                        zf[z_at + U(2 * cs * c_out + 3)] = a2_3
                        zf[z_at + U(2 * cs * c_out + 4)] = a2_4
                        zf[z_at + U(2 * cs * c_out + 5)] = a2_5
                        zf[z_at + U(2 * cs * c_out + 6)] = a2_6
                        zf[z_at + U(2 * cs * c_out + 7)] = a2_7
                        zf[z_at + U(3 * cs * c_out + 0)] = a3_0
                        zf[z_at + U(3 * cs * c_out + 1)] = a3_1
                        zf[z_at + U(3 * cs * c_out + 2)] = a3_2
                        zf[z_at + U(3 * cs * c_out + 3)] = a3_3
                        zf[z_at + U(3 * cs * c_out + 4)] = a3_4
                        zf[z_at + U(3 * cs * c_out + 5)] = a3_5
                        zf[z_at + U(3 * cs * c_out + 6)] = a3_6
                        zf[z_at + U(3 * cs * c_out + 7)] = a3_7
                for i in range(col_lo + out_w - blocks_end):  # single pixels: the left edge, then the rest
                    ow0 = i if i < col_lo else blocks_end + i - col_lo
                    for jb_ in range(0, c_out, 8):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        for k in range(k_lo, k_hi):
                            yk, xk = oh * sh + dy_k[k] - t, ow0 * sw + dx_k[k] - l
                            if yk < 0 or yk >= src_h or xk < 0 or xk >= src_w:
                                continue  # zero padding adds nothing
                            x_at = U(at0 + (yk * src_w + xk) * c_in)
                            w_at = U(jb_ * n_taps * c_in + k * c_in * 8)
                            for c in range(c_in):
                                w_row = w_at + U(c * 8)
                                w0 = wf[w_row + U(0)]
                                w1 = wf[w_row + U(1)]
                                w2 = wf[w_row + U(2)]
                                w3 = wf[w_row + U(3)]
                                w4 = wf[w_row + U(4)]
                                w5 = wf[w_row + U(5)]
                                w6 = wf[w_row + U(6)]
                                w7 = wf[w_row + U(7)]
                                x0 = src[x_at + U(0 * sw * c_in + c)]
                                a0_0 += x0 * w0
                                a0_1 += x0 * w1
                                a0_2 += x0 * w2
                                a0_3 += x0 * w3
                                a0_4 += x0 * w4
                                a0_5 += x0 * w5
                                a0_6 += x0 * w6
                                a0_7 += x0 * w7
                        z_at = U(((n * z_h + r0 + oh * rs) * z_w + c0 + ow0 * cs) * c_out) + jb
                        zf[z_at + U(0 * cs * c_out + 0)] = a0_0
                        zf[z_at + U(0 * cs * c_out + 1)] = a0_1
                        zf[z_at + U(0 * cs * c_out + 2)] = a0_2
                        zf[z_at + U(0 * cs * c_out + 3)] = a0_3
                        zf[z_at + U(0 * cs * c_out + 4)] = a0_4
                        zf[z_at + U(0 * cs * c_out + 5)] = a0_5
                        zf[z_at + U(0 * cs * c_out + 6)] = a0_6
                        zf[z_at + U(0 * cs * c_out + 7)] = a0_7
    return z


def weight_gradient_f64_16(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 2 and 16. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel).
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = U((n * height + yk) * width * c_in)
                for cb_ in range(0, c_in, 2):
                    for jb_ in range(0, c_out, 16):
                        jb = U(jb_)
                        p_at = U((k * c_in + cb_) * c_out) + jb
                        a0_0 = zero
                        a0_1 = zero
                        a0_2 = zero
                        a0_3 = zero
                        a0_4 = zero
                        a0_5 = zero
                        a0_6 = zero
                        a0_7 = zero
                        a0_8 = zero
                        a0_9 = zero
                        a0_10 = zero
                        a0_11 = zero
                        a0_12 = zero
                        a0_13 = zero
                        a0_14 = zero
                        a0_15 = zero
                        a1_0 = zero
                        a1_1 = zero
                        a1_2 = zero
                        a1_3 = zero
                        a1_4 = zero
                        a1_5 = zero
                        a1_6 = zero
                        a1_7 = zero
                        a1_8 = zero
                        a1_9 = zero
                        a1_10 = zero
                        a1_11 = zero
                        a1_12 = zero
                        a1_13 = zero
                        a1_14 = zero
                        a1_15 = zero
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + U((ow * sw + xk) * c_in + cb_)
                            d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                            d0 = dzf[d_at + U(0)]
                            d1 = dzf[d_at + U(1)]
                            d2 = dzf[d_at + U(2)]
                            d3 = dzf[d_at + U(3)]
                            d4 = dzf[d_at + U(4)]
                            d5 = dzf[d_at + U(5)]
                            d6 = dzf[d_at + U(6)]
                            d7 = dzf[d_at + U(7)]
                            d8 = dzf[d_at + U(8)]
                            d9 = dzf[d_at + U(9)]
                            d10 = dzf[d_at + U(10)]
                            d11 = dzf[d_at + U(11)]
                            d12 = dzf[d_at + U(12)]
                            d13 = dzf[d_at + U(13)]
                            d14 = dzf[d_at + U(14)]
                            d15 = dzf[d_at + U(15)]
                            x0 = xf[x_at + U(0)]
                            a0_0 += x0 * d0
                            a0_1 += x0 * d1
                            a0_2 += x0 * d2
                            a0_3 += x0 * d3
                            a0_4 += x0 * d4
                            a0_5 += x0 * d5
                            a0_6 += x0 * d6
                            a0_7 += x0 * d7
                            a0_8 += x0 * d8
                            a0_9 += x0 * d9
                            a0_10 += x0 * d10
                            a0_11 += x0 * d11
                            a0_12 += x0 * d12
                            a0_13 += x0 * d13
                            a0_14 += x0 * d14
                            a0_15 += x0 * d15
                            x1 = xf[x_at + U(1)]
                            a1_0 += x1 * d0
                            a1_1 += x1 * d1
                            a1_2 += x1 * d2
                            a1_3 += x1 * d3
                            a1_4 += x1 * d4
                            a1_5 += x1 * d5
                            a1_6 += x1 * d6
                            a1_7 += x1 * d7
                            a1_8 += x1 * d8
                            a1_9 += x1 * d9
                            a1_10 += x1 * d10
                            a1_11 += x1 * d11
                            a1_12 += x1 * d12
                            a1_13 += x1 * d13
                            a1_14 += x1 * d14
                            a1_15 += x1 * d15
                        pf[p_at + U(0 * c_out + 0)] += a0_0
                        pf[p_at + U(0 * c_out + 1)] += a0_1
                        pf[p_at + U(0 * c_out + 2)] += a0_2
                        pf[p_at + U(0 * c_out + 3)] += a0_3
                        pf[p_at + U(0 * c_out + 4)] += a0_4
                        pf[p_at + U(0 * c_out + 5)] += a0_5
                        pf[p_at + U(0 * c_out + 6)] += a0_6
                        pf[p_at + U(0 * c_out + 7)] += a0_7
                        pf[p_at + U(0 * c_out + 8)] += a0_8
                        pf[p_at + U(0 * c_out + 9)] += a0_9
                        pf[p_at + U(0 * c_out + 10)] += a0_10
                        pf[p_at + U(0 * c_out + 11)] += a0_11
                        pf[p_at + U(0 * c_out + 12)] += a0_12
                        pf[p_at + U(0 * c_out + 13)] += a0_13
                        pf[p_at + U(0 * c_out + 14)] += a0_14
                        pf[p_at + U(0 * c_out + 15)] += a0_15
                        pf[p_at + U(1 * c_out + 0)] += a1_0
                        pf[p_at + U(1 * c_out + 1)] += a1_1
                        pf[p_at + U(1 * c_out + 2)] += a1_2
                        pf[p_at + U(1 * c_out + 3)] += a1_3
                        pf[p_at + U(1 * c_out + 4)] += a1_4
                        pf[p_at + U(1 * c_out + 5)] += a1_5
                        pf[p_at + U(1 * c_out + 6)] += a1_6
                        pf[p_at + U(1 * c_out + 7)] += a1_7
                        pf[p_at + U(1 * c_out + 8)] += a1_8
                        pf[p_at + U(1 * c_out + 9)] += a1_9
                        pf[p_at + U(1 * c_out + 10)] += a1_10
                        pf[p_at + U(1 * c_out + 11)] += a1_11
                        pf[p_at + U(1 * c_out + 12)] += a1_12
                        pf[p_at + U(1 * c_out + 13)] += a1_13
                        pf[p_at + U(1 * c_out + 14)] += a1_14
                        pf[p_at + U(1 * c_out + 15)] += a1_15
        dw += part
        db += part_b
    return dw


def weight_gradient_f64_8(x, dz, dw, db, part, part_b, dy_k, dx_k, top, left, sh, sw):
    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.

    ``C_in`` and ``C_out`` are multiples of 4 and 8. Each sample's share is summed
    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) from the sums of its output rows:
    shorter float sums, less rounding. ``x`` is read in place: tap ``k`` of output pixel
    ``(oh, ow)`` reads row ``oh*sh + dy_k[k] - top`` and column ``ow*sw + dx_k[k] - left``, and
    taps in the zero padding add nothing (each tap's rows and columns inside ``x`` are worked
    out once, no check per pixel).
    """
    m, out_h, out_w, c_out = dz.shape
    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]
    n_taps = dy_k.shape[0]
    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)
    zero = np.zeros(1, dtype=part.dtype)[0]
    row_b = np.empty_like(part_b)
    for n in range(m):
        part[:] = 0
        part_b[:] = 0
        for oh in range(out_h):
            row_b[:] = 0
            for ow in range(out_w):
                d_at = U(((n * out_h + oh) * out_w + ow) * c_out)
                for j in range(c_out):
                    row_b[j] += dzf[d_at + U(j)]
            part_b += row_b
            for k in range(n_taps):
                yk, xk = oh * sh + dy_k[k] - top, dx_k[k] - left  # pixel ow reads column ow*sw + xk
                ow_lo, ow_hi = max(0, (sw - 1 - xk) // sw), min(out_w, (width - 1 - xk) // sw + 1)
                if yk < 0 or yk >= height or ow_lo >= ow_hi:
                    continue  # zero padding adds nothing
                x_row = U((n * height + yk) * width * c_in)
                for cb_ in range(0, c_in, 4):
                    for jb_ in range(0, c_out, 8):
                        jb = U(jb_)
                        p_at = U((k * c_in + cb_) * c_out) + jb
                        a0_0 = zero
                        a0_1 = zero
                        a0_2 = zero
                        a0_3 = zero
                        a0_4 = zero
                        a0_5 = zero
                        a0_6 = zero
                        a0_7 = zero
                        a1_0 = zero
                        a1_1 = zero
                        a1_2 = zero
                        a1_3 = zero
                        a1_4 = zero
                        a1_5 = zero
                        a1_6 = zero
                        a1_7 = zero
                        a2_0 = zero
                        a2_1 = zero
                        a2_2 = zero
                        a2_3 = zero
                        a2_4 = zero
                        a2_5 = zero
                        a2_6 = zero
                        a2_7 = zero
                        a3_0 = zero
                        a3_1 = zero
                        a3_2 = zero
                        a3_3 = zero
                        a3_4 = zero
                        a3_5 = zero
                        a3_6 = zero
                        a3_7 = zero
                        for ow in range(ow_lo, ow_hi):
                            x_at = x_row + U((ow * sw + xk) * c_in + cb_)
                            d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                            d0 = dzf[d_at + U(0)]
                            d1 = dzf[d_at + U(1)]
                            d2 = dzf[d_at + U(2)]
                            d3 = dzf[d_at + U(3)]
                            d4 = dzf[d_at + U(4)]
                            d5 = dzf[d_at + U(5)]
                            d6 = dzf[d_at + U(6)]
                            d7 = dzf[d_at + U(7)]
                            x0 = xf[x_at + U(0)]
                            a0_0 += x0 * d0
                            a0_1 += x0 * d1
                            a0_2 += x0 * d2
                            a0_3 += x0 * d3
                            a0_4 += x0 * d4
                            a0_5 += x0 * d5
                            a0_6 += x0 * d6
                            a0_7 += x0 * d7
                            x1 = xf[x_at + U(1)]
                            a1_0 += x1 * d0
                            a1_1 += x1 * d1
                            a1_2 += x1 * d2
                            a1_3 += x1 * d3
                            a1_4 += x1 * d4
                            a1_5 += x1 * d5
                            a1_6 += x1 * d6
                            a1_7 += x1 * d7
                            x2 = xf[x_at + U(2)]
                            a2_0 += x2 * d0
                            a2_1 += x2 * d1
                            a2_2 += x2 * d2
                            a2_3 += x2 * d3
                            a2_4 += x2 * d4
                            a2_5 += x2 * d5
                            a2_6 += x2 * d6
                            a2_7 += x2 * d7
                            x3 = xf[x_at + U(3)]
                            a3_0 += x3 * d0
                            a3_1 += x3 * d1
                            a3_2 += x3 * d2
                            a3_3 += x3 * d3
                            a3_4 += x3 * d4
                            a3_5 += x3 * d5
                            a3_6 += x3 * d6
                            a3_7 += x3 * d7
                        pf[p_at + U(0 * c_out + 0)] += a0_0
                        pf[p_at + U(0 * c_out + 1)] += a0_1
                        pf[p_at + U(0 * c_out + 2)] += a0_2
                        pf[p_at + U(0 * c_out + 3)] += a0_3
                        pf[p_at + U(0 * c_out + 4)] += a0_4
                        pf[p_at + U(0 * c_out + 5)] += a0_5
                        pf[p_at + U(0 * c_out + 6)] += a0_6
                        pf[p_at + U(0 * c_out + 7)] += a0_7
                        pf[p_at + U(1 * c_out + 0)] += a1_0
                        pf[p_at + U(1 * c_out + 1)] += a1_1
                        pf[p_at + U(1 * c_out + 2)] += a1_2
                        pf[p_at + U(1 * c_out + 3)] += a1_3
                        pf[p_at + U(1 * c_out + 4)] += a1_4
                        pf[p_at + U(1 * c_out + 5)] += a1_5
                        pf[p_at + U(1 * c_out + 6)] += a1_6
                        pf[p_at + U(1 * c_out + 7)] += a1_7
                        pf[p_at + U(2 * c_out + 0)] += a2_0
                        pf[p_at + U(2 * c_out + 1)] += a2_1
                        pf[p_at + U(2 * c_out + 2)] += a2_2
                        pf[p_at + U(2 * c_out + 3)] += a2_3
                        pf[p_at + U(2 * c_out + 4)] += a2_4
                        pf[p_at + U(2 * c_out + 5)] += a2_5
                        pf[p_at + U(2 * c_out + 6)] += a2_6
                        pf[p_at + U(2 * c_out + 7)] += a2_7
                        pf[p_at + U(3 * c_out + 0)] += a3_0
                        pf[p_at + U(3 * c_out + 1)] += a3_1
                        pf[p_at + U(3 * c_out + 2)] += a3_2
                        pf[p_at + U(3 * c_out + 3)] += a3_3
                        pf[p_at + U(3 * c_out + 4)] += a3_4
                        pf[p_at + U(3 * c_out + 5)] += a3_5
                        pf[p_at + U(3 * c_out + 6)] += a3_6
                        pf[p_at + U(3 * c_out + 7)] += a3_7
        dw += part
        db += part_b
    return dw


def narrow_input_gradient_f64_16(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
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
    zero = np.zeros(1, dtype=dx.dtype)[0]  # in the arrays' dtype: `dxf[0] * 0` would be float64
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 2 <= blocks_end:
                    for ci in range(c_in):
                        t0 = zero
                        t1 = zero
                        for jb_ in range(0, c_out, 16):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            a0_8 = zero
                            a0_9 = zero
                            a0_10 = zero
                            a0_11 = zero
                            a0_12 = zero
                            a0_13 = zero
                            a0_14 = zero
                            a0_15 = zero
                            a1_0 = zero
                            a1_1 = zero
                            a1_2 = zero
                            a1_3 = zero
                            a1_4 = zero
                            a1_5 = zero
                            a1_6 = zero
                            a1_7 = zero
                            a1_8 = zero
                            a1_9 = zero
                            a1_10 = zero
                            a1_11 = zero
                            a1_12 = zero
                            a1_13 = zero
                            a1_14 = zero
                            a1_15 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                w8 = wf[w_at + U(8)]
                                w9 = wf[w_at + U(9)]
                                w10 = wf[w_at + U(10)]
                                w11 = wf[w_at + U(11)]
                                w12 = wf[w_at + U(12)]
                                w13 = wf[w_at + U(13)]
                                w14 = wf[w_at + U(14)]
                                w15 = wf[w_at + U(15)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                                a0_8 += dzf[d_at + U(0 * c_out + 8)] * w8
                                a0_9 += dzf[d_at + U(0 * c_out + 9)] * w9
                                a0_10 += dzf[d_at + U(0 * c_out + 10)] * w10
                                a0_11 += dzf[d_at + U(0 * c_out + 11)] * w11
                                a0_12 += dzf[d_at + U(0 * c_out + 12)] * w12
                                a0_13 += dzf[d_at + U(0 * c_out + 13)] * w13
                                a0_14 += dzf[d_at + U(0 * c_out + 14)] * w14
                                a0_15 += dzf[d_at + U(0 * c_out + 15)] * w15
                                a1_0 += dzf[d_at + U(1 * c_out + 0)] * w0
                                a1_1 += dzf[d_at + U(1 * c_out + 1)] * w1
                                a1_2 += dzf[d_at + U(1 * c_out + 2)] * w2
                                a1_3 += dzf[d_at + U(1 * c_out + 3)] * w3
                                a1_4 += dzf[d_at + U(1 * c_out + 4)] * w4
                                a1_5 += dzf[d_at + U(1 * c_out + 5)] * w5
                                a1_6 += dzf[d_at + U(1 * c_out + 6)] * w6
                                a1_7 += dzf[d_at + U(1 * c_out + 7)] * w7
                                a1_8 += dzf[d_at + U(1 * c_out + 8)] * w8
                                a1_9 += dzf[d_at + U(1 * c_out + 9)] * w9
                                a1_10 += dzf[d_at + U(1 * c_out + 10)] * w10
                                a1_11 += dzf[d_at + U(1 * c_out + 11)] * w11
                                a1_12 += dzf[d_at + U(1 * c_out + 12)] * w12
                                a1_13 += dzf[d_at + U(1 * c_out + 13)] * w13
                                a1_14 += dzf[d_at + U(1 * c_out + 14)] * w14
                                a1_15 += dzf[d_at + U(1 * c_out + 15)] * w15
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7 + a0_8 + a0_9 + a0_10 + a0_11 + a0_12 + a0_13 + a0_14 + a0_15
                            t1 += a1_0 + a1_1 + a1_2 + a1_3 + a1_4 + a1_5 + a1_6 + a1_7 + a1_8 + a1_9 + a1_10 + a1_11 + a1_12 + a1_13 + a1_14 + a1_15
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                        dxf[dx_at + U(1 * c_in)] = t1
                    col0 += 2
                else:
                    for ci in range(c_in):
                        t0 = zero
                        for jb_ in range(0, c_out, 16):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            a0_8 = zero
                            a0_9 = zero
                            a0_10 = zero
                            a0_11 = zero
                            a0_12 = zero
                            a0_13 = zero
                            a0_14 = zero
                            a0_15 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                w8 = wf[w_at + U(8)]
                                w9 = wf[w_at + U(9)]
                                w10 = wf[w_at + U(10)]
                                w11 = wf[w_at + U(11)]
                                w12 = wf[w_at + U(12)]
                                w13 = wf[w_at + U(13)]
                                w14 = wf[w_at + U(14)]
                                w15 = wf[w_at + U(15)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                                a0_8 += dzf[d_at + U(0 * c_out + 8)] * w8
                                a0_9 += dzf[d_at + U(0 * c_out + 9)] * w9
                                a0_10 += dzf[d_at + U(0 * c_out + 10)] * w10
                                a0_11 += dzf[d_at + U(0 * c_out + 11)] * w11
                                a0_12 += dzf[d_at + U(0 * c_out + 12)] * w12
                                a0_13 += dzf[d_at + U(0 * c_out + 13)] * w13
                                a0_14 += dzf[d_at + U(0 * c_out + 14)] * w14
                                a0_15 += dzf[d_at + U(0 * c_out + 15)] * w15
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7 + a0_8 + a0_9 + a0_10 + a0_11 + a0_12 + a0_13 + a0_14 + a0_15
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                    col0 += 1
    return dx


def narrow_input_gradient_f64_8(dz, w, dx, dy_k, dx_k, top, left, col_lo, col_hi):
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
    zero = np.zeros(1, dtype=dx.dtype)[0]  # in the arrays' dtype: `dxf[0] * 0` would be float64
    for n in range(m):
        for h in range(height):
            blocks_end = min(col_hi, width)
            col0 = 0
            while col0 < width:
                if col0 >= col_lo and col0 + 4 <= blocks_end:
                    for ci in range(c_in):
                        t0 = zero
                        t1 = zero
                        t2 = zero
                        t3 = zero
                        for jb_ in range(0, c_out, 8):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            a1_0 = zero
                            a1_1 = zero
                            a1_2 = zero
                            a1_3 = zero
                            a1_4 = zero
                            a1_5 = zero
                            a1_6 = zero
                            a1_7 = zero
                            a2_0 = zero
                            a2_1 = zero
                            a2_2 = zero
                            a2_3 = zero
                            a2_4 = zero
                            a2_5 = zero
                            a2_6 = zero
                            a2_7 = zero
                            a3_0 = zero
                            a3_1 = zero
                            a3_2 = zero
                            a3_3 = zero
                            a3_4 = zero
                            a3_5 = zero
                            a3_6 = zero
                            a3_7 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                                a1_0 += dzf[d_at + U(1 * c_out + 0)] * w0
                                a1_1 += dzf[d_at + U(1 * c_out + 1)] * w1
                                a1_2 += dzf[d_at + U(1 * c_out + 2)] * w2
                                a1_3 += dzf[d_at + U(1 * c_out + 3)] * w3
                                a1_4 += dzf[d_at + U(1 * c_out + 4)] * w4
                                a1_5 += dzf[d_at + U(1 * c_out + 5)] * w5
                                a1_6 += dzf[d_at + U(1 * c_out + 6)] * w6
                                a1_7 += dzf[d_at + U(1 * c_out + 7)] * w7
                                a2_0 += dzf[d_at + U(2 * c_out + 0)] * w0
                                a2_1 += dzf[d_at + U(2 * c_out + 1)] * w1
                                a2_2 += dzf[d_at + U(2 * c_out + 2)] * w2
                                a2_3 += dzf[d_at + U(2 * c_out + 3)] * w3
                                a2_4 += dzf[d_at + U(2 * c_out + 4)] * w4
                                a2_5 += dzf[d_at + U(2 * c_out + 5)] * w5
                                a2_6 += dzf[d_at + U(2 * c_out + 6)] * w6
                                a2_7 += dzf[d_at + U(2 * c_out + 7)] * w7
                                a3_0 += dzf[d_at + U(3 * c_out + 0)] * w0
                                a3_1 += dzf[d_at + U(3 * c_out + 1)] * w1
                                a3_2 += dzf[d_at + U(3 * c_out + 2)] * w2
                                a3_3 += dzf[d_at + U(3 * c_out + 3)] * w3
                                a3_4 += dzf[d_at + U(3 * c_out + 4)] * w4
                                a3_5 += dzf[d_at + U(3 * c_out + 5)] * w5
                                a3_6 += dzf[d_at + U(3 * c_out + 6)] * w6
                                a3_7 += dzf[d_at + U(3 * c_out + 7)] * w7
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7
                            t1 += a1_0 + a1_1 + a1_2 + a1_3 + a1_4 + a1_5 + a1_6 + a1_7
                            t2 += a2_0 + a2_1 + a2_2 + a2_3 + a2_4 + a2_5 + a2_6 + a2_7
                            t3 += a3_0 + a3_1 + a3_2 + a3_3 + a3_4 + a3_5 + a3_6 + a3_7
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                        dxf[dx_at + U(1 * c_in)] = t1
                        dxf[dx_at + U(2 * c_in)] = t2
                        dxf[dx_at + U(3 * c_in)] = t3
                    col0 += 4
                else:
                    for ci in range(c_in):
                        t0 = zero
                        for jb_ in range(0, c_out, 8):
                            jb = U(jb_)
                            a0_0 = zero
                            a0_1 = zero
                            a0_2 = zero
                            a0_3 = zero
                            a0_4 = zero
                            a0_5 = zero
                            a0_6 = zero
                            a0_7 = zero
                            for k in range(n_taps):
                                oh, ow = h + top - dy_k[k], col0 + left - dx_k[k]
                                if oh < 0 or oh >= out_h or ow < 0 or ow >= out_w:
                                    continue
                                d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb
                                w_at = U((k * c_in + ci) * c_out) + jb
                                w0 = wf[w_at + U(0)]
                                w1 = wf[w_at + U(1)]
                                w2 = wf[w_at + U(2)]
                                w3 = wf[w_at + U(3)]
                                w4 = wf[w_at + U(4)]
                                w5 = wf[w_at + U(5)]
                                w6 = wf[w_at + U(6)]
                                w7 = wf[w_at + U(7)]
                                a0_0 += dzf[d_at + U(0 * c_out + 0)] * w0
                                a0_1 += dzf[d_at + U(0 * c_out + 1)] * w1
                                a0_2 += dzf[d_at + U(0 * c_out + 2)] * w2
                                a0_3 += dzf[d_at + U(0 * c_out + 3)] * w3
                                a0_4 += dzf[d_at + U(0 * c_out + 4)] * w4
                                a0_5 += dzf[d_at + U(0 * c_out + 5)] * w5
                                a0_6 += dzf[d_at + U(0 * c_out + 6)] * w6
                                a0_7 += dzf[d_at + U(0 * c_out + 7)] * w7
                            t0 += a0_0 + a0_1 + a0_2 + a0_3 + a0_4 + a0_5 + a0_6 + a0_7
                        dx_at = U(((n * height + h) * width + col0) * c_in + ci)
                        dxf[dx_at + U(0 * c_in)] = t0
                    col0 += 1
    return dx


def depthwise_f64_16(x, w, b, z, dy_k, dx_k, top, left, col_lo, col_hi):
    """Depthwise correlation at stride 1 of the unpadded ``x (m, H, W, G)`` with ``w (taps, G)``, plus ``b``.

    Tap ``k`` of output pixel ``(oh, ow)`` reads ``x[n, oh - top + dy_k[k], ow - left + dx_k[k]]``, and
    nothing outside ``x`` (zero padding). ``G`` is a multiple of 16. Columns from ``col_lo``
    up to ``col_hi`` read inside ``x`` with every tap: there 2 pixel(s) at a time, with no
    column checks; elsewhere one at a time.
    """
    m, out_h, out_w, c = z.shape
    height, width = x.shape[1], x.shape[2]
    n_taps = dy_k.shape[0]
    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)
    for n in range(m):
        for oh in range(out_h):
            blocks_end = min(col_hi, out_w)
            ow0 = 0
            while ow0 < out_w:
                if ow0 >= col_lo and ow0 + 2 <= blocks_end:
                    for jb_ in range(0, c, 16):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        a1_0 = b[jb + U(0)]
                        a1_1 = b[jb + U(1)]
                        a1_2 = b[jb + U(2)]
                        a1_3 = b[jb + U(3)]
                        a1_4 = b[jb + U(4)]
                        a1_5 = b[jb + U(5)]
                        a1_6 = b[jb + U(6)]
                        a1_7 = b[jb + U(7)]
                        a1_8 = b[jb + U(8)]
                        a1_9 = b[jb + U(9)]
                        a1_10 = b[jb + U(10)]
                        a1_11 = b[jb + U(11)]
                        a1_12 = b[jb + U(12)]
                        a1_13 = b[jb + U(13)]
                        a1_14 = b[jb + U(14)]
                        a1_15 = b[jb + U(15)]
                        for k in range(n_taps):
                            yk, xk = oh - top + dy_k[k], ow0 - left + dx_k[k]
                            if yk < 0 or yk >= height:
                                continue  # zero padding adds nothing
                            x_at = U(((n * height + yk) * width + xk) * c) + jb
                            w_at = U(k * c) + jb
                            w0 = wf[w_at + U(0)]
                            w1 = wf[w_at + U(1)]
                            w2 = wf[w_at + U(2)]
                            w3 = wf[w_at + U(3)]
                            w4 = wf[w_at + U(4)]
                            w5 = wf[w_at + U(5)]
                            w6 = wf[w_at + U(6)]
                            w7 = wf[w_at + U(7)]
                            w8 = wf[w_at + U(8)]
                            w9 = wf[w_at + U(9)]
                            w10 = wf[w_at + U(10)]
                            w11 = wf[w_at + U(11)]
                            w12 = wf[w_at + U(12)]
                            w13 = wf[w_at + U(13)]
                            w14 = wf[w_at + U(14)]
                            w15 = wf[w_at + U(15)]
                            a0_0 += xf[x_at + U(0 * c + 0)] * w0
                            a0_1 += xf[x_at + U(0 * c + 1)] * w1
                            a0_2 += xf[x_at + U(0 * c + 2)] * w2
                            a0_3 += xf[x_at + U(0 * c + 3)] * w3
                            a0_4 += xf[x_at + U(0 * c + 4)] * w4
                            a0_5 += xf[x_at + U(0 * c + 5)] * w5
                            a0_6 += xf[x_at + U(0 * c + 6)] * w6
                            a0_7 += xf[x_at + U(0 * c + 7)] * w7
                            a0_8 += xf[x_at + U(0 * c + 8)] * w8
                            a0_9 += xf[x_at + U(0 * c + 9)] * w9
                            a0_10 += xf[x_at + U(0 * c + 10)] * w10
                            a0_11 += xf[x_at + U(0 * c + 11)] * w11
                            a0_12 += xf[x_at + U(0 * c + 12)] * w12
                            a0_13 += xf[x_at + U(0 * c + 13)] * w13
                            a0_14 += xf[x_at + U(0 * c + 14)] * w14
                            a0_15 += xf[x_at + U(0 * c + 15)] * w15
                            a1_0 += xf[x_at + U(1 * c + 0)] * w0
                            a1_1 += xf[x_at + U(1 * c + 1)] * w1
                            a1_2 += xf[x_at + U(1 * c + 2)] * w2
                            a1_3 += xf[x_at + U(1 * c + 3)] * w3
                            a1_4 += xf[x_at + U(1 * c + 4)] * w4
                            a1_5 += xf[x_at + U(1 * c + 5)] * w5
                            a1_6 += xf[x_at + U(1 * c + 6)] * w6
                            a1_7 += xf[x_at + U(1 * c + 7)] * w7
                            a1_8 += xf[x_at + U(1 * c + 8)] * w8
                            a1_9 += xf[x_at + U(1 * c + 9)] * w9
                            a1_10 += xf[x_at + U(1 * c + 10)] * w10
                            a1_11 += xf[x_at + U(1 * c + 11)] * w11
                            a1_12 += xf[x_at + U(1 * c + 12)] * w12
                            a1_13 += xf[x_at + U(1 * c + 13)] * w13
                            a1_14 += xf[x_at + U(1 * c + 14)] * w14
                            a1_15 += xf[x_at + U(1 * c + 15)] * w15
                        z_at = U(((n * out_h + oh) * out_w + ow0) * c) + jb
                        zf[z_at + U(0 * c + 0)] = a0_0
                        zf[z_at + U(0 * c + 1)] = a0_1
                        zf[z_at + U(0 * c + 2)] = a0_2
                        zf[z_at + U(0 * c + 3)] = a0_3
                        zf[z_at + U(0 * c + 4)] = a0_4
                        zf[z_at + U(0 * c + 5)] = a0_5
                        zf[z_at + U(0 * c + 6)] = a0_6
                        zf[z_at + U(0 * c + 7)] = a0_7
                        zf[z_at + U(0 * c + 8)] = a0_8
                        zf[z_at + U(0 * c + 9)] = a0_9
                        zf[z_at + U(0 * c + 10)] = a0_10
                        zf[z_at + U(0 * c + 11)] = a0_11
                        zf[z_at + U(0 * c + 12)] = a0_12
                        zf[z_at + U(0 * c + 13)] = a0_13
                        zf[z_at + U(0 * c + 14)] = a0_14
                        zf[z_at + U(0 * c + 15)] = a0_15
                        zf[z_at + U(1 * c + 0)] = a1_0
                        zf[z_at + U(1 * c + 1)] = a1_1
                        zf[z_at + U(1 * c + 2)] = a1_2
                        zf[z_at + U(1 * c + 3)] = a1_3
                        zf[z_at + U(1 * c + 4)] = a1_4
                        zf[z_at + U(1 * c + 5)] = a1_5
                        zf[z_at + U(1 * c + 6)] = a1_6
                        zf[z_at + U(1 * c + 7)] = a1_7
                        zf[z_at + U(1 * c + 8)] = a1_8
                        zf[z_at + U(1 * c + 9)] = a1_9
                        zf[z_at + U(1 * c + 10)] = a1_10
                        zf[z_at + U(1 * c + 11)] = a1_11
                        zf[z_at + U(1 * c + 12)] = a1_12
                        zf[z_at + U(1 * c + 13)] = a1_13
                        zf[z_at + U(1 * c + 14)] = a1_14
                        zf[z_at + U(1 * c + 15)] = a1_15
                    ow0 += 2
                else:
                    for jb_ in range(0, c, 16):
                        jb = U(jb_)
                        a0_0 = b[jb + U(0)]
                        a0_1 = b[jb + U(1)]
                        a0_2 = b[jb + U(2)]
                        a0_3 = b[jb + U(3)]
                        a0_4 = b[jb + U(4)]
                        a0_5 = b[jb + U(5)]
                        a0_6 = b[jb + U(6)]
                        a0_7 = b[jb + U(7)]
                        a0_8 = b[jb + U(8)]
                        a0_9 = b[jb + U(9)]
                        a0_10 = b[jb + U(10)]
                        a0_11 = b[jb + U(11)]
                        a0_12 = b[jb + U(12)]
                        a0_13 = b[jb + U(13)]
                        a0_14 = b[jb + U(14)]
                        a0_15 = b[jb + U(15)]
                        for k in range(n_taps):
                            yk, xk = oh - top + dy_k[k], ow0 - left + dx_k[k]
                            if yk < 0 or yk >= height or xk < 0 or xk >= width:
                                continue  # zero padding adds nothing
                            x_at = U(((n * height + yk) * width + xk) * c) + jb
                            w_at = U(k * c) + jb
                            w0 = wf[w_at + U(0)]
                            w1 = wf[w_at + U(1)]
                            w2 = wf[w_at + U(2)]
                            w3 = wf[w_at + U(3)]
                            w4 = wf[w_at + U(4)]
                            w5 = wf[w_at + U(5)]
                            w6 = wf[w_at + U(6)]
                            w7 = wf[w_at + U(7)]
                            w8 = wf[w_at + U(8)]
                            w9 = wf[w_at + U(9)]
                            w10 = wf[w_at + U(10)]
                            w11 = wf[w_at + U(11)]
                            w12 = wf[w_at + U(12)]
                            w13 = wf[w_at + U(13)]
                            w14 = wf[w_at + U(14)]
                            w15 = wf[w_at + U(15)]
                            a0_0 += xf[x_at + U(0 * c + 0)] * w0
                            a0_1 += xf[x_at + U(0 * c + 1)] * w1
                            a0_2 += xf[x_at + U(0 * c + 2)] * w2
                            a0_3 += xf[x_at + U(0 * c + 3)] * w3
                            a0_4 += xf[x_at + U(0 * c + 4)] * w4
                            a0_5 += xf[x_at + U(0 * c + 5)] * w5
                            a0_6 += xf[x_at + U(0 * c + 6)] * w6
                            a0_7 += xf[x_at + U(0 * c + 7)] * w7
                            a0_8 += xf[x_at + U(0 * c + 8)] * w8
                            a0_9 += xf[x_at + U(0 * c + 9)] * w9
                            a0_10 += xf[x_at + U(0 * c + 10)] * w10
                            a0_11 += xf[x_at + U(0 * c + 11)] * w11
                            a0_12 += xf[x_at + U(0 * c + 12)] * w12
                            a0_13 += xf[x_at + U(0 * c + 13)] * w13
                            a0_14 += xf[x_at + U(0 * c + 14)] * w14
                            a0_15 += xf[x_at + U(0 * c + 15)] * w15
                        z_at = U(((n * out_h + oh) * out_w + ow0) * c) + jb
                        zf[z_at + U(0 * c + 0)] = a0_0
                        zf[z_at + U(0 * c + 1)] = a0_1
                        zf[z_at + U(0 * c + 2)] = a0_2
                        zf[z_at + U(0 * c + 3)] = a0_3
                        zf[z_at + U(0 * c + 4)] = a0_4
                        zf[z_at + U(0 * c + 5)] = a0_5
                        zf[z_at + U(0 * c + 6)] = a0_6
                        zf[z_at + U(0 * c + 7)] = a0_7
                        zf[z_at + U(0 * c + 8)] = a0_8
                        zf[z_at + U(0 * c + 9)] = a0_9
                        zf[z_at + U(0 * c + 10)] = a0_10
                        zf[z_at + U(0 * c + 11)] = a0_11
                        zf[z_at + U(0 * c + 12)] = a0_12
                        zf[z_at + U(0 * c + 13)] = a0_13
                        zf[z_at + U(0 * c + 14)] = a0_14
                        zf[z_at + U(0 * c + 15)] = a0_15
                    ow0 += 1
    return z
