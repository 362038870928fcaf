"""The post editor: local-first saving, faithful block markup, formatting, preview, keyboard."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from clinicdesk.domain.blocks import BlockDocument
from clinicdesk.store import Cache
from clinicdesk.ui.posts.dialogs import ImageTextDialog, LinkDialog
from clinicdesk.ui.posts.form import AUTOSAVE_MS
from clinicdesk.ui.posts.listmodel import PostListModel
from clinicdesk.ui.posts.tab import PostsTab
from tests.fixtures import posts_tab as support
from tests.fixtures.posts_tab import SEED_POSTS, make_tab, outbox_posts, refreshed

cache = support.cache
seeded = support.seeded

SHORTCODE_POST = "What to Expect From Your First Teletherapy Session"
HTML_POST = "Grief at the Holidays: Making Room for Who's Missing"


def _content(title: str) -> str:
    return next(p["content"] for p in SEED_POSTS if p["title"] == title)


def _start_of_body(tab: PostsTab) -> None:
    tab.editor.body.setFocus()
    cursor = tab.editor.body.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    tab.editor.body.setTextCursor(cursor)


# -- nothing changes unless the user changes it ----------------------------------------------------


def test_opening_every_post_and_every_view_changes_nothing(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    for post_id in seeded.values():
        assert tab.select_post(post_id)
        for view in (1, 2, 0):  # HTML, preview, back to writing
            tab.editor.body_tabs.setCurrentIndex(view)
        assert not tab.editor.has_unsaved_changes()
    tab.editor.flush()
    refreshed(qtbot, tab)
    tab.close()
    assert outbox_posts(cache) == []
    for post in SEED_POSTS:
        assert cache.posts.get(seeded[post["title"]]).fields.content == post["content"]
        assert cache.posts.get(seeded[post["title"]]).sync_state == "synced"


def test_editing_one_paragraph_keeps_every_other_byte(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=50)
    for title in (SHORTCODE_POST, HTML_POST):
        tab.select_post(seeded[title])
        _start_of_body(tab)
        qtbot.keyClicks(tab.editor.body, "Edited: ")
        tab.editor.save_now()
        original = _content(title)
        saved = cache.posts.get(seeded[title]).fields.content
        first_paragraph = original.index("<p>") + len("<p>")
        assert saved == original[:first_paragraph] + "Edited: " + original[first_paragraph:]
    # Removing the custom HTML block is an explicit edit; everything else stays.
    tab.select_post(seeded[HTML_POST])
    document = BlockDocument.from_text(_content(HTML_POST))
    [html_block] = [s for s in document.segments if s.block.name == "core/html"]
    assert html_block.source in cache.posts.get(seeded[HTML_POST]).fields.content


# -- local-first saving ----------------------------------------------------------------------------


def test_a_change_is_saved_when_typing_stops(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)  # the real pause: 700 ms
    post_id = seeded[SHORTCODE_POST]
    tab.select_post(post_id)
    tab.editor.title_edit.setFocus()
    tab.editor.title_edit.end(False)
    saves: list[object] = []
    tab.editor.saved.connect(lambda *args: saves.append(args))
    for char in " (updated)":
        qtbot.keyClick(tab.editor.title_edit, char)
        assert saves == [], "not saved on a key: each key restarts the pause"
    assert cache.posts.get(post_id).fields.title == SHORTCODE_POST
    with qtbot.waitSignal(tab.editor.saved, timeout=10_000):
        pass
    assert len(saves) == 1, "saved once, when typing paused"
    assert cache.posts.get(post_id).fields.title == SHORTCODE_POST + " (updated)"
    assert AUTOSAVE_MS <= 1000, "saved within a second of typing stopping"
    assert outbox_posts(cache) == [("update", post_id)]
    assert tab.editor.saved_label.text() == "Saved on this computer"


def test_the_list_follows_typing_without_reading_on_the_ui_thread(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=100)
    post_id = seeded[SHORTCODE_POST]
    tab.select_post(post_id)
    count_reads: list[bool] = []  # True: read on the UI thread
    counts = cache.posts.counts

    def spied_counts() -> dict[str, int]:
        count_reads.append(threading.current_thread() is threading.main_thread())
        return counts()

    monkeypatch.setattr(cache.posts, "counts", spied_counts)

    def listed_title() -> str | None:
        row = tab.model.row_of(post_id)
        return None if row is None else tab.model.index(row, PostListModel.TITLE).data()

    assert listed_title() == SHORTCODE_POST
    tab.editor.title_edit.setFocus()
    tab.editor.title_edit.end(False)
    qtbot.keyClicks(tab.editor.title_edit, " (revised)")
    title = SHORTCODE_POST + " (revised)"
    qtbot.waitUntil(lambda: listed_title() == title)
    assert cache.posts.get(post_id).fields.title == title
    assert count_reads and not any(count_reads), "the list was read on the UI thread"
    assert tab.editor.title_edit.text() == title


def test_ctrl_s_saves_at_once_and_new_posts_are_created_on_first_words(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    qtbot.keyClick(tab, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert tab.editor.post_id is None
    assert tab.editor.title_edit.hasFocus()
    tab.editor.save_now()
    assert outbox_posts(cache) == []  # an empty new post is not created
    qtbot.keyClicks(tab.editor.title_edit, "Sleep and mood")
    qtbot.keyClick(tab.editor.title_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    post_id = tab.editor.post_id
    assert post_id is not None
    detail = cache.posts.get(post_id)
    assert (detail.fields.title, detail.fields.status, detail.sync_state) == (
        "Sleep and mood",
        "draft",
        "new",
    )
    assert detail.fields.author == 1
    assert tab.model.row_of(post_id) is not None  # listed at once
    assert tab.editor.sync_label.text() == "Not on the site yet: sent at the next sync."


def test_undo_and_redo(qtbot: QtBot, cache: Cache, seeded: dict[str, int]) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    tab.select_post(seeded[SHORTCODE_POST])
    _start_of_body(tab)
    body = tab.editor.body
    qtbot.keyClicks(body, "Hello ")
    assert body.document().begin().text().startswith("Hello Starting")
    qtbot.keyClick(body, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert body.document().begin().text().startswith("Starting")
    assert not body.document().isUndoAvailable()  # loading the post is not undoable
    qtbot.keyClick(
        body, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert body.document().begin().text().startswith("Hello Starting")


# -- writing block markup --------------------------------------------------------------------------


def test_formatting_writes_wordpress_block_markup(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    editor = tab.editor
    tab.new_post()
    qtbot.keyClicks(editor.title_edit, "Formatting")
    body = editor.body
    body.setFocus()
    bar = editor.toolbar
    bar.headings[2].trigger()
    qtbot.keyClicks(body, "A heading")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClicks(body, "Plain and ")
    bar.bold.trigger()
    qtbot.keyClicks(body, "bold")
    bar.bold.trigger()
    qtbot.keyClicks(body, " and ")
    bar.italic.trigger()
    qtbot.keyClicks(body, "italic & <more>")
    bar.italic.trigger()
    qtbot.keyClick(body, Qt.Key.Key_Return)
    bar.headings[3].trigger()
    qtbot.keyClicks(body, "Smaller")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    bar.bullets.trigger()
    qtbot.keyClicks(body, "one")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClick(body, Qt.Key.Key_Tab)  # nests the item
    qtbot.keyClicks(body, "one a")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClick(body, Qt.Key.Key_Backtab)
    qtbot.keyClicks(body, "two")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClick(body, Qt.Key.Key_Return)  # an empty item leaves the list
    bar.quote.trigger()
    qtbot.keyClicks(body, "Quoted")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClick(body, Qt.Key.Key_Return)  # an empty quote line leaves the quote
    qtbot.keyClicks(body, "see site")
    cursor = body.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    body.setTextCursor(cursor)
    bar.link.trigger()
    [dialog] = [d for d in editor.open_dialogs if isinstance(d, LinkDialog)]
    dialog.address.setText("https://example.org/?a=1&b=2")
    dialog.findChild(QAbstractButton, "linkOkButton").click()
    editor.save_now()
    assert editor.post_id is not None
    content = cache.posts.get(editor.post_id).fields.content
    assert content == (
        '<!-- wp:heading -->\n<h2 class="wp-block-heading">A heading</h2>\n<!-- /wp:heading -->'
        "\n\n<!-- wp:paragraph -->\n<p>Plain and <strong>bold</strong> and "
        "<em>italic &amp; &lt;more></em></p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">Smaller</h3>\n'
        "<!-- /wp:heading -->\n\n"
        "<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>one<!-- wp:list -->\n"
        "<ul><!-- wp:list-item -->\n<li>one a</li>\n<!-- /wp:list-item --></ul>\n"
        "<!-- /wp:list --></li>\n<!-- /wp:list-item -->\n\n<!-- wp:list-item -->\n<li>two</li>\n"
        "<!-- /wp:list-item --></ul>\n<!-- /wp:list -->\n\n"
        '<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n'
        "<p>Quoted</p>\n<!-- /wp:paragraph --></blockquote>\n<!-- /wp:quote -->\n\n"
        '<!-- wp:paragraph -->\n<p><a href="https://example.org/?a=1&amp;b=2">see site</a></p>\n'
        "<!-- /wp:paragraph -->"
    )
    # What was written reads back as the same blocks (no block is opaque to the editor).
    assert all(s.rich is not None for s in BlockDocument.from_text(content).segments)


def test_the_html_view_edits_the_markup(qtbot: QtBot, cache: Cache, seeded: dict[str, int]) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    editor = tab.editor
    post_id = seeded[HTML_POST]
    tab.select_post(post_id)
    editor.body_tabs.setCurrentIndex(1)
    assert editor.html_edit.toPlainText() == _content(HTML_POST)
    extra = '\n\n<!-- wp:separator -->\n<hr class="wp-block-separator"/>\n<!-- /wp:separator -->'
    cursor = editor.html_edit.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText(extra)
    editor.save_now()
    assert cache.posts.get(post_id).fields.content == _content(HTML_POST) + extra
    editor.body_tabs.setCurrentIndex(0)  # the rich view shows it as a kept block
    assert editor.body.content() == _content(HTML_POST) + extra
    assert outbox_posts(cache) == [("update", post_id)]


def test_word_count_and_reading_time(qtbot: QtBot, cache: Cache, seeded: dict[str, int]) -> None:
    tab = make_tab(qtbot, cache)
    tab.select_post(seeded["Grounding Techniques for When Anxiety Hits"])
    text = tab.editor.words_label.text()
    words = int(text.split()[0])
    assert 800 < words < 950
    assert text.endswith("about 5 min read")


# -- categories, tags, images ----------------------------------------------------------------------


# The completion list is a popup: the offscreen platform cannot raise it or give it the keyboard,
# and says so; on a desktop it does both.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_new_category_and_tags_with_completion(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    editor = tab.editor
    post_id = seeded[SHORTCODE_POST]
    tab.select_post(post_id)
    editor.ask_new_category()
    [dialog] = [d for d in editor.open_dialogs if d.objectName() == "newCategoryDialog"]
    dialog.setTextValue("Grief Support")  # type: ignore[attr-defined]
    dialog.accept()  # type: ignore[attr-defined]
    editor.tags_edit.setFocus()
    editor.tags_edit.end(False)
    qtbot.keyClicks(editor.tags_edit, ", mindf")
    popup = editor.tag_completer.popup()
    assert popup.isVisible()
    assert editor.tag_completer.currentCompletion() == "mindfulness"
    editor.tag_completer.activated.emit("mindfulness")
    qtbot.keyClicks(editor.tags_edit, "Brand New Tag")
    editor.save_now()
    detail = cache.posts.get(post_id)
    categories = {t.id: t.name for t in cache.catalog.terms("category")}
    tags = {t.id: t.name for t in cache.catalog.terms("post_tag")}
    assert sorted(categories[i] for i in detail.fields.categories) == [
        "Blog",
        "Grief Support",
        "Therapy",
    ]
    assert sorted(tags[i] for i in detail.fields.tags) == [
        "Brand New Tag",
        "Texas",
        "first session",
        "mindfulness",
        "teletherapy",
    ]
    # New terms go to the site before the post that uses them.
    kinds = [(e.entity, e.op) for e in cache.outbox.entries()]
    assert kinds.index(("term", "create")) < kinds.index(("post", "update"))


def test_new_category_needs_the_capability(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, capabilities=support.CONTRIBUTOR, user_id=5)
    assert not tab.editor.new_category_button.isVisible()
    assert not tab.editor.toolbar.image.isEnabled()
    assert not tab.editor.upload_featured_button.isEnabled()


def test_an_inline_image_is_queued_for_upload_with_its_text(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int], tmp_path: Path
) -> None:
    picture = tmp_path / "calm-room.png"
    image = QImage(640, 400, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    assert image.save(str(picture))
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    editor = tab.editor
    post_id = seeded[SHORTCODE_POST]
    tab.select_post(post_id)
    _start_of_body(tab)
    editor.insert_image_file(picture)
    [dialog] = [d for d in editor.open_dialogs if isinstance(d, ImageTextDialog)]
    dialog.alt.setText("A calm room with two chairs")
    dialog.caption.setText("Our Austin office")
    dialog.findChild(QAbstractButton, "imageTextOkButton").click()
    editor.save_now()
    [media] = [m for m in cache.catalog.media() if m.local_path == str(picture)]
    assert media.sync_state == "new"
    content = cache.posts.get(post_id).fields.content
    expected = (
        f'<!-- wp:image {{"clinicdeskLocalMedia":{media.id},"sizeSlug":"large",'
        '"linkDestination":"none"} -->\n<figure class="wp-block-image size-large">'
        f'<img src="clinicdesk-media:{media.id}" alt="A calm room with two chairs"/>'
        '<figcaption class="wp-element-caption">Our Austin office</figcaption></figure>\n'
        "<!-- /wp:image -->"
    )
    assert expected in content
    assert content.replace(expected + "\n\n", "", 1) == _content(SHORTCODE_POST)
    kinds = [(e.entity, e.op) for e in cache.outbox.entries()]
    assert kinds == [("media", "upload"), ("post", "update")]
    # The editor shows the local file (no network), at most 480 pixels wide.
    assert f"clinicdesk-media:{media.id}" in editor.body.requested


# -- preview: sanitised, nothing fetched -----------------------------------------------------------


class _Counting(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counting.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def listening() -> Iterator[str]:
    """A web server on loopback that counts every request it gets."""
    _Counting.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_preview_is_sanitised_and_requests_nothing(
    qtbot: QtBot, cache: Cache, listening: str
) -> None:
    hostile = (
        '<!-- wp:paragraph -->\n<p>Hello <a href="javascript:alert(1)">x</a> '
        f'<a href="{listening}/page">ok</a></p>\n<!-- /wp:paragraph -->\n\n'
        f'<!-- wp:html -->\n<img src="{listening}/pixel.png" onerror="alert(2)" alt="px">'
        f'<script src="{listening}/x.js">alert(3)</script>'
        f'<iframe src="{listening}/frame"></iframe>'
        f'<link rel="stylesheet" href="{listening}/style.css">'
        f'<div style="background:url({listening}/bg.png)">styled</div>\n<!-- /wp:html -->\n\n'
        '<!-- wp:image {"id":5,"sizeSlug":"large","linkDestination":"none"} -->\n'
        f'<figure class="wp-block-image size-large"><img src="{listening}/photo.jpg" alt="A photo"'
        ' class="wp-image-5"/></figure>\n<!-- /wp:image -->'
    )
    post_id = cache.posts.create(title="<b>Title</b>", content=hostile)
    tab = make_tab(qtbot, cache)
    tab.select_post(post_id)
    editor = tab.editor
    editor.body_tabs.setCurrentIndex(2)
    # Both images asked for, as placeholders: the preview has been laid out.
    qtbot.waitUntil(lambda: len(editor.preview.requested) >= 2)
    html = editor.preview.toHtml()
    for gone in ("script", "alert", "onerror", "iframe", "javascript", "style.css", "url("):
        assert gone not in html, gone
    assert f'src="{listening}' not in html
    assert f'<a href="{listening}/page">' in html  # a link is kept, never followed
    assert "&lt;b&gt;Title&lt;/b&gt;" in html  # the title is plain text
    assert "styled" in html and "Hello" in html
    assert all(name.startswith("clinicdesk-preview:") for name in editor.preview.requested)
    assert len(editor.preview.requested) >= 2  # both images, as placeholders
    editor.body_tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: any(listening in name for name in editor.body.requested))
    assert any(listening in name for name in editor.body.requested)  # shown as a placeholder
    QApplication.processEvents()
    assert _Counting.requests == []  # nothing, from either view


# -- accessibility and keyboard --------------------------------------------------------------------

_CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractItemView,
    QDateTimeEdit,
)


def _internal(widget: QWidget) -> bool:
    """Parts Qt builds inside a composite widget (a combo's list, a spin box's line edit)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(
            parent, QComboBox | QDateTimeEdit | QLineEdit
        ) or parent.objectName().startswith("qt_"):
            return True
        parent = parent.parentWidget()
    return widget.objectName().startswith("qt_")


