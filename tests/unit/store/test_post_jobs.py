"""The post store's jobs: each works on the cache alone, and the store offers them all once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clinicdesk.store import Cache
from clinicdesk.store.post_conflicts import PostConflicts
from clinicdesk.store.post_edits import PostEdits
from clinicdesk.store.post_reads import PostReads
from clinicdesk.store.post_staging import PostStaging
from clinicdesk.store.post_sync import PostsFromSite
from clinicdesk.store.posts import PostStore
from tests.fixtures.jobs import defined_twice, public_methods
from tests.fixtures.store import opened, site_post

JOBS = (PostReads, PostEdits, PostStaging, PostConflicts, PostsFromSite)

#: What the app, the benchmark and the tests call on ``cache.posts`` (grep of the callers).
CALLED = (
    "counts create delete_permanently discard_changes edit get keep_versions local_id page "
    "publish_changes query recreate resolve restore restore_revision revisions search trash "
    "unpublished create_values upsert_from_site"
).split()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def test_the_store_offers_every_method_its_callers_use() -> None:
    assert set(CALLED) <= public_methods(PostStore)


def test_no_two_jobs_define_the_same_method() -> None:
    """Were two jobs to define one name, the store would silently use the first one's."""
    assert defined_twice(JOBS) == []


def test_each_job_needs_only_the_cache(cache: Cache) -> None:
    """A published post from the site is edited here (staged until Update), released, and its
    waiting change dropped for the site's version, each step by its own job on the cache."""
    PostsFromSite(cache).upsert_from_site([site_post(7, title="On the site")])
    local_id = PostReads(cache).local_id(7)
    assert local_id is not None
    assert PostEdits(cache).edit(local_id, title="Edited here")
    staging = PostStaging(cache)
    assert [post.id for post in staging.unpublished()] == [local_id]
    assert staging.publish_changes(local_id)
    assert staging.unpublished() == []
    PostConflicts(cache).discard_changes(local_id)
    post = PostReads(cache).get(local_id)
    assert post.fields.title == "On the site" and post.sync_state == "synced"
