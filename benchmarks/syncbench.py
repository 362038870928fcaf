"""The sync figures: a full first sync, incremental rounds, and the push of queued edits.

Every round is the app's own (:func:`clinicdesk.sync.run_round` with a
:class:`~clinicdesk.site.SiteClient`), run on this thread against the reference site in its own
process. The client is given a :class:`~benchmarks.site.RecordingSession` (and siblings of
it for the thread that reads listings ahead), so the baselines send exactly the requests the app
sent (same URLs, query, ``per_page=100``, edit context, same credentials) with plain
``requests`` and ``json.loads``, storing nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from benchmarks.figures import Figure, figure, median, ratio_at_most
from benchmarks.site import (
    BenchError,
    RecordingSession,
    SiteProcess,
    change_inquiries,
    replay,
    retarget,
)
from clinicdesk.site import SiteClient, TriageStatus
from clinicdesk.store import Cache
from clinicdesk.store.inbox import InboxRow
from clinicdesk.sync import SyncProgress, SyncReport, run_round

logger = logging.getLogger(__name__)

#: Inquiries changed on the site for the "changed" round, and local edits pushed.
CHANGED = 100
EDITS = 500
#: Rounds with nothing changed (their median time is reported).
NOOP_ROUNDS = 3
#: The triage status the pushed edits set (an edit a receptionist makes all day).
EDIT_STATUS: TriageStatus = "contacted"
_NEXT_STATUS: dict[str, TriageStatus] = {
    "new": "contacted",
    "contacted": "scheduled",
    "scheduled": "referred",
    "referred": "closed",
    "closed": "new",
    "spam": "new",
}


@dataclass
class SyncResults:
    """The sync figures of one pass, and what the later steps need.

    Attributes:
        figures: the figures.
        notes: remarks for the output (what was measured, anything odd).
        full_seconds: the full sync's wall time.
    """

    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    full_seconds: float = 0.0


def _client(site: SiteProcess, session: RecordingSession) -> SiteClient:
    # The client's read-ahead thread records through a sibling session: the baseline replays
    # every request of the round, and the round's report counts them all.
    return SiteClient(
        site.url,
        site.admin.user,
        site.admin.password,
        session=session,
        session_factory=session.sibling,
    )


def _check(report: SyncReport, what: str) -> None:
    if report.outcome != "ok":
        detail = "; ".join(error.message for error in report.errors) or report.outcome
        raise BenchError(f"The {what} did not finish ({report.outcome}): {detail}")


def _round(
    site: SiteProcess, cache: Cache, session: RecordingSession, what: str
) -> tuple[SyncReport, float]:
    with _client(site, session) as client:
        started = time.perf_counter()
        report = run_round(client, cache)
        seconds = time.perf_counter() - started
    _check(report, what)
    return report, seconds


def measure_sync(site: SiteProcess, cache: Cache, *, inquiries: int) -> SyncResults:
    """Measure the full sync, the incremental rounds and the push on ``cache`` (empty at first).

    Leaves ``cache`` fully synced, with the pushed edits in it.

    Raises:
        BenchError: a round did not finish, or the site refused a baseline request.
    """
    out = SyncResults()

    # -- the full first sync, and the same pages fetched raw ---------------------------------
    with RecordingSession() as recorder:
        recorder.phase = "full"
        report, full = _round(site, cache, recorder, "full sync")
        sent = list(recorder.sent)
    out.full_seconds = full
    raw = replay(site, sent, site.admin)
    out.figures.append(figure("sync.full.time", full, "s", baseline=raw, target=ratio_at_most(1.5)))
    out.figures.append(figure("sync.full.requests", report.requests, "requests"))
    pulled = report.pulled_by_kind.get("inquiries", 0)
    if pulled < inquiries:
        out.notes.append(f"The full sync stored {pulled} inquiries of the {inquiries} seeded.")

    # -- incremental, nothing changed -----------------------------------------------------------
    times: list[float] = []
    counts: list[int] = []
    for _ in range(NOOP_ROUNDS):
        with RecordingSession() as recorder:
            report, seconds = _round(site, cache, recorder, "incremental sync")
        times.append(seconds)
        counts.append(report.requests)
    out.figures.append(figure("sync.noop.requests", max(counts), "requests"))
    out.figures.append(
        figure(
            "sync.noop.time",
            median(times),
            "s",
            baseline=full,
            target=ratio_at_most(0.01, "ratio <= 0.01 (of the full sync)"),
        )
    )
    noop_requests = max(counts)

    # -- incremental after CHANGED inquiries changed on the site -----------------------------
    rows = _inbox(cache)
    count = min(CHANGED, len(rows))
    step = max(1, len(rows) // max(1, count))
    picked = [row for row in rows[::step] if row.remote_id is not None][:count]
    status = {row.remote_id: row.triage_status for row in picked}
    change_inquiries(
        site,
        [row.remote_id for row in picked if row.remote_id is not None],
        lambda remote_id: {"triage_status": _NEXT_STATUS.get(status[remote_id], "new")},
    )
    with RecordingSession() as recorder:
        report, seconds = _round(site, cache, recorder, "incremental sync after changes")
    out.figures.append(
        figure("sync.changed100.requests", report.requests, "requests", baseline=noop_requests)
    )
    out.figures.append(figure("sync.changed100.time", seconds, "s", baseline=median(times)))
    got = report.pulled_by_kind.get("inquiries", 0)
    if got < len(picked):
        out.notes.append(f"The round after {len(picked)} changes on the site pulled only {got}.")
    if count != CHANGED:
        out.notes.append(f"'changed100' changed {count} inquiries (only {len(rows)} cached).")

    out.figures += _push(site, cache, out.notes)
    return out


def _inbox(cache: Cache) -> list[InboxRow]:
    """Every inquiry in the inbox (not the trash), newest first."""
    store = cache.inquiries
    return [row for row in store.inbox_rows(store.inbox_ids("all")) if row is not None]


def _push(site: SiteProcess, cache: Cache, notes: list[str]) -> list[Figure]:
    """Queue edits, push them in a round, and send the same requests raw for other inquiries.

    Only inquiries no longer "new" are edited: the crisis check measured later in the pass reads
    the "new" ones, and :data:`EDITS` of them are a quarter of a 2,000-inquiry cache's but 2% of
    a 20,000-inquiry one's, which made the check's growth look faster than the inbox's (it read
    13 times as many messages at N as at N/10). What a push of a triage change costs does not
    depend on the status it changes from.
    """
    eligible = [
        row
        for row in _inbox(cache)
        if row.triage_status not in (EDIT_STATUS, "new")
        and row.sync_state == "synced"
        and row.remote_id
    ]
    edits = min(EDITS, len(eligible) // 2)
    if edits < 1:
        raise BenchError("Too few inquiries to measure the push.")
    edited = eligible[0::2][:edits]
    others = eligible[1::2][:edits]
    for row in edited:
        cache.inquiries.set_triage(row.id, triage_status=EDIT_STATUS)
    if cache.outbox.count() != edits:
        notes.append(f"{cache.outbox.count()} changes were queued for {edits} edits.")

    marks: dict[str, float] = {}
    with RecordingSession() as recorder:

        def progress(step: SyncProgress) -> None:
            if step.phase == "push" and "push" not in marks:
                marks["push"] = time.perf_counter()
                recorder.phase = "push"
            elif step.phase == "done":
                marks["done"] = time.perf_counter()

        with _client(site, recorder) as client:
            report = run_round(client, cache, progress=progress)
        _check(report, "push round")
        pushed = [sent for sent in recorder.sent if sent.phase == "push"]
    if report.pushed != edits:
        notes.append(f"The push sent {report.pushed} of {edits} edits.")
    seconds = marks["done"] - marks["push"]
    ids = {
        int(a.remote_id): int(b.remote_id)
        for a, b in zip(edited, others, strict=True)
        if a.remote_id and b.remote_id
    }
    raw = replay(site, [retarget(sent, ids) for sent in pushed], site.admin)
    if edits != EDITS:
        notes.append(f"The push measured {edits} edits (not {EDITS}): few inquiries cached.")
    return [
        figure("push.time", seconds, "s", baseline=raw, target=ratio_at_most(1.3)),
        figure("push.requests", len(pushed), "requests", baseline=edits),
    ]
