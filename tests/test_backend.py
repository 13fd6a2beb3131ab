"""The backend selector: set/use/get, environment variables, asarray/to_numpy, errors."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import xcnn
import xcnn.backend as backend_module

from .helpers import run_python


def test_asarray_and_to_numpy_round_trip(xb):
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    with xcnn.use_backend(xb.name, xb.device):
        x = xcnn.asarray(data)
        y = xcnn.asarray([[1.0, 2.0]], dtype="float64")
    xb.assert_here(x)
    xb.assert_here(y)
    assert x.dtype == xb.xp.float32 and y.dtype == xb.xp.float64
    back = xcnn.to_numpy(x)
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, data)


def test_use_backend_restores_the_previous_selection(xb):
    xcnn.set_backend("numpy")
    with xcnn.use_backend(xb.name, xb.device) as selected:
        assert xcnn.get_backend() is selected
        assert selected.name == xb.name and selected.device == xb.device
    assert xcnn.get_backend().name == "numpy"


def test_functions_follow_their_inputs_not_the_selection(xb):
    xcnn.set_backend("numpy")
    x = xb.asarray(np.ones((1, 2, 2, 1)))
    xb.assert_here(xcnn.zero_pad(x, 1))


def test_set_backend_by_name_and_device_string():
    selected = xcnn.set_backend("array_api_strict", "device1")
    assert selected.name == "array_api_strict"
    assert str(selected) == "array_api_strict on device1"
    x = xcnn.asarray([1.0, 2.0])
    assert "device1" in str(x.device)


def test_default_is_numpy_and_env_variables_select():
    result = run_python("import xcnn; print(xcnn.get_backend())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "numpy on cpu"
    result = run_python(
        "import xcnn; x = xcnn.asarray([1.0]); print(xcnn.get_backend(), x.device)",
        XCNN_BACKEND="array_api_strict",
        XCNN_DEVICE="device1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("array_api_strict on device1")


def test_auto_without_cuda_means_numpy(monkeypatch):
    monkeypatch.setattr(backend_module, "_cupy_has_device", lambda: False)
    assert xcnn.set_backend("auto").name == "numpy"


def test_unknown_backend_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown backend 'jax'.*numpy, cupy, torch, array_api_strict.*auto"):
        xcnn.set_backend("jax")


def test_unknown_backend_in_the_environment_names_the_variable():
    result = run_python("import xcnn; xcnn.asarray([1.0])", XCNN_BACKEND="tensorflow")
    assert result.returncode != 0
    assert "XCNN_BACKEND='tensorflow'" in result.stderr and "known backends" in result.stderr


def test_missing_backend_says_how_to_install(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        backend_module.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "cupy" else real_find_spec(name, *a),
    )
    with pytest.raises(xcnn.BackendUnavailableError, match=r"'cupy' is not installed.*pip install \"xcnn\[cuda12\]\""):
        xcnn.set_backend("cupy")
    info = {i.name: i for i in xcnn.backend_info()}
    assert not info["cupy"].available and "pip install" in info["cupy"].reason
    assert "cupy" not in xcnn.available_backends()


def test_unavailable_device_lists_the_available_ones():
    with pytest.raises(xcnn.BackendUnavailableError, match=r"device 'cuda:7'.*available devices here: cpu"):
        xcnn.set_backend("numpy", "cuda:7")


def test_backend_info_reports_numpy():
    info = {i.name: i for i in xcnn.backend_info()}
    assert set(info) == {"numpy", "cupy", "torch", "array_api_strict"}
    assert info["numpy"].available and info["numpy"].devices == ("cpu",)
    assert "numpy" in xcnn.available_backends()


def test_arrays_from_two_backends_raise_naming_both():
    pytest.importorskip("torch")
    import torch

    a_prev = np.zeros((1, 4, 4, 1))
    w = torch.zeros((3, 3, 1, 1), dtype=torch.float64)
    with pytest.raises(TypeError, match=r"`A_prev` and `W` come from different backends.*numpy.*torch"):
        xcnn.conv_forward(a_prev, w, np.zeros((1, 1, 1, 1)), {"stride": 1, "pad": 0})


def test_arrays_on_two_devices_raise_naming_both():
    import array_api_strict as xs

    a_prev = xs.zeros((1, 4, 4, 1), dtype=xs.float64, device=xs.Device("CPU_DEVICE"))
    w = xs.zeros((3, 3, 1, 1), dtype=xs.float64, device=xs.Device("device1"))
    b = xs.zeros((1, 1, 1, 1), dtype=xs.float64, device=xs.Device("CPU_DEVICE"))
    with pytest.raises(TypeError, match=r"`A_prev` and `W` are on different devices: `A_prev` on CPU_DEVICE, `W` on device1"):
        xcnn.conv_forward(a_prev, w, b, {"stride": 1, "pad": 0})


def test_import_does_not_import_cupy_or_torch():
    code = (
        "import sys, xcnn\n"
        "x = xcnn.asarray([[1.0]])\n"
        "xcnn.zero_pad(xcnn.asarray(__import__('numpy').ones((1, 2, 2, 1))), 1)\n"
        "print(sorted(m for m in ('cupy', 'torch') if m in sys.modules))"
    )
    for env in ({}, {"XCNN_BACKEND": "numpy"}):
        result = run_python(code, **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]"
    result = run_python("import sys, xcnn; print(sorted(m for m in ('cupy', 'torch') if m in sys.modules))", XCNN_BACKEND="cupy")
    assert result.stdout.strip() == "[]", "the environment must be read lazily, not at import"
