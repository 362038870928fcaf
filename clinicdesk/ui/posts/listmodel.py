"""The posts list: a table model over the store's pages, fetched as the view scrolls.

Sorting and filtering happen in the store (``PostStore.query``), so a cache of thousands of
posts is never read whole: the model holds the pages read so far and asks for the next one
when the view reaches the end (``canFetchMore`` / ``fetchMore``).

After a sync round the list is read again off the UI thread: :meth:`PostListModel.reader`
gives a function any thread may run, :meth:`PostListModel.show_read` shows what it read, unless
the list was read again or changed since (then the caller reads once more).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from clinicdesk.model.cached import PostSummary, SyncState
from clinicdesk.model.records import PostStatus
from clinicdesk.store import Cache, CacheError
from clinicdesk.store.post_reads import PostListSort
from clinicdesk.ui.clinic_time import format_moment
from clinicdesk.ui.plaintext import plain
from clinicdesk.ui.posts.common import status_names

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

#: Rows read from the store at a time.
PAGE_SIZE = 100
#: The role holding a row's post id (local).
POST_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
#: The role holding a row's sync state.
SYNC_STATE_ROLE = int(Qt.ItemDataRole.UserRole) + 2


@dataclass(frozen=True, slots=True)
class PostFilter:
    """What the list shows.

    Attributes:
        status: one status; None for every status but the trash.
        category: posts in this category (local id), or None.
        author: posts by this user, or None.
        words: words to search for ("" for none).
    """

    status: PostStatus | None = None
    category: int | None = None
    author: int | None = None
    words: str = ""


@dataclass(frozen=True, slots=True)
class ListRead:
    """What :meth:`PostListModel.reader` read: the list's first rows, as the model would show them.

    Attributes:
        generation: the model's generation when the read was asked for.
        rows: the rows, in the list's order.
        total: posts matching the filter (read or not).
        authors: user id -> name, for the Author column.
    """

    generation: int
    rows: tuple[PostSummary, ...]
    total: int
    authors: dict[int, str]


class PostListModel(QAbstractTableModel):
    """Posts as rows: title, status, author, publish date, last change, sync state.

    Args:
        cache: the open cache.
        parent: the owner.

    Signals:
        loadFailed(str): the cache could not be read (the message to show).
    """

    TITLE, STATUS, AUTHOR, DATE, MODIFIED, SYNC = range(6)
    _SORTS: tuple[PostListSort, ...] = ("title", "status", "author", "date", "modified", "sync")

    loadFailed = Signal(str)

    def __init__(self, cache: Cache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._rows: list[PostSummary] = []
        self._total = 0
        self._filter = PostFilter()
        self._sort: PostListSort = "modified"
        self._descending = True
        self._authors: dict[int, str] = {}
        #: Changes whenever the rows do (a read, a page more): a read asked for before is stale.
        self._generation = 0
        self.reload()

    # -- reading --------------------------------------------------------------------------------

    @property
    def post_filter(self) -> PostFilter:
        """What the list shows now."""
        return self._filter

    @property
    def total(self) -> int:
        """Posts matching the filter (loaded or not)."""
        return self._total

    def set_filter(self, post_filter: PostFilter) -> None:
        """Show other posts (the list starts again from the top)."""
        if post_filter != self._filter:
            self._filter = post_filter
            self.reload()

    def _page(self, offset: int, limit: int) -> tuple[list[PostSummary], int]:
        rows, total = _read_page(
            self._cache, self._filter, self._sort, self._descending, offset, limit
        )
        return list(rows), total

    def reload(self, keep: int = 0) -> None:
        """Read the list again (at least ``keep`` rows, so the view stays where it was)."""
        try:
            authors = _authors(self._cache)
            rows, total = self._page(0, max(PAGE_SIZE, keep))
        except CacheError as error:
            logger.warning("the posts list could not be read: %s", error.message)
            self.loadFailed.emit(error.message)
            authors, rows, total = self._authors, [], 0
        self._generation += 1
        self.beginResetModel()
        self._authors = authors
        self._rows = rows
        self._total = total
        self.endResetModel()

    def refresh(self) -> None:
        """Read again what is shown, now, on this thread (after a local change).

        When the same posts come back in the same order (an edit that changed a title or a
        badge), the rows are updated in place: the view keeps its selection and scroll
        position while the user types.
        """
        try:
            read = self.reader()()
        except CacheError as error:
            self.loadFailed.emit(error.message)
            return
        self.show_read(read)

    def reader(self) -> Callable[[], ListRead]:
        """A read of what the list shows now (its filter, order and the rows loaded so far), as
        a function to run on any thread (it touches no Qt object). Its result goes to
        :meth:`show_read`, on this model's thread.

        The function raises :class:`~clinicdesk.store.CacheError` when the cache cannot be read.
        """
        cache, post_filter, sort = self._cache, self._filter, self._sort
        descending, generation = self._descending, self._generation
        limit = max(PAGE_SIZE, len(self._rows))

        def read() -> ListRead:
            authors = _authors(cache)
            rows, total = _read_page(cache, post_filter, sort, descending, 0, limit)
            return ListRead(generation, rows, total, authors)

        return read

    def show_read(self, read: ListRead) -> bool:
        """Show what a :meth:`reader` read, as :meth:`refresh` does.

        Returns:
            False, showing nothing, when the list was read again or changed since the read was
            asked for (a filter, a sort, a page more, a local change): read again to be current.
        """
        if read.generation != self._generation:
            return False
        self._generation += 1
        rows = list(read.rows)
        if [r.id for r in rows] != [r.id for r in self._rows] or not rows:
            self.beginResetModel()
            self._authors, self._rows, self._total = read.authors, rows, read.total
            self.endResetModel()
            return True
        self._authors, self._rows, self._total = read.authors, rows, read.total
        self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, self.columnCount() - 1))
        return True

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's default)
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 (Qt's default)
        if parent.isValid():
            return
        try:
            rows, total = self._page(len(self._rows), PAGE_SIZE)
        except CacheError as error:
            self.loadFailed.emit(error.message)
            return
        known = {row.id for row in self._rows}
        # A change between two pages may shift a row into the next page: never list it twice.
        rows = [row for row in rows if row.id not in known]
        if not rows:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self._generation += 1
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._total = max(total, len(self._rows))
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (done by the store, over every post, not just those loaded).

        Asked for the order the list already has (the view asks when sorting is turned on and
        when its header is set up), nothing is read again.
        """
        if not 0 <= column < len(self._SORTS):
            return
        sort, descending = self._SORTS[column], order == Qt.SortOrder.DescendingOrder
        if (sort, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = sort, descending
        self.reload()

    # -- rows -------------------------------------------------------------------------------------

    def post_id(self, row: int) -> int | None:
        """The post shown in ``row``."""
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def row_of(self, post_id: int) -> int | None:
        """The row showing a post, if loaded."""
        return next((i for i, row in enumerate(self._rows) if row.id == post_id), None)

    def summary(self, row: int) -> PostSummary | None:
        """The summary shown in ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self._SORTS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._SORTS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (
                self.tr("Title"),
                self.tr("Status"),
                self.tr("Author"),
                self.tr("Publish date"),
                self.tr("Last change"),
                self.tr("Site"),
            )[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == POST_ID_ROLE:
            return row.id
        if role == SYNC_STATE_ROLE:
            return row.sync_state
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.SYNC:
                return self._sync_tooltip(row)
            return plain(self._text(row, column))  # titles and names come from the site
        if role == Qt.ItemDataRole.FontRole and column == self.TITLE and not row.title.strip():
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == self.SYNC:
            return _SYNC_COLOURS.get(row.sync_state)
        return None

    def _text(self, row: PostSummary, column: int) -> str:
        if column == self.TITLE:
            return row.title if row.title.strip() else self.tr("(no title)")
        if column == self.STATUS:
            return self.status_text(row.status)
        if column == self.AUTHOR:
            return self._authors.get(row.author, "")
        if column == self.DATE:
            return self._date(row.date_gmt) if row.date_gmt else self.tr("—")
        if column == self.MODIFIED:
            return self._date(row.modified_gmt)
        if row.sync_state == "rejected" and row.sync_message:
            return self.tr("Rejected by the site: %1").replace("%1", row.sync_message)
        if _unpublished(row):
            return self.tr("Changes not published")
        return self.sync_text(row.sync_state)

    def _date(self, value: datetime) -> str:
        return format_moment(value)

    def status_text(self, status: str) -> str:
        """A status as the list says it."""
        return status_names().get(status, status)

    def sync_text(self, state: SyncState) -> str:
        """A sync state as a badge."""
        return {
            "conflict": self.tr("Conflict"),
            "rejected": self.tr("Rejected by the site"),
            "deleted_on_site": self.tr("Deleted on the site"),
            "new": self.tr("Not on the site yet"),
            "modified": self.tr("Local changes"),
            "synced": "",
        }[state]

    def _sync_tooltip(self, row: PostSummary) -> str:
        if row.sync_state == "rejected" and row.sync_message:
            return self.tr("Rejected by the site: %1").replace("%1", row.sync_message)
        if _unpublished(row):
            return self.tr(
                "Saved on this computer — not on the site until you open it and click Update"
            )
        return {
            "conflict": self.tr("Changed here and on the site: open it to compare"),
            "deleted_on_site": self.tr("Deleted on the site while it had changes here"),
            "new": self.tr("Not on the site yet: sent at the next sync"),
            "modified": self.tr("Local changes: sent at the next sync"),
            "synced": self.tr("In step with the site"),
        }.get(row.sync_state, "")


_SYNC_COLOURS = {
    "conflict": QColor(190, 30, 30),
    "rejected": QColor(190, 30, 30),
    "deleted_on_site": QColor(190, 90, 0),
    "new": QColor(30, 90, 170),
    "modified": QColor(30, 90, 170),
}


def _authors(cache: Cache) -> dict[int, str]:
    return {user.id: user.name for user in cache.catalog.users()}


def _read_page(
    cache: Cache,
    post_filter: PostFilter,
    sort: PostListSort,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[tuple[PostSummary, ...], int]:
    f = post_filter
    page = cache.posts.query(
        f.status,
        category=f.category,
        author=f.author,
        words=f.words,
        sort=sort,
        descending=descending,
        limit=limit,
        offset=offset,
    )
    return tuple(page.items), page.total


def _unpublished(row: PostSummary) -> bool:
    """Edits kept off the site until Update, unless something more urgent is to be shown."""
    return row.unpublished_changes and row.sync_state in ("modified", "synced")
