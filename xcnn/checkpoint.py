"""Save and load model weights as a portable ``.npz`` file.

Weights are written as NumPy arrays under the names of
:meth:`xcnn.nn.Layer.named_parameters` (``"0.weight"``, ...), so a file saved
on one backend loads on any other; an optional JSON metadata entry records
how to rebuild the model.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from array_api_compat import array_namespace, device

from .backend import device_context, to_numpy
from .data import _read_npz
from .nn import Layer

__all__ = ["load_weights", "read_metadata", "save_weights"]

_META = "__xcnn_metadata__"
_EXPECTED = "weights written by `xcnn train` or xcnn.checkpoint.save_weights"
_SHOWN = 6
"""Problems listed in a load error; the rest are counted, so the message stays one readable line."""


def save_weights(model: Layer, path: str | Path, *, metadata: dict[str, Any] | None = None) -> Path:
    """Write every parameter of `model` (and optional JSON-able `metadata`) to `path`.

    Returns the path written (NumPy adds ``.npz`` when it is missing).
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays = {name: to_numpy(p.value) for name, p in model.named_parameters()}
    if metadata is not None:
        arrays[_META] = np.array(json.dumps(metadata))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The metadata stored by :func:`save_weights`, or ``{}``.

    Raises
    ------
    FileNotFoundError
        No file at `path`.
    ValueError
        `path` is not a weights file (not an ``.npz``, damaged, a ``.npy``),
        or its metadata is not a JSON object; the message starts with the path.
    """
    stored = _read_npz(path, _EXPECTED)
    if _META not in stored:
        return {}
    entry, metadata = stored[_META], None
    if entry.dtype.kind == "U" and entry.ndim == 0:
        with contextlib.suppress(ValueError):  # json's JSONDecodeError is a ValueError
            metadata = json.loads(str(entry))
    if not isinstance(metadata, dict):
        msg = f"{path}: the metadata entry {_META!r} is not a JSON object as save_weights writes it"
        raise ValueError(msg)
    return metadata


def load_weights(model: Layer, path: str | Path) -> Layer:
    """Load weights saved by :func:`save_weights` into `model`, in place, all or nothing.

    Each array goes to the backend, device and dtype of the parameter it
    replaces. Every entry is checked, and every array converted, before the
    first parameter changes: when loading fails, the model is as it was.

    Raises
    ------
    FileNotFoundError
        No file at `path`.
    ValueError
        `path` is not a weights file (not an ``.npz``, damaged, a ``.npy``),
        or its entries do not fit the model: the message names every
        missing, unexpected or wrongly shaped entry and every entry that
        does not hold real numbers (complex, bool, strings).
    """
    params = dict(model.named_parameters())
    stored = {name: a for name, a in _read_npz(path, _EXPECTED).items() if name != _META}
    problems = [f"missing {name}" for name in params if name not in stored]
    problems += [f"unexpected {name}" for name in stored if name not in params]
    problems += [
        f"{name} has shape {stored[name].shape}, the model needs {tuple(p.value.shape)}"
        for name, p in params.items()
        if name in stored and stored[name].shape != tuple(p.value.shape)
    ]
    not_real = [
        f"{name} ({stored[name].dtype})" for name in params if name in stored and stored[name].dtype.kind not in "iuf"
    ]
    if not_real:
        problems.append(f"{', '.join(not_real)} must hold real numbers (integers or floats)")
    if problems:
        shown = problems[:_SHOWN] + ([f"and {len(problems) - _SHOWN} more"] if len(problems) > _SHOWN else [])
        msg = f"{path}: weights do not fit the model: " + "; ".join(shown)
        raise ValueError(msg)
    # Every conversion first (one may fail: device memory), then the assignments, which cannot.
    values = {}
    for name, p in params.items():
        xp, dev = array_namespace(p.value), device(p.value)
        with device_context(xp, dev):
            values[name] = xp.asarray(stored[name], dtype=p.value.dtype, device=dev)
    for name, p in params.items():
        p.value, p.grad = values[name], None
    return model
