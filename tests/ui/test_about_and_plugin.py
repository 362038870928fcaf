"""The app's own icon, the About box's facts, and the warning about an old website plugin."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from clinicdesk.about import REQUIRED_PLUGIN_VERSION, app_version
from clinicdesk.services.syncround import RoundResult
from clinicdesk.session.accounts import Account, DataDir, SettingsStore
from clinicdesk.session.current import AccountSession
from clinicdesk.session.logs import LogSetup
from clinicdesk.site import CAP_MANAGE_INQUIRIES
from clinicdesk.store import CacheKey, new_cache_key, open_account_cache
from clinicdesk.sync.report import SyncReport, UserAccess
from clinicdesk.ui.icon import app_icon
from clinicdesk.ui.main_window import AppInfo, MainWindow
from clinicdesk.ui.sync_worker import SyncController

CAPABILITIES = frozenset({"read", "edit_posts", CAP_MANAGE_INQUIRIES})
#: The icon's tile colour (resources/icons/clinicdesk.svg).
TEAL = QColor("#2f7d7a")

OpenWindow = Callable[[Account], MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot, data: DataDir, logs: LogSetup) -> Iterator[OpenWindow]:
    sessions: list[AccountSession] = []

    def open_window(account: Account) -> MainWindow:
        cache = open_account_cache(
            data.account_paths(account), CacheKey.from_bytes(new_cache_key())
        )
        SettingsStore(data).update(lambda s: s.remember(account))
        session = AccountSession(account, "not-used", cache, password_saved=True)
        sessions.append(session)
        sync = SyncController(session, interval_minutes=10)  # never started: no site here
        info = AppInfo(data.root, logs.log_file, "Test Keyring")
        window = MainWindow(session, sync, SettingsStore(data), info)
        sync.setParent(window)
        qtbot.addWidget(window, before_close_func=lambda _w: window.close_now())
        window.show()
        qtbot.waitExposed(window)
        return window

    yield open_window
    for session in sessions:
        session.close()


def account(plugin_version: str) -> Account:
    return Account(
        "https://clinic.example",
        "renata",
        "Renata",
        "Sunrise Therapy",
        user_id=1,
        capabilities=CAPABILITIES,
        has_plugin=True,
        plugin_version=plugin_version,
    )


def warning_label(window: MainWindow) -> QLabel:
    label = window.findChild(QLabel, "pluginWarning")
    assert label is not None
    return label


def test_the_window_and_the_application_carry_the_clinicdesk_icon(
    open_window: OpenWindow,
) -> None:
    window = open_window(account(REQUIRED_PLUGIN_VERSION))
    for icon in (window.windowIcon(), app_icon()):
        assert not icon.isNull()
        image = icon.pixmap(64, 64).toImage()
        assert image.width() == 64
        # The left edge of the tile, beside the speech bubble: the icon's teal.
        assert image.pixelColor(6, 32).name() == TEAL.name()


def test_about_box_names_version_licence_and_the_plugin_it_needs(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window(account("1.4.2"))
    window.about_action.trigger()
    box = window.about_box
    qtbot.waitExposed(box)
    text = box.text()
    assert f"ClinicDesk {app_version()}" in text
    assert "Licence: Proprietary" in text
    assert f"Needs the ClinicDesk Inquiries plugin {REQUIRED_PLUGIN_VERSION} or newer" in text
    assert "The website has version 1.4.2." in text
    assert not box.iconPixmap().isNull()
    assert box.iconPixmap().toImage().pixelColor(6, 32).name() == TEAL.name()
    closer = box.findChild(QAbstractButton, "aboutCloseButton")
    assert closer is not None
    closer.click()


def test_an_older_plugin_is_named_in_a_warning_that_stops_nothing(
    open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clinicdesk.about.REQUIRED_PLUGIN_VERSION", "1.2.0")
    window = open_window(account("1.1.0"))
    label = warning_label(window)
    assert label.isVisible()
    assert "version 1.1.0" in label.text() and "needs 1.2.0 or newer" in label.text()
    assert "update the plugin" in label.text()
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert tabs is not None and tabs.isEnabled()
    assert window.inquiries_tab is not None, "the inquiries are still there"


def test_the_warning_follows_what_a_sync_round_saw(
    qtbot: QtBot, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clinicdesk.about.REQUIRED_PLUGIN_VERSION", "1.2.0")
    window = open_window(account("1.2.0"))
    label = warning_label(window)
    assert not label.isVisible()

    def round_saw(version: str) -> None:
        access = UserAccess(1, CAPABILITIES, True, version)
        window.sync.roundFinished.emit(RoundResult(SyncReport("ok", access=access)))

    round_saw("1.0.0")  # the site's plugin was replaced by an older copy
    qtbot.waitUntil(label.isVisible)
    assert "version 1.0.0" in label.text()
    assert window.session.account.plugin_version == "1.0.0"
    round_saw("1.3.0")  # and updated
    qtbot.waitUntil(lambda: not label.isVisible())
