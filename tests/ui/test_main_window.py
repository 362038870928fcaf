"""The main window, its tabs and its dialogs, on an offline copy (no site needed)."""

from __future__ import annotations

import dataclasses
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
    QFrame,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QSystemTrayIcon,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from clinicdesk import __version__
from clinicdesk.model import records
from clinicdesk.services.arrivals import flag_new_arrivals
from clinicdesk.services.syncround import RoundResult
from clinicdesk.session.accounts import MAX_IDLE_LOCK_MINUTES, Account, DataDir, SettingsStore
from clinicdesk.session.current import AccountSession
from clinicdesk.session.logs import LogSetup
from clinicdesk.site import CAP_MANAGE_INQUIRIES
from clinicdesk.store import CacheKey, new_cache_key, open_account_cache
from clinicdesk.sync.report import SyncReport
from clinicdesk.ui.crash import CrashHandler
from clinicdesk.ui.dialogs.messages import sign_out_box
from clinicdesk.ui.dialogs.passphrase import PassphraseDialog
from clinicdesk.ui.dialogs.signin import SignInDialog
from clinicdesk.ui.inquiries import InquiriesTab
from clinicdesk.ui.inquiries.models import COLUMN_INDEX
from clinicdesk.ui.main_window import AppInfo, MainWindow, NoticePage
from clinicdesk.ui.posts import PostsTab
from clinicdesk.ui.sync_worker import SyncController
from clinicdesk.ui.theme import apply_theme
from clinicdesk.ui.window_state import restore_window_state, save_window_state
from tests.fixtures.inquiries_tab import FAST_HASH, PASSPHRASE, wait_loaded
from tests.fixtures.inquiries_tab import seed as seed_inquiries
from tests.fixtures.posts_tab import ADMIN
from tests.fixtures.posts_tab import seed as seed_posts
from tests.fixtures.richtext_scan import rich_surfaces
from tests.fixtures.store import site_post

W = TypeVar("W", bound=QWidget)

#: What the site said at sign-in about an administrator of a site with the plugin.
ADMIN_CAPABILITIES = ADMIN | {CAP_MANAGE_INQUIRIES}
ACCOUNT = Account(
    "https://clinic.example",
    "renata",
    "<b>Renata</b> Díaz",
    "Sunrise <i>Therapy</i>",
    user_id=1,
    capabilities=ADMIN_CAPABILITIES,
    has_plugin=True,
)


def open_session(data: DataDir, account: Account) -> AccountSession:
    paths = data.account_paths(account)
    cache = open_account_cache(paths, CacheKey.from_bytes(new_cache_key()))
    SettingsStore(data).update(lambda s: s.remember(account))
    return AccountSession(account, "not-used", cache, password_saved=True)


@pytest.fixture
def session(data: DataDir) -> Iterator[AccountSession]:
    session = open_session(data, ACCOUNT)
    yield session
    session.close()


def make_window(qtbot: QtBot, session: AccountSession, data: DataDir, logs: LogSetup) -> MainWindow:
    sync = SyncController(session, interval_minutes=10)  # never started: no site here
    window = MainWindow(
        session, sync, SettingsStore(data), AppInfo(data.root, logs.log_file, "Test Keyring")
    )
    sync.setParent(window)
    # Closed (tabs stopped) before the session's cache closes: fixtures close after the test.
    qtbot.addWidget(window, before_close_func=lambda _w: window.close_now())
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
    window.close_now()


def finish_round(window: MainWindow) -> None:
    """What the sync controller tells the window when a round succeeded."""
    window.sync.roundFinished.emit(RoundResult(SyncReport("ok")))


def posts_tab(window: MainWindow) -> PostsTab:
    tab = window.posts_tab
    assert isinstance(tab, PostsTab)
    return tab


