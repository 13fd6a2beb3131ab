"""Backend selection: which array library and device new data goes to.

xcnn's functions follow their inputs: an array of CuPy in, an array of CuPy
out, on the same device. The selector decides only where data with no array
input goes: :func:`asarray`, filters, initialisers, datasets.

The choice comes, in order of precedence, from

1. :func:`use_backend` (a context manager, local to the thread or task),
2. :func:`set_backend` (process-wide),
3. the environment variables ``XCNN_BACKEND`` and ``XCNN_DEVICE``, read at the
   first call that needs a backend, never at ``import xcnn``,
4. the default, NumPy on the CPU.

Nothing here imports CuPy or PyTorch until that backend is selected, probed or
handed an array of its own. The probes (installed or not, which devices) are in
:mod:`xcnn._backend_devices`.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np

from ._backend_devices import (
    BackendUnavailableError,
    _cupy_has_device,
    _device_label,
    _list_devices,
    _resolve_device,
    installed_version,
)

__all__ = [
    "Backend",
    "BackendInfo",
    "BackendUnavailableError",
    "asarray",
    "available_backends",
    "backend_info",
    "get_backend",
    "set_backend",
    "to_numpy",
    "use_backend",
]

Array = Any
"""Any array of a supported library (NumPy, CuPy, PyTorch, array_api_strict)."""

KNOWN_BACKENDS = ("numpy", "cupy", "torch", "array_api_strict")
"""Backend names accepted by the selector, besides ``"auto"``."""

# The array-API namespace of each backend, as `array_namespace` returns it for
# that library's arrays, so "same backend" is a plain identity check.
_NAMESPACES = {
    "numpy": "array_api_compat.numpy",
    "cupy": "array_api_compat.cupy",
    "torch": "array_api_compat.torch",
    "array_api_strict": "array_api_strict",
}


@dataclass(frozen=True)
class Backend:
    """A selected array library and device.

    Attributes
    ----------
    name : str
        One of ``"numpy"``, ``"cupy"``, ``"torch"``, ``"array_api_strict"``.
    xp : module
        The array-API-compatible namespace (through ``array_api_compat``).
    device : object
        The library's own device object, as ``array_api_compat.device`` returns.
    """

    name: str
    xp: ModuleType = field(repr=False)
    device: Any

    def __str__(self) -> str:
        return f"{self.name} on {_device_label(self.device)}"


@dataclass(frozen=True)
class BackendInfo:
    """Whether a backend can be used here, on which devices, or why not."""

    name: str
    available: bool
    devices: tuple[str, ...]
    version: str | None
    reason: str


def _make_backend(name: str, device: str | Any | None) -> Backend:
    if not isinstance(name, str):
        msg = f"backend name must be a string, got {type(name).__name__} {name!r}"
        raise TypeError(msg)
    key = name.strip().lower()
    if key == "auto":
        key = "cupy" if _cupy_has_device() else "numpy"
        if key == "numpy":
            device = None  # a CUDA device name means nothing to NumPy
    if key not in KNOWN_BACKENDS:
        msg = (
            f"unknown backend {name!r}; known backends: "
            f"{', '.join(KNOWN_BACKENDS)}, or 'auto' (CuPy if a CUDA device is visible, else NumPy)"
        )
        raise ValueError(msg)
    resolved = _resolve_device(key, device)
    return Backend(key, importlib.import_module(_NAMESPACES[key]), resolved)


# --- the selection state --------------------------------------------------------

_global: Backend | None = None
_local: contextvars.ContextVar[Backend | None] = contextvars.ContextVar("xcnn_backend", default=None)


def get_backend() -> Backend:
    """Return the backend that data with no array input goes to.

    On first use with nothing selected it reads ``XCNN_BACKEND`` (default
    ``"numpy"``) and ``XCNN_DEVICE`` (default: the backend's first device).

    Returns
    -------
    Backend
        ``name``, ``xp`` (the array-API namespace) and ``device``.
    """
    global _global
    local = _local.get()
    if local is not None:
        return local
    if _global is None:
        name = os.environ.get("XCNN_BACKEND", "").strip() or "numpy"
        device = os.environ.get("XCNN_DEVICE", "").strip() or None
        try:
            _global = _make_backend(name, device)
        except (ValueError, BackendUnavailableError) as exc:
            msg = f"XCNN_BACKEND={name!r}"
            if device is not None:
                msg += f", XCNN_DEVICE={device!r}"
            raise type(exc)(f"{msg}: {exc}") from exc
    return _global


def set_backend(name: str, device: str | Any | None = None) -> Backend:
    """Select the backend process-wide (until changed again).

    Parameters
    ----------
    name : str
        ``"numpy"``, ``"cupy"``, ``"torch"``, ``"array_api_strict"`` or ``"auto"``
        (CuPy when a CUDA device is visible, else NumPy).
    device : str or device object, optional
        For example ``"cpu"``, ``"cuda:1"``, or ``"device1"`` for
        array_api_strict. Default: the backend's first device.

    Returns
    -------
    Backend
        The new selection.

    Raises
    ------
    ValueError
        `name` is not a known backend.
    BackendUnavailableError
        The backend is not installed, or `device` is not available.
    """
    global _global
    _global = _make_backend(name, device)
    return _global


@contextlib.contextmanager
def use_backend(name: str, device: str | Any | None = None) -> Iterator[Backend]:
    """Select a backend inside a ``with`` block, then restore the previous one.

    Examples
    --------
    >>> import xcnn
    >>> with xcnn.use_backend("numpy"):
    ...     x = xcnn.asarray([[1.0, 2.0]])
    >>> type(x).__name__
    'ndarray'
    """
    token = _local.set(_make_backend(name, device))
    try:
        yield _local.get()  # type: ignore[misc]
    finally:
        _local.reset(token)


def backend_info() -> list[BackendInfo]:
    """Report every known backend: usable here or not, its devices, and why not.

    Probing imports each installed library (CuPy, PyTorch) but selects none.
    """
    report = []
    for name in KNOWN_BACKENDS:
        version = None
        try:
            devices = _list_devices(name)
            version = getattr(importlib.import_module(name), "__version__", None)
        except BackendUnavailableError as exc:
            report.append(BackendInfo(name, False, (), None, str(exc)))
            continue
        if not devices:
            reason = "installed, but no CUDA device is visible"
            report.append(BackendInfo(name, False, (), version, reason))
        else:
            report.append(BackendInfo(name, True, devices, version, "ok"))
    return report


def available_backends() -> tuple[str, ...]:
    """Names of the backends usable on this machine (installed, with a device)."""
    return tuple(info.name for info in backend_info() if info.available)


# --- moving data in and out -------------------------------------------------------


def _dtype_for(xp: ModuleType, dtype: Any) -> Any:
    if dtype is None:
        return None
    if isinstance(dtype, str):
        name = dtype
    else:
        try:
            name = np.dtype(dtype).name  # NumPy dtypes and type objects
        except TypeError:
            return dtype  # already the backend's own dtype object
    if not hasattr(xp, name):
        msg = f"`dtype` {dtype!r} is not a dtype of {xp.__name__}"
        raise TypeError(msg)
    return getattr(xp, name)


def asarray(obj: Any, dtype: Any = None) -> Array:
    """Put host data (lists, scalars, NumPy arrays) on the selected backend and device.

    An array of another backend is first brought to the host with
    :func:`to_numpy`; that copy is the point of calling this function.

    Parameters
    ----------
    obj : array_like
        Data to convert.
    dtype : str or dtype, optional
        ``"float32"``, ``numpy.float32`` or the backend's own dtype. Default:
        the dtype the backend infers (for Python floats, PyTorch picks float32).

    Returns
    -------
    array
        An array of the selected backend on the selected device.
    """
    backend = get_backend()
    if isinstance(obj, np.ndarray) and any(stride < 0 for stride in obj.strides):
        obj = np.ascontiguousarray(obj)  # PyTorch refuses views with negative strides (x[:, ::-1])
    if array_api_compat.is_array_api_obj(obj) and not isinstance(obj, np.ndarray):
        if array_api_compat.array_namespace(obj) is not backend.xp:
            obj = to_numpy(obj)
    return backend.xp.asarray(obj, dtype=_dtype_for(backend.xp, dtype), device=backend.device)


def to_numpy(x: Array) -> np.ndarray:
    """Bring an array of any supported backend to the host as a NumPy array.

    This is xcnn's one explicit door to the host: nothing else in xcnn copies
    device data there.
    """
    if isinstance(x, (np.ndarray, np.generic)):
        return np.asarray(x)
    if array_api_compat.is_cupy_array(x):
        return x.get()
    if array_api_compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if array_api_compat.is_array_api_strict_namespace(array_api_compat.array_namespace(x)):
        import array_api_strict

        return np.asarray(x.to_device(array_api_strict.Device("CPU_DEVICE")))
    if array_api_compat.is_array_api_obj(x):
        return np.from_dlpack(x)
    return np.asarray(x)


def device_context(xp: ModuleType, device: Any) -> contextlib.AbstractContextManager[Any]:
    """Make `device` current while computing, where the library needs that.

    CuPy launches kernels on the *current* CUDA device, not on the inputs'
    one, so work on ``cuda:1`` must run inside ``with cupy.cuda.Device(1)``.
    Other libraries follow their inputs by themselves.
    """
    if array_api_compat.is_cupy_namespace(xp):
        return device  # cupy.cuda.Device is a context manager
    return contextlib.nullcontext()
