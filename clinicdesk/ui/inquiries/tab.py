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
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
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

from clinicdesk.domain.crisis import CrisisLanguage, default_language, looks_spanish, reasons
from clinicdesk.domain.export import write_csv
from clinicdesk.domain.inquiry_rules import (
    email_key,
    phone_key,
    response_wait,
    service_area,
)
from clinicdesk.domain.lock import hash_passphrase, is_valid_hash
from clinicdesk.model.records import TRIAGE_STATUSES, TriageStatus
from clinicdesk.services.triage import (
    AcknowledgementRequiredError,
    Action,
    TriageDesk,
)
from clinicdesk.store import Cache, CacheError
from clinicdesk.store.inquiries import Arrivals, InboxRow, TriageView
from clinicdesk.ui.inquiries.detail import DetailFacts, DetailPane
from clinicdesk.ui.inquiries.dialogs import (
    AcknowledgeDialog,
    AssignDialog,
    ExportDialog,
    NoteDialog,
)
from clinicdesk.ui.inquiries.lock import IdleWatcher, LockPage, SetupPage
from clinicdesk.ui.inquiries.models import (
    COLUMN_INDEX,
    COLUMNS,
    InboxModel,
    InboxQuery,
    ViewsModel,
)
from clinicdesk.ui.inquiries.options import (
    InquiryOptions,
    contact_label,
    count_text,
    status_label,
)
from clinicdesk.ui.tables import RecordTable
from clinicdesk.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: A desktop notification: (title, message). The tab only ever passes counts.
Notifier = Callable[[str, str], None]

