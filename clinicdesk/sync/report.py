"""What a sync round tells its caller: progress while it runs, and a report when it ends.

Everything here is a frozen dataclass, safe to hand from the sync worker thread to the UI thread.
Nothing holds a field of an inquiry: issues name records by kind and id, and carry the site's or
the engine's message only (WordPress's error messages name parameters, never their values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: How a round ended.
#:
#: ``ok``: everything that could be sent was sent and everything new was fetched (records that
#: need the user are listed as issues). ``cancelled``: stopped on request between two steps.
#: ``signed_out``: the site refused the credentials (401); nothing more was tried.
#: ``offline``: the site could not be reached or kept failing; try again after ``retry_after``.
#: ``busy``: another sync of the same account holds the lock; nothing was done.
#: ``failed``: something else stopped the round (a plugin missing, an unreadable answer).
SyncOutcome = Literal["ok", "cancelled", "signed_out", "offline", "busy", "failed"]

#: The steps of a round, in order.
SyncPhase = Literal[
    "start",
    "sign_in",
    "terms",
    "users",
    "posts",
    "inquiries",
    "notes",
    "media",
    "sweep",
    "push",
    "done",
]

#: Why a record needs the user's attention.
#:
#: ``conflict``: the site and this computer changed the same field; both versions are kept.
#: ``rejected``: the site refused the change (400/403); its message says why.
#: ``deleted_on_site``: deleted on the site while it had local changes; kept here.
#: ``waiting``: the change refers to something not on the site yet (a category, an image).
#: ``trashed_instead``: a permanent delete found the record changed on the site since, so it was
#: moved to the site's trash instead (nothing anyone wrote is destroyed unseen).
IssueKind = Literal["conflict", "rejected", "deleted_on_site", "waiting", "trashed_instead"]

#: The kind of a failure that stopped (part of) a round.
ErrorKind = Literal[
    "signed_out",
    "offline",
    "timed_out",
    "rate_limited",
    "server",
    "plugin_missing",
    "invalid_response",
    "forbidden",
    "cache",
]


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Where a running round stands (given to the ``progress`` callback, on the sync thread).

    Attributes:
        phase: the step.
        message: a few words for a status bar ("Fetching posts").
        done: units of the step done so far (pages, changes), or None.
        total: units in the step, or None when unknown.
    """

    phase: SyncPhase
    message: str
    done: int | None = None
    total: int | None = None


@dataclass(frozen=True, slots=True)
class RecordIssue:
    """A record the user has to look at.

    Attributes:
        kind: why.
        entity: "post", "inquiry", "note", "term" or "media".
        local_id: the record's id in the offline copy, when it has one.
        remote_id: its id on the site, when it has one.
        message: what to show (the site's message for a rejection). Never record content.
    """

    kind: IssueKind
    entity: str
    local_id: int | None
    remote_id: int | None
    message: str


@dataclass(frozen=True, slots=True)
class UnreadableRecord:
    """A record the site holds that ClinicDesk could not read (kept aside, the rest synced).

    Attributes:
        kind: "post", "inquiry", "note"...
        remote_id: its id on the site, or None when even that could not be read.
        reason: why, for the user ("its field “title.raw” is too long (...)"). Never a value of
            an inquiry's field.
    """

    kind: str
    remote_id: int | None
    reason: str


_PLURAL = {"inquiry": "inquiries", "category": "categories", "media item": "media items"}


