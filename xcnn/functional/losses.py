"""Losses and their backwards: ``*_backward(dloss, ...)`` takes the upstream
gradient of the (scalar) loss, usually 1, and the forward's inputs."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .._validation import check_floating, check_shape, common_float_dtype, dtype_name, namespace_of
from ..backend import Array, device_context
from .activations import _log_softmax

__all__ = ["cross_entropy", "cross_entropy_backward", "mse_loss", "mse_loss_backward"]


def _targets(logits: Array, labels: Array, xp: ModuleType, device: Any) -> Array:
    """Check `labels` and return them as a ``(N, C)`` float target distribution."""
    if logits.ndim != 2:
        msg = f"`logits` must be 2-D with shape (N, C), got shape {tuple(logits.shape)}"
        raise ValueError(msg)
    n, n_classes = logits.shape
    if xp.isdtype(labels.dtype, "integral"):
        check_shape("labels", labels, (n,), "(N,) class indices for (N, C) logits")
        # A clear error beats a silent wrong loss: this reads one flag back from the device.
        if bool(xp.any((labels < 0) | (labels >= n_classes))):
            lo, hi = xp.min(labels), xp.max(labels)
            msg = f"`labels` must be class indices in [0, {n_classes - 1}], got values from {int(lo)} to {int(hi)}"
            raise ValueError(msg)
        classes = xp.arange(n_classes, dtype=labels.dtype, device=device)
        return xp.astype(xp.reshape(labels, (n, 1)) == classes, logits.dtype)
    if xp.isdtype(labels.dtype, "real floating"):
        check_shape("labels", labels, (n, n_classes), "(N, C) one-hot or probabilities, like `logits`")
        return xp.astype(labels, logits.dtype, copy=False)
    msg = f"`labels` must be integer class indices (N,) or float one-hot (N, C), got dtype {dtype_name(labels.dtype)}"
    raise TypeError(msg)


def _scalar(name: str, value: Any, xp: ModuleType, dtype: Any, device: Any) -> Array:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return xp.asarray(float(value), dtype=dtype, device=device)
    xp2, _ = namespace_of(**{name: value})
    if xp2 is not xp or value.ndim != 0:
        msg = f"`{name}` must be a Python number or a 0-d array of the inputs' backend, got shape {tuple(value.shape)}"
        raise ValueError(msg)
    return value


def cross_entropy(logits: Array, labels: Array, /) -> Array:
    """Mean cross-entropy of softmax(`logits`) against `labels`, computed stably from logits.

    Parameters
    ----------
    logits : array, shape ``(N, C)``
    labels : int array ``(N,)`` of class indices in ``[0, C)``, or float ``(N, C)``
        one-hot rows (or any probability rows).

    Returns
    -------
    array, shape ``()``
        ``-mean_n sum_c labels[n, c] * log_softmax(logits)[n, c]``, where a
        class of label 0 adds nothing, even at a logit of -inf (PyTorch's
        value for class indices; for float labels PyTorch's ``0 * -inf`` is
        NaN).

    Examples
    --------
    >>> import numpy as np
    >>> from xcnn import functional as F
    >>> round(float(F.cross_entropy(np.zeros((2, 4)), np.array([0, 3]))), 6)  # log(4)
    1.386294
    """
    xp, device = namespace_of(logits=logits, labels=labels)
    check_floating("logits", logits, xp)
    with device_context(xp, device):
        target = _targets(logits, labels, xp, device)
        log_p = _log_softmax(logits, 1, xp)
        # 0 where the label is 0: a log-probability of -inf (a logit of -inf,
        # or one far below the largest) times 0 would be NaN
        log_p = xp.where(target == 0, xp.zeros((), dtype=log_p.dtype, device=device), log_p)
        return -xp.sum(target * log_p) / logits.shape[0]


def cross_entropy_backward(dloss: Array | float, logits: Array, labels: Array, /) -> Array:
    """Gradient of :func:`cross_entropy` with respect to `logits`:
    ``dloss * (softmax(logits) - target) / N``.

    Returns
    -------
    array, shape ``(N, C)``
    """
    xp, device = namespace_of(logits=logits, labels=labels)
    check_floating("logits", logits, xp)
    with device_context(xp, device):
        target = _targets(logits, labels, xp, device)
        scale = _scalar("dloss", dloss, xp, logits.dtype, device)
        return (xp.exp(_log_softmax(logits, 1, xp)) - target) * (scale / logits.shape[0])


def mse_loss(input: Array, target: Array, /) -> Array:  # noqa: A002 - PyTorch's name
    """Mean squared error ``mean((input - target)**2)`` over all elements."""
    xp, device = namespace_of(input=input, target=target)
    common_float_dtype(xp, input=input, target=target)
    check_shape("target", target, tuple(input.shape), "the shape of `input`")
    with device_context(xp, device):
        diff = input - target
        return xp.mean(diff * diff)


def mse_loss_backward(dloss: Array | float, input: Array, target: Array, /) -> Array:  # noqa: A002
    """Gradient of :func:`mse_loss` with respect to `input`: ``dloss * 2 (input - target) / size``."""
    xp, device = namespace_of(input=input, target=target)
    dtype = common_float_dtype(xp, input=input, target=target)
    check_shape("target", target, tuple(input.shape), "the shape of `input`")
    with device_context(xp, device):
        scale = _scalar("dloss", dloss, xp, dtype, device)
        size = 1
        for n in input.shape:
            size *= n
        return (input - target) * (2 * scale / size)
