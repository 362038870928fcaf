"""The store additions the Posts tab relies on (no Qt here).

``PostStore.query`` (the list: filters, search, every sort), ``PostStore.keep_versions`` (the
version given up in a conflict stays in the history) and images inserted before their upload
(``clinicdeskLocalMedia``), which the push resolves once the upload reached the site.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from clinicdesk.domain.blocks import Image, Paragraph, Span, serialize
from clinicdesk.model import records
from clinicdesk.store import Cache, UnsyncedDependencyError
from tests.fixtures.store import T0, opened, site_post, site_term


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as opened_cache:
        yield opened_cache


def _seed(cache: Cache) -> dict[str, int]:
    cache.catalog.upsert_terms([site_term(10, "Anxiety"), site_term(11, "Grief")])
    cache.catalog.replace_users(
        [records.User(1, "Zoe Author", "zoe"), records.User(2, "adam writer", "adam")]
    )
    posts = [
        site_post(1, title="banana", status="publish", categories=(10,)),
        site_post(2, title="Apple pie", status="draft", categories=(11,)),
        site_post(3, title="cherry", status="pending", modified=T0 + timedelta(hours=1)),
        site_post(4, title="Trashed", status="trash"),
    ]
    posts[1] = records.Post(**{**_fields(posts[1]), "author": 2})
    cache.posts.upsert_from_site(posts)
    ids = {p.title: cache.posts.local_id(p.id) for p in posts}
    return {k: v for k, v in ids.items() if v is not None}


def _fields(post: records.Post) -> dict[str, object]:
    return {name: getattr(post, name) for name in post.__dataclass_fields__}


def test_query_filters_by_status_category_author_and_words(cache: Cache) -> None:
    ids = _seed(cache)
    anxiety = next(t.id for t in cache.catalog.terms("category") if t.name == "Anxiety")

    def titles(**kwargs: object) -> list[str]:
        return [p.title for p in cache.posts.query(sort="title", descending=False, **kwargs).items]  # type: ignore[arg-type]

    assert titles() == ["Apple pie", "banana", "cherry"]
    assert titles(status="trash") == ["Trashed"]
    assert titles(category=anxiety) == ["banana"]
    assert titles(author=2) == ["Apple pie"]
    assert titles(words="pie") == ["Apple pie"]
    assert titles(words="app") == ["Apple pie"]  # prefixes, as typed
    assert titles(words="'\"") == []
    assert titles(words="pie", status="publish") == []
    page = cache.posts.query(sort="title", descending=False, limit=2, offset=2)
    assert (page.total, [p.title for p in page.items]) == (3, ["cherry"])
    assert ids


def test_query_sorts_by_every_column(cache: Cache) -> None:
    ids = _seed(cache)
    cache.posts.edit(ids["banana"], title="banana split")  # local changes
    new_id = cache.posts.create(title="Draft here")  # not on the site yet

    def order(sort: str, descending: bool = False) -> list[str]:
        page = cache.posts.query(sort=sort, descending=descending)  # type: ignore[arg-type]
        return [p.title for p in page.items]

    assert order("title") == ["Apple pie", "banana split", "cherry", "Draft here"]
    assert order("title", descending=True) == ["Draft here", "cherry", "banana split", "Apple pie"]
    assert order("status") == ["Draft here", "Apple pie", "cherry", "banana split"]
    # By the author's name, case-insensitively; no known author first; ties newest first.
    assert order("author") == ["Draft here", "Apple pie", "cherry", "banana split"]
    assert order("sync")[:2] == ["Draft here", "banana split"]
    assert order("modified", descending=True)[0] == "Draft here"
    assert new_id


def test_keep_versions_puts_both_sides_of_a_conflict_in_the_history(cache: Cache) -> None:
    cache.posts.upsert_from_site([site_post(7, title="Original")])
    local_id = cache.posts.local_id(7)
    assert local_id is not None
    cache.posts.edit(local_id, title="Mine")
    cache.outbox.mark_conflict(
        "post", local_id, site_post(7, title="Theirs", modified=T0 + timedelta(minutes=5))
    )
    assert cache.posts.get(local_id).sync_state == "conflict"
    cache.posts.keep_versions(local_id)
    history = cache.posts.revisions(local_id)
    assert [(r.origin, r.fields.title) for r in history[:2]] == [
        ("site", "Theirs"),
        ("local", "Mine"),
    ]
    cache.posts.resolve(local_id, title="Mine")  # keep mine
    site = next(r for r in cache.posts.revisions(local_id) if r.origin == "site")
    assert cache.posts.restore_revision(local_id, site.id)
    assert cache.posts.get(local_id).fields.title == "Theirs"


def test_an_image_inserted_before_its_upload_goes_to_the_site_after_it(
    cache: Cache, tmp_path: Path
) -> None:
    post_id = cache.posts.create(title="With a picture")
    picture = tmp_path / "calm.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    media_id = cache.catalog.queue_upload(picture, "image/png", alt_text="A calm room")
    body = (
        serialize(Paragraph((Span("Look:"),)))
        + "\n\n"
        + serialize(Image(None, media_id, f"clinicdesk-media:{media_id}", "A calm room"))
    )
    cache.posts.edit(post_id, content=body)
    entries = cache.outbox.entries()
    assert [(e.entity, e.op) for e in entries] == [
        ("post", "create"),
        ("media", "upload"),
        ("post", "update"),  # not folded into the create: it must wait for the upload
    ]
    with pytest.raises(UnsyncedDependencyError):
        cache.outbox.post_fields(entries[2])
    upload = cache.outbox.claim_next()
    assert upload is not None and upload.entity == "post"
    cache.outbox.mark_pushed(upload.id, site_post(50, title="With a picture", content=""))
    upload = cache.outbox.claim_next()
    assert upload is not None and upload.entity == "media"
    cache.outbox.mark_pushed(
        upload.id,
        records.Media(
            id=321,
            source_url="https://clinic.example.org/wp-content/uploads/calm.png",
            mime_type="image/png",
            media_type="image",
            alt_text="A calm room",
            title="calm",
            date_gmt=T0,
            modified_gmt=T0,
            width=10,
            height=10,
        ),
    )
    update = cache.outbox.claim_next()
    assert update is not None and update.op == "update"
    content = cache.outbox.post_fields(update)["content"]
    assert "clinicdesk" not in content.lower()
    assert (
        '<img src="https://clinic.example.org/wp-content/uploads/calm.png" alt="A calm room"'
        ' class="wp-image-321"/>'
    ) in content
    assert '<!-- wp:image {"id":321,"sizeSlug":"large","linkDestination":"none"} -->' in content
