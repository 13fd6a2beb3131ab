"""The functions of :mod:`.register_blocks`, compiled: a Numba type for a block of vector registers, and intrinsics.

:class:`RegisterBlock` is an LLVM array of ``rows`` vectors of ``lanes``
elements; LLVM splits each vector into the host's registers. Importing this
module registers the compiled versions with Numba (``overload``), so it must be
imported before the generated loops compile (:mod:`.direct_loops` does).

Why vectors rather than one scalar variable per lane packed by LLVM's SLP
vectoriser (as these loops were first written): Numba's front end takes time
for every statement, and a block of 96 sums was some 400 statements, which
made each loop slow to compile; as vectors a block is a handful of statements
whatever its size. And an explicit 512-bit vector becomes 512-bit
instructions on AVX-512 whatever LLVM's cost model prefers for the loops it
vectorises itself (it prefers 256-bit vectors on Skylake-SP and later Xeons),
without changing Numba's settings for the rest of the process.
(Measurements: BENCHMARKS.md, 'Why each path exists'.)

With Numba's bounds checks on (``NUMBA_BOUNDSCHECK=1``, as
``tests/boundscheck_sweep.py`` runs), each access checks that its whole run of
lanes lies inside the array, and raises ``IndexError`` otherwise.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.datamodel import models, register_default
from numba.extending import intrinsic, overload

from . import register_blocks as _plain
from .columns import ALIGNMENT

__all__ = ["RegisterBlock", "fmuladd"]


class RegisterBlock(types.Type):
    """``rows`` vectors of ``lanes`` elements of `dtype`, held in registers (one LLVM value)."""

    def __init__(self, dtype: types.Float, rows: int, lanes: int) -> None:
        self.dtype, self.rows, self.lanes = dtype, rows, lanes
        super().__init__(name=f"RegisterBlock({dtype}, {rows}x{lanes})")


@register_default(RegisterBlock)
class _RegisterBlockModel(models.PrimitiveModel):
    def __init__(self, dmm: Any, fe_type: RegisterBlock) -> None:
        element = dmm.lookup(fe_type.dtype).get_value_type()
        super().__init__(dmm, fe_type, ir.ArrayType(ir.VectorType(element, fe_type.lanes), fe_type.rows))


def _flat(arr: Any, dtype: Any = None) -> bool:
    """A C-contiguous one-dimensional float array (of `dtype`, if given)."""
    return (
        isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"
        and isinstance(arr.dtype, types.Float) and (dtype is None or arr.dtype == dtype)
    )


def _integers(*values: Any) -> bool:
    return all(isinstance(v, types.Integer) for v in values)


def _literal(value: Any) -> int | None:
    """The value of a positive literal integer argument, else None (the block's shape must be known
    when the loop compiles)."""
    return value.literal_value if isinstance(value, types.IntegerLiteral) and value.literal_value > 0 else None


def fmuladd(builder: Any, a: Any, b: Any, c: Any) -> Any:
    """``a * b + c`` on LLVM vectors of float32 or float64, fused where the ISA has fused multiply-adds
    (LLVM's ``fmuladd``, as Numba's ``fastmath={"contract"}``)."""
    vector = a.type
    element = "f32" if vector.element == ir.FloatType() else "f64"
    fn = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(vector, [vector] * 3), f"llvm.fmuladd.v{vector.count}{element}"
    )
    return builder.call(fn, [a, b, c])


class _Emitter:
    """LLVM for one intrinsic call: pointers into arrays, loads and stores of a run of lanes."""

    def __init__(self, context: Any, builder: Any, sig: Any, args: Any) -> None:
        self.context, self.builder, self.types, self.args = context, builder, sig.args, args

    def index(self, i: int) -> Any:
        """Argument `i`, an integer, as ``intp``."""
        return self.context.cast(self.builder, self.args[i], self.types[i], types.intp)

    def row_at(self, at: Any, step: Any, r: int) -> Any:
        return self.builder.add(at, self.builder.mul(step, ir.Constant(step.type, r)))

    def pointer(self, arr: int, at: Any, lanes: int) -> Any:
        """Pointer to ``arr[at : at + lanes]`` (argument `arr`) as one vector, bounds-checked where Numba checks bounds."""
        context, builder, arr_type = self.context, self.builder, self.types[arr]
        array = context.make_array(arr_type)(context, builder, self.args[arr])
        if context.enable_boundscheck:
            end = builder.add(at, ir.Constant(at.type, lanes))
            outside = builder.or_(
                builder.icmp_signed("<", at, ir.Constant(at.type, 0)), builder.icmp_signed(">", end, array.nitems)
            )
            with cgutils.if_unlikely(builder, outside):
                context.call_conv.return_user_exc(builder, IndexError, ("register block reaches outside its array",))
        vector = ir.VectorType(context.get_value_type(arr_type.dtype), lanes)
        return builder.bitcast(builder.gep(array.data, [at]), vector.as_pointer())

    def load(self, arr: int, at: Any, lanes: int) -> Any:
        return self.builder.load(self.pointer(arr, at, lanes), align=self.types[arr].dtype.bitwidth // 8)

    def store(self, value: Any, arr: int, at: Any, streamed: bool = False) -> None:
        """Store `value` at ``arr[at:]``; `streamed`: non-temporal, aligned to the vector's size (at most
        :data:`.columns.ALIGNMENT`, where :func:`.columns.aligned_empty` starts its arrays)."""
        size = self.types[arr].dtype.bitwidth // 8
        align = min(ALIGNMENT, size * value.type.count) if streamed else size
        stored = self.builder.store(value, self.pointer(arr, at, value.type.count), align=align)
        if streamed:
            stored.set_metadata("nontemporal", self.builder.module.add_metadata([ir.Constant(ir.IntType(32), 1)]))

    def splat(self, arr: int, at: Any, lanes: int) -> Any:
        """``arr[at]`` in every one of `lanes` lanes."""
        return self.broadcast(self.load(arr, at, 1), lanes)

    def broadcast(self, one: Any, lanes: int) -> Any:
        """Lane 0 of the vector `one` in every one of `lanes` lanes."""
        mask = ir.Constant(ir.VectorType(ir.IntType(32), lanes), None)  # all zeros: lane 0 everywhere
        return self.builder.shuffle_vector(one, ir.Constant(one.type, None), mask)

    def fmuladd(self, a: Any, b: Any, c: Any) -> Any:
        """:func:`fmuladd` in this call's code."""
        return fmuladd(self.builder, a, b, c)

    def pairwise_sum(self, vector: Any) -> Any:
        """The sum of `vector`'s lanes, halves added until one lane is left."""
        builder, lanes = self.builder, vector.type.count
        while lanes > 1:
            half = lanes // 2
            low = builder.shuffle_vector(vector, vector, ir.Constant(ir.VectorType(ir.IntType(32), half), list(range(half))))
            high = builder.shuffle_vector(
                vector, vector, ir.Constant(ir.VectorType(ir.IntType(32), half), list(range(half, 2 * half)))
            )
            summed = builder.fadd(low, high)
            if lanes % 2:  # an odd lane out joins the first
                last = builder.extract_element(vector, ir.Constant(ir.IntType(32), lanes - 1))
                first = builder.fadd(builder.extract_element(summed, ir.Constant(ir.IntType(32), 0)), last)
                summed = builder.insert_element(summed, first, ir.Constant(ir.IntType(32), 0))
            vector, lanes = summed, half
        return builder.extract_element(vector, ir.Constant(ir.IntType(32), 0))


