"""The package's layout, read from its source: imports flow one way, public API -> validation and
geometry -> the dispatch table (``xcnn._ops``) -> a provider (``xcnn._backends.*`` or the library-free
``xcnn._reference``), and no module grows past what one reader holds in mind.

Every ``import`` statement counts, including those inside functions: a lazy import is still a
dependency, only a later one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "xcnn"

GENERATED = {"xcnn._backends.numpy.numba.direct_conv_kernels", "xcnn._backends.numpy.numba.pool_kernels"}
"""Written by the generators beside them (tests check they match): long by design, one function per
register-block width."""

MAX_LINES = 400

LIBRARIES = {"numpy", "cupy", "cupyx", "torch", "numba", "dask", "jax"}
"""Array libraries (and the compiler) a provider may use and the reference may not."""

LIBRARY_CHECKS_ALLOWED = {
    "xcnn._ops": "the dispatch table: choosing a provider is its job",
    "xcnn.backend": "the backend selector names the libraries a user picks from",
    "xcnn.workspace": "the default memory limit is smaller on a GPU's memory",
    "xcnn._validation": "NumPy or CuPy weights may go with dask data of the same library",
}
"""Modules outside ``xcnn._backends`` that may ask which library an array belongs to, and why.
The benchmark (``xcnn.bench``) may too: it synchronises a GPU's stream around each timing."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    # a package's own relative imports start from the package, a module's from its parent
    base = base if _is_package(importer) else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(name: str) -> set[str]:
    """Every module `name` imports (xcnn's own modules by full name, others by top-level package),
    wherever the statement stands."""
    tree = ast.parse(MODULES[name].read_text(), filename=str(MODULES[name]))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(name, node)
            # ``from package import module`` imports the module; ``from module import name`` the module
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module for a in node.names]
        else:
            continue
        for target in targets:
            if target.startswith("xcnn"):
                while target not in MODULES:  # ``import xcnn.a.b`` of a name, not a module
                    target = target.rpartition(".")[0]
                found.add(target)
            else:
                found.add(target.split(".")[0])
    found.discard(name)
    return found


