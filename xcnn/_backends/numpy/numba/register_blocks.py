"""Register blocks: a few rows of vector registers, which the generated loops load, multiply-add and store whole.

A direct convolution keeps a block of sums in registers while it walks the
kernel's taps: ``rows x lanes`` of them (output pixels x output channels, or
input channels x output channels). The generated loops of
:mod:`.direct_conv_kernels` hold such a block in one variable and work on it
with the functions here. Compiled, each is an intrinsic of
:mod:`.register_block_intrinsics` that writes LLVM vectors of ``lanes``
elements, one per row, which LLVM splits into the host's vector registers (two
512-bit registers for 32 float32 lanes on AVX-512, four 256-bit ones on AVX2,
eight 128-bit ones on SSE or NEON): one generated loop serves every vector ISA,
and which block shape fills the registers of which ISA is
:mod:`.generate_direct_conv`'s tables. Run as plain Python (as the tests run the
loops), a block is a NumPy array ``(rows, lanes)`` and these functions are what
they say. The max-pool gradient of :mod:`.pool_kernels` keeps a window's running
maximum and the offset where it is as a block of two rows
(:func:`block_max_start`, :func:`block_max_step`) and sends the window's
gradient there (:func:`block_route`, :func:`block_route_add`; or
:func:`block_route_streamed`, then :func:`store_fence`, past the caches).

Every index is an element offset into a C-contiguous one-dimensional array,
and every run of lanes must lie inside it (``IndexError`` here, and compiled
with Numba's bounds checks on).

Importing this module imports NumPy only.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "block_add_to",
    "block_fma",
    "block_fma_rows",
    "block_load",
    "block_max_start",
    "block_max_step",
    "block_route",
    "block_route_add",
    "block_route_streamed",
    "block_store",
    "block_store_sums",
    "block_zeros",
    "store_fence",
]


def block_zeros(like: np.ndarray, rows: int, lanes: int) -> np.ndarray:
    """A block of zeros of `like`'s dtype, ``rows x lanes`` (literal integers where compiled)."""
    return np.zeros((rows, lanes), dtype=like.dtype)


def block_load(arr: np.ndarray, at: int, step: int, rows: int, lanes: int) -> np.ndarray:
    """A ``rows x lanes`` block whose row ``r`` is ``arr[at + r*step :][:lanes]`` (step 0: one row, repeated)."""
    return np.stack([_run(arr, at + r * step, lanes) for r in range(rows)])


def block_fma(block: np.ndarray, x: np.ndarray, x_at: int, x_step: int, w: np.ndarray, w_at: int) -> np.ndarray:
    """`block` plus the outer product of ``x[x_at + r*x_step]`` (a scalar per row) and
    ``w[w_at :][:lanes]`` (one row for all), fused multiply-adds where the ISA has them."""
    rows, lanes = block.shape
    scalars = np.array([_run(x, x_at + r * x_step, 1)[0] for r in range(rows)], dtype=block.dtype)
    return block + scalars[:, None] * _run(w, w_at, lanes)[None, :]


def block_fma_rows(block: np.ndarray, a: np.ndarray, a_at: int, a_step: int, w: np.ndarray, w_at: int) -> np.ndarray:
    """`block` plus, row by row, ``a[a_at + r*a_step :][:lanes]`` times ``w[w_at :][:lanes]`` (one row for all)."""
    rows, lanes = block.shape
    return block + block_load(a, a_at, a_step, rows, lanes) * _run(w, w_at, lanes)[None, :]


def block_store(block: np.ndarray, arr: np.ndarray, at: int, step: int) -> None:
    """Write row ``r`` of `block` to ``arr[at + r*step :][:lanes]``."""
    rows, lanes = block.shape
    for r in range(rows):
        _run(arr, at + r * step, lanes)[:] = block[r]


def block_add_to(block: np.ndarray, arr: np.ndarray, at: int, step: int) -> None:
    """Add row ``r`` of `block` to ``arr[at + r*step :][:lanes]``."""
    rows, lanes = block.shape
    for r in range(rows):
        _run(arr, at + r * step, lanes)[:] += block[r]


def block_store_sums(block: np.ndarray, arr: np.ndarray, at: int, step: int) -> None:
    """Write the sum of row ``r`` of `block` to ``arr[at + r*step]`` (compiled, summed pairwise)."""
    for r in range(block.shape[0]):
        _run(arr, at + r * step, 1)[0] = block[r].sum()


def block_max_start(arr: np.ndarray, at: int, offset: float, lanes: int) -> np.ndarray:
    """A window's running maximum and where it is, per lane, from its first cell: a ``2 x lanes``
    block, row 0 ``arr[at :][:lanes]``, row 1 `offset` (in `arr`'s dtype) in every lane."""
    return np.stack([_run(arr, at, lanes), np.full(lanes, offset, dtype=arr.dtype)])


def block_max_step(state: np.ndarray, arr: np.ndarray, at: int, offset: float) -> np.ndarray:
    """`state` (:func:`block_max_start`) after the cells ``arr[at :][:lanes]`` at `offset`: each lane
    whose cell is greater than its maximum, or NaN, takes the cell and `offset` (PyTorch's rule:
    ties keep the first maximum, the last NaN wins)."""
    cells = _run(arr, at, state.shape[1])
    later = (cells > state[0]) | np.isnan(cells)
    offsets = np.where(later, np.asarray(offset, state.dtype), state[1])
    return np.stack([np.where(later, cells, state[0]), offsets])


def block_route(state: np.ndarray, g: np.ndarray, g_at: int, offset: float, arr: np.ndarray, at: int) -> None:
    """Write ``g[g_at :][:lanes]`` to ``arr[at :][:lanes]`` in the lanes whose maximum is at `offset`
    (row 1 of `state`), zero in the others."""
    lanes = state.shape[1]
    _run(arr, at, lanes)[:] = np.where(state[1] == offset, _run(g, g_at, lanes), 0)


def block_route_add(
    state: np.ndarray, g: np.ndarray, g_at: int, offset: float, arr: np.ndarray, at: int
) -> None:
    """:func:`block_route`, added to ``arr[at :][:lanes]`` instead of written."""
    lanes = state.shape[1]
    _run(arr, at, lanes)[:] += np.where(state[1] == offset, _run(g, g_at, lanes), 0)


def block_route_streamed(
    state: np.ndarray, g: np.ndarray, g_at: int, offset: float, arr: np.ndarray, at: int
) -> None:
    """:func:`block_route`, compiled as a non-temporal store: the lanes go to memory without first
    reading their cache line. ``arr`` must start at a multiple of 64 bytes, and `at` be a multiple of
    the lanes; :func:`store_fence` after the last one, before another thread reads ``arr``."""
    block_route(state, g, g_at, offset, arr, at)


def store_fence() -> None:
    """Compiled, a full memory fence: the streamed stores before it are visible to every thread after it."""


def _run(arr: np.ndarray, at: int, lanes: int) -> np.ndarray:
    at = int(at)
    if at < 0 or at + lanes > arr.size:
        msg = f"register block reaches outside its array: elements {at} to {at + lanes} of {arr.size}"
        raise IndexError(msg)
    return arr[at : at + lanes]