@intrinsic
def _block_zeros(typingctx: Any, like: Any, rows: Any, lanes: Any) -> Any:
    n_rows, n_lanes = _literal(rows), _literal(lanes)
    if not _flat(like) or n_rows is None or n_lanes is None:
        return None
    block = RegisterBlock(like.dtype, n_rows, n_lanes)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return ir.Constant(context.get_value_type(block), None)

    return block(like, rows, lanes), codegen


@intrinsic
def _block_load(typingctx: Any, arr: Any, at: Any, step: Any, rows: Any, lanes: Any) -> Any:
    n_rows, n_lanes = _literal(rows), _literal(lanes)
    if not _flat(arr) or n_rows is None or n_lanes is None or not _integers(at, step):
        return None
    block = RegisterBlock(arr.dtype, n_rows, n_lanes)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        e = _Emitter(context, builder, sig, args)
        at_i, step_i = e.index(1), e.index(2)
        value = ir.Constant(context.get_value_type(block), None)
        for r in range(n_rows):
            value = builder.insert_value(value, e.load(0, e.row_at(at_i, step_i, r), n_lanes), r)
        return value

    return block(arr, at, step, rows, lanes), codegen


def _block_multiply_add(rows_of_a: bool) -> Any:
    """The intrinsic that adds to each row of a block ``a``'s row ``r`` times one row of ``w``:
    ``a`` a scalar per row broadcast to every lane (:func:`.register_blocks.block_fma`), or
    a run of lanes per row (`rows_of_a`, :func:`.register_blocks.block_fma_rows`)."""

    def typer(typingctx: Any, block: Any, a: Any, a_at: Any, a_step: Any, w: Any, w_at: Any) -> Any:
        if not isinstance(block, RegisterBlock) or not _flat(a, block.dtype) or not _flat(w, block.dtype):
            return None
        if not _integers(a_at, a_step, w_at):
            return None

        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            e = _Emitter(context, builder, sig, args)
            value, w_row = args[0], e.load(4, e.index(5), block.lanes)
            a_at_i, a_step_i = e.index(2), e.index(3)
            read = e.load if rows_of_a else e.splat
            for r in range(block.rows):
                a_r = read(1, e.row_at(a_at_i, a_step_i, r), block.lanes)
                value = builder.insert_value(value, e.fmuladd(a_r, w_row, builder.extract_value(value, r)), r)
            return value

        return block(block, a, a_at, a_step, w, w_at), codegen

    return intrinsic(typer)


