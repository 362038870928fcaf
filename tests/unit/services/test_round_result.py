"""A round's result is the engine's report plus the clinic's policy outcomes, read through.

The shell used to copy the report's figures into a result of its own; now the result carries the
report itself, so what the status bar and ``main.py sync`` show is the report's figures.
"""

from __future__ import annotations

from clinicdesk.services.syncround import INQUIRIES_REMOVED_MESSAGE, RoundResult
from clinicdesk.sync.report import (
    RecordIssue,
    SyncError,
    SyncReport,
    UnreadableRecord,
    UserAccess,
)


def test_the_result_reads_the_reports_figures() -> None:
    access = UserAccess(6, frozenset({"read"}), True, "1.0.0")
    report = SyncReport(
        "offline",
        pending=3,
        retry_after=30.0,
        errors=(SyncError("offline", ""), SyncError("offline", "The site did not answer.")),
        conflicts=(RecordIssue("conflict", "post", 4, 12, "Changed on both sides."),),
        unreadable=(UnreadableRecord("post", 12, "title.raw is missing"),),
        access=access,
    )
    result = RoundResult(report)
    assert result.report is report
    assert (result.outcome, result.ok) == ("offline", False)
    assert result.pending == 3 and result.retry_after == 30.0
    assert result.detail == "The site did not answer.", "the first error with a message"
    assert result.access is access
    assert result.problems == ("post 4: Changed on both sides.",)
    assert result.unreadable == ("1 post could not be read (id 12): title.raw is missing",)
    assert result.lines == tuple(line for line in report.summary().splitlines() if line.strip()), (
        "the report's own summary, nothing added when no policy acted"
    )


def test_the_policy_outcomes_add_their_lines_after_the_reports() -> None:
    report = SyncReport("ok", pulled=2, new_inquiries=(51, 52))
    result = RoundResult(report, flagged=2, inquiries_removed=5, site_states=("TX",))
    assert result.ok and result.detail == "" and result.problems == ()
    assert result.lines[-2:] == (
        INQUIRIES_REMOVED_MESSAGE,
        "2 new inquiries flagged urgent (crisis language).",
    )
    assert not any("51" in line or " 5 " in line for line in result.lines), "counts, never who"
    assert result.site_states == ("TX",)
