"""Posts: local-first edits with their outbox entries, and what the sync engine applies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from clinicdesk.store import (
    Cache,
    InvalidEditError,
    RecordNotFoundError,
    UnsyncedDependencyError,
    post_edits,
    post_rows,
    post_sync,
)
from clinicdesk.store.models import Media, OutboxEntry, Post, PostRevision, PostTerm, Term
from clinicdesk.store.post_rows import MAX_REVISIONS
from tests.fixtures.store import T0, opened, site_post, site_term


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def _synced_post(cache: Cache, remote_id: int = 10, **kwargs: Any) -> int:
    cache.posts.upsert_from_site([site_post(remote_id, **kwargs)])
    local_id = cache.posts.local_id(remote_id)
    assert local_id is not None
    return local_id


def _row_counts(cache: Cache) -> tuple[int, int]:
    with cache.read() as session:
        posts = session.scalar(select(func.count()).select_from(Post)) or 0
        entries = session.scalar(select(func.count()).select_from(OutboxEntry)) or 0
    return posts, entries


# -- local writes -----------------------------------------------------------------------------


def test_create_queues_a_create_with_a_client_id(cache: Cache) -> None:
    local_id = cache.posts.create(title="Hello", content="<p>x</p>")
    post = cache.posts.get(local_id)
    assert post.fields.status == "draft" and post.remote_id is None
    assert post.sync_state == "new" and post.client_id is not None
    [entry] = cache.outbox.entries()
    assert (entry.entity, entry.op, entry.local_id) == ("post", "create", local_id)
    assert entry.client_id == post.client_id
    assert entry.payload["title"] == "Hello" and entry.payload["status"] == "draft"


def test_edit_records_base_once_and_coalesces_into_one_update(cache: Cache) -> None:
    local_id = _synced_post(cache, title="Original", content="<p>v0</p>")
    assert cache.posts.edit(local_id, title="First edit")
    assert cache.posts.edit(local_id, content="<p>v1</p>")
    assert cache.posts.edit(local_id, title="Second edit")
    assert not cache.posts.edit(local_id, title="Second edit")  # no change, nothing queued

    post = cache.posts.get(local_id)
    assert post.sync_state == "modified"
    assert post.base is not None and post.base.title == "Original"
    assert post.base.content == "<p>v0</p>"
    assert post.fields.title == "Second edit"
    [entry] = cache.outbox.entries()
    assert entry.op == "update"
    assert dict(entry.payload) == {"title": "Second edit", "content": "<p>v1</p>"}


def test_edits_of_a_new_post_fold_into_its_create(cache: Cache) -> None:
    local_id = cache.posts.create(title="Draft")
    cache.posts.edit(local_id, title="Draft 2", excerpt="short")
    [entry] = cache.outbox.entries()
    assert entry.op == "create"
    assert entry.payload["title"] == "Draft 2" and entry.payload["excerpt"] == "short"


def test_edit_and_outbox_entry_are_one_transaction(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_id = _synced_post(cache, title="Original")

    def failing_enqueue(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(post_edits, "enqueue", failing_enqueue)
    with pytest.raises(RuntimeError):
        cache.posts.edit(local_id, title="Lost?")
    post = cache.posts.get(local_id)
    assert post.fields.title == "Original" and post.sync_state == "synced" and post.base is None
    assert cache.outbox.count() == 0
    assert cache.posts.revisions(local_id) == []


def test_outbox_entry_written_then_failure_leaves_neither(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_enqueue = post_edits.enqueue

    def enqueue_then_fail(*args: Any, **kwargs: Any) -> int:
        real_enqueue(*args, **kwargs)
        raise RuntimeError("crash after the entry")

    monkeypatch.setattr(post_edits, "enqueue", enqueue_then_fail)
    with pytest.raises(RuntimeError):
        cache.posts.create(title="Never")
    assert _row_counts(cache) == (0, 0)


def test_invalid_edits_are_refused_before_anything_is_stored(cache: Cache) -> None:
    local_id = _synced_post(cache)
    bad: list[dict[str, Any]] = [
        {"colour": "red"},
        {"status": "trash"},
        {"status": "published"},
        {"title": 5},
        {"categories": [999]},
        {"featured_media": 999},
        {"date_gmt": T0.replace(tzinfo=None)},
    ]
    for change in bad:
        with pytest.raises(InvalidEditError):
            cache.posts.edit(local_id, **change)
    with pytest.raises(RecordNotFoundError):
        cache.posts.edit(12345, title="x")
    assert cache.outbox.count() == 0


def test_update_referring_to_a_later_created_term_is_not_folded_before_it(cache: Cache) -> None:
    local_id = _synced_post(cache)
    cache.posts.edit(local_id, title="Edited first")  # entry 1: update
    term_id = cache.catalog.create_term("category", "Self-care")  # entry 2: create term
    cache.posts.edit(local_id, categories=[term_id])  # must come after entry 2
    entries = cache.outbox.entries()
    assert [(e.entity, e.op) for e in entries] == [
        ("post", "update"),
        ("term", "create"),
        ("post", "update"),
    ]
    assert dict(entries[2].payload) == {"categories": [term_id]}
    cache.posts.edit(local_id, excerpt="folded")  # folds into the record's latest entry
    assert len(cache.outbox.entries()) == 3
    assert cache.outbox.entries()[2].payload["excerpt"] == "folded"


def test_trash_of_a_post_never_sent_just_deletes_it(cache: Cache) -> None:
    local_id = cache.posts.create(title="Oops")
    cache.posts.trash(local_id)
    assert _row_counts(cache) == (0, 0)


def test_trash_and_restore_of_a_synced_post_are_queued_in_order(cache: Cache) -> None:
    local_id = _synced_post(cache)
    cache.posts.trash(local_id)
    assert cache.posts.get(local_id).fields.status == "trash"
    assert cache.posts.page().total == 0 and cache.posts.page("trash").total == 1
    cache.posts.restore(local_id)
    assert [(e.op, dict(e.payload)) for e in cache.outbox.entries()] == [
        ("trash", {}),
        ("update", {"status": "draft"}),
    ]


def test_permanent_delete_hides_the_post_until_the_site_confirms(cache: Cache) -> None:
    local_id = _synced_post(cache)
    cache.posts.delete_permanently(local_id)
    assert cache.posts.page().total == 0
    item = cache.outbox.claim_next()
    assert item is not None and item.op == "delete" and item.remote_id == 10
    cache.outbox.mark_pushed(item.id, None)
    assert _row_counts(cache) == (0, 0)


def test_lists_counts_and_sorting(cache: Cache) -> None:
    cache.posts.upsert_from_site(
        [
            site_post(1, title="Beta", modified=T0),
            site_post(2, title="Alpha", modified=T0 + timedelta(hours=1), status="draft"),
            site_post(3, title="Gamma", modified=T0 + timedelta(hours=2), status="trash"),
        ]
    )
    assert [p.title for p in cache.posts.page().items] == ["Alpha", "Beta"]
    assert [p.title for p in cache.posts.page(sort="title", descending=False).items] == [
        "Alpha",
        "Beta",
    ]
    assert cache.posts.page("draft").total == 1
    assert cache.posts.counts() == {"publish": 1, "draft": 1, "trash": 1, "all": 2}
    page = cache.posts.page(limit=1, offset=1)
    assert page.total == 2 and [p.title for p in page.items] == ["Beta"]


# -- revisions --------------------------------------------------------------------------------


def test_revisions_are_saved_per_editing_session_and_restorable(cache: Cache) -> None:
    local_id = _synced_post(cache, title="V1", content="<p>one</p>")
    cache.posts.edit(local_id, title="V2")
    cache.posts.edit(local_id, title="V3")  # same session: no second revision
    revisions = cache.posts.revisions(local_id)
    assert [r.fields.title for r in revisions] == ["V1"]
    assert cache.posts.restore_revision(local_id, revisions[0].id)
    assert cache.posts.get(local_id).fields.title == "V1"


def test_revisions_are_bounded(cache: Cache) -> None:
    local_id = _synced_post(cache)
    with cache.write() as session:
        post = session.get(Post, local_id)
        assert post is not None
        for n in range(MAX_REVISIONS + 10):
            post.title = f"Title {n}"
            post_rows.record_revision(session, post, "site")
    with cache.read() as session:
        count = session.scalar(select(func.count()).select_from(PostRevision))
    assert count == MAX_REVISIONS
    assert cache.posts.revisions(local_id)[0].fields.title == f"Title {MAX_REVISIONS + 9}"


def test_site_update_of_a_clean_post_keeps_the_old_text_as_a_revision(cache: Cache) -> None:
    local_id = _synced_post(cache, title="Before")
    outcome = cache.posts.upsert_from_site(
        [site_post(10, title="After", modified=T0 + timedelta(minutes=5))]
    )
    assert outcome == ["updated"]
    assert cache.posts.get(local_id).fields.title == "After"
    assert [(r.origin, r.fields.title) for r in cache.posts.revisions(local_id)] == [
        ("site", "Before")
    ]


# -- the apply side ---------------------------------------------------------------------------


def test_upsert_on_a_dirty_post_keeps_local_changes_and_stores_the_site_copy(
    cache: Cache,
) -> None:
    local_id = _synced_post(cache, title="Original", content="<p>site</p>")
    cache.posts.edit(local_id, title="Mine")
    newer = site_post(10, title="Theirs", content="<p>site 2</p>", modified=T0 + timedelta(1))
    assert cache.posts.upsert_from_site([newer]) == ["kept_local"]
    post = cache.posts.get(local_id)
    assert post.fields.title == "Mine" and post.fields.content == "<p>site</p>"
    assert post.base is not None and post.base.title == "Original"
    assert post.server is not None and post.server.title == "Theirs"
    assert post.server.modified_gmt == newer.modified_gmt
    assert post.server_modified_gmt == T0  # still the version the edit started from
    assert [e.op for e in cache.outbox.entries()] == ["update"]


def test_same_version_again_is_unchanged(cache: Cache) -> None:
    _synced_post(cache)
    assert cache.posts.upsert_from_site([site_post(10)]) == ["unchanged"]


def test_scheduled_post_published_without_a_new_modified_is_updated(cache: Cache) -> None:
    local_id = _synced_post(cache, status="future")
    assert cache.posts.upsert_from_site([site_post(10, status="publish")]) == ["updated"]
    assert cache.posts.get(local_id).fields.status == "publish"


def test_unknown_terms_and_media_become_placeholders_not_losses(cache: Cache) -> None:
    local_id = _synced_post(cache, categories=(5,), tags=(7,), featured_media=9)
    post = cache.posts.get(local_id)
    assert len(post.fields.categories) == 1 and len(post.fields.tags) == 1
    assert post.fields.featured_media is not None
    assert cache.catalog.terms("category") == []  # placeholders are not listed
    cache.catalog.upsert_terms([site_term(5, "Anxiety")])
    [category] = cache.catalog.terms("category")
    assert category.id == post.fields.categories[0] and category.name == "Anxiety"
    # Local ids go back to the site's ids when sent.
    new_id = cache.posts.create(
        title="Uses them", categories=[category.id], featured_media=post.fields.featured_media
    )
    [entry] = [e for e in cache.outbox.entries() if e.local_id == new_id]
    body = cache.outbox.post_fields(entry)
    assert body["categories"] == [5] and body["featured_media"] == 9


def test_create_pushed_then_site_answer_applied(cache: Cache) -> None:
    local_id = cache.posts.create(title="New post")
    item = cache.outbox.claim_next()
    assert item is not None and item.op == "create" and item.attempts == 1
    body = cache.outbox.post_fields(item)
    assert body["title"] == "New post"
    cache.outbox.mark_pushed(item.id, site_post(77, title="New post", client_id=item.client_id))
    post = cache.posts.get(local_id)
    assert post.remote_id == 77 and post.sync_state == "synced" and post.base is None
    assert cache.outbox.count() == 0


def test_edit_while_create_in_flight_goes_to_a_new_entry_and_survives_the_answer(
    cache: Cache,
) -> None:
    local_id = cache.posts.create(title="Draft")
    item = cache.outbox.claim_next()
    assert item is not None
    cache.posts.edit(local_id, title="Edited while sending")
    assert [e.state for e in cache.outbox.entries()] == ["in_flight", "pending"]
    cache.outbox.mark_pushed(item.id, site_post(77, title="Draft", client_id=item.client_id))
    post = cache.posts.get(local_id)
    assert post.fields.title == "Edited while sending" and post.remote_id == 77
    assert post.sync_state == "modified" and post.base is not None and post.base.title == "Draft"
    [entry] = cache.outbox.entries()
    assert entry.op == "update" and entry.remote_id == 77


def test_lost_create_answer_is_adopted_by_client_id(cache: Cache) -> None:
    local_id = cache.posts.create(title="Sent once")
    item = cache.outbox.claim_next()
    assert item is not None
    cache.outbox.requeue_in_flight()  # the app died waiting for the answer
    cache.posts.edit(local_id, title="Then edited")
    found = site_post(88, title="Sent once", client_id=item.client_id)
    assert cache.posts.upsert_from_site([found]) == ["kept_local"]
    assert cache.posts.page().total == 1  # adopted, not duplicated
    post = cache.posts.get(local_id)
    assert post.remote_id == 88 and post.sync_state == "modified"
    assert post.fields.title == "Then edited"
    # The create is done (the site has the post): never created twice. What goes is what was
    # changed here since it was sent, merged from what it sent (not from the site's version).
    assert [(e.op, e.payload) for e in cache.outbox.entries()] == [
        ("update", {"title": "Then edited"})
    ]
    assert post.base is not None and post.base.title == "Sent once"


def test_adopted_create_identical_to_the_site_needs_no_more_sending(cache: Cache) -> None:
    local_id = cache.posts.create(
        title="A title",
        content="<p>Body</p>",
        slug="post-88",
        status="publish",
        author=1,
        date_gmt=T0,
    )
    item = cache.outbox.claim_next()
    assert item is not None
    cache.outbox.requeue_in_flight()
    found = site_post(88, client_id=item.client_id)
    assert cache.posts.upsert_from_site([found]) == ["updated"]
    assert cache.posts.get(local_id).sync_state == "synced" and cache.outbox.count() == 0


def test_site_duplicate_of_an_adopted_create_is_kept_apart(cache: Cache) -> None:
    local_id = cache.posts.create(title="Once")
    item = cache.outbox.claim_next()
    assert item is not None
    cache.outbox.mark_pushed(item.id, site_post(88, title="Once", client_id=item.client_id))
    duplicate = site_post(89, title="Once", client_id=item.client_id)
    assert cache.posts.upsert_from_site([duplicate]) == ["inserted"]
    assert cache.posts.get(local_id).remote_id == 88
    assert cache.posts.page().total == 2


# -- a page of posts at once ---------------------------------------------------------------------


def test_a_page_applies_each_post_as_one_at_a_time_would_and_keeps_local_edits(
    cache: Cache,
) -> None:
    clean = _synced_post(cache, 10, title="Before")
    edited = _synced_post(cache, 11, title="Original")
    cache.posts.edit(edited, title="Mine")
    same = _synced_post(cache, 12)
    lost = cache.posts.create(title="Sent once")
    item = cache.outbox.claim_next()
    assert item is not None
    cache.outbox.requeue_in_flight()  # its create's answer was lost
    later = T0 + timedelta(minutes=5)
    page = [
        site_post(20, categories=(5,), tags=(7,)),
        site_post(10, title="After", modified=later),
        site_post(11, title="Theirs", modified=later),
        site_post(12),
        site_post(88, title="Sent once", client_id=item.client_id),
        site_post(21, categories=(5, 6), featured_media=9),
    ]
    outcomes = cache.posts.upsert_from_site(page)
    # The adopted create: nothing changed here since it was sent, so the site's version is it.
    assert outcomes == ["inserted", "updated", "kept_local", "unchanged", "updated", "inserted"]
    assert cache.posts.get(clean).fields.title == "After"
    assert [(r.origin, r.fields.title) for r in cache.posts.revisions(clean)] == [
        ("site", "Before")
    ]
    kept = cache.posts.get(edited)
    assert kept.fields.title == "Mine" and kept.server is not None
    assert kept.server.title == "Theirs" and kept.sync_state == "modified"
    assert cache.posts.get(same).sync_state == "synced"
    adopted = cache.posts.get(lost)
    assert adopted.remote_id == 88 and adopted.fields.title == "Sent once"
    assert adopted.sync_state == "synced"
    assert cache.posts.page().total == 6  # adopted, not duplicated
    first, second = (cache.posts.local_id(remote_id) for remote_id in (20, 21))
    assert first is not None and second is not None
    new, newer = cache.posts.get(first), cache.posts.get(second)
    # One placeholder per term the page refers to, shared by the posts using it.
    assert new.fields.categories == newer.fields.categories[:1]
    assert len(new.fields.tags) == 1 and newer.fields.tags == ()
    assert newer.fields.featured_media is not None and new.fields.featured_media is None
    with cache.read() as session:
        assert session.scalar(select(func.count()).select_from(Term)) == 3
        assert session.scalar(select(func.count()).select_from(Media)) == 1
    # Sent back to the site, the local ids are the site's again.
    assert cache.posts.create(title="x", categories=list(newer.fields.categories))
    entry = cache.outbox.entries()[-1]
    assert cache.outbox.post_fields(entry)["categories"] == [5, 6]


def test_a_page_is_one_transaction(cache: Cache, monkeypatch: pytest.MonkeyPatch) -> None:
    local_id = _synced_post(cache, 10, title="Before")
    real_insert = post_sync._insert_posts

    def insert_then_fail(*args: Any, **kwargs: Any) -> None:
        real_insert(*args, **kwargs)
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(post_sync, "_insert_posts", insert_then_fail)
    page = [site_post(10, title="After", modified=T0 + timedelta(1)), site_post(20, tags=(7,))]
    with pytest.raises(RuntimeError):
        cache.posts.upsert_from_site(page)
    assert cache.posts.get(local_id).fields.title == "Before"
    assert cache.posts.local_id(20) is None and cache.posts.revisions(local_id) == []
    with cache.read() as session:
        assert session.scalar(select(func.count()).select_from(Term)) == 0


def test_a_page_of_new_posts_costs_a_few_statements_not_some_per_post(cache: Cache) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    page = [site_post(100 + n, categories=(1 + n % 3,), tags=(9,)) for n in range(100)]
    event.listen(cache.engine, "before_cursor_execute", count)
    try:
        assert set(cache.posts.upsert_from_site(page)) == {"inserted"}
    finally:
        event.remove(cache.engine, "before_cursor_execute", count)
    # One at a time, that page took about 1,000 statements.
    assert len(statements) <= 12, statements
    with cache.read() as session:
        assert session.scalar(select(func.count()).select_from(PostTerm)) == 200


def test_the_same_post_twice_in_a_page_and_duplicated_client_ids_are_kept_apart(
    cache: Cache,
) -> None:
    twice = [site_post(30, title="First"), site_post(30, title="Then", modified=T0 + timedelta(1))]
    assert cache.posts.upsert_from_site(twice) == ["inserted", "updated"]
    local_id = cache.posts.local_id(30)
    assert local_id is not None and cache.posts.get(local_id).fields.title == "Then"
    # The site made two posts of one create of another app's (the same client id).
    copies = [
        site_post(31, client_id="0b5c7d3e-8f4a-4c7e-9d2b-1a2b3c4d5e6f"),
        site_post(32, client_id="0b5c7d3e-8f4a-4c7e-9d2b-1a2b3c4d5e6f"),
    ]
    assert cache.posts.upsert_from_site(copies) == ["inserted", "inserted"]
    with cache.read() as session:
        rows = session.execute(select(Post.remote_id, Post.client_id).where(Post.remote_id > 30))
        client_ids = {remote_id: client_id for remote_id, client_id in rows}
    assert client_ids == {31: "0b5c7d3e-8f4a-4c7e-9d2b-1a2b3c4d5e6f", 32: None}


def test_post_using_an_unsent_term_reports_the_dependency(cache: Cache) -> None:
    term_id = cache.catalog.create_term("post_tag", "Mindfulness")
    local_id = cache.posts.create(title="Uses a new tag", tags=[term_id])
    entries = cache.outbox.entries()
    assert [(e.entity, e.op) for e in entries] == [("term", "create"), ("post", "create")]
    with pytest.raises(UnsyncedDependencyError):
        cache.outbox.post_fields(entries[1])
    term_item = cache.outbox.claim_next()
    assert term_item is not None and term_item.entity == "term"
    assert cache.outbox.term_fields(term_item) == {"name": "Mindfulness"}
    cache.outbox.mark_pushed(term_item.id, site_term(31, "Mindfulness", "post_tag"))
    post_item = cache.outbox.claim_next()
    assert post_item is not None and post_item.local_id == local_id
    assert cache.outbox.post_fields(post_item)["tags"] == [31]


def test_term_that_already_existed_on_the_site_is_merged(cache: Cache) -> None:
    cache.catalog.upsert_terms([site_term(40, "Grief")])
    [existing] = cache.catalog.terms("category")
    duplicate = cache.catalog.create_term("category", "Grief")
    post_id = cache.posts.create(title="p", categories=[duplicate])
    item = cache.outbox.claim_next()
    assert item is not None and item.entity == "term"
    cache.outbox.mark_pushed(item.id, site_term(40, "Grief"))  # term_exists -> the old one
    assert [t.id for t in cache.catalog.terms("category")] == [existing.id]
    assert cache.posts.get(post_id).fields.categories == (existing.id,)
    [entry] = cache.outbox.entries()
    assert entry.payload["categories"] == [existing.id]


def test_rejected_change_is_held_surfaced_and_retried_after_an_edit(cache: Cache) -> None:
    local_id = _synced_post(cache, status="draft")
    other = _synced_post(cache, remote_id=11)
    cache.posts.edit(local_id, status="publish")
    cache.posts.edit(other, title="Other change")
    assert cache.posts.publish_changes(other)  # a published post's edit waits for Update
    item = cache.outbox.claim_next()
    assert item is not None and item.local_id == local_id
    cache.outbox.mark_rejected(item.id, "Sorry, you are not allowed to publish posts.")
    post = cache.posts.get(local_id)
    assert post.sync_state == "rejected"
    assert post.sync_message == "Sorry, you are not allowed to publish posts."
    nxt = cache.outbox.claim_next()  # other records go on
    assert nxt is not None and nxt.local_id == other
    cache.outbox.mark_pushed(nxt.id, site_post(11, title="Other change"))
    assert cache.outbox.claim_next() is None  # the rejected one waits
    cache.posts.edit(local_id, status="pending")  # the user fixes it
    assert cache.posts.get(local_id).sync_state == "modified"
    retry = cache.outbox.claim_next()
    assert retry is not None and retry.payload["status"] == "pending"


def test_conflict_keeps_both_versions_until_resolved(cache: Cache) -> None:
    local_id = _synced_post(cache, title="Base", content="<p>base</p>")
    cache.posts.edit(local_id, title="Local title")
    cache.posts.publish_changes(local_id)  # Update: the edit was on its way to the site
    theirs = site_post(
        10, title="Their title", content="<p>base</p>", modified=T0 + timedelta(hours=1)
    )
    cache.outbox.mark_conflict("post", local_id, theirs)
    post = cache.posts.get(local_id)
    assert post.sync_state == "conflict"
    assert post.fields.title == "Local title"
    assert post.server is not None and post.server.title == "Their title"
    assert cache.outbox.claim_next() is None  # held
    cache.posts.resolve(local_id, title="Merged title")
    post = cache.posts.get(local_id)
    assert post.sync_state == "modified" and post.fields.title == "Merged title"
    assert post.base is not None and post.base.title == "Their title"
    assert post.server_modified_gmt == theirs.modified_gmt
    item = cache.outbox.claim_next()
    assert item is not None and dict(item.payload) == {"title": "Merged title"}


def test_resolve_to_the_site_version_leaves_nothing_to_send(cache: Cache) -> None:
    local_id = _synced_post(cache, title="Base")
    cache.posts.edit(local_id, title="Local")
    cache.posts.upsert_from_site([site_post(10, title="Site", modified=T0 + timedelta(1))])
    cache.posts.resolve(local_id, title="Site")
    post = cache.posts.get(local_id)
    assert post.sync_state == "synced" and cache.outbox.count() == 0


def test_deleted_on_site_with_local_edits_is_kept_and_can_be_recreated(cache: Cache) -> None:
    clean = _synced_post(cache, remote_id=20)
    edited = _synced_post(cache, remote_id=21)
    cache.posts.edit(edited, title="Unsent work")
    assert cache.outbox.mark_deleted_on_site("post", 20) == "dropped"
    assert cache.outbox.mark_deleted_on_site("post", 21) == "kept"
    assert cache.outbox.mark_deleted_on_site("post", 99) == "unknown"
    with pytest.raises(RecordNotFoundError):
        cache.posts.get(clean)
    post = cache.posts.get(edited)
    assert post.sync_state == "deleted_on_site" and post.fields.title == "Unsent work"
    assert cache.outbox.claim_next() is None
    cache.posts.recreate(edited)
    post = cache.posts.get(edited)
    assert post.sync_state == "new" and post.remote_id is None
    item = cache.outbox.claim_next()
    assert item is not None and item.op == "create" and item.payload["title"] == "Unsent work"


def test_discard_changes_goes_back_to_the_site_version(cache: Cache) -> None:
    local_id = _synced_post(cache, title="Site")
    cache.posts.edit(local_id, title="Local")
    cache.posts.discard_changes(local_id)
    post = cache.posts.get(local_id)
    assert post.fields.title == "Site" and post.sync_state == "synced"
    assert cache.outbox.count() == 0


def test_failed_send_is_retried_with_attempts_counted(cache: Cache) -> None:
    cache.posts.create(title="x")
    item = cache.outbox.claim_next()
    assert item is not None
    cache.outbox.mark_failed(item.id, "timed out")
    again = cache.outbox.claim_next()
    assert again is not None and again.id == item.id and again.attempts == 2
    assert again.last_error == "timed out"


def test_a_create_found_by_the_push_merges_from_what_it_sent_not_the_sites_version(
    cache: Cache,
) -> None:
    local_id = cache.posts.create(title="Sent", excerpt="")
    item = cache.outbox.claim_next()
    assert item is not None
    # Sent again after a lost answer, the push found it by its client id instead (a colleague
    # had retitled it meanwhile), while the author had added an excerpt here.
    cache.posts.edit(local_id, excerpt="Mine")
    found = site_post(88, title="Theirs", status="draft", client_id=item.client_id)
    cache.outbox.mark_pushed(item.id, found, adopted=True)
    post = cache.posts.get(local_id)
    assert post.remote_id == 88 and post.sync_state == "modified"
    assert (post.fields.title, post.fields.excerpt) == ("Sent", "Mine")
    assert post.base is not None and post.base.title == "Sent"  # what the create sent
    assert post.server is not None and post.server.title == "Theirs"  # kept for the merge
    [entry] = cache.outbox.entries()
    assert (entry.op, entry.payload) == ("update", {"excerpt": "Mine"})


def test_a_create_found_by_the_push_with_nothing_changed_here_takes_the_sites_version(
    cache: Cache,
) -> None:
    local_id = cache.posts.create(title="Sent")
    item = cache.outbox.claim_next()
    assert item is not None
    found = site_post(88, title="Theirs", status="trash", client_id=item.client_id)
    cache.outbox.mark_pushed(item.id, found, adopted=True)
    post = cache.posts.get(local_id)
    assert post.sync_state == "synced" and cache.outbox.entries() == []
    assert (post.fields.title, post.fields.status) == ("Theirs", "trash")
    assert post.fields.date_gmt == T0  # the date the site gave it
    # What the author wrote stays within reach.
    assert [(r.origin, r.fields.title) for r in cache.posts.revisions(local_id)][-1] == (
        "site",
        "Sent",
    )
