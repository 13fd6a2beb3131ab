"""Per-library probes: is a backend installed, which devices does it have, which device is meant.

Used by the selector in :mod:`xcnn.backend` (import the public names from
there, or from :mod:`xcnn`). Each probe imports the library it asks about, and
only when asked: nothing here imports CuPy or PyTorch at import time.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
from types import ModuleType
from typing import Any

__all__ = ["BackendUnavailableError", "installed_version"]

_INSTALL_HINTS = {
    "numpy": 'pip install numpy',
    "cupy": 'pip install "xcnn[cuda12]"  (or "xcnn[cuda13]" for CUDA 13)',
    "torch": 'pip install "xcnn[torch]"',
    "array_api_strict": 'pip install array-api-strict',
}


class BackendUnavailableError(ImportError):
    """The requested backend is not installed or has no usable device."""


def _device_label(device: Any) -> str:
    # CuPy's Device prints as "<CUDA Device 0>"; name it as users write it.
    if type(device).__module__.startswith("cupy"):
        return f"cuda:{device.id}"
    if type(device).__module__.startswith("array_api_strict"):
        return str(device).split("'")[1] if "'" in str(device) else str(device)
    return str(device)


def _import(name: str) -> ModuleType:
    if importlib.util.find_spec(name) is None:
        msg = f"backend {name!r} is not installed; install it with: {_INSTALL_HINTS[name]}"
        raise BackendUnavailableError(msg)
    try:
        return importlib.import_module(name)
    except Exception as exc:  # a broken install (missing CUDA libraries, ...)
        msg = (
            f"backend {name!r} is installed but failed to import ({exc}); "
            f"reinstall it with: {_INSTALL_HINTS[name]}"
        )
        raise BackendUnavailableError(msg) from exc


def _cuda_device_count_cupy(cupy: ModuleType) -> int:
    try:
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # no driver, no device: CuPy raises CUDARuntimeError
        return 0


def _list_devices(name: str) -> tuple[str, ...]:
    """Device names usable for backend `name`; raises if it is not installed."""
    module = _import(name)
    if name == "numpy":
        return ("cpu",)
    if name == "array_api_strict":
        return tuple(_device_label(d) for d in module.__array_namespace_info__().devices())
    if name == "torch":
        devices = ["cpu"]
        if module.cuda.is_available():
            devices += [f"cuda:{i}" for i in range(module.cuda.device_count())]
        mps = getattr(module.backends, "mps", None)
        if mps is not None and mps.is_available():
            devices.append("mps")
        return tuple(devices)
    # cupy
    return tuple(f"cuda:{i}" for i in range(_cuda_device_count_cupy(module)))


def _resolve_device(name: str, device: str | Any | None) -> Any:
    """Turn a device name (or the library's own device object) into that object."""
    devices = _list_devices(name)
    if name == "cupy" and not devices:
        msg = (
            "backend 'cupy' has no usable CUDA device (no GPU visible or no driver); "
            "choose 'numpy' or 'auto' on this machine"
        )
        raise BackendUnavailableError(msg)
    if device is None:
        label = devices[0]
    elif isinstance(device, str):
        label = device.strip()
        if name == "cupy" and label in ("cuda", "gpu"):
            label = "cuda:0"
        if name == "torch" and label == "cuda":
            label = "cuda:0"
        if label not in devices:
            msg = (
                f"device {device!r} is not available for backend {name!r}; "
                f"available devices here: {', '.join(devices) or 'none'}"
            )
            if name == "torch" and label.startswith("cuda"):
                msg += " (the installed PyTorch sees no such CUDA device)"
            raise BackendUnavailableError(msg)
    else:
        return device  # already the library's own device object
    module = importlib.import_module(name)
    if name == "numpy":
        return "cpu"
    if name == "array_api_strict":
        return module.Device(label)
    if name == "torch":
        return module.device(label)
    return module.cuda.Device(int(label.split(":")[1]))


def _cupy_has_device() -> bool:
    if importlib.util.find_spec("cupy") is None:
        return False
    try:
        return _cuda_device_count_cupy(importlib.import_module("cupy")) > 0
    except Exception:
        return False


def installed_version(package: str) -> str:
    """The installed version of a distribution (``"torch"``), or ``"not installed"``."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
