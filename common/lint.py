"""`python -m common.lint`: refuse floating point in money code.

Ruff has no rule for this, so it is checked here (and by the test suite): a float literal,
a call to `float(...)` or a `float` annotation anywhere in the money code is an error.
Image maths in the face engine, and benchmarks, are outside its scope. A line that must
use a float says so with `# float-ok: <why>`."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = [
    "accounts",
    "backoffice",
    "closing",
    "common",
    "config",
    "ledger",
    "loans",
    "notifications",
    "repayments",
    "verification",
    "tests",
]
# Image maths (the face engine, frames made from photos for tests) is not money.
EXEMPT = [
    "verification/face",
    "tests/verification",
    "tests/browser/test_face_check.py",
    "bench",
    "migrations",
    "common/lint.py",
]


def _python_files() -> Iterator[Path]:
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if any(relative.startswith(e) or f"/{e}/" in f"/{relative}" for e in EXEMPT):
                continue
            yield path


def _statement_lines(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> range:
    """The lines of the statement a node belongs to (for a def, its signature only), where
    a `# float-ok` pragma may sit wherever the formatter put it."""
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        current = parents.get(current)
    if current is None:
        return range(node.lineno, node.lineno + 1)  # type: ignore[attr-defined]
    end = current.end_lineno or current.lineno
    if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        end = current.body[0].lineno - 1
    return range(current.lineno, end + 1)


def float_uses(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    found = []
    for node in ast.walk(tree):
        bad = (isinstance(node, ast.Constant) and isinstance(node.value, float)) or (
            isinstance(node, ast.Name) and node.id == "float"
        )
        if not bad:
            continue
        allowed = any("float-ok" in lines[n - 1] for n in _statement_lines(node, parents))
        if not allowed:
            line = lines[node.lineno - 1]  # type: ignore[attr-defined]
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {line.strip()}")  # type: ignore[attr-defined]
    return found


def main() -> int:
    problems = [problem for path in _python_files() for problem in float_uses(path)]
    for problem in problems:
        print(f"float in money code: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
