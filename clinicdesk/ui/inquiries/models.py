"""The Qt models of the Inquiries tab's inbox: the table of inquiries and the list of views
(the detail pane's timeline and likely duplicates are in :mod:`.timeline`).

The inbox never holds every inquiry: it holds the ordered ids of the view (8 bytes each, read off
the UI thread by the tab) and reads rows a page at a time by primary key when the view asks for
them, keeping a few pages. Sorting and searching happen in the store.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication

from clinicdesk.domain.inquiry_rules import response_wait, service_area
from clinicdesk.store.inbox import InboxRow, InboxSort, TriageView
from clinicdesk.store.inquiries import InquiryStore
from clinicdesk.ui.inquiries.options import (
    InquiryOptions,
    ago,
    contact_label,
    duration,
    local_time,
    short_time,
    status_label,
)
from clinicdesk.ui.theme import OVERDUE_TINT, URGENT_TINT, urgent_text_color

AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

#: Rows read per page, and pages kept (the rest are read again when scrolled back to).
PAGE_SIZE = 100
MAX_PAGES = 12

#: The role giving a row's local id.
IdRole = Qt.ItemDataRole.UserRole + 1
#: The role giving a row's :class:`InboxRow`.
RowRole = Qt.ItemDataRole.UserRole + 2

# Soft tints that read on light and dark palettes alike.
_URGENT_TINT = QBrush(URGENT_TINT)
_OVERDUE_TINT = QBrush(OVERDUE_TINT)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the inbox: its header and the store sort it uses."""

    key: str
    sort: InboxSort


COLUMNS: tuple[Column, ...] = (
    Column("received", "received"),
    Column("waiting", "received"),
    Column("name", "name"),
    Column("reason", "reason"),
    Column("insurance", "insurance"),
    Column("state", "state"),
    Column("contact", "contact"),
    Column("status", "status"),
    Column("assignee", "assignee"),
    Column("unread", "unread"),
    Column("urgent", "urgent"),
)
COLUMN_INDEX = {column.key: n for n, column in enumerate(COLUMNS)}


@dataclass(frozen=True, slots=True)
class InboxQuery:
    """What the inbox shows: a view, searched and sorted."""

    view: TriageView = "all"
    sort: InboxSort = "received"
    descending: bool = True
    text: str = ""
    #: Only this reason (None: any).
    reason: str | None = None
    #: Only inquiries assigned to this site user, 0 for nobody (None: anyone or nobody).
    assignee: int | None = None


