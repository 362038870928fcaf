"""The one home of listings (clinicdesk.site.listing): a collection's pages, the plugin guard,
the post-type query, and pages gathered into one list without doubles. The site is faked with
``responses``; the client's own listings are covered in test_site_client.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from clinicdesk.model.records import Page, Post, Term
from clinicdesk.site import SiteClient, parse
from clinicdesk.site.errors import InvalidResponseError, NotFoundError, PluginMissingError
from clinicdesk.site.listing import Collection, collect, post_type_query
from clinicdesk.site.transport import Transport
from tests.fixtures.site_samples import category_json, post_json, wp_error

SITE = "https://clinic.example"
API = SITE + "/wp-json/"


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(SITE, ("editor", "abcd efgh"), sleep=lambda s: None) as t:
        yield t


def page_of(items: list[Any], total: int, total_pages: int) -> dict[str, Any]:
    return {
        "json": items,
        "headers": {"X-WP-Total": str(total), "X-WP-TotalPages": str(total_pages)},
    }


def _post(post_id: int, title: str) -> Post:
    return parse.post(post_json(id=post_id, title={"raw": title, "rendered": title}))


def test_collect_keeps_each_record_once_in_its_latest_version() -> None:
    # Post 2 was edited while the pages were read: it moved to the end of the listing and was
    # seen twice. The list shows it once, as it is now, where it was last seen.
    first = Page(items=(_post(1, "One"), _post(2, "Two, before")), page=1, total=4, total_pages=2)
    second = Page(items=(_post(3, "Three"), _post(2, "Two, after")), page=2, total=4, total_pages=2)
    posts = collect([first, second])
    assert [(p.id, p.title) for p in posts] == [(1, "One"), (3, "Three"), (2, "Two, after")]


def test_list_terms_shows_a_category_seen_on_two_pages_once(mock: responses.RequestsMock) -> None:
    # A category created while the pages were read shifts another onto the next page too.
    route = API + "wp/v2/categories"
    mock.get(route, **page_of([category_json(id=4, name="Anxiety")], 3, 2))
    mock.get(
        route,
        **page_of([category_json(id=4, name="Anxiety"), category_json(id=5, name="Grief")], 3, 2),
    )
    with SiteClient(SITE, "editor", "abcd efgh", sleep=lambda s: None) as client:
        terms = client.list_terms("category")
    assert [(t.id, t.name) for t in terms] == [(4, "Anxiety"), (5, "Grief")]


def test_an_empty_include_lists_nothing_and_asks_nothing(
    mock: responses.RequestsMock, transport: Transport
) -> None:
    posts = Collection(transport, "wp/v2/posts", parse.post, "posts")
    query = post_type_query(
        status="any",
        modified_after=None,
        modified_before=None,
        search=None,
        include=[],
        orderby="id",
        order="asc",
    )
    assert query is None
    assert list(posts.pages(query)) == []
    assert len(mock.calls) == 0


def test_the_post_type_query_speaks_the_contract() -> None:
    query = post_type_query(
        status="draft,pending",
        modified_after=datetime(2026, 11, 26, 9, 50, 49, 999_000, tzinfo=UTC),
        modified_before=None,
        search="grief",
        include=[12, 3, 12],
        orderby="modified",
        order="desc",
        extra={"clinicdesk_client_id": "x"},
    )
    assert query == {
        "context": "edit",
        "status": "draft,pending",
        "orderby": "modified",
        "order": "desc",
        "modified_after": "2026-11-26T09:50:49Z",
        "search": "grief",
        "include": "3,12",
        "clinicdesk_client_id": "x",
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"orderby": "author"},
        {"order": "up"},
        {"modified_after": datetime(2026, 11, 26)},  # naive: local time or UTC?
        {"include": [1, "2/../users"]},
    ],
)
def test_a_bad_query_is_refused_before_anything_is_sent(bad: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {
        "status": "any",
        "modified_after": None,
        "modified_before": None,
        "search": None,
        "include": None,
        "orderby": "id",
        "order": "asc",
    }
    with pytest.raises(ValueError):
        post_type_query(**{**arguments, **bad})


def test_per_page_is_checked_when_the_listing_is_asked_for(transport: Transport) -> None:
    posts = Collection(transport, "wp/v2/posts", parse.post, "posts")
    with pytest.raises(ValueError, match="per_page"):
        posts.pages({}, per_page=101)


@pytest.mark.parametrize("plugin", [True, False])
def test_a_missing_route_is_the_plugin_only_for_the_plugin_s_collections(
    mock: responses.RequestsMock, transport: Transport, plugin: bool
) -> None:
    mock.get(API + "clinicdesk/v1/things/5", status=404, json=wp_error("rest_no_route", "No", 404))
    things = Collection(transport, "clinicdesk/v1/things", parse.version, "things", plugin=plugin)
    with pytest.raises(PluginMissingError if plugin else NotFoundError) as caught:
        things.get(5)
    assert (type(caught.value) is PluginMissingError) == plugin


def test_a_missing_record_of_the_plugin_is_still_not_found(
    mock: responses.RequestsMock, transport: Transport
) -> None:
    mock.get(
        API + "wp/v2/inquiries/5",
        status=404,
        json=wp_error("rest_post_invalid_id", "Invalid post ID.", 404),
    )
    inquiries = Collection(transport, "wp/v2/inquiries", parse.inquiry, "inquiries", plugin=True)
    with pytest.raises(NotFoundError) as caught:
        inquiries.get(5)
    assert type(caught.value) is NotFoundError


def test_a_strict_listing_refuses_the_whole_list_a_lenient_one_sets_the_record_aside(
    mock: responses.RequestsMock, transport: Transport
) -> None:
    route = API + "wp/v2/categories"
    bad = category_json(id=9, name="x" * 201)  # longer than WordPress's VARCHAR(200)
    mock.get(route, **page_of([category_json(id=4), bad], 2, 1))
    mock.get(route, **page_of([category_json(id=4), bad], 2, 1))

    def parse_category(value: object) -> Term:
        return parse.term(value, "category")

    categories = Collection(transport, "wp/v2/categories", parse_category, "categories")
    with pytest.raises(InvalidResponseError) as caught:
        list(categories.pages({}, lenient=False))
    assert caught.value.record_id == 9
    (page,) = list(categories.pages({}))
    assert [t.id for t in page.items] == [4]
    assert [r.id for r in page.refused] == [9]
