"""One fixture, ``xb``, that runs a test on every backend and device available.

Cases: NumPy, through its compiled kernels where Numba is installed and once
more with them switched off (``numpy-cpu-nojit``); array_api_strict on its default device and on ``device1`` (to
catch a dropped ``device=``); PyTorch on the CPU and on each CUDA device; CuPy
on each CUDA device. A case that cannot run here is skipped with its reason.
``XCNN_TEST_BACKENDS=numpy,torch`` (names, or ``name:device``) restricts the set.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np
import pytest


@dataclass
class BackendCase:
    """A backend and device under test, with helpers to move test data."""

    name: str
    device_label: str
    xp: ModuleType
    device: Any
    jit: bool = True
    """False: NumPy's compiled kernels (:mod:`xcnn._backends.numpy.numba.available`) are switched off for the test."""

    def asarray(self, data: Any, dtype: str | None = None) -> Any:
        """Host data -> this case's array (dtype name such as ``"float32"``)."""
        data = np.asarray(data)
        if dtype is not None:
            data = data.astype(dtype)
        return self.xp.asarray(data, device=self.device)

    def to_numpy(self, x: Any) -> np.ndarray:
        import xcnn

        return xcnn.to_numpy(x)

    def assert_here(self, x: Any) -> None:
        """`x` is an array of this case's namespace on this case's device."""
        assert array_api_compat.array_namespace(x) is self.xp, f"wrong namespace: {type(x)}"
        assert array_api_compat.device(x) == self.device, (
            f"array on {array_api_compat.device(x)}, expected {self.device}"
        )

    def __str__(self) -> str:
        return f"{self.name}-{self.device_label}"


def _cuda_count_cupy(cupy: ModuleType) -> int:
    try:
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:
        return 0


def _collect_cases() -> list[Any]:
    params: list[Any] = []

    def add(name: str, label: str, make: Any, reason: str | None = None) -> None:
        case_id = f"{name}-{label}"
        if reason is not None:
            params.append(pytest.param(None, id=case_id, marks=pytest.mark.skip(reason=reason)))
        else:
            params.append(pytest.param((name, label, make), id=case_id))

    compat = importlib.import_module
    add("numpy", "cpu", lambda: BackendCase("numpy", "cpu", compat("array_api_compat.numpy"), "cpu"))
    if importlib.util.find_spec("numba") is None:
        add("numpy", "cpu-nojit", None, "Numba is not installed: numpy-cpu runs the array-API code already")
    else:
        add("numpy", "cpu-nojit", lambda: BackendCase("numpy", "cpu", compat("array_api_compat.numpy"), "cpu", jit=False))

    if importlib.util.find_spec("array_api_strict") is None:
        add("array_api_strict", "CPU_DEVICE", None, "array_api_strict is not installed")
    else:
        import array_api_strict as xs

        for label in ("CPU_DEVICE", "device1"):
            add(
                "array_api_strict",
                label,
                lambda label=label: BackendCase("array_api_strict", label, xs, xs.Device(label)),
            )

    if importlib.util.find_spec("torch") is None:
        add("torch", "cpu", None, "PyTorch is not installed (pip install 'xcnn[torch]')")
        add("torch", "cuda", None, "PyTorch is not installed")
    else:
        import torch

        xpt = compat("array_api_compat.torch")
        add("torch", "cpu", lambda: BackendCase("torch", "cpu", xpt, torch.device("cpu")))
        if torch.cuda.is_available():
            for i in range(torch.cuda.device_count()):
                add(
                    "torch",
                    f"cuda:{i}",
                    lambda i=i: BackendCase("torch", f"cuda:{i}", xpt, torch.device(f"cuda:{i}")),
                )
        else:
            add("torch", "cuda", None, "PyTorch sees no CUDA device")

    if importlib.util.find_spec("cupy") is None:
        add("cupy", "cuda", None, "CuPy is not installed (pip install 'xcnn[cuda12]')")
    else:
        import cupy

        count = _cuda_count_cupy(cupy)
        if count == 0:
            add("cupy", "cuda", None, "CuPy is installed but sees no CUDA device")
        xpc = compat("array_api_compat.cupy")
        for i in range(count):
            add(
                "cupy",
                f"cuda:{i}",
                lambda i=i: BackendCase("cupy", f"cuda:{i}", xpc, cupy.cuda.Device(i)),
            )
    return _restrict(params)


def _restrict(params: list[Any]) -> list[Any]:
    wanted = os.environ.get("XCNN_TEST_BACKENDS", "").strip()
    if not wanted:
        return params
    keys = {w.strip() for w in wanted.split(",") if w.strip()}
    restricted = []
    for p in params:
        name = p.id.split("-", 1)[0]
        if name in keys or p.id.replace("-", ":", 1) in keys:
            restricted.append(p)
        else:
            restricted.append(
                pytest.param(None, id=p.id, marks=pytest.mark.skip(reason=f"not in XCNN_TEST_BACKENDS={wanted}"))
            )
    return restricted


CASES = _collect_cases()


@pytest.fixture(params=CASES)
def xb(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> BackendCase:
    """The backend case under test."""
    _, _, make = request.param
    case = make()
    if not case.jit:
        import xcnn._backends.numpy.numba.available

        monkeypatch.setattr(xcnn._backends.numpy.numba.available, "_switched_on", lambda: False)
    return case


@pytest.fixture(autouse=True)
def _fresh_selection():
    """Leave the process-wide backend selection as each test found it."""
    import xcnn.backend as backend

    saved = backend._global
    yield
    backend._global = saved


def pytest_report_header(config: pytest.Config) -> list[str]:
    ran = [p.id for p in CASES if not p.marks]
    skipped = [f"{p.id} ({p.marks[0].kwargs['reason']})" for p in CASES if p.marks]
    return [f"xcnn backends under test: {', '.join(ran)}", f"skipped backends: {', '.join(skipped) or 'none'}"]
