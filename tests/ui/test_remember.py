"""What the app remembers across a restart, per account, and where it starts (issue 16, item 5):
"Last synced" (with the date when it was not today), the last tab, the inbox view."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from clinicdesk.credentials import CredentialStore
from clinicdesk.ui.inquiries.models import COLUMN_INDEX
from clinicdesk.ui.sync_worker import SyncState
from tests.fixtures.desktop import (
    PASSPHRASE,
    MakeController,
    choose_passphrase,
    fill_and_submit,
    label_text,
    open_as,
    sign_in_dialog,
    wait_for_window,
    wait_until_round_ends,
    wait_until_synced,
)
from tests.fixtures.faults import FaultProxy
from tests.fixtures.inquiries_tab import wait_loaded
from tests.fixtures.site import SiteUnderTest


def test_last_synced_survives_a_restart(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
) -> None:
    """Started again without the site (offline), the status bar still tells how old the
    offline copy is, not "Not synced yet"."""
    user, password = site.auth("editor")
    with FaultProxy(site.url) as proxy:
        first = make_controller(memory_credentials)
        first.start()
        fill_and_submit(sign_in_dialog(qtbot, first), proxy.url, user, password)
        window = wait_for_window(qtbot, first)
        wait_until_synced(qtbot, window)
        synced = window.sync.status.last_success
        assert synced is not None
        shown = label_text(window, "lastSync")
        first.shutdown()
    # The proxy is gone: the site cannot be reached from this start.
    again = make_controller(memory_credentials)
    again.start()
    window = wait_for_window(qtbot, again)
    assert window.sync.status.last_success is not None
    assert abs(window.sync.status.last_success - synced) < timedelta(seconds=5)
    assert label_text(window, "lastSync") == shown
    wait_until_round_ends(qtbot, window)
    assert window.sync.status.state is SyncState.OFFLINE
    assert label_text(window, "lastSync") == shown, "an offline round keeps it"


def test_tab_view_selection_column_widths_and_splitter_come_back_after_a_restart(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
) -> None:
    user, password = site.auth("administrator")
    first = make_controller(memory_credentials)
    first.start()
    fill_and_submit(sign_in_dialog(qtbot, first), site.url, user, password)
    window = wait_for_window(qtbot, first)
    wait_until_round_ends(qtbot, window)
    tab = choose_passphrase(qtbot, window)  # shows the Inquiries tab
    # Within the test screen (offscreen: 800x600), so the geometry comes back as it was.
    window.resize(780, 560)
    qtbot.waitUntil(lambda: window.width() == 780)
    tab.select_view("waiting")
    wait_loaded(qtbot, tab)
    assert tab.model.rowCount() > 1
    tab.table.selectRow(1)
    qtbot.waitUntil(lambda: tab.shown_inquiry() is not None)
    chosen = tab.shown_inquiry()
    reason = COLUMN_INDEX["reason"]
    width = tab.table.columnWidth(reason) + 37
    tab.table.setColumnWidth(reason, width)
    sizes = tab.splitter.sizes()
    sizes = [sizes[0] + 40, sizes[1] - 40, *sizes[2:]]
    tab.splitter.setSizes(sizes)
    sizes = tab.splitter.sizes()
    first.shutdown()

    again = make_controller(memory_credentials)
    again.start()
    window = wait_for_window(qtbot, again)
    tab = window.inquiries_tab
    assert tab is not None
    assert window.tabs.currentWidget() is window.inquiries_page, "the tab left open"
    assert tab.model.query.view == "waiting", "the inbox view left open"
    assert tab.table.columnWidth(reason) == width
    tab.lock_page.passphrase_edit.setText(PASSPHRASE)
    tab.lock_page.unlock_button.click()
    assert not tab.is_locked()
    qtbot.waitUntil(lambda: tab.splitter.sizes() == sizes)
    qtbot.waitUntil(lambda: tab.shown_inquiry() == chosen)  # the inquiry left open
    assert tab.table.currentIndex().row() == 1


def test_someone_who_only_sees_inquiries_starts_on_inquiries(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest
) -> None:
    _controller, window = open_as(qtbot, make_controller, fresh_site, "intake")
    assert window.tabs.currentWidget() is window.inquiries_page
