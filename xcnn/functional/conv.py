"""Padding and 2-D convolution, forward and backward, NHWC.

Weights are ``(kH, kW, C_in/groups, C_out)``, biases ``(C_out,)`` (the
tutorial's ``(1, 1, 1, C_out)`` is accepted too). The options follow
``torch.nn.functional.conv2d``; the backward follows
``torch.nn.grad.conv2d_input`` / ``conv2d_weight``: it takes the upstream
gradient and the forward's inputs and options.
"""

from __future__ import annotations

from typing import Any

from .. import _ops
from .._calls import ConvCall, PadCall
from .._validation import as_int, check_ndim, check_shape, common_float_dtype, namespace_of, shown
from ..backend import Array
from . import _args

__all__ = ["conv2d", "conv2d_backward", "pad"]

_NAMES = {"x": "x", "w": "w", "b": "b", "dz": "dz"}


def pad(x: Array, padding: Any, value: float = 0) -> Array:
    """Pad the two spatial axes of an NHWC batch with a constant.

    Parameters
    ----------
    x : array, shape ``(m, H, W, C)``
    padding : int, (int, int) or ((int, int), (int, int))
        The same on all sides, ``(h, w)`` on both sides of each axis, or
        ``((top, bottom), (left, right))``.
    value : float
        Fill value (``-inf`` works for floats).

    Returns
    -------
    array, shape ``(m, H + top + bottom, W + left + right, C)``

    Examples
    --------
    >>> import numpy as np
    >>> from xcnn import functional as F
    >>> F.pad(np.ones((1, 1, 2, 1)), ((0, 1), (1, 0)))[0, :, :, 0]
    array([[0., 1., 1.],
           [0., 0., 0.]])
    """
    return _ops.run(pad_call(x, padding, value))


def pad_call(x: Array, padding: Any, value: float = 0) -> PadCall:
    """:func:`pad`'s arguments checked, as the dispatch table's call."""
    xp, device = namespace_of(x=x)
    check_ndim("x", x, 4, "(m, H, W, C)")
    if isinstance(padding, str):
        msg = f"`padding` must be an int, a pair or ((top, bottom), (left, right)), got {shown(padding)}"
        raise ValueError(msg)
    sides = _args.conv_padding(padding, (1, 1), (1, 1), (1, 1))
    return PadCall("pad", xp, device, x.dtype, x=x, sides=sides, value=value)


def prepare_conv2d(
    x: Array, w: Array, b: Array | None, dz: Array | None, *, stride: Any, padding: Any, dilation: Any, groups: Any,
    names: dict[str, str] = _NAMES,
) -> ConvCall:
    """Check a convolution call and normalise its options (shared with the tutorial API).

    `names` maps ``x``, ``w``, ``b``, ``dz`` to the caller's argument names,
    so errors speak the caller's language (``A_prev`` and ``W`` in the tutorial).
    """
    xp, device = namespace_of(**{names["x"]: x, names["w"]: w, names["b"]: b, names["dz"]: dz})
    check_ndim(names["x"], x, 4, "(m, H, W, C_in)")
    check_ndim(names["w"], w, 4, "(kH, kW, C_in/groups, C_out)")
    dtype = common_float_dtype(xp, **{names["x"]: x, names["w"]: w, names["b"]: b, names["dz"]: dz})
    groups = as_int("groups", groups, minimum=1)
    c_in, (kh, kw, c_group, c_out) = x.shape[3], w.shape
    if 0 in (kh, kw, c_out):
        # PyTorch refuses these too; the windowing code would make an output of the wrong shape or fail inside.
        msg = (
            f"`{names['w']}` must have a kernel of at least 1x1 and at least one output channel: shape "
            f"(kH, kW, C_in/groups, C_out) with kH, kW, C_out >= 1, got shape {tuple(w.shape)}"
        )
        raise ValueError(msg)
    if c_in % groups or c_out % groups:
        msg = (
            f"`groups`={groups} must divide both the input channels ({c_in}, {names['x']}.shape[3]) "
            f"and the output channels ({c_out}, {names['w']}.shape[3])"
        )
        raise ValueError(msg)
    if c_group * groups != c_in:
        msg = (
            f"`{names['w']}` expects {c_group} input channels ({names['w']}.shape[2])"
            + (f" per group, {c_group * groups} in all with groups={groups}," if groups > 1 else "")
            + f" but `{names['x']}` has {c_in} ({names['x']}.shape[3]); "
            f"{names['w']} must be (kH, kW, C_in/groups, C_out)"
        )
        raise ValueError(msg)
    if b is not None and tuple(b.shape) not in ((c_out,), (1, 1, 1, c_out)):
        msg = (
            f"`{names['b']}` must have shape ({c_out},) or (1, 1, 1, {c_out}) to match the {c_out} output "
            f"channels of `{names['w']}`, got {tuple(b.shape)}"
        )
        raise ValueError(msg)
    stride = _args.pair("stride", stride, minimum=1)
    dilation = _args.pair("dilation", dilation, minimum=1)
    sides = _args.conv_padding(padding, (kh, kw), dilation, stride)
    win = _args.windows(x, names["x"], (kh, kw), stride, sides, dilation)
    if dz is not None:
        check_shape(names["dz"], dz, (x.shape[0], *win.out_size, c_out), "the shape of the forward output")
    op = "conv2d" if dz is None else "conv2d_backward"
    return ConvCall(op, xp, device, dtype, x=x, w=w, b=b, dz=dz, win=win, groups=groups)


