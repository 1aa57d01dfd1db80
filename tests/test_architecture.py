"""The shape of the code, checked like behaviour (docs/architecture.md).

import-linter (`make lint-imports`, pyproject.toml) checks which package may import which; these
tests check what it cannot see: imports hidden inside functions, modules grown too big to read,
and the picture of the packages in docs/packages.md falling behind the code.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "eventsvc"

# Where the application is wired: create_app, the console script, each package's init_app.
WIRING = {"eventsvc/__init__.py", "eventsvc/cli.py"}
MAX_LINES = 500


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path


def _package_of(relative: str) -> str:
    return relative.split("/")[1].removesuffix(".py")


def _imported_package(relative: str, node: ast.ImportFrom | ast.Import) -> str | None:
    """The first-level eventsvc package an import names, or None for another library."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names if alias.name.startswith("eventsvc.")]
        return names[0].split(".")[1] if names else None
    if node.level == 0:
        module = node.module or ""
        return module.split(".")[1] if module.startswith("eventsvc.") else None
    package_path = relative.split("/")[:-1]  # eventsvc/<package>/...
    base = package_path[: len(package_path) - (node.level - 1)]
    target = [*base, *(node.module.split(".") if node.module else [])]
    if len(target) < 2:  # ``from .. import x``: x names the package
        return node.names[0].name if len(target) == 1 else None
    return target[1]


def _function_level_imports(relative: str, tree: ast.AST):
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                target = _imported_package(relative, node)
                if target is not None:
                    yield function.name, node.lineno, target


def test_imports_of_other_packages_are_at_module_level_except_where_the_app_is_wired():
    """A function-level import hides a dependency from import-linter: it is how cycles came back."""
    hidden = []
    for relative, path in _modules():
        if relative in WIRING:
            continue
        own = _package_of(relative)
        for function, line, target in _function_level_imports(
            relative, ast.parse(path.read_text())
        ):
            wiring = relative.endswith("/__init__.py") and function == "init_app"
            if target != own and not wiring:
                hidden.append(f"{relative}:{line} ({function}) imports eventsvc.{target}")
    assert hidden == []


def test_no_module_is_too_long_to_read():
    too_long = [
        f"{relative}: {count} lines"
        for relative, path in _modules()
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert too_long == [], f"split these by subject (at most {MAX_LINES} lines)"


def test_the_picture_of_the_packages_matches_the_code():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "package_graph.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
