"""The post editor's flow (issue 16, item 7): Tab from the title goes to the body, a new post
opens in Write mode, "Saved on this computer" is said once, and a message that no longer holds
after the sync goes away."""

from __future__ import annotations

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
