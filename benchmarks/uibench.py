"""The UI figures: the inbox and the post list with N (P) cached, and the UI thread's stalls.

Qt runs offscreen. The inbox is measured through the Inquiries tab's own table model
(:class:`clinicdesk.ui.inquiries.models.InboxModel`) in a ``QTableView`` the size of the app's,
doing what the tab does when the user opens it, searches or clicks a column header: read the
view's ids from the store, hand them to the model, and paint the first screen (``grab()`` paints
the view, asking the model for every visible cell). The post list is measured the same way
through the Posts tab's model (``PostListModel``); should it not import, through the store query
it calls (``cache.posts.query``), and the output says so.

The stall figure runs a full sync through the shell's own :class:`SyncController` (its worker
thread) under the real :class:`MainWindow`, while a 10 ms timer ticks on the UI thread: the
longest gap between two ticks is the longest time the window could not react. The window is
opened as the app opens it (``freeze_long_lived`` once it is shown, as ``run_gui`` does).
The last gap ends after the window has handled the round's end: its tabs read the cache again
on their worker threads, and the heartbeat runs until both have shown what they read.
"""

from __future__ import annotations

import logging
import sys
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QEvent,
    QEventLoop,
    QMessageLogContext,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QTableView

from benchmarks.figures import Figure, at_most, figure, median, percentile
from benchmarks.site import BenchError, SiteProcess
from clinicdesk.session.accounts import Account, DataDir, SettingsStore
from clinicdesk.store import Cache, CacheKey, new_cache_key, open_account_cache
from clinicdesk.store.post_reads import PostListSort

if TYPE_CHECKING:
    from clinicdesk.ui.main_window import MainWindow
    from clinicdesk.ui.sync_worker import SyncController

logger = logging.getLogger(__name__)

#: Repetitions of the first screen (median kept) and of each sort (median kept).
FIRST_SCREEN_RUNS = 5
SORT_RUNS = 3
#: The table's size: the app's window is 1100 x 720; the table gets most of it.
VIEW_SIZE = (1000, 560)
#: The heartbeat's period, and how long it ticks with nothing running (the baseline).
HEARTBEAT_MS = 10
IDLE_SECONDS = 1.0
#: A full sync that takes longer than this is abandoned.
SYNC_TIMEOUT_S = 1800

#: 50 different inbox searches: first names, last names, both, words and prefixes of messages,
#: an email, and words no inquiry has.
INBOX_QUERIES: tuple[str, ...] = (
    "Olivia", "Noah", "Emma", "Mateo", "Priya", "Wei", "Fatima", "Kwame", "Hiroshi", "Grace",
    "Garcia", "Nguyen", "Patel", "Okafor", "Novak", "Smith", "Kim", "Rodriguez", "Lee", "White",
    "olivia smith", "noah garcia", "priya patel", "wei kim", "grace lee",
    "panic", "grief", "telehealth", "insurance", "evening appointments", "teenager",
    "sleep concentrate", "partner communication", "graduate student", "reorganisation",
    "overwhelmed", "baby", "Austin", "availability", "therapy before",
    "oli", "gar", "ngu", "pan", "tele",
    "olivia.smith", "example.com", "zebra", "quantum physics", "xylophone",
)  # fmt: skip
#: 50 different post searches: topics, title words, body words, prefixes, and no match.
POST_QUERIES: tuple[str, ...] = (
    "anxiety", "burnout", "grief", "sleep", "boundaries", "self-compassion", "parenting",
    "mindfulness", "couples", "teletherapy", "depression", "stress", "trauma", "transitions",
    "social anxiety", "perfectionism", "myths", "practical guide", "everyday life",
    "small steps", "what to expect", "therapy helps", "research", "relationship",
    "breathing", "shoulders", "breakthrough", "consultation", "obligation", "video",
    "clinicians", "crises", "techniques", "signals", "process", "school", "family",
    "understand yourself", "safe heard respected", "tight chest",
    "anx", "burn", "mind", "trau", "pers",
    "more on", "fit", "zebra", "quantum physics", "xylophone",
)  # fmt: skip
#: The post list's sorts, in its columns' order (``clinicdesk.store.posts.PostListSort``).
POST_SORTS: tuple[PostListSort, ...] = ("title", "status", "author", "date", "modified", "sync")


