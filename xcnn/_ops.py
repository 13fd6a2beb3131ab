"""The dispatch table: for each operation, the providers in order of preference; the last is the reference.

This is the one place that chooses an implementation. Each :class:`Row`
names a provider, says why it would not take a call (:attr:`Row.why_not`,
None when it takes it) and runs it. A row may still decline after running
(:data:`DECLINED`): NumPy's compiled convolution gradients find out from
the bias gradient, at no cost, that the output gradient held inf or NaN,
where they differ from PyTorch; the next row then runs. The last row of
every operation is the array-API reference (:mod:`xcnn._reference`), given
its namespace's :class:`~xcnn._reference.primitives.Primitives` for the
steps that library does faster. :func:`explain` reports the choice without
running anything (see :func:`xcnn.explain`). Dask arrays go to the
``dask.blocks`` rows (:mod:`xcnn._backends.dask`), which build a graph whose
every block is the same call on the block's own arrays, run through
:func:`run` again.

Only this module imports both the reference and the backends.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import array_api_compat

from ._backends.cupy import primitives as cupy_primitives
from ._backends.dask import blocks as dask_blocks
from ._backends.dask import tiles as dask_tiles
from ._backends import torch as torch_backend
from ._backends.numpy import primitives as numpy_primitives
from ._backends.numpy.numba import available as numba_available
from ._calls import Call, ConvCall, PoolCall
from ._reference import conv as ref_conv
from ._reference import pool as ref_pool
from ._reference.primitives import REFERENCE, Primitives
from ._reference.windows import column_sums as ref_column_sums
from ._reference.windows import pad, unpad
from .backend import device_context
from .workspace import get_workspace_limit

__all__ = ["DECLINED", "TABLE", "Row", "column_sums", "explain", "primitives", "providers", "run"]

Array = Any
DECLINED = object()
"""What a row's `run` returns when it finds, after running, that it does not apply."""


@dataclass(frozen=True)
class Row:
    """One provider of one operation.

    Attributes
    ----------
    provider : str
        Dotted name: the backend, then the implementation.
    why_not : (call) -> str or None
        Why this row does not take `call`; None when it does.
    run : (call) -> result or DECLINED
    declines : str
        When `run` may decline after running, in words ("" if never).
    """

    provider: str
    why_not: Callable[[Any], str | None]
    run: Callable[[Any], Any]
    declines: str = ""


def run(call: Call) -> Any:
    """Cast the call's arrays to its dtype on its device and run the first row that takes it.

    A row that declines after running rules out the later rows that would decline
    for the same reason (they would run only to find it again).
    """
    declined_for: set[str] = set()
    if dask_blocks.why_not(call) is None:
        call = dask_blocks.lifted(call)  # NumPy or CuPy weights beside dask data: one-chunk dask arrays
    with device_context(call.xp, call.device):
        call = call.cast()
        for row in TABLE[call.op]:
            if row.declines and row.declines in declined_for:
                continue
            if row.why_not(call) is None:
                result = row.run(call)
                if result is not DECLINED:
                    return result
                declined_for.add(row.declines)
    msg = f"no provider took {call.op}"  # unreachable: the reference takes every call
    raise AssertionError(msg)


def explain(call: Call) -> list[tuple[str, str | None]]:
    """``(provider, why not)`` per row down to the chosen one (whose reason is None), without running it.

    A row that may decline after running is asked here by the check it
    would make: the output gradient's finiteness.
    """
    lines = []
    with device_context(call.xp, call.device):
        call = call.cast()
        for row in TABLE[call.op]:
            reason = row.why_not(call)
            if reason is None and row.declines and not _finite(getattr(call, "dz", None), call.xp):
                reason = f"declines after running: {row.declines}"
            lines.append((row.provider, reason))
            if reason is None:
                break
    return lines


def providers() -> list[tuple[str, list[str], str]]:
    """``(provider, operations, status)`` for every provider, in table order, once each.

    The status is Numba's (:func:`~xcnn._backends.numpy.numba.available.status`) for
    the compiled rows, whether dask is installed for the dask rows, ``"always"`` for
    the reference; it raises ValueError where ``XCNN_JIT`` holds a bad value.
    """
    ops: dict[str, list[str]] = {}
    for op, rows in TABLE.items():
        for row in rows:
            ops.setdefault(row.provider, []).append(op)
    ops["reference"] = ops.pop("reference")  # last, as in every operation's rows
    return [(name, served, _status(name)) for name, served in ops.items()]


def _status(provider: str) -> str:
    if provider.startswith("numpy.numba"):
        return numba_available.status()
    if provider.startswith("dask"):
        return dask_blocks.status()
    return "always"


# --- what each namespace does faster inside the reference ----------------------------------


def _namespace_fields(xp: Any) -> dict[str, Any]:
    if array_api_compat.is_numpy_namespace(xp):
        return numpy_primitives.FIELDS
    if array_api_compat.is_cupy_namespace(xp):
        return cupy_primitives.FIELDS
    if array_api_compat.is_torch_namespace(xp):
        return torch_backend.FIELDS
    return {}


