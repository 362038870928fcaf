"""Hostile or broken values in the site's answers: refused record by record, never stored.

What WordPress itself accepts (a 10,001-character title) is read; what no store can hold (a lone
UTF-16 surrogate, a number beyond 64 bits, a date outside any calendar the app can compute
with, infinity) is refused as an invalid record, and a listing keeps its other records.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinicdesk.site import answers, parse
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
    user_json,
)

JSON = "application/json; charset=UTF-8"
Parser = Callable[[object], object]

PARSERS: list[tuple[str, Parser, Callable[[], dict[str, Any]]]] = [
    ("post", parse.post, post_json),
    ("inquiry", parse.inquiry, inquiry_json),
    ("note", parse.note, note_json),
    ("media", parse.media, media_json),
    ("category", lambda v: parse.term(v, "category"), category_json),
    ("user", parse.user, user_json),
    ("staff", parse.staff_member, staff_json),
    ("me", parse.current_user, me_json),
    ("site", parse.site_info, index_json),
]


def _string_paths(value: object, prefix: str = "") -> Iterator[str]:
    """The dotted path of every string leaf (list items by index)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _string_paths(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, f"{prefix}{index}.")
    elif isinstance(value, str):
        yield prefix[:-1]


def _replace(sample: dict[str, Any], path: str, new: object) -> dict[str, Any]:
    copy: Any = json.loads(json.dumps(sample))
    *parents, leaf = path.split(".")
    target = copy
    for name in parents:
        target = target[int(name)] if isinstance(target, list) else target[name]
    if isinstance(target, list):
        target[int(leaf)] = new
    else:
        target[leaf] = new
    return dict(copy)


def _strings_of(record: object) -> Iterator[str]:
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        for item in dataclasses.fields(record):
            yield from _strings_of(getattr(record, item.name))
    elif isinstance(record, tuple | list | frozenset | set):
        for item in record:
            yield from _strings_of(item)
    elif isinstance(record, str):
        yield record


def _cases() -> list[Any]:
    return [
        pytest.param(parser, sample(), path, id=f"{name}:{path}")
        for name, parser, sample in PARSERS
        for path in _string_paths(sample())
    ]


@pytest.mark.parametrize(("parser", "sample", "path"), _cases())
def test_a_lone_surrogate_in_any_field_never_reaches_a_record(
    parser: Parser, sample: dict[str, Any], path: str
) -> None:
    # What json.loads makes of the six characters \udc00 in an answer.
    broken = _replace(sample, path, "a\udc00b")
    try:
        record = parser(broken)
    except NotWordPressError:
        return  # "wp/v2" broken in the index's namespaces: refused, not as a record
    except InvalidResponseError as error:
        # Refused, naming the field, in words a user can read (a date or a status is refused
        # for not being one; free text for the broken character).
        assert error.field is not None and path.startswith(error.field)
        assert error.reason is not None and error.field in error.reason
        return
    # Accepted only when the parser does not read that field (e.g. ``title.rendered``).
    for text in _strings_of(record):
        text.encode("utf-8")


def test_the_surrogate_of_the_issue_is_refused_as_an_invalid_post() -> None:
    body = json.dumps([post_json(id=5, title={"raw": "\udc00", "rendered": ""})]).encode()
    items, refused = parse.each(answers.decode_json(body, JSON), parse.post, "posts")
    assert items == ()
    assert [(r.kind, r.id) for r in refused] == [("post", 5)]
    assert "title.raw" in refused[0].reason


@given(st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_any_text_a_post_title_may_hold_is_either_read_whole_or_refused(title: str) -> None:
    try:
        post = parse.post(_replace(post_json(), "title.raw", title))
    except InvalidResponseError as error:
        assert error.field == "title.raw"
        with pytest.raises(UnicodeEncodeError):
            title.encode("utf-8")
        return
    assert post.title == title
    post.title.encode("utf-8")  # storable


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10))
@settings(max_examples=50, deadline=None)
def test_control_characters_and_nul_are_text_wordpress_keeps_and_are_read(title: str) -> None:
    # MySQL keeps them; SQLite stores text by length; the UI shows titles as plain text.
    assert parse.post(_replace(post_json(), "title.raw", title)).title == title


