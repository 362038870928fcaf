"""What the app remembers across a restart, per account, and where it starts (issue 16, item 5):
"Last synced" (with the date when it was not today), the last tab, the inbox view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from clinicdesk.credentials import CredentialStore
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.status_bar import SyncStatusPanel
from clinicdesk.ui.sync_worker import SyncState, SyncStatus
from tests.fixtures.desktop import (
    MakeController,
    fill_and_submit,
    sign_in_dialog,
    wait_for_window,
    wait_until_round_ends,
    wait_until_synced,
)
from tests.fixtures.faults import FaultProxy
from tests.fixtures.site import SiteUnderTest


def _label(window: MainWindow, name: str) -> str:
    widget = window.findChild(QLabel, name)
    assert widget is not None, name
    return widget.text()


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
        shown = _label(window, "lastSync")
        first.shutdown()
    # The proxy is gone: the site cannot be reached from this start.
    again = make_controller(memory_credentials)
    again.start()
    window = wait_for_window(qtbot, again)
    assert window.sync.status.last_success is not None
    assert abs(window.sync.status.last_success - synced) < timedelta(seconds=5)
    assert _label(window, "lastSync") == shown
    wait_until_round_ends(qtbot, window)
    assert window.sync.status.state is SyncState.OFFLINE
    assert _label(window, "lastSync") == shown, "an offline round keeps it"


def test_last_synced_shows_the_date_when_not_today(qtbot: QtBot) -> None:
    panel = SyncStatusPanel()
    qtbot.addWidget(panel)
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    panel.show_status(SyncStatus(SyncState.OFFLINE, last_success=two_days_ago))
    local = QDateTime.fromSecsSinceEpoch(int(two_days_ago.timestamp())).toLocalTime()
    day = QLocale.system().toString(local.date(), QLocale.FormatType.ShortFormat)
    assert panel.last_sync.text().startswith("Last synced ")
    assert day in panel.last_sync.text()
