"""Save and load model weights as a portable ``.npz`` file.

Weights are written as NumPy arrays under the names of
:meth:`xcnn.nn.Layer.named_parameters` (``"0.weight"``, ...), so a file saved
on one backend loads on any other; an optional JSON metadata entry records
how to rebuild the model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from array_api_compat import array_namespace, device

from .backend import device_context, to_numpy
from .nn import Layer

__all__ = ["load_weights", "read_metadata", "save_weights"]

_META = "__xcnn_metadata__"


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
    """The metadata stored by :func:`save_weights`, or ``{}``."""
    with np.load(path) as data:
        return json.loads(str(data[_META])) if _META in data else {}


def load_weights(model: Layer, path: str | Path) -> Layer:
    """Load weights saved by :func:`save_weights` into `model`, in place.

    Each array goes to the backend, device and dtype of the parameter it
    replaces. Raises ``ValueError`` naming every missing, unexpected or
    wrongly shaped entry.
    """
    params = dict(model.named_parameters())
    with np.load(path) as data:
        stored = {name: data[name] for name in data.files if name != _META}
    problems = [f"missing {name}" for name in params if name not in stored]
    problems += [f"unexpected {name}" for name in stored if name not in params]
    problems += [
        f"{name} has shape {stored[name].shape}, the model needs {tuple(p.value.shape)}"
        for name, p in params.items()
        if name in stored and stored[name].shape != tuple(p.value.shape)
    ]
    if problems:
        msg = f"{path}: weights do not fit the model: " + "; ".join(problems)
        raise ValueError(msg)
    for name, p in params.items():
        xp, dev = array_namespace(p.value), device(p.value)
        with device_context(xp, dev):
            p.value = xp.asarray(stored[name], dtype=p.value.dtype, device=dev)
        p.grad = None
    return model
