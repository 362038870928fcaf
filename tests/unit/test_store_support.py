"""Helpers shared by the store tests: record factories and a cache opener (no tests here).

Kept in a ``test_store_*`` module so the store tests need nothing from a conftest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clinicdesk.model import records
from clinicdesk.store import Cache, CacheKey, open_cache

#: A fixed raw key, so a test can reopen the cache it made.
KEY = CacheKey.from_bytes(bytes(range(32)))
T0 = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)

#: Text that must never appear in the clear on disk.
SECRET_MESSAGE = "I have been feeling hopeless since my divorce zqxjkv"
SECRET_TITLE = "Coping with grief after loss wvbnmq"


@contextmanager
def opened(path: Path, key: CacheKey = KEY) -> Iterator[Cache]:
    """Open a cache and always close it (strict pytest fails on unclosed connections)."""
    cache = open_cache(path, key)
    try:
        yield cache
    finally:
        cache.close()


def site_post(
    post_id: int,
    *,
    title: str = "A title",
    content: str = "<p>Body</p>",
    status: records.PostStatus = "publish",
    modified: datetime = T0,
    categories: tuple[int, ...] = (),
    tags: tuple[int, ...] = (),
    featured_media: int = 0,
    client_id: str | None = None,
) -> records.Post:
    """A post as the site client would return it."""
    return records.Post(
        id=post_id,
        status=status,
        slug=f"post-{post_id}",
        generated_slug=f"post-{post_id}",
        title=title,
        content=content,
        excerpt="",
        author=1,
        featured_media=featured_media,
        categories=categories,
        tags=tags,
        date_gmt=T0,
        modified_gmt=modified,
        link=f"https://clinic.example/post-{post_id}/",
        client_id=client_id,
    )


def site_inquiry(
    inquiry_id: int,
    *,
    first_name: str = "Jane",
    last_name: str = "Doe",
    message: str = "I would like an appointment.",
    received: datetime | None = None,
    modified: datetime = T0,
    triage_status: records.TriageStatus = "new",
    assignee: int = 0,
    urgent: bool = False,
    unread: bool = True,
    status: str = "private",
) -> records.Inquiry:
    """An inquiry as the site client would return it."""
    when = received or T0 + timedelta(minutes=inquiry_id)
    return records.Inquiry(
        id=inquiry_id,
        status="trash" if status == "trash" else "private",
        date_gmt=when,
        modified_gmt=modified,
        first_name=first_name,
        last_name=last_name,
        email=f"{first_name.lower()}.{inquiry_id}@example.org",
        phone="",
        preferred_contact="email",
        state="TX",
        insurance="Self-pay",
        reason="Anxiety",
        message=message,
        consent=True,
        received_gmt=when,
        triage_status=triage_status,
        assignee=assignee,
        urgent=urgent,
        unread=unread,
    )


def site_term(term_id: int, name: str, taxonomy: records.Taxonomy = "category") -> records.Term:
    """A category or tag as the site returns it."""
    return records.Term(
        id=term_id,
        taxonomy=taxonomy,
        name=name,
        slug=name.lower(),
        description="",
        parent=0,
        count=1,
    )


def site_note(
    note_id: int, inquiry: int, content: str = "Called back", client_id: str | None = None
) -> records.Note:
    """A timeline note as the site returns it."""
    return records.Note(
        id=note_id,
        inquiry=inquiry,
        author=2,
        author_name="Sam Staff",
        date_gmt=T0 + timedelta(seconds=note_id),
        kind="note",
        content=content,
        client_id=client_id,
    )
