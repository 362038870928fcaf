"""At a first sign-in the inbox fills in as inquiries arrive, before the post catalogue."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from clinicdesk.session.credentials import CredentialStore
from tests.fixtures.desktop import (
    MakeController,
    fill_and_submit,
    sign_in_dialog,
    wait_for_window,
    wait_until_synced,
)
from tests.fixtures.faults import FaultProxy, Rule, Seen
from tests.fixtures.site import SiteUnderTest

PASSPHRASE = "a long enough unlock phrase"


def _gate(path: str, event: threading.Event) -> Rule:
    """Requests for a listing wait (as on a slow site) until ``event`` is set."""

    def wait(seen: Seen) -> None:
        event.wait(timeout=60)

    return Rule("rewrite", method="GET", path=path, times=None, before=wait)


def test_the_inbox_fills_in_before_the_posts_are_downloaded(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    fresh_site: SiteUnderTest,
) -> None:
    inquiries_may_go, posts_may_go = threading.Event(), threading.Event()
    with FaultProxy(fresh_site.url) as proxy:
        proxy.add(_gate(r"/wp/v2/inquiries$", inquiries_may_go))
        proxy.add(_gate(r"/wp/v2/posts$", posts_may_go))
        user, password = fresh_site.auth("administrator")
        controller = make_controller(memory_credentials)
        controller.start()
        fill_and_submit(sign_in_dialog(qtbot, controller), proxy.url, user, password)
        window = wait_for_window(qtbot, controller)
        tab = window.inquiries_tab
        assert tab is not None
        try:
            # The user opens the Inquiries tab at once and chooses the unlock passphrase,
            # while the site has not sent a single inquiry yet.
            window.show_tab(1)
            tab.setup_page.passphrase_edit.setText(PASSPHRASE)
            tab.setup_page.confirm_edit.setText(PASSPHRASE)
            tab.setup_page.choose_button.click()
            assert not tab.is_locked()
            assert tab.model.rowCount() == 0
            inquiries_may_go.set()
            # The round is still running (the posts wait), and the inbox shows its rows.
            qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=30_000)
            assert window.sync.running
            assert window.session.cache.posts.counts()["all"] == 0
        finally:
            inquiries_may_go.set()
            posts_may_go.set()
        wait_until_synced(qtbot, window)
        assert window.session.cache.posts.counts()["all"] > 0
