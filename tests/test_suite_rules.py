"""Rules of the test suite itself, checked by reading its source.

A test module imports what it shares from ``tests/factories.py`` (functions), ``conftest.py``
(fixtures) or a support module that is not a test module (``smtp_server.py``,
``e2e/browser.py``...), never from another test module: moving or deleting a test file must not
break a second one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
TEST_MODULES = sorted(TESTS.rglob("test_*.py"))


def is_test_module(dotted: str) -> bool:
    return any(part.startswith("test_") for part in dotted.split(".") if part)


def imports_of_test_modules(path: Path) -> list[tuple[int, str]]:
    """(line, what) for each import of a test module in ``path``, relative or absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tests" and is_test_module(alias.name):
                    found.append((node.lineno, f"import {alias.name}"))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            dotted = "." * node.level + module
            if node.level == 0 and module.split(".")[0] != "tests":
                continue  # a library or the application
            if is_test_module(module):
                found.append((node.lineno, f"from {dotted} import ..."))
            else:  # ``from . import test_x``
                for alias in node.names:
                    if alias.name.startswith("test_"):
                        found.append((node.lineno, f"from {dotted} import {alias.name}"))
    return found


def test_the_suite_has_test_modules_to_check():
    assert len(TEST_MODULES) > 40
    assert Path(__file__).resolve() in TEST_MODULES


@pytest.mark.parametrize("path", TEST_MODULES, ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_module_imports_from_another_test_module(path):
    found = imports_of_test_modules(path)
    where = [f"{path.relative_to(TESTS.parent)}:{line}: {what}" for line, what in found]
    assert not where, "imports from a test module (move the helper to tests/factories.py):\n" + (
        "\n".join(where)
    )


def test_the_rule_sees_every_way_of_importing_a_test_module(tmp_path):
    module = tmp_path / "test_sample.py"
    module.write_text(
        "import os\n"
        "from eventsvc.audit import service\n"
        "from .factories import valid\n"
        "from .test_capacity import command\n"
        "from . import test_signup_form\n"
        "import tests.test_fuzz\n"
        "from tests.e2e.test_public_pages import field\n"
        "def later():\n"
        "    from ..test_attendance import pdf_text\n",
        encoding="utf-8",
    )
    assert [line for line, _ in imports_of_test_modules(module)] == [4, 5, 6, 7, 9]
