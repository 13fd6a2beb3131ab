"""The vector ISA whose register-block shapes the convolution loops take (:mod:`xcnn._backends.numpy.numba.isa`).

Every ISA's shapes are checked against PyTorch on this one machine: each in a
child process that names its CPU to Numba (``NUMBA_CPU_NAME`` and
``NUMBA_CPU_FEATURES``), so that the loops are compiled to that ISA's
instructions (AVX-512, AVX2, SSE), or, for NEON, whose instructions only an ARM
CPU runs, its shapes in this CPU's 128-bit vectors. The compiled code is read
back to check that it uses the registers it should.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .helpers import ROOT, run_python

pytest.importorskip("numba", reason="the compiled kernels need Numba (a dependency of xcnn where it has wheels)")

import llvmlite.binding as llvm

from xcnn._backends.numpy.numba import isa

X86 = isa.compile_target()[2] in ("x86_64", "amd64")
HOST = frozenset(f for f, on in llvm.get_host_cpu_features().items() if on)
BASE = "+sse,+sse2,+sse3,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16"
AVX2 = BASE + ",+avx,+avx2,+fma,+f16c,+bmi,+bmi2,+lzcnt,+movbe"
TARGETS = {  # ISA: (XCNN_ISA, the CPU named to Numba, its features, the host features it needs)
    "avx512": ("avx512", "skylake-avx512", AVX2 + ",+avx512f,+avx512bw,+avx512dq,+avx512vl,+avx512cd",
               {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx2", "fma"}),
    "avx2": ("avx2", "haswell", AVX2, {"avx2", "fma", "bmi2"}),
    "sse": ("sse", "x86-64", BASE, {"sse4.2"}),
}
"""Skylake-SP for AVX-512: LLVM prefers 256-bit vectors there, and the blocks must still be 512-bit."""


def _target_env(name: str) -> dict[str, str]:
    if not X86:
        pytest.skip("the named CPUs are x86 ones")
    xcnn_isa, cpu, features, needs = TARGETS[name]
    if not needs <= HOST:
        pytest.skip(f"this CPU lacks {sorted(needs - HOST)}")
    return {"XCNN_ISA": xcnn_isa, "NUMBA_CPU_NAME": cpu, "NUMBA_CPU_FEATURES": features}


REGISTERS = (
    "import re, numpy as np\n"
    "from xcnn._backends.numpy.numba import direct_loops as dl\n"
    "k = dl.FORWARD[np.dtype(np.float32)][16]  # a width every ISA's table has\n"
    "f32, i64 = np.float32, np.int64\n"
    "k(np.zeros((1, 4, 12, 8), f32), np.zeros(0, f32), np.zeros((1, 9, 8, 16), f32), np.zeros(16, f32),\n"
    "  np.zeros((1, 2, 10, 16), f32), np.zeros(9, i64), np.zeros(9, i64), np.array([[2, 10, 0, 0, 0, 9]], i64),\n"
    "  0, 0, 4, 12, 1, 1, 1, 1)\n"
    "asm = k.inspect_asm(k.signatures[0])\n"
    "print(dl.ISA, *(len(re.findall(r'\\b%s\\d+' % r, asm)) for r in ('xmm', 'ymm', 'zmm')))\n"
)


@pytest.mark.parametrize("name", list(TARGETS))
def test_each_isa_compiles_to_its_own_registers(tmp_path, name):
    env = _target_env(name)
    result = run_python(REGISTERS, **env, NUMBA_CACHE_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    chosen, xmm, ymm, zmm = result.stdout.split()
    assert chosen == name
    widest = {"avx512": zmm, "avx2": ymm, "sse": xmm}[name]
    wider = {"avx512": [], "avx2": [zmm], "sse": [ymm, zmm]}[name]
    assert int(widest) > 0 and all(int(n) == 0 for n in wider), result.stdout


@pytest.mark.parametrize("name", [*TARGETS, "neon"])
def test_each_isa_matches_pytorch(tmp_path, name):
    """The PyTorch comparisons of tests/test_direct_conv.py with another ISA's shapes and instructions."""
    pytest.importorskip("torch")
    env = {"XCNN_ISA": "neon"} if name == "neon" else _target_env(name)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("XCNN_")} | env
    full_env["NUMBA_CACHE_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
               "tests/test_direct_conv.py", "-k", "match_pytorch"]
    result = subprocess.run(command, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"\b\d+ passed", result.stdout) and "skipped" not in result.stdout.splitlines()[-1]


def test_xcnn_isa_is_checked():
    bad = run_python("from xcnn._backends.numpy.numba.isa import chosen; chosen()", XCNN_ISA="avx1024")
    assert "XCNN_ISA must be one of avx512, avx2, neon, sse or auto, got 'avx1024'" in bad.stderr
    layer = run_python(  # and a layer that would run the loops says so, before computing anything
        "import numpy as np, xcnn.functional as F\n"
        "F.conv2d(np.ones((1, 8, 8, 8), np.float32), np.ones((3, 3, 8, 8), np.float32))",
        XCNN_ISA="avx1024",
    )
    assert layer.returncode != 0 and "ValueError: XCNN_ISA must be one of" in layer.stderr
    if X86 and "avx512f" not in HOST:
        wider = run_python("from xcnn._backends.numpy.numba.isa import chosen; chosen()", XCNN_ISA="avx512")
        assert "XCNN_ISA=avx512 asks for AVX-512" in wider.stderr
    forced = run_python("from xcnn._backends.numpy.numba.isa import chosen; print(chosen()[0])", XCNN_ISA="sse")
    assert forced.stdout.strip() == "sse", forced.stderr


def test_the_isa_follows_the_cpu_numba_compiles_for():
    if not X86:
        pytest.skip("the named CPUs are x86 ones")
    code = "from xcnn._backends.numpy.numba.isa import chosen; print(chosen()[0])"
    assert run_python(code, NUMBA_CPU_NAME="haswell", NUMBA_CPU_FEATURES=AVX2).stdout.strip() == "avx2"
    assert run_python(code, NUMBA_CPU_NAME="x86-64", NUMBA_CPU_FEATURES=BASE).stdout.strip() == "sse"
    widest = "avx512" if "avx512f" in HOST else "avx2" if {"avx2", "fma"} <= HOST else "sse"
    assert run_python(code).stdout.strip() == widest


def test_xcnn_info_says_which_blocks_run():
    result = run_python("import sys; from xcnn.cli import main; sys.exit(main(['info']))", XCNN_ISA="sse")
    assert result.returncode == 0, result.stderr
    assert "vector ISA        register blocks for sse, as XCNN_ISA asks" in result.stdout
    bad = run_python("import sys; from xcnn.cli import main; sys.exit(main(['info']))", XCNN_ISA="avx1024")
    assert "register blocks for none: XCNN_ISA must be one of" in bad.stdout, bad.stderr
