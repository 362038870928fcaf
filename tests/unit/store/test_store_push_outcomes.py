"""What the push stores per change: an inquiry's outcome without rewriting what did not change,
the small read it compares with the site, and a claimed change given back unsent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from clinicdesk.store import Cache, RecordNotFoundError
from clinicdesk.store.search import check
from tests.fixtures.store import T0, local_inquiry, opened, site_inquiry

MESSAGE = "Panic attacks at night, mostly before work"


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        cache.inquiries.upsert_from_site(
            [
                site_inquiry(1, first_name="Amara", message=MESSAGE),
                site_inquiry(2, first_name="Jane", message="Sleep trouble"),
            ]
        )
        yield cache


@contextmanager
def _writes(cache: Cache) -> Iterator[list[str]]:
    """The statements that change a table, as sent to SQLite while the block runs."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen.append(" ".join(statement.split()[:3]))

    event.listen(cache.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(cache.engine, "before_cursor_execute", note)


def _found(cache: Cache, text: str) -> list[int | None]:
    return [i.remote_id for i in cache.inquiries.search(text)]


def test_a_pushed_triage_change_leaves_the_message_as_it_was(cache: Cache) -> None:
    local_id = local_inquiry(cache, 1)
    cache.inquiries.set_triage(local_id, triage_status="closed")
    item = cache.outbox.claim_next()
    assert item is not None
    answer = site_inquiry(
        1, first_name="Amara", message=MESSAGE, triage_status="closed", modified=T0 + timedelta(1)
    )
    with _writes(cache) as writes:
        cache.outbox.mark_pushed(item.id, answer)
    # The entry goes, the row is written once; the message (and its index) is not touched.
    assert writes == ["DELETE FROM outbox", "UPDATE inquiries SET"]
    detail = cache.inquiries.get(local_id)
    assert detail.sync_state == "synced" and detail.triage.triage_status == "closed"
    assert detail.message == MESSAGE and detail.base is None
    assert _found(cache, "panic") == [1] and _found(cache, "amara") == [1]
    counts = cache.inquiries.counts()
    assert (counts["open"], counts["closed"], counts["all"]) == (1, 1, 2)
    with cache.read() as session:
        check(session)  # the full-text index agrees with the tables


def test_a_pushed_answer_with_a_new_message_and_name_is_stored_and_found(cache: Cache) -> None:
    local_id = local_inquiry(cache, 1)
    cache.inquiries.set_triage(local_id, urgent=True)
    item = cache.outbox.claim_next()
    assert item is not None
    answer = site_inquiry(
        1,
        first_name="Amira",
        message="Insomnia since spring",
        urgent=True,
        modified=T0 + timedelta(1),
    )
    cache.outbox.mark_pushed(item.id, answer)
    detail = cache.inquiries.get(local_id)
    assert detail.message == "Insomnia since spring" and detail.first_name == "Amira"
    assert _found(cache, "insomnia") == [1] and _found(cache, "amira") == [1]
    assert _found(cache, "panic") == [] and _found(cache, "amara") == []
    assert cache.inquiries.counts()["urgent"] == 1
    with cache.read() as session:
        check(session)


def test_an_answer_while_more_edits_wait_keeps_them_and_the_message(cache: Cache) -> None:
    local_id = local_inquiry(cache, 1)
    cache.inquiries.set_triage(local_id, triage_status="contacted")
    item = cache.outbox.claim_next()
    assert item is not None
    cache.inquiries.set_triage(local_id, assignee=3)  # a new entry: the first one is in flight
    answer = site_inquiry(
        1,
        first_name="Amara",
        message=MESSAGE,
        triage_status="contacted",
        modified=T0 + timedelta(1),
    )
    with _writes(cache) as writes:
        cache.outbox.mark_pushed(item.id, answer)
    assert not [w for w in writes if "inquiry_messages" in w]
    detail = cache.inquiries.get(local_id)
    assert detail.sync_state == "modified" and detail.triage.assignee == 3
    assert detail.base is not None and detail.base.triage_status == "contacted"
    assert detail.base.assignee == 0 and _found(cache, "panic") == [1]


def test_the_triage_state_is_what_the_detail_says(cache: Cache) -> None:
    local_id = local_inquiry(cache, 1)
    triage, started = cache.inquiries.triage_state(local_id)
    assert triage == cache.inquiries.get(local_id).triage and started is None
    cache.inquiries.set_triage(local_id, urgent=True, triage_status="contacted")
    cache.inquiries.trash(local_id)
    triage, started = cache.inquiries.triage_state(local_id)
    detail = cache.inquiries.get(local_id)
    assert triage == detail.triage and started == detail.base
    assert (triage.status, triage.urgent, triage.triage_status) == ("trash", True, "contacted")
    assert started is not None and (started.status, started.urgent) == ("private", False)
    with pytest.raises(RecordNotFoundError):
        cache.inquiries.triage_state(10_000)


def test_a_change_claimed_and_never_sent_goes_back_as_it_was(cache: Cache) -> None:
    for remote_id in (1, 2):
        cache.inquiries.set_triage(local_inquiry(cache, remote_id), urgent=True)
    first = cache.outbox.claim_next()
    ahead = cache.outbox.claim_next()
    assert first is not None and ahead is not None and ahead.attempts == 1
    cache.outbox.unclaim(ahead.id)
    states = {e.id: (e.state, e.attempts) for e in cache.outbox.entries()}
    assert states == {first.id: ("in_flight", 1), ahead.id: ("pending", 0)}
    again = cache.outbox.claim_next()
    assert again is not None and again.id == ahead.id and again.attempts == 1
    # Only an entry in flight is given back: one queued again after a failure keeps its count.
    cache.outbox.mark_failed(again.id, "timed out")
    cache.outbox.unclaim(again.id)
    cache.outbox.unclaim(123_456)  # gone: nothing to do
    states = {e.id: (e.state, e.attempts) for e in cache.outbox.entries()}
    assert states == {first.id: ("in_flight", 1), ahead.id: ("pending", 1)}
