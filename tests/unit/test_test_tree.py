"""The test tree stays one where a test file can be changed alone.

Shared helpers live in ``tests/fixtures/``; a test module that imported another test module
would tie the two together (renaming or deleting a test there would break tests here), and
pytest would collect the imported tests' names twice in each other's namespace. A ``conftest.py``
only declares fixtures (re-exported from ``tests/fixtures/`` where they are shared); importing
one as a module would run it a second time under another name.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _is_test_module(dotted: str) -> bool:
    """Whether a dotted module name names a test module (``tests.ui.test_sign_in``) or a
    conftest (``tests.ui.conftest``)."""
    last = dotted.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def _package_of(path: Path) -> str:
    """The dotted package a file under tests/ belongs to (``tests.ui`` for tests/ui/x.py)."""
    return ".".join(path.relative_to(TESTS.parent).parent.parts)


def imported_test_modules(source: str, package: str) -> list[str]:
    """The test modules a Python file imports, as dotted names with their line numbers.

    Args:
        source: The file's text.
        package: The dotted package the file sits in, for its relative imports.

    Returns:
        One ``"line N: module"`` entry per import of a test module.
    """
    tree = ast.parse(source)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
            found += [f"line {node.lineno}: {name}" for name in names if _is_test_module(name)]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            if _is_test_module(base):
                found.append(f"line {node.lineno}: {base}")
            found += [
                f"line {node.lineno}: {base}.{a.name}"
                for a in node.names
                if _is_test_module(a.name)
            ]
    return found


def test_no_test_module_or_conftest_imports_a_test_module_or_a_conftest() -> None:
    offenders = {
        str(path.relative_to(TESTS.parent)): imports
        for path in sorted([*TESTS.rglob("test_*.py"), *TESTS.rglob("conftest.py")])
        if (imports := imported_test_modules(path.read_text("utf-8"), _package_of(path)))
    }
    assert offenders == {}, "move the shared helpers into tests/fixtures/ and import them there"


def test_the_shared_helpers_import_no_test_module() -> None:
    offenders = {
        str(path.relative_to(TESTS.parent)): imports
        for path in sorted((TESTS / "fixtures").rglob("*.py"))
        if (imports := imported_test_modules(path.read_text("utf-8"), _package_of(path)))
    }
    assert offenders == {}


def test_the_scan_sees_each_spelling_of_a_test_module_import() -> None:
    """The guards above are only as good as this scan: each way to import a test module counts,
    and a helper import does not."""
    source = (
        "import tests.ui.test_sign_in\n"
        "from tests.ui.test_sign_in import x\n"
        "from tests.ui import test_sign_in\n"
        "from .test_sign_in import y\n"
        "from .. import unit\n"
        "from ..unit import test_blocks\n"
        "from tests.ui.conftest import MakeController\n"
        "from tests.fixtures.desktop import fill_and_submit\n"
        "def f() -> None:\n"
        "    from tests.unit.test_store_perf import PAGE\n"
        "from tests.fixtures import conftest_like\n"
    )
    assert imported_test_modules(source, "tests.ui") == [
        "line 1: tests.ui.test_sign_in",
        "line 2: tests.ui.test_sign_in",
        "line 3: tests.ui.test_sign_in",
        "line 4: tests.ui.test_sign_in",
        "line 6: tests.unit.test_blocks",
        "line 7: tests.ui.conftest",
        "line 10: tests.unit.test_store_perf",
    ]


#: Unit-test folders that are not rooms of the package: the benchmark (``benchmarks/``, beside
#: it) and the WordPress plugin (``resources/wordpress/``).
_NOT_ROOMS = {
    "benchmarks": TESTS.parent / "benchmarks",
    "plugin": TESTS.parent / "resources/wordpress",
}


def test_each_unit_test_folder_is_named_for_the_room_it_tests() -> None:
    package = TESTS.parent / "clinicdesk"
    for folder in sorted(p for p in (TESTS / "unit").iterdir() if p.is_dir()):
        if folder.name == "__pycache__":
            continue
        room = _NOT_ROOMS.get(folder.name, package / folder.name)
        assert room.is_dir(), f"tests/unit/{folder.name}/ names no room ({room} does not exist)"
