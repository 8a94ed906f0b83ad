"""The package's shape, read from its source: no import cycle, a short top level.

Every ``import`` statement counts, wherever it stands: at module level, inside a function (a lazy
import is still a dependency, only a later one) or under ``if TYPE_CHECKING``.  Importing
``a.b.c`` also runs the ``__init__`` of the packages ``a.b`` it passes through, so those count as
imported too (except the importer's own parents, which are already running, and the root
``pemilu_nlp``, whose ``__init__`` only loads names lazily).
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pemilu_nlp"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` (at ``path``) imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets.add(source)
            targets.update(f"{source}.{alias.name}" for alias in node.names)  # ``from pkg import module``
    found: set[str] = set()
    for target in targets:
        parts = target.split(".")
        for i in range(2, len(parts) + 1):  # the target and the packages on the way to it
            prefix = ".".join(parts[:i])
            if prefix in known and prefix != name and not name.startswith(prefix + "."):
                found.add(prefix)
    return found


@functools.cache
def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle (a list of modules whose last imports the first), or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_relative_and_lazy_imports_are_read_as_dependencies():
    graph = import_graph()
    assert "pemilu_nlp.io.paths" in graph["pemilu_nlp.bench.data"]  # inside a function
    assert "pemilu_nlp.classify.folds" in graph["pemilu_nlp.classify.tfidf.classifier"]  # ``..folds``
    assert "pemilu_nlp.summarize" in graph["pemilu_nlp.scale.chunk"]  # the package a submodule is in


def test_no_module_of_the_package_takes_part_in_an_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join([*cycle, cycle[0]])


@pytest.mark.parametrize("layer, above", [
    ("text", ["io", "backends", "classify", "summarize", "learn", "scale", "cli", "bench"]),
    ("io", ["backends", "classify", "summarize", "learn", "scale", "cli", "bench"]),
    ("backends", ["classify", "summarize", "learn", "scale", "cli", "bench"]),
    ("classify", ["summarize", "learn", "scale", "cli", "bench"]),
    ("summarize", ["classify", "learn", "scale", "cli", "bench"]),
    ("learn", ["scale", "cli", "bench"]),
    ("scale", ["learn", "cli", "bench"]),
])
def test_a_layer_imports_nothing_from_the_layers_above_it(layer, above):
    prefix = f"pemilu_nlp.{layer}"
    upward = sorted(f"{name} -> {dep}" for name, deps in import_graph().items()
                    if name == prefix or name.startswith(prefix + ".")
                    for dep in deps if any(dep == f"pemilu_nlp.{a}" or dep.startswith(f"pemilu_nlp.{a}.") for a in above))
    assert upward == []


def test_the_package_top_level_holds_at_most_twelve_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top


def test_every_command_module_is_registered_once_and_has_add_arguments_and_run():
    import inspect

    from pemilu_nlp.cli import COMMANDS

    helpers = {"__init__", "chunks", "options"}
    on_disk = sorted(p.stem for p in (PACKAGE / "cli").glob("*.py") if p.stem not in helpers)
    assert sorted(m.__name__.rpartition(".")[2] for m in COMMANDS) == on_disk
    for module in COMMANDS:
        assert list(inspect.signature(module.add_arguments).parameters) == ["parser"], module.__name__
        assert list(inspect.signature(module.run).parameters) == ["args"], module.__name__
        assert module.__doc__, f"{module.__name__}: its docstring is the command's help"
