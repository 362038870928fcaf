"""The writes of the Posts tab through :class:`~clinicdesk.services.posts.PostDesk`, on a real
encrypted cache (no Qt, no site): each one leaves the post, term or image as the user asked and
queues what the site must hear; a conflict settled through the desk keeps the version given up
in the history.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from clinicdesk.services.posts import PostDesk
from clinicdesk.store import Cache, InvalidEditError
from tests.fixtures.store import T0, opened, site_post, site_term


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as opened_cache:
        yield opened_cache


def _in_conflict(cache: Cache) -> int:
    """A site draft edited here ("Mine") while the site changed it too ("Theirs")."""
    cache.posts.upsert_from_site([site_post(7, title="Original", status="draft")])
    local_id = cache.posts.local_id(7)
    assert local_id is not None
    cache.posts.edit(local_id, title="Mine")
    cache.outbox.mark_conflict(
        "post",
        local_id,
        site_post(7, title="Theirs", status="draft", modified=T0 + timedelta(minutes=5)),
    )
    assert cache.posts.get(local_id).sync_state == "conflict"
    return local_id


def test_a_draft_written_then_trashed_and_restored_through_the_desk(cache: Cache) -> None:
    desk = PostDesk(cache)
    local_id = desk.create(title="New", content="<p>Words</p>")
    assert desk.edit(local_id, title="New, edited")
    assert desk.get(local_id).fields.title == "New, edited"
    assert cache.outbox.count() == 1, "the create and its edit wait as one change"
    cache.posts.upsert_from_site([site_post(3, title="On the site")])
    site_id = cache.posts.local_id(3)
    assert site_id is not None
    desk.trash(site_id)
    assert desk.get(site_id).fields.status == "trash"
    desk.restore(site_id)
    assert desk.get(site_id).fields.status == "draft"


def test_term_ids_reuses_known_names_whatever_their_case_and_creates_the_others(
    cache: Cache,
) -> None:
    cache.catalog.upsert_terms([site_term(10, "Grief", "post_tag")])
    [grief] = cache.catalog.terms("post_tag")
    desk = PostDesk(cache)

    ids = desk.term_ids("post_tag", ["grief", "Sleep", "sleep", "  Grief "])

    assert ids[0] == grief.id and ids[3] == grief.id
    assert ids[1] == ids[2] != grief.id, "a name typed twice is one new tag"
    assert sorted(t.name for t in cache.catalog.terms("post_tag")) == ["Grief", "Sleep"]
    waiting = [(e.entity, e.op) for e in cache.outbox.entries()]
    assert waiting == [("term", "create")], "only the new tag waits for the site"


def test_term_ids_of_a_blank_name_is_refused_with_a_message(cache: Cache) -> None:
    with pytest.raises(InvalidEditError) as caught:
        PostDesk(cache).term_ids("category", ["   "])
    assert caught.value.message


def test_taking_the_sites_version_keeps_mine_in_the_history(cache: Cache) -> None:
    local_id = _in_conflict(cache)
    desk = PostDesk(cache)

    desk.take_site_version(local_id)

    detail = desk.get(local_id)
    assert detail.fields.title == "Theirs"
    assert detail.sync_state != "conflict"
    assert ("local", "Mine") in [(r.origin, r.fields.title) for r in desk.revisions(local_id)]


def test_keeping_my_version_keeps_the_sites_in_the_history(cache: Cache) -> None:
    local_id = _in_conflict(cache)
    desk = PostDesk(cache)

    desk.settle(local_id, title="Mine, merged")

    detail = desk.get(local_id)
    assert detail.fields.title == "Mine, merged"
    assert detail.sync_state != "conflict"
    history = desk.revisions(local_id)
    assert ("site", "Theirs") in [(r.origin, r.fields.title) for r in history]
    assert cache.outbox.count() == 1, "my version waits for the site"


def test_an_image_queued_and_its_text_changed_wait_for_the_site(
    cache: Cache, tmp_path: Path
) -> None:
    picture = tmp_path / "calm.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    desk = PostDesk(cache)

    media_id = desk.queue_upload(picture, "image/png", title="calm")
    desk.set_alt_text(media_id, "A calm lake")

    [media] = cache.catalog.media()
    assert (media.id, media.alt_text, media.title) == (media_id, "A calm lake", "calm")
    assert [(e.entity, e.op) for e in cache.outbox.entries()] == [("media", "upload")], (
        "the new text is folded into the waiting upload"
    )


def test_a_file_of_no_known_type_is_refused_with_a_message(cache: Cache) -> None:
    with pytest.raises(InvalidEditError) as caught:
        PostDesk(cache).queue_upload(Path("notes"), "")
    assert caught.value.message
    assert cache.outbox.count() == 0
