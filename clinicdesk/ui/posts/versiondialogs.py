"""The Posts tab's version dialogs, opened with ``open()`` (never ``exec()``), results by signal.

- :class:`HistoryDialog`: the post's saved versions, with restore.
- :class:`ConflictDialog`: mine and the site's, field by field, the body compared line by
  line; keep mine, take the site's, or merge by hand.

Text from the site (titles, bodies, messages) is shown as plain text, or escaped into HTML
built here (the body comparison).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.blocks import BlockDocument
from clinicdesk.domain.textdiff import DiffRow, side_by_side
from clinicdesk.domain.wordcount import plain_text
from clinicdesk.model.cached import PostDetail, PostEdit, PostSnapshot, RevisionInfo
from clinicdesk.services.posts import PostDesk
from clinicdesk.store import CacheError
from clinicdesk.ui.clinic_time import format_moment
from clinicdesk.ui.plaintext import plain
from clinicdesk.ui.posts.common import raw_text
from clinicdesk.ui.posts.dialogkit import dialog_button, dialog_label, set_names

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex


def _local_time(value: datetime) -> str:
    return format_moment(value)


def _snapshot_text(fields: PostSnapshot) -> str:
    """A saved version as plain text: title, excerpt, then the body block by block."""
    blocks = [plain_text(s.source) for s in BlockDocument.from_text(fields.content).segments]
    return "\n\n".join(part for part in (fields.title, fields.excerpt, *blocks) if part.strip())


class HistoryDialog(QDialog):
    """The post's saved versions, newest first; "Restore this version" puts one back.

    Args:
        desk: the desk the choice is written through.
        post_id: the post.
        parent: the parent widget.

    Signals:
        restored(int): a version was restored (the post's local id).
    """

    restored = Signal(int)

    def __init__(self, desk: PostDesk, post_id: int, parent: QWidget) -> None:
        super().__init__(parent)
        set_names(self, "historyDialog", self.tr("History"))
        self.setWindowTitle(self.tr("History of this post"))
        self.resize(760, 480)
        self.desk = desk
        self.post_id = post_id
        layout = QVBoxLayout(self)
        splitter = QSplitter(self)
        splitter.setObjectName("historySplitter")
        self.model = QStandardItemModel(self)
        self.list = QListView(splitter)
        set_names(self.list, "historyList", self.tr("Saved versions"))
        self.list.setModel(self.model)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view = QPlainTextEdit(splitter)
        set_names(self.view, "historyPreview", self.tr("Version text"))
        self.view.setReadOnly(True)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter)
        self.empty = dialog_label("", self, "historyEmpty", self.tr("History state"))
        layout.addWidget(self.empty)
        buttons = QDialogButtonBox(self)
        self.restore_button = dialog_button(
            buttons,
            "historyRestoreButton",
            self.tr("&Restore this version"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        close = dialog_button(
            buttons, "historyCloseButton", self.tr("Close"), QDialogButtonBox.ButtonRole.RejectRole
        )
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore_selected)
        layout.addWidget(buttons)
        self.revisions: list[RevisionInfo] = []
        self.list.selectionModel().currentChanged.connect(lambda *_: self._show())
        self.reload()

    def reload(self) -> None:
        """Read the versions again."""
        self.model.clear()
        try:
            self.revisions = self.desk.revisions(self.post_id)
        except CacheError as error:
            self.revisions = []
            self.empty.setText(error.message)
        for revision in self.revisions:
            origin = (
                self.tr("from the site") if revision.origin == "site" else self.tr("saved here")
            )
            title = revision.fields.title or self.tr("(no title)")
            item = QStandardItem(f"{_local_time(revision.created_at)} — {origin}\n{title}")
            item.setData(revision.id, Qt.ItemDataRole.UserRole)
            self.model.appendRow(item)
        if not self.revisions and not self.empty.text():
            self.empty.setText(self.tr("No earlier versions yet: they are kept as you edit."))
        self.empty.setVisible(bool(self.empty.text()))
        if self.revisions:
            self.list.setCurrentIndex(self.model.index(0, 0))
        self.restore_button.setEnabled(bool(self.revisions))

    def _current(self) -> RevisionInfo | None:
        row = self.list.currentIndex().row()
        return self.revisions[row] if 0 <= row < len(self.revisions) else None

    def _show(self) -> None:
        revision = self._current()
        self.view.setPlainText("" if revision is None else _snapshot_text(revision.fields))

    def select(self, row: int) -> None:
        """Select the ``row``-th version (newest first)."""
        self.list.setCurrentIndex(self.model.index(row, 0))

    def restore_selected(self) -> None:
        """Put the selected version back (itself a change that can be undone from here)."""
        revision = self._current()
        if revision is None:
            return
        try:
            self.desk.restore_revision(self.post_id, revision.id)
        except CacheError as error:
            self.empty.setText(error.message)
            self.empty.show()
            return
        self.restored.emit(self.post_id)
        self.accept()


# -- the conflict compare ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One field whose value differs between mine and the site's."""

    field: str
    label: str
    mine: str
    site: str


class DifferenceModel(QAbstractTableModel):
    """The fields that differ: field, mine, the site's (plain text)."""

    FIELD, MINE, SITE = range(3)

    def __init__(self, rows: Sequence[FieldDifference], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = list(rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else 3

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.label, row.mine, row.site)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:  # the values come from the site and the user
            return plain((row.label, row.mine, row.site)[index.column()])
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Field"), self.tr("Mine"), self.tr("On the site"))[section]
        return None


def _diff_html(rows: Sequence[DiffRow], left: bool) -> str:
    """One side of a body comparison as HTML (every piece of text escaped here)."""
    colours = {"delete": "#fde2e2", "insert": "#e1f5e1", "replace": "#fff4d6"}
    strong = "#f5b7b1" if left else "#a9dfbf"
    lines: list[str] = []
    for row in rows:
        text = row.left if left else row.right
        changes = row.left_changes if left else row.right_changes
        if text is None:
            lines.append('<pre style="background:#eeeeee; margin:0"> </pre>')
            continue
        parts: list[str] = []
        position = 0
        for start, end in changes:
            parts.append(escape(text[position:start]))
            parts.append(f'<span style="background:{strong}">{escape(text[start:end])}</span>')
            position = end
        parts.append(escape(text[position:]))
        background = colours.get(row.kind)
        style = f"background:{background}; " if background else ""
        lines.append(
            f'<pre style="{style}margin:0; white-space:pre-wrap">{"".join(parts) or " "}</pre>'
        )
    return "".join(lines)


class ConflictDialog(QDialog):
    """Mine and the site's version of a post in conflict, and the three ways out.

    "Keep mine" and "Take the site's" settle it at once; "Edit the merge" opens the merged
    title, excerpt and body for editing (starting from mine) and "Save the merge" settles it
    with that. Before any of them, both versions are saved in the post's history.

    Args:
        desk: the desk the choice is written through.
        detail: the post, in conflict (``detail.server`` is the site's version).
        names: field value -> display text (categories, tags, image) for the table.
        parent: the parent widget.

    Signals:
        resolved(int): the conflict was settled (the post's local id).
    """

    resolved = Signal(int)

    def __init__(
        self,
        desk: PostDesk,
        detail: PostDetail,
        names: Callable[[str, PostSnapshot], str],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        set_names(self, "conflictDialog", self.tr("Compare versions"))
        self.setWindowTitle(self.tr("This post changed here and on the site"))
        self.resize(1000, 700)
        self.desk = desk
        self.detail = detail
        assert detail.server is not None
        mine, site = detail.fields, detail.server
        self.mine, self.site = mine, site
        layout = QVBoxLayout(self)
        layout.addWidget(
            dialog_label(
                self.tr(
                    "Someone changed this post on the site while you changed it here. Choose "
                    "which version to keep, or merge them by hand. The version you do not keep "
                    "stays in the post's history."
                ),
                self,
                "conflictIntro",
                self.tr("What happened"),
            )
        )
        rows = [
            FieldDifference(field, label, names(field, mine), names(field, site))
            for field, label in (
                ("title", self.tr("Title")),
                ("excerpt", self.tr("Excerpt")),
                ("slug", self.tr("Slug")),
                ("status", self.tr("Status")),
                ("date_gmt", self.tr("Publish date")),
                ("categories", self.tr("Categories")),
                ("tags", self.tr("Tags")),
                ("featured_media", self.tr("Featured image")),
            )
            if getattr(mine, field) != getattr(site, field)
        ]
        if mine.content != site.content:
            rows.append(
                FieldDifference(
                    "content", self.tr("Body"), self.tr("see below"), self.tr("see below")
                )
            )
        self.differences = DifferenceModel(rows, self)
        self.table = QTableView(self)
        set_names(self.table, "conflictFieldsTable", self.tr("Fields that differ"))
        self.table.setModel(self.differences)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        set_names(self.table.horizontalHeader(), "conflictFieldsHeader", self.tr("Columns"))
        set_names(self.table.verticalHeader(), "conflictFieldsRows", self.tr("Rows"))
        self.table.verticalHeader().hide()
        self.table.setMaximumHeight(160)
        layout.addWidget(self.table)

        compare = QSplitter(self)
        compare.setObjectName("conflictBodySplitter")
        diff = side_by_side(mine.content, site.content)
        self.mine_body = QTextBrowser(compare)
        set_names(self.mine_body, "conflictMineBody", self.tr("My body"))
        self.site_body = QTextBrowser(compare)
        set_names(self.site_body, "conflictSiteBody", self.tr("The site's body"))
        for view, left in ((self.mine_body, True), (self.site_body, False)):
            view.setOpenLinks(False)
            view.setHtml(_diff_html(diff, left))
        self.mine_body.verticalScrollBar().valueChanged.connect(
            self.site_body.verticalScrollBar().setValue
        )
        heads = QHBoxLayout()
        heads.addWidget(dialog_label(self.tr("Mine"), self, "conflictMineHeading", self.tr("Mine")))
        heads.addWidget(
            dialog_label(
                self.tr("On the site"), self, "conflictSiteHeading", self.tr("On the site")
            )
        )
        layout.addLayout(heads)
        layout.addWidget(compare, 1)

        self.merge = QWidget(self)
        self.merge.setObjectName("conflictMergePanel")
        merge_layout = QFormLayout(self.merge)
        self.merge_title = QLineEdit(mine.title, self.merge)
        set_names(self.merge_title, "mergeTitleEdit", self.tr("Merged title"))
        self.merge_excerpt = QPlainTextEdit(mine.excerpt, self.merge)
        set_names(self.merge_excerpt, "mergeExcerptEdit", self.tr("Merged excerpt"))
        self.merge_excerpt.setMaximumHeight(70)
        self.merge_body = QPlainTextEdit(mine.content, self.merge)
        set_names(self.merge_body, "mergeBodyEdit", self.tr("Merged body (block markup)"))
        merge_layout.addRow(self.tr("Title:"), self.merge_title)
        merge_layout.addRow(self.tr("Excerpt:"), self.merge_excerpt)
        merge_layout.addRow(self.tr("Body:"), self.merge_body)
        self.merge.hide()
        layout.addWidget(self.merge, 1)

        self.error = dialog_label("", self, "conflictError", self.tr("Problem"))
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.keep_mine = dialog_button(
            buttons, "keepMineButton", self.tr("&Keep mine"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.take_site = dialog_button(
            buttons,
            "takeSiteButton",
            self.tr("&Take the site's"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        self.edit_merge = dialog_button(
            buttons,
            "editMergeButton",
            self.tr("&Edit the merge…"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        self.save_merge = dialog_button(
            buttons,
            "saveMergeButton",
            self.tr("&Save the merge"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        self.save_merge.hide()
        later = dialog_button(
            buttons,
            "conflictLaterButton",
            self.tr("Decide later"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        later.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.keep_mine.clicked.connect(self.keep_my_version)
        self.take_site.clicked.connect(self.take_site_version)
        self.edit_merge.clicked.connect(self.start_merge)
        self.save_merge.clicked.connect(self.save_merged)
        layout.addWidget(buttons)

    def _settle(self, action: Callable[[], None]) -> None:
        try:
            action()
        except CacheError as error:
            self.error.setText(error.message)
            self.error.show()
            return
        self.resolved.emit(self.detail.id)
        self.accept()

    def keep_my_version(self) -> None:
        """Keep my version; the site's goes to the history."""
        self._settle(lambda: self.desk.settle(self.detail.id, **_edit_of(self.mine)))

    def take_site_version(self) -> None:
        """Take the site's version; mine goes to the history."""
        self._settle(lambda: self.desk.take_site_version(self.detail.id))

    def start_merge(self) -> None:
        """Show the merged fields for editing (from mine)."""
        self.merge.show()
        self.save_merge.show()
        self.edit_merge.hide()
        self.merge_body.setFocus()

    def save_merged(self) -> None:
        """Settle with the fields as merged by hand."""
        merged = _edit_of(self.mine)
        merged["title"] = self.merge_title.text()
        merged["excerpt"] = raw_text(self.merge_excerpt)
        merged["content"] = raw_text(self.merge_body)
        self._settle(lambda: self.desk.settle(self.detail.id, **merged))


def _edit_of(fields: PostSnapshot) -> PostEdit:
    edit = fields.as_edit()
    if fields.status == "trash":
        del edit["status"]  # settling a conflict never trashes the post; that is its own step
    return edit
