"""The register blocks of the generated convolution loops (:mod:`xcnn._backends.numpy.numba.register_blocks`).

Each compiled intrinsic against its plain-Python version (NumPy, which the
generated loops also run as), for every block shape the tables use plus odd
ones, in both dtypes; and every access bounds-checked: always in plain Python,
and compiled under ``NUMBA_BOUNDSCHECK=1``.
"""

from __future__ import annotations

import numpy as np
import pytest

from .helpers import run_python

pytest.importorskip("numba", reason="the compiled kernels need Numba (a dependency of xcnn where it has wheels)")

import numba

from xcnn._backends.numpy.numba import register_block_intrinsics  # noqa: F401 - registers the compiled blocks
from xcnn._backends.numpy.numba.register_blocks import (
    block_add_to,
    block_fma,
    block_fma_rows,
    block_load,
    block_store,
    block_store_sums,
    block_zeros,
)

SHAPES = [(1, 8), (3, 32), (8, 16), (4, 8), (2, 5), (3, 7), (1, 1), (6, 64)]
"""``(rows, lanes)``: the tables' shapes and odd ones (lanes not a power of two: the pairwise sum's odd lane)."""


def every_block_operation(a, w, out, at, step, rows, lanes):
    """Each block operation once, their results written into `out` (flat) one after another."""
    rows, lanes = numba.literally(rows), numba.literally(lanes)  # compiled once per shape, as the loops are
    block = block_load(a, at, step, rows, lanes)
    block = block_fma(block, a, at + 1, step, w, 2)
    block = block_fma_rows(block, a, at, step, w, 1)
    block_store(block, out, 0, lanes)
    block_add_to(block, out, rows * lanes, lanes)
    block_add_to(block, out, rows * lanes, lanes)
    block_store_sums(block, out, 2 * rows * lanes, 1)
    zeros = block_fma(block_zeros(out, rows, lanes), a, 0, 0, w, 0)
    block_store(zeros, out, 2 * rows * lanes + rows, lanes)


COMPILED = numba.njit(every_block_operation)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("rows", "lanes"), SHAPES, ids=str)
def test_compiled_blocks_compute_what_the_plain_ones_do(rows, lanes, dtype):
    rng = np.random.default_rng(rows * 100 + lanes)
    step = lanes + 3
    a = rng.standard_normal(2 + rows * step + lanes).astype(dtype)
    w = rng.standard_normal(lanes + 2).astype(dtype)
    size = 3 * rows * lanes + rows
    plain, compiled = np.zeros(size, dtype), np.zeros(size, dtype)
    every_block_operation(a, w, plain, 1, step, rows, lanes)
    COMPILED(a, w, compiled, 1, step, rows, lanes)
    tolerance = 1e-5 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(compiled, plain, rtol=tolerance, atol=tolerance)
    expected_first = a[1 : 1 + lanes] + a[2] * w[2 : 2 + lanes] + a[1 : 1 + lanes] * w[1 : 1 + lanes]
    np.testing.assert_allclose(plain[:lanes], expected_first, rtol=tolerance)  # the plain blocks do what they say
    np.testing.assert_allclose(plain[2 * rows * lanes], expected_first.sum(), rtol=tolerance)


def test_plain_blocks_refuse_runs_outside_their_array():
    a = np.zeros(10)
    with pytest.raises(IndexError, match="outside its array"):
        block_load(a, 4, 0, 1, 8)
    with pytest.raises(IndexError, match="outside its array"):
        block_fma(np.zeros((2, 4)), a, 9, 1, a, 0)  # the second row's scalar, a[10]
    with pytest.raises(IndexError, match="outside its array"):
        block_store(np.zeros((1, 4)), a, -1, 0)


def test_compiled_blocks_check_bounds_where_numba_does():
    """Under ``NUMBA_BOUNDSCHECK=1`` (tests/boundscheck_sweep.py) a run of lanes past the array raises;
    without it nothing is checked (the loops' speed), so the sweep must run with it."""
    code = (
        "import numpy as np, numba\n"
        "from xcnn._backends.numpy.numba import register_block_intrinsics\n"
        "from xcnn._backends.numpy.numba.register_blocks import block_load, block_store, block_fma\n"
        "@numba.njit\n"
        "def past_the_end(a, at):\n"
        "    block_store(block_load(a, at, 0, 1, 8), a, 0, 0)\n"
        "@numba.njit\n"
        "def scalar_past_the_end(a, at):\n"
        "    block_store(block_fma(block_load(a, 0, 0, 2, 4), a, at, 1, a, 0), a, 0, 0)\n"
        "a = np.zeros(10, np.float32)\n"
        "past_the_end(a, 2)\n"
        "for f, at in ((past_the_end, 3), (past_the_end, -1), (scalar_past_the_end, 9)):\n"
        "    try:\n"
        "        f(a, at)\n"
        "    except IndexError as e:\n"
        "        print('IndexError', e)\n"
    )
    result = run_python(code, NUMBA_BOUNDSCHECK="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("IndexError register block reaches outside its array") == 3, result.stdout


def test_a_block_needs_literal_shapes_and_flat_arrays():
    """The shape must be known when a loop compiles, and indices are offsets into flat C arrays."""

    @numba.njit
    def runtime_rows(a, rows):
        return block_load(a, 0, 0, rows, 8)

    @numba.njit
    def two_dimensional(a):
        return block_load(a, 0, 0, 1, 8)

    with pytest.raises(numba.core.errors.TypingError):
        runtime_rows(np.zeros(8), 1)
    with pytest.raises(numba.core.errors.TypingError):
        two_dimensional(np.zeros((2, 8)))


def test_the_fma_peak_burst_does_the_multiply_adds_it_counts():
    """The benchmark's FMA peak (:mod:`xcnn._backends.numpy.numba.fma_peak`) counts every lane of
    every accumulator: each must really be computed, as the recurrence says."""
    from xcnn._backends.numpy.numba import fma_peak

    for lanes, burst in fma_peak._BURSTS.items():
        out = np.zeros(lanes, np.float32)
        burst(out, 5)
        values = np.arange(fma_peak.ACCUMULATORS, dtype=np.float32)
        for _ in range(5):
            values = values * np.float32(0.999999) + np.float32(1e-7)
        np.testing.assert_allclose(out, np.full(lanes, values.sum()), rtol=1e-6)
