"""The posts list: every post of every status, filters, search, sorting, badges, 2,000 posts."""

from __future__ import annotations

import time
from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from clinicdesk.store import Cache
from clinicdesk.ui.posts.listmodel import PAGE_SIZE, POST_ID_ROLE, PostFilter, PostListModel
from tests.fixtures import posts_tab as support
from tests.fixtures.posts_tab import T0, make_tab, many_posts
from tests.fixtures.store import site_post

cache = support.cache
seeded = support.seeded


def _titles(model: PostListModel) -> list[str]:
    return [model.index(r, PostListModel.TITLE).data() for r in range(model.rowCount())]


def _column(model: PostListModel, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_the_model_passes_the_model_tester(
    qtmodeltester: ModelTester, cache: Cache, seeded: dict[str, int]
) -> None:
    model = PostListModel(cache)
    qtmodeltester.check(model)
    model.set_filter(PostFilter(status="trash"))
    qtmodeltester.check(model)


def test_the_model_passes_the_model_tester_while_fetching_more(
    qtmodeltester: ModelTester, cache: Cache
) -> None:
    many_posts(cache, PAGE_SIZE + 30)
    model = PostListModel(cache)
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore()
    assert model.rowCount() == PAGE_SIZE + 30 and not model.canFetchMore()
    qtmodeltester.check(model)


def test_every_status_is_listed_and_filtered(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    cache.posts.trash(seeded["Mental Health(care) is for Everyone"])
    tab = make_tab(qtbot, cache)
    model = tab.model
    assert model.rowCount() == 11  # all but the trash
    assert set(_column(model, PostListModel.STATUS)) == {
        "Published",
        "Draft",
        "Pending review",
        "Scheduled",
    }
    statuses = [tab.status_filter.itemText(i) for i in range(tab.status_filter.count())]
    assert statuses == [
        "All (11)",
        "Drafts (3)",
        "Pending review (1)",
        "Scheduled (2)",
        "Published (5)",
        "Private (0)",
        "Trash (1)",
    ]
    tab.set_status_filter("trash")
    assert _titles(model) == ["Mental Health(care) is for Everyone"]
    assert tab.restore_button.isVisible() and tab.delete_button.isVisible()
    assert not tab.trash_button.isVisible()
    tab.set_status_filter("future")
    assert len(_titles(model)) == 2


def test_category_author_and_search_filters(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    tab.category_filter.setCurrentIndex(tab.category_filter.findText("Insurance & Billing"))
    tab.category_filter.activated.emit(tab.category_filter.currentIndex())
    assert _titles(tab.model) == ["How Insurance Works for Therapy in Texas: A Plain-English Guide"]
    tab.category_filter.setCurrentIndex(0)
    tab.author_filter.setCurrentIndex(tab.author_filter.findText("Sam Hollis"))
    tab.author_filter.activated.emit(tab.author_filter.currentIndex())
    assert _titles(tab.model) == ["Self-Care Isn't Selfish: Five Small Habits for Busy Weeks"]
    tab.author_filter.setCurrentIndex(0)
    tab.author_filter.activated.emit(0)
    # Full-text search over title and body, as the user types (prefixes).
    qtbot.keyClicks(tab.search_edit, "contact-form")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert _titles(tab.model) == ["What to Expect From Your First Teletherapy Session"]
    tab.search_edit.clear()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 12)


def test_sorting_by_any_column_is_done_by_the_store(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    from PySide6.QtCore import Qt

    tab.table.sortByColumn(PostListModel.TITLE, Qt.SortOrder.AscendingOrder)
    titles = _titles(tab.model)
    assert titles == sorted(titles, key=str.casefold)
    tab.table.sortByColumn(PostListModel.AUTHOR, Qt.SortOrder.AscendingOrder)
    authors = _column(tab.model, PostListModel.AUTHOR)
    assert authors == sorted(authors, key=str.casefold)
    tab.table.sortByColumn(PostListModel.STATUS, Qt.SortOrder.AscendingOrder)
    assert _column(tab.model, PostListModel.STATUS)[:3] == ["Draft"] * 3
    tab.table.sortByColumn(PostListModel.DATE, Qt.SortOrder.DescendingOrder)
    assert _titles(tab.model)[0].startswith("Postpartum Depression in Partners")


def test_badges_say_where_each_post_stands(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    modified = seeded["Why Vulnerability Is So Important in Therapy"]
    rejected = seeded["Mental Health(care) is for Everyone"]
    conflicted = seeded["Grounding Techniques for When Anxiety Hits"]
    cache.posts.edit(modified, excerpt="Changed here")
    cache.posts.edit(rejected, slug="a-new-slug")
    for published in (modified, rejected):  # Update: sent at the next sync
        cache.posts.publish_changes(published)
    [entry] = [e for e in cache.outbox.entries() if e.local_id == rejected]
    cache.outbox.mark_rejected(entry.id, "Sorry, you are not allowed to edit this post.")
    cache.posts.edit(conflicted, title="Grounding, mine")
    cache.outbox.mark_conflict(
        "post",
        conflicted,
        site_post(107, title="Grounding, theirs", status="draft", modified=T0 + timedelta(days=1)),
    )
    new = cache.posts.create(title="Brand new")
    tab = make_tab(qtbot, cache)
    model = tab.model

    def badge(post_id: int) -> tuple[str, str]:
        row = model.row_of(post_id)
        assert row is not None
        index = model.index(row, PostListModel.SYNC)
        return index.data(), index.data(3)  # ToolTipRole

    assert badge(new) == ("Not on the site yet", "Not on the site yet: sent at the next sync")
    assert badge(modified)[0] == "Local changes"
    assert badge(conflicted)[0] == "Conflict"
    assert badge(rejected) == (
        "Rejected by the site: Sorry, you are not allowed to edit this post.",
        "Rejected by the site: Sorry, you are not allowed to edit this post.",
    )
    synced = seeded["Men, Depression, and the Stigma of Asking for Help"]
    assert badge(synced)[0] == ""


def test_two_thousand_posts_list_to_the_end_a_page_at_a_time(qtbot: QtBot, cache: Cache) -> None:
    many_posts(cache, 2_100)
    started = time.monotonic()
    tab = make_tab(qtbot, cache)
    opened = time.monotonic() - started
    model = tab.model
    assert model.rowCount() == PAGE_SIZE  # read lazily, a page at a time
    assert model.total == 2_100
    assert tab.count_label.text() == "2100 posts"
    started = time.monotonic()
    while (shown := model.rowCount()) < model.total:
        tab.table.scrollToBottom()  # the view asks for more when it reaches the end
        qtbot.waitUntil(lambda: model.rowCount() > shown)
    scrolled = time.monotonic() - started
    assert model.rowCount() == 2_100
    ids = {model.index(r, 0).data(POST_ID_ROLE) for r in range(model.rowCount())}
    assert len(ids) == 2_100
    last = model.index(model.rowCount() - 1, PostListModel.TITLE).data()
    assert last == "Post number 02099"
    print(f"2,100 posts: opened in {opened:.2f} s, scrolled to the end in {scrolled:.2f} s")


def test_the_post_opened_when_the_list_takes_focus_is_highlighted(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    # Tab from the search box into the list: Qt makes the first row current and the editor
    # opens it; the row must be highlighted too, so what is open is what looks selected.
    tab = make_tab(qtbot, cache)
    assert not tab.table.selectionModel().hasSelection()
    tab.search_edit.setFocus()
    tab.table.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: tab.table.hasFocus() and tab.editor.post_id is not None)
    rows = tab.table.selectionModel().selectedRows()
    assert [tab.model.post_id(index.row()) for index in rows] == [tab.editor.post_id]
