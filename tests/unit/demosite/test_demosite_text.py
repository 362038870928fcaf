"""Pure helpers of the reference site that decide slugs, search terms and answer shapes."""

from __future__ import annotations

import pytest

from clinicdesk.demosite.collection import search_terms
from clinicdesk.demosite.schema import Arg, ArgError, validate_value
from clinicdesk.demosite.text import sanitize_title
from clinicdesk.demosite.wpjson import encode, filter_fields, pagination_headers


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "Why Vulnerability Is So Important in Therapy",
            "why-vulnerability-is-so-important-in-therapy",
        ),
        ("Self-Care Isn't Selfish", "self-care-isnt-selfish"),
        ("Mental Health(care) is for Everyone", "mental-healthcare-is-for-everyone"),
        ("  Café  &amp; Crème ", "cafe-creme"),
        ("v1.2 -- notes__x", "v1-2-notes__x"),
        ("", ""),
    ],
)
def test_slugs_follow_sanitize_title_with_dashes(title: str, slug: str) -> None:
    assert sanitize_title(title) == slug


def test_search_terms_drop_stopwords_and_keep_phrases() -> None:
    assert search_terms('the "first session" and anxiety') == ["first session", "and", "anxiety"]
    assert search_terms("the") == ["the"]


def test_fields_filter_keeps_nested_keys() -> None:
    data = [{"id": 1, "title": {"raw": "a", "rendered": "a"}, "x": 2}]
    assert filter_fields(data, "id,title.raw") == [{"id": 1, "title": {"raw": "a"}}]
    assert filter_fields({"deleted": True, "previous": {}}, "deleted") == {"deleted": True}


def test_pagination_links_are_absolute_and_clip_prev() -> None:
    headers = pagination_headers(
        rest_root="http://s/wp-json/",
        route="wp/v2/posts",
        query=[("per_page", "2"), ("page", "9")],
        total=5,
        per_page=2,
        page=9,
    )
    assert headers["X-WP-TotalPages"] == "3"
    assert headers["Link"] == '<http://s/wp-json/wp/v2/posts?per_page=2&page=3>; rel="prev"'


def test_json_escapes_slashes_like_php() -> None:
    assert encode({"url": "http://x/y"}) == b'{"url":"http:\\/\\/x\\/y"}'


@pytest.mark.parametrize(
    ("value", "arg", "message"),
    [
        ("x", Arg("integer"), "n is not of type integer."),
        (
            0,
            Arg("integer", minimum=1, maximum=100),
            "n must be between 1 (inclusive) and 100 (inclusive)",
        ),
        ("maybe", Arg("boolean"), "n is not of type boolean."),
        ("abc", Arg("string", max_length=2), "n must be at most 2 characters long."),
        ("c", Arg("string", enum=("a", "b")), "n is not one of a and b."),
        ("d", Arg("string", enum=("a", "b", "c")), "n is not one of a, b, and c."),
    ],
)
def test_argument_messages_are_wordpress_messages(value: object, arg: Arg, message: str) -> None:
    with pytest.raises(ArgError) as caught:
        validate_value(value, arg, "n")
    assert caught.value.detail.message == message


def test_arguments_are_coerced_like_query_strings() -> None:
    assert validate_value("5", Arg("integer"), "n") == 5
    assert validate_value("false", Arg("boolean"), "n") is False
    assert validate_value("1, 2,3", Arg("array", items=Arg("integer")), "n") == [1, 2, 3]


def test_a_slug_is_cut_to_200_bytes_like_wordpress() -> None:
    # A contributor's 10,001-character title: WordPress's generated slug still fits post_name.
    slug = sanitize_title("Long title " + "x" * 10_000)
    assert slug.startswith("long-title-x") and len(slug) == 200
