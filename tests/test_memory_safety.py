"""The compiled loops stay inside their arrays: the bounds-checked sweep, and the cases that once did not.

An index past an array in a Numba kernel is not an error: it reads or
writes whatever memory lies there, and the process may go on, crash later
or corrupt the heap. ``tests/boundscheck_sweep.py`` therefore runs every
compiled kernel with Numba's bounds checks on, in a child process (the
checks are a compile-time switch, and kernels compiled without them are
cached on disk), over generated layer geometries.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("numba", reason="the compiled kernels need Numba")
pytest.importorskip("hypothesis")

ROOT = Path(__file__).resolve().parent.parent


def test_every_compiled_loop_stays_in_bounds(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "NUMBA_BOUNDSCHECK": "1",  # overrides each kernel's own `boundscheck=False`
        "NUMBA_CACHE_DIR": str(tmp_path),  # nothing compiled without the checks is loaded
        "XCNN_JIT": "1",
    }
    env.pop("XCNN_TEST_BACKENDS", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/boundscheck_sweep.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=3000, check=False,
    )
    report = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, report
    assert " passed" in report and "skipped" not in report, report


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "padding", "groups"),
    [
        ((2, 11, 11, 3), (1, 1, 3, 16), 1, 1),  # fewer than 8 input channels, padding past a 1x1 kernel
        ((2, 10, 10, 16), (1, 1, 1, 16), 2, 16),  # depthwise, padding past a 1x1 kernel
        ((1, 9, 12, 1), (3, 3, 1, 8), ((4, 0), (0, 5)), 1),  # asymmetric padding past a 3x3 kernel
    ],
)
def test_input_gradient_with_padding_past_the_kernel(x_shape, w_shape, padding, groups) -> None:
    """The cases that once wrote past the input gradient (and corrupted the heap), against PyTorch."""
    torch = pytest.importorskip("torch")
    from xcnn import functional as F

    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    for _ in range(20):  # a stray write does not always crash at once
        z = F.conv2d(x, w, padding=padding, groups=groups)
        dz = np.ones_like(z)
        dx, dw, _ = F.conv2d_backward(dz, x, w, padding=padding, groups=groups)

    (top, bottom), (left, right) = ((padding, padding), (padding, padding)) if isinstance(padding, int) else padding
    xt = torch.tensor(x).permute(0, 3, 1, 2).requires_grad_()
    wt = torch.tensor(w).permute(3, 2, 0, 1).requires_grad_()
    zt = torch.nn.functional.conv2d(torch.nn.functional.pad(xt, (left, right, top, bottom)), wt, groups=groups)
    zt.backward(torch.ones_like(zt))
    np.testing.assert_allclose(z, zt.detach().permute(0, 2, 3, 1).numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx, xt.grad.permute(0, 2, 3, 1).numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dw, wt.grad.permute(2, 3, 1, 0).numpy(), rtol=1e-4, atol=1e-4)
