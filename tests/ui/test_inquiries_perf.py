"""The Inquiries tab with 50,000 inquiries in the cache: it opens and scrolls without reading
them all. Timings are measured and printed (run with ``-s``), never asserted: the assertions are
about what is held in memory and in widgets, which a slow machine does not change."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from clinicdesk.store import open_cache
from clinicdesk.ui.inquiries import InquiriesTab, InquiryOptions
from clinicdesk.ui.inquiries.models import COLUMN_INDEX, MAX_PAGES, PAGE_SIZE
from tests.fixtures.big_inbox import PAGE, TOTAL, many_inquiries
from tests.fixtures.inquiries_tab import FAST_HASH, KEY, wait_loaded
from tests.fixtures.store import T0


@pytest.mark.slow
def test_50000_inquiries_open_and_scroll_without_loading_them_all(
    qtbot: QtBot, tmp_path: Path
) -> None:
    timings: dict[str, float] = {}
    items = many_inquiries()
    with open_cache(tmp_path / "cache.db", KEY) as cache:
        start = time.perf_counter()
        for offset in range(0, TOTAL, PAGE):
            cache.inquiries.upsert_from_site(items[offset : offset + PAGE])
        timings["fill the cache (not the tab)"] = time.perf_counter() - start
        del items

        start = time.perf_counter()
        tab = InquiriesTab(
            cache,
            3,
            "Sam",
            InquiryOptions(unlock_hash=FAST_HASH),
            clock=lambda: T0,
            locked=False,
        )
        qtbot.addWidget(tab, before_close_func=lambda _widget: tab.shutdown())
        tab.resize(1400, 860)
        tab.show()
        timings["tab built and shown (UI thread)"] = time.perf_counter() - start
        qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=60_000)
        name_column = COLUMN_INDEX["name"]
        first_name = tab.model.data(tab.model.index(0, name_column))
        QApplication.processEvents()
        timings["time to first rows"] = time.perf_counter() - start
        wait_loaded(qtbot, tab)
        assert tab.model.rowCount() == TOTAL
        assert first_name

        bar = tab.table.verticalScrollBar()
        start = time.perf_counter()
        for position in (bar.maximum() // 2, bar.maximum(), 0, bar.maximum() // 3):
            bar.setValue(position)
            QApplication.processEvents()
            tab.table.viewport().repaint()
        timings["jump to the middle, the end, the top and a third"] = time.perf_counter() - start
        start = time.perf_counter()
        step = bar.pageStep()
        for _ in range(60):
            bar.setValue(bar.value() + step)
            tab.table.viewport().repaint()
        timings["60 pages scrolled down"] = time.perf_counter() - start
        last = tab.model.data(tab.model.index(TOTAL - 1, name_column))
        assert last

        # Only a few pages of rows are ever held, and no widget is made per row.
        assert tab.model.rows_in_memory <= MAX_PAGES * PAGE_SIZE
        assert tab.model.pages_read < 60
        assert len(tab.table.findChildren(QWidget)) < 40
        print(
            f"\nrows held {tab.model.rows_in_memory} of {TOTAL}; pages read "
            f"{tab.model.pages_read}; widgets in the table {len(tab.table.findChildren(QWidget))}"
        )

        start = time.perf_counter()
        tab.table.sortByColumn(name_column, tab.table.horizontalHeader().sortIndicatorOrder())
        wait_loaded(qtbot, tab)
        timings["sorted by name (read off the UI thread)"] = time.perf_counter() - start
        start = time.perf_counter()
        tab.select_view("new")
        wait_loaded(qtbot, tab)
        timings["view 'New'"] = time.perf_counter() - start
        assert 0 < tab.model.rowCount() < TOTAL
        start = time.perf_counter()
        tab.search_edit.setText("grief")
        qtbot.waitUntil(lambda: tab.model.query.text == "grief", timeout=5000)
        wait_loaded(qtbot, tab)
        timings["search 'grief' in 'New' (after the typing pause)"] = time.perf_counter() - start
        assert tab.model.rowCount() > 0
        tab.table.selectRow(0)
        start = time.perf_counter()
        qtbot.waitUntil(lambda: tab.detail.inquiry_id is not None, timeout=5000)
        timings["open an inquiry"] = time.perf_counter() - start
        tab.lock()
        assert tab.model.rows_in_memory == 0
        for label, seconds in timings.items():
            print(f"{label}: {seconds * 1000:.0f} ms")
