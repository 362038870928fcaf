"""The timeline's wording: each kind of entry reads as a sentence, a note as written.

The timeline model (ui/inquiries/timeline.py) words each kind of entry through its own
wording; these check each one as the reader of the detail pane sees it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from clinicdesk.model.cached import NoteInfo
from clinicdesk.model.records import NoteKind
from clinicdesk.ui.inquiries.timeline import TimelineModel

WHEN = datetime(2026, 3, 2, 15, 4, tzinfo=UTC)


def _entry(kind: NoteKind, content: str, author: int = 3) -> NoteInfo:
    return NoteInfo(1, 10, None, 1, author, "", WHEN, kind, content, False, None)


def _bodies(model: TimelineModel) -> list[str]:
    """Each row's text without its first line (when, who, kind)."""
    rows = [model.data(model.index(n, 0)) for n in range(model.rowCount())]
    return [row.split("\n", 1)[1] for row in rows]


def test_each_kind_of_entry_is_worded(qtbot: QtBot) -> None:
    model = TimelineModel()
    entries: list[tuple[NoteKind, str]] = [
        ("status", "contacted"),
        ("assign", "7"),
        ("assign", "9"),
        ("assign", "0"),
        ("assign", "not a number"),
        ("urgent", "on"),
        ("urgent", " OFF "),
        ("urgent", "maybe"),
        ("acknowledge", "Called the crisis line with them."),
        ("note", "Left a voicemail."),
    ]
    model.set_notes([_entry(kind, content) for kind, content in entries], {7: "Kevin Pham"})
    assert _bodies(model) == [
        "Status set to Contacted",
        "Assigned to Kevin Pham",
        "Assigned to user 9",
        "Unassigned",
        "not a number",
        "Flagged urgent",
        "Urgent flag removed",
        "maybe",
        "Crisis protocol acknowledged: Called the crisis line with them.",
        "Left a voicemail.",
    ]


def test_changes_not_sent_yet_are_worded_the_same_way(qtbot: QtBot) -> None:
    model = TimelineModel()
    pending: list[tuple[NoteKind, str]] = [("assign", "7"), ("urgent", "on")]
    model.set_notes([], {7: "Kevin Pham"}, pending, me="Robin", automatic_flag=True)
    rows = [model.data(model.index(n, 0)) for n in range(model.rowCount())]
    assert rows[0].split("\n")[1:] == ["Assigned to Kevin Pham", "(waiting to be sent)"]
    assert "ClinicDesk, automatically" in rows[1] and "Flagged urgent" in rows[1]
