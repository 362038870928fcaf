"""The crisis check of arrivals after a round (``check_arrivals``): which stored inquiries it
reads, which it leaves alone, and that it reads each once.

The store reads the message only of inquiries the check reads (``ArrivalText.to_check``), so
these tests make sure the ones it must read are read whole, and the ones it must leave alone
are not flagged whatever their message says.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinicdesk.services.arrivals import check_arrivals
from clinicdesk.store import Cache
from tests.fixtures.store import opened, site_inquiry, site_note

CRISIS = "Honestly I just want to die, I have been planning it"


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def _urgent(cache: Cache, remote_id: int) -> bool:
    local = cache.inquiries.local_id(remote_id)
    assert local is not None
    return cache.inquiries.get(local).triage.urgent


def _notes(cache: Cache, remote_id: int) -> list[str]:
    local = cache.inquiries.local_id(remote_id)
    assert local is not None
    return [note.content for note in cache.inquiries.notes(local)]


def test_only_new_inquiries_nobody_decided_about_are_read_and_flagged(cache: Cache) -> None:
    cache.inquiries.upsert_from_site(
        [
            site_inquiry(1, message=CRISIS),  # new: flagged
            site_inquiry(2, message=CRISIS, triage_status="contacted"),  # handled already
            site_inquiry(3, message=CRISIS, urgent=True),  # flagged already
            site_inquiry(4, message=CRISIS),  # flag taken off by hand, below
            site_inquiry(5, message="Looking for couples counselling on Fridays."),
            site_inquiry(6, message="x" * 5000 + " " + CRISIS),  # a long message, read whole
        ]
    )
    cache.inquiries.upsert_notes([dataclasses.replace(site_note(1, 4, "off"), kind="urgent")])

    assert check_arrivals(cache, batch=4) == 2

    assert [_urgent(cache, n) for n in range(1, 7)] == [True, False, True, False, False, True]
    for left_alone in (2, 3, 5):
        assert _notes(cache, left_alone) == []
    assert _notes(cache, 4) == ["off"]
    assert all("wish to be dead" in _notes(cache, n)[0] for n in (1, 6))
    assert cache.inquiries.unchecked_arrivals() == []


def test_what_the_store_hands_the_check(cache: Cache) -> None:
    cache.inquiries.upsert_from_site(
        [
            site_inquiry(1, message=CRISIS),
            site_inquiry(2, message=CRISIS, triage_status="closed"),
            site_inquiry(3, message=CRISIS, urgent=True),
        ]
    )
    arrivals = {a.remote_id: a for a in cache.inquiries.unchecked_arrivals()}
    assert arrivals[1].to_check and arrivals[1].message == CRISIS
    assert not arrivals[2].to_check and not arrivals[3].to_check
    # Reading inquiries by site id (right after a pull) still gives every message.
    assert {a.message for a in cache.inquiries.arrival_texts([1, 2, 3])} == {CRISIS}
