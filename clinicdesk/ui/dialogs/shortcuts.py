"""The keyboard shortcuts, listed from the actions themselves (so the list cannot go stale).

The window passes its actions and each tab's, in sections ("Anywhere", "Posts tab", "Inquiry
list"...): a single-letter key of the inquiry list works only there, and the table says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

Index = QModelIndex | QPersistentModelIndex


#: A section of the list: where the keys work, and the actions.
Section = tuple[str, Sequence[QAction]]


class ShortcutModel(QAbstractTableModel):
    """Three columns: what the action does, its keys (in the platform's notation), and where
    they work. An action listed in two sections is shown once, in the first."""

    ACTION, KEYS, WHERE = range(3)

    def __init__(self, sections: Sequence[Section], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, QKeySequence, str]] = []
        seen: set[int] = set()
        for where, actions in sections:
            for action in actions:
                if action.shortcut().isEmpty() or id(action) in seen:
                    continue
                seen.add(id(action))
                text = action.text().replace("&", "").rstrip("…")
                self._rows.append((text, action.shortcut(), where))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        text, keys, where = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if index.column() == self.ACTION:
                return text
            if index.column() == self.KEYS:
                return keys.toString(QKeySequence.SequenceFormat.NativeText)
            return where
        if role == Qt.ItemDataRole.UserRole and index.column() == self.KEYS:
            return keys.toString(QKeySequence.SequenceFormat.PortableText)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            names = (self.tr("Action"), self.tr("Keys"), self.tr("Where"))
            return names[section] if 0 <= section < len(names) else None
        return None

    def rows(self) -> list[tuple[str, str, str]]:
        """Every row as (action, keys in portable notation, where): for tests and tools."""
        return [
            (text, keys.toString(QKeySequence.SequenceFormat.PortableText), where)
            for text, keys, where in self._rows
        ]


class ShortcutsDialog(QDialog):
    """Lists the shortcuts of the actions in ``sections``."""

    def __init__(self, sections: Sequence[Section], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        layout = QVBoxLayout(self)
        self.model = ShortcutModel(sections, self)
        self.view = QTableView(self)
        self.view.setObjectName("shortcutsTable")
        self.view.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (ShortcutModel.KEYS, ShortcutModel.WHERE):
            self.view.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("shortcutsCloseButton")
        close.setAccessibleName(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 520)
