"""The README's Python examples run as written (on NumPy)."""

from __future__ import annotations

import re
from pathlib import Path

import xcnn

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    namespace: dict = {}
    try:
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
    finally:
        xcnn.set_backend("numpy")