def primitives(call: Call) -> Primitives:
    """The :class:`Primitives` for the call's namespace (and, on NumPy, its arrays: the compiled unfold
    and fold where Numba takes them)."""
    fields = dict(_namespace_fields(call.xp))
    if array_api_compat.is_numpy_namespace(call.xp) and numba_available.enabled(
        call.xp, *call.arrays, channels=call.x.shape[3]
    ):
        from ._backends.numpy.numba import columns

        fields.update(
            name="NumPy + Numba", unfold=columns.unfold, fold=columns.fold, fold_add=columns.fold_add,
            one_product_input_gradient=True,
        )
    return dataclasses.replace(REFERENCE, **fields) if fields else REFERENCE


def column_sums(a: Array, xp: Any) -> Array:
    """``(rows, n) -> (n,)`` the namespace's fastest way (for layers outside the table, such as ``linear``)."""
    return ref_column_sums(a, xp, dataclasses.replace(REFERENCE, **_namespace_fields(xp)))


# --- conditions ---------------------------------------------------------------------------


def _finite(a: Array | None, xp: Any) -> bool:
    """Whether `a` holds no inf or NaN (asked only of host arrays, where NumPy's compiled loops would run)."""
    return a is None or bool(xp.all(xp.isfinite(a)))


def _numba_why_not(call: Call, channels: int) -> str | None:
    """Why NumPy's compiled loops do not take the call's arrays, windows of `channels` channels."""
    if not array_api_compat.is_numpy_namespace(call.xp):
        return "not NumPy arrays"
    if numba_available.enabled(call.xp, *call.arrays, channels=channels):
        return None
    status = numba_available.status()
    if not status.startswith("on"):
        return f"Numba {status}"
    if channels < numba_available.MIN_CHANNELS:
        return f"{channels} channels, fewer than {numba_available.MIN_CHANNELS}"
    return f"dtype {call.dtype} (compiled for native float32 and float64)"


def _direct_why_not(call: ConvCall) -> str | None:
    """Why NumPy's register-blocked loops do not take a one-group convolution."""
    if call.groups > 1:
        return f"groups={call.groups}"
    reason = _numba_why_not(call, channels=call.w.shape[3])
    if reason is not None:
        return reason
    from ._backends.numpy.numba import direct_conv

    c_in, c_out = call.w.shape[2], call.w.shape[3]
    if not direct_conv.usable(call.win, c_in, c_out, call.x.dtype.itemsize, get_workspace_limit(call.xp)):
        return f"{c_in} -> {c_out} channels at this geometry fill no register block (direct_conv.usable)"
    return None if _finite(call.w, call.xp) else "the weights hold inf or NaN"


def _depthwise_why_not(call: ConvCall, *, register_blocked: bool) -> str | None:
    """Why NumPy's compiled depthwise loops (`register_blocked`: the register-blocked ones) do not take the call."""
    if call.groups == 1 or call.w.shape[2] != 1:
        return "not depthwise (one input channel per group)"
    reason = _numba_why_not(call, channels=call.x.shape[3])
    if reason is not None:
        return reason
    if not _finite(call.w, call.xp):
        return "the weights hold inf or NaN"
    from ._backends.numpy.numba import direct_conv

    usable = direct_conv.depthwise_usable(call.win, call.groups, call.w.shape[3])
    if register_blocked and not usable:
        return "needs stride 1, one output channel per group and groups in whole register blocks"
    return None


def _unless_gradient_not_finite(grads: tuple[Array, Array, Array], call: ConvCall) -> Any:
    """`grads`, or :data:`DECLINED` where the bias gradient (column sums of dz) shows inf or NaN in dz."""
    return grads if _finite(grads[2], call.xp) else DECLINED


_NOT_FINITE = "the output gradient holds inf or NaN (seen in the bias gradient)"


# --- the rows -------------------------------------------------------------------------------


def _direct_conv() -> Any:
    from ._backends.numpy.numba import direct_conv

    return direct_conv


def _numba_depthwise() -> Any:
    from ._backends.numpy.numba import depthwise

    return depthwise


def _numba_pool() -> Any:
    from ._backends.numpy.numba import pool

    return pool


def _reference_why_not(call: Call) -> None:
    return None


def _dask(block_op: Callable[[Any, Callable[[Any], Any]], Any]) -> Row:
    """The row that runs a dask call block by block, each block's call through :func:`run` again."""
    return Row("dask.blocks", dask_blocks.why_not, lambda c: block_op(c, run))


_CONV2D = (
    Row("numpy.numba.direct", _direct_why_not, lambda c: _direct_conv().forward(c.x, c.w, c.b, c.win)),
    Row(
        "numpy.numba.direct_depthwise", lambda c: _depthwise_why_not(c, register_blocked=True),
        lambda c: _direct_conv().depthwise_forward(c.x, c.w, c.b, c.win),
    ),
    Row(
        "numpy.numba.depthwise", lambda c: _depthwise_why_not(c, register_blocked=False),
        lambda c: _numba_depthwise().depthwise_forward(c.x, c.w, c.b, c.win),
    ),
    _dask(dask_tiles.conv2d),
    Row("reference", _reference_why_not, lambda c: ref_conv.forward(c.x, c.w, c.b, c.win, c.groups, c.xp, primitives(c))),
)