def unreadable_lines(records: tuple[UnreadableRecord, ...]) -> tuple[str, ...]:
    """One sentence per kind: "1 post could not be read: <reason>", "3 inquiries could not be
    read: <the first reason> (and 2 more)"."""
    by_kind: dict[str, list[UnreadableRecord]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    lines = []
    for kind, group in by_kind.items():
        count = len(group)
        noun = kind if count == 1 else _PLURAL.get(kind, f"{kind}s")
        ident = f" (id {group[0].remote_id})" if group[0].remote_id is not None else ""
        more = f" (and {count - 1} more)" if count > 1 else ""
        lines.append(f"{count} {noun} could not be read{ident}: {group[0].reason}{more}")
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class SyncError:
    """A failure that stopped the round or one of its steps.

    Attributes:
        kind: what kind of failure.
        message: the sentence for the user (from the site client or the cache).
        status: the HTTP status, when the site answered.
    """

    kind: ErrorKind
    message: str
    status: int | None = None


@dataclass(frozen=True, slots=True)
class UserAccess:
    """What the site said during a round about the signed-in user (``users/me``) and itself.

    The engine pulls according to it; the caller keeps it with the account (the tabs follow it)
    and applies what follows from it (cached inquiries go when the user may no longer see them).

    Attributes:
        user_id: the user's id on the site.
        capabilities: the user's WordPress capabilities now (``edit_posts``,
            ``clinicdesk_manage_inquiries``...).
        has_plugin: whether the ClinicDesk plugin is active, when this round asked the site (a
            check on a sweep round, or the plugin's routes found missing); None when it did not
            (the engine then went by what it remembered, or the user handles no inquiries).
        plugin_version: the plugin's version when this round asked the site ("" when it is not
            active), else None.
    """

    user_id: int
    capabilities: frozenset[str]
    has_plugin: bool | None = None
    plugin_version: str | None = None

    def can(self, capability: str) -> bool:
        """Whether the user holds ``capability`` now."""
        return capability in self.capabilities


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one round did.

    Attributes:
        outcome: how it ended (see :data:`SyncOutcome`).
        pulled: records fetched from the site that were new or changed here (posts,
            inquiries, notes, terms, media), after de-duplication.
        pulled_by_kind: the same, per kind ("posts", "inquiries", "notes", "terms", "media").
        new_inquiries: site ids of the inquiries this round stored for the first time (new
            arrivals, or the whole inbox on a first download), in the order stored, for the
            caller to act on (the app flags crisis language in them). Ids only.
        pushed: local changes the site accepted (each outbox entry counts once).
        merged: records whose local changes were merged with the site's newer version.
        conflicts: records put into conflict this round (both versions kept).
        rejected: changes the site refused this round (400/403), with its message.
        deleted_on_site: records deleted on the site while they had local changes (kept here).
        waiting: changes that wait for something else to reach the site first.
        trashed_instead: permanent deletes turned into a move to the trash (see
            :data:`IssueKind`).
        errors: failures (one when the round stopped; a kind of record whose listing failed
            while the others went on; steps skipped for a missing plugin...).
        unreadable: records of the site that could not be read and are kept aside (every one
            still aside after this round, from this round or an earlier one); everything else
            synced. See :func:`unreadable_lines` for what to show.
        requests: HTTP requests sent (each retry counts).
        swept: whether the deletion sweep ran this round.
        full: whether this was a first (full) download that came out whole (no record listed
            twice in its last pass), standing in for a sweep.
        pending: local changes still waiting (including held ones) when the round ended.
        retry_after: seconds to wait before the next try after a failure (backing off), or
            None.
        started_at: when the round started (UTC).
        seconds: how long it took.
        access: what the site said about the user and itself this round, or None when the
            round stopped before the site answered who the user is (offline, signed out, busy).
    """

    outcome: SyncOutcome
    pulled: int = 0
    pulled_by_kind: dict[str, int] = field(default_factory=dict)
    new_inquiries: tuple[int, ...] = ()
    pushed: int = 0
    merged: int = 0
    conflicts: tuple[RecordIssue, ...] = ()
    rejected: tuple[RecordIssue, ...] = ()
    deleted_on_site: tuple[RecordIssue, ...] = ()
    waiting: tuple[RecordIssue, ...] = ()
    trashed_instead: tuple[RecordIssue, ...] = ()
    errors: tuple[SyncError, ...] = ()
    unreadable: tuple[UnreadableRecord, ...] = ()
    requests: int = 0
    swept: bool = False
    full: bool = False
    pending: int = 0
    retry_after: float | None = None
    started_at: datetime | None = None
    seconds: float = 0.0
    access: UserAccess | None = None

    @property
    def ok(self) -> bool:
        """True when the round ran to its end."""
        return self.outcome == "ok"

    @property
    def signed_out(self) -> bool:
        """True when the site refused the credentials: the user must sign in again."""
        return self.outcome == "signed_out"

    @property
    def issues(self) -> tuple[RecordIssue, ...]:
        """Every record that needs the user, most urgent first."""
        return (
            self.conflicts
            + self.rejected
            + self.deleted_on_site
            + self.trashed_instead
            + self.waiting
        )

    def summary(self) -> str:
        """The report as a few lines of plain text (for the log and the headless command)."""
        headline = {
            "ok": "Sync finished.",
            "cancelled": "Sync cancelled.",
            "signed_out": "Signed out: sign in again to sync. Your changes are kept.",
            "offline": "The site could not be reached. Your changes are kept.",
            "busy": "Another sync of this account is running.",
            "failed": "Sync stopped.",
        }[self.outcome]
        lines = [
            headline,
            f"Fetched {self.pulled}, sent {self.pushed}, merged {self.merged}, "
            f"conflicts {len(self.conflicts)}, rejected {len(self.rejected)}, "
            f"waiting to send {self.pending}.",
            f"{self.requests} requests in {self.seconds:.1f} s.",
        ]
        lines += [error.message for error in self.errors]
        lines += unreadable_lines(self.unreadable)
        lines += [f"{issue.entity} {issue.local_id}: {issue.message}" for issue in self.issues]
        if self.retry_after is not None:
            lines.append(f"Next try in {self.retry_after:.0f} s.")
        return "\n".join(lines)
