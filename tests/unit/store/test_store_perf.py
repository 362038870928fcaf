"""The inbox with 50,000 inquiries: timings are measured and printed, not asserted.

Run with ``-s`` to see them. The assertions check the answers are right, so the test still means
something on a slow machine.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.fixtures.big_inbox import PAGE, TOTAL, many_inquiries
from tests.fixtures.store import opened


def _timed(label: str, timings: dict[str, float], start: float) -> None:
    timings[label] = time.perf_counter() - start


@pytest.mark.slow
def test_inbox_stays_fast_with_50000_inquiries(tmp_path: Path) -> None:
    items = many_inquiries()
    timings: dict[str, float] = {}
    with opened(tmp_path / "cache.db") as cache:
        start = time.perf_counter()
        for offset in range(0, TOTAL, PAGE):
            cache.inquiries.upsert_from_site(items[offset : offset + PAGE])
        _timed(f"insert {TOTAL} in pages of {PAGE} (one transaction each)", timings, start)

        start = time.perf_counter()
        page = cache.inquiries.page("open", limit=PAGE)
        _timed("first page of 'open' + its total", timings, start)
        assert len(page.items) == PAGE
        assert page.items[0].received_gmt >= page.items[-1].received_gmt
        assert all(i.triage_status not in ("closed", "spam") for i in page.items)

        start = time.perf_counter()
        deep = cache.inquiries.page("open", limit=PAGE, offset=page.total - PAGE)
        _timed("last page of 'open' by offset", timings, start)
        assert len(deep.items) == PAGE

        before_last = cache.inquiries.page("open", limit=1, offset=page.total - PAGE - 1).items[0]
        start = time.perf_counter()
        keyset = cache.inquiries.page("open", limit=PAGE, after=before_last)
        _timed("last page of 'open' after the previous page's last row", timings, start)
        assert keyset.items == deep.items

        start = time.perf_counter()
        counts = cache.inquiries.counts(user_id=3)
        _timed("counts of all 9 views", timings, start)
        assert counts["all"] == TOTAL

        start = time.perf_counter()
        mine = cache.inquiries.page("mine", user_id=3, limit=PAGE)
        _timed("first page of 'mine'", timings, start)
        assert all(i.assignee == 3 for i in mine.items)

        for text in ("maria gar", "panic", "a", "müller telehealth"):
            start = time.perf_counter()
            found = cache.inquiries.search(text, limit=PAGE)
            _timed(f"search {text!r} (first {PAGE})", timings, start)
            assert found

        start = time.perf_counter()
        cache.inquiries.get(page.items[0].id)
        _timed("open one inquiry", timings, start)

        start = time.perf_counter()
        cache.inquiries.set_triage(page.items[0].id, triage_status="contacted")
        _timed("one triage edit + outbox entry", timings, start)

        start = time.perf_counter()
        cache.inquiries.upsert_from_site(items[:PAGE])
        _timed(f"re-apply a page of {PAGE} unchanged", timings, start)

    print()
    for label, seconds in timings.items():
        print(f"  {seconds * 1000:9.1f} ms  {label}")
