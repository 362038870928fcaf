"""The Posts tab end to end: the real reference site, the real sync engine, over HTTP.

A post written in the tab while offline reaches the site at the next round as block markup
with its categories, tags and excerpt; an untouched post is never sent; an image inserted
offline is uploaded and the post points at it; a conflict settled in the tab reaches the site.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextCursor
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from clinicdesk.domain.blocks import BlockDocument
from clinicdesk.ui.posts.dialogs import ConflictDialog, ImageTextDialog
from clinicdesk.ui.posts.tab import PostsTab
from tests.fixtures import sync as fixtures
from tests.fixtures.posts_tab import ADMIN, make_tab, refreshed
from tests.fixtures.sync import Account, Accounts, SiteView

accounts = fixtures.accounts
site_view = fixtures.site_view

pytestmark = pytest.mark.slow


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (the site, unreachable)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _synced_account(accounts: Accounts) -> Account:
    account = accounts("administrator")
    report = account.sync()
    assert report.outcome == "ok", report
    return account


def _tab(qtbot: QtBot, account: Account) -> PostsTab:
    me = account.client.me()
    return make_tab(qtbot, account.cache, capabilities=ADMIN | me.capabilities, user_id=me.id)


def _site_post(view: SiteView, title: str) -> dict[str, Any]:
    [post] = [p for p in view.posts() if p["title"]["raw"] == title]
    return post


def _term_names(view: SiteView, route: str, ids: list[int]) -> list[str]:
    terms = view.request("GET", route, params={"per_page": 100})
    return sorted(t["name"] for t in terms if t["id"] in ids)


def test_a_post_written_offline_reaches_the_site_as_block_markup(
    qtbot: QtBot, accounts: Accounts, site_view: SiteView, closed_port: int
) -> None:
    account = _synced_account(accounts)
    tab = _tab(qtbot, account)
    editor = tab.editor
    online = account.client.site_url
    account.use(f"http://127.0.0.1:{closed_port}")  # offline from here

    tab.new_post()
    qtbot.keyClicks(editor.title_edit, "Sleep & anxiety: a short guide")
    body = editor.body
    body.setFocus()
    editor.toolbar.headings[2].trigger()
    qtbot.keyClicks(body, "Why sleep matters")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClicks(body, "Sleep and worry feed each other. ")
    editor.toolbar.bold.trigger()
    qtbot.keyClicks(body, "Both")
    editor.toolbar.bold.trigger()
    qtbot.keyClicks(body, " can improve.")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    editor.toolbar.numbers.trigger()
    qtbot.keyClicks(body, "Keep a schedule")
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.keyClicks(body, "Wind down")
    for row in range(editor.categories.rowCount()):
        item = editor.categories.item(row)
        if item.text() in ("Anxiety", "Wellness"):
            item.setCheckState(Qt.CheckState.Checked)
    editor.add_category("Sleep")
    editor.tags_edit.setText("sleep, Bedtime Routines")
    editor.excerpt_edit.setPlainText("How sleep and anxiety affect each other, and what helps.")
    editor.save_now()
    post_id = editor.post_id
    assert post_id is not None
    editor.request_publish()  # complete: no questions
    assert editor.sync_label.text() == "Will publish at next sync."

    report = account.sync()
    assert report.outcome == "offline"
    refreshed(qtbot, tab)
    assert cache_state(account, post_id) == ("new", "publish")
    assert editor.sync_label.text() == "Will publish at next sync."

    account.use(online)
    report = account.sync()
    assert report.outcome == "ok", report
    refreshed(qtbot, tab)
    assert cache_state(account, post_id) == ("synced", "publish")
    assert editor.sync_label.text() == "Published on the site."

    site = _site_post(site_view, "Sleep & anxiety: a short guide")
    assert site["status"] == "publish"
    assert site["content"]["raw"] == (
        '<!-- wp:heading -->\n<h2 class="wp-block-heading">Why sleep matters</h2>\n'
        "<!-- /wp:heading -->\n\n<!-- wp:paragraph -->\n<p>Sleep and worry feed each other. "
        "<strong>Both</strong> can improve.</p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:list {"ordered":true} -->\n<ol><!-- wp:list-item -->\n<li>Keep a schedule</li>\n'
        "<!-- /wp:list-item -->\n\n<!-- wp:list-item -->\n<li>Wind down</li>\n"
        "<!-- /wp:list-item --></ol>\n<!-- /wp:list -->"
    )
    assert site["excerpt"]["raw"] == "How sleep and anxiety affect each other, and what helps."
    assert _term_names(site_view, "wp/v2/categories", site["categories"]) == [
        "Anxiety",
        "Sleep",
        "Wellness",
    ]
    assert _term_names(site_view, "wp/v2/tags", site["tags"]) == ["Bedtime Routines", "sleep"]
    fixtures.assert_converged(account.cache, site_view)


def cache_state(account: Account, post_id: int) -> tuple[str, str]:
    detail = account.cache.posts.get(post_id)
    return detail.sync_state, detail.fields.status


def test_an_untouched_post_is_never_sent(
    qtbot: QtBot, accounts: Accounts, site_view: SiteView
) -> None:
    account = _synced_account(accounts)
    before = {p["id"]: (p["modified_gmt"], p["content"]["raw"]) for p in site_view.posts()}
    tab = _tab(qtbot, account)
    for status in (None, "trash"):
        tab.set_status_filter(status)  # type: ignore[arg-type]
        for row in range(tab.model.rowCount()):
            post_id = tab.model.post_id(row)
            assert post_id is not None
            tab.select_post(post_id)
            for view in (1, 2, 0):
                tab.editor.body_tabs.setCurrentIndex(view)
    tab.close()
    assert account.cache.outbox.entries() == []
    report = account.sync()
    assert (report.outcome, report.pushed) == ("ok", 0)
    after = {p["id"]: (p["modified_gmt"], p["content"]["raw"]) for p in site_view.posts()}
    assert after == before


def test_an_image_inserted_offline_is_uploaded_and_the_post_points_at_it(
    qtbot: QtBot, accounts: Accounts, site_view: SiteView, tmp_path: Path
) -> None:
    account = _synced_account(accounts)
    picture = tmp_path / "calm-room.png"
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    assert image.save(str(picture))
    tab = _tab(qtbot, account)
    editor = tab.editor
    title = "Grounding Techniques for When Anxiety Hits"
    [summary] = [s for s in account.cache.posts.query(words="Grounding").items]
    tab.select_post(summary.id)
    original = account.cache.posts.get(summary.id).fields.content
    editor.body.setFocus()
    cursor = editor.body.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    editor.body.setTextCursor(cursor)
    editor.insert_image_file(picture)
    [dialog] = [d for d in editor.open_dialogs if isinstance(d, ImageTextDialog)]
    dialog.alt.setText("Two chairs in a calm room")
    dialog.findChild(QAbstractButton, "imageTextOkButton").click()
    editor.save_now()

    report = account.sync()
    assert report.outcome == "ok", report
    refreshed(qtbot, tab)
    site = _site_post(site_view, title)
    [media] = site_view.request("GET", "wp/v2/media", params={"per_page": 100})
    assert media["alt_text"] == ""  # the post carries its own alternative text
    expected = (
        f'<!-- wp:image {{"id":{media["id"]},"sizeSlug":"large","linkDestination":"none"}} -->\n'
        f'<figure class="wp-block-image size-large"><img src="{media["source_url"]}" '
        f'alt="Two chairs in a calm room" class="wp-image-{media["id"]}"/></figure>\n'
        "<!-- /wp:image -->"
    )
    content = site["content"]["raw"]
    assert expected in content  # after the paragraph the cursor was in
    assert content.replace("\n\n" + expected, "", 1) == original
    local = account.cache.posts.get(summary.id)
    assert (local.sync_state, local.fields.content) == ("synced", site["content"]["raw"])
    assert editor.body.content() == site["content"]["raw"]  # the editor follows
    assert all(
        s.rich is not None or s.block.name for s in BlockDocument.from_text(expected).segments
    )


def test_a_conflict_settled_in_the_tab_reaches_the_site(
    qtbot: QtBot, accounts: Accounts, site_view: SiteView
) -> None:
    account = _synced_account(accounts)
    title = "Men, Depression, and the Stigma of Asking for Help"
    site = _site_post(site_view, title)
    tab = _tab(qtbot, account)
    [summary] = account.cache.posts.query(words="Stigma Asking").items
    tab.select_post(summary.id)
    tab.editor.title_edit.setText(title + " (mine)")
    tab.editor.save_now()
    tab.editor.update_site()  # a published post: its edits go to the site on Update
    site_view.request("POST", f"wp/v2/posts/{site['id']}", json={"title": title + " (theirs)"})
    report = account.sync()
    assert report.conflicts, report
    refreshed(qtbot, tab)
    assert tab.editor.conflict_banner.isVisible()
    tab.editor.compare_button.click()
    [dialog] = [d for d in tab.open_dialogs if isinstance(d, ConflictDialog)]
    dialog.keep_mine.click()
    report = account.sync()
    assert report.outcome == "ok", report
    refreshed(qtbot, tab)
    assert site_view.post(site["id"])["title"]["raw"] == title + " (mine)"
    assert not tab.editor.conflict_banner.isVisible()
    assert any(
        r.origin == "site" and r.fields.title == title + " (theirs)"
        for r in account.cache.posts.revisions(summary.id)
    )
    fixtures.assert_converged(account.cache, site_view)
