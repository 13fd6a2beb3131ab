"""The steps inside the reference that a backend may do faster: one small object per namespace.

The reference (:mod:`xcnn._reference`) is written against the array API
alone. Where a library has a faster way to do one step of it (unfold windows
through a strided view, fold columns back in one kernel launch, sum columns
with a matrix product), the dispatch table (:mod:`xcnn._ops`) hands the
reference a :class:`Primitives` with that step filled in, instead of the
reference asking which library it runs on. Every field left at its default
is the reference's own array-API code; each flag names a strategy by what it
is, not by the library that prefers it. Why each backend sets what it sets
is documented in its module under :mod:`xcnn._backends`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._geometry import Windows

__all__ = ["REFERENCE", "Primitives"]

Array = Any


def _no_view(x_pad: Array, win: Windows) -> Array | None:
    return None


def _in_one_go(fn: Callable[..., Any], arrays: Sequence[Array], *, summed: tuple[int, ...] = ()) -> Any:
    return fn(*arrays)


@dataclass(frozen=True)
class Primitives:
    """Per-namespace replacements for single steps of the reference.

    Attributes
    ----------
    name : str
        Who supplies them, for :func:`xcnn.explain`.
    window_view : (x_pad, win) -> array or None
        All windows of ``x_pad (m, H_pad, W_pad, C)`` as a
        ``(m, out_h, out_w, kh, kw, C)`` view without a copy, or None where
        the library exposes no strides.
    unfold : (x_pad, win) -> array, optional
        im2col, ``(m*out_h*out_w, kh*kw*C)``, columns ordered ``(i, j, c)``
        (may live in a scratch buffer that the next call overwrites).
    fold : (dcols, win, m, channels) -> array, optional
        col2im, the adjoint of `unfold`: ``(m, H_pad, W_pad, C)``.
    fold_add : (dcols, win, into) -> None, optional
        `fold` added into `into` (a chunk of a larger gradient) in place.
    spread : (dy, win, m, channels) -> array, optional
        Each window's value added at all its positions, ``(m, H_pad, W_pad, C)``.
    column_sums : (a) -> array, optional
        ``(rows, n) -> (n,)``.
    tall_product : (a, b, bias, scratch_use) -> array, optional
        ``a @ b (+ bias)`` for a tall, thin `a`.
    over_samples : (fn, arrays, summed=()) -> result
        ``fn(*arrays)`` for an `fn` that treats samples independently,
        possibly on shares of the samples in parallel threads (see
        :func:`xcnn._backends.numpy.threads.over_samples`).
    einsum : callable, optional
        ``einsum(subscripts, *operands)`` over strided views, for the
        depthwise sums in one pass with no product arrays.
    reduce_over_view : bool
        Pooling reduces each window with one reduction over `window_view`
        instead of per offset (fewer, larger operations: fewer launches).
    select_by_product : bool
        Select a value or 0 by multiplying with a 0/1 mask rather than
        ``where`` (finite values only; exact).
    depthwise_by_columns : bool
        Depthwise convolution runs on unfolded columns in a few whole-array
        operations rather than per offset.
    one_product_input_gradient : bool
        ``groups = 1`` takes the input gradient as one product and `fold`
        rather than one product per offset added into place.
    cheap_host_checks : bool
        A look at a value on the host (``bool(xp.any(...))``) costs no
        device synchronisation, so work it can skip is worth a check.
    """

    name: str = "array API"
    window_view: Callable[[Array, Windows], Array | None] = _no_view
    unfold: Callable[[Array, Windows], Array] | None = None
    fold: Callable[[Array, Windows, int, int], Array] | None = None
    fold_add: Callable[[Array, Windows, Array], None] | None = None
    spread: Callable[[Array, Windows, int, int], Array] | None = None
    column_sums: Callable[[Array], Array] | None = None
    tall_product: Callable[[Array, Array, Array | None, str | None], Array] | None = None
    over_samples: Callable[..., Any] = _in_one_go
    einsum: Callable[..., Array] | None = None
    reduce_over_view: bool = False
    select_by_product: bool = False
    depthwise_by_columns: bool = False
    one_product_input_gradient: bool = False
    cheap_host_checks: bool = False


REFERENCE = Primitives()
"""The reference's own code for every step."""