def test_a_title_wordpress_accepts_is_read_up_to_its_text_column() -> None:
    # A contributor can save a 10,001-character title on WordPress.
    assert len(parse.post(_replace(post_json(), "title.raw", "x" * 10_001)).title) == 10_001
    # TEXT: 65,535 bytes. Two-byte characters count twice.
    parse.post(_replace(post_json(), "title.raw", "é" * 32_767))
    with pytest.raises(InvalidResponseError) as caught:
        parse.post(_replace(post_json(), "title.raw", "é" * 32_768))
    assert caught.value.reason is not None and "65,536 bytes" in caught.value.reason


def test_inquiry_fields_are_post_meta_and_long_ones_are_read() -> None:
    long = "y" * 200_000  # post meta is LONGTEXT
    inquiry = parse.inquiry(inquiry_json(meta={"message": long, "first_name": "z" * 5_000}))
    assert inquiry.message == long


@pytest.mark.parametrize(
    "literal",
    [
        b"9223372036854775808",  # 2**63: beyond SQLite's 64-bit integers
        b"-1",
        b"1" + b"0" * 5_000,  # beyond what json.loads itself accepts (4,300 digits)
        b"1.0",
        b"1e400",
    ],
)
def test_ids_that_no_store_can_hold_refuse_one_record_not_the_page(literal: bytes) -> None:
    good = json.dumps(post_json(id=7)).encode()
    bad = json.dumps(post_json(id=8)).replace('"author": 3', '"author": AUTHOR').encode()
    body = b"[" + good + b"," + bad.replace(b"AUTHOR", literal) + b"]"
    items, refused = parse.each(answers.decode_json(body, JSON), parse.post, "posts")
    assert [p.id for p in items] == [7]
    assert [(r.kind, r.id, r.modified_gmt is not None) for r in refused] == [("post", 8, True)]
    assert "author" in refused[0].reason


@pytest.mark.parametrize(
    "date",
    [
        "9999-12-31T23:59:59-05:00",  # overflows once brought to UTC
        "0001-01-01T00:00:00+01:00",
        "0999-01-01T00:00:00",
        "2024-02-30T10:00:00",
        "2024-01-01T25:00:00",
    ],
)
def test_dates_outside_what_wordpress_stores_are_refused(date: str) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        parse.post(post_json(modified_gmt=date))
    assert caught.value.field == "modified_gmt"


@pytest.mark.parametrize("offset", ["nan", "inf", "-Infinity", 1e400])
def test_a_gmt_offset_that_is_not_a_finite_number_is_refused(offset: object) -> None:
    value: Any = json.loads(json.dumps(index_json(), allow_nan=True))
    value["gmt_offset"] = offset
    with pytest.raises(InvalidResponseError):
        parse.site_info(value)


def test_deeply_nested_answers_are_refused_not_crashing() -> None:
    with pytest.raises(InvalidResponseError):
        answers.decode_json(b'[{"a":' * 50_000 + b"1" + b"}]" * 50_000, JSON)


def test_a_page_keeps_its_good_records_and_says_which_were_refused() -> None:
    records: list[object] = [
        post_json(id=1),
        post_json(id=2, title={"raw": "x" * 70_000, "rendered": ""}),
        "not a post",
        {"id": "three"},
        post_json(id=4),
    ]
    items, refused = parse.each(records, parse.post, "posts")
    assert [p.id for p in items] == [1, 4]
    assert [(r.kind, r.id) for r in refused] == [("post", 2), ("post", None), ("post", None)]
    assert "title.raw" in refused[0].reason and "too long" in refused[0].reason
    assert refused[0].modified_gmt is not None  # the cursor can move past it


def test_the_reason_never_holds_an_inquiry_value() -> None:
    secret = "I want to end it"
    items, refused = parse.each(
        [inquiry_json(meta={"preferred_contact": secret})], parse.inquiry, "inquiries"
    )
    assert items == ()
    assert secret not in refused[0].reason
    assert "meta.preferred_contact" in refused[0].reason
