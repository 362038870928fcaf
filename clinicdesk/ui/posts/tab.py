"""The Posts tab: every post of every status in a list, and the editor beside it.

The tab receives what it needs (the open cache, the signed-in user's capabilities and id) and
says when it changed something (``changesMade``, which the shell debounces into a sync). After
each sync round the shell calls :meth:`PostsTab.refresh`: the list and the filters' counts are
read again on a worker thread (right after a round the pages they read are no longer in memory:
with 2,000 posts that read took 30 to 100 ms, which froze the window), then shown on the UI
thread, and the open post follows. Before the cache closes the shell calls
:meth:`PostsTab.shutdown`.

Keyboard: Ctrl+N new post, Ctrl+F search, Ctrl+S save now, Ctrl+Shift+P publish (or submit
for review), Delete moves the selected post to the trash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.model.errors import user_message
from clinicdesk.model.records import PostStatus
from clinicdesk.services.posts import PostDesk
from clinicdesk.store import Cache, CacheError
from clinicdesk.ui.icon import give_icon
from clinicdesk.ui.layouts import FlowLayout
from clinicdesk.ui.posts.common import named, plain_label
from clinicdesk.ui.posts.dialogs import confirm_box
from clinicdesk.ui.posts.filters import FilterChoices, PostFilters
from clinicdesk.ui.posts.form import AUTOSAVE_MS, PostEditor
from clinicdesk.ui.posts.listmodel import ListRead, PostFilter, PostListModel
from clinicdesk.ui.posts.presenter import CAP_DELETE
from clinicdesk.ui.reader import READ_AGAIN, SHOWN, CoalescingReader, Shown
from clinicdesk.ui.tables import RecordTable
from clinicdesk.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: The pause after typing in the search field before the list is searched (milliseconds).
SEARCH_DELAY_MS = 250


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """One background read of the cache: the filters' choices and the list's first rows."""

    choices: FilterChoices
    rows: ListRead


class PostsTab(QWidget):
    """The list of posts and the post editor.

    Args:
        cache: the account's open cache (read for the list and its filters).
        capabilities: the signed-in user's capabilities (``CurrentUser.capabilities``).
        user_id: the signed-in user's id on the site (the author of new posts).
        parent: the parent widget.
        autosave_ms: the pause after typing before a change is saved.
        desk: the desk every write of the tab goes through (one on ``cache`` when not given).

    Signals:
        changesMade(): local changes wait to be sent: the shell schedules a sync.
        loaded(): the list shows what the cache held when :meth:`refresh` was last called.
    """

    changesMade = Signal()
    loaded = Signal()

    def __init__(
        self,
        cache: Cache,
        capabilities: frozenset[str],
        user_id: int,
        parent: QWidget | None = None,
        *,
        autosave_ms: int = AUTOSAVE_MS,
        desk: PostDesk | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "postsTab", self.tr("Posts"))
        self.cache = cache
        self.desk = desk if desk is not None else PostDesk(cache)
        self.capabilities = capabilities
        self.user_id = user_id
        self._dialogs: list[QWidget] = []
        self._selecting = False
        self._runner = TaskRunner(max_threads=1, name="postsReader", parent=self)
        self._reader = CoalescingReader(
            self._runner,
            self._prepare_read,
            self._refreshed,
            self._refresh_failed,
            known=(CacheError,),
            parent=self,
        )
        self._reader.settled.connect(self.loaded)

        layout = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("postsSplitter")
        layout.addWidget(splitter)

        left = QWidget(splitter)
        left.setObjectName("postsListPanel")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.new_button = QPushButton(self.tr("&New post"), left)
        named(self.new_button, "newPostButton", self.tr("New post"))
        give_icon(self.new_button)
        self.new_button.setToolTip(self.tr("New post (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_post)
        top.addWidget(self.new_button)
        self.search_edit = QLineEdit(left)
        named(self.search_edit, "postSearchEdit", self.tr("Search posts"))
        self.search_edit.setPlaceholderText(self.tr("Search titles and text (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        top.addWidget(self.search_edit, 1)
        left_layout.addLayout(top)

        self.filters = PostFilters(left)
        self.filters.chosen.connect(self._filter_changed)
        self.status_filter = self.filters.status_filter
        self.category_filter = self.filters.category_filter
        self.author_filter = self.filters.author_filter
        left_layout.addWidget(self.filters)

        self.model = PostListModel(cache, self)
        self.model.loadFailed.connect(self._show_error)
        self.table = RecordTable(left)
        named(self.table, "postsTable", self.tr("Posts"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # The model has read the list in this order: the header says so before sorting is
        # turned on, so that turning it on does not read the list again in another order.
        self.table.horizontalHeader().setSortIndicator(
            PostListModel.MODIFIED, Qt.SortOrder.DescendingOrder
        )
        self.table.setSortingEnabled(True)
        named(self.table.horizontalHeader(), "postsTableHeader", self.tr("Columns"))
        named(self.table.verticalHeader(), "postsTableRows", self.tr("Rows"))
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((240, 110, 130, 125, 125, 120)):
            header.resizeSection(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        left_layout.addWidget(self.table, 1)
        self.error_label = plain_label(left, "postsErrorLabel", self.tr("Problem"))
        self.error_label.hide()
        self._until_sync = False  # the label holds a message true only until the next round
        left_layout.addWidget(self.error_label)
        self.count_label = plain_label(left, "postsCountLabel", self.tr("Posts shown"))
        left_layout.addWidget(self.count_label)

        # Like the filters, the buttons below the list flow onto a second line when the list is
        # narrow instead of making the window wider than the screen.
        actions_holder = QWidget(left)
        actions_holder.setObjectName("postListActions")
        actions = FlowLayout(actions_holder)
        self.trash_button = self._button(
            left, "trashButton", self.tr("Move to &Trash"), self.trash_selected
        )
        self.restore_button = self._button(
            left, "restoreButton", self.tr("&Restore"), self.restore_selected
        )
        self.delete_button = self._button(
            left,
            "deletePermanentlyButton",
            self.tr("&Delete permanently…"),
            self.ask_delete_permanently,
        )
        for button in (self.trash_button, self.restore_button, self.delete_button):
            actions.addWidget(button)
        left_layout.addWidget(actions_holder)

        self.editor = PostEditor(
            cache, self.desk, capabilities, user_id, splitter, autosave_ms=autosave_ms
        )
        self.editor.saved.connect(self._post_saved)
        self.editor.created.connect(self._post_created)
        self.editor.changesMade.connect(self.changesMade)
        self.editor.notice.connect(self._show_notice)
        self.editor.untilSync.connect(self._show_until_sync)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 780])

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._filter_changed)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())

        # Save and publish work from anywhere in the tab (the list too), not just the editor.
        for action in (self.editor.save_action, self.editor.publish_action):
            self.editor.removeAction(action)
            self.addAction(action)
        self._shortcut("newPostAction", self.tr("New post"), "Ctrl+N", self.new_post)
        self._shortcut("findAction", self.tr("Search posts"), "Ctrl+F", self.focus_search)
        trash = self._shortcut(
            "trashAction", self.tr("Move to Trash"), "Delete", self.trash_selected
        )
        # Delete trashes a post only from the list; in the editor it deletes text.
        self.removeAction(trash)
        self.table.addAction(trash)
        trash.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)

        self._fill_filters()
        self._update_count()
        self._update_buttons()
        app = QCoreApplication.instance()
        if app is not None:
            # Quitting saves what is being typed (the tab is destroyed without a hide event).
            app.aboutToQuit.connect(self.editor.flush)

    # -- building -------------------------------------------------------------------------------

    def _button(
        self, parent: QWidget, name: str, text: str, slot: Callable[[], object]
    ) -> QPushButton:
        button = QPushButton(text, parent)
        named(button, name, text.replace("&", "").rstrip("…"))
        give_icon(button)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _shortcut(self, name: str, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(keys))
        # Only while this tab is shown: Ctrl+N in the Inquiries tab is not a new post.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _fill_filters(self) -> None:
        try:
            choices = FilterChoices.read(self.cache)
        except CacheError as error:
            self._show_error(error.message)
            return
        self.filters.show_choices(choices)

    # -- filters and the list ------------------------------------------------------------------

    def current_filter(self) -> PostFilter:
        """What the filters and the search field ask for."""
        return self.filters.current(self.search_edit.text().strip())

    def set_status_filter(self, status: PostStatus | None) -> None:
        """Show the posts of one status (None: all but the trash)."""
        self.filters.choose_status(status)
        self._filter_changed()

    def _filter_changed(self) -> None:
        self._search_timer.stop()
        self.editor.flush()
        selected = self.editor.post_id
        self.model.set_filter(self.current_filter())
        self._after_reload(selected)

    def _after_reload(self, selected: int | None) -> None:
        self._update_count()
        row = None if selected is None else self.model.row_of(selected)
        self._selecting = True
        try:
            if row is None:
                self.table.clearSelection()
            else:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
        finally:
            self._selecting = False
        self._update_buttons()

    def _update_count(self) -> None:
        self.count_label.setText(self.tr("%1 posts").replace("%1", str(self.model.total)))

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting:
            return
        post_id = self.model.post_id(current.row()) if current.isValid() else None
        if (
            post_id is not None
            and post_id != self.editor.post_id
            and not self.editor.open_post(post_id)
        ):
            # The post being edited could not be saved: it stays open, and selected.
            self._after_reload(self.editor.post_id)
            return
        self._update_buttons()

    def select_post(self, post_id: int) -> bool:
        """Select and open a post the list shows, loading pages as needed.

        Returns:
            Whether the editor now shows it (not when the list does not have it, or when the
            post being edited could not be saved and so stays open).
        """
        row = self.model.row_of(post_id)
        while row is None and self.model.canFetchMore():
            self.model.fetchMore()
            row = self.model.row_of(post_id)
        if row is None:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(self.model.index(row, 0))
        if self.editor.post_id != post_id:
            self.editor.open_post(post_id)
        return self.editor.post_id == post_id

    # -- reacting -------------------------------------------------------------------------------

    def flush(self) -> bool:
        """Save what is being typed now (the shell calls this before closing the cache).

        Returns:
            False when it could not be saved (the text is still in the editor).
        """
        return self.editor.flush()

    def unpublished_titles(self) -> list[str]:
        """Titles of live posts with edits saved here but not on the site until Update.

        The shell's close message names them: closing keeps them (they are saved), but they
        reach the site only when the user opens the post again and clicks Update.
        """
        self.editor.flush()
        try:
            posts = self.cache.posts.unpublished()
        except CacheError:
            return []
        return [p.title if p.title.strip() else self.tr("(no title)") for p in posts]

    @property
    def loading(self) -> bool:
        """Whether a read of the cache asked for by :meth:`refresh` is on its way."""
        return self._reader.busy

    @Slot()
    def refresh(self) -> None:
        """Read the cache again off the UI thread (the shell calls this after each sync round).

        The list, the filters' counts and the open post follow when the read is back
        (``loaded``); what is being typed meanwhile is not disturbed. Called while a read is on
        its way, one more read follows it.
        """
        if self._until_sync:  # a round ended: "at the next sync" no longer holds
            self._until_sync = False
            self.error_label.hide()
        self._reader.request()

    def _prepare_read(self) -> Callable[[], _Snapshot]:
        cache, rows = self.cache, self.model.reader()

        def work() -> _Snapshot:
            return _Snapshot(FilterChoices.read(cache), rows())

        return work

    def _refreshed(self, snapshot: _Snapshot) -> Shown:
        if not self.model.show_read(snapshot.rows):
            # The list was read again or changed meanwhile (a filter, a sort, a save): what
            # was read may be older than what it shows, and the counts with it.
            return READ_AGAIN
        self.filters.show_choices(snapshot.choices)
        wanted = self.current_filter()  # a category filtered on may have gone
        if wanted != self.model.post_filter:
            self.model.set_filter(wanted)
        self._after_reload(self.editor.post_id)
        self.editor.reload_from_store()
        return SHOWN

    def _refresh_failed(self, error: BaseException) -> None:
        self._show_error(user_message(error))
        self.editor.reload_from_store()

    def _reload_now(self) -> None:
        """Read the cache again on this thread (after a change made here: shown at once)."""
        selected = self.editor.post_id
        self._fill_filters()
        wanted = self.current_filter()  # a category filtered on may have gone
        if wanted != self.model.post_filter:
            self.model.set_filter(wanted)
        else:
            self.model.refresh()
        self._after_reload(selected)
        self.editor.reload_from_store()

    def shutdown(self) -> None:
        """Stop background reads (the shell calls this before closing the cache): a read on its
        way is waited for and dropped, and none starts from now on."""
        self._reader.close()
        self._runner.shutdown()

    def _post_saved(self, post_id: int) -> None:
        if self.editor.saving_after_pause and self.model.row_of(post_id) is not None:
            # Saved as typing paused: the list and the counts follow from a read off the UI
            # thread, so typing never waits on them (not refresh(): no round ended).
            self._reader.request()
            return
        # Ctrl+S, Publish, a new post's first words: the list shows it at once.
        self._fill_filters()
        self.model.refresh()
        self._after_reload(self.editor.post_id if self.editor.post_id is not None else post_id)

    def _post_created(self, post_id: int) -> None:
        self.error_label.hide()

    def _show_error(self, message: str) -> None:
        self._until_sync = False
        self.error_label.setText(message)
        self.error_label.show()

    def _show_notice(self, message: str) -> None:
        self._until_sync = False
        self.error_label.setText(message)
        self.error_label.show()

    def _show_until_sync(self, message: str) -> None:
        """A message that the next sync round makes untrue: :meth:`refresh` takes it away."""
        self._show_notice(message)
        self._until_sync = True

    def _selected_id(self) -> int | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.post_id(index.row()) if index.isValid() else self.editor.post_id

    def _update_buttons(self) -> None:
        in_trash = self.status_filter.currentData() == "trash"
        selected = self._selected_id() is not None
        can_delete = CAP_DELETE in self.capabilities
        self.trash_button.setVisible(not in_trash)
        self.trash_button.setEnabled(selected and can_delete)
        self.restore_button.setVisible(in_trash)
        self.restore_button.setEnabled(selected)
        self.delete_button.setVisible(in_trash)
        self.delete_button.setEnabled(selected and can_delete)

    # -- actions --------------------------------------------------------------------------------

    def new_post(self) -> None:
        """Start a new post (Ctrl+N)."""
        if self.status_filter.currentData() == "trash":
            self.set_status_filter(None)
        self.table.clearSelection()
        if not self.editor.new_post():
            self._after_reload(self.editor.post_id)

    def focus_search(self) -> None:
        """Go to the search field (Ctrl+F)."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def trash_selected(self) -> None:
        """Move the selected post to the site's trash (restorable from the Trash filter)."""
        post_id = self._selected_id()
        if post_id is None or CAP_DELETE not in self.capabilities:
            return
        if not self.editor.flush():
            return  # what was typed could not be saved: the post stays as it is, open
        try:
            self.desk.trash(post_id)
        except CacheError as error:
            self._show_error(error.message)
            return
        self.editor.open_post(None)
        self.changesMade.emit()
        self._reload_now()

    def restore_selected(self) -> None:
        """Take the selected post out of the trash, as a draft."""
        post_id = self._selected_id()
        if post_id is None:
            return
        try:
            self.desk.restore(post_id)
        except CacheError as error:
            self._show_error(error.message)
            return
        self.changesMade.emit()
        self.set_status_filter("draft")
        self.select_post(post_id)
        self.editor.reload_from_store()  # editable again

    def ask_delete_permanently(self) -> None:
        """Ask before deleting the selected post for good (non-blocking)."""
        post_id = self._selected_id()
        if post_id is None:
            return
        summary = self.model.summary(self.model.row_of(post_id) or 0)
        title = summary.title if summary is not None and summary.title else self.tr("(no title)")
        box = confirm_box(
            self,
            "deletePermanentlyBox",
            self.tr("Delete permanently"),
            self.tr(
                "Delete “%1” for good? It is removed from the site too and cannot be restored."
            ).replace("%1", title),
            self.tr("Delete permanently"),
        )
        box.buttonClicked.connect(
            lambda button: self._delete_answered(post_id, box.buttonRole(button))
        )
        self._dialogs.append(box)
        box.finished.connect(lambda _r: self._dialogs.remove(box) if box in self._dialogs else None)
        box.open()

    def _delete_answered(self, post_id: int, role: object) -> None:
        if role != QMessageBox.ButtonRole.DestructiveRole:
            return
        try:
            self.desk.delete_permanently(post_id)
        except CacheError as error:
            self._show_error(error.message)
            return
        if self.editor.post_id == post_id:
            self.editor.open_post(None)
        self.changesMade.emit()
        self._reload_now()

    @property
    def open_dialogs(self) -> list[QWidget]:
        """Dialogs opened by the tab or its editor that are still open (tests drive them)."""
        return [*self._dialogs, *self.editor.open_dialogs]
