"""Remembering window geometry, splitter positions, column widths and the open tab (as Picard's
PreserveGeometry does).

Each top-level window saves, under its ``objectName``, its geometry, its main-window state
(toolbars, docks), the state of every ``QSplitter`` inside it that has an ``objectName``, the
column widths of every named table's header, and the open tab of every named ``QTabWidget``, as
base64 text (or a number) in the settings file; restoring applies what is there and ignores what
is not (a splitter added in a later version starts at its default).

A ``scope`` (the account's id) keeps one set per account: two people sharing a computer, or one
person with two sites, each find the window as they left it. Restoring reads the unscoped set
first (as saved before scopes existed), then the scope's.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMainWindow, QSplitter, QTableView, QTabWidget, QWidget


def _encode(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


def _decode(text: str) -> QByteArray:
    return QByteArray.fromBase64(QByteArray(text.encode("ascii")))


def _prefix(window: QWidget, scope: str) -> str:
    return f"{scope}/{window.objectName()}" if scope else window.objectName()


def save_window_state(window: QWidget, store: MutableMapping[str, str], scope: str = "") -> None:
    """Write ``window``'s geometry, splitter positions, column widths and open tabs into
    ``store`` (under ``scope``, e.g. an account's id, when given)."""
    name = _prefix(window, scope)
    store[f"{name}/geometry"] = _encode(window.saveGeometry())
    if isinstance(window, QMainWindow):
        store[f"{name}/state"] = _encode(window.saveState())
    for splitter in window.findChildren(QSplitter):
        if splitter.objectName():
            store[f"{name}/splitter/{splitter.objectName()}"] = _encode(splitter.saveState())
    for table in window.findChildren(QTableView):
        if table.objectName() and table.model() is not None:
            header = table.horizontalHeader().saveState()
            store[f"{name}/header/{table.objectName()}"] = _encode(header)
    for tabs in window.findChildren(QTabWidget):
        if tabs.objectName():
            store[f"{name}/tab/{tabs.objectName()}"] = str(tabs.currentIndex())


def restore_window_state(window: QWidget, store: MutableMapping[str, str], scope: str = "") -> bool:
    """Apply what ``store`` remembers of ``window`` (the unscoped set, then ``scope``'s);
    returns whether its geometry was restored."""
    restored = False
    for name in dict.fromkeys([_prefix(window, ""), _prefix(window, scope)]):
        geometry = store.get(f"{name}/geometry")
        if geometry:
            restored = bool(window.restoreGeometry(_decode(geometry))) or restored
        state = store.get(f"{name}/state")
        if state and isinstance(window, QMainWindow):
            window.restoreState(_decode(state))
        for splitter in window.findChildren(QSplitter):
            saved = store.get(f"{name}/splitter/{splitter.objectName()}")
            if splitter.objectName() and saved:
                splitter.restoreState(_decode(saved))
        for table in window.findChildren(QTableView):
            saved = store.get(f"{name}/header/{table.objectName()}")
            if table.objectName() and saved and table.model() is not None:
                table.horizontalHeader().restoreState(_decode(saved))
        for tabs in window.findChildren(QTabWidget):
            saved = store.get(f"{name}/tab/{tabs.objectName()}")
            if tabs.objectName() and saved and saved.isdigit() and int(saved) < tabs.count():
                tabs.setCurrentIndex(int(saved))
    return restored
