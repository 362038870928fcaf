"""Checking the site's answers: whole records or a clear error, never a half-built record."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from clinicdesk.model.records import Inquiry, Post
from clinicdesk.site import answers, dates, fields, parse
from clinicdesk.site.errors import InvalidResponseError, NotWordPressError
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
)

JSON = "application/json; charset=UTF-8"


# ---- decoding ---------------------------------------------------------------------------------


def test_json_is_decoded() -> None:
    assert answers.decode_json(b'{"a": [1, 2]}', JSON) == {"a": [1, 2]}
    assert answers.decode_json(b"[]", "application/vnd.api+json") == []
    # A UTF-8 byte-order mark, which some plugins' files leak into the output, is harmless.
    assert answers.decode_json(b"\xef\xbb\xbf[1]", JSON) == [1]


def test_missing_content_type_is_tolerated_when_the_body_is_json() -> None:
    assert answers.decode_json(b"[1]", None) == [1]


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"<!DOCTYPE html><html><body>Hello</body></html>", "text/html; charset=UTF-8", "web page"),
        (b"<html><body>Blocked</body></html>", None, "web page"),
        (b'{"a": 1}', "text/html", "web page"),
        (b'{"a": 1}', "text/plain", "text/plain"),
        (b"", JSON, "damaged"),
        (b'{"a": 1', JSON, "damaged"),
        (b'{"a": 1}garbage', JSON, "damaged"),
        (b"<br />\n<b>Warning</b>: something in plugin.php<br />\n[]", JSON, "damaged"),
        (b"[NaN]", JSON, "damaged"),
        (b"[Infinity]", JSON, "damaged"),
        (b"\xff\xfe\xfa", JSON, "damaged"),
        (b"[" * 100_000 + b"]" * 100_000, JSON, "damaged"),
    ],
)
def test_non_json_is_refused(body: bytes, content_type: str | None, words: str) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        answers.decode_json(body, content_type)
    assert words in caught.value.message


def test_decode_error_does_not_echo_the_body() -> None:
    with pytest.raises(InvalidResponseError) as caught:
        answers.decode_json(b'{"first_name": "Jane", oops', JSON)
    assert "Jane" not in str(caught.value)
    assert caught.value.__cause__ is None


@pytest.mark.parametrize("value", [[], "text", 1, None, True])
def test_wrong_top_level_type_is_refused(value: object) -> None:
    with pytest.raises(InvalidResponseError):
        fields.expect_object(value, "a post")
    with pytest.raises(InvalidResponseError):
        parse.post(value)


@pytest.mark.parametrize("value", [{}, "text", 1, None])
def test_a_list_is_required_where_a_list_is_expected(value: object) -> None:
    with pytest.raises(InvalidResponseError):
        parse.many(value, parse.post, "posts")


def test_one_bad_record_fails_the_whole_list() -> None:
    bad = post_json(id=13)
    del bad["title"]
    with pytest.raises(InvalidResponseError) as caught:
        parse.many([post_json(), bad], parse.post, "posts")
    assert caught.value.record_id == 13


# ---- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T15:00:00", datetime(2024, 3, 1, 15, 0, 0, tzinfo=UTC)),
        ("2024-03-01T15:00:00Z", datetime(2024, 3, 1, 15, 0, 0, tzinfo=UTC)),
        ("2024-03-01T10:00:00-05:00", datetime(2024, 3, 1, 15, 0, 0, tzinfo=UTC)),
        ("2024-03-01T15:00:00.123456", datetime(2024, 3, 1, 15, 0, 0, tzinfo=UTC)),
        ("0000-00-00T00:00:00", None),
    ],
)
def test_gmt_dates_are_utc(text: str, expected: datetime | None) -> None:
    assert dates.parse_gmt(text) == expected
    if expected is not None:
        assert dates.parse_gmt(text).tzinfo is UTC  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    ["2024-03-01", "2024-03-01 15:00:00", "2024-13-01T00:00:00", "2024-02-30T00:00:00", "soon", ""],
)
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        dates.parse_gmt(text)


def test_dates_are_formatted_in_utc_at_second_resolution() -> None:
    local = datetime.fromisoformat("2024-03-01T10:00:00.900-05:00")
    assert dates.format_gmt(local, zone=True) == "2024-03-01T15:00:00Z"
    assert dates.format_gmt(local, zone=False) == "2024-03-01T15:00:00"
    with pytest.raises(ValueError, match="timezone-aware"):
        dates.format_gmt(datetime(2024, 3, 1), zone=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Thu, 26 Nov 2026 09:50:49 GMT", datetime(2026, 11, 26, 9, 50, 49, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 03:50:49 -0600", datetime(2026, 11, 26, 9, 50, 49, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 09:50:49 -0000", datetime(2026, 11, 26, 9, 50, 49, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("yesterday", None),
        ("Thu, 99 Nov 2026 09:50:49 GMT", None),
        ("x" * 500, None),
    ],
)
def test_the_http_date_header_is_the_sites_clock_or_none(
    value: str | None, expected: datetime | None
) -> None:
    assert dates.http_date(value) == expected
    if expected is not None:
        assert dates.http_date(value).tzinfo is UTC  # type: ignore[union-attr]


# ---- whole records ----------------------------------------------------------------------------


def test_post_is_built_from_edit_context() -> None:
    post = parse.post(post_json())
    assert post == Post(
        id=12,
        status="publish",
        slug="coping-with-winter-blues",
        generated_slug="coping-with-winter-blues",
        title="Coping with winter blues",
        content="<!-- wp:paragraph --><p>Hi</p>",
        excerpt="",
        author=3,
        featured_media=0,
        categories=(1, 4),
        tags=(),
        date_gmt=datetime(2024, 3, 1, 15, 0, tzinfo=UTC),
        modified_gmt=datetime(2024, 3, 2, 16, 30, 5, tzinfo=UTC),
        link="https://clinic.example/coping-with-winter-blues/",
        client_id="0b5c7d3e-8f4a-4c7e-9d2b-1a2b3c4d5e6f",
    )


@pytest.mark.parametrize("date_gmt", [None, "0000-00-00T00:00:00"])
def test_draft_without_a_date_has_none(date_gmt: str | None) -> None:
    post = parse.post(post_json(status="draft", slug="", date_gmt=date_gmt))
    assert post.date_gmt is None
    assert post.slug == ""


@pytest.mark.parametrize("meta", [[], {}, {"clinicdesk_client_id": ""}, {"other": 1}])
def test_post_without_a_client_id(meta: object) -> None:
    assert parse.post(post_json(meta=meta)).client_id is None


def test_view_context_post_is_refused() -> None:
    value = post_json(title={"rendered": "Hi"})
    with pytest.raises(InvalidResponseError) as caught:
        parse.post(value)
    assert caught.value.field == "title.raw"


def test_inquiry_flattens_its_meta() -> None:
    inquiry = parse.inquiry(inquiry_json())
    assert inquiry == Inquiry(
        id=40,
        status="private",
        date_gmt=datetime(2024, 3, 5, 13, tzinfo=UTC),
        modified_gmt=datetime(2024, 3, 5, 13, tzinfo=UTC),
        first_name="Jane",
        last_name="Roe",
        email="jane@example.org",
        phone="",
        preferred_contact="email",
        state="TX",
        insurance="Self-pay",
        reason="Anxiety",
        message="I would like to talk to someone.",
        consent=True,
        received_gmt=datetime(2024, 3, 5, 13, tzinfo=UTC),
        triage_status="new",
        assignee=0,
        urgent=False,
        unread=True,
    )


def test_other_records() -> None:
    note = parse.note(note_json(client_id=None))
    assert (note.id, note.kind, note.client_id) == (7, "note", None)
    assert parse.note(note_json()).client_id == "5f0e2a1c-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
    category = parse.term(category_json(), "category")
    assert (category.id, category.taxonomy, category.parent) == (4, "category", 0)
    tag = parse.term(tag_json(), "post_tag")
    assert (tag.id, tag.taxonomy, tag.parent) == (9, "post_tag", 0)
    media = parse.media(media_json())
    assert (media.width, media.height, media.title) == (640, 480, "office")
    document = parse.media(media_json(media_type="file", media_details=[]))
    assert (document.width, document.height) == (None, None)
    me = parse.current_user(me_json())
    assert me.can("publish_posts")
    assert not me.can("switch_themes")  # false capabilities are not granted
    assert me.roles == ("editor",)
    assert parse.user(user_json()).name == "Erin Editor"
    assert parse.staff_member(staff_json()).roles == ("clinicdesk_intake",)
    assert parse.version({"id": 3, "modified_gmt": "2024-01-01T00:00:00"}).id == 3
    assert parse.new_id({"id": 41}) == 41


def test_site_index() -> None:
    info = parse.site_info(index_json())
    assert info.name == "Riverbend Counseling"
    assert info.gmt_offset == -5.0
    assert info.application_passwords
    assert info.has_plugin
    bare = parse.site_info(index_json(authentication=[], namespaces=["wp/v2"], gmt_offset=0))
    assert not bare.application_passwords
    assert not bare.has_plugin


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        "WordPress",
        {"name": "x"},
        {"namespaces": "wp/v2"},
        index_json(namespaces=["oembed/1.0"]),
    ],
)
def test_not_a_wordpress_index(value: object) -> None:
    with pytest.raises(NotWordPressError):
        parse.site_info(value)


def test_term_of_the_wrong_taxonomy_is_refused() -> None:
    with pytest.raises(InvalidResponseError):
        parse.term(tag_json(), "category")


def test_unconfirmed_delete_is_refused() -> None:
    parse.deleted({"deleted": True, "previous": post_json()})
    with pytest.raises(InvalidResponseError):
        parse.deleted({"deleted": False})
    with pytest.raises(InvalidResponseError):
        parse.deleted(post_json())


# ---- every field, missing or of the wrong type -------------------------------------------------

Parser = Callable[[object], object]


def _cases() -> list[Any]:
    """(parser, sample, path to a field, bad value or ... for "missing") for every field each
    parser reads."""
    cases: list[Any] = []

    def add(
        name: str, parser: Parser, sample: dict[str, Any], fields: dict[str, list[Any]]
    ) -> None:
        for key, bad_values in fields.items():
            # "?name": a field that may be absent (only its type is checked).
            path = key.removeprefix("?")
            if path == key:
                cases.append(pytest.param(parser, sample, path, ..., id=f"{name}-{path}-missing"))
            for bad in bad_values:
                cases.append(
                    pytest.param(parser, sample, path, bad, id=f"{name}-{path}-{bad!r:.20}")
                )

    text: list[Any] = [None, 1, True, ["a"], {"raw": "a"}]
    integer: list[Any] = [None, "12", 1.5, True, -1, [1]]
    flag: list[Any] = [None, "true", 1, 0]
    date: list[Any] = [1, "yesterday", "2024-03-01", "2024-03-01 10:00:00", ["x"]]
    ids: list[Any] = [None, "1,2", [1, "2"], [True], [-3], {"a": 1}]

    add(
        "post",
        parse.post,
        post_json(),
        {
            "id": [None, "12", 0, -1, True, 12.0],
            "status": [None, "publish-now", "auto-draft", 1],
            "slug": text,
            "generated_slug": text,
            "title": [None, "x", [], {"rendered": "x"}],
            "title.raw": text,
            "content.raw": text,
            "excerpt.raw": text,
            "author": integer,
            "featured_media": integer,
            "categories": ids,
            "tags": ids,
            "date_gmt": date,
            "modified_gmt": [*date, None, "0000-00-00T00:00:00"],
            "link": text,
            "meta": [None, "x", 1, [1]],
            "?meta.clinicdesk_client_id": [1, True, ["x"]],
        },
    )
    add(
        "inquiry",
        parse.inquiry,
        inquiry_json(),
        {
            "id": [None, "40"],
            "status": ["publish", "draft", None],
            "date_gmt": [*date, None],
            "modified_gmt": [*date, None],
            "meta": [None, [], "x"],
            "meta.first_name": text,
            "meta.last_name": text,
            "meta.email": text,
            "meta.phone": text,
            "meta.preferred_contact": ["fax", "", None, 1],
            "meta.state": text,
            "meta.insurance": text,
            "meta.reason": text,
            "meta.message": text,
            "meta.consent": flag,
            "meta.received_gmt": [*date, None, ""],
            "meta.triage_status": ["open", "", None, 0],
            "meta.assignee": integer,
            "meta.urgent": flag,
            "meta.unread": flag,
        },
    )
    add(
        "note",
        parse.note,
        note_json(),
        {
            "id": [None, "7"],
            "inquiry": [None, "40", 0],
            "author": integer,
            "author_name": text,
            "date_gmt": [*date, None],
            "kind": ["comment", "", None],
            "content": text,
            "client_id": [1, ["x"]],
        },
    )
    add(
        "category",
        lambda v: parse.term(v, "category"),
        category_json(),
        {
            "id": [None],
            "name": text,
            "slug": text,
            "description": text,
            "parent": integer,
            "count": integer,
            "taxonomy": ["tag", None],
        },
    )
    add(
        "media",
        parse.media,
        media_json(),
        {
            "id": [None],
            "source_url": text,
            "mime_type": text,
            "media_type": text,
            "alt_text": text,
            "title.raw": text,
            "date_gmt": [*date, None],
            "modified_gmt": [*date, None],
            "media_details": [None, "x", [1]],
            "?media_details.width": [None, "640", 1.5],
        },
    )
    add(
        "me",
        parse.current_user,
        me_json(),
        {
            "id": [None],
            "username": text,
            "name": text,
            "slug": text,
            "email": text,
            "roles": [None, "editor", [1]],
            "capabilities": [None, "edit_posts", ["edit_posts"]],
            "?capabilities.edit_posts": [None, 1, "yes"],
        },
    )
    add("user", parse.user, user_json(), {"id": [None], "name": text, "slug": text})
    add(
        "staff",
        parse.staff_member,
        staff_json(),
        {"id": [None], "name": text, "slug": text, "roles": [None, "x", [1]]},
    )
    add(
        "index",
        parse.site_info,
        index_json(),
        {
            "name": text,
            "description": text,
            "url": text,
            "home": text,
            "gmt_offset": [None, "five", True, []],
            "timezone_string": text,
        },
    )
    return cases


def _break(sample: dict[str, Any], path: str, bad: object) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(json.dumps(sample))
    *parents, leaf = path.split(".")
    target = value
    for name in parents:
        target = target[name]
    if bad is ...:
        del target[leaf]
    else:
        target[leaf] = bad
    return value


@pytest.mark.parametrize(("parser", "sample", "path", "bad"), _cases())
def test_each_malformed_field_is_named(
    parser: Parser, sample: dict[str, Any], path: str, bad: object
) -> None:
    parser(sample)  # the sample itself is fine
    with pytest.raises(InvalidResponseError) as caught:
        parser(_break(sample, path, bad))
    error = caught.value
    if path != "id":
        # A broken container is reported at the first field read from it ("title" -> "title.raw").
        assert error.field is not None
        assert error.field == path or error.field.startswith(path + ".")
        assert f"“{error.field}”" in error.message
        if "id" in sample and parser is not parse.site_info:
            assert error.record_id == sample["id"]
            assert f"(id {sample['id']})" in error.message


# ---- sizes ------------------------------------------------------------------------------------


def _category(value: object) -> object:
    return parse.term(value, "category")


@pytest.mark.parametrize(
    ("parser", "sample", "path", "size"),
    [
        # The limits of the columns WordPress keeps these in (VARCHAR lengths are characters).
        (parse.post, post_json(), "slug", 201),  # post_name VARCHAR(200)
        (_category, category_json(), "name", 201),  # terms.name VARCHAR(200)
        (parse.media, media_json(), "mime_type", 101),  # post_mime_type VARCHAR(100)
        (parse.user, user_json(), "name", 251),  # display_name VARCHAR(250)
        (parse.user, user_json(), "slug", 51),  # user_nicename VARCHAR(50)
        (parse.note, note_json(), "author_name", 251),  # a display_name
    ],
)
def test_fields_longer_than_wordpress_stores_are_refused(
    parser: Parser, sample: dict[str, Any], path: str, size: int
) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        parser(_break(sample, path, "x" * size))
    assert "too long" in caught.value.message
    parser(_break(sample, path, "x" * (size - 1)))


def test_long_post_content_is_fine() -> None:
    post = parse.post(_break(post_json(), "content.raw", "x" * 2_000_000))
    assert len(post.content) == 2_000_000


def test_ids_beyond_what_the_store_can_hold_are_refused() -> None:
    with pytest.raises(InvalidResponseError):
        parse.post(post_json(id=2**63))


# ---- pagination headers and errors -------------------------------------------------------------


def test_page_counts() -> None:
    assert answers.page_counts({"X-WP-Total": "250", "X-WP-TotalPages": "3"}) == (250, 3)
    assert answers.page_counts({"X-WP-Total": "0", "X-WP-TotalPages": "0"}) == (0, 0)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-WP-Total": "3"},
        {"X-WP-Total": "3", "X-WP-TotalPages": "-1"},
        {"X-WP-Total": "3", "X-WP-TotalPages": "one"},
        {"X-WP-Total": "3", "X-WP-TotalPages": "9" * 40},
    ],
)
def test_bad_page_counts_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidResponseError):
        answers.page_counts(headers)


def test_error_payload() -> None:
    body = json.dumps(
        {"code": "rest_invalid_param", "message": "Invalid parameter(s): status", "data": {"a": 1}}
    ).encode()
    payload = answers.error_payload(body, JSON)
    assert payload is not None
    assert (payload.code, payload.message, payload.data) == (
        "rest_invalid_param",
        "Invalid parameter(s): status",
        {"a": 1},
    )
    assert answers.error_payload(b"<html>Oops</html>", "text/html") is None
    assert answers.error_payload(b"", JSON) is None
    assert answers.error_payload(b"[1]", JSON) is None
    odd = answers.error_payload(b'{"code": 5, "data": []}', JSON)
    assert odd is not None
    assert (odd.code, odd.message, odd.data) == (None, None, {})


@pytest.mark.parametrize(
    ("declared", "version"),
    [
        ("1.3.0", "1.3.0"),
        ("0.9.0-beta.2", "0.9.0-beta.2"),
        # A plugin from before it declared its version is 1.0.0.
        (None, "1.0.0"),
        # Nonsense is not believed (and stops nobody signing in): the same as not declared.
        ("x" * 5000, "1.0.0"),
        ("<b>9</b>", "1.0.0"),
        (9, "1.0.0"),
        (["1.0"], "1.0.0"),
    ],
)
def test_site_index_plugin_version(declared: object, version: str) -> None:
    extra = {} if declared is None else {"clinicdesk_plugin_version": declared}
    info = parse.site_info(index_json(**extra))
    assert info.has_plugin
    assert info.plugin_version == version
    without = parse.site_info(index_json(namespaces=["wp/v2"], **extra))
    assert without.plugin_version == "", "no plugin active: no plugin version"
