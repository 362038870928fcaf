"""The Inquiries tab: a triage inbox that answers everyone fast, puts people in crisis first, and
keeps their words private.

A self-contained widget: the shell gives it the open cache, the signed-in user, the settings, a
clock and a notifier, and listens to its signals. Everything it changes goes to the cache (a row
and an outbox entry per change, with the timeline entry recording it, in one transaction); sync
sends it later, so it all works offline.

Privacy, in short: no inquiry field is logged, put in a notification, a tooltip built from form
text, the settings, or any file but the encrypted cache (and a CSV export the user confirms).
Locking (Ctrl+L, or idle time) empties the model, the detail pane, the search box and open
dialogs, and shows a page asking for the unlock passphrase.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.crisis import CrisisLanguage, default_language
from clinicdesk.domain.lock import hash_passphrase
from clinicdesk.services.triage import (
    TriageDesk,
)
from clinicdesk.store import Cache, CacheError
from clinicdesk.store.inbox import TriageView
from clinicdesk.ui.icon import fit_icons
from clinicdesk.ui.inquiries.commands import InboxCommands
from clinicdesk.ui.inquiries.detail import DetailPane
from clinicdesk.ui.inquiries.export import InquiryExport
from clinicdesk.ui.inquiries.filters import InboxFilters
from clinicdesk.ui.inquiries.loader import InboxLoader
from clinicdesk.ui.inquiries.lock import IdleWatcher, LockPage, SetupPage
from clinicdesk.ui.inquiries.lockguard import LockGuard
from clinicdesk.ui.inquiries.models import (
    COLUMN_INDEX,
    COLUMNS,
    InboxModel,
    ViewsModel,
)
from clinicdesk.ui.inquiries.opener import InquiryOpener
from clinicdesk.ui.inquiries.options import (
    MAX_BULK,
    InquiryOptions,
)
from clinicdesk.ui.inquiries.state import InboxState
from clinicdesk.ui.inquiries.triage import TriageActions
from clinicdesk.ui.reader import CoalescingReader
from clinicdesk.ui.tables import RecordTable
from clinicdesk.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: A desktop notification: (title, message). The tab only ever passes counts.
Notifier = Callable[[str, str], None]

_SEARCH_DELAY_MS = 250
_TICK_MS = 60_000
_COLUMN_WIDTHS = {
    "received": 90,
    "waiting": 140,
    "name": 150,
    "reason": 150,
    "insurance": 110,
    "state": 105,
    "contact": 80,
    "status": 85,
    "assignee": 120,
    "unread": 65,
    "urgent": 65,
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _no_notifications(title: str, message: str) -> None:
    pass


class InboxTable(RecordTable):
    """The inbox table. Letters are shortcuts here, so typing does not jump between rows."""

    def keyboardSearch(self, search: str) -> None:
        pass


class InquiriesTab(QWidget):
    """The Inquiries tab.

    Args:
        cache: the account's open cache.
        user_id: the signed-in user's site id (for "Mine" and as the author of notes).
        user_name: their name.
        options: the settings the tab uses (states, crisis protocol, response target, idle
            lock, unlock passphrase hash).
        clock: the current time, aware UTC (tests pass a fixed one).
        notifier: shows a desktop notification (title, message); only counts are ever passed.
        locked: start locked (the passphrase is asked before any inquiry shows). A tab with no
            passphrase chosen yet always starts on the page that chooses one.
        hasher: makes the passphrase hash (tests pass a cheaper one).
        crisis: the crisis-language list (the shipped one by default).
        parent: the parent widget.

    Signals:
        changesMade(): something was changed locally (the shell debounces a sync).
        unreadCountChanged(int): how many inquiries are unread (for the tab's title).
        unlockHashChanged(str): a new unlock passphrase hash to keep in the settings.
        loaded(): the inbox shows what the cache held at the last refresh.
        lockedChanged(bool): the tab locked (True) or unlocked.
    """

    changesMade = Signal()
    unreadCountChanged = Signal(int)
    unlockHashChanged = Signal(str)
    loaded = Signal()
    lockedChanged = Signal(bool)

    def __init__(
        self,
        cache: Cache,
        user_id: int,
        user_name: str,
        options: InquiryOptions | None = None,
        *,
        clock: Callable[[], datetime] = _utcnow,
        notifier: Notifier = _no_notifications,
        locked: bool = True,
        hasher: Callable[[str], str] = hash_passphrase,
        crisis: CrisisLanguage | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inquiriesTab")
        self.setAccessibleName(self.tr("Inquiries"))
        self.cache = cache
        self.store = cache.inquiries
        self.user_id = user_id
        self._options = options or InquiryOptions()
        self.notify_desktop = notifier
        self.desk = TriageDesk(cache, user_id, user_name)
        self._runner = TaskRunner(max_threads=1, name="inquiries", parent=self)
        #: What the tab and its parts share (see InboxState).
        self.state = InboxState()
        self.dialogs: list[QDialog] = []
        self.opener = InquiryOpener(
            self,
            clock=clock,
            crisis=crisis or default_language(),
            user_name=user_name,
            runner=self._runner,
        )
        self.loader = InboxLoader(self)
        self.triage = TriageActions(self)
        self.export = InquiryExport(self)
        self.guard = LockGuard(self)
        self._reader = CoalescingReader(
            self._runner,
            self.loader.prepare_load,
            self.loader.loaded,
            self.loader.load_failed,
            known=(CacheError,),
            defer_again=True,
            parent=self,
        )
        self._reader.settled.connect(self.loaded)

        self.model = InboxModel(self.store, clock, self._options, self)
        self.model.sortRequested.connect(self.load)
        self.model.rowsMissing.connect(self._load_later)
        self.views_model = ViewsModel(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("inquiriesStack")
        self.stack.setAccessibleName(self.tr("Inquiries"))
        layout.addWidget(self.stack)
        self.inbox_page = self._build_inbox()
        self.lock_page = LockPage(self.stack)
        self.lock_page.set_hash(self._options.unlock_hash)
        self.setup_page = SetupPage(self.stack, hasher=hasher)
        for page in (self.inbox_page, self.lock_page, self.setup_page):
            self.stack.addWidget(page)
        self.commands = InboxCommands(self)
        self.commands.build()
        # The actions the window, the triage and the tests reach from the tab.
        self.undo_action = self.commands.undo_action
        self.export_action = self.commands.export_action
        self.lock_action = self.commands.lock_action
        self.guard.attach()

        self.idle = IdleWatcher(self.lock, self)
        self._tick = QTimer(self)
        self._tick.setInterval(_TICK_MS)
        self._tick.timeout.connect(self._tick_times)
        self._tick.start()
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(_SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._search)

        self.guard.start(locked)

    # -- the shell's API --------------------------------------------------------------------------

    def refresh(self, *, announce: bool = True) -> None:
        """Read the cache again (after a sync round): counts, the inbox, the shown inquiry, the
        filters' choices.

        Args:
            announce: say how many new inquiries arrived (and how many are urgent). False
                while a round is still storing them (their crisis check comes at its end).
        """
        self.state.duplicates_key = None  # new arrivals may be the same person again
        self.state.announce = announce
        self.state.choices_due = True  # new reasons given, new staff
        self.load()

    def lock(self) -> None:
        """Hide every inquiry until the unlock passphrase is typed."""
        self.guard.lock()

    def change_passphrase(self) -> None:
        """Choose a new unlock passphrase (the tab locks first; does nothing while locked)."""
        self.guard.change_passphrase()

    def undo(self) -> None:
        """Undo the last triage change made here."""
        self.triage.undo()

    def is_locked(self) -> bool:
        """Whether inquiries are hidden."""
        return self.state.locked

    @property
    def loading(self) -> bool:
        """Whether a read of the cache is on its way."""
        return self._reader.busy

    @property
    def options(self) -> InquiryOptions:
        """The settings in use (the service area among them)."""
        return self._options

    def use_unlock_hash(self, stored: str) -> None:
        """Open with this unlock passphrase hash from now on (a new passphrase was chosen)."""
        self._options = replace(self._options, unlock_hash=stored)

    def apply_options(self, options: InquiryOptions) -> None:
        """New settings from the shell (states, protocol, response target, idle time)."""
        self._options = options
        self.model.set_options(options)
        self.lock_page.set_hash(options.unlock_hash)
        if not self.state.locked:
            self.idle.start(options.idle_lock_ms)
            self.opener.show_current(force=True)

    def shutdown(self) -> None:
        """Stop background reads and the idle watcher (call before closing the cache)."""
        self.opener.close()
        self.state.generation += 1
        self.close_dialogs()
        self._tick.stop()
        self.idle.uninstall()
        self._reader.close()
        self._runner.shutdown()

    # -- building ---------------------------------------------------------------------------------

    def _build_inbox(self) -> QWidget:
        page = QWidget(self.stack)
        page.setObjectName("inquiriesInboxPage")
        page.setAccessibleName(self.tr("Inquiry inbox"))
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)

        self.toolbar = QToolBar(page)
        self.toolbar.setObjectName("inquiriesToolbar")
        self.toolbar.setAccessibleName(self.tr("Inquiry actions"))
        fit_icons(self.toolbar)
        self.search_edit = QLineEdit(page)
        self.search_edit.setObjectName("inquirySearch")
        self.search_edit.setAccessibleName(self.tr("Search inquiries"))
        self.search_edit.setPlaceholderText(self.tr("Search all fields, notes too (Ctrl+F)"))
        self.search_edit.setToolTip(
            self.tr(
                "Finds inquiries with every word typed in any field shown: name, email, "
                "message, reason, insurance, state, preferred contact, assignee and notes."
            )
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(240)
        self.search_edit.textChanged.connect(lambda _text: self.search_timer.start())
        self.toolbar.addWidget(self.search_edit)
        self.filters = InboxFilters(page)
        self.filters.changed.connect(self._filter)
        self.toolbar.addWidget(self.filters)
        self.toolbar.addSeparator()
        layout.addWidget(self.toolbar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, page)
        self.splitter.setObjectName("inquiriesSplitter")
        self.splitter.setAccessibleName(self.tr("Inquiry panes"))
        self.views_list = QListView(self.splitter)
        self.views_list.setObjectName("inquiryViews")
        self.views_list.setAccessibleName(self.tr("Inquiry views"))
        self.views_list.setModel(self.views_model)
        self.views_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.views_list.setCurrentIndex(self.views_model.index(self.views_model.row_of("all")))
        self.views_list.selectionModel().currentChanged.connect(self._view_changed)

        self.table = InboxTable(self.splitter)
        self.table.setObjectName("inquiryTable")
        self.table.setAccessibleName(self.tr("Inquiries"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setObjectName("inquiryTableHeader")
        header.setAccessibleName(self.tr("Columns"))
        # Never ResizeToContents: it would read every row of the view to measure them.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column in COLUMNS:
            self.table.setColumnWidth(COLUMN_INDEX[column.key], _COLUMN_WIDTHS[column.key])
        header.setSortIndicator(COLUMN_INDEX["received"], Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self.opener.show_current()
        )

        self.detail = DetailPane(self.splitter)
        self.detail.statusChosen.connect(
            lambda status: self.triage.set_status(status, self._current_ids())
        )
        self.detail.assignRequested.connect(lambda: self.triage.assign(self._current_ids()))
        self.detail.noteRequested.connect(lambda: self.triage.note(self._current_ids()))
        self.detail.urgentRequested.connect(
            lambda urgent: self.triage.run(
                lambda ids: self.desk.set_urgent(ids, urgent), self._current_ids()
            )
        )
        self.detail.unreadRequested.connect(
            lambda: self.triage.run(
                lambda ids: self.desk.set_unread(ids, True), self._current_ids()
            )
        )
        self.detail.readRequested.connect(
            lambda: self.triage.run(
                lambda ids: self.desk.set_unread(ids, False), self._current_ids()
            )
        )
        self.detail.duplicateActivated.connect(self.opener.open_inquiry)
        for widget in (self.views_list, self.table, self.detail):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([150, 640, 460])
        layout.addWidget(self.splitter, 1)

        self.message_label = QLabel(page)
        self.message_label.setObjectName("inquiriesMessage")
        self.message_label.setAccessibleName(self.tr("Inquiries message"))
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setText(self.keys_hint())
        # The keys hint is a long line: it wraps on a laptop instead of widening the window.
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        QWidget.setTabOrder(self.search_edit, self.views_list)
        QWidget.setTabOrder(self.views_list, self.table)
        QWidget.setTabOrder(self.table, self.detail)
        return page

    def keys_hint(self) -> str:
        return self.tr(
            "Keys in the list: J/K next/previous · C contacted · A assign · N note · "
            "U read/unread · ! urgent · S spam · E close · Ctrl+Z undo · Ctrl+L lock"
        )

    # -- loading ----------------------------------------------------------------------------------

    def load(self) -> None:
        """Read ids, counts and arrivals off the UI thread; one read at a time."""
        self._reader.request()

    def _tick_times(self) -> None:
        """The minute moved on: the list's times and the open inquiry's move with it."""
        self.model.tick()
        self.opener.tick_times()

    def _load_later(self) -> None:
        QTimer.singleShot(0, self.load)

    # -- selection and the detail pane ------------------------------------------------------------

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def _current_ids(self) -> list[int]:
        return [self.state.shown_id] if self.state.shown_id is not None else []

    def _selected_rows(self) -> list[int]:
        rows: list[int] = []
        selection = self.table.selectionModel().selection()
        for n in range(selection.count()):
            selection_range = selection.at(n)
            rows.extend(range(selection_range.top(), selection_range.bottom() + 1))
            if len(rows) > MAX_BULK:
                break
        return sorted(set(rows))

    def selected_ids(self) -> list[int]:
        rows = self._selected_rows()
        if not rows:
            current = self.current_id()
            return [current] if current is not None else []
        return [i for i in (self.model.id_at(row) for row in rows) if i is not None]

    def restore_current(self, inquiry_id: int | None, old_row: int) -> None:
        if self.model.rowCount() == 0 or (inquiry_id is None and old_row < 0):
            return
        row = self.model.row_of(inquiry_id) if inquiry_id is not None else None
        if row is None:
            # It left the view (closed from "New"...): the next one takes its place.
            row = min(max(old_row, 0), self.model.rowCount() - 1)
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def move_selection(self, step: int) -> None:
        count = self.model.rowCount()
        if count == 0:
            return
        current = self.table.currentIndex()
        row = 0 if not current.isValid() else min(max(current.row() + step, 0), count - 1)
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    # -- views, search, locking helpers -----------------------------------------------------------

    def _view_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        view = self.views_model.data(current, Qt.ItemDataRole.UserRole)
        if view is not None and view != self.model.query.view:
            self.model.query = replace(self.model.query, view=view)
            self.load()

    def shown_inquiry(self) -> int | None:
        """The local id of the inquiry open in the detail, if any."""
        return self.state.shown_id

    def restore_selection(self, local_id: int) -> None:
        """Select this inquiry when the inbox next shows it (after the unlock, at start)."""
        self.state.wanted_selection = local_id
        if not self.state.locked:
            self.load()

    def select_view(self, view: TriageView) -> None:
        """Show one of the views (as clicking it in the list does)."""
        self.views_list.setCurrentIndex(self.views_model.index(self.views_model.row_of(view)))

    def _search(self) -> None:
        text = self.search_edit.text().strip()
        if text != self.model.query.text and not self.state.locked:
            self.model.query = replace(self.model.query, text=text)
            self.load()

    def _filter(self) -> None:
        reason, assignee = self.filters.reason(), self.filters.assignee()
        query = self.model.query
        if (reason, assignee) != (query.reason, query.assignee) and not self.state.locked:
            self.model.query = replace(query, reason=reason, assignee=assignee)
            self.load()

    def focus_search(self) -> None:
        if not self.state.locked:
            self.search_edit.setFocus()
            self.search_edit.selectAll()

    def open_dialog(self, dialog: QDialog) -> None:
        self.dialogs.append(dialog)

        def finished(_result: int) -> None:
            if dialog in self.dialogs:
                self.dialogs.remove(dialog)
            dialog.deleteLater()
            if not self.state.locked:
                self.table.setFocus()

        dialog.finished.connect(finished)
        dialog.open()

    def close_dialogs(self) -> None:
        """Close the open dialogs and take them out of the tab at once: what they held (a
        half-written note) must not stay readable in the widget tree until Qt deletes them."""
        for dialog in list(self.dialogs):
            dialog.reject()
            for field in dialog.findChildren(QLineEdit) + dialog.findChildren(QPlainTextEdit):
                field.clear()
            dialog.setParent(None)
        self.dialogs.clear()
