"""What the client asks the site for and how it reads the answers: parameters, bodies, pagination,
get-or-create, the client-id lookup. The site is faked with ``responses``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from clinicdesk.site import SiteClient
from clinicdesk.site.errors import (
    InvalidResponseError,
    NotWordPressError,
    OutcomeUnknownError,
    PluginMissingError,
    RejectedError,
    SignedOutError,
)
from tests.fixtures.site_samples import (
    category_json,
    index_json,
    inquiry_json,
    me_json,
    media_json,
    note_json,
    post_json,
    staff_json,
    tag_json,
    user_json,
    wp_error,
)

SITE = "https://clinic.example"
API = SITE + "/wp-json/"
POSTS = API + "wp/v2/posts"
INQUIRIES = API + "wp/v2/inquiries"
CLIENT_ID = "7d1f0c2e-4b3a-4e6d-9c8b-2a1b0c9d8e7f"


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


@pytest.fixture
def client() -> Iterator[SiteClient]:
    with SiteClient(SITE, "editor", "abcd efgh ijkl mnop qrst uvwx", sleep=lambda s: None) as c:
        yield c


def page_of(items: list[Any], total: int, total_pages: int) -> dict[str, Any]:
    return {
        "json": items,
        "headers": {"X-WP-Total": str(total), "X-WP-TotalPages": str(total_pages)},
    }


def query(call: Any) -> dict[str, str]:
    """The query of a recorded call, one value per name."""
    parsed = parse_qs(urlsplit(call.request.url).query, keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def body(call: Any) -> Any:
    return json.loads(call.request.body)


# ---- discovery and the user --------------------------------------------------------------------


def test_discover(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(API, json=index_json())
    info = client.discover()
    assert info.name == "Riverbend Counseling"
    assert info.has_plugin


@pytest.mark.parametrize(
    "answer",
    [
        {"body": "<!DOCTYPE html><html>Welcome</html>", "content_type": "text/html"},
        {"status": 404, "body": "<html>Not Found</html>", "content_type": "text/html"},
        {"json": {"hello": "world"}},
        {"json": index_json(namespaces=["oembed/1.0"])},
        {"body": "not json at all", "content_type": "application/json"},
    ],
)
def test_discover_something_else(
    mock: responses.RequestsMock, client: SiteClient, answer: dict[str, Any]
) -> None:
    mock.get(API, **answer)
    with pytest.raises(NotWordPressError) as caught:
        client.discover()
    assert caught.value.message


@pytest.mark.parametrize(
    ("status", "code"), [(404, "rest_no_route"), (401, "rest_login_required"), (403, "nope")]
)
def test_discover_refused_to_visitors(mock: responses.RequestsMock, status: int, code: str) -> None:
    mock.get(API, status=status, json=wp_error(code, "No.", status))
    with SiteClient(SITE, None, None) as anonymous, pytest.raises(NotWordPressError) as caught:
        anonymous.discover()
    assert caught.value.status == status


def test_discovery_works_anonymously(mock: responses.RequestsMock) -> None:
    mock.get(API, json=index_json())
    with SiteClient(SITE, None, None) as anonymous:
        anonymous.discover()
    assert "Authorization" not in mock.calls[0].request.headers


def test_me_uses_edit_context(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(API + "wp/v2/users/me", json=me_json())
    assert client.me().can("clinicdesk_manage_inquiries")
    assert query(mock.calls[0]) == {"context": "edit"}


def test_me_signed_out(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(
        API + "wp/v2/users/me",
        status=401,
        json=wp_error("rest_not_logged_in", "You are not currently logged in.", 401),
    )
    with pytest.raises(SignedOutError):
        client.me()


def test_users_and_staff(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(API + "wp/v2/users", **page_of([user_json(), user_json(4, "Ann", "ann")], 2, 1))
    mock.get(API + "clinicdesk/v1/staff", json=[staff_json()])
    assert [u.name for u in client.list_users()] == ["Erin Editor", "Ann"]
    assert query(mock.calls[0]) == {"per_page": "100", "page": "1"}
    assert [s.name for s in client.list_staff()] == ["Alex Intake"]


# ---- posts: listing and pagination --------------------------------------------------------------


def test_iter_posts_sends_the_contract_s_parameters(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.get(POSTS, **page_of([post_json()], 1, 1))
    after = datetime(2024, 3, 1, 10, 0, 0, 900_000, tzinfo=timezone(timedelta(hours=-5)))
    pages = list(
        client.iter_posts(modified_after=after, search="anxiety + sleep & C++", per_page=50)
    )
    assert [p.page for p in pages] == [1]
    assert query(mock.calls[0]) == {
        "context": "edit",
        "status": "any",
        "orderby": "modified",
        "order": "asc",
        "modified_after": "2024-03-01T15:00:00Z",
        "search": "anxiety + sleep & C++",
        "per_page": "50",
        "page": "1",
    }
    raw = urlsplit(mock.calls[0].request.url).query
    assert "C%2B%2B" in raw  # "+" escaped, not read by PHP as a space
    assert "2024-03-01T15%3A00%3A00Z" in raw


def test_pagination_follows_to_the_last_page(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    for page in (1, 2, 3):
        mock.get(POSTS, **page_of([post_json(id=page * 10)], 3, 3))
    pages = list(client.iter_posts(per_page=1))
    assert [(p.page, p.total, p.total_pages) for p in pages] == [(1, 3, 3), (2, 3, 3), (3, 3, 3)]
    assert [query(c)["page"] for c in mock.calls] == ["1", "2", "3"]


def test_each_page_carries_the_sites_clock(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    # The Date header: the engine never moves a modified_after window past the site's present.
    dated = page_of([post_json(id=1)], 2, 2)
    dated["headers"]["Date"] = "Thu, 26 Nov 2026 09:50:49 GMT"
    mock.get(POSTS, **dated)
    mock.get(POSTS, **page_of([post_json(id=2)], 2, 2))  # no Date header
    pages = list(client.iter_posts(per_page=1))
    assert [p.site_time for p in pages] == [datetime(2026, 11, 26, 9, 50, 49, tzinfo=UTC), None]


def test_a_list_that_grows_while_paging_is_followed(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    # The first answer says two pages; the second (after a new post) says three.
    mock.get(POSTS, **page_of([post_json(id=1)], 2, 2))
    mock.get(POSTS, **page_of([post_json(id=2)], 3, 3))
    mock.get(POSTS, **page_of([post_json(id=3)], 3, 3))
    assert [p.id for p in client.list_posts(per_page=1)] == [1, 2, 3]


def test_a_list_that_shrinks_while_paging_ends_cleanly(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.get(POSTS, **page_of([post_json(id=1)], 3, 3))
    mock.get(
        POSTS,
        status=400,
        json=wp_error(
            "rest_post_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
            400,
        ),
    )
    assert [p.id for p in client.list_posts(per_page=1)] == [1]


def test_page_one_refused_is_an_error(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(POSTS, status=400, json=wp_error("rest_post_invalid_page_number", "No.", 400))
    with pytest.raises(RejectedError):
        client.list_posts()


def test_an_empty_list(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(POSTS, **page_of([], 0, 0))
    pages = list(client.iter_posts())
    assert len(pages) == 1
    assert pages[0].items == ()
    assert pages[0].total_pages == 0


def test_a_site_that_never_stops_paging_is_stopped(
    mock: responses.RequestsMock, client: SiteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clinicdesk.site.listing.MAX_PAGES", 3)
    for post_id in (1, 2, 3):  # other records on every page: the site does page, endlessly
        mock.get(POSTS, **page_of([post_json(id=post_id)], 10**9, 10**7))
    with pytest.raises(InvalidResponseError, match="more pages"):
        client.list_posts()


def test_a_site_that_ignores_the_page_number_is_stopped_at_the_second_page(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    # A page cache keyed on the path alone: page 1 for every page of a 10,000-page listing.
    mock.get(POSTS, **page_of([post_json(id=1), post_json(id=2)], 20_000, 10_000))
    with pytest.raises(InvalidResponseError, match="ignores the page number"):
        client.list_posts()
    assert len(mock.calls) == 2


def test_missing_pagination_headers_are_refused(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.get(POSTS, json=[post_json()])
    with pytest.raises(InvalidResponseError, match="X-WP-Total"):
        client.list_posts()


def test_list_posts_keeps_the_latest_sighting(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    edited = post_json(id=1, title={"raw": "edited", "rendered": "edited"})
    mock.get(POSTS, **page_of([post_json(id=1), post_json(id=2)], 3, 2))
    mock.get(POSTS, **page_of([edited], 3, 2))
    posts = client.list_posts(per_page=2)
    assert [(p.id, p.title) for p in posts] == [(2, "Coping with winter blues"), (1, "edited")]


def test_include_sends_ids_and_an_empty_include_sends_nothing(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    assert client.list_posts(include=[]) == []
    assert len(mock.calls) == 0
    mock.get(POSTS, **page_of([post_json()], 1, 1))
    client.list_posts(include=[12, 3, 12])
    assert query(mock.calls[0])["include"] == "3,12"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"per_page": 0},
        {"per_page": 101},
        {"orderby": "author"},
        {"order": "up"},
        {"modified_after": datetime(2024, 1, 1)},  # naive: local time or UTC?
        {"include": [0]},
        {"include": ["12"]},
    ],
)
def test_bad_arguments_are_refused_before_sending(
    mock: responses.RequestsMock, client: SiteClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        client.list_posts(**kwargs)
    assert len(mock.calls) == 0


def test_iterators_check_their_arguments_at_once(client: SiteClient) -> None:
    with pytest.raises(ValueError):
        client.iter_posts(per_page=500)  # no need to start iterating to hear about it
    with pytest.raises(ValueError):
        client.iter_inquiries(per_page=0)
    with pytest.raises(ValueError):
        client.iter_notes(per_page=0)


def test_post_versions_sweep(mock: responses.RequestsMock, client: SiteClient) -> None:
    v = {"id": 5, "modified_gmt": "2024-01-01T00:00:00"}
    w = {"id": 2, "modified_gmt": "2024-01-02T00:00:00"}
    mock.get(POSTS, **page_of([w, v], 3, 2))
    mock.get(POSTS, **page_of([v], 3, 2))  # seen twice: the list shifted
    versions = client.post_versions("trash")
    assert [x.id for x in versions] == [2, 5]
    assert versions[0].modified_gmt == datetime(2024, 1, 2, tzinfo=UTC)
    q = query(mock.calls[0])
    assert q["_fields"] == "id,modified_gmt"
    assert (q["status"], q["orderby"], q["order"], q["per_page"]) == ("trash", "id", "asc", "100")


# ---- posts: writes ----------------------------------------------------------------------------


def test_create_post_sends_the_client_id(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.post(POSTS, status=201, json=post_json(meta={"clinicdesk_client_id": CLIENT_ID}))
    when = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    post = client.create_post(
        {"title": "Hello", "status": "future", "date_gmt": when, "categories": [4]},
        CLIENT_ID.upper(),
    )
    assert post.client_id == CLIENT_ID
    assert body(mock.calls[0]) == {
        "title": "Hello",
        "status": "future",
        "date_gmt": "2024-05-01T07:30:00",
        "categories": [4],
        "meta": {"clinicdesk_client_id": CLIENT_ID},
    }


def test_create_post_on_a_site_without_the_plugin_still_works(
    mock: responses.RequestsMock, client: SiteClient, caplog: pytest.LogCaptureFixture
) -> None:
    mock.post(POSTS, status=201, json=post_json(meta=[]))
    assert client.create_post({"title": "Hello"}, CLIENT_ID).client_id is None
    assert "did not keep the post's client id" in caplog.text


@pytest.mark.parametrize(
    ("fields", "client_id"),
    [
        ({"title": "x"}, "not-a-uuid"),
        ({"title": "x", "status": "published"}, CLIENT_ID),
        ({"title": "x", "colour": "red"}, CLIENT_ID),
        ({"title": "x", "date_gmt": datetime(2024, 1, 1)}, CLIENT_ID),
        ({"title": "x", "date_gmt": "2024-01-01T00:00:00"}, CLIENT_ID),
        ({"title": "x", "tags": "1,2"}, CLIENT_ID),
    ],
)
def test_create_post_refuses_bad_input_before_sending(
    mock: responses.RequestsMock, client: SiteClient, fields: Any, client_id: str
) -> None:
    with pytest.raises(ValueError):
        client.create_post(fields, client_id)
    assert len(mock.calls) == 0


def test_find_post_by_client_id(mock: responses.RequestsMock, client: SiteClient) -> None:
    match = post_json(id=77, meta={"clinicdesk_client_id": CLIENT_ID})
    assert post_json()["meta"]["clinicdesk_client_id"] != CLIENT_ID
    mock.get(POSTS, **page_of([], 0, 0))
    mock.get(POSTS, **page_of([match], 1, 1))
    found = client.find_post_by_client_id(CLIENT_ID)
    assert found is not None
    assert found.id == 77
    assert [query(c)["status"] for c in mock.calls] == ["any", "trash"]
    assert {query(c)["clinicdesk_client_id"] for c in mock.calls} == {CLIENT_ID}
    assert query(mock.calls[0])["context"] == "edit"


def test_find_post_ignores_posts_that_do_not_carry_the_id(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    # Without the plugin, WordPress ignores the unknown parameter and lists every post.
    unrelated = [post_json(id=1, meta=[]), post_json(id=2)]
    mock.get(POSTS, **page_of(unrelated, 500, 5))
    mock.get(POSTS, **page_of(unrelated, 2, 1))
    assert client.find_post_by_client_id(CLIENT_ID) is None
    assert len(mock.calls) == 2  # one page each, not the whole site


def test_update_post_sends_only_the_changed_fields(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(POSTS + "/12", json=post_json())
    client.update_post(12, {"excerpt": "Short", "date_gmt": None, "tags": []})
    assert body(mock.calls[0]) == {"excerpt": "Short", "date_gmt": None, "tags": []}
    assert query(mock.calls[0]) == {"context": "edit"}
    with pytest.raises(ValueError):
        client.update_post(12, {})
    with pytest.raises(ValueError):
        client.update_post(0, {"title": "x"})


def test_trash_and_delete(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.delete(POSTS + "/12", json=post_json(status="trash", slug="hello__trashed"))
    assert client.trash_post(12).status == "trash"
    mock.replace(
        responses.DELETE,
        POSTS + "/12",
        json={"deleted": True, "previous": post_json(status="trash")},
    )
    client.delete_post_permanently(12)
    assert query(mock.calls[1]) == {"force": "true"}


# ---- terms and media --------------------------------------------------------------------------


def test_terms(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(API + "wp/v2/categories", **page_of([category_json()], 1, 1))
    mock.get(API + "wp/v2/tags", **page_of([tag_json()], 1, 1))
    assert [t.name for t in client.list_terms("category")] == ["Anxiety"]
    assert [t.taxonomy for t in client.list_terms("post_tag")] == ["post_tag"]


def test_create_term_is_get_or_create(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.post(API + "wp/v2/tags", status=201, json=tag_json(id=20, name="Grief", slug="grief"))
    assert client.create_term("post_tag", "  Grief ").id == 20
    assert body(mock.calls[0]) == {"name": "Grief"}
    mock.post(
        API + "wp/v2/categories",
        status=400,
        json=wp_error(
            "term_exists", "A term with the name provided already exists.", 400, term_id=4
        ),
    )
    mock.get(
        API + "wp/v2/categories",
        **page_of([category_json(id=1, name="Uncategorized"), category_json()], 2, 1),
    )
    term = client.create_term("category", "Anxiety")
    assert (term.id, term.name) == (4, "Anxiety")


def test_create_term_other_refusals_pass_through(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(API + "wp/v2/tags", status=400, json=wp_error("rest_invalid_param", "Bad.", 400))
    with pytest.raises(RejectedError):
        client.create_term("post_tag", "x")
    with pytest.raises(ValueError):
        client.create_term("post_tag", "   ")


def test_upload_media(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.post(API + "wp/v2/media", status=201, json=media_json())
    media = client.upload_media('Wartezimmer \u2013 Büro "1".JPG', b"\xff\xd8data", "image/jpeg")
    assert media.id == 55
    request = mock.calls[0].request
    assert request.body == b"\xff\xd8data"
    assert request.headers["Content-Type"] == "image/jpeg"
    assert (
        request.headers["Content-Disposition"] == 'attachment; filename="Wartezimmer-Buro-1-.JPG"'
    )
    with pytest.raises(ValueError):
        client.upload_media("x.jpg", b"", "image/jpeg\r\nX-Evil: 1")


def test_an_upload_carries_its_client_id_as_a_meta_query_parameter(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(
        API + "wp/v2/media", status=201, json=media_json(meta={"clinicdesk_client_id": CLIENT_ID})
    )
    media = client.upload_media("office.jpg", b"\xff\xd8data", "image/jpeg", CLIENT_ID)
    assert media.client_id == CLIENT_ID
    request = mock.calls[0].request
    # The body is the file: the meta travels in the query, where WordPress reads it as `meta`.
    assert query(mock.calls[0]) == {"meta[clinicdesk_client_id]": CLIENT_ID}
    assert request.body == b"\xff\xd8data"
    with pytest.raises(ValueError):
        client.upload_media("office.jpg", b"x", "image/jpeg", "not-a-uuid")


def test_an_upload_without_a_client_id_sends_no_query(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(API + "wp/v2/media", status=201, json=media_json())  # no plugin: "meta": absent
    assert client.upload_media("office.jpg", b"x", "image/jpeg").client_id is None
    assert query(mock.calls[0]) == {}


def test_a_lost_upload_answer_is_not_resent_and_names_the_client_id(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(API + "wp/v2/media", status=502, json=wp_error("bad_gateway", "Bad gateway.", 502))
    with pytest.raises(OutcomeUnknownError) as caught:
        client.upload_media("office.jpg", b"x", "image/jpeg", CLIENT_ID)
    assert caught.value.client_id == CLIENT_ID
    assert len(mock.calls) == 1


def test_a_file_type_wordpress_refuses_is_a_refusal_not_an_unknown_outcome(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    # WordPress answers 500 but stores nothing: retrying it every round would stop every push.
    refused = "Sorry, you are not allowed to upload this file type."
    mock.post(
        API + "wp/v2/media", status=500, json=wp_error("rest_upload_sideload_error", refused, 500)
    )
    with pytest.raises(RejectedError, match="does not accept this type of file"):
        client.upload_media("notes.svg", b"<svg/>", "image/svg+xml", CLIENT_ID)


def test_find_media_by_client_id_keeps_only_a_real_match(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    # Without the plugin WordPress ignores the parameter and lists the library (meta: []).
    mock.get(API + "wp/v2/media", **page_of([media_json(id=7, meta=[]), media_json(id=8)], 2, 1))
    assert client.find_media_by_client_id(CLIENT_ID) is None
    q = query(mock.calls[0])
    assert (q["clinicdesk_client_id"], q["context"]) == (CLIENT_ID, "edit")
    assert "status" not in q  # media has no "any"; the plugin looks at every status but trash
    mine = media_json(id=9, meta={"clinicdesk_client_id": CLIENT_ID})
    other = media_json(id=10, meta={"clinicdesk_client_id": "0" * 8 + CLIENT_ID[8:]})
    mock.get(API + "wp/v2/media", **page_of([other, mine], 2, 1))
    found = client.find_media_by_client_id(CLIENT_ID)
    assert found is not None and found.id == 9


def test_create_term_sends_the_parent_of_a_sub_category(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(API + "wp/v2/categories", status=201, json=category_json(id=12, parent=4))
    assert client.create_term("category", "Teens", parent=4).parent == 4
    assert body(mock.calls[0]) == {"name": "Teens", "parent": 4}
    mock.post(API + "wp/v2/categories", status=201, json=category_json(id=13))
    client.create_term("category", "Adults", parent=None)
    client.create_term("category", "Adults", parent=0)
    assert body(mock.calls[1]) == body(mock.calls[2]) == {"name": "Adults"}
    with pytest.raises(ValueError):
        client.create_term("post_tag", "Grief", parent=4)  # tags have no hierarchy


def test_media_alt_text_and_read(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.post(API + "wp/v2/media/55", json=media_json(alt_text="Chairs"))
    mock.get(API + "wp/v2/media/55", json=media_json())
    assert client.update_media(55, "Chairs").alt_text == "Chairs"
    assert body(mock.calls[0]) == {"alt_text": "Chairs"}
    assert client.get_media(55).id == 55


# ---- inquiries and notes ----------------------------------------------------------------------


def test_iter_inquiries(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(INQUIRIES, **page_of([inquiry_json()], 1, 1))
    pages = list(client.iter_inquiries(modified_after=datetime(2024, 3, 1, tzinfo=UTC)))
    assert pages[0].items[0].first_name == "Jane"
    q = query(mock.calls[0])
    assert (q["status"], q["context"], q["orderby"], q["order"]) == (
        "private",
        "edit",
        "modified",
        "asc",
    )
    assert q["modified_after"] == "2024-03-01T00:00:00Z"


def test_inquiries_without_the_plugin(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(
        INQUIRIES,
        status=404,
        json=wp_error("rest_no_route", "No route was found matching the URL.", 404),
    )
    with pytest.raises(PluginMissingError):
        list(client.iter_inquiries())


def test_update_inquiry_sends_meta_only(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.post(INQUIRIES + "/40", json=inquiry_json(meta={"triage_status": "contacted"}))
    result = client.update_inquiry(40, {"triage_status": "contacted", "unread": False})
    assert result.triage_status == "contacted"
    assert body(mock.calls[0]) == {"meta": {"triage_status": "contacted", "unread": False}}


@pytest.mark.parametrize(
    "triage",
    [
        {},
        {"triage_status": "done"},
        {"assignee": "3"},
        {"assignee": True},
        {"urgent": "yes"},
        {"first_name": "Eve"},
    ],
)
def test_update_inquiry_refuses_bad_triage(
    mock: responses.RequestsMock, client: SiteClient, triage: Any
) -> None:
    with pytest.raises(ValueError):
        client.update_inquiry(40, triage)


def test_inquiry_versions_get_and_trash(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(INQUIRIES, **page_of([{"id": 40, "modified_gmt": "2024-03-05T13:00:00"}], 1, 1))
    mock.get(INQUIRIES + "/40", json=inquiry_json())
    mock.delete(INQUIRIES + "/40", json=inquiry_json(status="trash"))
    assert [v.id for v in client.inquiry_versions("private")] == [40]
    assert client.get_inquiry(40).email == "jane@example.org"
    assert client.trash_inquiry(40).status == "trash"


def test_notes(mock: responses.RequestsMock, client: SiteClient) -> None:
    notes = API + "clinicdesk/v1/notes"
    mock.get(notes, **page_of([note_json(id=8), note_json(id=9)], 3, 2))
    mock.get(notes, **page_of([note_json(id=10)], 3, 2))
    ids = [
        n.id for page in client.iter_notes(after_id=7, inquiry=40, per_page=2) for n in page.items
    ]
    assert ids == [8, 9, 10]
    assert query(mock.calls[0]) == {"after_id": "7", "inquiry": "40", "per_page": "2", "page": "1"}
    mock.post(notes, status=201, json=note_json())
    note = client.add_note(40, "status", "contacted", note_json()["client_id"])
    assert note.id == 7
    assert body(mock.calls[2]) == {
        "inquiry": 40,
        "kind": "status",
        "content": "contacted",
        "client_id": note_json()["client_id"],
    }
    with pytest.raises(ValueError):
        client.add_note(40, "shout", "x", CLIENT_ID)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.add_note(40, "note", "  ", CLIENT_ID)
    with pytest.raises(ValueError):
        client.iter_notes(after_id=-1)


def test_submit_consultation_is_anonymous(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.post(API + "clinicdesk/v1/consultation", status=201, json={"id": 41})
    form: Any = {"first_name": "Jane", "email": "jane@example.org", "consent": True}
    assert client.submit_consultation(form) == 41
    assert "Authorization" not in mock.calls[0].request.headers
    assert body(mock.calls[0]) == form
    with pytest.raises(ValueError):
        client.submit_consultation({"first_name": "x", "ssn": "1"})  # type: ignore[typeddict-unknown-key]
