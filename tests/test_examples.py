"""The example scripts run to the end on every installed backend."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from .helpers import run_example

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
    result = run_example(WALKTHROUGH, backend, cwd=ROOT)
    assert f"Backend in use: {backend}" in result.stdout
    assert "88" in result.stdout
    assert "117" in result.stdout
