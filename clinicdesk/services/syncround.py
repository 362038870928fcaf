"""The one place the shell meets the sync engine (``clinicdesk.sync``). No Qt.

The worker thread and ``main.py sync`` both call :func:`run_round`, which runs one round of the
engine and hands back a :class:`RoundResult`: the engine's report itself, with what the clinic's
policies did after it. If the engine's signature
changes, only this module changes.

Each time the round stores a page of inquiries, and once more right after the round, still on
the worker thread, the inquiries stored since the last check (this page's, or an earlier one's if
the app stopped in between) are read for crisis language and flagged urgent
(:func:`clinicdesk.services.arrivals.check_arrivals`), before the window is told the page is there.
That is clinic policy, not sync: the cache marks every inquiry it stores as not checked yet, and
both the window and the headless command get the flagging by calling this function. The flags
wait in the outbox like any local change; the round's push (after the inquiries and notes) sends
the flags of its pages, and the caller syncs again soon for any flagged after the round.

Before that, the round's answer about the user (:class:`~clinicdesk.sync.report.UserAccess`) is
applied where it is a matter of privacy rather than display: when the site no longer lets the
user handle consultation inquiries, every inquiry still cached is removed from this computer
(:meth:`~clinicdesk.store.inquiries.InquiryStore.remove_all`), with the changes to them that
could no longer be sent. This is decided from what the cache holds, not from what the account
remembered, so it also happens after a sign-in that already knew, or after a crash. The caller
keeps the answer with the account (:func:`account_after`): the window rebuilds its tabs from it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from clinicdesk.domain.crisis_why import AUTO_FLAG_AUTHOR
from clinicdesk.model.records import SYSTEM_AUTHOR
from clinicdesk.services.arrivals import check_arrivals
from clinicdesk.session.accounts import Account
from clinicdesk.site import CAP_MANAGE_INQUIRIES, SiteClient, SiteError
from clinicdesk.store import Cache, CacheError
from clinicdesk.sync.report import (
    RecordIssue,
    SyncOutcome,
    SyncProgress,
    SyncReport,
    UserAccess,
    unreadable_lines,
)

logger = logging.getLogger(__name__)

#: The records removed with the inquiries (issues about them are dropped from the report).
_INQUIRY_ENTITIES = ("inquiry", "note")

#: What the user is told (window and headless command) when cached inquiries were removed.
INQUIRIES_REMOVED_MESSAGE = (
    "Your account no longer handles consultation inquiries on this site, so they were removed "
    "from this computer. Ask the site's administrator if this is a mistake."
)


class SyncUnavailableError(Exception):
    """This build has no sync engine: nothing was sent or fetched."""


@dataclass(frozen=True, slots=True)
class RoundProgress:
    """Where a round stands.

    Attributes:
        message: what it is doing, in a few words ("Fetching posts").
        done: steps done, or None when unknown.
        total: steps in all, or None when unknown.
        phase: the engine's step (``inquiries``, ``posts``...; see ``SyncPhase``), or "": a
            progress of ``inquiries`` means a page of inquiries was just stored (the inbox
            can show it).
    """

    message: str
    done: int | None = None
    total: int | None = None
    phase: str = ""


@dataclass(frozen=True, slots=True)
class RoundResult:
    """A finished round: the engine's report, and what the clinic's policies did after it.

    The report's figures are read through it (nothing is copied), so the status bar and
    ``main.py sync`` show exactly what the engine counted.

    Attributes:
        report: the engine's report (its ``pending`` counts the flags queued after the round).
        flagged: new inquiries flagged urgent for crisis language after the round (those it
            stored, and any an earlier round stored but could not check before the app
            stopped); the flags wait in the outbox: sync again soon to send them.
        inquiries_removed: inquiries removed from this computer after the round, because the
            site no longer lets the user handle them (see :data:`INQUIRIES_REMOVED_MESSAGE`).
        site_states: the states the clinic serves as its website says, or None when the round
            did not ask (the user does not handle inquiries, the round failed) or the site
            could not say (no plugin, or an older one). Keep it with the account
            (:func:`account_after`).
    """

    report: SyncReport
    flagged: int = 0
    inquiries_removed: int = 0
    site_states: tuple[str, ...] | None = None

    @property
    def outcome(self) -> SyncOutcome:
        """``ok`` ran to its end; ``cancelled`` was stopped on request; ``signed_out`` the site
        refused the password; ``offline`` the site could not be reached; ``busy`` another sync
        of the account was running; ``failed`` anything else stopped it."""
        return self.report.outcome

    @property
    def ok(self) -> bool:
        return self.report.outcome == "ok"

    @property
    def detail(self) -> str:
        """The first error's message for the user, or ""."""
        return next((error.message for error in self.report.errors if error.message), "")

    @property
    def pending(self) -> int:
        """Local changes still waiting when the round ended."""
        return self.report.pending

    @property
    def retry_after(self) -> float | None:
        """Seconds the engine suggests waiting before the next try, or None."""
        return self.report.retry_after

    @property
    def access(self) -> UserAccess | None:
        """What the site said about the user (id, capabilities) and whether the plugin is
        active, or None when the round did not get that far. Keep it with the account
        (:func:`account_after`)."""
        return self.report.access

    @property
    def unreadable(self) -> tuple[str, ...]:
        """Records of the site that could not be read and are kept aside (everything else
        synced), as sentences for the user: "1 post could not be read (id 12): ..."."""
        return unreadable_lines(self.report.unreadable)

    @property
    def problems(self) -> tuple[str, ...]:
        """Records that need the user (conflicts, rejected changes), as plain text."""
        return tuple(
            f"{issue.entity} {issue.local_id or issue.remote_id or ''}: {issue.message}"
            for issue in self.report.issues
        )

    @property
    def lines(self) -> tuple[str, ...]:
        """The round as lines of plain text (for ``main.py sync`` and the log): the report's
        summary, then what the policies did, as counts (never who, or what they wrote)."""
        lines = [line for line in self.report.summary().splitlines() if line.strip()]
        if self.inquiries_removed:
            lines.append(INQUIRIES_REMOVED_MESSAGE)
        if self.flagged:
            lines.append(
                "1 new inquiry flagged urgent (crisis language)."
                if self.flagged == 1
                else f"{self.flagged} new inquiries flagged urgent (crisis language)."
            )
        return tuple(lines)


