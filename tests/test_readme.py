"""The README's examples run as written, each on its own, and the claims it makes hold.

Each ```python block runs alone in a fresh interpreter, as a reader who copies
one block would run it; a line that ends with a shape comment, such as
``Z, cache = xcnn.conv_forward(...)  # (10, 28, 28, 8)``, is checked to give
that shape. A block that selects PyTorch is skipped, with the reason, where
PyTorch is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import xcnn

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
SHAPE_CLAIM = re.compile(r"^(\s*)(\w+)\b[^#\n]*=[^#\n]*#\s*(\([\d, ]+\))")
NEEDS_TORCH = re.compile(r"backend\(\s*[\"']torch[\"']")
HAS_TORCH = importlib.util.find_spec("torch") is not None
NEEDS_DASK = re.compile(r"^import dask", re.M)
HAS_DASK = importlib.util.find_spec("dask") is not None


def _with_shape_checks(block: str) -> str:
    """`block` with an assert after each line that claims the shape of what it assigns."""
    lines = []
    for line in block.splitlines():
        lines.append(line)
        claim = SHAPE_CLAIM.match(line)
        if claim:
            indent, name, shape = claim.groups()
            lines.append(f"{indent}assert tuple({name}.shape) == {shape}, ({name!r}, tuple({name}.shape))")
    return "\n".join(lines) + "\n"


def test_the_readme_has_its_blocks_and_claims():
    assert len(BLOCKS) >= 5
    assert sum(_with_shape_checks(b).count("assert tuple(") for b in BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_block_runs_alone(index):
    block = BLOCKS[index]
    if NEEDS_TORCH.search(block) and not HAS_TORCH:
        pytest.skip("this README block selects PyTorch, which is not installed (pip install -e '.[torch]')")
    if NEEDS_DASK.search(block) and not HAS_DASK:
        pytest.skip("this README block uses Dask, which is not installed (pip install -e '.[dask]')")
    env = {k: v for k, v in os.environ.items() if k not in ("XCNN_BACKEND", "XCNN_DEVICE")}  # the README's defaults
    result = subprocess.run(
        [sys.executable, "-c", _with_shape_checks(block)],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )
    assert result.returncode == 0, f"README block {index} failed alone:\n{block}\n{result.stderr[-3000:]}"


def test_the_same_seed_gives_the_same_start_and_close_results_on_numpy_and_torch():
    """README, options of `xcnn train`: same initial weights, split and batch order; close, not equal, results."""
    pytest.importorskip("torch")
    from xcnn import nn, optim, training
    from xcnn.data import load_digits

    data = load_digits(seed=0)
    runs = {}
    for name in ("numpy", "torch"):
        with xcnn.use_backend(name):
            model = nn.small_cnn(10, in_channels=1, image_size=8, seed=0)
            start = [xcnn.to_numpy(p.value).copy() for p in model.parameters()]
            history = training.fit(
                model, optim.Adam(model.parameters(), lr=3e-3),
                xcnn.asarray(data.x_train[:400]), xcnn.asarray(data.y_train[:400]),
                epochs=2, batch_size=32, n_classes=10, seed=0,
                x_test=xcnn.asarray(data.x_test), y_test=xcnn.asarray(data.y_test),
            )
            runs[name] = start, [xcnn.to_numpy(p.value) for p in model.parameters()], history
    (start_np, end_np, hist_np), (start_pt, end_pt, hist_pt) = runs["numpy"], runs["torch"]
    assert all(np.array_equal(a, b) for a, b in zip(start_np, start_pt))
    for a, b in zip(end_np, end_pt):
        np.testing.assert_allclose(a, b, atol=1e-3)
    for e_np, e_pt in zip(hist_np.epochs, hist_pt.epochs):
        assert e_np.loss == pytest.approx(e_pt.loss, rel=1e-4)
        assert abs(e_np.test_accuracy - e_pt.test_accuracy) <= 2 / len(data.y_test)