def test_every_control_has_an_object_name_and_an_accessible_name(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    tab.select_post(seeded[SHORTCODE_POST])
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r} {w.accessibleName()!r}"
        for w in tab.findChildren(QWidget)
        if isinstance(w, _CONTROLS)
        and not _internal(w)
        and (not w.objectName() or not w.accessibleName())
    ]
    assert unnamed == [], "\n".join(unnamed)


def test_keyboard_shortcuts(qtbot: QtBot, cache: Cache, seeded: dict[str, int]) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.search_edit.hasFocus()
    qtbot.keyClick(tab.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert tab.editor.title_edit.hasFocus() and tab.editor.post_id is None
    qtbot.keyClicks(tab.editor.title_edit, "Keyboard only")
    qtbot.keyClick(tab.editor.title_edit, Qt.Key.Key_Tab)  # on into the toolbar or body
    tab.editor.body.setFocus()
    qtbot.keyClick(tab.editor.body, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(tab.editor.body, "Strong start")
    qtbot.keyClick(tab.editor.body, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert tab.editor.post_id is not None
    content = cache.posts.get(tab.editor.post_id).fields.content
    assert content == (
        "<!-- wp:paragraph -->\n<p><strong>Strong start</strong></p>\n<!-- /wp:paragraph -->"
    )
    # Ctrl+S and Ctrl+Shift+P work from the list too.
    tab.select_post(tab.editor.post_id)
    tab.table.setFocus()
    tab.editor.excerpt_edit.setPlainText("Typed, then back to the list.")
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert cache.posts.get(tab.editor.post_id).fields.excerpt == "Typed, then back to the list."
    qtbot.keyClick(
        tab.table,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    [dialog] = [d for d in tab.open_dialogs if d.objectName() == "prepublishDialog"]
    dialog.reject()  # type: ignore[attr-defined]
    # Delete in the list moves the post to the trash.
    tab.table.setFocus()
    new_id = tab.editor.post_id
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    with pytest.raises(Exception, match="no longer"):
        cache.posts.get(new_id)  # never sent: simply gone


def test_a_featured_image_is_queued_and_its_text_checked(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int], tmp_path: Path
) -> None:
    picture = tmp_path / "office.jpg"
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.gray)
    assert image.save(str(picture))
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    editor = tab.editor
    post_id = seeded["Grounding Techniques for When Anxiety Hits"]
    tab.select_post(post_id)
    editor.set_featured_file(picture)
    assert editor.featured_combo.currentText() == "office (waiting to upload)"
    editor.save_now()
    media_id = cache.posts.get(post_id).fields.featured_media
    assert media_id is not None
    assert [f.kind for f in editor.prepublish_findings()] == ["image_without_alt"]
    editor.featured_alt.setText("Our waiting room")
    editor.featured_alt.editingFinished.emit()
    assert editor.prepublish_findings() == []
    [media] = [m for m in cache.catalog.media() if m.id == media_id]
    assert media.alt_text == "Our waiting room"
    kinds = [(e.entity, e.op) for e in cache.outbox.entries()]
    assert kinds == [("media", "upload"), ("post", "update")]  # the alt text rides the upload


def test_pasted_html_keeps_structure_but_no_scripts_styles_or_pictures(
    qtbot: QtBot, cache: Cache
) -> None:
    from PySide6.QtCore import QMimeData

    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    editor = tab.editor
    tab.new_post()
    qtbot.keyClicks(editor.title_edit, "Pasted")
    notices: list[str] = []
    editor.body.pasteNotice.connect(notices.append)
    mime = QMimeData()
    mime.setHtml(
        '<h2 style="color:red">From a document</h2><p onclick="x()">Some <b>bold</b> and '
        '<a href="https://example.org/">a link</a>.</p><ul><li>one</li><li>two</li></ul>'
        '<script>alert(1)</script><img src="https://example.org/p.png">'
    )
    editor.body.setFocus()
    editor.body.insertFromMimeData(mime)
    editor.save_now()
    assert editor.post_id is not None
    assert cache.posts.get(editor.post_id).fields.content == (
        '<!-- wp:heading -->\n<h2 class="wp-block-heading">From a document</h2>\n'
        "<!-- /wp:heading -->\n\n<!-- wp:paragraph -->\n<p>Some <strong>bold</strong> and "
        '<a href="https://example.org/">a link</a>.</p>\n<!-- /wp:paragraph -->\n\n'
        "<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>one</li>\n<!-- /wp:list-item -->\n\n"
        "<!-- wp:list-item -->\n<li>two</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->"
    )
    assert notices == ["Pictures are not pasted: use Insert image to upload them."]