_block_fma = _block_multiply_add(rows_of_a=False)
_block_fma_rows = _block_multiply_add(rows_of_a=True)


def _block_writer(add: bool, sums: bool) -> Any:
    """The intrinsic that writes each row of a block: stored, added to memory, or summed."""

    def typer(typingctx: Any, block: Any, arr: Any, at: Any, step: Any) -> Any:
        if not isinstance(block, RegisterBlock) or not _flat(arr, block.dtype) or not _integers(at, step):
            return None

        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            e = _Emitter(context, builder, sig, args)
            at_i, step_i = e.index(2), e.index(3)
            for r in range(block.rows):
                row, where = builder.extract_value(args[0], r), e.row_at(at_i, step_i, r)
                if sums:
                    row = builder.insert_element(
                        ir.Constant(ir.VectorType(row.type.element, 1), None), e.pairwise_sum(row), ir.Constant(ir.IntType(32), 0)
                    )
                if add:
                    row = builder.fadd(e.load(1, where, row.type.count), row)
                e.store(row, 1, where)
            return context.get_dummy_value()

        return types.none(block, arr, at, step), codegen

    return intrinsic(typer)


_block_store = _block_writer(add=False, sums=False)
_block_add_to = _block_writer(add=True, sums=False)
_block_store_sums = _block_writer(add=False, sums=True)


def _offset(e: _Emitter, i: int, block: RegisterBlock) -> Any:
    """Argument `i`, a number (an offset in a window), as the block's element type in every lane."""
    value = e.context.cast(e.builder, e.args[i], e.types[i], block.dtype)
    one = ir.VectorType(e.context.get_value_type(block.dtype), 1)
    in_lane_zero = e.builder.insert_element(ir.Constant(one, None), value, ir.Constant(ir.IntType(32), 0))
    return e.broadcast(in_lane_zero, block.lanes)


@intrinsic
def _block_max_start(typingctx: Any, arr: Any, at: Any, offset: Any, lanes: Any) -> Any:
    n_lanes = _literal(lanes)
    if not _flat(arr) or n_lanes is None or not _integers(at) or not isinstance(offset, types.Number):
        return None
    block = RegisterBlock(arr.dtype, 2, n_lanes)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        e = _Emitter(context, builder, sig, args)
        empty = ir.Constant(context.get_value_type(block), None)
        value = builder.insert_value(empty, e.load(0, e.index(1), n_lanes), 0)
        return builder.insert_value(value, _offset(e, 2, block), 1)

    return block(arr, at, offset, lanes), codegen


@intrinsic
def _block_max_step(typingctx: Any, state: Any, arr: Any, at: Any, offset: Any) -> Any:
    if not isinstance(state, RegisterBlock) or state.rows != 2 or not _flat(arr, state.dtype):
        return None
    if not _integers(at) or not isinstance(offset, types.Number):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        e = _Emitter(context, builder, sig, args)
        cells = e.load(1, e.index(2), state.lanes)
        best, where = builder.extract_value(args[0], 0), builder.extract_value(args[0], 1)
        # greater (ordered: false for a NaN cell), or the cell is NaN: PyTorch's rule
        greater, nan = builder.fcmp_ordered(">", cells, best), builder.fcmp_unordered("uno", cells, cells)
        later = builder.or_(greater, nan)
        value = builder.insert_value(args[0], builder.select(later, cells, best), 0)
        return builder.insert_value(value, builder.select(later, _offset(e, 3, state), where), 1)

    return state(state, arr, at, offset), codegen