def inquiries_tab(window: MainWindow) -> InquiriesTab:
    tab = window.inquiries_tab
    assert isinstance(tab, InquiriesTab)
    return tab


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
        if label.buddy() is not None:
            continue  # a field's caption ("&Passphrase:"): our own words, with a mnemonic
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    # The real tabs, on an empty offline copy.
    assert tabs.widget(0) is posts_tab(window)
    assert posts_tab(window).count_label.text() == "0 posts"
    inquiries = inquiries_tab(window)
    assert tabs.widget(1) is inquiries
    # No passphrase chosen yet: the tab asks for one before it shows any inquiry.
    assert inquiries.is_locked()
    assert inquiries.stack.currentWidget() is inquiries.setup_page


def test_the_posts_tab_shows_what_each_round_brought(qtbot: QtBot, window: MainWindow) -> None:
    tab = posts_tab(window)
    for title in ("One", "Two", "Three"):
        window.session.cache.posts.create(title=title)  # as a sync round would store them
    assert tab.count_label.text() == "0 posts", "nothing re-read before the round ends"
    with qtbot.waitSignal(tab.loaded):  # read off the UI thread, then shown
        finish_round(window)
    assert tab.count_label.text() == "3 posts"
    assert tab.status_filter.itemText(0) == "All (3)"


@pytest.mark.parametrize(
    ("who", "posts", "inquiries"),
    [
        (
            "intake",
            "does not write blog posts",
            None,
        ),
        (
            "contributor",
            None,
            "does not handle consultation inquiries",
        ),
        ("no plugin", None, "plugin is not active"),
        ("remembered by an older version", "asks at the next sync", "asks at the next sync"),
    ],
)
def test_a_tab_the_user_cannot_use_says_why_in_plain_words(
    qtbot: QtBot,
    data: DataDir,
    logs: LogSetup,
    who: str,
    posts: str | None,
    inquiries: str | None,
) -> None:
    capabilities = {
        "intake": frozenset({"read", CAP_MANAGE_INQUIRIES}),
        "contributor": frozenset({"read", "edit_posts", "delete_posts"}),
        "no plugin": ADMIN_CAPABILITIES,
        "remembered by an older version": frozenset(),
    }[who]
    account = Account(
        "https://clinic.example",
        who.replace(" ", "-"),
        "Someone",
        "Sunrise Therapy",
        user_id=0 if who.startswith("remembered") else 7,
        capabilities=capabilities,
        has_plugin=who != "no plugin",
    )
    session = open_session(data, account)
    try:
        window = make_window(qtbot, session, data, logs)
        for page, expected, real in (
            (window.posts_page, posts, PostsTab),
            (window.inquiries_page, inquiries, InquiriesTab),
        ):
            if expected is None:
                assert isinstance(page, real)
                continue
            assert isinstance(page, NoticePage)
            assert expected in page.text.text()
            assert page.text.textFormat() == Qt.TextFormat.PlainText
        assert (window.posts_tab is None) == (posts is not None)
        assert (window.inquiries_tab is None) == (inquiries is not None)
        assert (window.lock_action is None) == (inquiries is not None)
        window.close_now()
    finally:
        session.close()


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


