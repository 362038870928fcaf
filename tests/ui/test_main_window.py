"""The main window and its dialogs, on an offline copy (no site needed)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from clinicdesk import __version__
from clinicdesk.store import CacheKey, new_cache_key, open_account_cache
from clinicdesk.ui.core.accounts import Account, DataDir, SettingsStore
from clinicdesk.ui.core.logs import LogSetup
from clinicdesk.ui.core.session import AccountSession
from clinicdesk.ui.crash import CrashHandler
from clinicdesk.ui.dialogs.messages import sign_out_box
from clinicdesk.ui.dialogs.passphrase import PassphraseDialog
from clinicdesk.ui.dialogs.signin import SignInDialog
from clinicdesk.ui.main_window import AppInfo, MainWindow
from clinicdesk.ui.sync_worker import SyncController
from clinicdesk.ui.theme import apply_theme
from clinicdesk.ui.window_state import restore_window_state, save_window_state

W = TypeVar("W", bound=QWidget)

ACCOUNT = Account(
    "https://clinic.example", "renata", "<b>Renata</b> Díaz", "Sunrise <i>Therapy</i>"
)


@pytest.fixture
def session(data: DataDir) -> Iterator[AccountSession]:
    paths = data.account_paths(ACCOUNT)
    cache = open_account_cache(paths, CacheKey.from_bytes(new_cache_key()))
    SettingsStore(data).update(lambda s: s.remember(ACCOUNT))
    session = AccountSession(ACCOUNT, "not-used", cache, password_saved=True)
    yield session
    session.close()


def make_window(qtbot: QtBot, session: AccountSession, data: DataDir, logs: LogSetup) -> MainWindow:
    sync = SyncController(session, interval_minutes=10)  # never started: no site here
    window = MainWindow(
        session, sync, SettingsStore(data), AppInfo(data.root, logs.log_file, "Test Keyring")
    )
    sync.setParent(window)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(
    qtbot: QtBot, session: AccountSession, data: DataDir, logs: LogSetup
) -> Iterator[MainWindow]:
    window = make_window(qtbot, session, data, logs)
    yield window
    window.sync.shutdown()
    window.close_without_asking()


def test_tabs_title_and_site_text_shown_as_plain_text(window: MainWindow) -> None:
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert tabs is not None
    assert [tabs.tabText(i).replace("&", "") for i in range(tabs.count())] == [
        "Posts",
        "Inquiries",
    ]
    assert window.windowTitle() == "ClinicDesk — Sunrise <i>Therapy</i>"
    who = window.findChild(QLabel, "accountStatus")
    assert who is not None
    assert who.text() == "<b>Renata</b> Díaz on https://clinic.example"
    for label in window.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    # An empty offline copy says so, without pretending there is anything.
    assert window.posts_tab.summary.text() == "No posts in the offline copy yet"
    assert window.inquiries_tab.summary.text() == "No inquiries in the offline copy yet"


def test_tabs_count_what_the_offline_copy_holds(window: MainWindow) -> None:
    for title in ("One", "Two", "Three"):
        window.session.cache.posts.create(title=title)
    window.refresh_counts()
    assert window.posts_tab.summary.text() == "3 posts in the offline copy"
    assert window.posts_tab.detail.text().startswith("3 drafts")


_CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabWidget,
    QProgressBar,
)


def child(root: QWidget, kind: type[W], name: str) -> W:
    """The child widget of that type and objectName (the test fails if there is none)."""
    found = root.findChild(kind, name)
    assert isinstance(found, kind), name
    return found


def _controls(root: QWidget) -> list[QWidget]:
    """Controls the user reaches, leaving out the parts Qt builds inside its own widgets."""
    found: list[QWidget] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, _CONTROLS):
            continue
        chain: list[QWidget] = [widget]
        parent = widget.parentWidget()
        while parent is not None and parent is not root:
            chain.append(parent)
            parent = parent.parentWidget()
        if any(w.objectName().startswith("qt_") for w in chain):
            continue  # Qt's internals: tab scroll arrows, a spin box's line edit, message box parts
        if isinstance(widget.parentWidget(), (QAbstractSpinBox, QAbstractItemView, QLineEdit)):
            continue  # a spin box's arrows, a table's corner button, a line edit's clear button
        found.append(widget)
    return found


def test_every_control_has_an_object_name_and_an_accessible_name(
    qtbot: QtBot, window: MainWindow
) -> None:
    roots: list[QWidget] = [window]
    roots.append(window.open_settings())
    roots.append(window.open_shortcuts())
    sign_in = SignInDialog(site="https://clinic.example", username="renata")
    passphrase = PassphraseDialog(new=True, reason="No keyring.", site="https://clinic.example")
    box, _delete, _keep = sign_out_box(window, site="https://clinic.example", pending=2)
    for widget in (sign_in, passphrase):
        qtbot.addWidget(widget)
    roots += [sign_in, passphrase, box]
    checked = 0
    for root in roots:
        for control in _controls(root):
            checked += 1
            where = f"{type(control).__name__} in {root.objectName()}"
            assert control.objectName(), where
            assert control.accessibleName(), f"{control.objectName()} ({where})"
    assert checked >= 25
    box.close()


def test_settings_dialog_saves_interval_and_clinic_states(
    qtbot: QtBot, window: MainWindow, data: DataDir
) -> None:
    dialog = window.open_settings()
    qtbot.waitExposed(dialog)
    assert dialog.clinic_states() == ["TX"], "Texas by default"
    assert "Texas" in child(dialog, QLabel, "chosenStates").text()
    dialog.interval_spin.setValue(3)
    dialog.set_state_checked("TX", False)
    dialog.set_state_checked("NM", True)
    dialog.set_state_checked("CA", True)
    child(dialog, QAbstractButton, "settingsOkButton").click()

    saved = SettingsStore(data).load()
    assert saved.sync_interval_minutes == 3
    assert saved.clinic_states == ["CA", "NM"]
    assert window.sync.interval_ms == 3 * 60_000


def test_cancelling_settings_keeps_them(qtbot: QtBot, window: MainWindow, data: DataDir) -> None:
    dialog = window.open_settings()
    dialog.interval_spin.setValue(99)
    child(dialog, QAbstractButton, "settingsCancelButton").click()
    assert SettingsStore(data).load().sync_interval_minutes == 10


def test_shortcuts_work_and_are_listed(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(  # type: ignore[no-untyped-call]
        window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier
    )
    assert window.tabs.currentIndex() == 1
    qtbot.keyClick(  # type: ignore[no-untyped-call]
        window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier
    )
    assert window.tabs.currentIndex() == 0

    qtbot.keyClick(  # type: ignore[no-untyped-call]
        window, Qt.Key.Key_F1
    )
    dialog = window.shortcuts_dialog
    qtbot.waitExposed(dialog)
    model = dialog.model
    rows = {
        model.index(row, 0).data(): model.index(row, 1).data(Qt.ItemDataRole.UserRole)
        for row in range(model.rowCount())
    }
    assert rows == {
        "Sync now": "F5",
        "Settings": "Ctrl+,",
        "Quit": "Ctrl+Q",
        "Posts": "Ctrl+1",
        "Inquiries": "Ctrl+2",
        "Keyboard shortcuts": "F1",
    }
    dialog.reject()


def test_about_box_shows_version_and_data_folder(
    qtbot: QtBot, window: MainWindow, data: DataDir
) -> None:
    window.about_action.trigger()
    box = window.about_box
    qtbot.waitExposed(box)
    assert f"ClinicDesk {__version__}" in box.text()
    assert str(data.root) in box.text()
    assert str(data.log_file) in box.text()
    child(box, QAbstractButton, "aboutCloseButton").click()


def test_window_geometry_is_remembered(
    qtbot: QtBot, session: AccountSession, data: DataDir, logs: LogSetup
) -> None:
    first = make_window(qtbot, session, data, logs)
    first.resize(712, 433)
    qtbot.waitUntil(lambda: first.size().width() == 712)
    first.close_without_asking()
    first.sync.shutdown()
    second = make_window(qtbot, session, data, logs)
    assert (second.width(), second.height()) == (712, 433)
    second.sync.shutdown()
    second.close_without_asking()


def test_splitter_positions_are_remembered(qtbot: QtBot) -> None:
    def build() -> tuple[QMainWindow, QSplitter]:
        window = QMainWindow()
        window.setObjectName("testWindow")
        splitter = QSplitter(window)
        splitter.setObjectName("listAndDetail")
        splitter.addWidget(QLabel("list"))
        splitter.addWidget(QLabel("detail"))
        window.setCentralWidget(splitter)
        window.resize(600, 300)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window, splitter

    store: dict[str, str] = {}
    window, splitter = build()
    splitter.setSizes([150, 400])
    sizes = splitter.sizes()
    save_window_state(window, store)
    assert "testWindow/splitter/listAndDetail" in store
    _again, restored = build()
    assert restored.sizes() != sizes
    restore_window_state(_again, store)
    assert restored.sizes() == sizes


def test_dark_and_light_follow_the_os(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    hints = QGuiApplication.styleHints()
    apply_theme(app)
    assert app.style().name().lower() == "fusion"
    # The offscreen platform has no desktop theme to switch, so the test plays the desktop:
    # it sends the change notification Qt sends when the OS switches.
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert app.property("clinicdeskDark") is True
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert app.palette().color(QPalette.ColorRole.Text).lightness() > 180
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert app.property("clinicdeskDark") is False
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 180
    finally:
        hints.colorSchemeChanged.emit(hints.colorScheme())


def test_an_unexpected_error_shows_a_friendly_dialog_and_keeps_the_window(
    qtbot: QtBot, window: MainWindow, logs: LogSetup, data: DataDir
) -> None:
    handler = CrashHandler(logs.log_file)
    handler.install()
    logs.redaction.add_secret("hunter2-app-password")
    try:
        try:
            raise RuntimeError("boom near hunter2-app-password and jane@example.org")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        qtbot.waitUntil(lambda: handler.box is not None and handler.box.isVisible())
        box = handler.box
        assert box is not None
        assert str(data.log_file) in box.text()
        assert "Your work is safe" in box.text()
        assert window.isVisible(), "the app keeps running"
        log = data.log_file.read_text()
        assert "RuntimeError" in log and "unexpected error" in log
        assert "hunter2-app-password" not in log
        assert "jane@example.org" not in log
        child(box, QAbstractButton, "crashCloseButton").click()
    finally:
        handler.uninstall()


def test_dialogs_open_without_blocking(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.open_settings()
    # open() returned while the dialog shows: the event loop (and this test) kept running.
    assert isinstance(dialog, QDialog) and dialog.isVisible()
    assert dialog.isModal()
    dialog.reject()
    box, _d, _k = sign_out_box(window, site="x", pending=0)
    box.open()
    assert box.isVisible()
    assert isinstance(box, QMessageBox) and box.textFormat() == Qt.TextFormat.PlainText
    box.close()


def test_the_data_folder_holds_every_file(
    tmp_path: Path, window: MainWindow, data: DataDir
) -> None:
    window.close_without_asking()
    names = {p.relative_to(data.root).parts[0] for p in data.root.rglob("*")}
    assert names <= {"settings.json", "accounts", "logs"}