def _block_router(add: bool, streamed: bool = False) -> Any:
    """The intrinsic that writes (or adds, or streams) a window's gradient in the lanes whose maximum is at an offset."""

    def typer(typingctx: Any, state: Any, g: Any, g_at: Any, offset: Any, arr: Any, at: Any) -> Any:
        if not isinstance(state, RegisterBlock) or state.rows != 2:
            return None
        if not _flat(g, state.dtype) or not _flat(arr, state.dtype) or not _integers(g_at, at):
            return None
        if not isinstance(offset, types.Number):
            return None

        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            e = _Emitter(context, builder, sig, args)
            there = builder.fcmp_ordered("==", builder.extract_value(args[0], 1), _offset(e, 3, state))
            g_row = e.load(1, e.index(2), state.lanes)
            value = builder.select(there, g_row, ir.Constant(g_row.type, None))  # zeros elsewhere
            at_i = e.index(5)
            if add:
                value = builder.fadd(e.load(4, at_i, state.lanes), value)
            e.store(value, 4, at_i, streamed)
            return context.get_dummy_value()

        return types.none(state, g, g_at, offset, arr, at), codegen

    return intrinsic(typer)


_block_route = _block_router(add=False)
_block_route_add = _block_router(add=True)
_block_route_streamed = _block_router(add=False, streamed=True)


@intrinsic
def _store_fence(typingctx: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        # seq_cst, not release: a release fence emits nothing on x86, and non-temporal stores need a full barrier
        builder.fence("seq_cst")
        return context.get_dummy_value()

    return types.none(), codegen


# Numba compares an overload's parameters with those of the function it returns, annotations
# included, hence none here.


@overload(_plain.block_zeros, inline="always")
def _ol_block_zeros(like, rows, lanes):  # noqa: ANN001, ANN202
    return lambda like, rows, lanes: _block_zeros(like, rows, lanes)


@overload(_plain.block_load, inline="always")
def _ol_block_load(arr, at, step, rows, lanes):  # noqa: ANN001, ANN202
    return lambda arr, at, step, rows, lanes: _block_load(arr, at, step, rows, lanes)


@overload(_plain.block_fma, inline="always")
def _ol_block_fma(block, x, x_at, x_step, w, w_at):  # noqa: ANN001, ANN202
    return lambda block, x, x_at, x_step, w, w_at: _block_fma(block, x, x_at, x_step, w, w_at)


@overload(_plain.block_fma_rows, inline="always")
def _ol_block_fma_rows(block, a, a_at, a_step, w, w_at):  # noqa: ANN001, ANN202
    return lambda block, a, a_at, a_step, w, w_at: _block_fma_rows(block, a, a_at, a_step, w, w_at)


@overload(_plain.block_store, inline="always")
def _ol_block_store(block, arr, at, step):  # noqa: ANN001, ANN202
    return lambda block, arr, at, step: _block_store(block, arr, at, step)


@overload(_plain.block_add_to, inline="always")
def _ol_block_add_to(block, arr, at, step):  # noqa: ANN001, ANN202
    return lambda block, arr, at, step: _block_add_to(block, arr, at, step)


@overload(_plain.block_store_sums, inline="always")
def _ol_block_store_sums(block, arr, at, step):  # noqa: ANN001, ANN202
    return lambda block, arr, at, step: _block_store_sums(block, arr, at, step)


@overload(_plain.block_max_start, inline="always")
def _ol_block_max_start(arr, at, offset, lanes):  # noqa: ANN001, ANN202
    return lambda arr, at, offset, lanes: _block_max_start(arr, at, offset, lanes)


@overload(_plain.block_max_step, inline="always")
def _ol_block_max_step(state, arr, at, offset):  # noqa: ANN001, ANN202
    return lambda state, arr, at, offset: _block_max_step(state, arr, at, offset)


@overload(_plain.block_route, inline="always")
def _ol_block_route(state, g, g_at, offset, arr, at):  # noqa: ANN001, ANN202
    return lambda state, g, g_at, offset, arr, at: _block_route(state, g, g_at, offset, arr, at)


@overload(_plain.block_route_add, inline="always")
def _ol_block_route_add(state, g, g_at, offset, arr, at):  # noqa: ANN001, ANN202
    return lambda state, g, g_at, offset, arr, at: _block_route_add(state, g, g_at, offset, arr, at)


@overload(_plain.block_route_streamed, inline="always")
def _ol_block_route_streamed(state, g, g_at, offset, arr, at):  # noqa: ANN001, ANN202
    return lambda state, g, g_at, offset, arr, at: _block_route_streamed(state, g, g_at, offset, arr, at)


@overload(_plain.store_fence, inline="always")
def _ol_store_fence():  # noqa: ANN202
    return lambda: _store_fence()
