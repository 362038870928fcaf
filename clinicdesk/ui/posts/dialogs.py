"""The Posts tab's dialogs: all opened with ``open()`` (never ``exec()``), results by signal.

- :class:`PrepublishDialog`: the warnings before publishing, with "Publish anyway".
- :class:`LinkDialog`, :class:`ImageTextDialog`: a link's address; an image's text.
- :class:`HistoryDialog`: the post's saved versions, with restore.
- :class:`ConflictDialog`: mine and the site's, field by field, the body compared line by
  line; keep mine, take the site's, or merge by hand.
- :func:`confirm_box`: a yes/no question (deleting for good).

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
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.blocks import BlockDocument, Image, inline_text
from clinicdesk.domain.prepublish import Finding
from clinicdesk.domain.textdiff import DiffRow, side_by_side
from clinicdesk.domain.wordcount import plain_text
from clinicdesk.model.cached import PostDetail, PostEdit, PostSnapshot, RevisionInfo
from clinicdesk.store import Cache, CacheError
from clinicdesk.ui.posts.common import raw_text, to_local

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex


def _name(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


def _button(
    box: QDialogButtonBox, name: str, text: str, role: QDialogButtonBox.ButtonRole
) -> QPushButton:
    button = box.addButton(text, role)
    _name(button, name, text.replace("&", "").rstrip("…"))
    return button


def _plain_label(text: str, parent: QWidget, name: str, accessible: str) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    _name(label, name, accessible)
    return label


def confirm_box(parent: QWidget, name: str, title: str, text: str, yes: str) -> QMessageBox:
    """A question with a destructive "yes" and a default "Cancel" (plain text)."""
    box = QMessageBox(parent)
    _name(box, name, title)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    _name(yes_button, f"{name}YesButton", yes.replace("&", ""))
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    _name(cancel, f"{name}CancelButton", cancel.text().replace("&", ""))
    box.setDefaultButton(cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


class PrepublishDialog(QDialog):
    """Warnings before publishing (or submitting): "Publish anyway" accepts, "Go back" rejects.

    Args:
        findings: what the checks found.
        action: the button's text ("Publish anyway", "Submit anyway"...).
        parent: the parent widget.
    """

    def __init__(self, findings: Sequence[Finding], action: str, parent: QWidget) -> None:
        super().__init__(parent)
        _name(self, "prepublishDialog", self.tr("Before publishing"))
        self.setWindowTitle(self.tr("Before publishing"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            _plain_label(
                self.tr("A few things to look at first:"),
                self,
                "prepublishIntro",
                self.tr("Introduction"),
            )
        )
        self.items = _plain_label(
            "\n".join("• " + self.describe(f) for f in findings),
            self,
            "prepublishFindings",
            self.tr("Things to look at"),
        )
        layout.addWidget(self.items)
        buttons = QDialogButtonBox(self)
        buttons.setObjectName("prepublishButtons")
        self.go_back = _button(
            buttons,
            "prepublishGoBackButton",
            self.tr("Go back"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        self.anyway = _button(
            buttons, "prepublishAnywayButton", action, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.go_back.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def describe(self, finding: Finding) -> str:
        """A finding in words."""
        if finding.kind == "empty_title":
            return self.tr("The post has no title.")
        if finding.kind == "no_category":
            return self.tr("The post has no category (it would be filed under Uncategorized).")
        if finding.kind == "no_excerpt":
            return self.tr("The post has no excerpt (search engines and the blog list show one).")
        if finding.kind == "image_without_alt":
            if finding.detail == "featured":
                return self.tr("The featured image has no alternative text.")
            return self.tr("An image has no alternative text: %1").replace(
                "%1", finding.detail.rsplit("/", 1)[-1] or finding.detail
            )
        return self.tr("A link looks wrong: %1").replace("%1", finding.detail or self.tr("(empty)"))


class LinkDialog(QDialog):
    """A link's address. Accepted with the address ("" removes the link).

    Signals:
        linkChosen(str): the address to set ("" to remove the link).
    """

    linkChosen = Signal(str)

    def __init__(self, current: str, parent: QWidget) -> None:
        super().__init__(parent)
        _name(self, "linkDialog", self.tr("Link"))
        self.setWindowTitle(self.tr("Link"))
        layout = QFormLayout(self)
        self.address = QLineEdit(current, self)
        _name(self.address, "linkAddressEdit", self.tr("Link address"))
        self.address.setPlaceholderText("https://")
        layout.addRow(self.tr("&Address:"), self.address)
        buttons = QDialogButtonBox(self)
        ok = _button(
            buttons, "linkOkButton", self.tr("Set link"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        ok.setDefault(True)
        remove = _button(
            buttons,
            "linkRemoveButton",
            self.tr("Remove link"),
            QDialogButtonBox.ButtonRole.ResetRole,
        )
        _button(
            buttons, "linkCancelButton", self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        remove.clicked.connect(self._remove)
        layout.addRow(buttons)

    def _accept(self) -> None:
        self.linkChosen.emit(self.address.text().strip())
        self.accept()

    def _remove(self) -> None:
        self.linkChosen.emit("")
        self.accept()


class ImageTextDialog(QDialog):
    """An image's alternative text and caption.

    Signals:
        textChosen(str, str): the alternative text and the caption.
    """

    textChosen = Signal(str, str)

    def __init__(self, image: Image, parent: QWidget) -> None:
        super().__init__(parent)
        _name(self, "imageTextDialog", self.tr("Image text"))
        self.setWindowTitle(self.tr("Image text"))
        layout = QFormLayout(self)
        intro = _plain_label(
            self.tr("Describe the image for people who cannot see it (screen readers read this)."),
            self,
            "imageTextIntro",
            self.tr("About alternative text"),
        )
        layout.addRow(intro)
        self.alt = QLineEdit(image.alt, self)
        _name(self.alt, "imageAltEdit", self.tr("Alternative text"))
        layout.addRow(self.tr("&Alternative text:"), self.alt)
        self.caption = QLineEdit(inline_text(image.caption).replace("\n", " "), self)
        _name(self.caption, "imageCaptionEdit", self.tr("Caption"))
        layout.addRow(self.tr("&Caption:"), self.caption)
        buttons = QDialogButtonBox(self)
        ok = _button(
            buttons, "imageTextOkButton", self.tr("OK"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        ok.setDefault(True)
        _button(
            buttons,
            "imageTextCancelButton",
            self.tr("Cancel"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def _accept(self) -> None:
        self.textChosen.emit(self.alt.text().strip(), self.caption.text().strip())
        self.accept()


def _local_time(value: datetime) -> str:
    return to_local(value).toString("yyyy-MM-dd HH:mm")


def _snapshot_text(fields: PostSnapshot) -> str:
    """A saved version as plain text: title, excerpt, then the body block by block."""
    blocks = [plain_text(s.source) for s in BlockDocument.from_text(fields.content).segments]
    return "\n\n".join(part for part in (fields.title, fields.excerpt, *blocks) if part.strip())


class HistoryDialog(QDialog):
    """The post's saved versions, newest first; "Restore this version" puts one back.

    Args:
        cache: the open cache.
        post_id: the post.
        parent: the parent widget.

    Signals:
        restored(int): a version was restored (the post's local id).
    """

    restored = Signal(int)

    def __init__(self, cache: Cache, post_id: int, parent: QWidget) -> None:
        super().__init__(parent)
        _name(self, "historyDialog", self.tr("History"))
        self.setWindowTitle(self.tr("History of this post"))
        self.resize(760, 480)
        self.cache = cache
        self.post_id = post_id
        layout = QVBoxLayout(self)
        splitter = QSplitter(self)
        splitter.setObjectName("historySplitter")
        self.model = QStandardItemModel(self)
        self.list = QListView(splitter)
        _name(self.list, "historyList", self.tr("Saved versions"))
        self.list.setModel(self.model)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view = QPlainTextEdit(splitter)
        _name(self.view, "historyPreview", self.tr("Version text"))
        self.view.setReadOnly(True)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter)
        self.empty = _plain_label("", self, "historyEmpty", self.tr("History state"))
        layout.addWidget(self.empty)
        buttons = QDialogButtonBox(self)
        self.restore_button = _button(
            buttons,
            "historyRestoreButton",
            self.tr("&Restore this version"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        close = _button(
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
            self.revisions = self.cache.posts.revisions(self.post_id)
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
            self.cache.posts.restore_revision(self.post_id, revision.id)
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
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (row.label, row.mine, row.site)[index.column()]
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
        cache: the open cache.
        detail: the post, in conflict (``detail.server`` is the site's version).
        names: field value -> display text (categories, tags, image) for the table.
        parent: the parent widget.

    Signals:
        resolved(int): the conflict was settled (the post's local id).
    """

    resolved = Signal(int)

    def __init__(
        self,
        cache: Cache,
        detail: PostDetail,
        names: Callable[[str, PostSnapshot], str],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        _name(self, "conflictDialog", self.tr("Compare versions"))
        self.setWindowTitle(self.tr("This post changed here and on the site"))
        self.resize(1000, 700)
        self.cache = cache
        self.detail = detail
        assert detail.server is not None
        mine, site = detail.fields, detail.server
        self.mine, self.site = mine, site
        layout = QVBoxLayout(self)
        layout.addWidget(
            _plain_label(
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
        _name(self.table, "conflictFieldsTable", self.tr("Fields that differ"))
        self.table.setModel(self.differences)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        _name(self.table.horizontalHeader(), "conflictFieldsHeader", self.tr("Columns"))
        _name(self.table.verticalHeader(), "conflictFieldsRows", self.tr("Rows"))
        self.table.verticalHeader().hide()
        self.table.setMaximumHeight(160)
        layout.addWidget(self.table)

        compare = QSplitter(self)
        compare.setObjectName("conflictBodySplitter")
        diff = side_by_side(mine.content, site.content)
        self.mine_body = QTextBrowser(compare)
        _name(self.mine_body, "conflictMineBody", self.tr("My body"))
        self.site_body = QTextBrowser(compare)
        _name(self.site_body, "conflictSiteBody", self.tr("The site's body"))
        for view, left in ((self.mine_body, True), (self.site_body, False)):
            view.setOpenLinks(False)
            view.setHtml(_diff_html(diff, left))
        self.mine_body.verticalScrollBar().valueChanged.connect(
            self.site_body.verticalScrollBar().setValue
        )
        heads = QHBoxLayout()
        heads.addWidget(_plain_label(self.tr("Mine"), self, "conflictMineHeading", self.tr("Mine")))
        heads.addWidget(
            _plain_label(
                self.tr("On the site"), self, "conflictSiteHeading", self.tr("On the site")
            )
        )
        layout.addLayout(heads)
        layout.addWidget(compare, 1)

        self.merge = QWidget(self)
        self.merge.setObjectName("conflictMergePanel")
        merge_layout = QFormLayout(self.merge)
        self.merge_title = QLineEdit(mine.title, self.merge)
        _name(self.merge_title, "mergeTitleEdit", self.tr("Merged title"))
        self.merge_excerpt = QPlainTextEdit(mine.excerpt, self.merge)
        _name(self.merge_excerpt, "mergeExcerptEdit", self.tr("Merged excerpt"))
        self.merge_excerpt.setMaximumHeight(70)
        self.merge_body = QPlainTextEdit(mine.content, self.merge)
        _name(self.merge_body, "mergeBodyEdit", self.tr("Merged body (block markup)"))
        merge_layout.addRow(self.tr("Title:"), self.merge_title)
        merge_layout.addRow(self.tr("Excerpt:"), self.merge_excerpt)
        merge_layout.addRow(self.tr("Body:"), self.merge_body)
        self.merge.hide()
        layout.addWidget(self.merge, 1)

        self.error = _plain_label("", self, "conflictError", self.tr("Problem"))
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.keep_mine = _button(
            buttons, "keepMineButton", self.tr("&Keep mine"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.take_site = _button(
            buttons,
            "takeSiteButton",
            self.tr("&Take the site's"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        self.edit_merge = _button(
            buttons,
            "editMergeButton",
            self.tr("&Edit the merge…"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        self.save_merge = _button(
            buttons,
            "saveMergeButton",
            self.tr("&Save the merge"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        self.save_merge.hide()
        later = _button(
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
            self.cache.posts.keep_versions(self.detail.id)
            action()
        except CacheError as error:
            self.error.setText(error.message)
            self.error.show()
            return
        self.resolved.emit(self.detail.id)
        self.accept()

    def keep_my_version(self) -> None:
        """Keep my version; the site's goes to the history."""
        self._settle(lambda: self.cache.posts.resolve(self.detail.id, **_edit_of(self.mine)))

    def take_site_version(self) -> None:
        """Take the site's version; mine goes to the history."""
        self._settle(lambda: self.cache.posts.discard_changes(self.detail.id))

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
        self._settle(lambda: self.cache.posts.resolve(self.detail.id, **merged))


def _edit_of(fields: PostSnapshot) -> PostEdit:
    edit = PostEdit(
        title=fields.title,
        content=fields.content,
        excerpt=fields.excerpt,
        slug=fields.slug,
        date_gmt=fields.date_gmt,
        categories=list(fields.categories),
        tags=list(fields.tags),
        featured_media=fields.featured_media,
        author=fields.author,
    )
    if fields.status != "trash":
        edit["status"] = fields.status
    return edit
