"""The example scripts run to the end on every installed backend."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WALKTHROUGH = ROOT / "examples" / "tutorial_walkthrough.py"


@pytest.mark.parametrize(
    "backend",
    [
        "numpy",
        "array_api_strict",
        pytest.param(
            "torch",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("torch") is None,
                reason="PyTorch is not installed (pip install 'xcnn[torch]')",
            ),
        ),
    ],
)
def test_tutorial_walkthrough_runs(backend: str) -> None:
    env = {key: value for key, value in os.environ.items() if key != "XCNN_DEVICE"}
    env["XCNN_BACKEND"] = backend
    result = subprocess.run(
        [sys.executable, str(WALKTHROUGH)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"exit code {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert f"Backend in use: {backend}" in result.stdout
    assert "88" in result.stdout
    assert "117" in result.stdout
