"""The post editor's flow (issue 16, item 7): Tab from the title goes to the body, a new post
opens in Write mode, "Saved on this computer" is said once, and a message that no longer holds
after the sync goes away."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from clinicdesk.store import Cache
from clinicdesk.ui.posts.parts.bodyviews import PREVIEW_TAB, WRITE_TAB
from clinicdesk.ui.posts.tab import PostsTab
from tests.fixtures import posts_tab as support
from tests.fixtures import sync as fixtures
from tests.fixtures.posts_tab import make_tab, refreshed
from tests.fixtures.store import T0, site_post, site_term
from tests.fixtures.sync import Accounts

cache = support.cache
seeded = support.seeded
accounts = fixtures.accounts

PUBLISHED = "Men, Depression, and the Stigma of Asking for Help"


def _shown_texts(tab: PostsTab) -> list[str]:
    return [label.text() for label in tab.findChildren(QLabel) if label.isVisible()]


def test_tab_from_the_title_goes_to_the_body(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    tab.new_post()
    assert tab.editor.title_edit.hasFocus()
    qtbot.keyClicks(tab.editor.title_edit, "Sleep and mood")
    qtbot.keyClick(tab.editor.title_edit, Qt.Key.Key_Tab)
    assert tab.editor.body.hasFocus()
    qtbot.keyClicks(tab.editor.body, "First line.")
    assert "First line." in tab.editor.body.toPlainText()


def test_a_new_post_opens_in_write_mode(qtbot: QtBot, cache: Cache, seeded: dict[str, int]) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    tab.select_post(seeded[PUBLISHED])
    tab.editor.body_tabs.setCurrentIndex(PREVIEW_TAB)
    tab.new_post()
    assert tab.editor.body_tabs.currentIndex() == WRITE_TAB
    assert tab.editor.body.isVisible()


def test_saved_on_this_computer_is_said_once(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    tab.new_post()
    qtbot.keyClicks(tab.editor.title_edit, "Sleep and mood")
    tab.editor.save_now()
    said = [t for t in _shown_texts(tab) if "saved on this computer" in t.lower()]
    assert len(said) == 1, said


def test_the_waiting_message_goes_away_after_the_sync(qtbot: QtBot, accounts: Accounts) -> None:
    account = accounts("administrator")
    assert account.sync().outcome == "ok"
    tab = make_tab(qtbot, account.cache, autosave_ms=50)
    [summary] = account.cache.posts.query(words=PUBLISHED).items
    tab.select_post(summary.id)
    tab.editor.body.setFocus()
    tab.editor.body.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(tab.editor.body, " One more line.")
    tab.editor.update_site()
    waiting = "Your changes go to the site at the next sync."
    assert waiting in _shown_texts(tab)
    assert account.sync().outcome == "ok"
    refreshed(qtbot, tab)  # what the window does after each round
    assert waiting not in _shown_texts(tab)


def test_categories_appear_for_a_new_post_after_the_round_that_brought_them(
    qtbot: QtBot, cache: Cache
) -> None:
    """At the first sign-in the editor may open a new post before the site's categories are in
    the offline copy; the round that brings them shows them at once, not a round later."""
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    tab.new_post()
    qtbot.keyClicks(tab.editor.title_edit, "Sleep and mood")
    tab.editor.save_now()
    assert tab.editor.categories_panel.categories.rowCount() == 0
    cache.catalog.upsert_terms([site_term(3, "Anxiety"), site_term(4, "Self-care")])
    refreshed(qtbot, tab)
    panel = tab.editor.categories_panel
    names = [panel.categories.item(row).text() for row in range(panel.categories.rowCount())]
    assert names == ["Anxiety", "Self-care"]
    assert tab.editor.title_edit.text() == "Sleep and mood"


def test_a_synced_drafts_schedule_box_shows_what_publish_will_do(
    qtbot: QtBot, cache: Cache
) -> None:
    """WordPress gives a draft nobody dated the time of its last save as its date. Shown as a
    chosen date, Publish would backdate the post to it; the box says "immediately" instead,
    and keeps a date someone chose."""
    floating = site_post(41, title="Floating draft", status="draft", modified=T0)
    dated = dataclasses.replace(
        site_post(42, title="Dated draft", status="draft", modified=T0),
        date_gmt=T0 + timedelta(days=3),
    )
    cache.posts.upsert_from_site([floating, dated])
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    panel = tab.editor.publish_panel
    assert tab.select_post(_local_post(cache, 41))
    assert panel.immediately.isChecked() and not panel.date_edit.isEnabled()
    assert panel.date() is None, "Publish publishes now, as WordPress does"
    assert tab.select_post(_local_post(cache, 42))
    assert not panel.immediately.isChecked()
    assert panel.date() == T0 + timedelta(days=3)


def _local_post(cache: Cache, remote_id: int) -> int:
    found = cache.posts.local_id(remote_id)
    assert found is not None
    return found
