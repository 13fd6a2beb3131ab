"""Benchmark xcnn's convolution and pooling against PyTorch and against the tutorial's loops.

Run ``python -m xcnn.bench`` or ``xcnn bench``; see :mod:`xcnn.bench.runner`
for the options and what the report holds. The package's modules:

* :mod:`xcnn.bench.runner`: the program (options, metadata, the run, the files);
* :mod:`xcnn.bench.cases`: the suite's layer shapes;
* :mod:`xcnn.bench.rows`: one shape's row, its rounds of xcnn and PyTorch taking turns;
* :mod:`xcnn.bench.timing`: the clocks, per library;
* :mod:`xcnn.bench.report`: the summary and the markdown report;
* :mod:`xcnn.bench.loops`: the tutorial's loop algorithms, the speed baseline.
"""

from __future__ import annotations

from .cases import FULL, QUICK, Case
from .report import summarize, to_markdown
from .runner import add_arguments, main, only_problem, run, run_command

__all__ = [
    "FULL",
    "QUICK",
    "Case",
    "add_arguments",
    "main",
    "only_problem",
    "run",
    "run_command",
    "summarize",
    "to_markdown",
]
