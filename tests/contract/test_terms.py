"""Categories and tags: listing, get-or-create through ``term_exists``, no trash."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.fixtures.contract import Api, assert_error, unique

pytestmark = pytest.mark.contract

MakeTerm = Callable[..., Any]


@pytest.fixture
def make_term(api: Api) -> Iterator[MakeTerm]:
    """Create terms; every one is deleted for good afterwards."""
    created: list[tuple[str, int]] = []

    def make(taxonomy: str, role: str | None, name: str, **fields: Any) -> Any:
        response = api.post(f"wp/v2/{taxonomy}", role, {"name": name, **fields})
        if response.status_code == 201:
            created.append((taxonomy, response.json()["id"]))
        return response

    yield make
    for taxonomy, term_id in reversed(created):  # children before their parents
        api.delete(f"wp/v2/{taxonomy}/{term_id}", "administrator", force="true")


def test_category_1_is_uncategorized(api: Api) -> None:
    term = api.get("wp/v2/categories/1").json()
    assert term["id"] == 1
    assert term["slug"] == "uncategorized"


@pytest.mark.parametrize("taxonomy", ["categories", "tags"])
def test_terms_are_listed_with_their_fields(api: Api, taxonomy: str) -> None:
    response = api.get(f"wp/v2/{taxonomy}", per_page=100)
    assert response.status_code == 200
    assert int(response.headers["X-WP-Total"]) == len(response.json())
    for term in response.json():
        for key in ("id", "name", "slug", "description", "count", "taxonomy", "link"):
            assert key in term
        assert ("parent" in term) == (taxonomy == "categories")


def test_an_existing_tag_name_answers_term_exists_with_its_id(make_term: MakeTerm) -> None:
    name = unique("Tag ")
    created = make_term("tags", "contributor", name)
    assert created.status_code == 201, created.text
    again = make_term("tags", "author", name)
    body = assert_error(again, 400, "term_exists")
    assert body["data"]["term_id"] == created.json()["id"]


def test_an_existing_category_name_answers_term_exists(make_term: MakeTerm) -> None:
    name = unique("Category ")
    created = make_term("categories", "editor", name)
    assert created.status_code == 201, created.text
    body = assert_error(make_term("categories", "administrator", name), 400, "term_exists")
    assert body["data"]["term_id"] == created.json()["id"]


def test_a_category_name_clashes_only_with_its_siblings(make_term: MakeTerm) -> None:
    # Observed on WordPress 6.1 (wp_insert_term): the same name under the same parent (in any
    # case) is term_exists; under another parent, or at the top level, it is a new category,
    # whose slug takes the parent's slug (wp_unique_term_slug), or a number at the top level.
    token = unique("").strip().lower()
    adults = make_term("categories", "editor", f"Adults {token}").json()
    teens = make_term("categories", "editor", f"Teens {token}").json()
    child = make_term("categories", "editor", f"Anxiety {token}", parent=adults["id"])
    assert child.status_code == 201, child.text
    assert child.json()["parent"] == adults["id"]
    slug = child.json()["slug"]
    for name in (f"Anxiety {token}", f"anxiety {token}"):
        again = make_term("categories", "administrator", name, parent=adults["id"])
        assert assert_error(again, 400, "term_exists")["data"]["term_id"] == child.json()["id"]
    cousin = make_term("categories", "editor", f"Anxiety {token}", parent=teens["id"])
    assert cousin.status_code == 201, cousin.text
    assert (cousin.json()["parent"], cousin.json()["slug"]) == (
        teens["id"],
        f"{slug}-{teens['slug']}",
    )
    top = make_term("categories", "editor", f"Anxiety {token}")
    assert top.status_code == 201, top.text
    assert (top.json()["parent"], top.json()["slug"]) == (0, f"{slug}-2")
    body = assert_error(make_term("categories", "editor", f"Anxiety {token}"), 400, "term_exists")
    assert body["data"]["term_id"] == top.json()["id"]


def test_a_parent_must_exist_and_tags_have_none(make_term: MakeTerm) -> None:
    name = unique("Orphan ")
    missing = make_term("categories", "editor", name, parent=987654)
    assert_error(missing, 400, "rest_term_invalid")
    tag = make_term("tags", "editor", name, parent=1)
    assert_error(tag, 400, "rest_taxonomy_not_hierarchical")


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("author", 403), ("intake", 403)])
def test_categories_need_manage_categories(
    make_term: MakeTerm, role: str | None, status: int
) -> None:
    assert_error(make_term("categories", role, unique("Cat ")), status, "rest_cannot_create")


def test_terms_cannot_be_trashed(api: Api, make_term: MakeTerm) -> None:
    created = make_term("tags", "editor", unique("Tag "))
    route = f"wp/v2/tags/{created.json()['id']}"
    assert_error(api.delete(route, "administrator"), 501, "rest_trash_not_supported")
    gone = api.delete(route, "administrator", force="true")
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert_error(api.get(route), 404, "rest_term_invalid")


@pytest.mark.parametrize("route", ["wp/v2/categories", "wp/v2/tags", "wp/v2/users"])
def test_a_page_past_the_end_of_terms_or_users_is_empty(api: Api, route: str) -> None:
    # Observed on WordPress 6.1: unlike posts (400 rest_post_invalid_page_number), the terms and
    # users controllers answer an empty page, with the real totals.
    response = api.get(route, page=500)
    assert response.status_code == 200
    assert response.json() == []
    assert int(response.headers["X-WP-Total"]) > 0
