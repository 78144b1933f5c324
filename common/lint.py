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
CHECKED = ["accounts", "common", "config", "ledger", "loans", "repayments", "verification", "tests"]
EXEMPT = ["verification/face", "tests/verification", "bench", "migrations", "common/lint.py"]


def _python_files() -> Iterator[Path]:
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if any(relative.startswith(e) or f"/{e}/" in f"/{relative}" for e in EXEMPT):
                continue
            yield path


def float_uses(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        bad = (isinstance(node, ast.Constant) and isinstance(node.value, float)) or (
            isinstance(node, ast.Name) and node.id == "float"
        )
        if bad:
            line = lines[node.lineno - 1]  # type: ignore[attr-defined]
            if "float-ok" not in line:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {line.strip()}")  # type: ignore[attr-defined]
    return found


def main() -> int:
    problems = [problem for path in _python_files() for problem in float_uses(path)]
    for problem in problems:
        print(f"float in money code: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
