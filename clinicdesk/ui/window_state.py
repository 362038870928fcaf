"""Remembering window geometry and splitter positions (as Picard's PreserveGeometry does).

Each top-level window saves, under its ``objectName``, its geometry, its main-window state
(toolbars, docks) and the state of every ``QSplitter`` inside it that has an ``objectName``, as
base64 text in the settings file; restoring applies what is there and ignores what is not (a
splitter added in a later version starts at its default).
"""

from __future__ import annotations

from collections.abc import MutableMapping

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget


def _encode(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


def _decode(text: str) -> QByteArray:
    return QByteArray.fromBase64(QByteArray(text.encode("ascii")))


def save_window_state(window: QWidget, store: MutableMapping[str, str]) -> None:
    """Write ``window``'s geometry and splitter positions into ``store``."""
    name = window.objectName()
    store[f"{name}/geometry"] = _encode(window.saveGeometry())
    if isinstance(window, QMainWindow):
        store[f"{name}/state"] = _encode(window.saveState())
    for splitter in window.findChildren(QSplitter):
        if splitter.objectName():
            store[f"{name}/splitter/{splitter.objectName()}"] = _encode(splitter.saveState())


def restore_window_state(window: QWidget, store: MutableMapping[str, str]) -> bool:
    """Apply what ``store`` remembers of ``window``; returns whether its geometry was restored."""
    name = window.objectName()
    restored = False
    geometry = store.get(f"{name}/geometry")
    if geometry:
        restored = bool(window.restoreGeometry(_decode(geometry)))
    state = store.get(f"{name}/state")
    if state and isinstance(window, QMainWindow):
        window.restoreState(_decode(state))
    for splitter in window.findChildren(QSplitter):
        saved = store.get(f"{name}/splitter/{splitter.objectName()}")
        if splitter.objectName() and saved:
            splitter.restoreState(_decode(saved))
    return restored
