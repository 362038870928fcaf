"""Background sync: when rounds run, running them off the UI thread, and what the UI is told.

A round runs at start, every N minutes (the setting), a few seconds after local edits (debounced:
a burst of typing makes one round), and on demand (F5, the toolbar button). Rounds never overlap:
one asked for while another runs starts right after it. Each round gets its own
:class:`~clinicdesk.site.SiteClient` on the worker thread (a ``requests`` session is not
thread-safe); the cache is shared (it is).
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal

from clinicdesk.model.errors import user_message
from clinicdesk.services.syncround import (
    ProgressCallback,
    RoundProgress,
    RoundResult,
    SyncUnavailableError,
    run_round,
)
from clinicdesk.session.accounts import Account
from clinicdesk.session.current import AccountSession
from clinicdesk.site import (
    RateLimitedError,
    SignedOutError,
    SiteClient,
    SiteError,
    UnreachableError,
)
from clinicdesk.store import Cache, CacheError
from clinicdesk.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: A local edit starts a round this long after the last keystroke.
DEFAULT_DEBOUNCE_MS = 4_000

RoundFunction = Callable[..., RoundResult]


class SyncState(enum.Enum):
    """Where sync stands, as the status bar shows it."""

    NOT_YET = "not-yet"  # no round finished since start
    SYNCING = "syncing"
    SYNCED = "synced"  # the last round succeeded: online
    OFFLINE = "offline"  # the site could not be reached: working offline
    SIGNED_OUT = "signed-out"  # the site refused the password: sign in again
    FAILED = "failed"  # the site or the cache failed; the next round tries again
    UNAVAILABLE = "unavailable"  # this build has no sync engine


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """Everything the status bar shows about sync.

    Attributes:
        state: the state.
        pending: local changes waiting to be sent.
        last_success: when the last round succeeded (UTC), or None.
        progress: the running round's progress, or None.
        detail: the error's message (plain text from the site client), or "".
        retry_after: for FAILED after a 429: seconds the site asked to wait, or None.
        unreadable: records of the site the last round could not read (kept aside, the rest
            synced), as sentences ("1 post could not be read (id 12): ..."), or ().
        previous: the state before the running round (to show offline/online while syncing).
    """

    state: SyncState
    pending: int = 0
    last_success: datetime | None = None
    progress: RoundProgress | None = None
    detail: str = ""
    retry_after: float | None = None
    previous: SyncState = SyncState.NOT_YET
    unreadable: tuple[str, ...] = ()

    @property
    def online(self) -> bool | None:
        """True when the site answered last time, False when it did not, None when unknown."""
        state = self.previous if self.state is SyncState.SYNCING else self.state
        if state in (SyncState.SYNCED, SyncState.SIGNED_OUT, SyncState.FAILED):
            return True
        if state is SyncState.OFFLINE:
            return False
        return None


class SyncController(QObject):
    """Schedules sync rounds and runs them on a worker thread.

    Args:
        session: the open account (its password signs the requests; its cache is synced).
        interval_minutes: minutes between automatic rounds.
        debounce_ms: the delay between a local edit and its round.
        round_function: the round to run (``services.syncround.run_round``; tests may slow it down).
        client_factory: makes the site client for a round.
        parent: the owner.

    Signals:
        statusChanged(SyncStatus): any change: state, progress, waiting changes.
        roundFinished(RoundResult): a round succeeded (views re-read the cache).
    """

    statusChanged = Signal(object)
    roundFinished = Signal(object)
    _progressFromWorker = Signal(object)

    def __init__(
        self,
        session: AccountSession,
        *,
        interval_minutes: int,
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        round_function: RoundFunction = run_round,
        client_factory: Callable[[str, str, str], SiteClient] = SiteClient,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncController")
        self._session = session
        self._round_function = round_function
        self._client_factory = client_factory
        self._runner = TaskRunner(max_threads=1, name="sync", parent=self)
        self._cancel = threading.Event()
        self._running = False
        self._again = False
        self._paused = False
        self._closed = False
        self._status = SyncStatus(
            SyncState.NOT_YET, pending=self._count_pending(), last_success=self._last_success()
        )

        self._interval = QTimer(self)
        self._interval.setObjectName("syncIntervalTimer")
        self.set_interval(interval_minutes)
        self._interval.timeout.connect(self.sync_now)
        self._debounce = QTimer(self)
        self._debounce.setObjectName("syncDebounceTimer")
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.sync_now)
        self._progressFromWorker.connect(self._on_progress)

    # -- state ------------------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        return self._status

    @property
    def running(self) -> bool:
        """Whether a round is running now."""
        return self._running

    @property
    def interval_ms(self) -> int:
        """The regular interval between automatic rounds."""
        return self._interval_ms

    def _set_status(self, status: SyncStatus) -> None:
        self._status = status
        self.statusChanged.emit(status)

    def _last_success(self) -> datetime | None:
        """When a round last succeeded, as the cache remembers it (from an earlier run too)."""
        try:
            return self._session.cache.last_sync_success()
        except CacheError as error:
            logger.warning("cannot read the last sync time: %s", type(error).__name__)
            return None

    def _count_pending(self, fallback: int = 0) -> int:
        try:
            return self._session.pending_changes()
        except CacheError as error:
            logger.warning("cannot count waiting changes: %s", type(error).__name__)
            return fallback

    # -- scheduling -------------------------------------------------------------------------

    def start(self) -> None:
        """Run the first round now and the next ones every interval."""
        self._paused = False
        self._interval.start()
        self.sync_now()

    def set_interval(self, minutes: int) -> None:
        """Minutes between automatic rounds (from the next one on)."""
        self._interval_ms = max(1, minutes) * 60_000
        self._interval_restore = False
        self._interval.setInterval(self._interval_ms)

    def local_change(self) -> None:
        """A local edit was saved: count it now, and sync a few seconds after the last one."""
        self._set_status(replace(self._status, pending=self._count_pending(self._status.pending)))
        if not self._paused:
            self._debounce.start()

    def sync_now(self) -> None:
        """Run a round now (or right after the one running)."""
        self._debounce.stop()
        if self._running:
            self._again = True
            return
        if self._closed:
            return
        self._running = True
        self._again = False
        self._cancel.clear()
        previous = (
            self._status.previous if self._status.state is SyncState.SYNCING else self._status.state
        )
        self._set_status(
            replace(
                self._status,
                state=SyncState.SYNCING,
                progress=RoundProgress(self.tr("Starting")),
                previous=previous,
                detail="",
            )
        )
        account, password, cache = (
            self._session.account,
            self._session.password,
            self._session.cache,
        )
        self._runner.run(
            lambda: self._round(account, password, cache),
            self._on_done,
            self._on_error,
            known=(SiteError, CacheError, SyncUnavailableError),
        )

    def resume(self, password: str) -> None:
        """Signed in again: use the new password and start syncing again."""
        self._session.password = password
        self.start()

    def shutdown(self, timeout_ms: int = 15_000) -> bool:
        """Stop the timers, cancel a running round, and wait for it to end.

        The cancel reaches the round's requests (a request on the wire is cut, a wait between
        retries ends), so the wait is short even when the site is stuck.

        Returns:
            True when no round runs any more; False when one still ran after ``timeout_ms``
            (its cache must then stay open).
        """
        self._interval.stop()
        self._debounce.stop()
        self._cancel.set()
        self._closed = True
        return self._runner.shutdown(timeout_ms)

    # -- the round (worker thread) ----------------------------------------------------------

    def _round(self, account: Account, password: str, cache: Cache) -> RoundResult:
        progress: ProgressCallback = self._progressFromWorker.emit
        with self._client_factory(account.site_url, account.username, password) as client:
            # The bridge flags crisis language in new arrivals here too, off the UI thread.
            return self._round_function(
                client,
                cache,
                progress=progress,
                cancel=self._cancel,
                author=account.user_id,
                author_name=account.display_name,
            )

    # -- results (UI thread) ----------------------------------------------------------------

    def _on_progress(self, step: RoundProgress) -> None:
        if self._running:
            self._set_status(replace(self._status, progress=step))

    def _finish(self, status: SyncStatus) -> None:
        self._running = False
        self._set_status(
            replace(status, progress=None, pending=self._count_pending(self._status.pending))
        )
        if self._again and not self._paused:
            self.sync_now()

    def _on_done(self, result: RoundResult) -> None:
        logger.info("sync round ended: %s", result.outcome)
        status = replace(
            self._status,
            detail=result.detail,
            retry_after=result.retry_after,
            unreadable=result.unreadable,
        )
        if result.outcome == "ok":
            status = replace(status, state=SyncState.SYNCED, last_success=datetime.now(UTC))
        elif result.outcome == "signed_out":
            status = replace(status, state=SyncState.SIGNED_OUT)
            self._pause()
        elif result.outcome == "offline":
            status = replace(status, state=SyncState.OFFLINE)
        elif result.outcome in ("cancelled", "busy"):
            # Nothing was learnt about the site: show what was known before the round.
            status = replace(status, state=self._status.previous)
        else:
            status = replace(status, state=SyncState.FAILED)
        if result.retry_after and result.outcome != "signed_out":
            # The engine backs off after failures; never sooner than it asks, and never later
            # than the regular interval.
            delay = min(int(result.retry_after * 1000), self._interval.interval())
            self._interval.start(max(delay, 1000))
            self._interval_restore = True
        elif self._interval_restore and not self._paused:
            self._interval_restore = False
            self._interval.start(self._interval_ms)
        self._finish(status)
        self.roundFinished.emit(result)
        if result.flagged:
            # New arrivals were flagged urgent after the round: send the flags soon, so the
            # rest of the team sees them (a burst of edits still makes one round).
            self.local_change()

    def _pause(self) -> None:
        # Automatic rounds would only be refused again until the user signs in.
        self._paused = True
        self._interval.stop()
        self._debounce.stop()
        self._again = False

    def _on_error(self, error: BaseException) -> None:
        state = SyncState.FAILED
        detail = user_message(error)
        retry_after: float | None = None
        if isinstance(error, SignedOutError):
            state = SyncState.SIGNED_OUT
            self._pause()
        elif isinstance(error, UnreachableError):
            state = SyncState.OFFLINE
        elif isinstance(error, SyncUnavailableError):
            state = SyncState.UNAVAILABLE
        elif isinstance(error, RateLimitedError):
            retry_after = error.retry_after
        logger.warning("sync round stopped: %s", type(error).__name__)
        self._finish(replace(self._status, state=state, detail=detail, retry_after=retry_after))
