"""Background sync as the user sees it: the status bar's states, and a UI that never freezes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from clinicdesk.session.credentials import CredentialStore
from clinicdesk.ui.sync_worker import SyncState, SyncStatus
from tests.fixtures.desktop import (
    MakeController,
    fill_and_submit,
    label_text,
    revoke_password,
    sign_in_dialog,
    wait_for_window,
    wait_until_round_ends,
    wait_until_synced,
)
from tests.fixtures.faults import FaultProxy, Rule, break_record
from tests.fixtures.forwarding_proxy import Proxy
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import SiteView


def test_the_status_bar_moves_through_syncing_synced_offline_and_signed_out(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    fresh_site: SiteUnderTest,
    make_proxy: Callable[..., Proxy],
) -> None:
    proxy = make_proxy(fresh_site.url)
    user, password = fresh_site.auth("editor")
    controller = make_controller(memory_credentials)
    controller.start()
    fill_and_submit(sign_in_dialog(qtbot, controller), proxy.url, user, password)
    window = wait_for_window(qtbot, controller)

    seen: list[tuple[SyncState, str, bool]] = []

    def record(status: SyncStatus) -> None:
        seen.append(
            (
                status.state,
                label_text(window, "syncMessage"),
                window.sync_panel.progress.isVisible(),
            )
        )

    window.sync.statusChanged.connect(record)
    record(window.sync.status)
    wait_until_synced(qtbot, window)  # the first round, and the one sending its urgent flags

    # Syncing (with progress), then synced.
    assert seen[0][0] is SyncState.SYNCING
    assert any(text.startswith("Syncing") and progress for _s, text, progress in seen)
    assert window.sync.status.state is SyncState.SYNCED
    assert label_text(window, "connectionStatus") == "Online"
    assert label_text(window, "syncMessage") == "Synced"
    assert label_text(window, "pendingChanges") == "No changes waiting"
    assert label_text(window, "lastSync").startswith("Last synced ")
    assert not window.sync_panel.progress.isVisible()

    # A local edit is counted at once and sent shortly after (debounced).
    window.session.cache.posts.create(title="Written offline")
    window.sync.local_change()
    assert label_text(window, "pendingChanges") == "1 change waiting to sync"
    qtbot.waitUntil(
        lambda: label_text(window, "pendingChanges") == "No changes waiting", timeout=30_000
    )
    assert window.sync.status.state is SyncState.SYNCED

    # The site goes away: F5 finds it unreachable; the app works offline.
    proxy.stop()
    window.session.cache.posts.create(title="Written while offline")
    window.sync.local_change()
    qtbot.keyClick(window, Qt.Key.Key_F5)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: window.sync.status.state is SyncState.OFFLINE, timeout=60_000)
    assert label_text(window, "connectionStatus") == "Offline"
    assert label_text(window, "syncMessage") == "Site unreachable: working offline"
    assert label_text(window, "pendingChanges") == "1 change waiting to sync"
    assert label_text(window, "lastSync").startswith("Last synced "), "the last success stays shown"

    # Back online, but the password was revoked meanwhile: signed out, and it says what to do.
    new_password = revoke_password(fresh_site.handle, user)
    proxy.start()
    button = window.findChild(QToolButton, "syncNowButton")
    assert button is not None
    button.click()
    qtbot.waitUntil(lambda: window.sync.status.state is SyncState.SIGNED_OUT, timeout=30_000)
    assert label_text(window, "connectionStatus") == "Signed out"
    assert label_text(window, "syncMessage") == "Signed out: sign in again"
    assert window.sync_panel.sign_in_again.isVisible()
    assert window.session.pending_changes() == 1, "the change waits on this computer"

    states = [state for state, _t, _p in seen]
    for expected in (SyncState.SYNCING, SyncState.SYNCED, SyncState.OFFLINE, SyncState.SIGNED_OUT):
        assert expected in states

    # "Sign in again" asks for the new password and sync carries on in the same window.
    window.sync_panel.sign_in_again.click()
    dialog = sign_in_dialog(qtbot, controller)
    assert (dialog.site_edit.text(), dialog.user_edit.text()) == (proxy.url, user)
    assert dialog.cancel_button.text() == "Cancel", "cancelling keeps the window open"
    dialog.password_edit.setText(new_password)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: window.sync.status.state is SyncState.SYNCED, timeout=30_000)
    assert controller.window is window
    assert label_text(window, "pendingChanges") == "No changes waiting"
    assert memory_credentials.get_app_password(proxy.url, user) == new_password


def test_the_window_stays_usable_while_the_site_has_not_answered(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
    make_proxy: Callable[..., Proxy],
) -> None:
    """Every request of the sign-in and of the first sync is held at the proxy until the test,
    running on the UI thread, has used the window and lets it through. Were any request made on
    the UI thread, the test could not act until the proxy gave up on it (``held_too_long``).
    How long the UI thread may pause is a benchmark figure (``ui.max_stall``), not asserted here.
    """
    proxy = make_proxy(site.url)
    user, password = site.auth("administrator")
    controller = make_controller(memory_credentials)
    controller.start()
    dialog = sign_in_dialog(qtbot, controller)
    ticks = [0]
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    heartbeat.start()

    def ticking() -> bool:
        # A blocked UI thread would stop the heartbeat and this wait with it (it fails).
        before = ticks[0]
        qtbot.waitUntil(lambda: ticks[0] >= before + 3, timeout=10_000)
        return True

    proxy.hold()
    fill_and_submit(dialog, proxy.url, user, password)
    qtbot.waitUntil(lambda: proxy.held >= 1, timeout=30_000)
    assert dialog.busy.isVisible(), "the dialog shows it is checking"
    assert ticking(), "the dialog is live while the site has not answered"
    while controller.window is None:
        proxy.let_through()
        qtbot.waitUntil(lambda: proxy.held >= 1 or controller.window is not None, timeout=30_000)
    window = wait_for_window(qtbot, controller)

    def round_over() -> bool:
        return not window.sync.running and window.sync.status.state is not SyncState.SYNCING

    waited_in_round = 0
    search = window.posts_tab.search_edit if window.posts_tab is not None else None
    assert search is not None
    while True:
        qtbot.waitUntil(lambda: proxy.held >= 1 or round_over(), timeout=60_000)
        if proxy.held == 0:
            break
        waited_in_round += 1
        assert window.sync.status.state is SyncState.SYNCING
        assert label_text(window, "syncMessage").startswith("Syncing")
        if waited_in_round == 1:  # the user works on while the round waits on the site
            qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
            assert window.tabs.currentWidget() is window.inquiries_page
            qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
            assert window.tabs.currentWidget() is window.posts_page
            search.setFocus()
            qtbot.keyClicks(search, "anxiety")
            assert search.text() == "anxiety"
        assert ticking()
        proxy.let_through()
    proxy.release()
    heartbeat.stop()
    wait_until_round_ends(qtbot, window)

    assert window.sync.status.state is SyncState.SYNCED
    assert waited_in_round >= 5, "the round's requests each waited on the site"
    assert proxy.held_too_long == 0, "a request waited until the proxy gave up: the UI blocked"


def test_closing_with_changes_waiting_says_they_are_safe(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
) -> None:
    finished: list[int] = []
    controller = make_controller(memory_credentials)
    controller.finished.connect(finished.append)
    controller.start()
    user, password = site.auth("administrator")
    fill_and_submit(sign_in_dialog(qtbot, controller), site.url, user, password)
    window = wait_for_window(qtbot, controller)
    wait_until_synced(qtbot, window)
    window.session.cache.posts.create(title="Unsent")  # not sent: no round runs before closing

    window.close()
    box = window.close_box
    assert isinstance(box, QMessageBox)
    qtbot.waitExposed(box)
    assert "1 change has not been sent to the site yet" in box.text()
    assert "saved safely on this computer" in box.text()
    assert "next time" in box.text()
    stay = box.findChild(QPushButton, "closeStayButton")
    assert stay is not None
    with qtbot.waitSignal(box.finished):
        stay.click()
    assert window.isVisible() and finished == []

    window.close()
    box = window.close_box
    close = box.findChild(QPushButton, "closeAnywayButton")
    assert close is not None
    close.click()
    qtbot.waitUntil(lambda: finished == [0], timeout=5_000)
    assert not window.isVisible()


@pytest.mark.demosite_only(reason="rewrites the site's answers (WordPress may send them chunked)")
def test_a_record_that_cannot_be_read_is_named_in_the_status_bar_and_the_rest_syncs(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    fresh_site: SiteUnderTest,
) -> None:
    view = SiteView(fresh_site)
    broken = view.make_post("Arrives broken")
    with FaultProxy(fresh_site.url) as proxy:
        proxy.add(
            Rule(
                "rewrite",
                method="GET",
                path=r"/wp/v2/posts$",
                times=None,
                answer=break_record(broken["id"], "title.raw", "Broken \udc00 title"),
            )
        )
        user, password = fresh_site.auth("editor")
        controller = make_controller(memory_credentials)
        controller.start()
        fill_and_submit(sign_in_dialog(qtbot, controller), proxy.url, user, password)
        window = wait_for_window(qtbot, controller)
        wait_until_synced(qtbot, window)

        # Synced (the inbox and the other posts are here), and the one post is named.
        message = label_text(window, "syncMessage")
        assert message.startswith(
            f"Synced. 1 post could not be read (id {broken['id']}): its field “title.raw”"
        ), message
        assert window.session.cache.inquiries.page("open").items
        window.close()
