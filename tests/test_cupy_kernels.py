"""The CuPy gather kernel's source, compiled as C++ for the CPU and checked against the generic code.

The kernel body in :mod:`xcnn._backends.cupy.kernels` is plain C++ over an index ``i``;
wrapped in a loop it runs here without a GPU, so its index arithmetic is
tested on every machine with a C++ compiler. On a GPU the ``cupy`` cases of the
other tests run the kernel itself.
"""

from __future__ import annotations

import ctypes
import itertools
import shutil
import subprocess
from pathlib import Path

import array_api_compat.numpy as xp
import numpy as np
import pytest

from xcnn._reference import windows as _windows
from xcnn._reference.primitives import REFERENCE
from xcnn._backends.cupy.kernels import _FOLD as _GATHER
from xcnn._geometry import Windows

COMPILER = shutil.which("g++") or shutil.which("c++")

HARNESS = """
#include <cstddef>
template <typename T>
void gather(const T* src, int height, int width, int channels, int out_h, int out_w, int kh, int kw,
            int sh, int sw, int dh, int dw, long long row, long long koff, T* result, long long total) {
  for (std::ptrdiff_t i = 0; i < total; ++i) {
    T out;
BODY
    result[i] = out;
  }
}
extern "C" void gather_f64(const double* src, int height, int width, int channels, int out_h, int out_w,
                           int kh, int kw, int sh, int sw, int dh, int dw, long long row, long long koff,
                           double* result, long long total) {
  gather<double>(src, height, width, channels, out_h, out_w, kh, kw, sh, sw, dh, dw, row, koff, result, total);
}
"""


@pytest.fixture(scope="module")
def gather(tmp_path_factory: pytest.TempPathFactory):
    if COMPILER is None:
        pytest.skip("no C++ compiler to build the kernel source for the CPU")
    folder = tmp_path_factory.mktemp("kernel")
    source, library = folder / "gather.cpp", folder / "gather.so"
    source.write_text(HARNESS.replace("BODY", _GATHER))
    subprocess.run([COMPILER, "-O1", "-Wall", "-Werror", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    lib = ctypes.CDLL(str(Path(library)))
    pointer = ctypes.POINTER(ctypes.c_double)

    def run(src: np.ndarray, win: Windows, m: int, channels: int, per_offset: bool) -> np.ndarray:
        (height, width), (out_h, out_w) = win.padded_size, win.out_size
        (kh, kw), (sh, sw), (dh, dw) = win.kernel, win.stride, win.dilation
        row, koff = (kh * kw * channels, channels) if per_offset else (channels, 0)
        src = np.ascontiguousarray(src, dtype=np.float64)
        out = np.full((m, height, width, channels), np.nan)
        lib.gather_f64(
            src.ctypes.data_as(pointer), height, width, channels, out_h, out_w, kh, kw, sh, sw, dh, dw,
            ctypes.c_longlong(row), ctypes.c_longlong(koff), out.ctypes.data_as(pointer), ctypes.c_longlong(out.size),
        )
        return out

    return run


GEOMETRIES = [
    Windows(in_size=size, kernel=kernel, stride=stride, dilation=dilation, padding=padding)
    for size, kernel, stride, dilation, padding in itertools.product(
        [(5, 6), (9, 7)], [(1, 1), (2, 3), (3, 3), (5, 5)], [(1, 1), (2, 1), (3, 2)], [(1, 1), (2, 1)],
        [((0, 0), (0, 0)), ((1, 2), (0, 1))],
    )
]
GEOMETRIES = [g for g in GEOMETRIES if min(g.out_size) > 0]


@pytest.fixture(autouse=True)
def _array_api_code(monkeypatch):
    """Compare with the array-API code, not NumPy's compiled kernels (which add in another order)."""
    import xcnn._backends.numpy.numba.available as jit

    monkeypatch.setattr(jit, "_switched_on", lambda: False)


def test_the_kernel_source_gathers_exactly_what_col2im_adds(gather):
    rng = np.random.default_rng(0)
    for win in GEOMETRIES:
        m, channels = 2, 3
        out_h, out_w = win.out_size
        dcols = rng.standard_normal((m * out_h * out_w, win.n_offsets * channels))
        want = _windows.fold(dcols, win, m, channels, xp, REFERENCE)
        np.testing.assert_array_equal(gather(dcols, win, m, channels, True), want, err_msg=str(win))


def test_the_kernel_source_spreads_like_spread(gather):
    rng = np.random.default_rng(1)
    for win in GEOMETRIES:
        m, channels = 2, 3
        dy = rng.standard_normal((m, *win.out_size, channels))
        want = _windows.spread(dy, win, channels, xp, REFERENCE)
        np.testing.assert_allclose(gather(dy, win, m, channels, False), want, rtol=1e-13, atol=1e-13, err_msg=str(win))
