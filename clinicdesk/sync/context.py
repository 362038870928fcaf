"""What one round carries between its steps: the client, the cache, options, and the tallies.

Internal to :mod:`clinicdesk.sync`; the public face is :mod:`clinicdesk.sync.engine`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from clinicdesk.site import (
    ForbiddenError,
    InvalidResponseError,
    PluginMissingError,
    RateLimitedError,
    RefusedRecord,
    ServerError,
    SignedOutError,
    SiteClient,
    SiteError,
    TimedOutError,
    UnreachableError,
)
from clinicdesk.store import Cache
from clinicdesk.sync.report import (
    ErrorKind,
    IssueKind,
    RecordIssue,
    SyncError,
    SyncPhase,
    SyncProgress,
    UnreadableRecord,
)

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[SyncProgress], None]


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """How the engine paces itself.

    Attributes:
        per_page: records per page (WordPress allows at most 100; fewer pages, fewer requests).
        note_overlap: notes re-read below the highest id seen (ids may become visible out of
            order under concurrent writes).
        sweep_interval: the deletion sweep runs at most this often...
        sweep_every_rounds: ...or after this many rounds without one, whichever comes first.
        listing_passes: passes over a changed-records listing when paging showed that records
            moved while it was read (the sweep catches anything still missed).
        media_per_round: images posts refer to that are fetched per round, at most.
        confirm_per_round: records missing from a sweep (or changed behind its back) that are
            re-read per round, at most; the rest wait for the next sweep.
        backoff: the first wait after a failed round, in seconds; it doubles per failure...
        max_backoff: ...up to this.
        max_wait_per_round: the most, in seconds, that all the waits between retries of one
            round add up to (a 429's ``Retry-After``, backoffs); past it a request fails at
            once and the round ends, to be tried again after ``retry_after``. Each request's
            own cap is :attr:`clinicdesk.site.RetryPolicy.max_wait`.
    """

    per_page: int = 100
    note_overlap: int = 50
    sweep_interval: timedelta = timedelta(minutes=15)
    sweep_every_rounds: int = 20
    listing_passes: int = 3
    media_per_round: int = 50
    confirm_per_round: int = 500
    backoff: float = 30.0
    max_backoff: float = 15 * 60.0
    max_wait_per_round: float = 120.0


class Cancelled(Exception):
    """The caller asked the round to stop (raised between two steps)."""


class Deferred(Exception):
    """This change cannot go now (it waits for another record); others may."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def error_kind(error: SiteError) -> ErrorKind:
    """The report's kind for a site error."""
    if isinstance(error, SignedOutError):
        return "signed_out"
    if isinstance(error, TimedOutError):
        return "timed_out"
    if isinstance(error, UnreachableError):
        return "offline"
    if isinstance(error, RateLimitedError):
        return "rate_limited"
    if isinstance(error, ServerError):
        return "server"
    if isinstance(error, PluginMissingError):
        return "plugin_missing"
    if isinstance(error, ForbiddenError):
        return "forbidden"
    if isinstance(error, InvalidResponseError):
        return "invalid_response"
    # OutcomeUnknownError and anything else on the wire: the site did not say.
    cause = getattr(error, "cause", None)
    return error_kind(cause) if isinstance(cause, SiteError) else "server"


class Round:
    """The state of one running round.

    Attributes:
        client: the signed-in site client (used by this thread only).
        cache: the account's cache.
        options: pacing.
        now: the round's start time (UTC), for cursors and the sweep cadence.
        pulled: records new or changed here, per kind.
        new_inquiries: site ids of inquiries stored for the first time this round.
        pushed: outbox entries the site accepted.
        merged: records merged with a newer site version.
        issues: records that need the user, by kind.
        errors: failures worth reporting.
        unreadable: records this round could not read and could not keep aside (no readable
            id); those with an id are in the cache's quarantine.
    """

    def __init__(
        self,
        client: SiteClient,
        cache: Cache,
        options: SyncOptions,
        now: datetime,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.options = options
        self.now = now
        self._progress = progress
        self._cancel = cancel
        self.pulled: dict[str, int] = {}
        self.new_inquiries: list[int] = []
        self.pushed = 0
        self.merged = 0
        self.issues: dict[IssueKind, list[RecordIssue]] = {}
        self.errors: list[SyncError] = []
        self.unreadable: list[UnreadableRecord] = []

    @property
    def cancelled(self) -> bool:
        """Whether the caller asked the round to stop."""
        return self._cancel is not None and self._cancel.is_set()

    def check_cancel(self) -> None:
        """Raise :class:`Cancelled` if the caller asked to stop."""
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled

    def progress(
        self, phase: SyncPhase, message: str, done: int | None = None, total: int | None = None
    ) -> None:
        """Tell the caller where the round is (a failing callback does not stop the round)."""
        if self._progress is None:
            return
        try:
            self._progress(SyncProgress(phase, message, done, total))
        except Exception:
            # A broken progress display must not leave the outbox half-sent.
            logger.exception("the sync progress callback failed")

    def count_pulled(self, kind: str, count: int) -> None:
        """Add ``count`` records of ``kind`` that were new or changed."""
        if count:
            self.pulled[kind] = self.pulled.get(kind, 0) + count

    def issue(
        self,
        kind: IssueKind,
        entity: str,
        local_id: int | None,
        remote_id: int | None,
        message: str,
    ) -> None:
        """Note a record that needs the user."""
        self.issues.setdefault(kind, []).append(
            RecordIssue(kind, entity, local_id, remote_id, message)
        )

    def unreadable_without_id(self, refused: Iterable[RefusedRecord]) -> None:
        """Note records that could not be read, not even their id (reported this round only)."""
        self.unreadable.extend(UnreadableRecord(r.kind, None, r.reason) for r in refused)

    def error(self, error: SiteError | SyncError) -> None:
        """Note a failure (once per kind and message)."""
        item = (
            error
            if isinstance(error, SyncError)
            else SyncError(error_kind(error), error.message, error.status)
        )
        if item not in self.errors:
            self.errors.append(item)
