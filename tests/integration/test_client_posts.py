"""Posts through the site client over real HTTP: the life of a post, listing, the client-id
lookup, and what each role may do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from clinicdesk.site import (
    ForbiddenError,
    GoneError,
    NotFoundError,
    Post,
    SiteClient,
)
from tests.fixtures.client import (
    client_for,
    force_delete,
    marker,
    new_client_id,
)
from tests.fixtures.site import SiteUnderTest


@pytest.fixture
def editor(site: SiteUnderTest) -> Iterator[SiteClient]:
    with client_for(site, "editor") as client:
        yield client


@pytest.fixture
def created(site: SiteUnderTest) -> Iterator[list[int]]:
    """Ids of posts a test created; each is deleted for good afterwards."""
    ids: list[int] = []
    yield ids
    for post_id in ids:
        force_delete(site, f"wp/v2/posts/{post_id}")


def _create(client: SiteClient, created: list[int], title: str, **fields: object) -> Post:
    post = client.create_post({"title": title, **fields}, new_client_id())  # type: ignore[typeddict-item]
    created.append(post.id)
    return post


def test_the_life_of_a_post(editor: SiteClient, created: list[int]) -> None:
    word = marker()
    client_id = new_client_id()
    post = editor.create_post(
        {"title": f"Winter hours {word}", "content": "We close at 5.", "status": "draft"},
        client_id,
    )
    created.append(post.id)
    assert (post.title, post.content, post.status, post.client_id) == (
        f"Winter hours {word}",
        "We close at 5.",
        "draft",
        client_id,
    )
    assert post.slug == ""  # drafts have no slug yet...
    assert post.generated_slug  # ...only the one they would get
    assert post.modified_gmt.tzinfo is UTC

    # A lost answer is recovered by looking the client id up.
    found = editor.find_post_by_client_id(client_id)
    assert found is not None
    assert found.id == post.id

    updated = editor.update_post(post.id, {"excerpt": "Short hours"})
    assert (updated.title, updated.excerpt) == (post.title, "Short hours")  # partial
    assert updated.modified_gmt >= post.modified_gmt
    assert editor.get_post(post.id) == updated

    trashed = editor.trash_post(post.id)
    assert trashed.status == "trash"
    with pytest.raises(GoneError):
        editor.trash_post(post.id)
    in_trash = editor.find_post_by_client_id(client_id)
    assert in_trash is not None
    assert in_trash.status == "trash"
    assert post.id in {v.id for v in editor.post_versions("trash")}
    assert post.id not in {v.id for v in editor.post_versions("any")}

    editor.delete_post_permanently(post.id)
    with pytest.raises(NotFoundError):
        editor.get_post(post.id)
    assert editor.find_post_by_client_id(client_id) is None
    assert post.id not in {v.id for v in editor.post_versions("trash")}


def test_listing_pages_and_filters(editor: SiteClient, created: list[int]) -> None:
    word = marker()
    posts = [_create(editor, created, f"Note {n} {word}", status="draft") for n in range(3)]
    pages = list(editor.iter_posts(search=word, per_page=1, orderby="id", order="asc"))
    assert [p.page for p in pages] == [1, 2, 3]
    assert {(p.total, p.total_pages) for p in pages} == {(3, 3)}
    assert [p.items[0].id for p in pages] == [p.id for p in posts]

    since = min(p.modified_gmt for p in posts) - timedelta(seconds=1)
    recent = editor.list_posts(modified_after=since, search=word)
    assert {p.id for p in recent} == {p.id for p in posts}
    assert editor.list_posts(modified_after=datetime.now(UTC) + timedelta(hours=1)) == []
    assert [p.id for p in editor.list_posts(include=[posts[1].id])] == [posts[1].id]
    versions = {v.id: v.modified_gmt for v in editor.post_versions("any")}
    assert all(versions[p.id] == p.modified_gmt for p in posts)


def test_a_scheduled_post(editor: SiteClient, created: list[int]) -> None:
    when = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    post = _create(editor, created, f"Open house {marker()}", status="publish", date_gmt=when)
    assert post.status == "future"
    assert post.date_gmt == when


def test_a_contributor_may_draft_but_not_publish(
    site: SiteUnderTest, created: list[int], editor: SiteClient
) -> None:
    with client_for(site, "contributor") as contributor:
        draft = _create(contributor, created, f"Draft {marker()}", status="pending")
        assert draft.status == "pending"
        client_id = new_client_id()
        with pytest.raises(ForbiddenError) as caught:
            contributor.create_post({"title": f"Live {marker()}", "status": "publish"}, client_id)
        assert caught.value.code == "rest_cannot_publish"
    assert editor.find_post_by_client_id(client_id) is None  # refused: nothing was created
