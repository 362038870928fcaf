"""Several store writes as one transaction (how the sync engine stores a page and its cursor)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from clinicdesk.store import Cache
from tests.fixtures.store import T0, opened, site_post


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def _elsewhere(cache: Cache) -> tuple[int | None, object]:
    """What another thread (the UI's) reads now: post 10's local id and the posts cursor."""
    seen: list[tuple[int | None, object]] = []
    thread = threading.Thread(
        target=lambda: seen.append(
            (cache.posts.local_id(10), cache.outbox.cursor("posts").modified_after)
        )
    )
    thread.start()
    thread.join(30)
    return seen[0]


def test_a_page_and_its_cursor_commit_together_and_not_before_the_end(cache: Cache) -> None:
    with cache.transaction():
        assert cache.posts.upsert_from_site([site_post(10)]) == ["inserted"]
        cache.outbox.set_cursor("posts", modified_after=T0)
        assert _elsewhere(cache) == (None, None)  # nothing is visible half-done
    local_id, cursor = _elsewhere(cache)
    assert local_id is not None and cursor == T0


def test_an_error_inside_keeps_neither(cache: Cache) -> None:
    with pytest.raises(RuntimeError), cache.transaction():
        cache.posts.upsert_from_site([site_post(10)])
        cache.outbox.set_cursor("posts", modified_after=T0)
        raise RuntimeError("killed between the two, say")
    assert _elsewhere(cache) == (None, None)
    # The cache is usable afterwards, transaction or not.
    with cache.transaction():
        cache.posts.upsert_from_site([site_post(10)])
    cache.outbox.set_cursor("posts", modified_after=T0 + timedelta(1))
    assert _elsewhere(cache)[1] == T0 + timedelta(1)


def test_a_transaction_inside_another_joins_it(cache: Cache) -> None:
    with pytest.raises(RuntimeError), cache.transaction():
        with cache.transaction():
            cache.posts.upsert_from_site([site_post(10)])
        cache.outbox.set_cursor("posts", modified_after=T0)
        raise RuntimeError("after the inner one ended")
    assert _elsewhere(cache) == (None, None)
