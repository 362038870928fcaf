"""The post editor: every field of one post, saved to the offline copy as the user types.

Local-first: each change restarts a short timer (about 0.7 s); when typing stops, the fields
that differ from what was last saved are written to the cache in one store call (which queues
them for the site in the same transaction). Ctrl+S saves at once; opening another post, the
tab hiding, and the application quitting save first. A post that vanished from the cache while
being edited (deleted for good elsewhere) is saved again as a new draft rather than lost.

What the user may do follows the signed-in user's capabilities: without ``publish_posts`` the
main button is "Submit for review" and the statuses offered are draft and pending review;
without ``upload_files`` no image can be added; without ``manage_categories`` no category can
be created.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QDateTime, QStringListModel, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain import prepublish
from clinicdesk.domain.blocks import LOCAL_MEDIA_SCHEME, Image, Span
from clinicdesk.domain.sanitize import PLACEHOLDER_SCHEME, preview_document
from clinicdesk.domain.wordcount import count_words, plain_text, reading_minutes
from clinicdesk.model.cached import MediaInfo, PostDetail, PostEdit, PostSnapshot, TermInfo
from clinicdesk.model.records import PostStatus, Taxonomy
from clinicdesk.store import Cache, CacheError, RecordNotFoundError
from clinicdesk.store.posts import LIVE_STATUSES
from clinicdesk.ui.posts.body import BodyEditor, FormattingBar, placeholder_image
from clinicdesk.ui.posts.common import from_local, named, plain_label, raw_text, to_local
from clinicdesk.ui.posts.dialogs import (
    ConflictDialog,
    HistoryDialog,
    ImageTextDialog,
    LinkDialog,
    PrepublishDialog,
)

logger = logging.getLogger(__name__)

#: How long after the last keystroke a change is saved (milliseconds).
AUTOSAVE_MS = 700
#: The capabilities this editor looks at.
CAP_PUBLISH = "publish_posts"
CAP_UPLOAD = "upload_files"
CAP_CATEGORIES = "manage_categories"

_EDITABLE = ("title", "content", "excerpt", "slug", "status", "date_gmt", "categories", "tags")
_PREVIEW_CSS = """
body { font-family: Georgia, serif; font-size: 15px; }
h1 { font-size: 26px; }
blockquote { margin-left: 24px; color: #444; font-style: italic; }
.placeholder { color: #666; background: #eee; }
"""


class PreviewBrowser(QTextBrowser):
    """The preview: sanitised HTML, links not followed, nothing loaded from anywhere."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "previewView", self.tr("Preview"))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDefaultStyleSheet(_PREVIEW_CSS)
        #: Every resource the document asked for (the tests check none was fetched).
        self.requested: list[str] = []

    def loadResource(self, type: int, name: QUrl | str) -> object:
        """A grey box for images (named by the sanitiser), nothing for anything else."""
        text = name.toString() if isinstance(name, QUrl) else name
        self.requested.append(text)
        if type == 2 and text.startswith(PLACEHOLDER_SCHEME + ":"):  # ImageResource
            return placeholder_image(self.tr("Image (not loaded in the preview)"))
        return None


class _Banner(QFrame):
    def __init__(self, name: str, accessible: str, parent: QWidget) -> None:
        super().__init__(parent)
        named(self, name, accessible)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = plain_label(self, f"{name}Text", accessible)
        layout.addWidget(self.label, 1)
        self.hide()

    def button(self, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        named(button, name, text.replace("&", "").rstrip("…"))
        button.clicked.connect(lambda _checked=False: slot())
        cast(QHBoxLayout, self.layout()).addWidget(button)
        return button


class PostEditor(QWidget):
    """One post's fields, saved as the user types.

    Args:
        cache: the open cache.
        capabilities: the signed-in user's capabilities.
        user_id: the signed-in user (the author of new posts).
        parent: the parent widget.
        autosave_ms: the pause after which a change is saved.

    Signals:
        saved(int): a change was saved in the offline copy (the post's local id).
        created(int): a new post was saved for the first time (its local id).
        changesMade(): something now waits to be sent to the site.
        notice(str): something to tell the user (plain text).
    """

    saved = Signal(int)
    created = Signal(int)
    changesMade = Signal()
    notice = Signal(str)

    def __init__(
        self,
        cache: Cache,
        capabilities: frozenset[str],
        user_id: int,
        parent: QWidget | None = None,
        *,
        autosave_ms: int = AUTOSAVE_MS,
    ) -> None:
        super().__init__(parent)
        named(self, "postEditor", self.tr("Post editor"))
        self.cache = cache
        self.capabilities = capabilities
        self.user_id = user_id
        self._post_id: int | None = None
        self._pause_save = False
        self._detail: PostDetail | None = None
        self._saved: dict[str, Any] = {}
        self._loading = False
        self._read_only = False
        self._tag_ids: list[int] = []
        self._author = user_id
        self._dialogs: list[QWidget] = []
        self._save_failed = False  # the last try to save failed: the text is only here
        self._html_source: str | None = None  # the markup the HTML view was filled with
        self._html_shown = ""  # the HTML view's text just after it was filled
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(self._save_after_pause)
        self._build()
        self._new_state()

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.conflict_banner = _Banner("conflictBanner", self.tr("Conflict"), self)
        self.conflict_banner.label.setText(
            self.tr("This post was changed here and on the site. Compare the two versions.")
        )
        self.compare_button = self.conflict_banner.button(
            "compareButton", self.tr("&Compare versions…"), self.open_compare
        )
        self.rejected_banner = _Banner("rejectedBanner", self.tr("Refused by the site"), self)
        self.discard_button = self.rejected_banner.button(
            "discardChangesButton", self.tr("Discard my changes"), self.discard_changes
        )
        self.deleted_banner = _Banner("deletedBanner", self.tr("Deleted on the site"), self)
        self.deleted_banner.label.setText(
            self.tr("This post was deleted on the site while it had changes here.")
        )
        self.recreate_button = self.deleted_banner.button(
            "recreateButton", self.tr("Create it again"), self.recreate
        )
        self.deleted_banner.button(
            "discardDeletedButton", self.tr("Discard my changes"), self.discard_changes
        )
        self.unpublished_banner = _Banner(
            "unpublishedBanner", self.tr("Changes not published"), self
        )
        self.unpublished_banner.label.setText(
            self.tr(
                "Your changes are saved on this computer but are not on the site until you "
                "click Update."
            )
        )
        self.unpublished_banner.button(
            "discardUnpublishedButton", self.tr("Discard changes"), self.discard_changes
        )
        self.trash_banner = _Banner("trashBanner", self.tr("In the trash"), self)
        self.trash_banner.label.setText(
            self.tr("This post is in the trash. Restore it to edit it.")
        )
        self.error_banner = _Banner("saveErrorBanner", self.tr("Saving problem"), self)
        for banner in (
            self.conflict_banner,
            self.rejected_banner,
            self.deleted_banner,
            self.unpublished_banner,
            self.trash_banner,
            self.error_banner,
        ):
            layout.addWidget(banner)

        self.title_edit = QLineEdit(self)
        named(self.title_edit, "titleEdit", self.tr("Title"))
        self.title_edit.setPlaceholderText(self.tr("Title"))
        font = self.title_edit.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.title_edit.setFont(font)
        self.title_edit.textChanged.connect(self._changed)
        layout.addWidget(self.title_edit)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("postEditorSplitter")
        layout.addWidget(splitter, 1)

        writing = QWidget(splitter)
        writing.setObjectName("writingArea")
        writing_layout = QVBoxLayout(writing)
        writing_layout.setContentsMargins(0, 0, 0, 0)
        self.body = BodyEditor(writing)
        self.body.media_path = self._media_path
        self.toolbar = FormattingBar(self.body, writing)
        self.toolbar.linkRequested.connect(self.open_link_dialog)
        self.toolbar.imageRequested.connect(self.choose_image)
        self.toolbar.imageEditRequested.connect(self.open_image_text)
        self.toolbar.image.setEnabled(CAP_UPLOAD in self.capabilities)
        self.body.document().contentsChanged.connect(self._changed)
        self.body.pasteNotice.connect(self.notice)
        writing_layout.addWidget(self.toolbar)
        self.body_tabs = QTabWidget(writing)
        named(self.body_tabs, "bodyTabs", self.tr("Body views"))
        self.body_tabs.addTab(self.body, self.tr("&Write"))
        self.html_edit = QPlainTextEdit(self.body_tabs)
        named(self.html_edit, "htmlSourceEdit", self.tr("Body as HTML (block markup)"))
        self.html_edit.setTabChangesFocus(True)
        self.html_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.html_edit.textChanged.connect(self._changed)
        self.body_tabs.addTab(self.html_edit, self.tr("&HTML"))
        self.preview = PreviewBrowser(self.body_tabs)
        self.body_tabs.addTab(self.preview, self.tr("Pre&view"))
        self._shown_tab = 0
        self.body_tabs.currentChanged.connect(self._tab_changed)
        writing_layout.addWidget(self.body_tabs, 1)

        scroll = QScrollArea(splitter)
        scroll.setObjectName("postSettingsScroll")
        scroll.setWidgetResizable(True)
        side = QWidget(scroll)
        side.setObjectName("postSettings")
        scroll.setWidget(side)
        side_layout = QVBoxLayout(side)
        self._build_publish(side, side_layout)
        self._build_terms(side, side_layout)
        self._build_featured(side, side_layout)
        self._build_more(side, side_layout)
        side_layout.addStretch(1)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([700, 300])

        self.save_action = self._shortcut(
            "saveAction", self.tr("Save now"), "Ctrl+S", self.save_now
        )
        self.publish_action = self._shortcut(
            "publishAction", self.tr("Publish or submit"), "Ctrl+Shift+P", self.request_publish
        )

    def _shortcut(self, name: str, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _group(self, parent: QWidget, layout: QVBoxLayout, name: str, title: str) -> QVBoxLayout:
        box = QGroupBox(title, parent)
        named(box, name, title.replace("&", ""))
        inner = QVBoxLayout(box)
        layout.addWidget(box)
        return inner

    def _build_publish(self, side: QWidget, layout: QVBoxLayout) -> None:
        inner = self._group(side, layout, "publishGroup", self.tr("Publish"))
        self.sync_label = plain_label(side, "syncStateLabel", self.tr("Where this post stands"))
        inner.addWidget(self.sync_label)
        status_row = QHBoxLayout()
        status_label = QLabel(self.tr("&Status:"), side)
        self.status_combo = QComboBox(side)
        named(self.status_combo, "statusCombo", self.tr("Status"))
        status_label.setBuddy(self.status_combo)
        status_row.addWidget(status_label)
        status_row.addWidget(self.status_combo, 1)
        inner.addLayout(status_row)
        self.status_combo.activated.connect(self._status_chosen)
        self.immediately = QCheckBox(self.tr("Publish &immediately"), side)
        named(self.immediately, "publishImmediatelyCheck", self.tr("Publish immediately"))
        self.immediately.toggled.connect(self._date_mode_changed)
        inner.addWidget(self.immediately)
        self.date_edit = QDateTimeEdit(side)
        named(self.date_edit, "publishDateEdit", self.tr("Publish date"))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.date_edit.dateTimeChanged.connect(self._date_changed)
        inner.addWidget(self.date_edit)
        self.publish_button = QPushButton(self.tr("Publish…"), side)
        named(self.publish_button, "publishButton", self.tr("Publish"))
        self.publish_button.clicked.connect(self.request_publish)
        inner.addWidget(self.publish_button)
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save now"), side)
        named(self.save_button, "saveButton", self.tr("Save now"))
        self.save_button.setToolTip(self.tr("Changes are saved as you type; Ctrl+S saves at once"))
        self.save_button.clicked.connect(self.save_now)
        row.addWidget(self.save_button)
        self.history_button = QPushButton(self.tr("&History…"), side)
        named(self.history_button, "historyButton", self.tr("History"))
        self.history_button.clicked.connect(self.open_history)
        row.addWidget(self.history_button)
        inner.addLayout(row)
        self.author_label = plain_label(side, "authorLabel", self.tr("Author"))
        inner.addWidget(self.author_label)
        self.words_label = plain_label(side, "wordCountLabel", self.tr("Word count"))
        inner.addWidget(self.words_label)
        self.saved_label = plain_label(side, "saveStateLabel", self.tr("Saving"))
        inner.addWidget(self.saved_label)

    def _build_terms(self, side: QWidget, layout: QVBoxLayout) -> None:
        inner = self._group(side, layout, "categoriesGroup", self.tr("Categories"))
        self.categories = QStandardItemModel(self)
        self.category_list = QListView(side)
        named(self.category_list, "categoryList", self.tr("Categories"))
        self.category_list.setModel(self.categories)
        self.category_list.setMaximumHeight(170)
        self.categories.itemChanged.connect(lambda _item: self._changed())
        inner.addWidget(self.category_list)
        self.new_category_button = QPushButton(self.tr("&New category…"), side)
        named(self.new_category_button, "newCategoryButton", self.tr("New category"))
        self.new_category_button.clicked.connect(self.ask_new_category)
        self.new_category_button.setVisible(CAP_CATEGORIES in self.capabilities)
        inner.addWidget(self.new_category_button)

        tags = self._group(side, layout, "tagsGroup", self.tr("Tags"))
        self.tags_edit = QLineEdit(side)
        named(self.tags_edit, "tagsEdit", self.tr("Tags, separated by commas"))
        self.tags_edit.setPlaceholderText(self.tr("Separate tags with commas"))
        self.tag_names = QStringListModel(self)
        self.tag_completer = QCompleter(self.tag_names, self)
        self.tag_completer.setObjectName("tagCompleter")
        self.tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tag_completer.setWidget(self.tags_edit)
        self.tag_completer.activated.connect(self._complete_tag)  # the text overload
        self.tags_edit.textEdited.connect(self._suggest_tags)
        self.tags_edit.editingFinished.connect(self._tags_finished)
        tags.addWidget(self.tags_edit)

    def _build_featured(self, side: QWidget, layout: QVBoxLayout) -> None:
        inner = self._group(side, layout, "featuredGroup", self.tr("Featured image"))
        self.featured_combo = QComboBox(side)
        named(self.featured_combo, "featuredImageCombo", self.tr("Featured image"))
        self.featured_combo.activated.connect(lambda _i: self._featured_chosen())
        inner.addWidget(self.featured_combo)
        self.upload_featured_button = QPushButton(self.tr("&Upload image…"), side)
        named(self.upload_featured_button, "uploadFeaturedButton", self.tr("Upload image"))
        self.upload_featured_button.clicked.connect(self.choose_featured_file)
        self.upload_featured_button.setEnabled(CAP_UPLOAD in self.capabilities)
        inner.addWidget(self.upload_featured_button)
        self.featured_alt = QLineEdit(side)
        named(self.featured_alt, "featuredAltEdit", self.tr("Featured image alternative text"))
        self.featured_alt.setPlaceholderText(self.tr("Alternative text"))
        self.featured_alt.editingFinished.connect(self._featured_alt_finished)
        inner.addWidget(self.featured_alt)

    def _build_more(self, side: QWidget, layout: QVBoxLayout) -> None:
        inner = self._group(side, layout, "excerptGroup", self.tr("Excerpt"))
        self.excerpt_edit = QPlainTextEdit(side)
        named(self.excerpt_edit, "excerptEdit", self.tr("Excerpt"))
        self.excerpt_edit.setTabChangesFocus(True)
        self.excerpt_edit.setMaximumHeight(90)
        self.excerpt_edit.textChanged.connect(self._changed)
        inner.addWidget(self.excerpt_edit)
        slug = self._group(side, layout, "slugGroup", self.tr("Slug"))
        self.slug_edit = QLineEdit(side)
        named(self.slug_edit, "slugEdit", self.tr("Slug (the post's address)"))
        self.slug_edit.textChanged.connect(self._changed)
        slug.addWidget(self.slug_edit)

    # -- state -------------------------------------------------------------------------------

    @property
    def post_id(self) -> int | None:
        """The post being edited (None for a new post not saved yet)."""
        return self._post_id

    @property
    def detail(self) -> PostDetail | None:
        """What the store said about the post when it was last read."""
        return self._detail

    def _new_state(self) -> None:
        self._post_id = None
        self._detail = None
        self._author = self.user_id
        empty = PostSnapshot(
            title="",
            content="",
            excerpt="",
            slug="",
            status="draft",
            date_gmt=None,
            categories=(),
            tags=(),
            featured_media=None,
            author=self.user_id,
        )
        self._show(empty)

    def new_post(self) -> bool:
        """Start a new post (saved once something is typed).

        Returns:
            False when the post being edited could not be saved (it stays open).
        """
        if not self._hold_on():
            return False
        self._new_state()
        self.title_edit.setFocus()
        return True

    def open_post(self, post_id: int | None) -> bool:
        """Edit another post (saving this one first).

        Returns:
            False when the post being edited could not be saved (it stays open).
        """
        if not self._hold_on():
            return False
        if post_id is None:
            self._new_state()
            return True
        try:
            detail = self.cache.posts.get(post_id)
        except CacheError as error:
            self.notice.emit(error.message)
            self._new_state()
            return True
        self._post_id = post_id
        self._detail = detail
        self._author = detail.fields.author
        self._show(detail.fields)
        return True

    def _show(self, fields: PostSnapshot) -> None:
        self._timer.stop()
        self._loading = True
        try:
            self.title_edit.setText(fields.title)
            self.body.set_content(fields.content)
            self._html_source = None
            if self.body_tabs.currentIndex() == 1:
                self._fill_html()
            self.excerpt_edit.setPlainText(fields.excerpt)
            self.slug_edit.setText(fields.slug)
            self._fill_statuses(fields.status)
            self.immediately.setChecked(fields.date_gmt is None)
            self.date_edit.setDateTime(
                to_local(fields.date_gmt) if fields.date_gmt else QDateTime.currentDateTime()
            )
            self.date_edit.setEnabled(fields.date_gmt is not None)
            self._fill_categories(fields.categories)
            self._tag_ids = list(fields.tags)
            self._fill_tags()
            self._fill_featured(fields.featured_media)
        finally:
            self._loading = False
        self._saved = self._current()
        self._update_state()
        if self.body_tabs.currentIndex() == 2:
            self._render_preview()

    def _fill_statuses(self, status: PostStatus) -> None:
        self.status_combo.clear()
        offered: list[tuple[str, str]] = [
            ("draft", self.tr("Draft")),
            ("pending", self.tr("Pending review")),
        ]
        if CAP_PUBLISH in self.capabilities:
            offered += [
                ("private", self.tr("Private")),
                ("publish", self.tr("Published")),
                ("future", self.tr("Scheduled")),
            ]
        labels = {
            "publish": self.tr("Published"),
            "future": self.tr("Scheduled"),
            "private": self.tr("Private"),
            "trash": self.tr("Trash"),
        }
        if status not in {value for value, _ in offered}:
            offered.append((status, labels.get(status, status)))
        for value, label in offered:
            self.status_combo.addItem(label, value)
        self.status_combo.setCurrentIndex(self.status_combo.findData(status))

    def _fill_categories(self, selected: tuple[int, ...]) -> None:
        self.categories.clear()
        try:
            terms = self.cache.catalog.terms("category")
        except CacheError as error:
            self.notice.emit(error.message)
            terms = []
        for term in terms:
            item = QStandardItem(term.name)
            item.setData(term.id, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(
                Qt.CheckState.Checked if term.id in selected else Qt.CheckState.Unchecked
            )
            if term.sync_state == "new":
                item.setToolTip(self.tr("Not on the site yet"))
            self.categories.appendRow(item)

    def _tags(self) -> list[TermInfo]:
        try:
            return self.cache.catalog.terms("post_tag")
        except CacheError as error:
            self.notice.emit(error.message)
            return []

    def _fill_tags(self) -> None:
        tags = self._tags()
        names = {tag.id: tag.name for tag in tags}
        self.tag_names.setStringList([tag.name for tag in tags])
        self.tags_edit.setText(", ".join(names[i] for i in self._tag_ids if i in names))

    def _images(self) -> list[MediaInfo]:
        try:
            return [m for m in self.cache.catalog.media() if m.media_type in ("image", "")]
        except CacheError as error:
            self.notice.emit(error.message)
            return []

    def _fill_featured(self, media_id: int | None) -> None:
        self.featured_combo.clear()
        self.featured_combo.addItem(self.tr("(none)"), None)
        for media in self._images():
            name = media.title or Path(media.local_path or media.source_url).name or str(media.id)
            if media.sync_state == "new":
                name = self.tr("%1 (waiting to upload)").replace("%1", name)
            self.featured_combo.addItem(name, media.id)
        index = self.featured_combo.findData(media_id)
        if index < 0 and media_id is not None:
            self.featured_combo.addItem(self.tr("Image %1").replace("%1", str(media_id)), media_id)
            index = self.featured_combo.count() - 1
        self.featured_combo.setCurrentIndex(max(0, index))
        self._show_featured_alt()

    def _show_featured_alt(self) -> None:
        media = self._featured_media()
        self.featured_alt.setEnabled(media is not None)
        self.featured_alt.setText("" if media is None else media.alt_text)

    def _featured_media(self) -> MediaInfo | None:
        media_id = self.featured_combo.currentData()
        if media_id is None:
            return None
        return next((m for m in self._images() if m.id == media_id), None)

    # -- reading the fields -------------------------------------------------------------------

    def current_content(self) -> str:
        """The body as it would be saved now."""
        if self.body_tabs.currentIndex() == 1 and self._html_source is not None:
            text = raw_text(self.html_edit)
            if text != self._html_shown:
                return text
            return self._html_source
        return self.body.content()

    def _date(self) -> datetime | None:
        if self.immediately.isChecked():
            return None
        return from_local(self.date_edit.dateTime())

    def _current(self) -> dict[str, Any]:
        categories = sorted(
            int(self.categories.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.categories.rowCount())
            if self.categories.item(row).checkState() == Qt.CheckState.Checked
        )
        status = self.status_combo.currentData() or "draft"
        return {
            "title": self.title_edit.text(),
            "content": self.current_content(),
            "excerpt": raw_text(self.excerpt_edit),
            "slug": self.slug_edit.text().strip(),
            "status": status,
            "date_gmt": self._date(),
            "categories": categories,
            "tags": sorted(self._tag_ids),
            "featured_media": self.featured_combo.currentData(),
        }

    def has_unsaved_changes(self) -> bool:
        """Whether something typed is not in the offline copy yet."""
        return self._timer.isActive() or self._current() != self._saved

    # -- saving ------------------------------------------------------------------------------

    def _changed(self) -> None:
        if self._loading or self._read_only:
            return
        self.saved_label.setText(self.tr("Editing…"))
        self._timer.start()
        self._update_publish_button()

    def _save_after_pause(self) -> None:
        self._pause_save = True
        try:
            self.save()
        finally:
            self._pause_save = False

    @property
    def saving_after_pause(self) -> bool:
        """Whether the save under way is the one made when typing paused (not Ctrl+S, not an
        action): the tab then lets the list follow off the UI thread."""
        return self._pause_save

    def flush(self) -> bool:
        """Save now whatever is waiting (before switching posts or quitting).

        Returns:
            False when something typed could not be saved (it is still in the editor, which
            must then not show anything else).
        """
        if self._read_only:
            return True
        self.save(commit_tags=True)
        return not self._save_failed

    def _hold_on(self) -> bool:
        """Save first; say so and return False if that failed (the post stays open)."""
        if self.flush():
            return True
        self.notice.emit(
            self.tr(
                "Your changes to this post could not be saved yet, so it stays open. "
                "Try Save now (Ctrl+S) again, or copy your text somewhere safe."
            )
        )
        return False

    def save_now(self) -> None:
        """Ctrl+S: save at once and say so."""
        if self.save(commit_tags=True) or not self.has_unsaved_changes():
            self.saved_label.setText(self._saved_text())

    def _saved_text(self) -> str:
        if self._detail is not None and self._detail.unpublished_changes:
            return self.tr("Saved on this computer — not on the site until you click Update")
        return self.tr("Saved on this computer")

    def save(self, *, commit_tags: bool = False) -> bool:
        """Write the fields that changed to the offline copy.

        Args:
            commit_tags: also take the tags being typed (otherwise they wait until the tag
                field is left, so no half-typed tag is created).

        Returns:
            True when something was written.
        """
        self._timer.stop()
        if self._read_only:
            return False
        if commit_tags and not self._commit_tags():
            return False
        values = self._current()
        changes = {k: v for k, v in values.items() if v != self._saved.get(k)}
        if not changes:
            self._save_failed = False
            self.saved_label.setText(self._saved_text() if self._post_id else "")
            return False
        try:
            if self._post_id is None:
                if not any(
                    (values["title"].strip(), values["content"].strip(), values["excerpt"].strip())
                ):
                    return False
                self._create(values)
            else:
                try:
                    self.cache.posts.edit(self._post_id, **cast(PostEdit, changes))
                except RecordNotFoundError:
                    # Deleted for good elsewhere while being edited: keep the text as a new
                    # draft rather than lose it.
                    logger.info(
                        "post %s vanished while edited; saved as a new draft", self._post_id
                    )
                    self._post_id = None
                    self._create({**values, "status": "draft"})
                    self.notice.emit(
                        self.tr(
                            "This post was deleted elsewhere; your text is kept as a new draft."
                        )
                    )
        except CacheError as error:
            self._save_failed = True
            logger.warning("a post could not be saved: %s", error.message)
            self.error_banner.label.setText(
                self.tr(
                    "Your changes could not be saved yet: %1. They are still here; saving "
                    "is tried again as you type."
                ).replace("%1", error.message)
            )
            self.error_banner.show()
            return False
        self._save_failed = False
        self.error_banner.hide()
        self._saved = values
        self._refresh_detail()
        self.saved_label.setText(self._saved_text())
        assert self._post_id is not None
        self.saved.emit(self._post_id)
        self.changesMade.emit()
        if self.body_tabs.currentIndex() == 2:
            self._render_preview()
        return True

    def _create(self, values: dict[str, Any]) -> None:
        fields = cast(PostEdit, {**values, "author": self._author or self.user_id})
        self._post_id = self.cache.posts.create(**fields)
        logger.debug("created post %s", self._post_id)
        self.created.emit(self._post_id)

    def _refresh_detail(self) -> None:
        if self._post_id is None:
            self._detail = None
        else:
            try:
                self._detail = self.cache.posts.get(self._post_id)
            except CacheError:
                self._detail = None
        self._update_state()

    def reload_from_store(self) -> None:
        """After a sync round: show what changed in the cache (unsaved text is saved first)."""
        if not self.flush() or self._post_id is None:
            return
        try:
            detail = self.cache.posts.get(self._post_id)
        except RecordNotFoundError:
            # Gone from the cache (deleted for good): nothing to keep, nothing typed since.
            self._new_state()
            return
        except CacheError as error:
            self.notice.emit(error.message)
            return
        changed_behind = self._detail is None or detail.fields != self._detail.fields
        self._detail = detail
        if changed_behind:
            # The site's newer version (or sync's own rewrite of this post) replaces what is
            # shown; nothing typed is lost: it was saved just above.
            position = self.body.textCursor().position()
            self._author = detail.fields.author
            self._show(detail.fields)
            cursor = self.body.textCursor()
            cursor.setPosition(min(position, self.body.document().characterCount() - 1))
            self.body.setTextCursor(cursor)
        else:
            self._update_state()

    # -- tags, categories, images ------------------------------------------------------------

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

    def _tags_finished(self) -> None:
        if self._loading or self._read_only:
            return
        if self._commit_tags():
            self._changed()

    def _commit_tags(self) -> bool:
        """Turn the typed tag names into tags (new ones created locally). False on failure."""
        names: list[str] = []
        for raw in self.tags_edit.text().split(","):
            name = " ".join(raw.split())
            if name and name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
        existing = {tag.name.casefold(): tag.id for tag in self._tags()}
        ids: list[int] = []
        try:
            for name in names:
                tag_id = existing.get(name.casefold())
                if tag_id is None:
                    tag_id = self.cache.catalog.create_term("post_tag", name)
                    existing[name.casefold()] = tag_id
                ids.append(tag_id)
        except CacheError as error:
            self.notice.emit(error.message)
            return False
        if ids != self._tag_ids:
            self._tag_ids = ids
            self.tag_names.setStringList([tag.name for tag in self._tags()])
        return True

    def ask_new_category(self) -> None:
        """Ask for a new category's name (non-blocking)."""
        dialog = QInputDialog(self)
        named(dialog, "newCategoryDialog", self.tr("New category"))
        dialog.setWindowTitle(self.tr("New category"))
        dialog.setLabelText(self.tr("Name of the new category:"))
        dialog.textValueSelected.connect(self.add_category)
        self._keep(dialog)
        dialog.open()

    def add_category(self, name: str) -> None:
        """Create a category (locally, sent at the next sync) and tick it for this post."""
        name = " ".join(name.split())
        if not name:
            return
        try:
            existing = {t.name.casefold(): t.id for t in self.cache.catalog.terms("category")}
            term_id = existing.get(name.casefold())
            if term_id is None:
                term_id = self.cache.catalog.create_term("category", name)
        except CacheError as error:
            self.notice.emit(error.message)
            return
        selected = (*self._current()["categories"], term_id)
        self._loading = True
        try:
            self._fill_categories(selected)
        finally:
            self._loading = False
        self._changed()

    def _media_path(self, media_id: int) -> str | None:
        return next((m.local_path for m in self._images() if m.id == media_id), None)

    def _file_dialog(self, name: str, title: str, slot: Callable[[str], None]) -> None:
        dialog = QFileDialog(self, title)
        named(dialog, name, title)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(self.tr("Images (*.png *.jpg *.jpeg *.gif *.webp)"))
        dialog.fileSelected.connect(slot)
        self._keep(dialog)
        dialog.open()

    def choose_image(self) -> None:
        """Pick an image file to upload and insert (non-blocking)."""
        self._file_dialog("insertImageDialog", self.tr("Insert image"), self.insert_image_file)

    def choose_featured_file(self) -> None:
        """Pick an image file to upload as the featured image (non-blocking)."""
        self._file_dialog("featuredImageDialog", self.tr("Featured image"), self.set_featured_file)

    def _queue_upload(self, path: str | Path) -> int | None:
        path = Path(path)
        mime = mimetypes.guess_type(path.name)[0] or ""
        if not mime.startswith("image/"):
            self.notice.emit(self.tr("Only images can be added here."))
            return None
        try:
            return self.cache.catalog.queue_upload(path, mime, title=path.stem)
        except CacheError as error:
            self.notice.emit(error.message)
            return None

    def insert_image_file(self, path: str | Path) -> None:
        """Queue an image for upload and insert it in the body, then ask for its text."""
        if self._read_only:
            return
        media_id = self._queue_upload(path)
        if media_id is None:
            return
        self.changesMade.emit()
        self.body.insert_image(Image(None, media_id, f"{LOCAL_MEDIA_SCHEME}{media_id}", ""))
        self.open_image_text()

    def set_featured_file(self, path: str | Path) -> None:
        """Queue an image for upload and make it the featured image."""
        if self._read_only:
            return
        media_id = self._queue_upload(path)
        if media_id is None:
            return
        self._loading = True
        try:
            self._fill_featured(media_id)
        finally:
            self._loading = False
        self._changed()

    def _featured_chosen(self) -> None:
        self._show_featured_alt()
        self._changed()

    def _featured_alt_finished(self) -> None:
        media = self._featured_media()
        if media is None or self._loading or media.alt_text == self.featured_alt.text():
            return
        try:
            self.cache.catalog.set_alt_text(media.id, self.featured_alt.text().strip())
        except CacheError as error:
            self.notice.emit(error.message)
            return
        self.changesMade.emit()

    def open_image_text(self) -> None:
        """Edit the alternative text and caption of the image at the cursor (non-blocking)."""
        image = self.body.current_image()
        if image is None:
            return
        dialog = ImageTextDialog(image, self)

        def apply(alt: str, caption: str) -> None:
            current = self.body.current_image() or image
            from dataclasses import replace

            spans = (
                current.caption
                if caption == _caption_text(current)
                else ((Span(caption),) if caption else ())
            )
            self.body.update_image(replace(current, alt=alt, caption=spans))

        dialog.textChosen.connect(apply)
        self._keep(dialog)
        dialog.open()

    def open_link_dialog(self) -> None:
        """Add, change or remove the link at the cursor (non-blocking)."""
        dialog = LinkDialog(self.body.current_link(), self)
        cursor = self.body.textCursor()

        def apply(href: str) -> None:
            self.body.setTextCursor(cursor)
            self.body.set_link(href)

        dialog.linkChosen.connect(apply)
        self._keep(dialog)
        dialog.open()

    def _keep(self, dialog: QWidget) -> None:
        """Keep a non-blocking dialog alive until it closes (tests find it here too)."""
        self._dialogs.append(dialog)
        finished = getattr(dialog, "finished", None)
        if finished is not None:
            finished.connect(lambda *_: self._forget(dialog))

    def _forget(self, dialog: QWidget) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)
        dialog.deleteLater()

    @property
    def open_dialogs(self) -> list[QWidget]:
        """The dialogs this editor opened that are still open."""
        return list(self._dialogs)

    # -- status and publishing -----------------------------------------------------------------

    def _status_chosen(self, _index: int) -> None:
        status = self.status_combo.currentData()
        if status in ("publish", "future") and self._saved.get("status") not in (
            "publish",
            "future",
        ):
            # Publishing goes through the checks: the combo waits for the answer.
            self.status_combo.setCurrentIndex(self.status_combo.findData(self._saved.get("status")))
            self.request_publish()
            return
        self._changed()

    def _date_mode_changed(self, immediately: bool) -> None:
        self.date_edit.setEnabled(not immediately)
        self._changed()

    def _date_changed(self) -> None:
        if not self.immediately.isChecked():
            self._changed()

    def _target_status(self) -> PostStatus:
        if CAP_PUBLISH not in self.capabilities:
            return "pending"
        date = self._date()
        return "future" if date is not None and date > datetime.now(UTC) else "publish"

    def _update_publish_button(self) -> None:
        saved_status = self._saved.get("status")
        can_publish = CAP_PUBLISH in self.capabilities
        if saved_status in LIVE_STATUSES:
            # Live on the site: edits are kept here until this is clicked (the site decides
            # whether this user may change it).
            text, enabled = self.tr("Update"), True
        elif not can_publish:
            text = self.tr("Submit for review…")
            enabled = saved_status == "draft" or saved_status is None
            if saved_status == "pending":
                text = self.tr("Submitted for review")
        else:
            future = self._target_status() == "future"
            text = self.tr("Schedule…") if future else self.tr("Publish…")
            enabled = True
        self.publish_button.setText(text)
        self.publish_button.setAccessibleName(text.rstrip("…"))
        self.publish_action.setText(text.rstrip("…"))
        self.publish_button.setEnabled(enabled and not self._read_only)
        self.publish_action.setEnabled(enabled and not self._read_only)

    def request_publish(self) -> None:
        """Publish, schedule, submit for review, or (a live post) Update: after the checks
        (warnings, never a block)."""
        if self._read_only:
            return
        self.save(commit_tags=True)
        if self._post_id is None:
            self.notice.emit(self.tr("Write something first: an empty post is not published."))
            return
        target = self._target_status()
        saved_status = self._saved.get("status")
        if saved_status in LIVE_STATUSES:
            # Live on the site: its edits were kept here; "Update" lets them go.
            self._after_checks(self.tr("Update anyway"), self.update_site)
            return
        if saved_status == "pending" and target == "pending":
            return
        action = {
            "pending": self.tr("Submit anyway"),
            "future": self.tr("Schedule anyway"),
        }.get(target, self.tr("Publish anyway"))
        self._after_checks(action, lambda: self.publish(target))

    def _after_checks(self, action: str, proceed: Callable[[], object]) -> None:
        """Run ``proceed`` now if the checks find nothing, else once the user accepts them."""
        findings = self.prepublish_findings()
        if not findings:
            proceed()
            return
        dialog = PrepublishDialog(findings, action, self)
        dialog.accepted.connect(proceed)
        self._keep(dialog)
        dialog.open()

    def update_site(self) -> None:
        """Send the live post's saved edits to the site at the next sync (no checks here)."""
        if self._post_id is None or not self.flush():
            return
        try:
            released = self.cache.posts.publish_changes(self._post_id)
        except CacheError as error:
            self.notice.emit(error.message)
            return
        self._refresh_detail()
        self.saved_label.setText(self._saved_text())
        if released:
            self.notice.emit(self.tr("Your changes go to the site at the next sync."))
            self.saved.emit(self._post_id)
            self.changesMade.emit()
        else:
            self.notice.emit(self.tr("No changes to publish: the site already has this version."))

    def prepublish_findings(self) -> list[prepublish.Finding]:
        """What the checks before publishing find in the post as it is now."""
        values = self._current()
        uncategorized: set[int] = set()
        try:
            uncategorized = {
                t.id
                for t in self.cache.catalog.terms("category")
                if t.remote_id == 1 or t.slug == "uncategorized"
            }
        except CacheError:
            pass
        media = self._featured_media()
        return prepublish.check(
            title=values["title"],
            content=values["content"],
            excerpt=values["excerpt"],
            categories=values["categories"],
            uncategorized=uncategorized,
            featured_alt=None if media is None else media.alt_text,
        )

    def publish(self, status: PostStatus) -> None:
        """Set the status that publishes (or submits) the post; sent at the next sync."""
        if self._post_id is None:
            return
        try:
            self.cache.posts.edit(self._post_id, status=status)
        except CacheError as error:
            self.notice.emit(error.message)
            return
        self._saved["status"] = status
        self._loading = True
        try:
            self._fill_statuses(status)
        finally:
            self._loading = False
        self._refresh_detail()
        self.saved.emit(self._post_id)
        self.changesMade.emit()

    def _update_state(self) -> None:
        detail = self._detail
        state = detail.sync_state if detail is not None else None
        status = self._saved.get("status", "draft")
        self._read_only = status == "trash"
        self.trash_banner.setVisible(self._read_only)
        for widget in (
            self.title_edit,
            self.body,
            self.html_edit,
            self.toolbar,
            self.status_combo,
            self.immediately,
            self.category_list,
            self.new_category_button,
            self.tags_edit,
            self.featured_combo,
            self.upload_featured_button,
            self.featured_alt,
            self.excerpt_edit,
            self.slug_edit,
        ):
            widget.setEnabled(not self._read_only)
        self.upload_featured_button.setEnabled(
            not self._read_only and CAP_UPLOAD in self.capabilities
        )
        self.featured_alt.setEnabled(
            not self._read_only and self.featured_combo.currentData() is not None
        )
        self.date_edit.setEnabled(not self._read_only and not self.immediately.isChecked())
        self.conflict_banner.setVisible(state == "conflict")
        self.rejected_banner.setVisible(state == "rejected")
        if state == "rejected" and detail is not None:
            self.rejected_banner.label.setText(
                self.tr(
                    "The site refused the last change: %1 Edit the post to send it again."
                ).replace("%1", detail.sync_message or "")
            )
        self.deleted_banner.setVisible(state == "deleted_on_site")
        self.unpublished_banner.setVisible(
            state == "modified" and detail is not None and detail.unpublished_changes
        )
        self.history_button.setEnabled(self._post_id is not None)
        self.sync_label.setText(self.describe_state())
        names = {}
        try:
            names = {u.id: u.name for u in self.cache.catalog.users()}
        except CacheError:
            pass
        if self._author in names:
            author = self.tr("Author: %1").replace("%1", names[self._author])
        elif self._author == self.user_id:
            author = self.tr("Author: you")
        else:
            author = self.tr("Author: user %1").replace("%1", str(self._author))
        self.author_label.setText(author)
        words = count_words(plain_text(self._saved.get("content", "")))
        self.words_label.setText(
            self.tr("%1 words · about %2 min read")
            .replace("%1", str(words))
            .replace("%2", str(reading_minutes(words)))
        )
        self._update_publish_button()

    def describe_state(self) -> str:
        """Where the post stands with the site, in words."""
        detail = self._detail
        if self._post_id is None or detail is None:
            return self.tr("New post: saved on this computer as soon as you type.")
        state = detail.sync_state
        status = detail.fields.status
        if state == "conflict":
            return self.tr("Changed here and on the site: compare the versions.")
        if state == "rejected":
            return self.tr("Refused by the site: %1").replace("%1", detail.sync_message or "")
        if state == "deleted_on_site":
            return self.tr("Deleted on the site while it had changes here.")
        if detail.unpublished_changes and state == "modified":
            return self.tr("Saved on this computer — not on the site until you click Update.")
        if state in ("new", "modified"):
            before = None if state == "new" or detail.base is None else detail.base.status
            if status == "publish" and before != "publish":
                return self.tr("Will publish at next sync.")
            if status == "future" and before != "future":
                return self.tr("Will be scheduled at next sync.")
            if status == "pending" and before != "pending":
                return self.tr("Will be submitted for review at next sync.")
            if status == "trash":
                return self.tr("Will move to the site's trash at next sync.")
            if state == "new":
                return self.tr("Saved on this computer; not on the site yet (sent at next sync).")
            return self.tr("Saved on this computer; changes go to the site at next sync.")
        return {
            "publish": self.tr("Published on the site."),
            "future": self.tr("Scheduled on the site."),
            "draft": self.tr("Draft, saved on the site."),
            "pending": self.tr("Pending review on the site."),
            "private": self.tr("Private, on the site."),
            "trash": self.tr("In the site's trash."),
        }.get(status, "")

    # -- conflicts, history, other states ----------------------------------------------------------

    def open_compare(self) -> None:
        """Show mine and the site's side by side (non-blocking)."""
        self.flush()
        if self._post_id is None:
            return
        try:
            detail = self.cache.posts.get(self._post_id)
        except CacheError as error:
            self.notice.emit(error.message)
            return
        if detail.server is None:
            self.notice.emit(self.tr("There is no other version to compare with."))
            return
        dialog = ConflictDialog(self.cache, detail, self._field_text, self)
        dialog.resolved.connect(self._resolved)
        self._keep(dialog)
        dialog.open()

    def _resolved(self, post_id: int) -> None:
        self.changesMade.emit()
        if post_id == self._post_id:
            self.open_post(post_id)
        self.saved.emit(post_id)

    def _field_text(self, field: str, fields: PostSnapshot) -> str:
        value = getattr(fields, field)
        if field in ("categories", "tags"):
            taxonomy: Taxonomy = "category" if field == "categories" else "post_tag"
            try:
                names = {t.id: t.name for t in self.cache.catalog.terms(taxonomy)}
            except CacheError:
                names = {}
            return ", ".join(names.get(i, str(i)) for i in value)
        if field == "date_gmt":
            return "" if value is None else to_local(value).toString("yyyy-MM-dd HH:mm")
        if field == "featured_media":
            media = next((m for m in self._images() if m.id == value), None)
            return "" if value is None else (media.title if media else str(value))
        if field == "status":
            return {
                "publish": self.tr("Published"),
                "future": self.tr("Scheduled"),
                "draft": self.tr("Draft"),
                "pending": self.tr("Pending review"),
                "private": self.tr("Private"),
                "trash": self.tr("Trash"),
            }.get(value, str(value))
        return str(value)

    def open_history(self) -> None:
        """The post's saved versions (non-blocking)."""
        self.flush()
        if self._post_id is None:
            return
        dialog = HistoryDialog(self.cache, self._post_id, self)
        dialog.restored.connect(self._resolved)
        self._keep(dialog)
        dialog.open()

    def discard_changes(self) -> None:
        """Drop this post's local changes and go back to the site's version."""
        if self._post_id is None:
            return
        post_id = self._post_id
        try:
            self.cache.posts.keep_versions(post_id)
            self.cache.posts.discard_changes(post_id)
        except CacheError as error:
            self.notice.emit(error.message)
            return
        self._post_id = None  # nothing to save first
        try:
            self.cache.posts.get(post_id)
        except RecordNotFoundError:
            self._new_state()
            self.saved.emit(post_id)
            return
        except CacheError:
            pass
        self.open_post(post_id)
        self.saved.emit(post_id)

    def recreate(self) -> None:
        """Create again, as a new post, a post deleted on the site while it had changes here."""
        if self._post_id is None:
            return
        try:
            self.cache.posts.recreate(self._post_id)
        except CacheError as error:
            self.notice.emit(error.message)
            return
        self._refresh_detail()
        self.saved.emit(self._post_id)
        self.changesMade.emit()

    # -- body views ---------------------------------------------------------------------------

    def _fill_html(self) -> None:
        content = self.body.content()
        self._html_source = content
        was = self._loading
        self._loading = True
        try:
            self.html_edit.setPlainText(content)
        finally:
            self._loading = was
        # What the view shows may differ from the markup (a lone "\r"): only a change the
        # user makes to it counts.
        self._html_shown = raw_text(self.html_edit)

    def _tab_changed(self, index: int) -> None:
        previous = self._shown_tab
        self._shown_tab = index
        if previous == 1 and self._html_source is not None:
            text = raw_text(self.html_edit)
            if text != self._html_shown:
                # The HTML was edited by hand: the rich view starts again from it.
                self.save()
                self._loading = True
                try:
                    self.body.set_content(text)
                finally:
                    self._loading = False
            self._html_source = None
        if index == 1:
            self._fill_html()
        elif index == 2:
            self._render_preview()

    def _render_preview(self) -> None:
        preview = preview_document(
            self.title_edit.text(),
            self.current_content(),
            embed_text=self.tr("Embedded content (not loaded in the preview)"),
        )
        self.preview.setHtml(preview.html)

    def hideEvent(self, event: object) -> None:
        """Hiding (another tab, closing the window) saves first."""
        self.flush()
        super().hideEvent(event)  # type: ignore[arg-type]


def _caption_text(image: Image) -> str:
    return "".join(span.text for span in image.caption).replace("\n", " ")
