"""Inquiries: the inbox views, triage edits, append-only notes, and what sync applies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from clinicdesk.store import Cache, InvalidEditError, RecordNotFoundError
from tests.fixtures.store import T0, local_inquiry, opened, site_inquiry, site_note


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def test_views_and_counts(cache: Cache) -> None:
    cache.inquiries.upsert_from_site(
        [
            site_inquiry(1),
            site_inquiry(2, assignee=7, unread=False),
            site_inquiry(3, urgent=True),
            site_inquiry(4, triage_status="closed", unread=False),
            site_inquiry(5, triage_status="spam", unread=False),
            site_inquiry(6, status="trash", unread=False),
        ]
    )
    assert cache.inquiries.counts(user_id=7) == {
        "open": 3,
        "mine": 1,
        "unassigned": 2,
        "urgent": 1,
        "unread": 2,
        "closed": 1,
        "spam": 1,
        "all": 5,
        "trash": 1,
    }
    page = cache.inquiries.page("open")
    assert [i.remote_id for i in page.items] == [3, 2, 1]  # newest arrival first
    assert [i.remote_id for i in cache.inquiries.page("mine", user_id=7).items] == [2]
    assert cache.inquiries.page("mine").total == 0  # nobody signed in: nothing is "mine"
    second = cache.inquiries.page("all", limit=2, offset=2)
    assert second.total == 5 and [i.remote_id for i in second.items] == [3, 2]


def test_triage_edit_records_base_and_coalesces(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    local_id = local_inquiry(cache, 1)
    assert cache.inquiries.mark_read(local_id)
    assert cache.inquiries.set_triage(local_id, triage_status="contacted", assignee=3)
    assert not cache.inquiries.set_triage(local_id, assignee=3)
    detail = cache.inquiries.get(local_id)
    assert detail.sync_state == "modified"
    assert detail.triage.triage_status == "contacted" and not detail.triage.unread
    assert detail.base is not None and detail.base.triage_status == "new" and detail.base.unread
    [entry] = cache.outbox.entries()
    assert dict(entry.payload) == {"unread": False, "triage_status": "contacted", "assignee": 3}
    change = cache.outbox.inquiry_change(entry)
    assert change == {
        "triage": {"triage_status": "contacted", "assignee": 3, "unread": False},
        "status": None,
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"triage_status": "done"},
        {"assignee": -1},
        {"assignee": True},
        {"urgent": "yes"},
        {"message": "changed"},
    ],
)
def test_invalid_triage_is_refused(cache: Cache, bad: dict[str, object]) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    with pytest.raises(InvalidEditError):
        cache.inquiries.set_triage(local_inquiry(cache, 1), **bad)  # type: ignore[arg-type]
    assert cache.outbox.count() == 0


def test_pull_keeps_local_triage_but_takes_the_form_fields(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1, message="old text")])
    local_id = local_inquiry(cache, 1)
    cache.inquiries.set_triage(local_id, triage_status="scheduled")
    newer = site_inquiry(
        1, message="new text", triage_status="referred", modified=T0 + timedelta(hours=1)
    )
    assert cache.inquiries.upsert_from_site([newer]) == ["kept_local"]
    detail = cache.inquiries.get(local_id)
    assert detail.triage.triage_status == "scheduled"
    assert detail.message == "new text"
    assert detail.server is not None and detail.server.triage_status == "referred"
    assert detail.server.modified_gmt == newer.modified_gmt


def test_clean_inquiry_follows_the_site(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    assert cache.inquiries.upsert_from_site([site_inquiry(1)]) == ["unchanged"]
    changed = site_inquiry(1, triage_status="closed", modified=T0 + timedelta(1))
    assert cache.inquiries.upsert_from_site([changed]) == ["updated"]
    assert cache.inquiries.get(local_inquiry(cache, 1)).triage.triage_status == "closed"


def test_pushed_triage_applies_the_site_answer(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    local_id = local_inquiry(cache, 1)
    cache.inquiries.set_triage(local_id, urgent=True)
    item = cache.outbox.claim_next()
    assert item is not None and item.remote_id == 1
    cache.outbox.mark_pushed(item.id, site_inquiry(1, urgent=True, modified=T0 + timedelta(1)))
    detail = cache.inquiries.get(local_id)
    assert detail.sync_state == "synced" and detail.triage.urgent and detail.base is None


def test_trash_restore_and_conflict_resolution(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    local_id = local_inquiry(cache, 1)
    cache.inquiries.trash(local_id)
    assert cache.inquiries.page("trash").total == 1 and cache.inquiries.page("all").total == 0
    cache.inquiries.restore(local_id)
    assert [(e.op, dict(e.payload)) for e in cache.outbox.entries()] == [
        ("trash", {}),
        ("update", {"status": "private"}),
    ]
    theirs = site_inquiry(1, assignee=9, modified=T0 + timedelta(1))
    cache.outbox.mark_conflict("inquiry", local_id, theirs)
    assert cache.inquiries.get(local_id).sync_state == "conflict"
    cache.inquiries.resolve(local_id, assignee=9)
    detail = cache.inquiries.get(local_id)
    assert detail.sync_state == "synced" and detail.triage.assignee == 9
    assert cache.outbox.count() == 0


def test_deleted_on_site_with_unsent_triage_is_kept(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1), site_inquiry(2)])
    cache.inquiries.set_triage(local_inquiry(cache, 2), triage_status="contacted")
    assert cache.outbox.mark_deleted_on_site("inquiry", 1) == "dropped"
    assert cache.outbox.mark_deleted_on_site("inquiry", 2) == "kept"
    detail = cache.inquiries.get(local_inquiry(cache, 2))
    assert detail.sync_state == "deleted_on_site" and detail.triage.triage_status == "contacted"
    assert cache.outbox.claim_next() is None


def test_inquiry_deleted_on_site_keeps_its_unsent_notes(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1), site_inquiry(2)])
    cache.inquiries.upsert_notes([site_note(9, 2, "Sent long ago")])
    note_id = cache.inquiries.add_note(
        local_inquiry(cache, 1), "note", "Unsent", author=2, author_name="Sam"
    )
    assert cache.outbox.mark_deleted_on_site("inquiry", 1) == "kept"
    assert [n.id for n in cache.inquiries.notes(local_inquiry(cache, 1))] == [note_id]
    assert cache.outbox.claim_next() is None  # the note waits with its inquiry
    assert cache.outbox.mark_deleted_on_site("inquiry", 2) == "dropped"  # notes all sent
    assert [(e.entity, e.local_id, e.state) for e in cache.outbox.entries()] == [
        ("note", note_id, "held")
    ]


def test_notes_are_appended_sent_once_and_deduplicated(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    local_id = local_inquiry(cache, 1)
    note_id = cache.inquiries.add_note(
        local_id, "note", "Left a voicemail", author=2, author_name="Sam"
    )
    note_id_2 = cache.inquiries.add_note(local_id, "note", "Second", author=2, author_name="Sam")
    # Notes are never coalesced: one entry each, in order.
    entries = cache.outbox.entries()
    assert [(e.entity, e.op, e.local_id) for e in entries] == [
        ("note", "note", note_id),
        ("note", "note", note_id_2),
    ]
    item = cache.outbox.claim_next()
    assert item is not None
    body = cache.outbox.note_fields(item)
    assert body == {
        "inquiry": 1,
        "kind": "note",
        "content": "Left a voicemail",
        "client_id": item.client_id,
        "by_system": False,  # a person's note, sent as theirs
    }
    # A pull sees our note (by client_id) before the answer arrives: adopted, not duplicated.
    applied = cache.inquiries.upsert_notes([site_note(500, 1, "Left a voicemail", item.client_id)])
    assert applied.stored == 1
    cache.outbox.mark_pushed(item.id, site_note(500, 1, "Left a voicemail", item.client_id))
    assert cache.inquiries.upsert_notes([site_note(500, 1, "Left a voicemail")]).stored == 0
    notes = cache.inquiries.notes(local_id)
    assert [(n.remote_id, n.pending, n.content) for n in notes] == [
        (500, False, "Left a voicemail"),
        (None, True, "Second"),
    ]


def test_notes_of_unknown_inquiries_are_reported_not_dropped_silently(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    applied = cache.inquiries.upsert_notes([site_note(1, 1), site_note(2, 42), site_note(3, 42)])
    assert applied.stored == 1 and applied.unknown_inquiries == (42,)


def test_rejected_note_can_be_discarded(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    note_id = cache.inquiries.add_note(
        local_inquiry(cache, 1), "acknowledge", "ok", author=2, author_name="Sam"
    )
    item = cache.outbox.claim_next()
    assert item is not None
    cache.outbox.mark_rejected(item.id, "Invalid parameter(s): kind")
    [note] = cache.inquiries.notes(local_inquiry(cache, 1))
    assert note.rejected_message == "Invalid parameter(s): kind"
    cache.inquiries.discard_note(note_id)
    assert cache.inquiries.notes(local_inquiry(cache, 1)) == [] and cache.outbox.count() == 0


def test_discarding_triage_changes_goes_back_to_the_site_values(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1, assignee=3, urgent=True)])
    local_id = local_inquiry(cache, 1)
    site = cache.inquiries.get(local_id).triage
    cache.inquiries.set_triage(local_id, triage_status="closed", assignee=7, urgent=False)
    cache.inquiries.mark_read(local_id)
    cache.inquiries.trash(local_id)
    assert cache.inquiries.get(local_id).sync_state == "modified"
    cache.inquiries.discard_changes(local_id)
    detail = cache.inquiries.get(local_id)
    assert detail.triage == site and detail.status == "private"
    assert detail.sync_state == "synced" and cache.outbox.count() == 0


def test_empty_note_and_unknown_inquiry_are_refused(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    with pytest.raises(InvalidEditError):
        cache.inquiries.add_note(
            local_inquiry(cache, 1), "note", "   ", author=2, author_name="Sam"
        )
    with pytest.raises(InvalidEditError):
        cache.inquiries.add_note(local_inquiry(cache, 1), "shout", "x", author=2, author_name="Sam")  # type: ignore[arg-type]
    with pytest.raises(RecordNotFoundError):
        cache.inquiries.add_note(999, "note", "x", author=2, author_name="Sam")
    assert cache.outbox.count() == 0


def test_cursors_move_only_what_is_given(cache: Cache) -> None:
    assert cache.outbox.cursor("inquiries").modified_after is None
    cache.outbox.set_cursor("inquiries", modified_after=T0)
    cache.outbox.set_cursor("inquiries", last_full_sweep=T0 + timedelta(1))
    cursor = cache.outbox.cursor("inquiries")
    assert cursor.modified_after == T0 and cursor.last_full_sweep == T0 + timedelta(1)
    cache.outbox.set_cursor("notes", after_id=1234)
    assert cache.outbox.cursor("notes").after_id == 1234


def test_requeue_after_a_crash_keeps_the_attempt_count(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    cache.inquiries.mark_read(local_inquiry(cache, 1))
    item = cache.outbox.claim_next()
    assert item is not None and cache.outbox.claim_next() is None  # one in flight
    assert cache.outbox.requeue_in_flight() == 1
    again = cache.outbox.claim_next()
    assert again is not None and again.id == item.id and again.attempts == 2


def test_a_triage_edit_after_a_sent_change_is_queued_apart_from_it(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    local_id = local_inquiry(cache, 1)
    cache.inquiries.set_triage(local_id, triage_status="contacted")
    sent = cache.outbox.claim_next()
    assert sent is not None
    cache.outbox.mark_failed(sent.id, "timed out")  # it may have landed: its answer was lost
    cache.inquiries.set_triage(local_id, triage_status="scheduled", urgent=True)
    # What the first attempt sent stays as it was, so its retry can tell whether it landed.
    assert [(e.id, e.payload) for e in cache.outbox.entries()] == [
        (sent.id, {"triage_status": "contacted"}),
        (sent.id + 1, {"triage_status": "scheduled", "urgent": True}),
    ]
    # A change never sent still gathers every edit in one entry.
    cache.inquiries.set_triage(local_id, assignee=7)
    assert [e.payload for e in cache.outbox.entries()][1] == {
        "triage_status": "scheduled",
        "urgent": True,
        "assignee": 7,
    }