def test_inquiry_settings_are_saved_and_reach_the_open_tab(
    qtbot: QtBot, window: MainWindow, data: DataDir
) -> None:
    cache = window.session.cache
    seed_inquiries(cache)  # as a first sync stores them (site ids 1..42)
    assert flag_new_arrivals(cache, range(1, 43)) == 4
    SettingsStore(data).update(lambda s: s.set_unlock_hash(ACCOUNT, FAST_HASH))
    tab = inquiries_tab(window)
    window.apply_settings()

    dialog = window.open_settings()
    assert dialog.protocol_edit.toPlainText().startswith("1. Call the person now")
    assert dialog.response_spin.value() == 8
    assert dialog.idle_spin.value() == 10
    dialog.protocol_edit.setPlainText("Call Dr. Alvarez on 555-0100 first, then 988.")
    dialog.response_spin.setValue(4)
    # The idle lock has a maximum (the clinic's policy): there is no "Never".
    dialog.idle_spin.setValue(0)
    assert dialog.idle_spin.value() == 1 and "Never" not in dialog.idle_spin.text()
    dialog.idle_spin.setValue(10_000)
    assert dialog.idle_spin.value() == MAX_IDLE_LOCK_MINUTES == 60
    dialog.idle_spin.setValue(15)
    child(dialog, QAbstractButton, "settingsOkButton").click()

    saved = SettingsStore(data).load()
    assert saved.crisis_protocol == "Call Dr. Alvarez on 555-0100 first, then 988."
    assert (saved.response_target_hours, saved.idle_lock_minutes) == (4.0, 15)
    assert saved.unlock_hash(ACCOUNT) == FAST_HASH, "the passphrase is kept"

    # The open tab uses them at once: the protocol shows with an urgent inquiry.
    window.show_tab(1)
    tab.lock_page.passphrase_edit.setText(PASSPHRASE)
    tab.lock_page.unlock_button.click()
    assert not tab.is_locked()
    wait_loaded(qtbot, tab)
    tab.table.selectRow(0)  # urgent inquiries are pinned at the top
    qtbot.waitUntil(lambda: tab.detail.crisis_panel.isVisible())
    assert tab.detail.protocol_label.text() == saved.crisis_protocol
    assert tab.idle.active and tab.idle._timer.interval() == 15 * 60_000, "15 minutes idle"

    # Back to ClinicDesk's own protocol: stored as "" (a later version's wording applies).
    dialog = window.open_settings()
    dialog.protocol_default_button.click()
    child(dialog, QAbstractButton, "settingsOkButton").click()
    assert SettingsStore(data).load().crisis_protocol == ""
    qtbot.waitUntil(lambda: tab.detail.protocol_label.text().startswith("1. Call the person"))


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
    tab = inquiries_tab(window)
    assert tab.setup_page.passphrase_edit.hasFocus(), "the keyboard goes into the tab"
    qtbot.keyClick(  # type: ignore[no-untyped-call]
        window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier
    )
    assert window.tabs.currentIndex() == 0
    assert posts_tab(window).table.hasFocus()
    title = posts_tab(window).editor.title_edit
    title.setFocus()
    qtbot.keyClick(  # type: ignore[no-untyped-call]
        title, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier
    )
    assert title.hasFocus(), "already there: the keyboard stays where it was"

    qtbot.keyClick(  # type: ignore[no-untyped-call]
        window, Qt.Key.Key_F1
    )
    dialog = window.shortcuts_dialog
    qtbot.waitExposed(dialog)
    model = dialog.model
    rows = {
        (model.index(row, 2).data(), model.index(row, 0).data()): model.index(row, 1).data(
            Qt.ItemDataRole.UserRole
        )
        for row in range(model.rowCount())
    }
    anywhere = {action: keys for (where, action), keys in rows.items() if where == "Anywhere"}
    assert anywhere == {
        "Sync now": "F5",
        "Settings": "Ctrl+,",
        "Quit": "Ctrl+Q",
        "Posts": "Ctrl+1",
        "Inquiries": "Ctrl+2",
        "Keyboard shortcuts": "F1",
        "Lock inquiries": "Ctrl+L",
    }
    keys = {where: set() for where, _action in rows}
    for (where, _action), key in rows.items():
        keys[where].add(key)
    assert {"Ctrl+N", "Ctrl+F", "Ctrl+S", "Ctrl+Shift+P"} <= keys["Posts tab"]
    assert keys["Post list"] == {"Del"}
    assert {"Ctrl+B", "Ctrl+I", "Ctrl+K"} <= keys["Post text"]
    assert keys["Inquiry list"] == {"J", "K", "C", "A", "N", "U", "!", "S", "E"}
    assert {"Ctrl+Z", "Ctrl+F"} <= keys["Inquiries tab"]
    assert "Ctrl+L" not in keys["Inquiries tab"], "listed once, where it works"
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
    # As narrow as the tabs allow (the offscreen screen is only 800 pixels wide: a wider
    # window would be fitted to it when restored).
    first.resize(first.minimumSizeHint().width(), 433)
    qtbot.waitUntil(lambda: first.size().height() == 433)
    # The width the window really took (its layout may hold it a little wider than the hint).
    width = first.width()
    first.close_without_asking()
    first.sync.shutdown()
    second = make_window(qtbot, session, data, logs)
    assert (second.width(), second.height()) == (width, 433)
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


