"""What the post editor offers to choose from (``ui/posts/parts/offered.py``), on a real
encrypted cache: the images a post can show, the users by name, and a failed read that is said
once and offers nothing rather than stopping the editor.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clinicdesk.model import records
from clinicdesk.store import Cache, CacheError
from clinicdesk.ui.posts.parts.offered import Offered
from tests.fixtures.store import opened, site_term


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as opened_cache:
        yield opened_cache


def test_images_are_offered_and_one_waiting_for_upload_is_found_on_this_computer(
    cache: Cache, tmp_path: Path
) -> None:
    picture = tmp_path / "calm.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    image_id = cache.catalog.queue_upload(picture, "image/png", title="calm")
    cache.catalog.queue_upload(tmp_path / "leaflet.pdf", "application/pdf", title="leaflet")
    said: list[str] = []
    offered = Offered(cache, said.append)

    assert [m.title for m in offered.images()] == ["calm"], "a PDF is no featured image"
    assert offered.image_path(image_id) == str(picture)
    assert offered.image_path(image_id + 100) is None
    assert said == []


def test_terms_and_users_are_offered(cache: Cache) -> None:
    cache.catalog.upsert_terms([site_term(10, "Grief"), site_term(11, "Sleep", "post_tag")])
    cache.catalog.replace_users([records.User(1, "Zoe Author", "zoe")])
    offered = Offered(cache, [].append)

    assert [t.name for t in offered.categories()] == ["Grief"]
    assert [t.name for t in offered.tags()] == ["Sleep"]
    [zoe] = cache.catalog.users()
    assert offered.user_names() == {zoe.id: "Zoe Author"}


def test_a_failed_read_is_said_and_offers_nothing(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> list[object]:
        raise CacheError("The offline copy could not be read.")

    monkeypatch.setattr(cache.catalog, "terms", broken)
    monkeypatch.setattr(cache.catalog, "media", broken)
    monkeypatch.setattr(cache.catalog, "users", broken)
    said: list[str] = []
    offered = Offered(cache, said.append)

    assert offered.categories() == [] and offered.tags() == [] and offered.images() == []
    assert said == ["The offline copy could not be read."] * 3
    assert offered.user_names() == {}, "an author is then shown by id, silently"
    with pytest.raises(CacheError):
        offered.terms("category")  # the caller decides
    assert len(said) == 3
