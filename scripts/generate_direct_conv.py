"""Write ``xcnn/_direct_conv_kernels.py``: convolution loops unrolled into register blocks.

A direct convolution keeps a block of outputs in registers while it walks
the kernel's taps: here 8 output pixels x 8 output channels in the forward
pass, and 8 input channels x 8 output channels of the weight gradient.
Numba compiles loops over arrays, not blocks of registers, so the blocks
are written out as one scalar variable per register lane; LLVM's SLP
vectoriser then packs each row of 8 lanes into one vector register
(:mod:`xcnn._direct_conv` turns it on for these kernels). Writing 64
accumulators by hand would be error-prone, so this script writes them, and
``tests/test_direct_conv.py`` checks that the file matches its output.

Indices are unsigned (``np.uint64``): Numba then leaves out the wraparound
for negative indices, whose selects kept the vectoriser from seeing that
lanes sit next to each other in memory (30 against 81 GFLOP/s).

Usage: ``python scripts/generate_direct_conv.py`` (rewrites the file).
"""

from __future__ import annotations

import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "xcnn" / "_direct_conv_kernels.py"

PIXELS = 8
"""Output pixels per register block of the forward pass."""
LANES = 8
"""Output channels per register block: one 256-bit vector of float32."""
CHANNELS = 8
"""Input channels per register block of the weight gradient."""

HEADER = '''"""Direct convolution loops, unrolled into register blocks (generated; do not edit).

Written by ``scripts/generate_direct_conv.py``; :mod:`xcnn._direct_conv`
compiles and calls them. Plain Python functions: they run (slowly) without
Numba too. Arrays are C-contiguous and read through flat views with
unsigned indices; see the generator for why.
"""

import numpy as np

U = np.uint64
'''


def _lines_forward_block(pixels: int, indent: str) -> list[str]:
    """Accumulate ``pixels`` output pixels x LANES channels starting at column ``ow0``, block ``jb``."""
    out = []
    for p in range(pixels):
        for j in range(LANES):
            out.append(f"{indent}a{p}_{j} = b[jb + U({j})]")
    out += [
        f"{indent}for k in range(n_taps):",
        f"{indent}    x_at = U(((n * height + oh * sh + dy_k[k]) * width + ow0 * sw + dx_k[k]) * c_in)",
        f"{indent}    w_at = U(k * c_in * c_out) + jb",
        f"{indent}    for c in range(c_in):",
        f"{indent}        w_row = w_at + U(c * c_out)",
    ]
    inner = indent + "        "
    for j in range(LANES):
        out.append(f"{inner}w{j} = wf[w_row + U({j})]")
    for p in range(pixels):
        out.append(f"{inner}x{p} = xf[x_at + U({p} * sw * c_in + c)]")
        for j in range(LANES):
            out.append(f"{inner}a{p}_{j} += x{p} * w{j}")
    out.append(f"{indent}z_at = U(((n * out_h + oh) * out_w + ow0) * c_out) + jb")
    for p in range(pixels):
        for j in range(LANES):
            out.append(f"{indent}zf[z_at + U({p} * c_out + {j})] = a{p}_{j}")
    return out


