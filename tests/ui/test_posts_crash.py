"""Nothing typed is lost: not when the app is killed, not when the tab closes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from clinicdesk.store import Cache, CacheError
from tests.fixtures import posts_tab as support
from tests.fixtures.posts_tab import make_tab, seed
from tests.fixtures.store import opened

cache = support.cache
seeded = support.seeded

REPO = Path(__file__).resolve().parents[2]
TITLE = "Grounding Techniques for When Anxiety Hits"

# The child: opens the cache, types into the editor like a user, waits for the pause after
# typing, says so, then idles until it is killed.
CHILD = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from clinicdesk.ui.posts import PostsTab
    from tests.fixtures.posts_tab import ADMIN
    from tests.fixtures.store import KEY
    from clinicdesk.store import open_cache

    app = QApplication([])
    cache = open_cache(sys.argv[1], KEY)
    post_id = int(sys.argv[2])
    tab = PostsTab(cache, ADMIN, 1)
    tab.show()
    tab.select_post(post_id)
    editor = tab.editor
    editor.body.setFocus()
    cursor = editor.body.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    editor.body.setTextCursor(cursor)
    QTest.keyClicks(editor.body, "Typed before the crash. ")
    editor.title_edit.setFocus()
    editor.title_edit.end(False)
    QTest.keyClicks(editor.title_edit, " (draft 2)")
    QTest.qWait(1200)  # the pause after typing: the autosave has run
    print("typed", flush=True)
    while True:
        QTest.qWait(100)
    """
)


def test_text_typed_survives_a_kill_after_the_pause(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    with opened(path) as setup:
        post_id = seed(setup)[TITLE]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(post_id)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline and not line:
            line = child.stdout.readline().strip()
            if child.poll() is not None:
                break
        assert line == "typed", child.stderr.read() if child.stderr else ""
        child.send_signal(signal.SIGKILL)  # no chance to save anything more
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    with opened(path) as reopened:
        detail = reopened.posts.get(post_id)
        assert detail.fields.title == TITLE + " (draft 2)"
        assert "<p>Typed before the crash. Anxiety has a way" in detail.fields.content
        assert detail.sync_state == "modified"
        assert [e.op for e in reopened.outbox.entries()] == ["update"]


def test_closing_the_tab_saves_what_is_typed_at_once(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)  # the pause never ends by itself
    post_id = seeded[TITLE]
    tab.select_post(post_id)
    tab.editor.title_edit.setFocus()
    tab.editor.title_edit.end(False)
    qtbot.keyClicks(tab.editor.title_edit, " (closing)")
    assert cache.posts.get(post_id).fields.title == TITLE
    tab.close()
    assert cache.posts.get(post_id).fields.title == TITLE + " (closing)"


def test_switching_posts_saves_first(qtbot: QtBot, cache: Cache, seeded: dict[str, int]) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    first = seeded[TITLE]
    tab.select_post(first)
    tab.editor.excerpt_edit.setFocus()
    qtbot.keyClicks(tab.editor.excerpt_edit, "More. ")
    tab.select_post(seeded["Mental Health(care) is for Everyone"])
    assert cache.posts.get(first).fields.excerpt.startswith("More. ")


def test_a_post_that_cannot_be_saved_stays_open_with_its_text(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    first = seeded[TITLE]
    other = seeded["Mental Health(care) is for Everyone"]
    tab.select_post(first)

    def disk_full(*args: object, **kwargs: object) -> bool:
        raise CacheError("The disk is full")

    monkeypatch.setattr(cache.posts, "edit", disk_full)
    tab.editor.title_edit.setText("Precious words")
    assert not tab.select_post(other)
    assert tab.editor.post_id == first
    assert tab.editor.title_edit.text() == "Precious words"  # still on screen
    assert tab.editor.error_banner.isVisible()
    assert "The disk is full" in tab.editor.error_banner.label.text()
    assert tab.model.post_id(tab.table.currentIndex().row()) == first
    monkeypatch.undo()
    tab.select_post(other)
    assert tab.editor.post_id == other
    assert cache.posts.get(first).fields.title == "Precious words"
