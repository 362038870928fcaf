"""The one place the shell meets the sync engine (``clinicdesk.sync``). No Qt.

The worker thread and ``main.py sync`` both call :func:`run_round`, which runs one round of the
engine and hands back a :class:`RoundResult` in the shell's own terms. If the engine's signature
changes, only this module changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

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
    """

    outcome: SyncOutcome
    detail: str
    pending: int | None
    retry_after: float | None
    lines: tuple[str, ...]
    problems: tuple[str, ...]
    report: object

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
) -> RoundResult:
    """Run one sync round: send waiting changes, fetch what changed on the site.

    Runs on a worker thread (or the headless command's only thread).

    Raises:
        SyncUnavailableError: this build has no sync engine.
        SiteError: the round stopped (offline, signed out...): the error says why.
        CacheError: the offline copy failed.
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
    return from_report(report)


def from_report(report: SyncReport) -> RoundResult:
    """The shell's view of the engine's report."""
    detail = next((error.message for error in report.errors if error.message), "")
    problems = tuple(
        f"{issue.entity} {issue.local_id or issue.remote_id or ''}: {issue.message}"
        for issue in report.issues
    )
    return RoundResult(
        outcome=report.outcome,
        detail=detail,
        pending=report.pending,
        retry_after=report.retry_after,
        lines=tuple(line for line in report.summary().splitlines() if line.strip()),
        problems=problems,
        report=report,
    )
