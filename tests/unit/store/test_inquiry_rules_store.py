"""The store's triage-inbox reads (``inbox_ids``, ``inbox_rows``, ``triage_counts``,
``same_contact``, ``arrivals``, ``arrival_texts``), ``record_triage``, and the triage desk built
on them (a note per change, the acknowledgement rule, undo). Real SQLCipher cache, no Qt."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from clinicdesk.domain.inquiry_rules import email_key, phone_key
from clinicdesk.model import records
from clinicdesk.services.triage import (
    AcknowledgementRequiredError,
    TriageDesk,
    UndoResult,
)
from clinicdesk.store import Cache, InvalidEditError, RecordNotFoundError
from clinicdesk.store.inbox import TRIAGE_VIEWS
from tests.fixtures.store import T0, local_inquiry, opened, site_inquiry, site_note


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def _remote_ids(cache: Cache, ids: object) -> list[int | None]:
    rows = cache.inquiries.inbox_rows(list(ids))  # type: ignore[call-overload]
    return [row.remote_id if row is not None else None for row in rows]


def _seed(cache: Cache) -> None:
    cache.inquiries.upsert_from_site(
        [
            site_inquiry(1, first_name="Ana", triage_status="contacted", unread=False),
            site_inquiry(2, first_name="Bo", urgent=True),  # urgent, new: pinned
            site_inquiry(3, first_name="Cy", assignee=7),
            site_inquiry(4, first_name="Di", triage_status="scheduled", unread=False),
            site_inquiry(5, first_name="Ed", triage_status="closed", urgent=True, unread=False),
            site_inquiry(6, first_name="Flo", triage_status="spam", unread=False),
            site_inquiry(7, first_name="Gus", triage_status="referred", unread=False),
            site_inquiry(8, first_name="Hal", status="trash"),
            site_inquiry(9, first_name="Ivy"),
        ]
    )
    cache.catalog.replace_staff([records.StaffMember(7, "Zoe Staff", "zoe", ("editor",))])


def test_views_hold_the_right_inquiries_with_urgent_ones_pinned(cache: Cache) -> None:
    _seed(cache)
    ids = cache.inquiries.inbox_ids
    # Newest first, except Bo (urgent, not closed) above everything; Ed is urgent but closed.
    assert _remote_ids(cache, ids("all")) == [2, 9, 7, 6, 5, 4, 3, 1]
    assert _remote_ids(cache, ids("all", descending=False)) == [2, 1, 3, 4, 5, 6, 7, 9]
    assert _remote_ids(cache, ids("new")) == [2, 9, 3]
    assert _remote_ids(cache, ids("waiting")) == [1]
    assert _remote_ids(cache, ids("scheduled")) == [4]
    assert _remote_ids(cache, ids("referred")) == [7]
    assert _remote_ids(cache, ids("urgent")) == [2]
    assert _remote_ids(cache, ids("mine", user_id=7)) == [3]
    assert _remote_ids(cache, ids("trash")) == [8]
    counts = cache.inquiries.triage_counts(user_id=7)
    assert set(counts) == set(TRIAGE_VIEWS)
    assert (counts["new"], counts["waiting"], counts["all"], counts["unread"]) == (3, 1, 8, 3)
    for view in TRIAGE_VIEWS:
        assert counts[view] == len(ids(view, user_id=7)), view


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", [2, 1, 3, 4, 5, 6, 7, 9]),  # Bo pinned, then Ana, Cy, Di, Ed, Flo, Gus, Ivy
        ("status", [2, 9, 3, 1, 4, 7, 5, 6]),  # new, contacted, scheduled, referred, closed, spam
        ("assignee", [2, 9, 7, 6, 5, 4, 1, 3]),  # nobody first, then Zoe Staff
        ("unread", [2, 7, 6, 5, 4, 1, 9, 3]),  # read first (ascending), newest first within
    ],
)
def test_every_sort_keeps_the_pin(cache: Cache, sort: str, expected: list[int]) -> None:
    _seed(cache)
    ids = cache.inquiries.inbox_ids("all", sort=sort, descending=False)  # type: ignore[arg-type]
    assert _remote_ids(cache, ids) == expected


def test_search_within_a_view(cache: Cache) -> None:
    cache.inquiries.upsert_from_site(
        [
            site_inquiry(1, first_name="José", message="grief after a loss"),
            site_inquiry(2, first_name="Jo", message="work stress", triage_status="closed"),
            site_inquiry(3, first_name="Max", message="grief and sleep"),
        ]
    )
    assert _remote_ids(cache, cache.inquiries.inbox_ids("all", text="grief")) == [3, 1]
    assert _remote_ids(cache, cache.inquiries.inbox_ids("all", text="jose")) == [1]
    assert _remote_ids(cache, cache.inquiries.inbox_ids("closed", text="grief")) == []
    assert list(cache.inquiries.inbox_ids("all", text='" *')) == []


def test_search_keeps_the_pin_and_the_sort(cache: Cache) -> None:
    _seed(cache)
    cache.inquiries.upsert_from_site(
        [site_inquiry(10, first_name="Al", message="grief", received=T0 + timedelta(days=1))]
    )
    found = cache.inquiries.inbox_ids  # every seeded inquiry asks for "an appointment"
    assert _remote_ids(cache, found("all", text="appointment")) == [2, 9, 7, 6, 5, 4, 3, 1]
    assert _remote_ids(cache, found("all", text="example", sort="name", descending=False)) == [
        2,
        10,
        1,
        3,
        4,
        5,
        6,
        7,
        9,
    ]
    assert _remote_ids(cache, found("open", text="grief")) == [10]
    assert _remote_ids(cache, found("trash", text="appointment")) == [8]


def test_ties_in_arrival_follow_the_order_of_storing(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(n, received=T0) for n in (5, 3, 4)])
    ids = cache.inquiries.inbox_ids
    assert _remote_ids(cache, ids("all")) == [4, 3, 5]  # received the same second
    assert _remote_ids(cache, ids("all", descending=False)) == [5, 3, 4]


def test_order_holds_for_hundreds_of_inquiries(cache: Cache) -> None:
    rng = random.Random(7)
    names = ["Ana", "bo", "Cy", "dee", "Éva", "Flo"]
    statuses: list[records.TriageStatus] = ["new", "contacted", "closed", "spam"]
    items = [
        site_inquiry(
            n,
            first_name=rng.choice(names),
            received=T0 + timedelta(minutes=rng.randint(0, 500)),
            triage_status=rng.choice(statuses),
            urgent=rng.random() < 0.1,
            unread=rng.random() < 0.5,
        )
        for n in range(1, 401)
    ]
    cache.inquiries.upsert_from_site(items)
    by_id = {item.id: item for item in items}
    for descending in (True, False):
        for sort in ("received", "unread"):
            ids = cache.inquiries.inbox_ids("all", sort=sort, descending=descending)  # type: ignore[arg-type]
            shown = [by_id[r] for r in _remote_ids(cache, ids) if r is not None]
            assert len(shown) == 400
            pinned = [i.urgent and i.triage_status not in ("closed", "spam") for i in shown]
            assert pinned == sorted(pinned, reverse=True)  # every pinned one above the rest
            for part in (shown[: sum(pinned)], shown[sum(pinned) :]):
                keys = [(i.received_gmt if sort == "received" else i.unread) for i in part]
                assert keys == sorted(keys, reverse=descending), (sort, descending)


def test_counts_follow_every_change(cache: Cache) -> None:
    _seed(cache)
    store = cache.inquiries

    def agree() -> None:
        counts = store.triage_counts(user_id=7)
        assert counts == {view: len(store.inbox_ids(view, user_id=7)) for view in TRIAGE_VIEWS}
        inbox = store.counts(user_id=7)
        assert inbox == {view: counts[view] for view in inbox}

    agree()
    store.set_triage(local_inquiry(cache, 9), triage_status="closed", assignee=7)
    store.mark_read(local_inquiry(cache, 3))
    agree()
    store.trash(local_inquiry(cache, 1))
    store.restore(local_inquiry(cache, 8))
    agree()
    store.delete_permanently(local_inquiry(cache, 4))
    agree()
    store.discard_changes(local_inquiry(cache, 9))
    agree()
    later = T0 + timedelta(days=1)
    store.upsert_from_site(
        [
            site_inquiry(6, triage_status="new", urgent=True, modified=later),
            site_inquiry(11, assignee=7),
        ]
    )
    agree()
    cache.outbox.mark_deleted_on_site("inquiry", 7)
    agree()
    assert store.triage_counts(user_id=7)["urgent"] == 2  # Bo, and Flo now out of spam


def test_rows_come_in_the_order_asked_with_gaps_for_deleted_ones(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1), site_inquiry(2)])
    one, two = local_inquiry(cache, 1), local_inquiry(cache, 2)
    cache.inquiries.delete_permanently(one)
    rows = cache.inquiries.inbox_rows([two, one, 12345])
    assert rows[0] is not None and rows[0].remote_id == 2
    assert rows[0].email == "jane.2@example.org" and rows[0].state == "TX"
    assert rows[1:] == [None, None]


def test_same_contact_ignores_formatting_both_ways(cache: Cache) -> None:
    base = site_inquiry(1)
    cache.inquiries.upsert_from_site(
        [
            dataclasses.replace(base, email="Marcus@Example.com ", phone="817-555-0148"),
            dataclasses.replace(site_inquiry(2), email="marcus@example.com", phone="8175550148"),
            dataclasses.replace(site_inquiry(3), email="kruiz@example.com", phone="(512) 555-0187"),
            dataclasses.replace(site_inquiry(4), email="katie@example.net", phone="512.555.0187"),
            dataclasses.replace(
                site_inquiry(5), email="other@example.com", phone="+1 512 555 0199"
            ),
            dataclasses.replace(site_inquiry(6), email="x@example.com", phone=""),
        ]
    )

    def linked(remote_id: int) -> list[int | None]:
        detail = cache.inquiries.get(local_inquiry(cache, remote_id))
        rows = cache.inquiries.same_contact(
            detail.id, email_key=email_key(detail.email), phone_key=phone_key(detail.phone)
        )
        return [row.remote_id for row in rows]

    assert linked(1) == [2] and linked(2) == [1]  # same email (and phone)
    assert linked(3) == [4] and linked(4) == [3]  # same phone, written differently
    assert linked(5) == [] and linked(6) == []


def test_arrivals_count_new_unread_inquiries_after_a_mark(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1), site_inquiry(2)])
    mark = cache.inquiries.arrivals(0).last_id
    assert cache.inquiries.arrivals(mark).count == 0
    cache.inquiries.upsert_from_site(
        [site_inquiry(3, urgent=True), site_inquiry(4, unread=False), site_inquiry(5)]
    )
    arrivals = cache.inquiries.arrivals(mark)
    assert (arrivals.count, arrivals.urgent) == (2, 1)
    assert arrivals.last_id == local_inquiry(cache, 5)


def test_arrival_texts_say_whether_someone_decided_about_the_flag(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1, message="m1"), site_inquiry(2)])
    cache.inquiries.upsert_notes([dataclasses.replace(site_note(1, 2, "off"), kind="urgent")])
    texts = {t.remote_id: t for t in cache.inquiries.arrival_texts([1, 2, 3])}
    assert set(texts) == {1, 2}
    assert texts[1].message == "m1" and not texts[1].urgent_noted
    assert texts[2].urgent_noted


def test_record_triage_writes_the_change_and_its_notes_together(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1)])
    local = local_inquiry(cache, 1)
    notes = cache.inquiries.record_triage(
        local, {"triage_status": "contacted"}, [("status", "contacted")], author=3, author_name="Al"
    )
    assert notes is not None and len(notes) == 1
    assert cache.inquiries.get(local).triage.triage_status == "contacted"
    # Nothing changes: no timeline entry claims it did.
    assert (
        cache.inquiries.record_triage(
            local,
            {"triage_status": "contacted"},
            [("status", "contacted")],
            author=3,
            author_name="Al",
        )
        is None
    )
    # A bad note refuses the whole change.
    with pytest.raises(InvalidEditError):
        cache.inquiries.record_triage(
            local, {"triage_status": "closed"}, [("note", "  ")], author=3, author_name="Al"
        )
    assert cache.inquiries.get(local).triage.triage_status == "contacted"
    assert len(cache.inquiries.notes(local)) == 1
    with pytest.raises(RecordNotFoundError):
        cache.inquiries.record_triage(999, {}, [("note", "x")], author=3, author_name="Al")


# -- the triage desk -------------------------------------------------------------------------------


def _timeline(cache: Cache, local: int) -> list[tuple[str, str]]:
    return [(n.kind, n.content) for n in cache.inquiries.notes(local)]


def test_changes_are_queued_and_only_what_staff_write_becomes_a_note(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1), site_inquiry(2)])
    one, two = local_inquiry(cache, 1), local_inquiry(cache, 2)
    desk = TriageDesk(cache, 6, "Marisol")
    action = desk.set_status([one, two], "contacted")
    assert action is not None and action.count == 2 and action.kind == "status"
    assert desk.assign([one], 7) is not None
    assert desk.set_urgent([one], True) is not None
    assert desk.set_unread([one], False) is not None
    desk.add_note(one, "  Left a voicemail  ")
    assert desk.set_status([one], "contacted") is None  # already
    triage = cache.inquiries.get(one).triage
    assert (triage.triage_status, triage.assignee, triage.urgent, triage.unread) == (
        "contacted",
        7,
        True,
        False,
    )
    # The push records status, assign and urgent once the site accepts them; here only the
    # note staff wrote is in the timeline.
    assert _timeline(cache, one) == [("note", "Left a voicemail")]
    assert _timeline(cache, two) == []
    assert {n.author for n in cache.inquiries.notes(one)} == {6}
    updates = [e for e in cache.outbox.entries() if e.entity == "inquiry" and e.local_id == one]
    assert len(updates) == 1  # one waiting change, coalesced
    assert dict(updates[0].payload) == {
        "triage_status": "contacted",
        "assignee": 7,
        "urgent": True,
        "unread": False,
    }


def test_an_urgent_inquiry_needs_an_acknowledgement_to_close(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1, urgent=True), site_inquiry(2)])
    one, two = local_inquiry(cache, 1), local_inquiry(cache, 2)
    desk = TriageDesk(cache, 6, "Marisol")
    for status in ("closed", "spam"):
        with pytest.raises(AcknowledgementRequiredError) as raised:
            desk.set_status([one, two], status)
        assert raised.value.urgent_ids == (one,)
        with pytest.raises(AcknowledgementRequiredError):
            desk.set_status([one], status, acknowledgement="ok")
    assert cache.inquiries.get(one).triage.triage_status == "new"
    assert cache.inquiries.get(two).triage.triage_status == "new"  # nothing half-done
    assert desk.set_status([one], "contacted") is not None  # other statuses need nothing
    text = "Called her at 10:05, safe, has a session Thursday; gave 988."
    assert desk.set_status([one, two], "closed", acknowledgement=f"  {text} ") is not None
    assert cache.inquiries.get(one).triage.triage_status == "closed"
    assert _timeline(cache, one) == [("acknowledge", text)]
    assert _timeline(cache, two) == []  # not urgent: nothing to acknowledge


def test_undo_puts_fields_back_and_drops_notes_not_yet_sent(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1, urgent=True), site_inquiry(2, assignee=3)])
    one, two = local_inquiry(cache, 1), local_inquiry(cache, 2)
    desk = TriageDesk(cache, 6, "Marisol")
    text = "Spoke with him at 9:40; safe; intake booked for Friday."
    action = desk.set_status([one, two], "closed", acknowledgement=text)
    assert action is not None
    # The acknowledgement reaches the site before the undo (a pull adopts it by client id).
    sent = cache.inquiries.notes(one)[0]
    cache.inquiries.upsert_notes(
        [
            records.Note(
                500, 1, 6, "Marisol", T0 + timedelta(hours=1), "acknowledge", text,
                sent.client_id,
            )
        ]
    )  # fmt: skip
    result = desk.undo(action)
    assert (result.restored, result.kept_notes) == (2, 1)
    assert cache.inquiries.get(one).triage.triage_status == "new"
    assert cache.inquiries.get(two).triage.triage_status == "new"
    assert _timeline(cache, one) == [("acknowledge", text)]  # on the site: it stays

    note = desk.add_note(two, "Wrong inquiry, sorry")
    assert desk.undo(note) == UndoResult(0, 0) and _timeline(cache, two) == []
    assign = desk.assign([two], 0)
    assert assign is not None
    desk.undo(assign)
    assert cache.inquiries.get(two).triage.assignee == 3
    # Undone before any sync: the waiting change is back to the site's values.
    update = next(e for e in cache.outbox.entries() if e.entity == "inquiry" and e.local_id == two)
    assert update.payload["assignee"] == 3 and update.payload["triage_status"] == "new"


def test_search_covers_every_field_shown(cache: Cache) -> None:
    """Staff search for what they see in the table and the detail: reason, insurance, state,
    preferred contact, the assignee's name and the timeline's notes, not only names and the
    message; every word must match, each in any field."""
    cache.inquiries.upsert_from_site(
        [
            dataclasses.replace(
                site_inquiry(1, first_name="Ana", assignee=7),
                reason="Grief and loss",
                insurance="Aetna",
                state="CA",
                preferred_contact="phone",
            ),
            site_inquiry(2, first_name="Bo"),  # Anxiety, Self-pay, TX, email, nobody
        ]
    )
    cache.catalog.replace_staff([records.StaffMember(7, "Zoe Staff", "zoe", ("editor",))])
    cache.inquiries.upsert_notes([site_note(50, 2, "Left a voicemail about intake")])
    ids = cache.inquiries.inbox_ids
    assert _remote_ids(cache, ids("all", text="grief")) == [1]  # reason
    assert _remote_ids(cache, ids("all", text="aetna")) == [1]  # insurance
    assert _remote_ids(cache, ids("all", text="self-pay")) == [2]
    assert _remote_ids(cache, ids("all", text="CA")) == [1]  # state
    assert _remote_ids(cache, ids("all", text="phone")) == [1]  # preferred contact
    assert _remote_ids(cache, ids("all", text="zoe")) == [1]  # assignee's name
    assert _remote_ids(cache, ids("all", text="voicemail")) == [2]  # a note
    assert _remote_ids(cache, ids("all", text="ana aetna")) == [1]  # words in two fields
    assert _remote_ids(cache, ids("all", text="bo aetna")) == []
    assert _remote_ids(cache, ids("all", text="100%_")) == []  # LIKE's wildcards are plain text


def test_filters_by_reason_and_assignee(cache: Cache) -> None:
    """The inbox narrows to one reason and one assignee (or nobody), with or without a search,
    and lists the reasons the offline copy holds for the filter's choices."""
    cache.inquiries.upsert_from_site(
        [
            dataclasses.replace(site_inquiry(1, first_name="Ana", assignee=7), reason="Grief"),
            dataclasses.replace(site_inquiry(2, first_name="Bo", assignee=7), reason="Anxiety"),
            dataclasses.replace(site_inquiry(3, first_name="Cy"), reason="Grief"),
            dataclasses.replace(site_inquiry(4, first_name="Di"), reason=""),
        ]
    )
    ids = cache.inquiries.inbox_ids
    assert _remote_ids(cache, ids("all", reason="Grief")) == [3, 1]
    assert _remote_ids(cache, ids("all", assignee=7)) == [2, 1]
    assert _remote_ids(cache, ids("all", assignee=0)) == [4, 3]  # nobody assigned
    assert _remote_ids(cache, ids("all", reason="Grief", assignee=7)) == [1]
    assert _remote_ids(cache, ids("all", reason="Grief", text="cy")) == [3]
    assert _remote_ids(cache, ids("all", reason="Grief", sort="name", descending=False)) == [1, 3]
    assert cache.inquiries.reasons() == ["Anxiety", "Grief"]
