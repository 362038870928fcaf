"""One sync round: sign-in check, pull, sweep when due, push; a typed report at the end.

:func:`run_round` (or :meth:`SyncEngine.run_round`) is the only entry point. It is meant for a
worker thread: it never touches Qt, reports progress through a callback (called on its own
thread), stops between two steps when ``cancel`` is set, and only ever reads and writes the cache
through short transactions, so the UI thread keeps reading it meanwhile. Listings are fetched one
page ahead by a helper thread of the round's own (with a fork of the client); during the push,
another stores each change's outcome and claims the next change while the site answers
(:mod:`clinicdesk.sync.push`); progress and everything else happen on the calling thread.

Order of a round, and why:

1. **Lock** the account (:mod:`clinicdesk.sync.lock`): two engines would send every change twice.
2. **Sign-in check** (``users/me``): a 401 stops everything before anything is sent; the
   capabilities decide what is pulled (inquiries only with ``clinicdesk_manage_inquiries``), and
   the report carries them (``SyncReport.access``) for the caller to keep with the account.
3. **Inquiries and their notes** first, in every round: the inbox exists so that a person who
   writes in crisis is seen within minutes. The first time, the newest inquiries come first
   (:func:`~clinicdesk.sync.pull.pull_inquiries`), each page stored as it arrives.
4. **Push** the outbox (:mod:`clinicdesk.sync.push`): triage changes leave without waiting for
   the post catalogue. The push re-reads each record it writes, so it needs no fresh listing.
5. **Pull** the catalog (terms, users, staff) on the first and sweep rounds, posts
   incrementally (the whole site the first time), scheduled posts that should have been
   published, and the images posts refer to.
6. **Sweep** for permanent deletions, at most every ``sweep_interval`` or ``sweep_every_rounds``
   rounds (kept in the cursor table).

Each of these steps stands on its own: a listing that fails (a server error on the posts, a
page cache that ignores ``?page=``) is reported in ``SyncReport.errors`` and the round goes on
with the next step; only a failure that concerns the whole site (signed out, unreachable,
asked to slow down) stops it. A round in which a step failed ends ``failed`` (the status bar
says why), with everything the other steps did kept. Within a listing, a record that cannot be
read is put aside (``SyncReport.unreadable``, kept in the cache until a later version of it
reads) and the others are stored.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar

from clinicdesk.site import (
    CAP_MANAGE_INQUIRIES,
    CertificateError,
    ForbiddenError,
    InsecureURLError,
    PluginMissingError,
    RateLimitedError,
    SignedOutError,
    SiteClient,
    SiteError,
    TimedOutError,
    UnreachableError,
)
from clinicdesk.store import Cache, CacheError
from clinicdesk.sync import pull, queries
from clinicdesk.sync.context import Cancelled, ProgressCallback, Round, SyncOptions, error_kind
from clinicdesk.sync.lock import AccountLock, LockBusyError
from clinicdesk.sync.push import StopPush, push_outbox
from clinicdesk.sync.report import (
    SyncError,
    SyncOutcome,
    SyncReport,
    UnreadableRecord,
    UserAccess,
)

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

_PLUGIN_KEY = "sync.has_plugin"
_SWEEP = "sweep"
#: The user's capabilities at the last round, and the pulls read again when they change.
_ACCESS_KEY = "sync.capabilities"
_ACCESS_CURSORS = ("posts", "inquiries", "notes")
_BACKOFF = "backoff"


def _stops_round(error: SiteError) -> bool:
    """Whether a failure concerns the whole site (every next step would fail the same way)."""
    if isinstance(error, TimedOutError):
        return False
    return isinstance(
        error,
        SignedOutError | RateLimitedError | UnreachableError | CertificateError | InsecureURLError,
    )


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(slots=True)
class _Learned:
    """What the steps of a round found out, for its report (kept on the round's thread)."""

    swept: bool = False
    full: bool = False
    access: UserAccess | None = None
    #: Steps that failed while the round went on (their kinds were not synced this round).
    failures: list[SiteError] = field(default_factory=list)

    def plugin_seen(self, has_plugin: bool, version: str | None = None) -> None:
        """The site itself said whether the ClinicDesk plugin is active (and its version, when
        the index was read)."""
        if self.access is not None:
            self.access = replace(self.access, has_plugin=has_plugin, plugin_version=version)


class SyncEngine:
    """Runs sync rounds for one account.

    Args:
        client: the signed-in site client. Not thread-safe: use it only on the thread that
            runs the rounds.
        cache: the account's open cache (the lock file goes in its folder).
        options: pacing (defaults suit a clinic's site).
        clock: the current time, aware UTC (tests pass a fake one).
    """

    def __init__(
        self,
        client: SiteClient,
        cache: Cache,
        *,
        options: SyncOptions | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.client = client
        self.cache = cache
        self.options = options or SyncOptions()
        self._clock = clock

    def run_round(
        self,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        full: bool = False,
    ) -> SyncReport:
        """Run one round and report what it did. Never raises for a known failure.

        Args:
            progress: called (on this thread) as the round goes on.
            cancel: set it to stop the round between two steps; what was done is kept.
            full: fetch the catalog and sweep for deletions now, whatever the cadence says.

        Returns:
            The report. Failures of the site (offline, signed out, refused) and of the cache
            are in ``outcome`` and ``errors``; local changes that were not sent stay queued.

        Raises:
            Exception: only for bugs (anything not a ``SiteError`` or ``CacheError``).
        """
        started_at = self._clock()
        started = time.monotonic()
        requests_before = self.client.requests_made
        lock = AccountLock(self.cache.path.parent)
        try:
            lock.acquire()
        except LockBusyError as exc:
            return SyncReport(
                "busy",
                errors=(SyncError("cache", str(exc)),),
                started_at=started_at,
                pending=self._pending(),
            )
        try:
            work = Round(self.client, self.cache, self.options, started_at, progress, cancel)
            # The cancel reaches the wire: a wait between retries ends at once and a request
            # in flight is cut; the round's retries share one budget of waiting.
            with self.client.limits(cancel=cancel, wait_budget=self.options.max_wait_per_round):
                outcome, learned, failure = self._run(work, full)
            retry_after = self._backoff(outcome, failure)
            if outcome == "ok":
                self._prune_backups()
                self._record_success()
        finally:
            lock.release()
        work.progress("done", "Sync finished")
        report = SyncReport(
            outcome,
            pulled=sum(work.pulled.values()),
            pulled_by_kind=dict(work.pulled),
            new_inquiries=tuple(dict.fromkeys(work.new_inquiries)),
            pushed=work.pushed,
            merged=work.merged,
            conflicts=tuple(work.issues.get("conflict", ())),
            rejected=tuple(work.issues.get("rejected", ())),
            deleted_on_site=tuple(work.issues.get("deleted_on_site", ())),
            waiting=tuple(work.issues.get("waiting", ())),
            trashed_instead=tuple(work.issues.get("trashed_instead", ())),
            errors=tuple(work.errors),
            unreadable=self._unreadable(work),
            requests=self.client.requests_made - requests_before,
            swept=learned.swept,
            full=learned.full,
            pending=self._pending(),
            retry_after=retry_after,
            started_at=started_at,
            seconds=time.monotonic() - started,
            access=learned.access,
        )
        # Counts only: never a field of a record.
        logger.info(
            "sync %s: pulled %d, pushed %d, merged %d, conflicts %d, rejected %d, "
            "%d requests in %.2f s",
            report.outcome,
            report.pulled,
            report.pushed,
            report.merged,
            len(report.conflicts),
            len(report.rejected),
            report.requests,
            report.seconds,
        )
        return report

    # ------------------------------------------------------------------------------------------

    def _run(self, work: Round, full: bool) -> tuple[SyncOutcome, _Learned, SiteError | None]:
        """The round's steps; returns (outcome, what they found out, the stopping failure)."""
        outcome: SyncOutcome = "ok"
        failure: SiteError | None = None
        state = _Learned()
        try:
            work.check_cancel()
            # Entries a crash (or a killed worker) left "in flight" go back in the queue; being
            # attempted, a create among them is looked up before it is sent again.
            self.cache.outbox.requeue_in_flight()
            self._steps(work, full, state)
        except Cancelled:
            outcome = "cancelled"
        except StopPush as stop:
            failure = stop.error
        except SiteError as exc:
            failure = exc
        except CacheError as exc:
            outcome = "failed"
            work.error(SyncError("cache", exc.message))
        finally:
            try:
                # Entries parked in flight (waiting for another record) go back in the queue.
                self.cache.outbox.requeue_in_flight()
            except CacheError:
                logger.exception("could not put waiting changes back in the queue")
        if failure is not None and work.cancelled:
            # The request failed because the caller cancelled (CancelledError, or a create
            # whose outcome the cut made unknown): the site did nothing wrong.
            failure = None
            outcome = "cancelled"
        if failure is None and outcome == "ok" and state.failures:
            # The round went to its end, but a kind of record could not be synced.
            failure = state.failures[0]
        if failure is not None:
            work.error(failure)
            kind = error_kind(failure)
            if kind == "signed_out":
                outcome = "signed_out"
            elif kind in ("offline", "timed_out"):
                outcome = "offline"
            else:
                outcome = "failed"
        return outcome, state, failure

    def _steps(self, work: Round, full: bool, state: _Learned) -> None:
        work.progress("sign_in", "Checking the sign-in")
        me = self.client.me()
        # Reported whatever happens next: the caller keeps it with the account.
        state.access = UserAccess(me.id, me.capabilities)
        # A role changed on the site (a contributor promoted to editor): what the user may see
        # changed everywhere, not only since the cursors; read it all again, and sweep.
        regained = self._access_changed(me.capabilities)
        outbox = self.cache.outbox
        sweep = outbox.cursor(_SWEEP)
        last = sweep.last_full_sweep
        sweep_due = (
            full
            or regained
            or last is None
            or work.now - last >= self.options.sweep_interval
            or sweep.after_id + 1 >= self.options.sweep_every_rounds
        )
        can_posts = me.can("edit_posts")  # edit context needs it (intake staff: inquiries only)
        can_inquiries = me.can(CAP_MANAGE_INQUIRIES)
        has_plugin = self._has_plugin(work, state, refresh=sweep_due) if can_inquiries else False

        # Each kind of record is pulled on its own (see the module docstring): a listing that
        # fails is reported, and the others, and the push, still go.
        work.check_cancel()
        inquiries_full: bool | None = False
        if can_inquiries and has_plugin:
            try:
                inquiries_full = self._isolated(work, state, lambda: pull.pull_inquiries(work))
                self._isolated(work, state, lambda: pull.pull_notes(work))
            except (PluginMissingError, ForbiddenError) as exc:
                # Posts still sync without the plugin (or without the capability).
                work.error(exc)
                has_plugin = False
                if isinstance(exc, PluginMissingError):
                    self.cache.set_meta(_PLUGIN_KEY, "0")
                    state.plugin_seen(False, "")

        # Triage changes leave before the post catalogue is read (the push re-reads each
        # record it writes, so it needs no fresh listing).
        work.check_cancel()
        self._isolated(work, state, lambda: push_outbox(work))

        work.check_cancel()
        if sweep_due or queries.has_term_placeholders(self.cache):
            self._isolated(work, state, lambda: pull.pull_terms(work))
        if sweep_due:
            staff = can_inquiries and has_plugin
            self._isolated(work, state, lambda: pull.pull_users(work, staff=staff))
        posts_full: bool | None = False
        if can_posts:
            posts_full = self._isolated(work, state, lambda: pull.pull_posts(work))
            self._isolated(work, state, lambda: pull.pull_due_scheduled(work))
        self._isolated(work, state, lambda: pull.pull_media(work))
        state.full = bool(posts_full or inquiries_full)

        if sweep_due:
            complete = not state.failures
            # A full download is itself a complete picture: no sweep needed after it. A kind
            # whose listing failed (None) is not swept either: the sweep would read every
            # record it lacks one by one; it waits for a round where the listing works. After a
            # change of capabilities the full download may have replaced a cache that held more.
            if can_posts and posts_full is not None and (regained or not posts_full):
                swept_posts = self._isolated(work, state, lambda: pull.sweep_posts(work))
                complete = bool(swept_posts) and complete
            if (
                can_inquiries
                and has_plugin
                and inquiries_full is not None
                and (regained or not inquiries_full)
            ):
                swept = self._isolated(work, state, lambda: pull.sweep_inquiries(work))
                complete = bool(swept) and complete
            state.swept = True
            if complete and not state.failures:
                outbox.set_cursor(_SWEEP, last_full_sweep=work.now, after_id=0)
        else:
            outbox.set_cursor(_SWEEP, after_id=sweep.after_id + 1)

    def _isolated(self, work: Round, state: _Learned, step: Callable[[], _T]) -> _T | None:
        """Run one step of the round; a failure of the site in it is reported, and the round
        goes on with the next (None is returned).

        Failures that concern the whole site stop the round instead: signed out, asked to slow
        down, unreachable (a timeout is not: a slow listing does not make the next step slow).
        A missing plugin or capability is left to the caller (it changes what comes next).
        """
        work.check_cancel()  # between two steps
        try:
            return step()
        except StopPush as stop:
            error = stop.error
        except (PluginMissingError, ForbiddenError):
            raise
        except SiteError as exc:
            error = exc
        if _stops_round(error):
            raise StopPush(error)
        logger.warning("a step of the sync round failed (%s); going on", error_kind(error))
        work.error(error)
        state.failures.append(error)
        return None

    def _access_changed(self, capabilities: frozenset[str]) -> bool:
        """Compare the user's capabilities with those of the last round (kept in the cache).

        When they changed, the pull cursors are reset in the same transaction, so this round's
        pull (or the next, after a crash) reads everything the user may now see: incremental
        windows only hold what changed since, not what was hidden from the user until now.

        Returns:
            True when they changed (False at the first round: its pull is a full one anyway).
        """
        now = json.dumps(sorted(capabilities))
        known = self.cache.get_meta(_ACCESS_KEY)
        if known == now:
            return False
        with self.cache.transaction():
            if known is not None:
                self.cache.outbox.reset_cursors(*_ACCESS_CURSORS)
            self.cache.set_meta(_ACCESS_KEY, now)
        return known is not None

    def _has_plugin(self, work: Round, state: _Learned, *, refresh: bool) -> bool:
        """Whether the ClinicDesk plugin is active (asked on sweep rounds, remembered between)."""
        known = self.cache.get_meta(_PLUGIN_KEY)
        if known is not None and not refresh:
            return known == "1"
        work.progress("sign_in", "Checking the site")
        info = self.client.discover()
        # The clinic's time zone comes with the index: dates are shown in it.
        self.cache.record_site_time_zone(info.timezone_string, info.gmt_offset)
        has_plugin = info.has_plugin
        state.plugin_seen(has_plugin, info.plugin_version)
        if known != ("1" if has_plugin else "0"):
            self.cache.set_meta(_PLUGIN_KEY, "1" if has_plugin else "0")
        return has_plugin

    def _backoff(self, outcome: SyncOutcome, failure: SiteError | None) -> float | None:
        """Count consecutive failed rounds (in the cursor table) and say how long to wait."""
        try:
            failures = self.cache.outbox.cursor(_BACKOFF).after_id
            if outcome in ("ok", "cancelled", "signed_out"):
                if failures:
                    self.cache.outbox.set_cursor(_BACKOFF, after_id=0)
                return None
            failures += 1
            self.cache.outbox.set_cursor(_BACKOFF, after_id=failures)
        except CacheError:
            return self.options.backoff
        wait = min(self.options.max_backoff, self.options.backoff * 2.0 ** min(failures - 1, 20))
        if isinstance(failure, RateLimitedError) and failure.retry_after is not None:
            wait = max(wait, failure.retry_after)
        return wait

    def _unreadable(self, work: Round) -> tuple[UnreadableRecord, ...]:
        """Every record kept aside (this round's and earlier ones'), and this round's without
        an id."""
        try:
            kept = self.cache.quarantine.all()
        except CacheError:
            kept = ()
        return tuple(UnreadableRecord(r.kind, r.remote_id, r.reason) for r in kept) + tuple(
            work.unreadable
        )

    def _record_success(self) -> None:
        """Keep when this round succeeded in the cache ("Last synced" after a restart)."""
        try:
            self.cache.record_sync_success(self._clock())
        except CacheError as exc:
            logger.warning("could not record the sync time: %s", type(exc).__name__)

    def _prune_backups(self) -> None:
        """After a round that ended well with nothing left to send, the copies made before
        schema migrations guard nothing the site does not hold: they go (they hold every
        inquiry, readable with the key in the keyring)."""
        if self._pending():
            return
        self.cache.prune_backups()

    def _pending(self) -> int:
        try:
            return self.cache.outbox.count()
        except CacheError:
            return 0


def run_round(
    client: SiteClient,
    cache: Cache,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    full: bool = False,
    options: SyncOptions | None = None,
    clock: Callable[[], datetime] = _utcnow,
) -> SyncReport:
    """Run one sync round of ``cache``'s account against ``client``'s site.

    See :meth:`SyncEngine.run_round`. Safe to call on a worker thread while other threads read
    the cache; two calls for one account at the same time do not both run (the second reports
    ``busy``).
    """
    return SyncEngine(client, cache, options=options, clock=clock).run_round(
        progress=progress, cancel=cancel, full=full
    )
