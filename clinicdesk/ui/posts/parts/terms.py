"""The editor's terms: the categories to tick and the tags typed with completion."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCompleter,
    QGroupBox,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.model.cached import TermInfo
from clinicdesk.ui.posts.common import named


class CategoriesPanel(QGroupBox):
    """The "Categories" box: a checkable list and "New category…".

    Signals:
        ticked(): a category was ticked or cleared.
        newRequested(): "New category…" was clicked.
    """

    ticked = Signal()
    newRequested = Signal()

    def __init__(self, parent: QWidget, *, may_create: bool) -> None:
        super().__init__(self.tr("Categories"), parent)
        named(self, "categoriesGroup", self.tr("Categories"))
        inner = QVBoxLayout(self)
        self.categories = QStandardItemModel(self)
        self.category_list = QListView(self)
        named(self.category_list, "categoryList", self.tr("Categories"))
        self.category_list.setModel(self.categories)
        self.category_list.setMaximumHeight(170)
        self.categories.itemChanged.connect(lambda _item: self.ticked.emit())
        inner.addWidget(self.category_list)
        self.new_category_button = QPushButton(self.tr("&New category…"), self)
        named(self.new_category_button, "newCategoryButton", self.tr("New category"))
        self.new_category_button.clicked.connect(lambda _c=False: self.newRequested.emit())
        self.new_category_button.setVisible(may_create)
        inner.addWidget(self.new_category_button)

    def fill(self, terms: Iterable[TermInfo], selected: Iterable[int]) -> None:
        """Show ``terms``, the ``selected`` ones ticked."""
        chosen = set(selected)
        self.categories.clear()
        for term in terms:
            item = QStandardItem(term.name)
            item.setData(term.id, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(
                Qt.CheckState.Checked if term.id in chosen else Qt.CheckState.Unchecked
            )
            if term.sync_state == "new":
                item.setToolTip(self.tr("Not on the site yet"))
            self.categories.appendRow(item)

    def offer(self, terms: list[TermInfo]) -> bool:
        """Show ``terms`` if they are not the ones shown, keeping what is ticked.

        Returns:
            Whether the list was filled again.
        """
        shown = [
            (
                self.categories.item(row).data(Qt.ItemDataRole.UserRole),
                self.categories.item(row).text(),
            )
            for row in range(self.categories.rowCount())
        ]
        if shown == [(term.id, term.name) for term in terms]:
            return False
        self.fill(terms, self.selected())
        return True

    def selected(self) -> list[int]:
        """The ticked categories' local ids, sorted."""
        return sorted(
            int(self.categories.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.categories.rowCount())
            if self.categories.item(row).checkState() == Qt.CheckState.Checked
        )


class TagsPanel(QGroupBox):
    """The "Tags" box: names typed with commas, completed from the known tags.

    Signals:
        finished(): the user left the field (the typed names become tags then).
    """

    finished = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(self.tr("Tags"), parent)
        named(self, "tagsGroup", self.tr("Tags"))
        inner = QVBoxLayout(self)
        self.tags_edit = QLineEdit(self)
        named(self.tags_edit, "tagsEdit", self.tr("Tags, separated by commas"))
        self.tags_edit.setPlaceholderText(self.tr("Separate tags with commas"))
        self.tag_names = QStringListModel(self)
        self.tag_completer = QCompleter(self.tag_names, self)
        self.tag_completer.setObjectName("tagCompleter")
        self.tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tag_completer.setWidget(self.tags_edit)
        self.tag_completer.activated.connect(self._complete_tag)  # the text overload
        self.tags_edit.textEdited.connect(self._suggest_tags)
        self.tags_edit.editingFinished.connect(self.finished)
        inner.addWidget(self.tags_edit)

    def show_tags(self, known: Iterable[TermInfo], ids: Iterable[int]) -> None:
        """Offer ``known`` for completion and show the tags ``ids``."""
        tags = list(known)
        names = {tag.id: tag.name for tag in tags}
        self.tag_names.setStringList([tag.name for tag in tags])
        self.tags_edit.setText(", ".join(names[i] for i in ids if i in names))

    def set_known(self, known: Iterable[TermInfo]) -> None:
        """Offer ``known`` for completion."""
        self.tag_names.setStringList([tag.name for tag in known])

    def typed_names(self) -> list[str]:
        """The names typed, spaces tidied, each once (case-insensitively), in order."""
        names: list[str] = []
        for raw in self.tags_edit.text().split(","):
            name = " ".join(raw.split())
            if name and name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
        return names

    def _suggest_tags(self, text: str) -> None:
        prefix = text.split(",")[-1].strip()
        if not prefix:
            popup = self.tag_completer.popup()
            if popup is not None:
                popup.hide()
            return
        self.tag_completer.setCompletionPrefix(prefix)
        self.tag_completer.complete()

    def _complete_tag(self, name: str) -> None:
        parts = self.tags_edit.text().split(",")
        parts[-1] = " " + name
        self.tags_edit.setText(",".join(parts).strip() + ", ")
