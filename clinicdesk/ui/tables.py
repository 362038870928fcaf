"""The record tables both tabs list their records in."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QTableView


class RecordTable(QTableView):
    """A table whose current row is always the highlighted one.

    Qt makes the first row current when the table takes focus (Tab, or the window taking
    activation) without selecting it, and the tab then opens that record: it is highlighted
    too, so the record shown is the one the keys move on from and act on.
    """

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        selection = self.selectionModel()
        current = self.currentIndex()
        if selection is not None and current.isValid() and not selection.hasSelection():
            selection.select(
                current,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