def test_text_in_a_styled_panel_follows_a_switch_to_dark(qtbot: QtBot) -> None:
    # The Inquiries tab's crisis panel has a style sheet of its own: Qt leaves the labels in it
    # with the old palette when the application's changes, unless their style is applied again.
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    hints = QGuiApplication.styleHints()
    apply_theme(app)
    panel = QFrame()
    panel.setObjectName("testPanel")
    panel.setStyleSheet("QFrame#testPanel { border: 2px solid #c62828; }")
    label = QLabel("This person may be in crisis", panel)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert label.palette().color(QPalette.ColorRole.WindowText).lightness() > 180
    finally:
        hints.colorSchemeChanged.emit(hints.colorScheme())
    assert label.palette().color(QPalette.ColorRole.WindowText).lightness() < 80


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


# -- the tabs in the window ---------------------------------------------------------------------


def unlocked(qtbot: QtBot, window: MainWindow, data: DataDir) -> InquiriesTab:
    """The Inquiries tab of a seeded copy, shown and unlocked with the test passphrase."""
    seed_inquiries(window.session.cache)
    SettingsStore(data).update(lambda s: s.set_unlock_hash(ACCOUNT, FAST_HASH))
    tab = inquiries_tab(window)
    window.apply_settings()
    finish_round(window)
    window.show_tab(1)
    tab.lock_page.passphrase_edit.setText(PASSPHRASE)
    tab.lock_page.unlock_button.click()
    assert not tab.is_locked()
    wait_loaded(qtbot, tab)
    return tab


def test_the_inquiries_tab_title_counts_unread_inquiries(
    qtbot: QtBot, window: MainWindow, data: DataDir
) -> None:
    assert window.tabs.tabText(1) == "&Inquiries", "no count while there is none"
    tab = unlocked(qtbot, window, data)
    unread = window.session.cache.inquiries.triage_counts(user_id=ACCOUNT.user_id)["unread"]
    assert unread > 1
    # The title says what it counts: the New view's badge counts another thing (not contacted).
    qtbot.waitUntil(lambda: window.tabs.tabText(1) == f"&Inquiries ({unread} unread)")
    row = next(
        n for n in range(tab.model.rowCount()) if tab.model.index(n, COLUMN_INDEX["unread"]).data()
    )
    tab.table.selectRow(row)  # opening it marks it read
    qtbot.waitUntil(lambda: window.tabs.tabText(1) == f"&Inquiries ({unread - 1} unread)")
    # Explicit "Mark unread" and "Mark read", each offered when it applies.
    detail = tab.detail
    qtbot.waitUntil(lambda: detail.unread_button.isEnabled())
    assert not detail.read_button.isEnabled()
    assert detail.unread_button.text().replace("&", "") == "Mark unread"
    detail.unread_button.click()
    qtbot.waitUntil(lambda: window.tabs.tabText(1) == f"&Inquiries ({unread} unread)")
    qtbot.waitUntil(lambda: detail.read_button.isEnabled())
    assert detail.read_button.text().replace("&", "") == "Mark read"
    detail.read_button.click()
    qtbot.waitUntil(lambda: window.tabs.tabText(1) == f"&Inquiries ({unread - 1} unread)")
    qtbot.waitUntil(lambda: not detail.read_button.isEnabled())


