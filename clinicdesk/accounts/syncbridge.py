"""The one place the shell meets the sync engine (``clinicdesk.sync``). No Qt.

The worker thread and ``main.py sync`` both call :func:`run_round`, which runs one round of the
engine and hands back a :class:`RoundResult` in the shell's own terms. If the engine's signature
changes, only this module changes.

Right after the round, still on the worker thread, the inquiries stored since the last check
(this round's, or an earlier one's if the app stopped in between) are read for crisis language
and flagged urgent
(:func:`clinicdesk.domain.crisis.check_arrivals`). That is clinic policy, not sync: the
cache marks every inquiry it stores as not checked yet, and both the
window and the headless command get the flagging by calling this function. The flags wait in
the outbox like any local change; the caller syncs again soon to send them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from clinicdesk.domain.crisis import AUTO_FLAG_AUTHOR, check_arrivals
from clinicdesk.site import SiteClient
from clinicdesk.store import Cache
from clinicdesk.sync.report import SyncOutcome, SyncProgress, SyncReport

logger = logging.getLogger(__name__)


class SyncUnavailableError(Exception):
    """This build has no sync engine: nothing was sent or fetched."""


@dataclass(frozen=True, slots=True)
class RoundProgress:
    """Where a round stands.

    Attributes:
        message: what it is doing, in a few words ("Fetching posts").
        done: steps done, or None when unknown.
        total: steps in all, or None when unknown.
    """

    message: str
    done: int | None = None
    total: int | None = None


@dataclass(frozen=True, slots=True)
class RoundResult:
    """A finished round, in the shell's terms.

    Attributes:
        outcome: ``ok`` ran to its end; ``cancelled`` was stopped on
            request; ``signed_out`` the site refused the password; ``offline`` the site could not
            be reached; ``busy`` another sync of the account was running; ``failed`` anything
            else stopped it.
        detail: the first error's message for the user, or "".
        pending: local changes still waiting when the round ended, or None when unknown.
        retry_after: seconds the engine suggests waiting before the next try, or None.
        lines: the report as lines of plain text (for ``main.py sync`` and the log).
        problems: records that need the user (conflicts, rejected changes), as plain text.
        report: the engine's own report object.
        flagged: new inquiries flagged urgent for crisis language after the round (those it
            stored, and any an earlier round stored but could not check before the app
            stopped); the flags wait in the outbox: sync again soon to send them.
    """

    outcome: SyncOutcome
    detail: str
    pending: int | None
    retry_after: float | None
    lines: tuple[str, ...]
    problems: tuple[str, ...]
    report: object
    flagged: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


ProgressCallback = Callable[[RoundProgress], None]


def engine_available() -> bool:
    """Whether this build contains the sync engine."""
    try:
        from clinicdesk.sync.engine import run_round  # noqa: F401
    except ImportError:
        return False
    return True


def run_round(
    client: SiteClient,
    cache: Cache,
    *,
    progress: ProgressCallback,
    cancel: threading.Event,
    author: int = 0,
    author_name: str = "",
) -> RoundResult:
    """Run one sync round: send waiting changes, fetch what changed on the site, then flag the
    new inquiries that hold crisis language.

    Runs on a worker thread (or the headless command's only thread).

    Args:
        client: the signed-in client (used on this thread only).
        cache: the account's open cache.
        progress: told where the round is.
        cancel: set to stop the round between two steps.
        author: the signed-in user's site id, written on the automatic flag's note.
        author_name: their name ("" writes the flag as ClinicDesk's).

    Raises:
        SyncUnavailableError: this build has no sync engine.
        SiteError: the round stopped (offline, signed out...): the error says why.
        CacheError: the offline copy failed (storing the round, or flagging its arrivals).
    """
    try:
        from clinicdesk.sync.engine import run_round as engine_round
    except ImportError:
        raise SyncUnavailableError(
            "This version of ClinicDesk cannot sync yet: nothing was sent or fetched."
        ) from None

    def on_progress(step: SyncProgress) -> None:
        progress(RoundProgress(step.message, step.done, step.total))

    report = engine_round(client, cache, progress=on_progress, cancel=cancel)
    # Whatever the outcome: what the round stored before stopping is in the inbox now. Every
    # stored inquiry not checked yet is read, those of this round and any that an earlier
    # round stored just before the app stopped.
    if report.new_inquiries:
        progress(RoundProgress("Checking new inquiries"))
    flagged = check_arrivals(cache, author=author, author_name=author_name or AUTO_FLAG_AUTHOR)
    if flagged:
        report = replace(report, pending=cache.outbox.count())
    return from_report(report, flagged=flagged)


def from_report(report: SyncReport, *, flagged: int = 0) -> RoundResult:
    """The shell's view of the engine's report (``flagged``: arrivals flagged urgent)."""
    detail = next((error.message for error in report.errors if error.message), "")
    problems = tuple(
        f"{issue.entity} {issue.local_id or issue.remote_id or ''}: {issue.message}"
        for issue in report.issues
    )
    lines = [line for line in report.summary().splitlines() if line.strip()]
    if flagged:
        # A count only: never who, or what they wrote.
        lines.append(
            "1 new inquiry flagged urgent (crisis language)."
            if flagged == 1
            else f"{flagged} new inquiries flagged urgent (crisis language)."
        )
    return RoundResult(
        outcome=report.outcome,
        detail=detail,
        pending=report.pending,
        retry_after=report.retry_after,
        lines=tuple(lines),
        problems=problems,
        report=report,
        flagged=flagged,
    )