#: Most inquiries one bulk action or export may take (a selection of 50,000 is a slip).
MAX_BULK = 1000

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


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """What one background read brings back."""

    query: InboxQuery
    #: None when the tab was locked: no inquiry is read then.
    ids: array[int] | None
    counts: dict[TriageView, int]
    arrivals: Arrivals
    #: Whether new arrivals are announced (and the arrivals mark moves) with this read.
    announce: bool = True


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
        changes_made(): something was changed locally (the shell debounces a sync).
        unread_count_changed(int): how many inquiries are unread (for the tab's title).
        unlock_hash_changed(str): a new unlock passphrase hash to keep in the settings.
        loaded(): the inbox shows what the cache held at the last refresh.
        lockedChanged(bool): the tab locked (True) or unlocked.
    """

    changes_made = Signal()
    unread_count_changed = Signal(int)
    unlock_hash_changed = Signal(str)
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
        self._cache = cache
        self._store = cache.inquiries
        self._user_id = user_id
        self._user_name = user_name
        self._options = options or InquiryOptions()
        self._clock = clock
        self._notify = notifier
        self._crisis = crisis or default_language()
        self._desk = TriageDesk(cache, user_id, user_name)
        self._runner = TaskRunner(max_threads=1, name="inquiries", parent=self)
        self._loading = False
        self._load_again = False
        # Reads made while a round is still storing inquiries show them but do not announce
        # them: the crisis check of the arrivals runs when the round ends, and the
        # announcement says how many are urgent.
        self._announce = True
        self._generation = 0
        self._arrival_mark: int | None = None
        self._unread: int | None = None
        self._staff_names: dict[int, str] = {}
        self._last_action: Action | None = None
        self._dialogs: list[QDialog] = []
        self._shown_id: int | None = None
        self._duplicates_key: tuple[int, str, str] | None = None
        self._locked = True
        self._shut_down = False

        self.model = InboxModel(self._store, clock, self._options, self)
        self.model.sortRequested.connect(self._load)
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
        self.lock_page.unlocked.connect(self._open_inbox)
        self.setup_page = SetupPage(self.stack, hasher=hasher)
        self.setup_page.chosen.connect(self._passphrase_chosen)
        self.setup_page.cancelled.connect(self._show_locked_page)
        for page in (self.inbox_page, self.lock_page, self.setup_page):
            self.stack.addWidget(page)
        self._build_actions()

        self.idle = IdleWatcher(self.lock, self)
        self._tick = QTimer(self)
        self._tick.setInterval(_TICK_MS)
        self._tick.timeout.connect(self.model.tick)
        self._tick.start()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(_SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search)
        self._read_staff()

        if locked or not is_valid_hash(self._options.unlock_hash):
            self._show_locked_page()
            self._load()  # counts and the arrivals mark (no inquiry is read while locked)
        else:
            self._open_inbox()

    # -- the shell's API --------------------------------------------------------------------------

    def refresh(self, *, announce: bool = True) -> None:
        """Read the cache again (after a sync round): counts, the inbox, the shown inquiry.

        Args:
            announce: say how many new inquiries arrived (and how many are urgent). False
                while a round is still storing them (their crisis check comes at its end).
        """
        self._duplicates_key = None  # new arrivals may be the same person again
        self._announce = announce
        self._read_staff()
        self._load()

    def lock(self) -> None:
        """Hide every inquiry until the unlock passphrase is typed."""
        if self._locked:
            return
        self._locked = True
        self._generation += 1  # a read on its way is dropped
        self._close_dialogs()
        self._search_timer.stop()
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.model.query = replace(self.model.query, text="")
        self.model.clear()
        self.detail.clear()
        self._shown_id = None
        self._duplicates_key = None
        self._forget_clipboard()
        self.message_label.setText(self._keys_hint())
        self.idle.stop()
        self._show_locked_page()
        self.lockedChanged.emit(True)

    def is_locked(self) -> bool:
        """Whether inquiries are hidden."""
        return self._locked

    @property
    def loading(self) -> bool:
        """Whether a read of the cache is on its way."""
        return self._loading

    @property
    def options(self) -> InquiryOptions:
        """The settings in use (the service area among them)."""
        return self._options

    def apply_options(self, options: InquiryOptions) -> None:
        """New settings from the shell (states, protocol, response target, idle time)."""
        self._options = options
        self.model.set_options(options)
        self.lock_page.set_hash(options.unlock_hash)
        if not self._locked:
            self.idle.start(options.idle_lock_minutes * 60_000)
            self._show_current(force=True)

    def change_passphrase(self) -> None:
        """Choose a new unlock passphrase: the tab locks and shows the page choosing one, which
        asks for the current passphrase first (so a locked or abandoned tab cannot be opened by
        choosing a new one). Does nothing while locked."""
        if self._locked:
            return
        self.lock()
        self.setup_page.set_current_hash(self._options.unlock_hash)
        self.stack.setCurrentWidget(self.setup_page)
        self.setup_page.focus_first()

    def shutdown(self) -> None:
        """Stop background reads and the idle watcher (call before closing the cache)."""
        self._shut_down = True
        self._generation += 1
        self._close_dialogs()
        self._tick.stop()
        self.idle.uninstall()
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
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.search_edit = QLineEdit(page)
        self.search_edit.setObjectName("inquirySearch")
        self.search_edit.setAccessibleName(self.tr("Search inquiries"))
        self.search_edit.setPlaceholderText(self.tr("Search names, email, messages (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(240)
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.toolbar.addWidget(self.search_edit)
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
            lambda _current, _previous: self._show_current()
        )

        self.detail = DetailPane(self.splitter)
        self.detail.statusChosen.connect(
            lambda status: self._set_status(status, self._current_ids())
        )
        self.detail.assignRequested.connect(lambda: self._assign(self._current_ids()))
        self.detail.noteRequested.connect(lambda: self._note(self._current_ids()))
        self.detail.urgentRequested.connect(
            lambda urgent: self._run(
                lambda ids: self._desk.set_urgent(ids, urgent), self._current_ids()
            )
        )
        self.detail.unreadRequested.connect(
            lambda: self._run(lambda ids: self._desk.set_unread(ids, True), self._current_ids())
        )
        self.detail.duplicateActivated.connect(self._open_inquiry)
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
        self.message_label.setText(self._keys_hint())
        layout.addWidget(self.message_label)
        QWidget.setTabOrder(self.search_edit, self.views_list)
        QWidget.setTabOrder(self.views_list, self.table)
        QWidget.setTabOrder(self.table, self.detail)
        return page

    def _keys_hint(self) -> str:
        return self.tr(
            "Keys in the list: J/K next/previous · C contacted · A assign · N note · "
            "U read/unread · ! urgent · S spam · E close · Ctrl+Z undo · Ctrl+L lock"
        )

    def _action(
        self,
        name: str,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Callable[[], None],
        *,
        table_only: bool = True,
        toolbar: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(
                f"{text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        # Single keys act only in the table (typing in the search box must not triage);
        # Ctrl shortcuts act anywhere in the tab.
        if table_only:
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.table.addAction(action)
        else:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        action.triggered.connect(lambda _checked=False: slot())
        if toolbar:
            self.toolbar.addAction(action)
            button = self.toolbar.widgetForAction(action)
            if button is not None:
                button.setObjectName(f"{name}Button")
                button.setAccessibleName(text)
        return action

    def _build_actions(self) -> None:
        ids = self._selected_ids
        self.next_action = self._action(
            "inquiryNextAction", self.tr("Next"), "J", lambda: self._move(1), toolbar=False
        )
        self.previous_action = self._action(
            "inquiryPreviousAction",
            self.tr("Previous"),
            "K",
            lambda: self._move(-1),
            toolbar=False,
        )
        self.contacted_action = self._action(
            "inquiryContactedAction",
            self.tr("Contacted"),
            "C",
            lambda: self._set_status("contacted", ids()),
        )
        self.scheduled_action = self._action(
            "inquiryScheduledAction",
            self.tr("Scheduled"),
            None,
            lambda: self._set_status("scheduled", ids()),
        )
        self.referred_action = self._action(
            "inquiryReferredAction",
            self.tr("Referred"),
            None,
            lambda: self._set_status("referred", ids()),
        )
        self.close_action = self._action(
            "inquiryCloseAction", self.tr("Close"), "E", lambda: self._set_status("closed", ids())
        )
        self.spam_action = self._action(
            "inquirySpamAction", self.tr("Spam"), "S", lambda: self._set_status("spam", ids())
        )
        self.assign_action = self._action(
            "inquiryAssignAction", self.tr("Assign…"), "A", lambda: self._assign(ids())
        )
        self.note_action = self._action(
            "inquiryNoteAction", self.tr("Note…"), "N", lambda: self._note(ids())
        )
        self.unread_action = self._action(
            "inquiryUnreadAction", self.tr("Read/unread"), "U", lambda: self._toggle_unread(ids())
        )
        self.urgent_action = self._action(
            "inquiryUrgentAction", self.tr("Urgent"), "!", lambda: self._toggle_urgent(ids())
        )
        self.toolbar.addSeparator()
        self.undo_action = self._action(
            "inquiryUndoAction",
            self.tr("Undo"),
            QKeySequence.StandardKey.Undo,
            self.undo,
            table_only=False,
        )
        self.undo_action.setEnabled(False)
        self.export_action = self._action(
            "inquiryExportAction",
            self.tr("Export…"),
            None,
            lambda: self._export(ids()),
            table_only=False,
        )
        self.lock_action = self._action(
            "inquiryLockAction", self.tr("Lock"), "Ctrl+L", self.lock, table_only=False
        )
        self.find_action = self._action(
            "inquiryFindAction",
            self.tr("Find"),
            QKeySequence.StandardKey.Find,
            self._focus_search,
            table_only=False,
            toolbar=False,
        )

    # -- loading ----------------------------------------------------------------------------------

    def _load(self) -> None:
        """Read ids, counts and arrivals off the UI thread; one read at a time."""
        if self._shut_down:
            return
        if self._loading:
            self._load_again = True
            return
        self._loading = True
        self._load_again = False
        generation = self._generation
        query = self.model.query
        locked = self._locked
        mark = self._arrival_mark
        announce = self._announce
        store, user_id = self._store, self._user_id

        def work() -> _Snapshot:
            ids = None
            if not locked:
                ids = store.inbox_ids(
                    query.view,
                    user_id=user_id,
                    sort=query.sort,
                    descending=query.descending,
                    text=query.text,
                )
            counts = store.triage_counts(user_id=user_id)
            arrivals = store.arrivals(mark if mark is not None else 2**62)
            return _Snapshot(query, ids, counts, arrivals, announce)

        self._runner.run(
            work,
            lambda snapshot: self._loaded(generation, snapshot),
            self._load_failed,
            known=(CacheError,),
        )

    def _load_later(self) -> None:
        QTimer.singleShot(0, self._load)

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self.message_label.setText(
            self.tr("The offline copy could not be read: %1").replace("%1", str(error))
        )

    def _loaded(self, generation: int, snapshot: _Snapshot) -> None:
        self._loading = False
        self.views_model.set_counts(snapshot.counts)
        unread = snapshot.counts.get("unread", 0)
        if unread != self._unread:
            self._unread = unread
            self.unread_count_changed.emit(unread)
        if snapshot.announce:
            self._notify_arrivals(snapshot.arrivals)
        fresh = (
            generation == self._generation
            and not self._locked
            and snapshot.ids is not None
            and snapshot.query == self.model.query
        )
        if fresh:
            current = self._current_id()
            current_row = self.table.currentIndex().row()
            shown = self._shown_id
            assert snapshot.ids is not None
            if self.model.set_ids(snapshot.ids):
                self._restore_current(current, current_row)
            if self._shown_id == shown:  # else restoring the selection just opened another
                self._show_current(force=True)
        if self._load_again or (not fresh and not self._locked):
            QTimer.singleShot(0, self._load)
        elif fresh:
            self.loaded.emit()

    def _notify_arrivals(self, arrivals: Arrivals) -> None:
        if self._arrival_mark is not None and arrivals.count:
            message = count_text(
                arrivals.count, self.tr("1 new inquiry"), self.tr("%1 new inquiries")
            )
            if arrivals.urgent:
                message += " — " + count_text(
                    arrivals.urgent, self.tr("1 urgent"), self.tr("%1 urgent")
                )
            self._notify(self.tr("ClinicDesk"), message)
        self._arrival_mark = max(arrivals.last_id, self._arrival_mark or 0)

    def _read_staff(self) -> None:
        users = self._cache.catalog.users()
        self._staff_names = {user.id: user.name or user.slug for user in users}
        self.model.set_staff(self._staff_names)

    # -- selection and the detail pane ------------------------------------------------------------

    def _current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def _current_ids(self) -> list[int]:
        return [self._shown_id] if self._shown_id is not None else []

    def _selected_rows(self) -> list[int]:
        rows: list[int] = []
        selection = self.table.selectionModel().selection()
        for n in range(selection.count()):
            selection_range = selection.at(n)
            rows.extend(range(selection_range.top(), selection_range.bottom() + 1))
            if len(rows) > MAX_BULK:
                break
        return sorted(set(rows))

    def _selected_ids(self) -> list[int]:
        rows = self._selected_rows()
        if not rows:
            current = self._current_id()
            return [current] if current is not None else []
        return [i for i in (self.model.id_at(row) for row in rows) if i is not None]

    def _restore_current(self, inquiry_id: int | None, old_row: int) -> None:
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

    def _move(self, step: int) -> None:
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

    def _show_current(self, *, force: bool = False) -> None:
        """Show the table's current inquiry; ``force`` shows it again even if already shown
        (after a change or a refresh), keeping a duplicate opened from the pane."""
        current = self._current_id()
        target = current if current is not None else (self._shown_id if force else None)
        if target is None:
            self.detail.clear()
            self._shown_id = None
            self._duplicates_key = None
            return
        if target == self._shown_id and not force:
            return
        self._open_inquiry(target, mark_read=target != self._shown_id)

    def _open_inquiry(self, inquiry_id: int, *, mark_read: bool = True) -> None:
        """Show an inquiry in the pane (from the table, or a duplicate's link)."""
        if self._locked:
            return
        try:
            detail = self._store.get(inquiry_id)
            notes = self._store.notes(inquiry_id)
        except CacheError:
            self.detail.clear()
            self._shown_id = None
            self._duplicates_key = None
            return
        now = self._clock()
        wait = None
        if detail.triage.triage_status == "new":
            wait = response_wait(
                detail.received_gmt,
                now,
                self._options.response_target_hours,
                self._options.business_hours,
            )
        facts = DetailFacts(
            crisis_reasons=reasons(self._crisis.explain(detail.reason, detail.message)),
            spanish=looks_spanish(detail.reason, detail.message),
            area=service_area(detail.state, self._options.clinic_states),
            wait=wait,
            staff=self._staff_names,
            me=self._user_name,
        )
        self._shown_id = inquiry_id
        self.detail.show_inquiry(detail, notes, facts, self._options.protocol_text, now)
        self._find_duplicates(inquiry_id, detail.email, detail.phone)
        if mark_read and detail.triage.unread:
            # Opening an inquiry marks it read for the team (not an undoable action).
            if self._write(lambda: self._desk.set_unread([inquiry_id], False)) is not None:
                self.model.reload_rows()
                self._load()  # the unread count in the tab's title

    def _find_duplicates(self, inquiry_id: int, email: str, phone: str) -> None:
        keys = (email_key(email), phone_key(phone))
        # One look-up per inquiry shown (it reads every row at 50,000 inquiries), not one per
        # change made to it; a refresh after sync looks again.
        if self._shut_down or self._duplicates_key == (inquiry_id, *keys):
            return
        self._duplicates_key = (inquiry_id, *keys)
        store = self._store
        generation = self._generation
        same_email, same_phone = self.tr("same email"), self.tr("same phone")

        def work() -> list[tuple[InboxRow, str]]:
            rows = store.same_contact(inquiry_id, email_key=keys[0], phone_key=keys[1])
            return [
                (row, same_email if keys[0] and email_key(row.email) == keys[0] else same_phone)
                for row in rows
            ]

        def done(rows: list[tuple[InboxRow, str]]) -> None:
            if generation == self._generation and not self._locked:
                self.detail.set_duplicates(inquiry_id, rows)

        self._runner.run(work, done, lambda _error: None, known=(CacheError,))

    # -- triage -----------------------------------------------------------------------------------

    def _write(self, change: Callable[[], Action | None]) -> Action | None:
        """Run a change; say so when the cache refuses it. Returns the action, or None."""
        try:
            action = change()
        except CacheError as error:  # the store's messages name no field of an inquiry
            self.message_label.setText(
                self.tr("The change was not saved: %1").replace("%1", str(error))
            )
            return None
        if action is not None:
            self.changes_made.emit()
        return action

    def _run(self, change: Callable[[list[int]], Action | None], ids: Sequence[int]) -> None:
        ids = list(ids)
        if not ids or self._locked:
            return
        if len(ids) > MAX_BULK:
            self.message_label.setText(
                self.tr("Select at most %1 inquiries at a time.").replace("%1", str(MAX_BULK))
            )
            return
        action = self._write(lambda: change(ids))
        if action is None:
            return
        self._done(action)

    def _done(self, action: Action) -> None:
        self._last_action = action
        self.undo_action.setEnabled(True)
        self.message_label.setText(self._describe(action) + " " + self.tr("(Ctrl+Z to undo)"))
        self._after_change()

    def _after_change(self) -> None:
        self.model.reload_rows()
        self._show_current(force=True)
        self._load()

    def _set_status(self, status: str, ids: Sequence[int]) -> None:
        chosen = next((s for s in TRIAGE_STATUSES if s == status), None)
        ids = list(ids)
        if chosen is None or not ids or self._locked:
            return
        try:
            urgent = self._desk.urgent_among(ids)
        except CacheError:
            urgent = ()
        if chosen in ("closed", "spam") and urgent:
            self._acknowledge(chosen, ids, len(urgent))
            return
        self._run(lambda items: self._desk.set_status(items, chosen), ids)

    def _acknowledge(self, status: TriageStatus, ids: list[int], urgent: int) -> None:
        verb = self.tr("close") if status == "closed" else self.tr("mark as spam")
        dialog = AcknowledgeDialog(urgent, verb, self._options.protocol_text, self)

        def accepted() -> None:
            text = dialog.text

            def change(items: list[int]) -> Action | None:
                try:
                    return self._desk.set_status(items, status, acknowledgement=text)
                except AcknowledgementRequiredError:
                    return None

            self._run(change, ids)

        dialog.accepted.connect(accepted)
        self._open_dialog(dialog)
        dialog.text_edit.setFocus()

    def _assign(self, ids: Sequence[int]) -> None:
        ids = list(ids)
        if not ids or self._locked:
            return
        staff = self._cache.catalog.users(staff_only=True)
        current = 0
        if len(ids) == 1:
            rows = self._store.inbox_rows(ids)
            current = rows[0].assignee if rows and rows[0] is not None else 0
        dialog = AssignDialog(staff, current, self)
        dialog.accepted.connect(
            lambda: self._run(lambda items: self._desk.assign(items, dialog.assignee), ids)
        )
        self._open_dialog(dialog)
        dialog.combo.setFocus()

    def _note(self, ids: Sequence[int]) -> None:
        ids = list(ids)
        if not ids or self._locked:
            return
        dialog = NoteDialog(len(ids), self)

        def accepted() -> None:
            text = dialog.text
            actions = []
            for inquiry_id in ids:
                action = self._write(partial(self._desk.add_note, inquiry_id, text))
                if action is not None:
                    actions.append(action)
            if actions:
                steps = tuple(step for action in actions for step in action.steps)
                self._done(Action("note", steps))

        dialog.accepted.connect(accepted)
        self._open_dialog(dialog)
        dialog.text_edit.setFocus()

    def _toggle_unread(self, ids: Sequence[int]) -> None:
        rows = [r for r in self._store.inbox_rows(list(ids)) if r is not None]
        if rows:
            unread = not all(r.unread for r in rows)
            self._run(lambda items: self._desk.set_unread(items, unread), ids)

    def _toggle_urgent(self, ids: Sequence[int]) -> None:
        rows = [r for r in self._store.inbox_rows(list(ids)) if r is not None]
        if rows:
            urgent = not all(r.urgent for r in rows)
            self._run(lambda items: self._desk.set_urgent(items, urgent), ids)

    def undo(self) -> None:
        """Take back the last action (Ctrl+Z)."""
        action = self._last_action
        if action is None or self._locked:
            return
        self._last_action = None
        self.undo_action.setEnabled(False)
        try:
            result = self._desk.undo(action)
        except CacheError as error:
            self.message_label.setText(
                self.tr("The change could not be undone: %1").replace("%1", str(error))
            )
            return
        message = self.tr("Undone.")
        if result.kept_notes:
            message += " " + count_text(
                result.kept_notes,
                self.tr("A note had already reached the site and stays in the timeline."),
                self.tr("%1 notes had already reached the site and stay in the timeline."),
            )
        self.message_label.setText(message)
        self.changes_made.emit()
        self._after_change()

    def _describe(self, action: Action) -> str:
        n = action.count
        if action.kind == "status":
            rows = [r for r in self._store.inbox_rows(action.inquiry_ids[:1]) if r is not None]
            status = status_label(rows[0].triage_status) if rows else ""
            return count_text(
                n, self.tr("1 inquiry marked %2."), self.tr("%1 inquiries marked %2.")
            ).replace("%2", status.lower())
        if action.kind == "assign":
            return count_text(n, self.tr("1 inquiry assigned."), self.tr("%1 inquiries assigned."))
        if action.kind == "urgent":
            return count_text(
                n,
                self.tr("Urgent flag changed on 1 inquiry."),
                self.tr("Urgent flag changed on %1 inquiries."),
            )
        if action.kind == "unread":
            return count_text(
                n,
                self.tr("1 inquiry marked read/unread."),
                self.tr("%1 inquiries marked read/unread."),
            )
        return count_text(n, self.tr("Note added."), self.tr("Note added to %1 inquiries."))

    # -- export -----------------------------------------------------------------------------------

    def _export(self, ids: Sequence[int]) -> None:
        ids = list(ids)
        if not ids or self._locked:
            return
        if len(ids) > MAX_BULK:
            self.message_label.setText(
                self.tr("Select at most %1 inquiries at a time.").replace("%1", str(MAX_BULK))
            )
            return
        dialog = ExportDialog(len(ids), Path.home(), self)
        dialog.accepted.connect(lambda: self._write_export(ids, dialog.path))
        self._open_dialog(dialog)

    def _write_export(self, ids: Sequence[int], path: Path) -> None:
        header = [
            self.tr("Received (UTC)"),
            self.tr("First name"),
            self.tr("Last name"),
            self.tr("Email"),
            self.tr("Phone"),
            self.tr("Contact by"),
            self.tr("State"),
            self.tr("Insurance"),
            self.tr("Reason"),
            self.tr("Message"),
            self.tr("Status"),
            self.tr("Assigned to"),
            self.tr("Urgent"),
        ]
        rows = []
        for inquiry_id in ids:
            try:
                d = self._store.get(inquiry_id)
            except CacheError:
                continue
            rows.append(
                [
                    d.received_gmt.strftime("%Y-%m-%d %H:%M"),
                    d.first_name,
                    d.last_name,
                    d.email,
                    d.phone,
                    contact_label(d.preferred_contact),
                    d.state,
                    d.insurance,
                    d.reason,
                    d.message,
                    status_label(d.triage.triage_status),
                    self._staff_names.get(d.triage.assignee, "") if d.triage.assignee else "",
                    self.tr("yes") if d.triage.urgent else "",
                ]
            )
        try:
            written = write_csv(path, header, rows)
        except OSError as error:
            self.message_label.setText(
                self.tr("The file could not be written: %1").replace("%1", error.strerror or "")
            )
            return
        self.message_label.setText(
            count_text(
                written,
                self.tr("1 inquiry exported to %2 (not encrypted)."),
                self.tr("%1 inquiries exported to %2 (not encrypted)."),
            ).replace("%2", path.name)
        )

    # -- views, search, locking helpers -----------------------------------------------------------

    def _view_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        view = self.views_model.data(current, Qt.ItemDataRole.UserRole)
        if view is not None and view != self.model.query.view:
            self.model.query = replace(self.model.query, view=view)
            self._load()

    def select_view(self, view: TriageView) -> None:
        """Show one of the views (as clicking it in the list does)."""
        self.views_list.setCurrentIndex(self.views_model.index(self.views_model.row_of(view)))

    def _search(self) -> None:
        text = self.search_edit.text().strip()
        if text != self.model.query.text and not self._locked:
            self.model.query = replace(self.model.query, text=text)
            self._load()

    def _focus_search(self) -> None:
        if not self._locked:
            self.search_edit.setFocus()
            self.search_edit.selectAll()

    def _open_dialog(self, dialog: QDialog) -> None:
        self._dialogs.append(dialog)

        def finished(_result: int) -> None:
            if dialog in self._dialogs:
                self._dialogs.remove(dialog)
            dialog.deleteLater()
            if not self._locked:
                self.table.setFocus()

        dialog.finished.connect(finished)
        dialog.open()

    def _close_dialogs(self) -> None:
        """Close the open dialogs and take them out of the tab at once: what they held (a
        half-written note) must not stay readable in the widget tree until Qt deletes them."""
        for dialog in list(self._dialogs):
            dialog.reject()
            for field in dialog.findChildren(QLineEdit) + dialog.findChildren(QPlainTextEdit):
                field.clear()
            dialog.setParent(None)
        self._dialogs.clear()

    def _forget_clipboard(self) -> None:
        copied = self.detail.copied
        clipboard = QGuiApplication.clipboard()
        if copied and clipboard.text() == copied:
            clipboard.clear()
        self.detail.copied = None

    def _open_inbox(self) -> None:
        """Show the inbox (only once the passphrase was checked, or at start when the shell
        asked for an unlocked tab). Deliberately not public: nothing unlocks without it."""
        if not is_valid_hash(self._options.unlock_hash):
            self._show_locked_page()
            return
        was_locked = self._locked
        self._locked = False
        self.stack.setCurrentWidget(self.inbox_page)
        self.lock_page.reset()
        self.idle.start(self._options.idle_lock_minutes * 60_000)
        self._load()
        self.table.setFocus()
        if was_locked:
            self.lockedChanged.emit(False)

    def _show_locked_page(self) -> None:
        self._locked = True
        if is_valid_hash(self._options.unlock_hash):
            self.lock_page.reset()
            self.stack.setCurrentWidget(self.lock_page)
        else:
            self.stack.setCurrentWidget(self.setup_page)

    def _passphrase_chosen(self, stored: str) -> None:
        self.setup_page.set_current_hash(None)
        self._options = replace(self._options, unlock_hash=stored)
        self.lock_page.set_hash(stored)
        self.unlock_hash_changed.emit(stored)
        self._open_inbox()