def test_ctrl_l_locks_the_inquiries_from_anywhere_in_the_window(
    qtbot: QtBot, window: MainWindow, data: DataDir
) -> None:
    tab = unlocked(qtbot, window, data)
    assert tab.model.rowCount() == 42
    view = child(window, QMenu, "viewMenu")
    assert window.lock_action in view.actions(), "in the menu, with its shortcut"
    assert window.lock_action is not None
    assert window.lock_action.shortcut().toString() == "Ctrl+L"

    window.show_tab(0)  # stepping away from the Posts tab
    assert posts_tab(window).table.hasFocus()
    qtbot.keyClick(  # type: ignore[no-untyped-call]
        posts_tab(window).table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
    )
    assert tab.is_locked()
    assert tab.model.rowCount() == 0, "no inquiry is left in the model"
    window.show_tab(1)
    assert tab.stack.currentWidget() is tab.lock_page
    assert tab.lock_page.passphrase_edit.hasFocus(), "Ctrl+2 goes to the passphrase"


def test_the_unlock_passphrase_is_kept_as_a_hash_per_account(
    qtbot: QtBot, window: MainWindow, data: DataDir
) -> None:
    tab = inquiries_tab(window)
    window.show_tab(1)
    passphrase = "kingfisher over the creek"
    page = tab.setup_page
    page.passphrase_edit.setText(passphrase)
    page.confirm_edit.setText(passphrase)
    page.choose_button.click()
    assert not tab.is_locked()
    stored = SettingsStore(data).load().unlock_hash(ACCOUNT)
    assert stored is not None and stored.startswith("scrypt$")
    assert passphrase not in data.settings_file.read_text()
    other = Account("https://clinic.example", "someone-else")
    assert SettingsStore(data).load().unlock_hash(other) is None, "per account"

    # Settings > Change unlock passphrase…: the tab asks the current one, then a new one.
    dialog = window.open_settings()
    assert dialog.passphrase_button.isEnabled()
    dialog.passphrase_button.click()
    assert not dialog.isVisible()
    assert window.tabs.currentWidget() is tab
    assert tab.stack.currentWidget() is page
    assert page.current_edit.isVisible()
    page.current_edit.setText(passphrase)
    page.passphrase_edit.setText("heron at the pond 2")
    page.confirm_edit.setText("heron at the pond 2")
    page.choose_button.click()
    assert not tab.is_locked()
    assert SettingsStore(data).load().unlock_hash(ACCOUNT) not in (None, stored)

    tab.lock()
    dialog = window.open_settings()
    assert not dialog.passphrase_button.isEnabled(), "only while unlocked"
    assert "Unlock the Inquiries tab first" in dialog.passphrase_note.text()
    dialog.reject()


def test_quitting_saves_the_post_being_typed_first(qtbot: QtBot, window: MainWindow) -> None:
    tab = posts_tab(window)
    tab.new_post()
    qtbot.keyClicks(tab.editor.title_edit, "Typed just before quitting")
    assert tab.editor.has_unsaved_changes(), "the autosave has not run yet"
    window.quit_action.trigger()
    # Saved before anything else: the "changes waiting" question counts it.
    qtbot.waitUntil(lambda: getattr(window, "close_box", None) is not None)
    assert "1 change has not been sent" in window.close_box.text()
    titles = [p.title for p in window.session.cache.posts.search("Typed just before quitting")]
    assert titles == ["Typed just before quitting"]
    child(window.close_box, QAbstractButton, "closeAnywayButton").click()
    assert not window.isVisible()


