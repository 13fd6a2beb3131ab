"""Training and evaluation loops for :class:`xcnn.nn.Sequential` classifiers.

The data stays on its device: batches are taken with ``xp.take`` from arrays
moved there once; the only host reads are the per-batch loss handed to the
``on_batch`` callback (a progress bar reads it) and one accuracy per epoch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from array_api_compat import array_namespace, device

from . import functional as F
from ._validation import is_chunked, namespace_of
from .backend import Array
from .nn import Layer
from .optim import Optimizer
from .parallel import Communicator, batch_share

__all__ = ["EpochStats", "History", "TrainingDiverged", "evaluate", "fit", "predict"]


@dataclass
class EpochStats:
    """What one epoch measured."""

    epoch: int
    loss: float
    train_accuracy: float
    test_accuracy: float | None
    seconds: float


@dataclass
class History:
    """Per-epoch statistics of a :func:`fit` run."""

    epochs: list[EpochStats] = field(default_factory=list)


class TrainingDiverged(ValueError):
    """:func:`fit` stopped: an epoch's mean loss was not finite or far above a uniform guess's.

    Attributes ``epoch`` and ``loss`` say where; ``history`` holds the epochs before it.
    """

    def __init__(self, epoch: int, loss: float, guess: float, history: History) -> None:
        self.epoch, self.loss, self.history = epoch, loss, history
        super().__init__(
            f"training diverged in epoch {epoch}: mean loss {loss:.4g} "
            f"(guessing uniformly scores {guess:.3g}); lower the learning rate"
        )


DIVERGED = 10.0
"""An epoch whose mean loss exceeds this many times a uniform guess's, ``ln(n_classes)``, has diverged."""


def _one_hot(labels: Array, n_classes: int, dtype: Any) -> Array:
    xp = array_namespace(labels)
    classes = xp.arange(n_classes, dtype=labels.dtype, device=device(labels))
    return xp.astype(xp.reshape(labels, (-1, 1)) == classes, dtype)


def _check_data(x: Array, y: Array, n_classes: int) -> None:
    xp, _ = namespace_of(x=x, y=y)
    if x.shape[0] != y.shape[0]:
        msg = f"`x` has {x.shape[0]} samples but `y` has {y.shape[0]} labels"
        raise ValueError(msg)
    if not xp.isdtype(y.dtype, "integral"):
        msg = f"`y` must hold integer class labels, got dtype {y.dtype}"
        raise TypeError(msg)
    # One read of two numbers, once per fit, to refuse labels the model cannot output.
    lo, hi = int(xp.min(y)), int(xp.max(y))
    if lo < 0 or hi >= n_classes:
        msg = f"`y` must be class labels in [0, {n_classes - 1}], got values from {lo} to {hi}"
        raise ValueError(msg)