_CONV2D_BACKWARD = (
    Row(
        "numpy.numba.direct", _direct_why_not,
        lambda c: _unless_gradient_not_finite(_direct_conv().backward(c.dz, c.x, c.w, c.win), c), _NOT_FINITE,
    ),
    Row(
        "numpy.numba.direct_depthwise", lambda c: _depthwise_why_not(c, register_blocked=True),
        lambda c: _unless_gradient_not_finite(_direct_conv().depthwise_backward(c.dz, c.x, c.w, c.win), c),
        _NOT_FINITE,
    ),
    Row(
        "numpy.numba.depthwise", lambda c: _depthwise_why_not(c, register_blocked=False),
        lambda c: _unless_gradient_not_finite(_numba_depthwise().depthwise_backward(c.dz, c.x, c.w, c.win), c),
        _NOT_FINITE,
    ),
    _dask(dask_blocks.conv2d_backward),
    Row("reference", _reference_why_not, lambda c: ref_conv.backward(c.dz, c.x, c.w, c.win, c.groups, c.xp, primitives(c))),
)


def _pool_numba_why_not(call: PoolCall) -> str | None:
    return _numba_why_not(call, channels=call.x.shape[3])


def _divisor(call: PoolCall) -> Array | int:
    return ref_pool.avg_divisor(call.win, call.count_include_pad, call.divisor_override, call.xp, call.dtype, call.device)


# The reference's pooling treats samples independently: the namespace's
# primitives may run it on shares of the samples in parallel threads.


def _reference_max_pool(c: PoolCall) -> Array:
    prims = primitives(c)
    return prims.over_samples(lambda x: ref_pool.max_forward(x, c.win, c.xp, prims), (c.x,))


def _reference_max_pool_backward(c: PoolCall) -> Array:
    prims = primitives(c)
    return prims.over_samples(lambda dy, x: ref_pool.max_backward(dy, x, c.win, c.xp, prims), (c.dy, c.x))


def _reference_avg_pool(c: PoolCall) -> Array:
    prims, divisor = primitives(c), _divisor(c)
    return prims.over_samples(lambda x: ref_pool.avg_forward(x, c.win, divisor, c.xp, prims), (c.x,))


def _reference_avg_pool_backward(c: PoolCall) -> Array:
    prims, divisor, channels = primitives(c), _divisor(c), c.x.shape[3]
    return prims.over_samples(lambda dy: ref_pool.avg_backward(dy, channels, c.win, divisor, c.xp, prims), (c.dy,))


_MAX_POOL2D = (
    Row(
        "numpy.numba.pool", _pool_numba_why_not,
        lambda c: _numba_pool().window_max(pad(c.x, c.win.full_padding, -math.inf, c.xp), c.win),
    ),
    _dask(dask_tiles.pool2d),
    Row("reference", _reference_why_not, _reference_max_pool),
)

_MAX_POOL2D_BACKWARD = (
    Row(
        "numpy.numba.pool", _pool_numba_why_not,
        lambda c: unpad(
            _numba_pool().max_pool_backward(c.dy, pad(c.x, c.win.full_padding, -math.inf, c.xp), c.win),
            c.win.full_padding,
        ),
    ),
    _dask(dask_blocks.pool2d_backward),
    Row("reference", _reference_why_not, _reference_max_pool_backward),
)

_AVG_POOL2D = (
    Row(
        "numpy.numba.pool", _pool_numba_why_not,
        lambda c: _numba_pool().window_mean(pad(c.x, c.win.full_padding, 0, c.xp), c.win, _divisor(c)),
    ),
    Row("dask.blocks", dask_blocks.why_not, lambda c: dask_tiles.pool2d(c, run, lambda: _divisor(c))),
    Row("reference", _reference_why_not, _reference_avg_pool),
)

_AVG_POOL2D_BACKWARD = (
    Row(
        "numpy.numba.pool", _pool_numba_why_not,
        lambda c: unpad(_numba_pool().spread_mean(c.dy, c.win, c.x.shape[3], _divisor(c)), c.win.full_padding),
    ),
    _dask(dask_blocks.pool2d_backward),
    Row("reference", _reference_why_not, _reference_avg_pool_backward),
)

_PAD = (_dask(dask_blocks.pad), Row("reference", _reference_why_not, lambda c: pad(c.x, c.sides, c.value, c.xp)))

TABLE: dict[str, tuple[Row, ...]] = {
    "conv2d": _CONV2D,
    "conv2d_backward": _CONV2D_BACKWARD,
    "max_pool2d": _MAX_POOL2D,
    "max_pool2d_backward": _MAX_POOL2D_BACKWARD,
    "avg_pool2d": _AVG_POOL2D,
    "avg_pool2d_backward": _AVG_POOL2D_BACKWARD,
    "pad": _PAD,
}
"""Per operation, its rows in order of preference; the last is the reference and takes every call."""