def _qt_message(mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    # The offscreen platform says this for every window shown; it is harmless (as in the tests).
    if "propagateSizeHints" not in message:
        sys.stderr.write(f"Qt: {message}\n")


def qt_app() -> QApplication:
    """The process's QApplication (offscreen; made once)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    qInstallMessageHandler(_qt_message)
    return QApplication(["clinicdesk-bench"])


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _timed(*actions: Callable[[], object]) -> float:
    """Seconds the actions take, one after the other."""
    started = time.perf_counter()
    for action in actions:
        action()
    return time.perf_counter() - started


@dataclass
class UiResults:
    """The UI figures of one pass, and remarks about what was measured."""

    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- the lists -----------------------------------------------------------------------------------


class ListProbe(Protocol):
    """A list (inbox or posts) driven the way its tab drives it."""

    #: Column keys, in the table's order.
    columns: list[str]

    def first_screen(self) -> float:
        """Seconds from an empty list to its first screen of rows."""

    def search(self, text: str) -> float:
        """Seconds from typing ``text`` in the search field to the first screen of results."""

    def sort(self, column: int, descending: bool) -> float:
        """Seconds from a click on a column's header to the first screen in that order
        (the search cleared first, not timed)."""

    def close(self) -> None:
        """Drop the view and the model."""


def _table() -> QTableView:
    qt_app()
    view = QTableView()
    view.setObjectName("benchTable")
    view.resize(*VIEW_SIZE)
    return view


def _paint(view: QTableView) -> None:
    """Paint the view now: every visible cell is asked of the model."""
    view.grab()


class InboxProbe:
    """The Inquiries tab's inbox model in a table view, loaded as the tab loads it.

    On every load (opening, a search, a click on a header) the tab reads, off the UI thread,
    the view's ids, the views' counts and the arrivals, then gives the ids to the model; the
    first screen is painted from rows read by page. The probe does the same, on this thread.
    """

    def __init__(self, cache: Cache) -> None:
        from clinicdesk.ui.inquiries.models import COLUMNS, InboxModel, InboxQuery
        from clinicdesk.ui.inquiries.options import InquiryOptions

        self.view = _table()
        self._query_type = InboxQuery
        self.columns = [column.key for column in COLUMNS]
        self.store = cache.inquiries
        self.model = InboxModel(self.store, lambda: datetime.now(UTC), InquiryOptions())
        self.view.setModel(self.model)
        self.view.show()
        self.model.sortRequested.connect(self._load)
        qt_app().processEvents()

    def _load(self) -> None:
        """What ``InquiriesTab.load`` reads, then ``set_ids`` as ``_loaded`` does."""
        query = self.model.query
        ids = self.store.inbox_ids(
            query.view, sort=query.sort, descending=query.descending, text=query.text
        )
        self.store.triage_counts()
        self.store.arrivals(2**62)
        self.model.set_ids(ids)

    def _paint(self) -> None:
        _paint(self.view)

    def _reset(self) -> None:
        self.model.query = self._query_type()
        self.model.set_ids(array("q"))
        qt_app().processEvents()

    def first_screen(self) -> float:
        self._reset()
        return _timed(self._load, self._paint)

    def search(self, text: str) -> float:
        self.model.query = self._query_type(text=text)
        return _timed(self._load, self._paint)

    def sort(self, column: int, descending: bool) -> float:
        if self.model.query.text:
            self._reset()
            self._load()
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        return _timed(lambda: self.model.sort(column, order), self._paint)

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        self.model.clear()


class PostsProbe:
    """The Posts tab's list model in a table view, set up as the tab sets it up.

    The tab makes the model (which reads its first page, by last change), sets the header's
    sort indicator to that order and enables sorting (which reads nothing more); searching sets
    the model's filter, a header click sorts.
    """

    def __init__(self, cache: Cache) -> None:
        from clinicdesk.ui.posts.listmodel import PostFilter, PostListModel

        self.view = _table()
        self._cache = cache
        self._model_type = PostListModel
        self._filter_type = PostFilter
        # The model's columns: TITLE, STATUS, AUTHOR, DATE, MODIFIED, SYNC.
        self.columns: list[str] = list(POST_SORTS)
        self.model: Any = None

    def _open(self) -> None:
        if self.model is not None:
            self.model.deleteLater()
        self.model = self._model_type(self._cache)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSortIndicator(
            self._model_type.MODIFIED, Qt.SortOrder.DescendingOrder
        )
        self.view.setSortingEnabled(True)

    def _paint(self) -> None:
        _paint(self.view)

    def first_screen(self) -> float:
        self.view.setModel(None)
        self.view.setSortingEnabled(False)
        qt_app().processEvents()
        return _timed(self._open, self._paint)

    def search(self, text: str) -> float:
        return _timed(lambda: self.model.set_filter(self._filter_type(words=text)), self._paint)

    def sort(self, column: int, descending: bool) -> float:
        self.model.set_filter(self._filter_type())
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        return _timed(lambda: self.view.sortByColumn(column, order), self._paint)

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()


class PostsStoreProbe:
    """The post list's store query alone, for when the Posts tab's model cannot be used."""

    def __init__(self, cache: Cache) -> None:
        self._store = cache.posts
        self.columns: list[str] = list(POST_SORTS)

    def first_screen(self) -> float:
        return _timed(lambda: self._store.query(limit=100))

    def search(self, text: str) -> float:
        return _timed(lambda: self._store.query(words=text, limit=100))

    def sort(self, column: int, descending: bool) -> float:
        sort = POST_SORTS[column]
        return _timed(lambda: self._store.query(sort=sort, descending=descending, limit=100))

    def close(self) -> None:
        pass


def _measure_list(prefix: str, probe: ListProbe, queries: Sequence[str]) -> list[Figure]:
    """First screen, search p50/p95 over ``queries``, and each column's sort."""
    try:
        first = [probe.first_screen() for _ in range(FIRST_SCREEN_RUNS)]
        searches = [probe.search(text) for text in queries]
        sorts = {
            # Ascending, descending, ascending...: each click changes the order, as on a header.
            key: median([probe.sort(n, descending=bool(run % 2)) for run in range(SORT_RUNS)])
            for n, key in enumerate(probe.columns)
        }
    finally:
        probe.close()
    return [
        figure(f"{prefix}.first_screen", _ms(median(first)), "ms", target=at_most(100, "ms")),
        figure(f"{prefix}.search.p50", _ms(percentile(searches, 0.5)), "ms"),
        figure(
            f"{prefix}.search.p95", _ms(percentile(searches, 0.95)), "ms", target=at_most(30, "ms")
        ),
        *(
            figure(f"{prefix}.sort.{key}", _ms(seconds), "ms", target=at_most(150, "ms"))
            for key, seconds in sorts.items()
        ),
    ]


def measure_inbox(cache: Cache) -> UiResults:
    """The inbox figures, through the Inquiries tab's model."""
    out = UiResults()
    out.figures = _measure_list("inbox", InboxProbe(cache), INBOX_QUERIES)
    out.notes.append(
        "inbox: the Inquiries tab's InboxModel in a "
        f"{VIEW_SIZE[0]}x{VIEW_SIZE[1]} QTableView, loaded as InquiriesTab.load does "
        "(inbox_ids + triage_counts + arrivals, then set_ids; the tab reads them on a worker "
        "thread), first screen painted with grab(); medians of "
        f"{FIRST_SCREEN_RUNS} first screens and {SORT_RUNS} sorts per column."
    )
    return out


def measure_posts(cache: Cache) -> UiResults:
    """The post list figures, through the Posts tab's model (or its store query)."""
    out = UiResults()
    probe: ListProbe
    try:
        probe = PostsProbe(cache)
        out.notes.append(
            "posts: the Posts tab's PostListModel in the same view, set up as PostsTab does "
            "(the model reads its first page by last change; the header is set to that order "
            "before sorting is enabled, so nothing is read twice)."
        )
    except ImportError as error:
        probe = PostsStoreProbe(cache)
        out.notes.append(
            f"posts: the Posts tab's model could not be used ({error}); measured on the store "
            "query its list calls, cache.posts.query(limit=100), without Qt."
        )
    out.figures = _measure_list("posts", probe, POST_QUERIES)
    return out


# -- the UI thread during a full sync -------------------------------------------------------------


class Heartbeat:
    """A precise timer on the UI thread that records when it ticks."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        """Start ticking (the first tick is now)."""
        self.ticks = [time.perf_counter()]
        self._timer.start()

    def stop(self) -> float:
        """Stop; returns the longest gap between two ticks (up to now), in seconds."""
        self._timer.stop()
        self.ticks.append(time.perf_counter())
        return max(b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False))


def _run_for(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


@contextmanager
def _signed_in_window(
    site: SiteProcess, account: Account, workdir: Path
) -> Iterator[tuple[MainWindow, SyncController]]:
    """The real ``MainWindow`` of ``account``, signed in as the site's administrator on a new
    cache in ``workdir``, with its sync controller (no round starts by itself: the interval is a
    day). On leaving, the controller is shut down (a round under way is cancelled), the window
    closed and the cache closed.
    """
    from clinicdesk.session.current import AccountSession
    from clinicdesk.ui.main_window import AppInfo, MainWindow
    from clinicdesk.ui.sync_worker import SyncController

    app = qt_app()
    data = DataDir(workdir).ensure()
    cache = open_account_cache(data.account_paths(account), CacheKey.from_bytes(new_cache_key()))
    try:
        session = AccountSession(account, site.admin.password, cache, password_saved=True)
        sync = SyncController(session, interval_minutes=24 * 60)
        window = MainWindow(session, sync, SettingsStore(data), AppInfo(data.root, None, "bench"))
        try:
            yield window, sync
        finally:
            sync.shutdown()
            window.close_without_asking()
            window.deleteLater()
            app.processEvents()
    finally:
        cache.close()


def measure_stalls(
    site: SiteProcess, account: Account, workdir: Path
) -> tuple[list[Figure], float]:
    """The longest UI-thread stall while the shell's sync worker runs a full sync of the site,
    under the main window of ``account`` (signed in as the site's administrator).

    Returns:
        The figure, and the full sync's wall time as seen from the UI thread.

    Raises:
        BenchError: the round did not succeed.
    """
    from clinicdesk.ui.heap import freeze_long_lived
    from clinicdesk.ui.sync_worker import SyncState

    app = qt_app()
    heartbeat = Heartbeat()
    with _signed_in_window(site, account, workdir) as (window, sync):
        window.show()
        freeze_long_lived()  # as run_gui does once the first window is open
        app.processEvents()
        heartbeat.start()
        _run_for(IDLE_SECONDS)
        idle = heartbeat.stop()

        loop = QEventLoop()
        outcome: dict[str, Any] = {}

        tabs = [tab for tab in (window.posts_tab, window.inquiries_tab) if tab is not None]
        # Once the round is over: until both tabs show what they read of the cache after it
        # (a locked Inquiries tab reads its counts and says nothing when done, hence a check).
        settling = QTimer()
        settling.setInterval(2)
        settling.timeout.connect(lambda: None if any(tab.loading for tab in tabs) else loop.quit())

        def status_changed(status: Any) -> None:
            if status.state is not SyncState.SYNCING and not sync.running:
                outcome["state"] = status.state
                outcome["detail"] = status.detail
                settling.start()  # its first check comes after the round's slots have run

        sync.statusChanged.connect(status_changed)
        QTimer.singleShot(SYNC_TIMEOUT_S * 1000, loop.quit)
        heartbeat.start()
        started = time.perf_counter()
        sync.sync_now()
        loop.exec()
        seconds = time.perf_counter() - started
        stall = heartbeat.stop()
        settling.stop()
        if outcome.get("state") is not SyncState.SYNCED:
            raise BenchError(
                f"The sync under the window did not succeed: {outcome or 'timed out'}."
            )
    return [
        figure(
            "ui.max_stall",
            _ms(stall),
            "ms",
            baseline=_ms(idle),
            target=at_most(50, "ms"),
        )
    ], seconds


#: Rows of the inbox that count as "the newest screenful" (what a usual window shows at once).
SCREENFUL = 20
#: The unlock passphrase the benchmark chooses before signing in (a real user chooses one at the
#: first sign-in; it is chosen before the clock starts).
_BENCH_PASSPHRASE = "benchmark unlock phrase"  # noqa: S105 (not a secret: a throwaway cache)


class _PaintWatch(QObject):
    """Calls ``done`` at the first paint of a widget once ``ready()`` is true."""

    def __init__(self, ready: Callable[[], bool], done: Callable[[], None]) -> None:
        super().__init__()
        self._ready = ready
        self._done = done
        self.fired = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.fired and event.type() == QEvent.Type.Paint and self._ready():
            self.fired = True
            # After this paint has been handled: the rows are on screen.
            QTimer.singleShot(0, self._done)
        return False


def measure_first_inquiries(
    site: SiteProcess, account: Account, workdir: Path, *, inquiries: int
) -> list[Figure]:
    """From sign-in (the first round of an empty cache starts) to the newest screenful of
    inquiries painted in the unlocked inbox of the real ``MainWindow``; the round is then
    cancelled (the rest of the download is the full-sync figures' business).

    Raises:
        BenchError: the inbox did not show a screenful in time.
    """
    app = qt_app()
    # Leaving the window stops the sync controller: that cancels the rest of the first download.
    with _signed_in_window(site, account, workdir) as (window, sync):
        window.resize(*VIEW_SIZE)
        window.show()
        tab = window.inquiries_tab
        if tab is None:
            raise BenchError("The benchmark's user has no Inquiries tab.")
        window.show_tab(1)
        tab.setup_page.passphrase_edit.setText(_BENCH_PASSPHRASE)
        tab.setup_page.confirm_edit.setText(_BENCH_PASSPHRASE)
        tab.setup_page.choose_button.click()
        app.processEvents()
        want = min(SCREENFUL, inquiries)
        loop = QEventLoop()
        painted: list[float] = []

        def done() -> None:
            painted.append(time.perf_counter())
            loop.quit()

        watch = _PaintWatch(lambda: tab.model.rowCount() >= want, done)
        tab.table.viewport().installEventFilter(watch)
        QTimer.singleShot(SYNC_TIMEOUT_S * 1000, loop.quit)
        started = time.perf_counter()
        sync.sync_now()
        loop.exec()
        tab.table.viewport().removeEventFilter(watch)
        if not painted:
            raise BenchError("The inbox never showed its first screenful during the first sync.")
        seconds = painted[0] - started
    return [
        figure(
            "signin.first_inquiries",
            seconds,
            "s",
            target=at_most(2.0, "s"),
        )
    ]
