"""The window with its real tabs, end to end: the reference site, the shell's own sync path.

What the user does in a tab reaches the site through the shell's debounced sync; what arrives
from the site shows in the tabs after the round; a crisis inquiry sent through the website's
consultation form comes back flagged urgent, pinned, and announced by a notification that says
only how many; the headless ``sync`` command flags it too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from clinicdesk.session.accounts import DataDir, SettingsStore
from clinicdesk.session.credentials import CredentialStore
from clinicdesk.session.memory_keyring import MemoryKeyring
from clinicdesk.site import SiteClient
from clinicdesk.ui.inquiries import InquiriesTab
from clinicdesk.ui.inquiries.models import COLUMN_INDEX
from clinicdesk.ui.main_window import NoticePage
from clinicdesk.ui.posts import PostsTab
from tests.fixtures import sync as fixtures
from tests.fixtures.desktop import (
    CRISIS_FORM,
    CRISIS_NOTE,
    PASSPHRASE,
    MakeController,
    choose_passphrase,
    click,
    confirm_box,
    fill_and_submit,
    headless,
    open_as,
    sign_in_dialog,
    wait_for_window,
    wait_until_synced,
)
from tests.fixtures.inquiries_tab import names_in_table, wait_loaded
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import FAST_RETRY, FAST_TIMEOUTS, SiteView

site_view = fixtures.site_view

SEED_POST = "Why Vulnerability Is So Important in Therapy"
DRAFT = "Grounding Techniques for When Anxiety Hits"


def urgent_flags(tab: InquiriesTab) -> list[bool]:
    column = COLUMN_INDEX["urgent"]
    return [bool(tab.model.index(row, column).data()) for row in range(tab.model.rowCount())]


def test_the_demo_window_shows_the_real_tabs_with_the_demo_content(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    _controller, window = open_as(qtbot, make_controller, fresh_site, "administrator")
    posts = window.posts_tab
    assert isinstance(posts, PostsTab) and window.tabs.widget(0) is posts
    assert posts.count_label.text() == "12 posts"
    assert posts.select_post(next(p.id for p in window.session.cache.posts.search(SEED_POST)))
    assert posts.editor.title_edit.text() == SEED_POST

    # The demo's four crisis inquiries were flagged on arrival, and the flags reached the site.
    flagged = [i for i in site_view.inquiries() if i["meta"]["urgent"]]
    assert len(flagged) == 4
    counts = window.session.cache.inquiries.triage_counts(user_id=window.session.account.user_id)
    assert window.tabs.tabText(1) == f"&Inquiries ({counts['unread']} unread)"

    tab = choose_passphrase(qtbot, window)
    assert tab.model.rowCount() == 42
    assert urgent_flags(tab)[:4] == [True] * 4, "urgent inquiries are pinned at the top"
    assert not any(urgent_flags(tab)[4:])


def test_an_edit_in_the_posts_tab_reaches_the_site(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    _controller, window = open_as(qtbot, make_controller, fresh_site, "administrator")
    posts = window.posts_tab
    assert isinstance(posts, PostsTab)
    [draft] = [p for p in window.session.cache.posts.search(DRAFT) if p.title == DRAFT]
    assert posts.select_post(draft.id)
    title = posts.editor.title_edit
    title.setFocus()
    title.end(False)
    qtbot.keyClicks(title, " (revised)")
    # Saved as typed (autosave), counted at once, sent a moment later by the shell's sync.
    qtbot.waitUntil(lambda: window.sync.status.pending > 0, timeout=10_000)
    wait_until_synced(qtbot, window)
    remote = window.session.cache.posts.get(draft.id).remote_id
    assert remote is not None
    assert site_view.post(remote)["title"]["raw"] == f"{DRAFT} (revised)"


def test_a_crisis_inquiry_from_the_form_arrives_flagged_pinned_and_announced_by_count(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    _controller, window = open_as(qtbot, make_controller, fresh_site, "intake")
    # An intake specialist writes no posts: the tab says so instead of showing an empty list.
    assert window.posts_tab is None and isinstance(window.posts_page, NoticePage)
    tab = choose_passphrase(qtbot, window)
    tab.table.sortByColumn(COLUMN_INDEX["received"], Qt.SortOrder.AscendingOrder)  # oldest first
    wait_loaded(qtbot, tab)
    # The first download announced the inbox it brought, by count.
    assert window.last_notification == ("ClinicDesk", "18 new inquiries — 4 urgent")
    window.last_notification = None

    with SiteClient(fresh_site.url, None, None, retry=FAST_RETRY, timeouts=FAST_TIMEOUTS) as public:
        remote_id = public.submit_consultation(CRISIS_FORM)  # type: ignore[arg-type]
    window.sync_action.trigger()  # F5, or the next automatic round
    qtbot.waitUntil(lambda: window.last_notification is not None, timeout=60_000)
    wait_until_synced(qtbot, window)  # the flag's own round, asked for by the shell

    # Counts only: no name, no words from the form.
    assert window.last_notification == ("ClinicDesk", "1 new inquiry — 1 urgent")
    notice = window.notice_label.text()
    assert notice == "1 new inquiry — 1 urgent"
    for private in ("Wren", "Castillo", "ending it", "Depression", "555"):
        assert private not in notice

    cache = window.session.cache.inquiries
    local = cache.local_id(remote_id)
    assert local is not None
    assert cache.get(local).triage.urgent
    assert ("note", CRISIS_NOTE) in [(n.kind, n.content) for n in cache.notes(local)]
    assert site_view.inquiry(remote_id)["meta"]["urgent"] is True, "the flag reached the site"

    # Pinned: oldest first, yet above every inquiry that is not urgent.
    wait_loaded(qtbot, tab)
    names = names_in_table(tab)
    flags = urgent_flags(tab)
    row = names.index("Wren Castillo")
    assert flags[row]
    assert all(flags[: row + 1]), "only urgent inquiries above it"
    tab.table.selectRow(row)
    qtbot.waitUntil(lambda: tab.detail.crisis_panel.isVisible())


def test_signing_in_again_resets_the_unlock_passphrase(
    qtbot: QtBot,
    make_controller: MakeController,
    fresh_site: SiteUnderTest,
    data: DataDir,
) -> None:
    credentials = CredentialStore(backend=MemoryKeyring())
    controller = make_controller(credentials)
    controller.start()
    user, password = fresh_site.auth("intake")
    fill_and_submit(sign_in_dialog(qtbot, controller), fresh_site.url, user, password)
    window = wait_for_window(qtbot, controller)
    wait_until_synced(qtbot, window)
    account = window.session.account
    choose_passphrase(qtbot, window)
    assert SettingsStore(data).load().unlock_hash(account) is not None
    assert PASSPHRASE not in data.settings_file.read_text()

    # Sign out keeping the copy, sign in again: a new passphrase is chosen (the lock page says
    # this is how a forgotten one is reset).
    window.sign_out_action.trigger()
    click(confirm_box(qtbot, controller), "signOutKeepButton")
    dialog = sign_in_dialog(qtbot, controller)
    dialog.password_edit.setText(password)
    dialog.sign_in_button.click()
    window = wait_for_window(qtbot, controller)
    assert SettingsStore(data).load().unlock_hash(account) is None
    tab = window.inquiries_tab
    assert isinstance(tab, InquiriesTab)
    assert tab.is_locked() and tab.stack.currentWidget() is tab.setup_page


def test_signing_out_waits_for_the_post_being_typed_to_be_saved(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest
) -> None:
    controller, window = open_as(qtbot, make_controller, fresh_site, "administrator")
    posts = window.posts_tab
    assert isinstance(posts, PostsTab)
    saved = [True]
    posts.flush = lambda: saved[0]  # type: ignore[method-assign]
    saved[0] = False  # as when the disk is full

    window.sign_out_action.trigger()
    click(confirm_box(qtbot, controller), "signOutKeepButton")
    qtbot.waitUntil(lambda: getattr(window, "unsaved_post_box", None) is not None)
    box = window.unsaved_post_box
    box.findChild(QAbstractButton, "unsavedKeepButton").click()  # type: ignore[union-attr]
    assert controller.window is window and window.isVisible(), "still signed in"
    assert window.session.cache.posts.counts()["all"] == 12, "the copy is still open"

    saved[0] = True
    window.sign_out_action.trigger()
    click(confirm_box(qtbot, controller), "signOutKeepButton")
    sign_in_dialog(qtbot, controller)
    assert controller.window is None


@pytest.mark.usefixtures("without_keyring")
def test_the_headless_sync_flags_crisis_inquiries_and_sends_the_flags(
    tmp_path: Path, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    data = str(tmp_path / "profile")
    user, password = fresh_site.auth("intake")
    passphrase = "a long passphrase for the copy"

    command = headless(data)

    # No keyring in the tests: the password, then the copy's passphrase, come on stdin.
    code, _out, err = command("sign-in", "--site", fresh_site.url, "--user", user, stdin=password)
    assert code == 0, err
    code, out, err = command("sync", stdin=f"{password}\n{passphrase}\n")
    assert code == 0, err
    assert "4 new inquiries flagged urgent (crisis language)." in out
    assert "Sending the urgent flags now:" in out
    assert out.rstrip().endswith("0 changes waiting to sync.")

    with SiteClient(fresh_site.url, None, None, retry=FAST_RETRY, timeouts=FAST_TIMEOUTS) as public:
        remote_id = public.submit_consultation(CRISIS_FORM)  # type: ignore[arg-type]
    code, out, err = command("sync", stdin=f"{password}\n{passphrase}\n")
    assert code == 0, err
    assert "1 new inquiry flagged urgent (crisis language)." in out
    assert "Wren" not in out + err and "ending it" not in out + err
    site = site_view.inquiry(remote_id)
    assert site["meta"]["urgent"] is True
    notes = [(n["kind"], n["content"]) for n in site_view.notes() if n["inquiry"] == remote_id]
    assert sorted(notes) == [("note", CRISIS_NOTE), ("urgent", "on")]