class InboxModel(QAbstractTableModel):
    """The inbox table: a view's ids, with rows read by page on demand.

    Args:
        store: the cache's inquiries.
        clock: the current time (aware UTC).
        options: the clinic's states and response target.
        staff_names: site user id -> name, for the assignee column.
        parent: the owner.

    Signals:
        sortRequested(): the user sorted by a column; read the ids again for :attr:`query`.
        rowsMissing(): a row read by page was gone (deleted meanwhile); read the ids again.
    """

    sortRequested = Signal()
    rowsMissing = Signal()

    def __init__(
        self,
        store: InquiryStore,
        clock: Callable[[], datetime],
        options: InquiryOptions,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._options = options
        self._ids: array[int] = array("q")
        self._pages: OrderedDict[int, list[InboxRow | None]] = OrderedDict()
        self._staff: Mapping[int, str] = {}
        self._now = clock()
        self._overdue_cache: dict[tuple[int, datetime], bool] = {}
        self.query = InboxQuery()
        self._bold = QFont()
        self._bold.setBold(True)
        self.pages_read = 0
        self._headers = (
            self.tr("Received"),
            self.tr("Waiting"),
            self.tr("Name"),
            self.tr("Reason"),
            self.tr("Insurance"),
            self.tr("State"),
            self.tr("Contact by"),
            self.tr("Status"),
            self.tr("Assigned to"),
            self.tr("Unread"),
            self.tr("Urgent"),
        )

    # -- what the tab sets ------------------------------------------------------------------------

    @property
    def ids(self) -> array[int]:
        """The ids of the rows, in order."""
        return self._ids

    def set_ids(self, ids: array[int]) -> bool:
        """Show these ids (from ``InquiryStore.inbox_ids`` for :attr:`query`).

        Returns:
            True when the rows changed (the model was reset: selections are gone), False when
            only their contents may have (the rows are read again, selections kept).
        """
        self._now = self._clock()
        self._overdue_cache.clear()
        if ids == self._ids:
            self._pages.clear()
            if self._ids:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1)
                )
            return False
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self.endResetModel()
        return True

    def clear(self) -> None:
        """Forget every row (the tab locked): nothing of an inquiry stays in the model."""
        self.beginResetModel()
        self._ids = array("q")
        self._pages.clear()
        self._overdue_cache.clear()
        self._staff = {}
        self.endResetModel()

    def set_staff(self, names: Mapping[int, str]) -> None:
        """Names of site users, for the assignee column."""
        self._staff = dict(names)
        self._emit_column("assignee")

    def set_options(self, options: InquiryOptions) -> None:
        """New settings (the states, the response target)."""
        self._options = options
        self.tick()

    def tick(self) -> None:
        """Time moved on: "received" and "waiting" are shown again with the clock's time."""
        self._now = self._clock()
        self._overdue_cache.clear()
        for key in ("received", "waiting", "state"):
            self._emit_column(key)
        if self._ids:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._ids) - 1, len(COLUMNS) - 1),
                [Qt.ItemDataRole.BackgroundRole],
            )

    def reload_rows(self) -> None:
        """Read the rows again (their contents changed, not which ones are shown)."""
        self.set_ids(self._ids)

    # -- reading ----------------------------------------------------------------------------------

    def id_at(self, row: int) -> int | None:
        """The local id of a row."""
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, inquiry_id: int) -> int | None:
        """The row showing an inquiry, if the view has it."""
        try:
            return self._ids.index(inquiry_id)
        except ValueError:
            return None

    def row_at(self, row: int) -> InboxRow | None:
        """The inquiry in a row, read with its page when needed."""
        if not 0 <= row < len(self._ids):
            return None
        number, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(number)
        if page is None:
            start = number * PAGE_SIZE
            page = self._store.inbox_rows(self._ids[start : start + PAGE_SIZE])
            self.pages_read += 1
            self._pages[number] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
            if any(item is None for item in page):
                self.rowsMissing.emit()
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    @property
    def rows_in_memory(self) -> int:
        """How many rows the model holds right now (at most MAX_PAGES * PAGE_SIZE)."""
        return sum(len(page) for page in self._pages.values())

    # -- QAbstractTableModel ----------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return self._headers[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        query = InboxQuery(self.query.view, COLUMNS[column].sort, descending, self.query.text)
        if query != self.query:
            self.query = query
            self.sortRequested.emit()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.column() < len(COLUMNS):
            return None
        if role == IdRole:
            return self.id_at(index.row())
        if role not in _ROLES:
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == RowRole:
            return row
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if row.unread or (key == "urgent" and row.urgent) else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        text = self._text(row, key)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return text or self.tr("none")
        return text

    # -- helpers ----------------------------------------------------------------------------------

    def _emit_column(self, key: str) -> None:
        if self._ids:
            column = COLUMN_INDEX[key]
            self.dataChanged.emit(self.index(0, column), self.index(len(self._ids) - 1, column))

    def _overdue(self, row: InboxRow) -> bool:
        if row.triage_status != "new":
            return False
        # Asked for every cell of a row on each paint: worked out once per row and tick.
        key = (row.id, row.received_gmt)
        overdue = self._overdue_cache.get(key)
        if overdue is None:
            overdue = response_wait(
                row.received_gmt,
                self._now,
                self._options.response_target_hours,
                self._options.business_hours,
            ).overdue
            self._overdue_cache[key] = overdue
        return overdue

    def _background(self, row: InboxRow) -> QBrush | None:
        if row.urgent and row.triage_status not in ("closed", "spam"):
            return _URGENT_TINT
        if self._overdue(row):
            return _OVERDUE_TINT
        return None

    def _text(self, row: InboxRow, key: str) -> str:
        if key == "received":
            return ago(row.received_gmt, self._now)
        if key == "waiting":
            if row.triage_status != "new":
                return ""
            waited = duration(self._now - row.received_gmt)
            if self._overdue(row):
                return self.tr("Overdue: %1").replace("%1", waited)
            return waited
        if key == "name":
            return f"{row.first_name} {row.last_name}".strip()
        if key == "reason":
            return row.reason
        if key == "insurance":
            return row.insurance
        if key == "state":
            area = service_area(row.state, self._options.clinic_states)
            if area == "outside":
                return self.tr("%1 (outside)").replace("%1", row.state)
            return row.state if area == "inside" else self.tr("—")
        if key == "contact":
            return contact_label(row.preferred_contact)
        if key == "status":
            return status_label(row.triage_status)
        if key == "assignee":
            if not row.assignee:
                return ""
            return self._staff.get(row.assignee) or self.tr("User %1").replace(
                "%1", str(row.assignee)
            )
        if key == "unread":
            return self.tr("Unread") if row.unread else ""
        if key == "urgent":
            return self.tr("Urgent") if row.urgent else ""
        return ""

    def _tooltip(self, row: InboxRow, key: str) -> str | None:
        # Never text from the form here: a tooltip renders anything that looks like HTML.
        if key == "received":
            return local_time(row.received_gmt)
        if key == "waiting" and row.triage_status == "new":
            wait = response_wait(
                row.received_gmt,
                self._now,
                self._options.response_target_hours,
                self._options.business_hours,
            )
            template = (
                self.tr("Past the first-response target since %1")
                if wait.overdue
                else self.tr("First response due by %1")
            )
            return template.replace("%1", short_time(wait.due))
        if key == "state":
            area = service_area(row.state, self._options.clinic_states)
            if area == "outside":
                return self.tr("Outside the clinic's service area")
            if area == "unknown":
                return self.tr("State not given")
        if key == "urgent" and row.urgent:
            return self.tr("Flagged urgent: may be in crisis")
        return None


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.BackgroundRole,
        RowRole,
    }
)


