"""Edits of a live post (published, scheduled, private) stay off the site until Update.

WordPress sends a published post's changes to the site only when the author clicks Update; the
offline copy does the same: every pause in typing is saved (and makes revisions), but its
outbox entry is *staged*, skipped by the sync engine, until ``PostStore.publish_changes``.
Drafts and pending posts still sync as they are typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from clinicdesk.model import records
from clinicdesk.store import Cache
from tests.fixtures.store import T0, opened, site_post


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def _synced_post(cache: Cache, remote_id: int = 10, **kwargs: Any) -> int:
    cache.posts.upsert_from_site([site_post(remote_id, **kwargs)])
    local_id = cache.posts.local_id(remote_id)
    assert local_id is not None
    return local_id


def _states(cache: Cache) -> list[tuple[str, str]]:
    return [(e.op, e.state) for e in cache.outbox.entries()]


@pytest.mark.parametrize("status", ["publish", "future", "private"])
def test_edits_of_a_live_post_fold_into_one_staged_entry_the_sync_skips(
    cache: Cache, status: records.PostStatus
) -> None:
    local_id = _synced_post(cache, status=status, title="On the site", content="<p>v0</p>")
    for typed in ("<p>W</p>", "<p>Wor</p>", "<p>Words, half</p>", "<p>Words, whole.</p>"):
        assert cache.posts.edit(local_id, content=typed)
    cache.posts.edit(local_id, title="New title")

    [entry] = cache.outbox.entries()
    assert (entry.op, entry.state) == ("update", "staged")
    assert dict(entry.payload) == {"content": "<p>Words, whole.</p>", "title": "New title"}
    assert cache.outbox.claim_next() is None  # nothing goes to the site
    assert cache.outbox.count() == 0  # and "changes waiting to sync" does not promise it
    detail = cache.posts.get(local_id)
    assert detail.unpublished_changes and detail.sync_state == "modified"
    assert detail.fields.content == "<p>Words, whole.</p>"  # saved here at once
    assert detail.base is not None and detail.base.content == "<p>v0</p>"
    [summary] = cache.posts.page().items
    assert summary.unpublished_changes
    assert [p.id for p in cache.posts.unpublished()] == [local_id]
    assert [r.origin for r in cache.posts.revisions(local_id)] == ["local"]  # as before


def test_update_releases_the_edits_as_one_change_and_the_post_settles(cache: Cache) -> None:
    local_id = _synced_post(cache, title="On the site")
    cache.posts.edit(local_id, title="Half")
    cache.posts.edit(local_id, title="Final title")
    assert cache.outbox.count() == 0
    assert cache.posts.publish_changes(local_id)
    assert cache.outbox.count() == 1
    assert not cache.posts.get(local_id).unpublished_changes
    assert cache.posts.unpublished() == []

    item = cache.outbox.claim_next()
    assert item is not None and item.op == "update"
    assert cache.outbox.post_fields(item) == {"title": "Final title"}
    cache.outbox.mark_pushed(
        item.id, site_post(10, title="Final title", modified=T0 + timedelta(1))
    )
    assert cache.outbox.claim_next() is None
    detail = cache.posts.get(local_id)
    assert detail.sync_state == "synced" and not detail.unpublished_changes
    assert not cache.posts.publish_changes(local_id)  # nothing left to release


def test_edits_after_update_wait_for_the_next_update(cache: Cache) -> None:
    local_id = _synced_post(cache)
    cache.posts.edit(local_id, title="Sent")
    cache.posts.publish_changes(local_id)
    cache.posts.edit(local_id, excerpt="Still typing")  # never folds into the released entry
    assert _states(cache) == [("update", "pending"), ("update", "staged")]
    item = cache.outbox.claim_next()
    assert item is not None and dict(item.payload) == {"title": "Sent"}
    cache.outbox.mark_pushed(item.id, site_post(10, title="Sent", modified=T0 + timedelta(1)))
    assert cache.outbox.claim_next() is None
    detail = cache.posts.get(local_id)
    assert detail.unpublished_changes and detail.fields.excerpt == "Still typing"
    assert detail.base is not None and detail.base.title == "Sent"  # the site's new version


@pytest.mark.parametrize("status", ["draft", "pending"])
def test_drafts_and_pending_posts_still_sync_as_typed(
    cache: Cache, status: records.PostStatus
) -> None:
    local_id = _synced_post(cache, status=status)
    cache.posts.edit(local_id, title="Typed")
    assert _states(cache) == [("update", "pending")]
    assert not cache.posts.get(local_id).unpublished_changes
    item = cache.outbox.claim_next()
    assert item is not None and dict(item.payload) == {"title": "Typed"}


def test_a_status_change_goes_at_once_with_the_staged_edits(cache: Cache) -> None:
    local_id = _synced_post(cache, content="<p>v0</p>")
    cache.posts.edit(local_id, content="<p>v1</p>")
    cache.posts.edit(local_id, status="draft")  # Switch to draft: released with the edit
    assert _states(cache) == [("update", "pending")]
    item = cache.outbox.claim_next()
    assert item is not None
    assert dict(item.payload) == {"content": "<p>v1</p>", "status": "draft"}


def test_publishing_a_draft_goes_at_once_but_later_typing_waits(cache: Cache) -> None:
    local_id = _synced_post(cache, status="draft")
    cache.posts.edit(local_id, status="publish")
    cache.posts.edit(local_id, title="Typed after publishing")
    assert _states(cache) == [("update", "pending"), ("update", "staged")]
    item = cache.outbox.claim_next()
    assert item is not None and dict(item.payload) == {"status": "publish"}


def test_discard_restores_the_sites_version(cache: Cache) -> None:
    local_id = _synced_post(cache, title="On the site", content="<p>site</p>")
    cache.posts.edit(local_id, title="Half-typed", content="<p>half</p>")
    cache.posts.discard_changes(local_id)
    detail = cache.posts.get(local_id)
    assert (detail.fields.title, detail.fields.content) == ("On the site", "<p>site</p>")
    assert detail.sync_state == "synced" and not detail.unpublished_changes
    assert cache.outbox.entries() == []


def test_trash_goes_at_once_and_restore_releases_the_edits_to_the_draft(cache: Cache) -> None:
    local_id = _synced_post(cache)
    cache.posts.edit(local_id, title="Half")
    cache.posts.trash(local_id)
    assert _states(cache) == [("update", "staged"), ("trash", "pending")]
    item = cache.outbox.claim_next()
    assert item is not None and item.op == "trash"
    cache.outbox.mark_pushed(item.id, site_post(10, status="trash", modified=T0 + timedelta(1)))
    assert cache.outbox.claim_next() is None
    cache.posts.restore(local_id)  # a status change: no longer live, the edits go too
    assert _states(cache) == [("update", "pending")]
    item = cache.outbox.claim_next()
    assert item is not None and dict(item.payload) == {"title": "Half", "status": "draft"}


def test_delete_for_good_drops_the_unpublished_edits(cache: Cache) -> None:
    local_id = _synced_post(cache)
    cache.posts.edit(local_id, title="Half")
    cache.posts.delete_permanently(local_id)
    assert _states(cache) == [("delete", "pending")]
    item = cache.outbox.claim_next()
    assert item is not None
    cache.outbox.mark_pushed(item.id, None)
    assert cache.posts.local_id(10) is None and cache.outbox.entries() == []


def test_a_merge_while_edits_wait_keeps_them_off_the_site(cache: Cache) -> None:
    local_id = _synced_post(cache, status="draft", title="T")
    cache.posts.edit(local_id, status="publish")  # Publish: pending
    cache.posts.edit(local_id, excerpt="half-typed")  # then typing: staged
    theirs = site_post(10, status="draft", title="Their title", modified=T0 + timedelta(1))
    cache.posts.upsert_from_site([theirs])  # the site moved meanwhile: a merge is needed
    cache.posts.resolve(local_id, status="publish", title="Their title", excerpt="half-typed")
    [sent, kept] = cache.outbox.entries()
    assert (sent.state, dict(sent.payload)) == ("pending", {"status": "publish"})
    assert (kept.state, dict(kept.payload)) == ("staged", {"excerpt": "half-typed"})
