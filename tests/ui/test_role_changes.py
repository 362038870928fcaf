"""A role changed on the site while ClinicDesk runs, end to end over real HTTP.

The window learns it at the next sync round (no signing in again): it keeps the new capabilities
with the account, rebuilds only the tab they change (the Posts tab after saving what is being
typed), and when the user may no longer handle inquiries, removes them from this computer and
says why. The headless ``sync`` command does the same, in one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from clinicdesk.services.syncround import INQUIRIES_REMOVED_MESSAGE
from clinicdesk.session.accounts import DataDir, SettingsStore
from clinicdesk.site import CAP_MANAGE_INQUIRIES
from clinicdesk.store import CacheKey, open_account_cache
from clinicdesk.ui.inquiries import InquiriesTab
from clinicdesk.ui.main_window import MainWindow, NoticePage
from clinicdesk.ui.posts import PostsTab
from clinicdesk.ui.posts.form import AUTOSAVE_MS
from tests.fixtures import site as site_fixtures
from tests.fixtures import sync as fixtures
from tests.fixtures.desktop import (
    MakeController,
    choose_passphrase,
    headless,
    open_as,
    wait_until_synced,
)
from tests.fixtures.inquiries_tab import names_in_table, select, visible_texts
from tests.fixtures.site import SiteRoles, SiteUnderTest
from tests.fixtures.sync import SiteView

site_view = fixtures.site_view
site_roles = site_fixtures.site_roles

REMOVED = (
    "Your account no longer handles consultation inquiries on this site, so they were removed "
    "from this computer. Ask the site's administrator if this is a mistake."
)


def everything_shown(window: MainWindow) -> str:
    """Every text of the window: its widgets and models, tab titles, menu and action texts."""
    texts = visible_texts(window)
    texts += [window.tabs.tabText(n) for n in range(window.tabs.count())]
    for action in window.findChildren(QAction):
        texts += [action.text(), action.toolTip(), action.statusTip()]
    texts += [str(window.last_notification)]
    return "\n".join(texts)


def view_menu_texts(window: MainWindow) -> list[str]:
    menu = window.findChild(QMenu, "viewMenu")
    assert menu is not None
    return [action.text() for action in menu.actions() if action.isVisible()]


def test_an_intake_specialist_whose_role_is_removed_keeps_no_inquiry_on_this_computer(
    qtbot: QtBot,
    make_controller: MakeController,
    fresh_site: SiteUnderTest,
    site_roles: SiteRoles,
    data: DataDir,
) -> None:
    _controller, window = open_as(qtbot, make_controller, fresh_site, "intake")
    tab = choose_passphrase(qtbot, window)
    names = names_in_table(tab)
    assert len(names) == 42
    cache = window.session.cache
    select(qtbot, tab, names[0])
    message = tab.detail.message_edit.toPlainText()
    assert message
    private = [*names, message]
    assert all(text in everything_shown(window) for text in private), "the check can fail"
    assert "&Lock inquiries" in view_menu_texts(window)
    posts_page = window.posts_page

    site_roles.set("intake", "subscriber")  # as the site's administrator does
    window.sync_action.trigger()  # F5, or the next automatic round
    qtbot.waitUntil(lambda: window.inquiries_tab is None, timeout=60_000)
    qtbot.waitUntil(lambda: window.findChild(InquiriesTab) is None, timeout=10_000)

    page = window.inquiries_page
    assert isinstance(page, NoticePage) and window.tabs.widget(1) is page
    assert page.title.text() == "Inquiries removed from this computer"
    assert page.text.text() == REMOVED
    assert window.tabs.tabText(1) == "&Inquiries", "no count left in the title"
    assert window.last_notification == ("ClinicDesk", REMOVED)
    assert window.posts_page is posts_page, "the Posts tab's capability did not change"
    assert window.lock_action is None and "&Lock inquiries" not in view_menu_texts(window)

    texts = everything_shown(window)
    for text in private:
        assert text not in texts
    counts = cache.inquiries.counts()
    assert counts["all"] == 0 and counts["trash"] == 0
    assert cache.inquiries.search(names[0].split()[0]) == []

    saved = SettingsStore(data).load().current
    assert saved is not None and saved.id == window.session.account.id
    assert not saved.can(CAP_MANAGE_INQUIRIES) and saved.can("read")
    assert saved.capabilities == window.session.account.capabilities
    # Nothing left waiting: no change to an inquiry can be sent now.
    wait_until_synced(qtbot, window)


def test_a_role_given_on_the_site_shows_its_tab_after_the_next_round_and_keeps_the_typing(
    qtbot: QtBot,
    make_controller: MakeController,
    fresh_site: SiteUnderTest,
    site_roles: SiteRoles,
    site_view: SiteView,
    data: DataDir,
) -> None:
    _controller, window = open_as(qtbot, make_controller, fresh_site, "contributor")
    assert isinstance(window.inquiries_page, NoticePage) and window.inquiries_tab is None
    assert "this tab follows at the next sync" in window.inquiries_page.text.text()
    posts = window.posts_tab
    assert isinstance(posts, PostsTab)
    posts.new_post()
    editor = posts.editor
    qtbot.keyClicks(editor.title_edit, "Sleep and mood")
    editor.save_now()
    post_id = editor.post_id
    assert post_id is not None
    wait_until_synced(qtbot, window)
    # What is typed next waits for the autosave (made slow here): only the rebuild saves it.
    for timer in editor.findChildren(QTimer):
        if timer.parent() is editor and timer.interval() == AUTOSAVE_MS:
            timer.setInterval(3_600_000)
    qtbot.keyClicks(editor.title_edit, " in winter")
    assert editor.has_unsaved_changes()
    assert window.session.cache.posts.get(post_id).fields.title == "Sleep and mood"

    site_roles.set("contributor", "editor")
    window.sync_action.trigger()
    qtbot.waitUntil(lambda: window.inquiries_tab is not None, timeout=60_000)

    inquiries = window.inquiries_tab
    assert isinstance(inquiries, InquiriesTab) and window.tabs.widget(1) is inquiries
    assert inquiries.is_locked(), "a passphrase first, as for any new Inquiries tab"
    assert "&Lock inquiries" in view_menu_texts(window)
    assert window.last_notification is not None
    assert "Inquiries tab" in window.last_notification[1]
    # The same round brought the inbox the new role may see.
    counts = window.session.cache.inquiries.counts()
    assert counts["all"] + counts["trash"] == len(site_view.inquiries())

    # Publishing, uploads and categories came with the role: the Posts tab was rebuilt, after
    # saving what was being typed, and shows the same post again.
    rebuilt = window.posts_tab
    assert isinstance(rebuilt, PostsTab) and rebuilt is not posts
    assert window.tabs.widget(0) is rebuilt
    assert "publish_posts" in rebuilt.capabilities
    assert rebuilt.editor.post_id == post_id
    assert rebuilt.editor.title_edit.text() == "Sleep and mood in winter"
    assert window.session.cache.posts.get(post_id).fields.title == "Sleep and mood in winter"
    wait_until_synced(qtbot, window)
    remote = window.session.cache.posts.get(post_id).remote_id
    assert remote is not None
    assert site_view.post(remote)["title"]["raw"] == "Sleep and mood in winter"

    saved = SettingsStore(data).load().current
    assert saved is not None
    assert saved.can(CAP_MANAGE_INQUIRIES) and saved.can("publish_posts")


@pytest.mark.usefixtures("without_keyring")
def test_the_headless_sync_keeps_the_new_capabilities_and_removes_the_inquiries(
    tmp_path: Path, fresh_site: SiteUnderTest, site_roles: SiteRoles
) -> None:
    data = str(tmp_path / "profile")
    user, password = fresh_site.auth("intake")
    passphrase = "a long passphrase for the copy"

    command = headless(data)

    def sync() -> str:
        code, out, err = command("sync", stdin=f"{password}\n{passphrase}\n")
        assert code == 0, err
        return out

    code, _out, err = command("sign-in", "--site", fresh_site.url, "--user", user, stdin=password)
    assert code == 0, err
    assert INQUIRIES_REMOVED_MESSAGE not in sync()
    settings = SettingsStore(DataDir(Path(data)))
    account = settings.load().current
    assert account is not None and account.can(CAP_MANAGE_INQUIRIES)
    paths = DataDir(Path(data)).account_paths(account)
    with open_account_cache(paths, CacheKey.from_passphrase(passphrase)) as cache:
        inbox = cache.inquiries.page("all").items
        assert inbox
        name = inbox[0].first_name

    site_roles.set("intake", "subscriber")
    out = sync()
    assert out.splitlines().count(REMOVED) == 1, out
    assert INQUIRIES_REMOVED_MESSAGE == REMOVED
    assert name not in out
    account = settings.load().current
    assert account is not None and not account.can(CAP_MANAGE_INQUIRIES) and account.can("read")
    with open_account_cache(paths, CacheKey.from_passphrase(passphrase)) as cache:
        counts = cache.inquiries.counts()
        assert counts["all"] == 0 and counts["trash"] == 0
        assert cache.outbox.count() == 0
    assert REMOVED not in sync(), "said once, when they were removed"
