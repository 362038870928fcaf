"""Small helpers shared by the Posts tab's widgets."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget


def named(widget: QWidget, name: str, accessible: str) -> None:
    """Give a widget its ``objectName`` (tests) and accessible name (screen readers)."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


def plain_label(parent: QWidget, name: str, accessible: str, text: str = "") -> QLabel:
    """A label that never reads its text as HTML (text from the site or the user)."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    named(label, name, accessible)
    return label


def raw_text(edit: QPlainTextEdit) -> str:
    """A plain-text editor's text exactly (``toPlainText`` turns no-break spaces into spaces)."""
    return edit.document().toRawText().replace("\u2029", "\n")


def status_names() -> dict[str, str]:
    """Every post status in words, one wording wherever a status is named (the list's column,
    the editor's status menu, a version's fields)."""
    return {
        "draft": QCoreApplication.translate("PostStatus", "Draft"),
        "pending": QCoreApplication.translate("PostStatus", "Pending review"),
        "private": QCoreApplication.translate("PostStatus", "Private"),
        "publish": QCoreApplication.translate("PostStatus", "Published"),
        "future": QCoreApplication.translate("PostStatus", "Scheduled"),
        "trash": QCoreApplication.translate("PostStatus", "Trash"),
    }
