"""Full-text search: words and prefixes as typed, accents and case ignored, hostile input inert."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from clinicdesk.store import Cache
from clinicdesk.store.search import check, fts_query
from tests.fixtures.store import T0, opened, site_inquiry, site_post


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        cache.posts.upsert_from_site(
            [
                site_post(1, title="Coping with anxiety", content="<p>Breathing helps.</p>"),
                site_post(2, title="Café culture and mood", content="<p>Naïve résumé</p>"),
                site_post(3, title="AND NEAR OR", content='<p>Quote " and star *</p>'),
            ]
        )
        cache.inquiries.upsert_from_site(
            [
                site_inquiry(1, first_name="José", last_name="Núñez", message="Panic attacks"),
                site_inquiry(2, first_name="Jane", last_name="Smith", message="Sleep trouble"),
                site_inquiry(
                    3,
                    first_name="Janet",
                    last_name="Smithers",
                    message="Grief",
                    triage_status="closed",
                ),
                site_inquiry(4, first_name="李", last_name="小龙", message="焦虑 问题"),
            ]
        )
        yield cache


def _post_titles(cache: Cache, text: str) -> set[str]:
    return {p.title for p in cache.posts.search(text)}


def _inquiry_ids(cache: Cache, text: str, view: str = "all") -> list[int | None]:
    return [i.remote_id for i in cache.inquiries.search(text, view)]  # type: ignore[arg-type]


def test_words_and_prefixes_as_typed(cache: Cache) -> None:
    assert _post_titles(cache, "anx") == {"Coping with anxiety"}
    assert _post_titles(cache, "coping breath") == {"Coping with anxiety"}  # title + body
    assert _post_titles(cache, "coping mood") == set()  # every word must match
    assert _inquiry_ids(cache, "jan smi") == [3, 2]  # newest first
    assert _inquiry_ids(cache, "jane smith") == [3, 2]  # prefixes: Janet Smithers too
    assert _inquiry_ids(cache, "panic") == [1]  # the message is searched
    assert _inquiry_ids(cache, "jane.2@example") == [2]  # and the email


def test_accents_and_case_do_not_matter(cache: Cache) -> None:
    assert _inquiry_ids(cache, "jose nunez") == [1]
    assert _inquiry_ids(cache, "JOSÉ") == [1]
    assert _post_titles(cache, "cafe naive resume") == {"Café culture and mood"}


def test_non_latin_text(cache: Cache) -> None:
    assert _inquiry_ids(cache, "焦虑") == [4]


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '""',
        "*",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "NEAR(a b",
        "AND(",
        "(",
        ")",
        "a:b",
        "title:anxiety",
        "^",
        "-",
        "+",
        "'",
        "\\",
        "{title content}: x",
        "a OR b NOT c",
        '"unbalanced',
        "\x00",
        "😀",
        "x" * 5000,
        " ".join(["word"] * 500),
    ],
)
def test_hostile_input_never_raises(cache: Cache, hostile: str) -> None:
    cache.posts.search(hostile)
    cache.inquiries.search(hostile)


def test_operators_are_plain_words(cache: Cache) -> None:
    assert _post_titles(cache, "AND NEAR") == {"AND NEAR OR"}
    assert _post_titles(cache, "title:coping") == set()  # no column filter smuggled in
    assert fts_query('say "hi" NEAR(') == '"say"* """hi"""* "NEAR("*'


def test_nothing_searchable_finds_nothing_rather_than_everything(cache: Cache) -> None:
    assert fts_query('  * " ( ') is None
    assert cache.posts.search("*") == [] and cache.inquiries.search("") == []


def test_view_filter_applies_to_search(cache: Cache) -> None:
    assert _inquiry_ids(cache, "jan", "open") == [2]
    assert _inquiry_ids(cache, "jan", "closed") == [3]


def test_index_follows_edits_pulls_and_deletes(cache: Cache) -> None:
    local_id = cache.posts.local_id(1)
    assert local_id is not None
    cache.posts.edit(local_id, title="Managing worry")
    assert _post_titles(cache, "anxiety") == set()
    assert _post_titles(cache, "worry") == {"Managing worry"}
    cache.inquiries.upsert_from_site(
        [site_inquiry(2, first_name="Janine", message="Sleep", modified=T0 + timedelta(1))]
    )
    assert _inquiry_ids(cache, "janine") == [2]
    cache.outbox.mark_deleted_on_site("inquiry", 2)
    assert _inquiry_ids(cache, "janine") == []
    with cache.read() as session:
        check(session)  # FTS5's own integrity check agrees with the tables


def _plans_of_inbox_ids(cache: Cache, **query: Any) -> list[str]:
    """The query plan SQLite chose for each search statement ``inbox_ids(**query)`` ran."""
    ran: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "inquiries_fts MATCH" in statement:
            ran.append((statement, parameters))

    event.listen(cache.engine, "before_cursor_execute", note)
    try:
        found = cache.inquiries.inbox_ids(**query)
    finally:
        event.remove(cache.engine, "before_cursor_execute", note)
    assert found, "the search should find something for its plan to mean anything"
    with cache.engine.connect() as connection:
        return [
            "\n".join(
                str(row[3])
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            )
            for statement, params in ran
        ]


@pytest.mark.parametrize("text", ["panic", "jan smi", "jane.2@example"])
def test_a_search_by_arrival_reads_the_inbox_order_without_sorting_its_matches(
    cache: Cache, text: str
) -> None:
    """A word most messages hold matches thousands of inquiries at a clinic's size. Sorted by
    arrival (the inbox's default), the matches are tested while walking the arrival index, so
    nothing is sorted and no inquiry's row is read: the search then costs about what listing
    the view costs, instead of growing with the number of matches (benchmark
    ``inbox.search.p95``)."""
    (plan,) = _plans_of_inbox_ids(cache, view="all", text=text)
    assert "COVERING INDEX ix_inquiries_inbox_order" in plan
    assert "TEMP B-TREE" not in plan  # no sort, no UNION or INTERSECT removing duplicates