def _batches(n: int, batch_size: int) -> list[slice]:
    return [slice(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def predict(model: Layer, x: Array, *, batch_size: int = 256) -> Array:
    """Class indices ``argmax(model(x))`` for each sample, on `x`'s device, in eval mode.

    A chunked, lazy array (dask) is its own batches: the model runs on it whole,
    which builds one task per chunk and keeps the chunks; `batch_size` is not used.
    """
    xp = array_namespace(x)
    was_training = model.training
    model.eval()
    batches = [slice(None)] if is_chunked(x) else _batches(x.shape[0], batch_size)
    try:
        parts = [xp.argmax(model.forward(x[s, ...]), axis=-1) for s in batches]
    finally:
        model.train(was_training)
    return parts[0] if len(parts) == 1 else xp.concat(parts)


def evaluate(model: Layer, x: Array, y: Array, *, batch_size: int = 256) -> float:
    """Accuracy of `model` on ``(x, y)``: one number read back from the device."""
    xp = array_namespace(x)
    correct = xp.sum(xp.astype(predict(model, x, batch_size=batch_size) == y, xp.int64))
    return int(correct) / x.shape[0]


def _start_together(model: Layer, communicator: Communicator, batch_size: int) -> None:
    """Check every process can take a share of each batch; give every process process 0's weights."""
    if batch_size < communicator.world_size:
        msg = (
            f"`batch_size` must be at least the {communicator.world_size} processes training together "
            f"(each takes a share of every batch), got {batch_size}"
        )
        raise ValueError(msg)
    for p in model.parameters():
        p.value = communicator.broadcast(p.value, root=0)


def _sum_gradients(model: Layer, communicator: Communicator, share: float) -> None:
    """Each parameter's gradient becomes the whole batch's: the shares' mean gradients, weighted by size, summed."""
    for p in model.parameters():
        if p.grad is not None:  # every process runs the same layers: the same gradients exist everywhere
            p.grad = communicator.all_reduce_sum(p.grad * share)  # a fresh array: summed in place


def fit(
    model: Layer,
    optimizer: Optimizer,
    x_train: Array,
    y_train: Array,
    *,
    epochs: int,
    batch_size: int,
    n_classes: int,
    seed: int = 0,
    x_test: Array | None = None,
    y_test: Array | None = None,
    on_batch: Callable[[int, int, int, Array], None] | None = None,
    on_epoch: Callable[[EpochStats], None] | None = None,
    communicator: Communicator | None = None,
) -> History:
    """Train a classifier with softmax cross-entropy and mini-batches.

    Parameters
    ----------
    model, optimizer
        An :mod:`xcnn.nn` model and an :mod:`xcnn.optim` optimiser over its parameters.
    x_train : array, shape ``(m, H, W, C)``
    y_train : int array, shape ``(m,)``
    epochs, batch_size : int
    n_classes : int
        Number of model outputs.
    seed : int
        Seeds the host permutation that shuffles each epoch.
    x_test, y_test : arrays, optional
        Evaluated after each epoch.
    on_batch : callable, optional
        ``on_batch(epoch, batch_index, n_batches, loss)`` with the batch loss
        as a 0-d device array (reading it costs a device sync).
    on_epoch : callable, optional
        Called with each :class:`EpochStats`.
    communicator : :class:`xcnn.parallel.Communicator`, optional
        Train data-parallel across processes (:mod:`xcnn.parallel`): every
        process passes the same data, seed and options; each computes the
        gradient of its share of every batch, the shares' gradients are summed
        (weighted by their sizes) before each update, and the weights start
        from process 0's. The weights then equal, within rounding, those of
        one process training on the whole batches. `batch_size` is the whole
        batch, at least the number of processes; `on_batch` sees this
        process's share's loss, the epoch's loss is over all of them.

    Raises
    ------
    TrainingDiverged
        An epoch's mean loss is NaN, infinite or above :data:`DIVERGED`
        times ``ln(n_classes)``, the loss of a uniform guess: the learning
        rate is too high. Checked once per epoch, from the loss it reads anyway.
    """
    xp, dev = namespace_of(x_train=x_train, y_train=y_train)
    _check_data(x_train, y_train, n_classes)
    if x_test is not None and y_test is not None:
        _check_data(x_test, y_test, n_classes)
    targets = _one_hot(y_train, n_classes, x_train.dtype)  # float targets: no per-batch label check
    rng = np.random.default_rng(seed)
    history = History()
    n = x_train.shape[0]
    batches = _batches(n, batch_size)
    if communicator is not None:
        _start_together(model, communicator, batch_size)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        order = xp.asarray(rng.permutation(n), device=dev)  # one small upload per epoch
        loss_sum = xp.zeros((), dtype=x_train.dtype, device=dev)
        for i, s in enumerate(batches):
            if communicator is not None:  # this process's part of the batch
                share = slice(*batch_share(s.start, s.stop, communicator.rank, communicator.world_size))
            else:
                share = s
            if share.stop > share.start:
                index = order[share]
                xb = xp.take(x_train, index, axis=0)
                tb = xp.take(targets, index, axis=0)
                logits = model.forward(xb)
                loss = F.cross_entropy(logits, tb)
                model.backward(F.cross_entropy_backward(1.0, logits, tb))
            else:  # a last batch smaller than the number of processes: this one adds nothing
                loss = xp.zeros((), dtype=x_train.dtype, device=dev)
                for p in model.parameters():
                    p.grad = xp.zeros_like(p.value)
            if communicator is not None:
                _sum_gradients(model, communicator, (share.stop - share.start) / (s.stop - s.start))
            optimizer.step()
            loss_sum = loss_sum + loss * (share.stop - share.start)
            if on_batch is not None:
                on_batch(epoch, i, len(batches), loss)
        if communicator is not None:
            loss_sum = communicator.all_reduce_sum(loss_sum)
        mean_loss = float(loss_sum) / n
        guess = math.log(max(n_classes, 2))
        if not math.isfinite(mean_loss) or mean_loss > DIVERGED * guess:
            raise TrainingDiverged(epoch, mean_loss, guess, history)
        stats = EpochStats(
            epoch=epoch,
            loss=mean_loss,
            train_accuracy=evaluate(model, x_train, y_train),
            test_accuracy=None if x_test is None or y_test is None else evaluate(model, x_test, y_test),
            seconds=time.perf_counter() - start,
        )
        history.epochs.append(stats)
        if on_epoch is not None:
            on_epoch(stats)
    return history
