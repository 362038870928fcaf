"""Small helpers the Posts tab's dialogs share: names (tests, screen readers), buttons, labels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton, QWidget


def set_names(widget: QWidget, name: str, accessible: str) -> None:
    """Give a widget its ``objectName`` (tests) and accessible name (screen readers)."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


def dialog_button(
    box: QDialogButtonBox, name: str, text: str, role: QDialogButtonBox.ButtonRole
) -> QPushButton:
    """Add a named button to a button box."""
    button = box.addButton(text, role)
    set_names(button, name, text.replace("&", "").rstrip("…"))
    return button


def dialog_label(text: str, parent: QWidget, name: str, accessible: str) -> QLabel:
    """A named label that never reads its text as HTML."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    set_names(label, name, accessible)
    return label
