"""The tutorial's functions, with its names and signatures, vectorized and correct.

Drop-in replacements for the functions of the "convolutional network step by
step" tutorial: NHWC activations ``(m, n_H, n_W, n_C)``, weights
``(f, f, n_C_prev, n_C)``, bias ``(1, 1, 1, n_C)``, ``hparameters`` dicts with
the keys ``"stride"`` and ``"pad"`` (convolution) or ``"f"`` and ``"stride"``
(pooling), caches ``(A_prev, W, b, hparameters)`` and ``(A_prev, hparameters)``.

They differ from the tutorial's own code where that code is wrong:

* ``conv_single_step`` adds the bias once, not to every product;
* ``conv_backward`` and ``pool_backward`` place windows by the real stride;
* the backward passes work for ``pad = 0``;
* max pooling sends each window's gradient to exactly one input, the first
  maximum in row-major order, as PyTorch does.

Every function takes its array namespace and device from its inputs, so the
same call runs on NumPy, CuPy, PyTorch or array_api_strict arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from array_api_compat import size as array_size

from array_api_compat import array_namespace

from .functional.conv import conv2d_backward_named, conv2d_named
from .functional.conv import pad as functional_pad
from .functional.pooling import (
    avg_pool2d_backward_named,
    avg_pool2d_named,
    max_pool2d_backward_named,
    max_pool2d_named,
)
from ._validation import (
    as_int,
    check_floating,
    check_ndim,
    check_shape,
    common_float_dtype,
    describe,
    hparameter,
    namespace_of,
    shown,
)
from .backend import Array, device_context, get_backend

__all__ = [
    "conv_backward",
    "conv_forward",
    "conv_single_step",
    "create_mask_from_window",
    "distribute_value",
    "pool_backward",
    "pool_forward",
    "zero_pad",
]

_NHWC = "(m, n_H, n_W, n_C)"
_CONV_KEYS = ("stride", "pad")
_POOL_KEYS = ("f", "stride")
_POOL_MODES = ("max", "average")
_CONV_NAMES = {"x": "A_prev", "w": "W", "b": "b", "dz": "dZ"}
_POOL_NAMES = {"x": "A_prev", "dy": "dA"}


def zero_pad(X: Array, pad: int) -> Array:
    """Pad the height and width of every image in `X` with `pad` zeros on each side.

    Parameters
    ----------
    X : array, shape ``(m, n_H, n_W, n_C)``
    pad : int >= 0

    Returns
    -------
    array, shape ``(m, n_H + 2*pad, n_W + 2*pad, n_C)``
        Same namespace, device and dtype as `X`.

    Examples
    --------
    >>> import numpy as np, xcnn
    >>> xcnn.zero_pad(np.ones((1, 2, 2, 1)), 1)[0, :, :, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 1., 0.],
           [0., 1., 1., 0.],
           [0., 0., 0., 0.]])
    """
    xp, device = namespace_of(X=X)
    check_ndim("X", X, 4, _NHWC)
    pad = as_int("pad", pad, minimum=0)
    return functional_pad(X, pad)


def conv_single_step(a_slice_prev: Array, W: Array, b: Array) -> Array:
    """Apply one filter to one window: ``sum(a_slice_prev * W) + b``.

    The bias is added once (the tutorial's code adds it to each of the
    ``f*f*n_C_prev`` products before summing).

    Parameters
    ----------
    a_slice_prev : array, shape ``(f, f, n_C_prev)``
    W : array, same shape as `a_slice_prev`
    b : array with one element, shape ``(1, 1, 1)``

    Returns
    -------
    array, shape ``()``
        A 0-d array on the inputs' device (``float(Z)`` gives a Python float).
    """
    xp, device = namespace_of(a_slice_prev=a_slice_prev, W=W, b=b)
    dtype = common_float_dtype(xp, a_slice_prev=a_slice_prev, W=W, b=b)
    check_shape("W", W, tuple(a_slice_prev.shape), "the shape of `a_slice_prev`")
    if array_size(a_slice_prev) == 0:  # an empty window would give b alone: no filter has an empty kernel
        msg = f"`a_slice_prev` must be a non-empty window (f, f, n_C_prev), got {tuple(a_slice_prev.shape)}"
        raise ValueError(msg)
    if array_size(b) != 1:
        msg = f"`b` must hold exactly one value (shape (1, 1, 1)), got shape {tuple(b.shape)}"
        raise ValueError(msg)
    with device_context(xp, device):
        product = xp.astype(a_slice_prev, dtype, copy=False) * xp.astype(W, dtype, copy=False)
        return xp.sum(product) + xp.reshape(xp.astype(b, dtype, copy=False), ())


def _conv_hparameters(hparameters: Any, function: str) -> tuple[int, int]:
    stride = hparameter(hparameters, "stride", function, _CONV_KEYS)
    pad = hparameter(hparameters, "pad", function, _CONV_KEYS)
    return (
        as_int('hparameters["stride"]', stride, minimum=1),
        as_int('hparameters["pad"]', pad, minimum=0),
    )


def conv_forward(A_prev: Array, W: Array, b: Array, hparameters: dict[str, int]) -> tuple[Array, tuple]:
    """Forward pass of a convolution layer.

    ``n_H = floor((n_H_prev - f + 2*pad) / stride) + 1``, likewise ``n_W``.

    Parameters
    ----------
    A_prev : array, shape ``(m, n_H_prev, n_W_prev, n_C_prev)``
    W : array, shape ``(f, f, n_C_prev, n_C)``
    b : array, shape ``(1, 1, 1, n_C)``
    hparameters : dict
        ``{"stride": int >= 1, "pad": int >= 0}``.

    Returns
    -------
    Z : array, shape ``(m, n_H, n_W, n_C)``
    cache : tuple
        ``(A_prev, W, b, hparameters)``, for :func:`conv_backward`.

    Notes
    -----
    Mixed float dtypes are promoted (float32 with float32 stays float32);
    integer inputs raise ``TypeError``.
    """
    stride, pad = _conv_hparameters(hparameters, "conv_forward")
    Z = conv2d_named(A_prev, W, b, stride=stride, padding=pad, dilation=1, groups=1, names=_CONV_NAMES)
    return Z, (A_prev, W, b, hparameters)


def _unpack_cache(cache: Any, names: Sequence[str], function: str) -> tuple:
    if not isinstance(cache, tuple) or len(cache) != len(names):
        msg = (
            f"`cache` must be the tuple ({', '.join(names)}) returned by the forward pass "
            f"of {function}, got {describe(cache) if not isinstance(cache, tuple) else f'a tuple of {len(cache)}'}"
        )
        raise TypeError(msg)
    return cache


def conv_backward(dZ: Array, cache: tuple) -> tuple[Array, Array, Array]:
    """Backward pass of a convolution layer, correct for every stride and padding.

    Parameters
    ----------
    dZ : array, shape ``(m, n_H, n_W, n_C)``
        Gradient of the cost with respect to the output ``Z`` of :func:`conv_forward`.
    cache : tuple
        ``(A_prev, W, b, hparameters)`` from :func:`conv_forward`.

    Returns
    -------
    dA_prev : array, shape ``(m, n_H_prev, n_W_prev, n_C_prev)``
    dW : array, shape ``(f, f, n_C_prev, n_C)``
    db : array, shape ``(1, 1, 1, n_C)``
    """
    A_prev, W, b, hparameters = _unpack_cache(cache, ("A_prev", "W", "b", "hparameters"), "conv_forward")
    stride, pad = _conv_hparameters(hparameters, "conv_backward")
    namespace_of(dZ=dZ, b=b)  # b is not used, but must match the others
    dA_prev, dW, db = conv2d_backward_named(
        dZ, A_prev, W, stride=stride, padding=pad, dilation=1, groups=1, bias=True, names=_CONV_NAMES
    )
    xp = array_namespace(db)
    return dA_prev, dW, xp.reshape(db, (1, 1, 1, -1))


def _pool_hparameters(hparameters: Any, mode: Any, function: str) -> tuple[int, int]:
    if mode not in _POOL_MODES:
        msg = f"`mode` must be one of {list(_POOL_MODES)}, got {shown(mode)}"
        raise ValueError(msg)
    f = hparameter(hparameters, "f", function, _POOL_KEYS)
    stride = hparameter(hparameters, "stride", function, _POOL_KEYS)
    return as_int('hparameters["f"]', f, minimum=1), as_int('hparameters["stride"]', stride, minimum=1)


def pool_forward(A_prev: Array, hparameters: dict[str, int], mode: str = "max") -> tuple[Array, tuple]:
    """Forward pass of a pooling layer.

    ``n_H = floor((n_H_prev - f) / stride) + 1``, likewise ``n_W``; ``n_C = n_C_prev``.

    Parameters
    ----------
    A_prev : array, shape ``(m, n_H_prev, n_W_prev, n_C)``
    hparameters : dict
        ``{"f": int >= 1, "stride": int >= 1}``.
    mode : {"max", "average"}

    Returns
    -------
    A : array, shape ``(m, n_H, n_W, n_C)``
    cache : tuple
        ``(A_prev, hparameters)``, for :func:`pool_backward`.
    """
    f, stride = _pool_hparameters(hparameters, mode, "pool_forward")
    if mode == "max":
        A = max_pool2d_named(A_prev, f, stride=stride, padding=0, dilation=1, ceil_mode=False, names=_POOL_NAMES)
    else:
        A = avg_pool2d_named(
            A_prev, f, stride=stride, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None,
            names=_POOL_NAMES,
        )
    return A, (A_prev, hparameters)


def create_mask_from_window(x: Array) -> Array:
    """Boolean mask that marks the maximum of `x`: exactly one ``True``.

    On ties the first maximum in row-major order is marked (PyTorch's rule for
    max pooling), so a window's gradient is passed on exactly once; in a window
    holding NaN, its last NaN (the same rule: a NaN takes over from whatever
    came before). The tutorial's ``x == max(x)`` marks every tied maximum.

    Parameters
    ----------
    x : array, shape ``(f, f)`` (any non-empty shape works)

    Returns
    -------
    mask : bool array, same shape as `x`

    Examples
    --------
    >>> import numpy as np, xcnn
    >>> xcnn.create_mask_from_window(np.array([[1.0, 3.0], [3.0, 2.0]]))
    array([[False,  True],
           [False, False]])
    """
    xp, device = namespace_of(x=x)
    if array_size(x) == 0:
        msg = f"`x` must be a non-empty window, got shape {tuple(x.shape)}"
        raise ValueError(msg)
    with device_context(xp, device):
        flat = xp.reshape(x, (-1,))
        positions = xp.arange(flat.shape[0], device=device)
        first_max = xp.argmax(flat)  # the standard returns the first occurrence
        # a window holding NaN marks its last NaN, as max pooling's gradient does (PyTorch's rule)
        nan = xp.astype(xp.isnan(flat), xp.int8)
        last_nan = flat.shape[0] - 1 - xp.argmax(xp.flip(nan))
        marked = xp.where(xp.any(nan != 0), last_nan, first_max)
        return xp.reshape(positions == marked, x.shape)


def distribute_value(dz: Array | float, shape: tuple[int, int]) -> Array:
    """Spread `dz` evenly over a window of `shape`: every entry is ``dz / (n_H * n_W)``.

    Parameters
    ----------
    dz : float or 0-d array
        The gradient of one average-pooling output.
    shape : (int, int)
        ``(n_H, n_W)`` of the window.

    Returns
    -------
    array, shape `shape`
        On `dz`'s backend and device, or on the selected backend for a Python number.

    Examples
    --------
    >>> import xcnn
    >>> xcnn.distribute_value(2.0, (2, 2))
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    if not (isinstance(shape, Sequence) and len(shape) == 2):
        msg = f"`shape` must be a pair (n_H, n_W), got {shown(shape)}"
        raise TypeError(msg)
    n_h = as_int("shape[0]", shape[0], minimum=1)
    n_w = as_int("shape[1]", shape[1], minimum=1)
    if isinstance(dz, (int, float)) and not isinstance(dz, bool):
        backend = get_backend()
        xp, device = backend.xp, backend.device
        dz = xp.asarray(float(dz), device=device)
    else:
        xp, device = namespace_of(dz=dz)
        if dz.ndim != 0:
            msg = f"`dz` must be a scalar or a 0-d array, got shape {tuple(dz.shape)}"
            raise ValueError(msg)
        check_floating("dz", dz, xp)
    with device_context(xp, device):
        return xp.zeros((n_h, n_w), dtype=dz.dtype, device=device) + dz / (n_h * n_w)


def pool_backward(dA: Array, cache: tuple, mode: str = "max") -> Array:
    """Backward pass of a pooling layer, correct for every stride.

    Max pooling sends each window's gradient to its first maximum (see
    :func:`create_mask_from_window`); average pooling spreads it evenly (see
    :func:`distribute_value`). Overlapping windows add up.

    Parameters
    ----------
    dA : array, shape ``(m, n_H, n_W, n_C)``
        Gradient with respect to the output of :func:`pool_forward`.
    cache : tuple
        ``(A_prev, hparameters)`` from :func:`pool_forward`.
    mode : {"max", "average"}
        Must match the forward pass.

    Returns
    -------
    dA_prev : array, shape ``(m, n_H_prev, n_W_prev, n_C)``
    """
    A_prev, hparameters = _unpack_cache(cache, ("A_prev", "hparameters"), "pool_forward")
    f, stride = _pool_hparameters(hparameters, mode, "pool_backward")
    if mode == "max":
        return max_pool2d_backward_named(
            dA, A_prev, f, stride=stride, padding=0, dilation=1, ceil_mode=False, names=_POOL_NAMES
        )
    return avg_pool2d_backward_named(
        dA, A_prev, f, stride=stride, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None,
        names=_POOL_NAMES,
    )
