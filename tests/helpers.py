"""Shared test helpers: independent oracles, finite differences, and running Python in a fresh process."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy import signal


def conv_oracle(a_prev: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Convolution layer output from ``scipy.signal.correlate`` (NHWC, float64).

    Full-resolution 'valid' cross-correlation of the zero-padded input, then
    every `stride`-th row and column: independent of xcnn's windowing code.
    """
    m, _, _, n_c_prev = a_prev.shape
    f_h, f_w, _, n_c = w.shape
    padded = np.pad(a_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = []
    for i in range(m):
        maps = []
        for c in range(n_c):
            full = sum(
                signal.correlate(padded[i, :, :, k], w[:, :, k, c], mode="valid") for k in range(n_c_prev)
            )
            maps.append(full[::stride, ::stride] + b.reshape(-1)[c])
        out.append(np.stack(maps, axis=-1))
    return np.stack(out)


def pool_oracle(a_prev: np.ndarray, f: int, stride: int, mode: str) -> np.ndarray:
    """Pooling by plain loops over windows (the tutorial's definition)."""
    m, n_h_prev, n_w_prev, n_c = a_prev.shape
    n_h = (n_h_prev - f) // stride + 1
    n_w = (n_w_prev - f) // stride + 1
    out = np.empty((m, n_h, n_w, n_c))
    reduce = np.max if mode == "max" else np.mean
    for h in range(n_h):
        for w in range(n_w):
            window = a_prev[:, h * stride : h * stride + f, w * stride : w * stride + f, :]
            out[:, h, w, :] = reduce(window, axis=(1, 2))
    return out


def numeric_gradient(loss: Callable[[np.ndarray], float], x: np.ndarray, n_checks: int, seed: int = 0, eps: float = 1e-6) -> tuple[list, list]:
    """Central differences of `loss` at `n_checks` random entries of `x` (float64)."""
    rng = np.random.default_rng(seed)
    picks = [tuple(rng.integers(0, s) for s in x.shape) for _ in range(n_checks)]
    numeric = []
    for index in picks:
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric.append((loss(plus) - loss(minus)) / (2 * eps))
    return picks, numeric



def run_example(
    script: Path, backend: str, *, cwd: Path, python_options: Sequence[str] = (), script_args: Sequence[str] = ()
) -> subprocess.CompletedProcess:
    """Run an example script on `backend` (``XCNN_BACKEND`` set, ``XCNN_DEVICE`` unset); it must exit 0."""
    env = {key: value for key, value in os.environ.items() if key != "XCNN_DEVICE"}
    env["XCNN_BACKEND"] = backend
    result = subprocess.run(
        [sys.executable, *python_options, str(script), *script_args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, f"exit code {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter: this environment without its ``XCNN_*`` settings, plus `env`."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("XCNN_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=120, check=False
    )


ROOT = Path(__file__).resolve().parent.parent


def assert_generated(generator: str) -> None:
    """The file that ``xcnn._backends.numpy.numba.<generator>`` writes (its ``TARGET``, beside it) is
    what its ``source()`` returns."""
    module = importlib.import_module(f"xcnn._backends.numpy.numba.{generator}")
    command = f"python -m {module.__name__}"
    assert module.TARGET.read_text() == module.source(), f"{module.TARGET.name} is stale: run {command}"


def inferred_float_types(function: Callable, arguments: Sequence, **options) -> set[str]:
    """The float types Numba infers inside `function` for `arguments`, compiled afresh (no cache):
    for checking that float32 arrays keep float32 arithmetic. Scalars, and the elements of register
    blocks (:class:`~xcnn._backends.numpy.numba.register_block_intrinsics.RegisterBlock`)."""
    import numba
    from numba.core import types

    from xcnn._backends.numpy.numba.register_block_intrinsics import RegisterBlock

    loops = numba.njit(**options)(function)
    signature = tuple(numba.typeof(a) for a in arguments)
    loops.compile(signature)
    inferred = loops.overloads[signature].type_annotation.typemap.values()
    return {
        str(t.dtype if isinstance(t, RegisterBlock) else t) for t in inferred if isinstance(t, (types.Float, RegisterBlock))
    }


def force_primitives(monkeypatch, **fields) -> None:
    """Make the dispatch table hand the reference primitives with `fields` replaced (a strategy forced
    on whatever backend runs the test), for the rest of the test."""
    import dataclasses

    import xcnn._ops as ops

    chosen = ops.primitives
    monkeypatch.setattr(ops, "primitives", lambda call: dataclasses.replace(chosen(call), **fields))
