"""Small units, read from the source: no function over 60 lines, no class over 250 lines.

The limits are the project's style rule (STYLE.md, issue 21).  Lines are counted from the ``def``
or ``class`` line (decorators excluded) to the last line of the body, docstring included.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pemilu_nlp"
MAX_FUNCTION_LINES = 60
MAX_CLASS_LINES = 250

#: Units allowed to be too long for now, by ``path:qualified name``.  Only ``classify/indobert/``
#: may appear here: that package is being reworked on another branch (the encoder export) and will
#: be split into model / training arguments / trainer / inference; empty this list when it is.
ALLOWED_OVERSIZED: frozenset[str] = frozenset()


def oversized_units(package: Path = PACKAGE) -> dict[str, int]:
    """``{"path:qualified name": lines}`` for each function or class over its limit."""
    found: dict[str, int] = {}

    def visit(node: ast.AST, path: str, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                lines = child.end_lineno - child.lineno + 1
                limit = MAX_CLASS_LINES if isinstance(child, ast.ClassDef) else MAX_FUNCTION_LINES
                if lines > limit:
                    found[f"{path}:{name}"] = lines
                visit(child, path, f"{name}.")
            else:
                visit(child, path, prefix)

    for file in sorted(package.rglob("*.py")):
        visit(ast.parse(file.read_text("utf-8")), file.relative_to(package).as_posix(), "")
    return found


def test_no_function_over_60_lines_and_no_class_over_250_lines():
    too_long = {unit: n for unit, n in oversized_units().items() if unit not in ALLOWED_OVERSIZED}
    assert not too_long, f"split these units (lines): {too_long}"


def test_the_allow_list_names_only_indobert_units_that_still_exist_and_are_still_too_long():
    assert all(unit.startswith("classify/indobert/") for unit in ALLOWED_OVERSIZED)
    assert ALLOWED_OVERSIZED <= set(oversized_units()), "an allowed unit was split or renamed: drop it from the list"


def test_the_size_check_finds_a_long_function_and_a_long_class(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (tmp_path / "m.py").write_text(f"def long():\n{body}\n\n\nclass Big:\n" + "    a = 1\n" * 250, "utf-8")
    assert oversized_units(tmp_path) == {"m.py:long": 62, "m.py:Big": 251}
