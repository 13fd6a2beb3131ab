"""Each tutorial-part example script runs to the end on NumPy and PyTorch and writes its figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PIL import Image

from .helpers import run_example

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FIGURES = {
    "edge_detection.py": ["edge_detection.png", "edges_photo.png"],
    "padding_and_stride.py": ["padding_and_stride.png"],
    "volumes_and_filters.py": ["volumes_and_filters.png"],
    "pooling.py": ["pooling.png"],
    "conv_layer_step_by_step.py": ["conv_layer_step_by_step.png"],
}
BACKENDS = [
    "numpy",
    pytest.param(
        "torch",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("torch") is None,
            reason="PyTorch is not installed (pip install 'xcnn[torch]')",
        ),
    ),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("script", sorted(FIGURES))
def test_example_writes_its_figures(script: str, backend: str, tmp_path: Path) -> None:
    out = tmp_path / "figures"
    result = run_example(
        EXAMPLES / script, backend, cwd=tmp_path, python_options=["-W", "error"], script_args=["--out", str(out)]
    )
    assert f"Backend in use: {backend}" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(FIGURES[script])
    for name in FIGURES[script]:
        assert f"Wrote {out / name}" in result.stdout
        with Image.open(out / name) as figure:
            assert figure.format == "PNG"
            assert min(figure.size) >= 500
