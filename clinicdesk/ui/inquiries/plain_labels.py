"""The label every value from the consultation form is shown in: plain text, selectable, never
a link.

A QLabel otherwise guesses rich text and renders HTML from what a visitor typed; here
``<script>``, ``<img src=...>`` or ``<b>`` appear as the characters typed, and nothing opens.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

_SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


def value_label(name: str, accessible: str, parent: QWidget) -> QLabel:
    """A wrapping label for form text, named ``name`` for tests and ``accessible`` for screen
    readers."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setTextFormat(Qt.TextFormat.PlainText)  # form text: never rich text
    label.setOpenExternalLinks(False)
    label.setTextInteractionFlags(_SELECTABLE)  # selectable, no link activation
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label
