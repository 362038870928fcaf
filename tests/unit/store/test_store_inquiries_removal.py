"""Removing every inquiry from the offline copy (the user may no longer handle them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from clinicdesk.store import Cache
from clinicdesk.store import search as fts
from clinicdesk.store.models import InquiryCount, InquiryMessage, Note, OutboxEntry
from tests.fixtures.store import T0, opened, site_inquiry, site_note, site_post


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def _count(cache: Cache, model: type[object]) -> int:
    with cache.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_remove_all_leaves_no_inquiry_note_message_index_entry_or_change(cache: Cache) -> None:
    cache.inquiries.upsert_from_site(
        [
            site_inquiry(1, first_name="Marisol", message="Panic attacks at work."),
            site_inquiry(2, first_name="Teodoro", status="trash"),
        ]
    )
    cache.inquiries.upsert_notes([site_note(10, 1, "Left a voicemail")])
    cache.posts.upsert_from_site([site_post(5, title="Spring hours")])
    cache.posts.create(title="A draft written here")
    local = cache.inquiries.local_id(1)
    assert local is not None
    cache.inquiries.mark_read(local)
    cache.inquiries.add_note(local, "note", "Prefers evenings", author=2, author_name="Sam")
    cache.inquiries.keep_note_draft([local], "Half a note about her")  # the tab locked
    cache.outbox.set_cursor("inquiries", modified_after=T0)
    cache.outbox.set_cursor("notes", after_id=10)
    cache.outbox.set_cursor("posts", modified_after=T0)
    assert cache.inquiries.search("panic")
    post_changes = len([e for e in cache.outbox.entries() if e.entity == "post"])
    assert post_changes == 1

    assert cache.inquiries.remove_all() == 2

    assert cache.inquiries.counts()["all"] == 0 and cache.inquiries.counts()["trash"] == 0
    assert cache.inquiries.page("all").total == 0
    assert cache.inquiries.search("panic") == [] and cache.inquiries.search("marisol") == []
    assert _count(cache, Note) == 0 and _count(cache, InquiryMessage) == 0
    assert cache.inquiries.note_draft() is None, "a kept note draft is about them too"
    with cache.read() as session:
        assert not session.scalar(select(func.sum(InquiryCount.n)))
        assert session.scalar(text("SELECT count(*) FROM inquiries_fts")) == 0
        segments = session.scalars(text("SELECT block FROM inquiries_fts_data")).all()
        assert not any(b"panic" in bytes(block or b"") for block in segments), "kept in the index"
        notes = session.scalars(text("SELECT block FROM notes_fts_data")).all()
        assert not any(b"voicemail" in bytes(block or b"") for block in notes), "a note's words"
        fts.check(session)
        entities = set(session.scalars(select(OutboxEntry.entity)))
    assert not entities & {"inquiry", "note"}
    # Were the user allowed again, every inquiry and note would be fetched anew.
    assert cache.outbox.cursor("inquiries").modified_after is None
    assert cache.outbox.cursor("notes").after_id == 0
    # Posts are not touched.
    assert cache.outbox.cursor("posts").modified_after == T0
    assert cache.posts.counts()["all"] == 2
    assert len([e for e in cache.outbox.entries() if e.entity == "post"]) == post_changes


def test_remove_all_with_nothing_to_remove_keeps_everything_else(cache: Cache) -> None:
    cache.posts.upsert_from_site([site_post(5, title="Spring hours")])
    cache.outbox.set_cursor("posts", modified_after=T0)
    assert cache.inquiries.remove_all() == 0
    assert cache.inquiries.remove_all() == 0
    assert cache.posts.counts()["all"] == 1
    assert cache.outbox.cursor("posts").modified_after == T0
