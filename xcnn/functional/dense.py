"""The fully connected layer, forward and backward."""

from __future__ import annotations

from .. import _ops
from .._validation import check_shape, common_float_dtype, namespace_of
from ..backend import Array, device_context

__all__ = ["linear", "linear_backward"]


def _check(x: Array, w: Array, b: Array | None) -> None:
    if w.ndim != 2:
        msg = f"`w` must be 2-D with shape (in_features, out_features), got shape {tuple(w.shape)}"
        raise ValueError(msg)
    if x.ndim < 1 or x.shape[-1] != w.shape[0]:
        msg = (
            f"`x` must end in in_features = {w.shape[0]} (w.shape[0]), got shape {tuple(x.shape)}; "
            "flatten images first, e.g. reshape (m, H, W, C) to (m, H*W*C)"
        )
        raise ValueError(msg)
    if b is not None:
        check_shape("b", b, (w.shape[1],), "(out_features,)")


def linear(x: Array, w: Array, b: Array | None = None, /) -> Array:
    """Fully connected layer: ``x @ w + b``.

    Parameters
    ----------
    x : array, shape ``(..., in_features)``
    w : array, shape ``(in_features, out_features)``
        The tutorial's layout (PyTorch stores the transpose).
    b : array, shape ``(out_features,)``, optional

    Returns
    -------
    array, shape ``(..., out_features)``

    Examples
    --------
    >>> import numpy as np
    >>> from xcnn import functional as F
    >>> F.linear(np.ones((2, 3)), np.ones((3, 4)), np.arange(4.0))
    array([[3., 4., 5., 6.],
           [3., 4., 5., 6.]])
    """
    xp, device = namespace_of(x=x, w=w, b=b)
    dtype = common_float_dtype(xp, x=x, w=w, b=b)
    _check(x, w, b)
    with device_context(xp, device):
        y = xp.astype(x, dtype, copy=False) @ xp.astype(w, dtype, copy=False)
        return y if b is None else y + xp.astype(b, dtype, copy=False)


def linear_backward(dy: Array, x: Array, w: Array, /, *, bias: bool = True) -> tuple[Array, Array, Array | None]:
    """Gradients of :func:`linear`.

    Parameters
    ----------
    dy : array, shape ``(..., out_features)``
    x, w : the forward's input and weights
    bias : bool
        Whether the forward had a bias; ``db`` is ``None`` if not.

    Returns
    -------
    dx : ``(..., in_features)``
    dw : ``(in_features, out_features)``
    db : ``(out_features,)`` or None
    """
    xp, device = namespace_of(dy=dy, x=x, w=w)
    dtype = common_float_dtype(xp, dy=dy, x=x, w=w)
    _check(x, w, None)
    check_shape("dy", dy, (*x.shape[:-1], w.shape[1]), "the shape of the forward output")
    with device_context(xp, device):
        dy, x, w = (xp.astype(a, dtype, copy=False) for a in (dy, x, w))
        dy2 = xp.reshape(dy, (-1, w.shape[1]))
        dx = dy @ w.T
        dw = xp.reshape(x, (-1, w.shape[0])).T @ dy2
        db = _ops.column_sums(dy2, xp) if bias else None
    return dx, dw, db
