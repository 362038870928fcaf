"""The Posts tab after a sync round: the cache is read again off the UI thread, then shown.

The shell calls ``PostsTab.refresh`` when a round ends; right after a round the list's pages are
not in memory, and reading them on the UI thread froze the window for tens of milliseconds with
2,000 posts. These tests check what the user sees: the round's posts appear, what is being typed
stays as it is, a filter chosen meanwhile wins, closing meanwhile is safe.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinicdesk.store import Cache
from clinicdesk.ui.posts.listmodel import PostListModel
from clinicdesk.ui.posts.tab import PostsTab
from tests.fixtures import posts_tab as support
from tests.fixtures.posts_tab import T0, make_tab
from tests.fixtures.store import site_post
from tests.fixtures.threads import record_threads

cache = support.cache
seeded = support.seeded

NEW_TITLES = ("Round post one", "Round post two", "Round post three")
OPENED = "Why Vulnerability Is So Important in Therapy"


def _store_round(cache: Cache, titles: tuple[str, ...] = NEW_TITLES) -> None:
    """Posts written by colleagues, stored as a sync round stores them (newest changes)."""
    cache.posts.upsert_from_site(
        [
            site_post(
                5_000 + i,
                title=title,
                content=f"<!-- wp:paragraph -->\n<p>Round {i}</p>\n<!-- /wp:paragraph -->",
                modified=T0 + timedelta(days=1, minutes=i),
            )
            for i, title in enumerate(titles)
        ]
    )


def _titles(tab: PostsTab) -> list[str]:
    model = tab.model
    return [model.index(r, PostListModel.TITLE).data() for r in range(model.rowCount())]


def test_the_list_shows_the_rounds_posts_read_off_the_ui_thread(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    assert tab.count_label.text() == "12 posts"
    _store_round(cache)
    calls = record_threads(monkeypatch, [(cache.posts, "query"), (cache.posts, "counts")])

    with qtbot.waitSignal(tab.loaded):
        tab.refresh()
        assert tab.loading
        assert _titles(tab)[0] not in NEW_TITLES, "nothing shown before the read is back"

    assert _titles(tab)[:3] == list(reversed(NEW_TITLES))  # newest change first
    assert tab.count_label.text() == "15 posts"
    assert tab.status_filter.itemText(0) == "All (15)"
    assert tab.status_filter.itemText(4) == "Published (9)"
    assert {name for name, _ui in calls} == {"query", "counts"}
    assert not [name for name, on_ui_thread in calls if on_ui_thread], calls


def test_typing_while_the_list_is_read_again_is_not_disturbed(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)  # nothing saved unless asked
    post_id = seeded[OPENED]
    assert tab.select_post(post_id)
    editor = tab.editor
    body = editor.body
    body.setFocus()
    cursor = body.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    body.setTextCursor(cursor)
    qtbot.keyClicks(body, " Typed before")
    _store_round(cache)

    with qtbot.waitSignal(tab.loaded):
        tab.refresh()
        # Still typing while the read is on its way (delivered only once events run).
        qtbot.keyClicks(body, " and during.")
        position = body.textCursor().position()

    assert editor.post_id == post_id
    assert body.hasFocus()
    assert body.textCursor().position() == position
    block = body.document().firstBlock().text()
    assert block.endswith(" Typed before and during.")
    current = tab.table.selectionModel().currentIndex()
    assert tab.model.post_id(current.row()) == post_id, "the edited post stays selected"
    assert set(NEW_TITLES) <= set(_titles(tab))
    # What was typed was saved when the list was shown again (as before a round's refresh).
    assert "Typed before and during." in cache.posts.get(post_id).fields.content
    assert not editor.has_unsaved_changes()


def test_a_filter_chosen_while_the_list_is_read_is_what_is_shown(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    _store_round(cache)
    with qtbot.waitSignal(tab.loaded):
        tab.refresh()
        tab.set_status_filter("draft")  # read on this thread, before the refresh's read is back
    statuses = {
        tab.model.index(r, PostListModel.STATUS).data() for r in range(tab.model.rowCount())
    }
    assert statuses == {"Draft"}
    assert tab.status_filter.currentData() == "draft"
    assert tab.count_label.text() == "3 posts"
    assert tab.status_filter.itemText(0) == "All (15)", "the counts include the round"


def test_a_refresh_asked_for_while_one_runs_reads_again_after_it(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    tab.refresh()
    _store_round(cache)  # a second round ends while the first read is on its way
    tab.refresh()
    qtbot.waitUntil(lambda: not tab.loading and tab.count_label.text() == "15 posts")
    assert _titles(tab)[:3] == list(reversed(NEW_TITLES))


def test_the_tab_reads_its_list_once_when_it_opens(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, cache: Cache, seeded: dict[str, int]
) -> None:
    calls = record_threads(monkeypatch, [(cache.posts, "query")])
    tab = make_tab(qtbot, cache)
    assert calls == [("query", True)]
    header = tab.table.horizontalHeader()
    assert header.sortIndicatorSection() == PostListModel.MODIFIED
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    modified = [tab.model.summary(r).modified_gmt for r in range(tab.model.rowCount())]  # type: ignore[union-attr]
    assert modified == sorted(modified, reverse=True)
    # A click on the header still sorts (and reads) as before.
    tab.table.sortByColumn(PostListModel.MODIFIED, Qt.SortOrder.AscendingOrder)
    assert len(calls) == 2
    assert tab.model.summary(0).modified_gmt == min(modified)  # type: ignore[union-attr]


def test_stopping_the_tab_while_it_reads_drops_the_read(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    _store_round(cache)
    loaded: list[bool] = []
    tab.loaded.connect(lambda: loaded.append(True))
    tab.refresh()
    tab.shutdown()  # the shell does this before closing the cache: it waits for the read
    cache.close()
    QApplication.processEvents()  # the read's result, if it were still delivered
    assert loaded == []
    assert tab.count_label.text() == "12 posts"
    tab.refresh()  # after the shutdown: nothing is read (the cache is closed)
    assert not tab.loading