ProgressCallback = Callable[[RoundProgress], None]


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

    # The automatic flag is ClinicDesk's (SYSTEM_AUTHOR), never the signed-in user's: whoever's
    # app happens to sync first did not decide it. ``author``/``author_name`` stay for callers.
    del author, author_name
    flagged_early = 0

    def on_progress(step: SyncProgress) -> None:
        nonlocal flagged_early
        if step.phase == "inquiries":
            # A page of inquiries was just stored: read it for crisis language now, before the
            # window shows it and before the posts are downloaded, so no one in crisis sits in
            # the inbox unflagged for the rest of the round; the flags leave with this round's
            # push. A failure here is left to the check after the round, which reads every
            # arrival not checked yet.
            try:
                flagged_early += check_arrivals(
                    cache, author=SYSTEM_AUTHOR, author_name=AUTO_FLAG_AUTHOR
                )
            except CacheError:
                logger.exception("the crisis check of a page of arrivals failed; retried after")
        progress(RoundProgress(step.message, step.done, step.total, step.phase))

    report = engine_round(client, cache, progress=on_progress, cancel=cancel)
    removed = 0
    if report.access is not None and not report.access.can(CAP_MANAGE_INQUIRIES):
        # Least privilege: the site no longer lets this user see inquiries, so none stays here
        # (before the crisis check, which would otherwise queue flags that cannot be sent).
        removed = cache.inquiries.remove_all()  # logs how many (a count, never who)
        if removed:
            report = _without_inquiry_issues(report, pending=cache.outbox.count())
    # Whatever the outcome: what the round stored before stopping is in the inbox now. Every
    # stored inquiry not checked yet is read, those of this round and any that an earlier
    # round stored just before the app stopped.
    if report.new_inquiries:
        progress(RoundProgress("Checking new inquiries"))
    flagged_after = check_arrivals(cache, author=SYSTEM_AUTHOR, author_name=AUTO_FLAG_AUTHOR)
    if flagged_after:
        report = replace(report, pending=cache.outbox.count())
    return RoundResult(
        report,
        flagged=flagged_early + flagged_after,
        inquiries_removed=removed,
        site_states=_site_states(client, report),
    )


def _site_states(client: SiteClient, report: SyncReport) -> tuple[str, ...] | None:
    """The website's service area, asked after a round that reached the site, for a user who
    handles inquiries (the route is staff-only); None when it cannot say."""
    if report.access is None or not report.access.can(CAP_MANAGE_INQUIRIES) or report.errors:
        return None
    try:
        return client.clinic_states()
    except SiteError as exc:
        # An older plugin has no such route: the app's own choice applies, as before.
        logger.info("the site did not say which states it serves (%s)", type(exc).__name__)
        return None


def _without_inquiry_issues(report: SyncReport, *, pending: int) -> SyncReport:
    """``report`` without the issues of the inquiries and notes just removed (the site refused
    their waiting changes in this round: the records are gone, nothing is left to look at)."""

    def kept(issues: tuple[RecordIssue, ...]) -> tuple[RecordIssue, ...]:
        return tuple(issue for issue in issues if issue.entity not in _INQUIRY_ENTITIES)

    return replace(
        report,
        conflicts=kept(report.conflicts),
        rejected=kept(report.rejected),
        deleted_on_site=kept(report.deleted_on_site),
        waiting=kept(report.waiting),
        trashed_instead=kept(report.trashed_instead),
        pending=pending,
    )


def account_after(account: Account, result: RoundResult) -> Account:
    """``account`` with what the round's site said about the user (the same account when the
    round did not get that far). Compare with ``account`` to see whether anything changed."""
    access = result.access
    if access is None:
        return account
    return account.with_access(
        user_id=access.user_id,
        capabilities=access.capabilities,
        has_plugin=access.has_plugin,
        plugin_version=access.plugin_version,
    ).with_site_states(result.site_states)
