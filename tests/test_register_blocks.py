"""The register blocks of the generated convolution and max-pool loops (:mod:`.register_blocks` of
``xcnn._backends.numpy.numba``).

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
    block_max_start,
    block_max_step,
    block_route,
    block_route_add,
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


def route_window_maxima(cells, g, out, n_cells, lanes):
    """The max-pool gradient's blocks over one window of `n_cells` runs of `lanes` (``cells``, one run
    after another): its maximum found from the first run, then ``g`` sent to each run's place in
    `out`, written for the first half of the runs and added for the rest."""
    lanes = numba.literally(lanes)
    state = block_max_start(cells, 0, 0, lanes)
    for k in range(1, n_cells):
        state = block_max_step(state, cells, k * lanes, k)
    for k in range(n_cells):
        if k < n_cells // 2:
            block_route(state, g, 0, k, out, k * lanes)
        else:
            block_route_add(state, g, 0, k, out, k * lanes)


ROUTE_COMPILED = numba.njit(route_window_maxima)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("lanes", [16, 8, 5, 1])
def test_compiled_max_blocks_route_as_the_plain_ones_and_as_pytorch_rules(lanes, dtype):
    """Each lane's gradient goes to its first maximum, its last NaN, or (all -inf) its first cell;
    compiled and plain agree to the bit, and equal a per-lane loop written out here."""
    rng = np.random.default_rng(lanes)
    n_cells = 6
    cells = np.round(rng.standard_normal((n_cells, lanes)))  # ties
    cells[:, 0] = -np.inf
    if lanes > 1:
        cells[[1, 4], 1] = np.nan  # the last NaN wins
    if lanes > 2:
        cells[:, 2] = [1, 3, 3, 2, 3, 0]  # the first of the tied maxima
    cells, g = cells.astype(dtype), rng.standard_normal(lanes).astype(dtype)
    before = rng.standard_normal((n_cells, lanes)).astype(dtype)  # the added half keeps what was there
    plain, compiled = before.copy(), before.copy()
    route_window_maxima(cells.reshape(-1), g, plain.reshape(-1), n_cells, lanes)
    ROUTE_COMPILED(cells.reshape(-1), g, compiled.reshape(-1), n_cells, lanes)
    np.testing.assert_array_equal(compiled, plain)
    expected = before.copy()
    expected[: n_cells // 2] = 0
    for j in range(lanes):
        best, at = cells[0, j], 0
        for k in range(1, n_cells):
            if cells[k, j] > best or np.isnan(cells[k, j]):
                best, at = cells[k, j], k
        expected[at, j] += g[j]
    np.testing.assert_array_equal(plain, expected)
    if lanes > 2:
        assert plain[1, 2] == g[2] and plain[4, 1] == before[4, 1] + g[1] and plain[0, 0] == g[0]


def test_plain_blocks_refuse_runs_outside_their_array():
    a = np.zeros(10)
    with pytest.raises(IndexError, match="outside its array"):
        block_load(a, 4, 0, 1, 8)
    with pytest.raises(IndexError, match="outside its array"):
        block_fma(np.zeros((2, 4)), a, 9, 1, a, 0)  # the second row's scalar, a[10]
    with pytest.raises(IndexError, match="outside its array"):
        block_store(np.zeros((1, 4)), a, -1, 0)
    with pytest.raises(IndexError, match="outside its array"):
        block_max_step(block_max_start(a, 0, 0, 4), a, 7, 1)
    with pytest.raises(IndexError, match="outside its array"):
        block_route_add(np.zeros((2, 4)), a, 0, 0, a, 8)


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
        "from xcnn._backends.numpy.numba.register_blocks import block_max_start, block_max_step\n"
        "from xcnn._backends.numpy.numba.register_blocks import block_route\n"
        "@numba.njit\n"
        "def maximum_past_the_end(a, at):\n"
        "    block_route(block_max_step(block_max_start(a, 0, 0, 4), a, at, 1), a, 0, 0, a, 0)\n"
        "@numba.njit\n"
        "def route_past_the_end(a, at):\n"
        "    block_route(block_max_start(a, 0, 0, 4), a, 0, 0, a, at)\n"
        "a = np.zeros(10, np.float32)\n"
        "past_the_end(a, 2)\n"
        "maximum_past_the_end(a, 6)\n"
        "route_past_the_end(a, 6)\n"
        "for f, at in ((past_the_end, 3), (past_the_end, -1), (scalar_past_the_end, 9),\n"
        "              (maximum_past_the_end, 7), (route_past_the_end, 7)):\n"
        "    try:\n"
        "        f(a, at)\n"
        "    except IndexError as e:\n"
        "        print('IndexError', e)\n"
    )
    result = run_python(code, NUMBA_BOUNDSCHECK="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("IndexError register block reaches outside its array") == 5, result.stdout


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