GRAPH = {name: {t for t in imports_of(name) if t in MODULES} for name in MODULES}


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a path that returns to its start, or None (depth-first colouring)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def _without_package_inits(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # A package's __init__ that re-exports its submodules is imported by them only as the way in
    # (Python runs it first anyway); an edge into a package __init__ counts only if that __init__
    # holds code of its own, which test_package_inits_hold_no_logic rules out for the big ones.
    return {n: {t for t in ts if not (_is_package(t) and _inside(n, t))} for n, ts in graph.items()}


def test_the_walk_sees_imports_inside_functions_and_relative_ones():
    """The walk itself: `_ops` imports the Numba loops lazily, inside its rows; the reference reaches
    the geometry through ``from .._geometry import``."""
    assert "xcnn._backends.numpy.numba.direct_conv" in GRAPH["xcnn._ops"]
    assert "xcnn._geometry" in GRAPH["xcnn._reference.conv"]
    assert "xcnn._backends.numpy.threads" in GRAPH["xcnn._backends.numpy.numba.depthwise"]


def test_the_cycle_finder_finds_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    cycle = _find_cycle(_without_package_inits(GRAPH))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


REFERENCE_MODULES = [n for n in MODULES if _inside(n, "xcnn._reference")]
BACKEND_MODULES = [n for n in MODULES if _inside(n, "xcnn._backends") and n != "xcnn._backends"]


@pytest.mark.parametrize("name", REFERENCE_MODULES)
def test_the_reference_names_no_library_and_no_backend(name):
    """The reference is written against the array API only: no array library, no provider, and no
    question of which library an array belongs to (that is the dispatch table's question)."""
    imported = imports_of(name)
    assert not imported & LIBRARIES, f"{name} imports {sorted(imported & LIBRARIES)}"
    assert not {t for t in imported if _inside(t, "xcnn._backends") or t == "xcnn._ops"}, name
    source = MODULES[name].read_text()
    calls = {n.func.attr for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    calls |= {n.func.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    asked = {c for c in calls if c.startswith("is_") and (c.endswith("_namespace") or c.endswith("_array"))}
    assert not asked, f"{name} asks {sorted(asked)}"


def _backend_of(name: str) -> str:
    return ".".join(name.split(".")[:3])  # xcnn._backends.numpy, xcnn._backends.cupy, xcnn._backends.torch


@pytest.mark.parametrize("name", BACKEND_MODULES)
def test_a_backend_imports_neither_another_backend_nor_the_reference_nor_the_table(name):
    own = _backend_of(name)
    wrong = {
        t
        for t in imports_of(name)
        if (_inside(t, "xcnn._backends") and t != "xcnn._backends" and _backend_of(t) != own)
        or _inside(t, "xcnn._reference")
        or t in {"xcnn._ops", "xcnn.functional", "xcnn.nn", "xcnn._explain"}
        or _inside(t, "xcnn.functional")
    }
    assert not wrong, f"{name} imports {sorted(wrong)}"


def test_only_the_dispatch_table_imports_both_the_reference_and_a_backend():
    both = [
        n
        for n, ts in GRAPH.items()
        if any(_inside(t, "xcnn._reference") for t in ts)
        and any(_inside(t, "xcnn._backends") for t in ts)
        and not _inside(n, "xcnn._reference")
        and not _inside(n, "xcnn._backends")
    ]
    assert both == ["xcnn._ops"]


def test_the_public_api_reaches_providers_only_through_the_table():
    """``functional``, ``nn`` and ``filters`` import no provider: every computation goes through
    ``xcnn._ops.run`` (the reference's geometry-free helpers, such as padding, come through it too)."""
    public = [n for n in MODULES if _inside(n, "xcnn.functional") or _inside(n, "xcnn.filters") or n == "xcnn.nn"]
    wrong = {n: sorted(t for t in GRAPH[n] if _inside(t, "xcnn._backends") or _inside(t, "xcnn._reference")) for n in public}
    assert not {n: ts for n, ts in wrong.items() if ts}


def test_library_checks_stay_in_the_table_the_backends_and_the_named_places():
    def asks(name: str) -> bool:
        tree = ast.parse(MODULES[name].read_text())
        return any(
            isinstance(n, ast.Attribute) and n.attr.startswith("is_") and n.attr.endswith(("_namespace", "_array"))
            for n in ast.walk(tree)
        )

    askers = {n for n in MODULES if asks(n)}
    allowed = {n for n in askers if _inside(n, "xcnn._backends") or _inside(n, "xcnn.bench") or n in LIBRARY_CHECKS_ALLOWED}
    assert askers == allowed, f"library checks outside the table: {sorted(askers - allowed)}"


def test_import_xcnn_imports_no_gpu_library_and_no_compiler():
    """Importing the package imports the providers' modules but neither CuPy, PyTorch nor Numba."""
    from .helpers import run_python

    result = run_python(
        "import sys, xcnn, xcnn.functional, xcnn.nn, xcnn.filters\n"
        "print(sorted(m for m in ('cupy', 'torch', 'numba', 'dask') if m in sys.modules))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", sorted(set(MODULES) - GENERATED))
def test_no_module_is_longer_than_a_reader_holds_in_mind(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines (split it along a seam; at most {MAX_LINES})"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _is_package(n)))
def test_package_inits_hold_no_logic(name):
    """A package's ``__init__`` names what the package offers; its code lives in modules."""
    tree = ast.parse(MODULES[name].read_text())
    functions = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert len(functions) <= 3, f"{name} defines {functions}"


TIMING = re.compile(r"\d(\.\d+)? ?(ms|us|GFLOP/s|microseconds)\b")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_timings_live_in_benchmarks_not_in_the_source(name):
    """A docstring says why a path exists and points to BENCHMARKS.md, where the figures are kept
    up to date; a figure in the source goes stale unseen."""
    found = [line.strip() for line in MODULES[name].read_text().splitlines() if TIMING.search(line)]
    assert not found, f"{name}: {found[:3]}"


def test_the_source_points_to_sections_that_exist():
    benchmarks = (PACKAGE.parent / "BENCHMARKS.md").read_text()
    headings = {line.lstrip("#").strip() for line in benchmarks.splitlines() if line.startswith("#")}
    pointed = {
        " ".join(section.replace("#", " ").split())  # a docstring may wrap the name over lines
        for path in MODULES.values()
        for section in re.findall(r"BENCHMARKS\.md[,:]?\s+(?:#\s*)?[\"'“]([^\"'”]+)[\"'”]", path.read_text())
    }
    assert "Why each path exists" in pointed
    assert pointed <= headings, sorted(pointed - headings)