def test_a_post_that_cannot_be_saved_keeps_the_window_open(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = posts_tab(window)
    tab.new_post()
    qtbot.keyClicks(tab.editor.title_edit, "Disk full")
    monkeypatch.setattr(tab, "flush", lambda: False)  # as when the disk is full
    window.quit_action.trigger()
    qtbot.waitUntil(lambda: getattr(window, "unsaved_post_box", None) is not None)
    box = window.unsaved_post_box
    assert "could not be saved" in box.text()
    child(box, QAbstractButton, "unsavedKeepButton").click()
    assert window.isVisible(), "nothing was closed"
    assert tab.editor.title_edit.text() == "Disk full", "the text is still there"


def test_notifications_without_a_system_tray_go_to_the_status_bar(window: MainWindow) -> None:
    window.notify("ClinicDesk", "1 new inquiry — 1 urgent")
    label = child(window, QLabel, "notificationStatus")
    assert label.isVisible() and label.text() == "1 new inquiry — 1 urgent"
    assert child(window, QLabel, "accountStatus").isVisible(), "who is signed in stays"


# The offscreen platform, told it has a tray, says it has no tray window and cannot raise one.
@pytest.mark.qt_log_ignore("systemTrayWindowChanged", "This plugin does not support raise")
def test_notifications_go_to_the_system_tray_and_clicking_brings_the_window_back(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The offscreen platform has no tray: the desktop's answers are given here, and the
    # message the tray would pop up is recorded instead of shown.
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "supportsMessages", staticmethod(lambda: True))
    monkeypatch.setattr(
        QSystemTrayIcon,
        "showMessage",
        lambda _tray, title, text, *_rest: shown.append((title, text)),
    )
    window.notify("ClinicDesk", "2 new inquiries — 1 urgent")
    window.notify("ClinicDesk", "1 new inquiry")
    trays = window.findChildren(QSystemTrayIcon)
    assert [tray.objectName() for tray in trays] == ["notificationTray"], "one icon, reused"
    assert shown == [("ClinicDesk", "2 new inquiries — 1 urgent"), ("ClinicDesk", "1 new inquiry")]
    assert not child(window, QLabel, "notificationStatus").isVisible()
    assert not trays[0].icon().isNull() and trays[0].toolTip() == "ClinicDesk"

    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    trays[0].activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    qtbot.waitUntil(lambda: not window.isMinimized() and window.isVisible())


def test_closing_names_published_posts_whose_edits_wait_for_update(
    qtbot: QtBot, window: MainWindow
) -> None:
    ids = seed_posts(window.session.cache)
    title = "Mental Health(care) is for Everyone"
    window.session.cache.posts.edit(ids[title], excerpt="A shorter excerpt, not published yet.")
    window.quit_action.trigger()
    qtbot.waitUntil(lambda: getattr(window, "close_box", None) is not None)
    text = window.close_box.text()
    assert f"• {title}" in text
    assert "click Update" in text
    assert "not been sent" not in text, "it is not sent at the next sync: it waits for Update"
    child(window.close_box, QAbstractButton, "closeStayButton").click()
    assert window.isVisible()


def test_the_demo_says_demo_once_and_that_quitting_throws_everything_away(
    qtbot: QtBot, data: DataDir, logs: LogSetup
) -> None:
    demo_account = dataclasses.replace(ACCOUNT, site_name="Hill Country Counseling (demo)")
    session = dataclasses.replace(open_session(data, demo_account), demo=True)
    try:
        window = make_window(qtbot, session, data, logs)
        assert window.windowTitle().count("(demo)") == 1, window.windowTitle()
        tab = posts_tab(window)
        tab.new_post()
        qtbot.keyClicks(tab.editor.title_edit, "A demo post")
        window.quit_action.trigger()
        qtbot.waitUntil(lambda: getattr(window, "close_box", None) is not None)
        text = " ".join(window.close_box.text().split())
        assert "thrown away" in text
        assert "next time ClinicDesk syncs" not in text
        child(window.close_box, QAbstractButton, "closeAnywayButton").click()
        window.sync.shutdown()
        window.close_now()
    finally:
        session.close()


def test_no_surface_of_the_window_reads_site_text_as_html(qtbot: QtBot, window: MainWindow) -> None:
    # The account's name and site name (both from the site) hold markup; so does a post's
    # title and its author: every tooltip, label and cell of the window and the settings shows
    # them as typed.
    hostile = '<img src="file://host/share/x.png">'
    cache = window.session.cache
    cache.catalog.replace_users([records.User(1, hostile, "admin")])
    post = dataclasses.replace(site_post(7, title=hostile), author=1)
    cache.posts.upsert_from_site([post])
    tab = posts_tab(window)
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.refresh()
    local = cache.posts.local_id(7)
    assert local is not None and tab.select_post(local)
    dialog = window.open_settings()
    found = rich_surfaces([window, dialog])
    assert found == [], "\n".join(found)
    dialog.reject()