@dataclass(frozen=True, slots=True)
class ViewItem:
    """One entry of the list of views."""

    view: TriageView
    label: str


class ViewsModel(QAbstractListModel):
    """The list of inbox views with how many inquiries each holds.

    Args:
        parent: the owner.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: tuple[ViewItem, ...] = (
            ViewItem("urgent", self.tr("Urgent")),
            ViewItem("new", self.tr("New")),
            ViewItem("mine", self.tr("Mine")),
            ViewItem("unassigned", self.tr("Unassigned")),
            ViewItem("waiting", self.tr("Waiting")),
            ViewItem("scheduled", self.tr("Scheduled")),
            ViewItem("referred", self.tr("Referred")),
            ViewItem("closed", self.tr("Closed")),
            ViewItem("spam", self.tr("Spam")),
            ViewItem("all", self.tr("All")),
        )
        self._counts: dict[TriageView, int] = {}
        self._tips: dict[str, str] = {
            "urgent": self.tr("Flagged urgent and not closed"),
            "new": self.tr("Not contacted yet"),
            "mine": self.tr("Assigned to you and not closed"),
            "unassigned": self.tr("Nobody assigned and not closed"),
            "waiting": self.tr("Contacted, not yet scheduled"),
            "scheduled": self.tr("A first appointment is booked"),
            "referred": self.tr("Not a fit: referred elsewhere"),
            "closed": self.tr("Closed"),
            "spam": self.tr("Marked as spam"),
            "all": self.tr("Every inquiry in the inbox"),
        }
        self._bold = QFont()
        self._bold.setBold(True)

    def set_counts(self, counts: Mapping[TriageView, int]) -> None:
        """New counts for the badges."""
        if dict(counts) != self._counts:
            self._counts = dict(counts)
            if self.items:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1, 0))

    def row_of(self, view: TriageView) -> int:
        """The row of a view."""
        return next(n for n, item in enumerate(self.items) if item.view == view)

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        count = self._counts.get(item.view)
        if role == Qt.ItemDataRole.DisplayRole:
            return item.label if count is None else f"{item.label}  ({count})"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if count is None:
                return item.label
            return self.tr("%1, %2 inquiries").replace("%1", item.label).replace("%2", str(count))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips.get(item.view)
        if role == Qt.ItemDataRole.FontRole and item.view == "urgent" and count:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and item.view == "urgent" and count:
            # Read at paint time: it follows the light or dark palette in use.
            return QBrush(urgent_text_color(QGuiApplication.palette()))
        if role == Qt.ItemDataRole.UserRole:
            return item.view
        return None