def forward_source() -> str:
    """``forward``: ``z[n, oh, ow, :] = b + sum over taps k, channels c of x[n, oh*sh + dy_k[k], ow*sw + dx_k[k], c] * w[k, c, :]``."""
    lines = [
        "def forward(x, w, b, z, dy_k, dx_k, sh, sw):",
        '    """Correlate the padded ``x (m, H, W, C_in)`` with ``w (taps, C_in, C_out)``, plus ``b``, into ``z``.',
        "",
        f"    ``z`` is ``(m, out_h, out_w, C_out)`` with ``C_out`` a multiple of {LANES}; tap ``k``",
        "    reads ``x`` at row offset ``dy_k[k]`` and column offset ``dx_k[k]``. Blocks of",
        f"    {PIXELS} pixels; a row's last block overlaps the one before it (the same sums,",
        f"    written twice), and rows narrower than {PIXELS} go one pixel at a time.",
        '    """',
        "    m, out_h, out_w, c_out = z.shape",
        "    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]",
        "    n_taps = dy_k.shape[0]",
        "    xf, wf, zf = x.reshape(-1), w.reshape(-1), z.reshape(-1)",
        "    for n in range(m):",
        "        for oh in range(out_h):",
        f"            if out_w >= {PIXELS}:",
        f"                for block in range((out_w + {PIXELS - 1}) // {PIXELS}):",
        f"                    ow0 = min(block * {PIXELS}, out_w - {PIXELS})",
        f"                    for jb_ in range(0, c_out, {LANES}):",
        "                        jb = U(jb_)",
    ]
    lines += _lines_forward_block(PIXELS, " " * 24)
    lines += [
        "            else:",
        "                for ow0 in range(out_w):",
        f"                    for jb_ in range(0, c_out, {LANES}):",
        "                        jb = U(jb_)",
    ]
    lines += _lines_forward_block(1, " " * 24)
    lines.append("    return z")
    return "\n".join(lines)


def weight_gradient_source() -> str:
    """``weight_gradient``: ``dw[k, c, :] += sum over pixels of x[.., tap k, c] * dz[pixel, :]``."""
    lines = [
        "def weight_gradient(x, dz, dw, db, part, part_b, dy_k, dx_k, sh, sw):",
        '    """Add to ``dw (taps, C_in, C_out)`` and ``db (C_out,)`` the gradients of :func:`forward` for these samples.',
        "",
        f"    ``C_in`` and ``C_out`` are multiples of {CHANNELS} and {LANES}. Each sample's share is summed",
        "    in ``part`` and ``part_b`` (shaped as ``dw`` and ``db``) first: shorter float sums, less rounding.",
        '    """',
        "    m, out_h, out_w, c_out = dz.shape",
        "    height, width, c_in = x.shape[1], x.shape[2], x.shape[3]",
        "    n_taps = dy_k.shape[0]",
        "    xf, dzf, pf = x.reshape(-1), dz.reshape(-1), part.reshape(-1)",
        "    for n in range(m):",
        "        part[:] = 0",
        "        part_b[:] = 0",
        "        for pixel in range(out_h * out_w):",
        "            d_at = U((n * out_h * out_w + pixel) * c_out)",
        "            for j in range(c_out):",
        "                part_b[j] += dzf[d_at + U(j)]",
        "        for oh in range(out_h):",
        "            for k in range(n_taps):",
        "                x_row = U(((n * height + oh * sh + dy_k[k]) * width + dx_k[k]) * c_in)",
        f"                for cb_ in range(0, c_in, {CHANNELS}):",
        "",
        f"                    for jb_ in range(0, c_out, {LANES}):",
        "                        jb = U(jb_)",
        "                        p_at = U((k * c_in + cb_) * c_out) + jb",
    ]
    ind = " " * 24
    for p in range(CHANNELS):
        for j in range(LANES):
            lines.append(f"{ind}a{p}_{j} = pf[p_at + U({p} * c_out + {j})]")
    lines += [
        f"{ind}for ow in range(out_w):",
        f"{ind}    x_at = x_row + U(ow * sw * c_in + cb_)",
        f"{ind}    d_at = U(((n * out_h + oh) * out_w + ow) * c_out) + jb",
    ]
    for j in range(LANES):
        lines.append(f"{ind}    d{j} = dzf[d_at + U({j})]")
    for p in range(CHANNELS):
        lines.append(f"{ind}    x{p} = xf[x_at + U({p})]")
        for j in range(LANES):
            lines.append(f"{ind}    a{p}_{j} += x{p} * d{j}")
    for p in range(CHANNELS):
        for j in range(LANES):
            lines.append(f"{ind}pf[p_at + U({p} * c_out + {j})] = a{p}_{j}")
    lines += ["        dw += part", "        db += part_b", "    return dw"]
    return "\n".join(lines)


def source() -> str:
    """The whole generated module."""
    return "\n\n\n".join([HEADER.rstrip("\n"), forward_source(), weight_gradient_source()]) + "\n"


def main() -> int:
    TARGET.write_text(source())
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
