"""A live post's edits stay on this computer until Update, as in WordPress.

Typing in a published post is saved at every pause (nothing is lost) but a sync round sends
nothing: the site keeps its content and version. Update (checked like Publish) sends the final
text as one change. Drafts still sync as they are typed; a contributor's pending post too.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from clinicdesk.store import Cache
from clinicdesk.ui.posts.dialogs import PrepublishDialog
from clinicdesk.ui.posts.form import PostEditor
from clinicdesk.ui.posts.listmodel import PostListModel
from clinicdesk.ui.posts.tab import PostsTab
from tests.fixtures import posts_tab as support
from tests.fixtures import sync as fixtures
from tests.fixtures.posts_tab import ADMIN, CONTRIBUTOR, make_tab, refreshed
from tests.fixtures.sync import Account, Accounts, SiteView

cache = support.cache
seeded = support.seeded
accounts = fixtures.accounts
site_view = fixtures.site_view

HELD = "Saved on this computer"
NOT_UNTIL_UPDATE = "Not on the site until you click Update."
PUBLISHED = "Men, Depression, and the Stigma of Asking for Help"
PENDING = "Self-Care Isn't Selfish: Five Small Habits for Busy Weeks"
CONTRIBUTOR_ID = 5  # shollis


def _type_at_end(qtbot: QtBot, editor: PostEditor, text: str) -> None:
    editor.body.setFocus()
    editor.body.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.body, text)


def _wait_saved(qtbot: QtBot, editor: PostEditor, text: str) -> None:
    qtbot.waitUntil(lambda: editor.saved_label.text() == text, timeout=5000)


def _sync_text(tab: PostsTab, post_id: int) -> str:
    row = tab.model.row_of(post_id)
    assert row is not None
    return str(tab.model.index(row, PostListModel.SYNC).data())


def _states(cache: Cache) -> list[str]:
    return [e.state for e in cache.outbox.entries() if e.entity == "post"]


# -- against the real reference site ---------------------------------------------------------


def _synced(accounts: Accounts) -> Account:
    account = accounts("administrator")
    assert account.sync().outcome == "ok"
    return account


def test_a_published_post_is_saved_here_and_reaches_the_site_only_on_update(
    qtbot: QtBot, accounts: Accounts, site_view: SiteView
) -> None:
    account = _synced(accounts)
    me = account.client.me()
    tab = make_tab(
        qtbot, account.cache, capabilities=ADMIN | me.capabilities, user_id=me.id, autosave_ms=50
    )
    editor = tab.editor
    [summary] = account.cache.posts.query(words="Stigma Asking").items
    before = site_view.post(summary.remote_id or 0)
    tab.select_post(summary.id)
    assert editor.publish_button.text() == "Update"

    for part in (" Half a sen", "tence, then", " the end."):  # pauses: one autosave each
        _type_at_end(qtbot, editor, part)
        _wait_saved(qtbot, editor, HELD)
    typed = account.cache.posts.get(summary.id).fields.content
    assert "Half a sentence, then the end." in editor.body.toPlainText()
    assert _states(account.cache) == ["staged"]  # coalesced into one entry, held
    assert editor.sync_label.text() == NOT_UNTIL_UPDATE
    assert editor.unpublished_banner.isVisible()
    assert _sync_text(tab, summary.id) == "Changes not published"
    assert tab.unpublished_titles() == [PUBLISHED]

    report = account.sync()
    assert (report.outcome, report.pushed) == ("ok", 0)
    after = site_view.post(summary.remote_id or 0)
    assert after["content"]["raw"] == before["content"]["raw"]
    assert after["modified_gmt"] == before["modified_gmt"]
    refreshed(qtbot, tab)
    assert account.cache.posts.get(summary.id).fields.content == typed  # still here

    # Ctrl+Shift+P is Update: the checks run (this post passes them), then it goes.
    editor.body.setFocus()
    qtbot.keyClick(
        editor.body,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert [d for d in tab.open_dialogs if isinstance(d, PrepublishDialog)] == []
    assert _states(account.cache) == ["pending"]
    report = account.sync()
    assert (report.outcome, report.pushed) == ("ok", 1)  # exactly one update
    assert site_view.post(summary.remote_id or 0)["content"]["raw"] == typed
    refreshed(qtbot, tab)
    assert editor.sync_label.text() != NOT_UNTIL_UPDATE
    assert not editor.unpublished_banner.isVisible()
    assert _sync_text(tab, summary.id) == ""
    assert account.sync().pushed == 0
    fixtures.assert_converged(account.cache, site_view)


def test_held_changes_survive_a_restart(
    qtbot: QtBot, accounts: Accounts, site_view: SiteView
) -> None:
    account = _synced(accounts)
    [summary] = account.cache.posts.query(words="Stigma Asking").items
    tab = make_tab(qtbot, account.cache, autosave_ms=50)
    tab.select_post(summary.id)
    _type_at_end(qtbot, tab.editor, " Kept for later.")
    _wait_saved(qtbot, tab.editor, HELD)
    assert tab.flush()
    tab.close()
    accounts.reopen(account)
    detail = account.cache.posts.get(summary.id)
    assert detail.unpublished_changes and "Kept for later." in detail.fields.content
    assert account.sync().pushed == 0
    assert "Kept for later." not in site_view.post(summary.remote_id or 0)["content"]["raw"]


def test_a_draft_still_syncs_as_it_is_typed(
    qtbot: QtBot, accounts: Accounts, site_view: SiteView
) -> None:
    account = _synced(accounts)
    tab = make_tab(qtbot, account.cache, autosave_ms=50)
    [summary] = account.cache.posts.query(words="Grounding Techniques").items
    tab.select_post(summary.id)
    assert tab.editor.publish_button.text() == "Publish…"
    _type_at_end(qtbot, tab.editor, " A draft line.")
    _wait_saved(qtbot, tab.editor, "Saved on this computer")
    assert _states(account.cache) == ["pending"]
    assert account.sync().pushed == 1
    site = site_view.post(summary.remote_id or 0)
    assert site["status"] == "draft" and "A draft line." in site["content"]["raw"]


# -- the tab on a seeded cache -------------------------------------------------------------


def test_update_runs_the_checks_and_go_back_keeps_the_changes_here(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=50)
    editor = tab.editor
    post_id = seeded[PUBLISHED]
    tab.select_post(post_id)
    editor.excerpt_edit.setPlainText("")  # a finding: no excerpt
    _wait_saved(qtbot, editor, HELD)
    editor.publish_button.click()
    [dialog] = [d for d in tab.open_dialogs if isinstance(d, PrepublishDialog)]
    assert dialog.anyway.text() == "Update anyway"
    assert "no excerpt" in dialog.items.text()
    dialog.go_back.click()
    assert _states(cache) == ["staged"]
    editor.publish_button.click()
    [dialog] = [d for d in tab.open_dialogs if isinstance(d, PrepublishDialog)]
    dialog.anyway.click()
    assert _states(cache) == ["pending"]
    assert editor.sync_label.text() == "Changes go to the site at the next sync."


def test_discard_goes_back_to_the_sites_version(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=50)
    editor = tab.editor
    post_id = seeded[PUBLISHED]
    original = cache.posts.get(post_id).fields
    tab.select_post(post_id)
    editor.title_edit.setText("Half-typed tit")
    _wait_saved(qtbot, editor, HELD)
    discard = editor.unpublished_banner.findChild(object, "discardUnpublishedButton")
    assert discard is not None
    discard.click()
    assert editor.title_edit.text() == original.title
    assert cache.posts.get(post_id).fields == original
    assert cache.outbox.entries() == []
    assert not editor.unpublished_banner.isVisible()
    assert any(r.fields.title == "Half-typed tit" for r in cache.posts.revisions(post_id))


def test_a_contributor_editing_their_pending_post_is_unaffected(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, capabilities=CONTRIBUTOR, user_id=CONTRIBUTOR_ID, autosave_ms=50)
    editor = tab.editor
    tab.select_post(seeded[PENDING])
    editor.title_edit.setText("Self-care, revised")
    _wait_saved(qtbot, editor, "Saved on this computer")
    assert _states(cache) == ["pending"]  # syncs as typed
    assert editor.publish_button.text() == "Submitted for review"
    assert not editor.unpublished_banner.isVisible()
    assert tab.unpublished_titles() == []
