"""Listing posts: search, filters, ordering, ``_fields``, pagination and ``modified_after``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.fixtures.contract import Api, assert_error, unique

pytestmark = pytest.mark.contract

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
MakePost = Callable[..., dict[str, Any]]


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def shift(value: str, seconds: int) -> str:
    """A ``YYYY-MM-DDTHH:MM:SS`` UTC value moved by ``seconds``, with a ``Z``."""
    moved = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S") + timedelta(seconds=seconds)
    return moved.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_search_finds_the_seed_post_on_vulnerability(api: Api) -> None:
    response = api.get("wp/v2/posts", search="Vulnerability")
    assert response.status_code == 200
    titles = [post["title"]["rendered"] for post in response.json()]
    assert "Why Vulnerability Is So Important in Therapy" in titles


def test_search_ignores_case_and_covers_the_content(api: Api, make_post: MakePost) -> None:
    word = unique("zq")
    post = make_post(status="draft", content=f"<p>Something about {word} here.</p>")
    for query in (word, word.upper()):
        found = ids(api.get("wp/v2/posts", "administrator", search=query, status="any"))
        assert found == [post["id"]]


def test_pages_carry_totals_and_links(api: Api, make_post: MakePost) -> None:
    token = unique("pg")
    for n in range(3):
        make_post(status="draft", title=f"{token} {n}")
    query = {"search": token, "status": "any", "per_page": 1, "context": "edit"}
    middle = api.get("wp/v2/posts", "administrator", page=2, **query)
    assert middle.status_code == 200
    assert middle.headers["X-WP-Total"] == "3"
    assert middle.headers["X-WP-TotalPages"] == "3"
    links = middle.links
    assert "/wp-json/" in links["prev"]["url"] and "page=1" in links["prev"]["url"]
    assert "/wp-json/" in links["next"]["url"] and "page=3" in links["next"]["url"]
    assert links["next"]["url"].startswith("http")
    first = api.get("wp/v2/posts", "administrator", page=1, **query)
    assert set(first.links) == {"next"}
    last = api.get("wp/v2/posts", "administrator", page=3, **query)
    assert set(last.links) == {"prev"}
    assert_error(
        api.get("wp/v2/posts", "administrator", page=4, **query),
        400,
        "rest_post_invalid_page_number",
    )


def test_an_empty_result_is_an_empty_first_page(api: Api) -> None:
    response = api.get("wp/v2/posts", search=unique("nothing"))
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-WP-Total"] == "0"
    assert response.headers["X-WP-TotalPages"] == "0"


@pytest.mark.parametrize("per_page", [0, 101, "ten"])
def test_per_page_outside_1_to_100_is_refused(api: Api, per_page: object) -> None:
    body = assert_error(api.get("wp/v2/posts", per_page=per_page), 400, "rest_invalid_param")
    assert "per_page" in body["data"]["params"]


def test_per_page_100_is_allowed(api: Api) -> None:
    assert api.get("wp/v2/posts", per_page=100).status_code == 200


@pytest.mark.parametrize("role", [None, "intake"])
def test_statuses_other_than_publish_need_edit_posts(api: Api, role: str | None) -> None:
    for status in ("draft", "any", "publish,draft"):
        body = assert_error(api.get("wp/v2/posts", role, status=status), 400, "rest_invalid_param")
        assert "status" in body["data"]["params"]


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("intake", 403)])
def test_edit_context_needs_edit_posts(api: Api, role: str | None, status: int) -> None:
    assert_error(api.get("wp/v2/posts", role, context="edit"), status, "rest_forbidden_context")


def test_an_edit_context_listing_shows_only_the_posts_the_user_may_edit(
    api: Api, make_post: MakePost
) -> None:
    token = unique("ed")
    published = make_post(status="publish", title=f"{token} published")["id"]
    draft = make_post("contributor", title=f"{token} draft")["id"]  # the contributor's own
    query = {"search": token, "status": "any"}
    # In view context a contributor reads both: the published post and their own draft.
    assert sorted(ids(api.get("wp/v2/posts", "contributor", **query))) == sorted([published, draft])
    # In edit context they get only what they may edit; the total still counts both (WordPress
    # drops the others from the page after the query).
    edit = api.get("wp/v2/posts", "contributor", context="edit", **query)
    assert ids(edit) == [draft]
    assert edit.headers["X-WP-Total"] == "2"
    assert_error(
        api.get(f"wp/v2/posts/{published}", "contributor", context="edit"),
        403,
        "rest_forbidden_context",
    )
    # An editor may edit others' published posts: both are listed.
    editor = ids(api.get("wp/v2/posts", "editor", context="edit", **query))
    assert sorted(editor) == sorted([published, draft])


def test_view_context_has_rendered_fields_only(api: Api) -> None:
    posts = api.get("wp/v2/posts", per_page=5).json()
    assert posts
    for post in posts:
        assert post["status"] == "publish"
        assert "raw" not in post["title"] and "rendered" in post["title"]
        assert "raw" not in post["content"]


def test_edit_context_has_every_field_the_app_reads(api: Api, make_post: MakePost) -> None:
    post = make_post(status="publish", content="<p>x</p>", excerpt="y")
    got = api.get(f"wp/v2/posts/{post['id']}", "administrator", context="edit").json()
    for key in (
        "id",
        "date_gmt",
        "modified_gmt",
        "slug",
        "generated_slug",
        "status",
        "type",
        "link",
        "author",
        "featured_media",
        "categories",
        "tags",
    ):
        assert key in got, key
    assert got["title"]["raw"] == post["title"]["raw"]
    assert got["content"]["raw"] == "<p>x</p>" and got["excerpt"]["raw"] == "y"
    assert "rendered" in got["title"] and "rendered" in got["content"]
    assert got["meta"]["clinicdesk_client_id"] == ""
    assert DATE.match(got["date_gmt"]) and DATE.match(got["modified_gmt"])
    assert DATE.match(got["date"]) and DATE.match(got["modified"])


def test_orderby_title_and_id(api: Api, make_post: MakePost) -> None:
    token = unique("ord")
    made = [make_post(status="draft", title=f"{token} {letter}") for letter in "bca"]
    query = {"search": token, "status": "any", "order": "asc"}
    by_title = api.get("wp/v2/posts", "administrator", orderby="title", **query).json()
    assert [p["title"]["rendered"][-1] for p in by_title] == ["a", "b", "c"]
    by_id = ids(api.get("wp/v2/posts", "administrator", orderby="id", **query))
    assert by_id == sorted(p["id"] for p in made)
    desc = ids(api.get("wp/v2/posts", "administrator", orderby="id", search=token, status="any"))
    assert desc == sorted(by_id, reverse=True)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_ties_are_ordered_by_id_so_pages_never_overlap(
    api: Api, make_post: MakePost, order: str
) -> None:
    # Posts written with one date are "modified" at that same second: a tie on modified_gmt.
    # Stock WordPress returns ties in whatever order MySQL picks per LIMIT/OFFSET, so paging
    # repeated some and skipped others; the plugin orders ties by id in the same direction.
    made = sorted(make_post(status="draft", date_gmt="2021-03-04T05:06:07")["id"] for _ in range(6))
    query = {"include": ",".join(map(str, made)), "status": "any", "orderby": "modified"}
    paged = [
        post_id
        for page in (1, 2, 3)
        for post_id in ids(
            api.get("wp/v2/posts", "administrator", **query, order=order, per_page=2, page=page)
        )
    ]
    assert paged == (made if order == "asc" else made[::-1])


def test_include_and_author_filters(api: Api, make_post: MakePost) -> None:
    token = unique("flt")
    mine = make_post("author", status="draft", title=f"{token} author")
    other = make_post(status="draft", title=f"{token} admin")
    got = ids(
        api.get("wp/v2/posts", "administrator", include=f"{mine['id']},{other['id']}", status="any")
    )
    assert sorted(got) == sorted([mine["id"], other["id"]])
    by_author = ids(
        api.get("wp/v2/posts", "administrator", search=token, status="any", author=mine["author"])
    )
    assert by_author == [mine["id"]]


def test_category_and_tag_filters(api: Api, make_post: MakePost) -> None:
    tag = api.post("wp/v2/tags", "editor", {"name": unique("tag ")})
    assert tag.status_code == 201, tag.text
    tag_id = tag.json()["id"]
    try:
        token = unique("tax")
        tagged = make_post(status="publish", title=f"{token} tagged", tags=[tag_id])
        make_post(status="publish", title=f"{token} plain")
        assert ids(api.get("wp/v2/posts", search=token, tags=tag_id)) == [tagged["id"]]
        assert sorted(ids(api.get("wp/v2/posts", search=token, categories=1))) == sorted(
            ids(api.get("wp/v2/posts", search=token))
        )
    finally:
        api.delete(f"wp/v2/tags/{tag_id}", "administrator", force="true")


def test_fields_trims_each_record(api: Api) -> None:
    response = api.get("wp/v2/posts", _fields="id,modified_gmt", per_page=3)
    assert response.status_code == 200
    assert response.json()
    for item in response.json():
        assert set(item) == {"id", "modified_gmt"}


def test_modified_after_and_before_are_exclusive_to_the_second(
    api: Api, make_post: MakePost
) -> None:
    post = make_post(status="draft")
    modified = post["modified_gmt"]
    query = {"include": post["id"], "status": "any", "context": "edit"}

    def listed(**window: str) -> bool:
        return post["id"] in ids(api.get("wp/v2/posts", "administrator", **query, **window))

    assert not listed(modified_after=shift(modified, 0))
    assert listed(modified_after=shift(modified, -1))
    assert not listed(modified_before=shift(modified, 0))
    assert listed(modified_before=shift(modified, 1))
    assert not listed(modified_after=shift(modified, 0).replace("Z", "+00:00"))


@pytest.mark.parametrize("value", ["2024-01-01", "2024-01-01T10:00", "yesterday"])
def test_modified_after_needs_a_full_date_time(api: Api, value: str) -> None:
    response = api.get("wp/v2/posts", modified_after=value)
    assert response.status_code == 400
    body = response.json()
    # WordPress reports it as rest_invalid_param whose detail is rest_invalid_date.
    codes = {body["code"], body["data"].get("details", {}).get("modified_after", {}).get("code")}
    assert "rest_invalid_date" in codes
