"""The post editor: every field of one post, saved to the offline copy as the user types.

Local-first: each change restarts a short timer (about 0.7 s); when typing stops, the fields
that changed are saved to the offline copy (``parts/saving.py``). Ctrl+S saves at once; opening
another post, the tab hiding, and the application quitting save first.

What the user may do follows the signed-in user's capabilities: without ``publish_posts`` the
main button is "Submit for review" and the statuses offered are draft and pending review;
without ``upload_files`` no image can be added; without ``manage_categories`` no category can
be created.

The decisions (what changed, when to save, which banner, what the main button does) are the
Qt-free :class:`~clinicdesk.ui.posts.presenter.DraftPresenter`'s; every write goes through the
:class:`~clinicdesk.services.posts.PostDesk`. This module assembles the editor from the parts
of ``ui/posts/parts/`` and shows one post in them:

- widgets: ``banners`` (state banners), ``bodyviews`` and ``formatting`` (body tabs and their
  bar), ``sidebar`` with ``publish``, ``terms`` and ``featured`` (the side panel);
- helpers that act on the post: ``saving``, ``publishing``, ``termactions``, ``media``,
  ``versions`` (conflict, history, discard); ``offered`` reads what there is to choose from.

The helpers see this editor only through the typed hosts of
:mod:`clinicdesk.ui.posts.parts.host`, which is why the methods they call are public.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain import prepublish
from clinicdesk.model.cached import MediaInfo, PostDetail, PostSnapshot
from clinicdesk.model.records import PostStatus
from clinicdesk.services.posts import PostDesk
from clinicdesk.store import Cache, CacheError, RecordNotFoundError
from clinicdesk.ui.posts.common import named, raw_text
from clinicdesk.ui.posts.parts.banners import StateBanners
from clinicdesk.ui.posts.parts.bodyviews import (
    HTML_TAB,
    PREVIEW_TAB,
    WRITE_TAB,
    BodyViews,
    PreviewBrowser,
)
from clinicdesk.ui.posts.parts.formatting import FormattingBar
from clinicdesk.ui.posts.parts.media import MediaActions
from clinicdesk.ui.posts.parts.offered import Offered
from clinicdesk.ui.posts.parts.publishing import PublishActions
from clinicdesk.ui.posts.parts.saving import DraftSaving
from clinicdesk.ui.posts.parts.sidebar import PostSettings
from clinicdesk.ui.posts.parts.termactions import TermActions
from clinicdesk.ui.posts.parts.versions import VersionActions
from clinicdesk.ui.posts.presenter import (
    AUTOSAVE_MS,
    CAP_CATEGORIES,
    CAP_PUBLISH,
    CAP_UPLOAD,
    DraftPresenter,
)
from clinicdesk.ui.theme import TYPE_TITLE

__all__ = [
    "AUTOSAVE_MS",
    "CAP_CATEGORIES",
    "CAP_PUBLISH",
    "CAP_UPLOAD",
    "PostEditor",
    "PreviewBrowser",
]

logger = logging.getLogger(__name__)


class PostEditor(QWidget):
    """One post's fields, saved as the user types.

    Args:
        cache: the open cache (read for the categories, tags, images and users offered).
        desk: the desk every write goes through.
        capabilities: the signed-in user's capabilities.
        user_id: the signed-in user (the author of new posts).
        parent: the parent widget.
        autosave_ms: the pause after which a change is saved.

    Signals:
        saved(int): a change was saved in the offline copy (the post's local id).
        created(int): a new post was saved for the first time (its local id).
        changesMade(): something now waits to be sent to the site.
        notice(str): something to tell the user (plain text).
        untilSync(str): something to tell the user that holds only until the next sync
            round ("Your changes go to the site at the next sync").
    """

    saved = Signal(int)
    created = Signal(int)
    changesMade = Signal()
    notice = Signal(str)
    untilSync = Signal(str)

    def __init__(
        self,
        cache: Cache,
        desk: PostDesk,
        capabilities: frozenset[str],
        user_id: int,
        parent: QWidget | None = None,
        *,
        autosave_ms: int = AUTOSAVE_MS,
    ) -> None:
        super().__init__(parent)
        named(self, "postEditor", self.tr("Post editor"))
        self.cache = cache
        self.desk = desk
        self.offered = Offered(cache, self.notice.emit)
        self.capabilities = capabilities
        self.user_id = user_id
        self._p = DraftPresenter(capabilities, user_id)
        self._dialogs: list[QWidget] = []
        self.saving = DraftSaving(self, autosave_ms)
        self.media = MediaActions(self)
        self.versions = VersionActions(self)
        self.terms = TermActions(self)
        self.publishing = PublishActions(self)
        self._build()
        self.start_blank()

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.banners = StateBanners(
            self,
            layout,
            compare=self.versions.open_compare,
            discard=self.versions.discard_changes,
            recreate=self.versions.recreate,
        )
        # The names the tests and the tab have always used.
        self.conflict_banner = self.banners.conflict
        self.compare_button = self.banners.compare_button
        self.discard_button = self.banners.discard_button
        self.deleted_banner = self.banners.deleted
        self.recreate_button = self.banners.recreate_button
        self.unpublished_banner = self.banners.unpublished
        self.trash_banner = self.banners.trash
        self.error_banner = self.banners.error

        self.title_edit = QLineEdit(self)
        named(self.title_edit, "titleEdit", self.tr("Title"))
        self.title_edit.setPlaceholderText(self.tr("Title"))
        font = self.title_edit.font()
        font.setPointSizeF(font.pointSizeF() * TYPE_TITLE)
        self.title_edit.setFont(font)
        self.title_edit.textChanged.connect(self.mark_changed)
        layout.addWidget(self.title_edit)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("postEditorSplitter")
        layout.addWidget(splitter, 1)

        writing = QWidget(splitter)
        writing.setObjectName("writingArea")
        writing_layout = QVBoxLayout(writing)
        writing_layout.setContentsMargins(0, 0, 0, 0)
        self.body_tabs = BodyViews(writing)
        self.body = self.body_tabs.body
        self.html_edit = self.body_tabs.html_edit
        self.preview = self.body_tabs.preview
        self.body.media_path = self.offered.image_path
        self.toolbar = FormattingBar(self.body, writing)
        self.toolbar.linkRequested.connect(self.media.open_link_dialog)
        self.toolbar.imageRequested.connect(self.media.choose_image)
        self.toolbar.imageEditRequested.connect(self.media.open_image_text)
        self.toolbar.image.setEnabled(CAP_UPLOAD in self.capabilities)
        self.body.document().contentsChanged.connect(self.mark_changed)
        self.body.pasteNotice.connect(self.notice)
        self.body_tabs.htmlEdited.connect(self.mark_changed)
        self.body_tabs.currentChanged.connect(self._tab_changed)
        writing_layout.addWidget(self.toolbar)
        writing_layout.addWidget(self.body_tabs, 1)
        # Tab from the title goes to the text (not through the formatting bar and view tabs).
        QWidget.setTabOrder(self.title_edit, self.body)

        self.settings = PostSettings(
            splitter,
            may_create_categories=CAP_CATEGORIES in self.capabilities,
            may_upload=CAP_UPLOAD in self.capabilities,
        )
        self._wire_side()
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([700, 300])

        self.save_action = self._shortcut(
            "saveAction", self.tr("Save now"), "Ctrl+S", self.save_now
        )
        self.publish_action = self._shortcut(
            "publishAction", self.tr("Publish or submit"), "Ctrl+Shift+P", self.request_publish
        )

    def _wire_side(self) -> None:
        self.publish_panel = self.settings.publish
        panel = self.publish_panel
        panel.statusActivated.connect(self._status_chosen)
        panel.dateModeChanged.connect(self._date_mode_changed)
        panel.dateChanged.connect(self._date_changed)
        panel.publishClicked.connect(self.request_publish)
        panel.saveClicked.connect(self.save_now)
        panel.historyClicked.connect(self.versions.open_history)
        self.sync_label = panel.sync_label
        self.status_combo = panel.status_combo
        self.immediately = panel.immediately
        self.date_edit = panel.date_edit
        self.publish_button = panel.publish_button
        self.save_button = panel.save_button
        self.history_button = panel.history_button
        self.author_label = panel.author_label
        self.words_label = panel.words_label
        self.saved_label = panel.saved_label

        self.categories_panel = self.settings.categories
        self.categories_panel.ticked.connect(self.mark_changed)
        self.categories_panel.newRequested.connect(self.terms.ask_new_category)
        self.categories = self.categories_panel.categories
        self.category_list = self.categories_panel.category_list
        self.new_category_button = self.categories_panel.new_category_button

        self.tags_panel = self.settings.tags
        self.tags_panel.finished.connect(self.terms.tags_finished)
        self.tags_edit = self.tags_panel.tags_edit
        self.tag_names = self.tags_panel.tag_names
        self.tag_completer = self.tags_panel.tag_completer

        self.featured_panel = self.settings.featured
        self.featured_panel.chosen.connect(self.media.featured_chosen)
        self.featured_panel.uploadRequested.connect(self.media.choose_featured_file)
        self.featured_panel.altFinished.connect(self.media.featured_alt_finished)
        self.featured_combo = self.featured_panel.featured_combo
        self.upload_featured_button = self.featured_panel.upload_featured_button
        self.featured_alt = self.featured_panel.featured_alt

        self.excerpt_edit = self.settings.excerpt_edit
        self.excerpt_edit.textChanged.connect(self.mark_changed)
        self.slug_edit = self.settings.slug_edit
        self.slug_edit.textChanged.connect(self.mark_changed)

    def _shortcut(self, name: str, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    # -- state -------------------------------------------------------------------------------

    @property
    def post_id(self) -> int | None:
        """The post being edited (None for a new post not saved yet)."""
        return self._p.post_id

    @property
    def detail(self) -> PostDetail | None:
        """What the store said about the post when it was last read."""
        return self._p.detail

    @property
    def presenter(self) -> DraftPresenter:
        """The editor's decisions (Qt-free)."""
        return self._p

    @property
    def dialog_parent(self) -> QWidget:
        """The widget the editor's dialogs open over (the editor)."""
        return self

    def start_blank(self) -> None:
        """Show a new, empty post (nothing is saved first)."""
        self._p.start_new()
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
        if not self.saving.hold_on():
            return False
        self.start_blank()
        # A new post starts where one writes, whichever view the last post was shown in.
        self.body_tabs.setCurrentIndex(WRITE_TAB)
        self.title_edit.setFocus()
        return True

    def open_post(self, post_id: int | None) -> bool:
        """Edit another post (saving this one first).

        Returns:
            False when the post being edited could not be saved (it stays open).
        """
        if not self.saving.hold_on():
            return False
        if post_id is None:
            self.start_blank()
            return True
        try:
            detail = self.desk.get(post_id)
        except CacheError as error:
            self.notice.emit(error.message)
            self.start_blank()
            return True
        self._p.opened(post_id, detail)
        self._show(detail.fields)
        return True

    def _show(self, fields: PostSnapshot) -> None:
        self.saving.cancel_pause()
        with self._p.filling():
            self.title_edit.setText(fields.title)
            self.body.set_content(fields.content)
            self.body_tabs.forget_html()
            if self.body_tabs.currentIndex() == HTML_TAB:
                self.body_tabs.fill_html()
            self.excerpt_edit.setPlainText(fields.excerpt)
            self.slug_edit.setText(fields.slug)
            self.show_statuses(fields.status)
            self.publish_panel.show_date(self._p.date_to_show(fields))
            self.show_categories(fields.categories)
            self._p.tag_ids = list(fields.tags)
            self.tags_panel.show_tags(self.offered.tags(), self._p.tag_ids)
            self.show_featured(fields.featured_media)
        self._p.shown(self.current_values())
        self._update_state()
        if self.body_tabs.currentIndex() == PREVIEW_TAB:
            self._render_preview()

    def show_statuses(self, status: PostStatus) -> None:
        """Offer the statuses this user may choose, with ``status`` chosen."""
        self.publish_panel.fill_statuses(self._p.statuses_offered(status), status)

    def show_categories(self, selected: tuple[int, ...]) -> None:
        """Offer the offline copy's categories, with ``selected`` ticked."""
        self.categories_panel.fill(self.offered.categories(), selected)

    def show_featured(self, media_id: int | None) -> None:
        """Offer the images as featured image, with ``media_id`` chosen."""
        self.featured_panel.fill(self.offered.images(), media_id)

    def show_featured_alt(self) -> None:
        """Show the chosen featured image's alternative text."""
        self.featured_panel.show_alt(self.featured_media())

    def featured_media(self) -> MediaInfo | None:
        """The chosen featured image (None when there is none)."""
        if self.featured_combo.currentData() is None:
            return None
        return self.featured_panel.chosen_media(self.offered.images())

    # -- reading the fields -------------------------------------------------------------------

    def current_content(self) -> str:
        """The body as it would be saved now."""
        return self.body_tabs.content()

    def current_values(self) -> dict[str, Any]:
        """The post's fields as the widgets show them now (the presenter's field names)."""
        return {
            "title": self.title_edit.text(),
            "content": self.current_content(),
            "excerpt": raw_text(self.excerpt_edit),
            "slug": self.slug_edit.text().strip(),
            "status": self.publish_panel.status(),
            "date_gmt": self.publish_panel.date(),
            "categories": self.categories_panel.selected(),
            "tags": sorted(self._p.tag_ids),
            "featured_media": self.featured_combo.currentData(),
        }

    def has_unsaved_changes(self) -> bool:
        """Whether something typed is not in the offline copy yet."""
        return self._p.has_unsaved_changes(self.current_values())

    # -- saving (parts/saving.py) -------------------------------------------------------------

    def mark_changed(self) -> None:
        """The user changed the post: restart the pause before saving."""
        if self.saving.typed():
            self._update_publish_button()

    @property
    def saving_after_pause(self) -> bool:
        """Whether the save under way is the one made when typing paused (not Ctrl+S, not an
        action): the tab then lets the list follow off the UI thread."""
        return self.saving.after_pause

    def flush(self) -> bool:
        """Save now whatever is waiting (before switching posts or quitting).

        Returns:
            False when something typed could not be saved (it is still in the editor, which
            must then not show anything else).
        """
        return self.saving.flush()

    def save_now(self) -> None:
        """Ctrl+S: save at once and say so."""
        self.saving.save_now()

    def save(self, *, commit_tags: bool = False) -> bool:
        """Write the fields that changed to the offline copy.

        Args:
            commit_tags: also take the tags being typed (otherwise they wait until the tag
                field is left, so no half-typed tag is created).

        Returns:
            True when something was written.
        """
        return self.saving.save(commit_tags=commit_tags)

    def saved_text(self) -> str:
        """What the editor says once the post is saved."""
        return self.saving.saved_text()

    def after_save(self) -> None:
        """Show what a save changed beyond the post's state (the preview, if shown)."""
        if self.body_tabs.currentIndex() == PREVIEW_TAB:
            self._render_preview()

    def refresh_detail(self) -> None:
        """Read the post again from the offline copy and show where it stands."""
        if self._p.post_id is None:
            self._p.detail = None
        else:
            try:
                self._p.detail = self.desk.get(self._p.post_id)
            except CacheError:
                self._p.detail = None
        self._update_state()

    def reload_from_store(self) -> None:
        """After a sync round: show what changed in the cache (unsaved text is saved first)."""
        if not self.flush() or self._p.post_id is None:
            return
        try:
            detail = self.desk.get(self._p.post_id)
        except RecordNotFoundError:
            # Gone from the cache (deleted for good): nothing to keep, nothing typed since.
            self.start_blank()
            return
        except CacheError as error:
            self.notice.emit(error.message)
            return
        changed_behind = self._p.detail is None or detail.fields != self._p.detail.fields
        self._p.detail = detail
        if changed_behind:
            # The site's newer version (or sync's own rewrite of this post) replaces what is
            # shown; nothing typed is lost: it was saved just above.
            position = self.body.textCursor().position()
            self._p.author = detail.fields.author
            self._show(detail.fields)
            cursor = self.body.textCursor()
            cursor.setPosition(min(position, self.body.document().characterCount() - 1))
            self.body.setTextCursor(cursor)
        else:
            # The post is as it was, but the round may have brought the site's categories
            # (the first sync: a new post opened before they arrived).
            self._refresh_categories()
            self._update_state()

    def _refresh_categories(self) -> None:
        """Offer the catalogue's categories if they changed, keeping what is ticked."""
        try:
            terms = self.offered.terms("category")
        except CacheError as error:
            self.notice.emit(error.message)
            return
        with self._p.filling():
            self.categories_panel.offer(terms)

    # -- tags, categories, images ------------------------------------------------------------

    def ask_new_category(self) -> None:
        """Ask for a new category's name (non-blocking)."""
        self.terms.ask_new_category()

    def add_category(self, name: str) -> None:
        """Create a category (locally, sent at the next sync) and tick it for this post."""
        self.terms.add_category(name)

    def insert_image_file(self, path: str | Path) -> None:
        """Queue an image for upload and insert it in the body, then ask for its text."""
        self.media.insert_image_file(path)

    def set_featured_file(self, path: str | Path) -> None:
        """Queue an image for upload and make it the featured image."""
        self.media.set_featured_file(path)

    def discard_changes(self) -> None:
        """Drop this post's local changes and go back to the site's version."""
        self.versions.discard_changes()

    def keep_dialog(self, dialog: QWidget) -> None:
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

    def _status_chosen(self) -> None:
        if self._p.status_needs_checks(self.status_combo.currentData()):
            # Publishing goes through the checks: the combo waits for the answer.
            self.publish_panel.choose_status(self._p.saved.get("status"))
            self.request_publish()
            return
        self.mark_changed()

    def _date_mode_changed(self, immediately: bool) -> None:
        self.date_edit.setEnabled(not immediately)
        self.mark_changed()

    def _date_changed(self) -> None:
        if not self.immediately.isChecked():
            self.mark_changed()

    def _update_publish_button(self) -> None:
        button = self._p.publish_button(self.publish_panel.date())
        self.publish_panel.show_button(button, self.publish_action)

    def request_publish(self) -> None:
        """Publish, schedule, submit for review, or (a live post) Update: after the checks."""
        self.publishing.request_publish()

    def update_site(self) -> None:
        """Send the live post's saved edits to the site at the next sync (no checks here)."""
        self.publishing.update_site()

    def prepublish_findings(self) -> list[prepublish.Finding]:
        """What the checks before publishing find in the post as it is now."""
        return self.publishing.prepublish_findings()

    def _update_state(self) -> None:
        banners = self._p.banners()
        read_only = self._p.read_only
        for widget in (self.title_edit, self.body, self.html_edit, self.toolbar):
            widget.setEnabled(not read_only)
        self.settings.set_editable(not read_only)
        self.banners.show(banners)
        self.history_button.setEnabled(self._p.post_id is not None)
        self.sync_label.setText(self.describe_state())
        self.publish_panel.show_author(*self._p.author_shown(self.offered.user_names()))
        self.publish_panel.show_words(self._p.saved.get("content", ""))
        self._update_publish_button()

    def describe_state(self) -> str:
        """Where the post stands with the site, in words."""
        detail = self._p.detail
        message = (detail.sync_message if detail is not None else None) or ""
        return self.publish_panel.state_text(self._p.state_key(), message)

    # -- body views ---------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        previous = self.body_tabs.shown_tab
        self.body_tabs.shown_tab = index
        text = self.body_tabs.take_html_edit(previous)
        if text is not None:
            # The HTML was edited by hand: the rich view starts again from it.
            self.save()
            with self._p.filling():
                self.body.set_content(text)
        if index == HTML_TAB:
            self.body_tabs.fill_html()
        elif index == PREVIEW_TAB:
            self._render_preview()

    def _render_preview(self) -> None:
        self.body_tabs.render_preview(self.title_edit.text())

    def hideEvent(self, event: object) -> None:
        """Hiding (another tab, closing the window) saves first."""
        self.flush()
        super().hideEvent(event)  # type: ignore[arg-type]
