"""The app shell's dialogs. Each is opened non-blocking (``open()`` + ``finished``) so tests and
the event loop keep running while it shows."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def fit_height(dialog: QWidget) -> None:
    """Make ``dialog`` tall enough for its word-wrapped labels at its current width.

    A top-level window's minimum size ignores height-for-width (word-wrapped labels), so a
    message that appears or grows would be clipped; ask the layout for the height it needs.
    """
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    needed = layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() else -1
    if needed > 0:
        dialog.setMinimumHeight(needed)
        if dialog.height() < needed:
            dialog.resize(dialog.width(), needed)