def conv2d(
    x: Array, w: Array, b: Array | None = None, /, *, stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1
) -> Array:
    """2-D convolution (cross-correlation, as in deep learning) of an NHWC batch.

    ``out_h = floor((H + top + bottom - dilation*(kH - 1) - 1) / stride) + 1``,
    likewise ``out_w``.

    Parameters
    ----------
    x : array, shape ``(m, H, W, C_in)``
    w : array, shape ``(kH, kW, C_in/groups, C_out)``
    b : array, shape ``(C_out,)`` or ``(1, 1, 1, C_out)``, optional
    stride, dilation : int or (int, int)
        At least 1.
    padding : int, (int, int), ((int, int), (int, int)), "valid" or "same"
        Zero padding; ``"same"`` needs stride 1 and puts an odd extra
        row/column at the bottom/right, as PyTorch does.
    groups : int
        Split the channels into groups convolved separately;
        ``groups = C_in`` is a depthwise convolution.

    Returns
    -------
    array, shape ``(m, out_h, out_w, C_out)``
        Same namespace and device as `x`; mixed float dtypes promote.

    Examples
    --------
    >>> import numpy as np
    >>> from xcnn import functional as F
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> F.conv2d(x, np.ones((2, 2, 1, 1)), stride=2)[0, :, :, 0]
    array([[10., 18.],
           [42., 50.]])
    """
    return conv2d_named(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)


def conv2d_named(
    x: Array, w: Array, b: Array | None, *, stride: Any, padding: Any, dilation: Any, groups: Any,
    names: dict[str, str] = _NAMES,
) -> Array:
    """:func:`conv2d` with the caller's argument names in its errors."""
    return _ops.run(
        prepare_conv2d(x, w, b, None, stride=stride, padding=padding, dilation=dilation, groups=groups, names=names)
    )


def conv2d_call(
    x: Array, w: Array, b: Array | None = None, /, *, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
    groups: int = 1,
) -> ConvCall:
    """:func:`conv2d`'s arguments checked, as the dispatch table's call."""
    return prepare_conv2d(x, w, b, None, stride=stride, padding=padding, dilation=dilation, groups=groups)


def conv2d_backward_call(
    dz: Array, x: Array, w: Array, /, *, stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
    bias: bool = True,
) -> ConvCall:
    """:func:`conv2d_backward`'s arguments checked, as the dispatch table's call (`bias` changes no choice)."""
    return prepare_conv2d(x, w, None, dz, stride=stride, padding=padding, dilation=dilation, groups=groups)


def conv2d_backward(
    dz: Array, x: Array, w: Array, /, *, stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
    bias: bool = True,
) -> tuple[Array, Array, Array | None]:
    """Gradients of :func:`conv2d` with respect to its input, weights and bias.

    Parameters
    ----------
    dz : array, shape ``(m, out_h, out_w, C_out)``
        Gradient of the loss with respect to the output of :func:`conv2d`.
    x, w : arrays
        The forward pass's input and weights.
    stride, padding, dilation, groups
        The forward pass's options.
    bias : bool
        Whether the forward pass had a bias; ``db`` is ``None`` if not.

    Returns
    -------
    dx : array, shape ``(m, H, W, C_in)``
    dw : array, shape ``(kH, kW, C_in/groups, C_out)``
    db : array, shape ``(C_out,)``, or None
    """
    return conv2d_backward_named(
        dz, x, w, stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias
    )


def conv2d_backward_named(
    dz: Array, x: Array, w: Array, *, stride: Any, padding: Any, dilation: Any, groups: Any, bias: bool,
    names: dict[str, str] = _NAMES,
) -> tuple[Array, Array, Array | None]:
    """:func:`conv2d_backward` with the caller's argument names in its errors."""
    call = prepare_conv2d(x, w, None, dz, stride=stride, padding=padding, dilation=dilation, groups=groups, names=names)
    dx, dw, db = _ops.run(call)
    return dx, dw, (db if bias else None)
