"""One style across ui/: Qt's camelCase for signals, and errors read through one base class.

A reader (and a screen of ``connect`` calls) meets one naming style for signals, and the UI
shows any user-facing failure through ``clinicdesk.model.errors.user_message`` instead of
guessing at an attribute (``getattr(error, "message", ...)``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import clinicdesk.ui

UI = Path(clinicdesk.ui.__file__).parent
#: Qt's style: ``changesMade``, ``loaded``; a leading underscore for a private one.
CAMEL_CASE = re.compile(r"^_?[a-z][a-z0-9]*([A-Z][a-z0-9]*)*$")


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(UI.parent.parent)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(UI.rglob("*.py"))
    ]


def _signals(tree: ast.Module) -> list[str]:
    """The names of the class attributes made by ``Signal(...)`` in a module."""
    names = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
                called = statement.value.func
                if isinstance(called, ast.Name) and called.id == "Signal":
                    names += [t.id for t in statement.targets if isinstance(t, ast.Name)]
    return names


def test_every_signal_in_ui_is_named_in_camel_case() -> None:
    found = {(module, name) for module, tree in _modules() for name in _signals(tree)}
    assert len(found) > 20, "the scan finds the window's and the tabs' signals"
    assert {name for _module, name in found} >= {"changesMade", "roundFinished", "loaded"}
    assert sorted(item for item in found if not CAMEL_CASE.match(item[1])) == []


def test_no_ui_module_guesses_at_an_errors_message() -> None:
    guesses = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == "message"
            ):
                guesses.append(f"{module}:{node.lineno}")
    assert guesses == [], "show user_message(error) (clinicdesk.model.errors) instead"


def test_the_naming_check_tells_styles_apart() -> None:
    # The check itself can fail: snake_case and capitalised names are not Qt's style.
    assert CAMEL_CASE.match("unreadCountChanged") and CAMEL_CASE.match("_progressFromWorker")
    assert not CAMEL_CASE.match("unread_count_changed")
    assert not CAMEL_CASE.match("Loaded")
