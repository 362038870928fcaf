"""Layouts that keep a screen whole at a laptop's size.

:class:`FlowLayout` wraps its widgets onto further lines when the width runs out (Qt's "flow
layout" example, typed): rows of buttons and badges then never make a pane wider than it is. Its
minimum width is that of its widest item, so a pane holding it can shrink to a laptop's narrow
detail column and the items reflow instead of being cut off or scrolled sideways.

:func:`centred_column` holds a page's few fields (the unlock screen, a notice) in a centred
column of a readable width, whatever the window's width.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLayout, QLayoutItem, QSizePolicy, QVBoxLayout, QWidget

from clinicdesk.ui.theme import SPACE_M


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new line when the next one would not fit.

    Args:
        parent: the widget laid out, or None.
        spacing: the gap between items, across and down, in pixels.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = SPACE_M) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        margins: QMargins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _visible(self) -> list[QLayoutItem]:
        shown: list[QLayoutItem] = []
        for item in self._items:
            widget = item.widget()
            if widget is None or not widget.isHidden():
                shown.append(item)
        return shown

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place (or only measure, ``move=False``) the items in ``rect``; returns the height."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._visible():
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._gap, 0
            if move:
                width = min(hint.width(), area.width())
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


#: A readable line, in average characters of the page's font (it grows with the font size).
COLUMN_CHARACTERS = 60


def centred_column(page: QWidget, characters: int = COLUMN_CHARACTERS) -> QVBoxLayout:
    """Give ``page`` a centred column at most ``characters`` wide and return its layout.

    The column sits between two stretches of a horizontal layout (not in an aligned cell: an
    aligned cell gives a word-wrapped label its width hint and cuts its lines off), so it fills
    a narrow window and stays a readable width in a wide one; stretches above and below keep it
    in the middle.
    """
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    column = QWidget(page)
    column.setObjectName(f"{page.objectName()}Column")
    column.setMaximumWidth(page.fontMetrics().averageCharWidth() * characters)
    column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    row.addWidget(column, 100)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    inner = QVBoxLayout(column)
    inner.setContentsMargins(0, 0, 0, 0)
    return inner
