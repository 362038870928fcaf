"""The inquiry store's jobs: each works on the cache alone, and the store offers them all once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clinicdesk.store import Cache
from clinicdesk.store.arrival_queue import ArrivalQueue
from clinicdesk.store.inquiries import InquiryStore
from clinicdesk.store.inquiry_reads import InquiryReads
from clinicdesk.store.inquiry_removal import InquiryRemoval
from clinicdesk.store.inquiry_sync import InquiriesFromSite
from clinicdesk.store.note_drafts import NoteDrafts
from clinicdesk.store.triage_edits import TriageEdits
from clinicdesk.store.triage_inbox import TriageInbox
from tests.fixtures.jobs import defined_twice, public_methods
from tests.fixtures.store import opened, site_inquiry

JOBS = (
    InquiryReads,
    TriageInbox,
    ArrivalQueue,
    TriageEdits,
    NoteDrafts,
    InquiriesFromSite,
    InquiryRemoval,
)

#: What the app, the benchmark and the tests call on ``cache.inquiries`` (grep of the callers).
CALLED = (
    "add_note arrival_texts arrivals counts delete_permanently discard_changes discard_note get "
    "has_unsent_system_note inbox_ids inbox_rows keep_note_draft drop_note_draft local_id "
    "mark_arrivals_checked mark_read note_draft notes page reasons record_triage remove_all "
    "resolve restore same_contact search set_triage trash triage_counts triage_state "
    "unchecked_arrivals upsert_from_site upsert_notes"
).split()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def test_the_store_offers_every_method_its_callers_use() -> None:
    assert set(CALLED) <= public_methods(InquiryStore)


def test_no_two_jobs_define_the_same_method() -> None:
    """Were two jobs to define one name, the store would silently use the first one's."""
    assert defined_twice(JOBS) == []


def test_each_job_needs_only_the_cache(cache: Cache) -> None:
    """An inquiry goes from the site's page to the crisis queue, the inbox, a local edit and the
    removal, each step taken by its own job built on the cache alone."""
    InquiriesFromSite(cache).upsert_from_site([site_inquiry(1, message="I need help")])
    (arrival,) = ArrivalQueue(cache).unchecked_arrivals()
    assert arrival.message == "I need help"
    local_id = InquiryReads(cache).local_id(1)
    assert local_id == arrival.id
    assert TriageEdits(cache).set_triage(local_id, urgent=True)
    (row,) = TriageInbox(cache).inbox_rows([local_id])
    assert row is not None and row.urgent and row.sync_state == "modified"
    NoteDrafts(cache).keep_note_draft([local_id], "half a note")
    assert InquiryRemoval(cache).remove_all() == 1
    assert NoteDrafts(cache).note_draft() is None
    assert InquiryReads(cache).local_id(1) is None
