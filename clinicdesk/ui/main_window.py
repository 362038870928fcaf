"""The main window: the Posts and Inquiries tabs, the sync toolbar and status bar, the menus.

The tabs' real contents are other issues; until they land each tab says, honestly, what the
offline copy holds. The window never talks to the site: sync runs in :class:`SyncController`,
sign-in and sign-out in the application controller, which listens to this window's signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.store import CacheError
from clinicdesk.ui.core.accounts import Settings, SettingsStore
from clinicdesk.ui.core.session import AccountSession
from clinicdesk.ui.dialogs.messages import about_box, close_box
from clinicdesk.ui.dialogs.settings import SettingsDialog
from clinicdesk.ui.dialogs.shortcuts import ShortcutsDialog
from clinicdesk.ui.status_bar import SyncStatusPanel
from clinicdesk.ui.sync_worker import SyncController, SyncStatus
from clinicdesk.ui.window_state import restore_window_state, save_window_state


@dataclass(frozen=True, slots=True)
class AppInfo:
    """Facts about this run, for the About box and the settings.

    Attributes:
        data_dir: the data folder.
        log_file: the log file, or None.
        keyring: where passwords are kept ("SecretService Keyring"), or why nowhere.
    """

    data_dir: Path
    log_file: Path | None
    keyring: str


class SummaryTab(QWidget):
    """A tab that, until its issue lands, says what the offline copy holds (counts only)."""

    def __init__(self, name: str, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.summary = QLabel(self)
        self.summary.setObjectName(f"{name}Summary")
        self.summary.setAccessibleName(self.tr("%1 summary").replace("%1", accessible))
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.summary.setFont(font)
        layout.addWidget(self.summary)
        self.detail = QLabel(self)
        self.detail.setObjectName(f"{name}Detail")
        self.detail.setAccessibleName(self.tr("%1 details").replace("%1", accessible))
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        layout.addWidget(self.detail)
        layout.addStretch(2)


class MainWindow(QMainWindow):
    """The window clinic staff work in.

    Args:
        session: the open account.
        sync: the sync controller of that account.
        settings: the settings file.
        info: facts for the About box.

    Signals:
        signOutRequested(): the user chose "Sign out…".
        signInAgainRequested(): the site refused the password and the user wants to sign in.
        closed(): the window closed (after any confirmation).
    """

    signOutRequested = Signal()
    signInAgainRequested = Signal()
    closed = Signal()

    def __init__(
        self,
        session: AccountSession,
        sync: SyncController,
        settings: SettingsStore,
        info: AppInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setAccessibleName(self.tr("ClinicDesk"))
        self.session = session
        self.sync = sync
        self._settings = settings
        self._info = info
        self._close_confirmed = False
        account = session.account
        title = self.tr("ClinicDesk — %1").replace("%1", account.site_name or account.site_url)
        if session.demo:
            title = self.tr("%1 (demo)").replace("%1", title)
        self.setWindowTitle(title)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setAccessibleName(self.tr("Sections"))
        self.posts_tab = SummaryTab("postsTab", self.tr("Posts"), self.tabs)
        self.inquiries_tab = SummaryTab("inquiriesTab", self.tr("Inquiries"), self.tabs)
        self.tabs.addTab(self.posts_tab, self.tr("&Posts"))
        self.tabs.addTab(self.inquiries_tab, self.tr("&Inquiries"))
        self.setCentralWidget(self.tabs)

        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()

        sync.statusChanged.connect(self._show_sync_status)
        sync.roundFinished.connect(lambda _result: self.refresh_counts())
        self._show_sync_status(sync.status)
        self.refresh_counts()
        self.resize(1100, 720)
        restore_window_state(self, settings.load().window_state)

    # -- building ---------------------------------------------------------------------------

    def _action(
        self, name: str, text: str, keys: str | None, slot: Callable[[], object]
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.setToolTip(text.replace("&", "").rstrip("…"))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work whichever widget has the focus
        return action

    def _build_actions(self) -> None:
        self.sync_action = self._action(
            "syncNowAction", self.tr("&Sync now"), "F5", self.sync.sync_now
        )
        self.settings_action = self._action(
            "settingsAction", self.tr("S&ettings…"), "Ctrl+,", self.open_settings
        )
        self.sign_out_action = self._action(
            "signOutAction", self.tr("Sign &out…"), None, self.signOutRequested.emit
        )
        self.quit_action = self._action("quitAction", self.tr("&Quit"), "Ctrl+Q", self.close)
        self.posts_action = self._action(
            "showPostsAction", self.tr("&Posts"), "Ctrl+1", lambda: self.tabs.setCurrentIndex(0)
        )
        self.inquiries_action = self._action(
            "showInquiriesAction",
            self.tr("&Inquiries"),
            "Ctrl+2",
            lambda: self.tabs.setCurrentIndex(1),
        )
        self.shortcuts_action = self._action(
            "shortcutsAction", self.tr("&Keyboard shortcuts"), "F1", self.open_shortcuts
        )
        self.about_action = self._action(
            "aboutAction", self.tr("&About ClinicDesk"), None, self.open_about
        )

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        bar.setAccessibleName(self.tr("Menu bar"))
        for name, title, actions in (
            (
                "fileMenu",
                self.tr("&File"),
                [
                    self.sync_action,
                    self.settings_action,
                    self.sign_out_action,
                    None,
                    self.quit_action,
                ],
            ),
            ("viewMenu", self.tr("&View"), [self.posts_action, self.inquiries_action]),
            ("helpMenu", self.tr("&Help"), [self.shortcuts_action, self.about_action]),
        ):
            menu = bar.addMenu(title)
            menu.setObjectName(name)
            menu.setAccessibleName(title.replace("&", ""))
            for action in actions:
                if action is None:
                    menu.addSeparator()
                else:
                    menu.addAction(action)

        toolbar = QToolBar(self.tr("Main toolbar"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setAccessibleName(self.tr("Main toolbar"))
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.sync_action)
        toolbar.addAction(self.settings_action)
        for action, name in (
            (self.sync_action, "syncNowButton"),
            (self.settings_action, "settingsButton"),
        ):
            button = toolbar.widgetForAction(action)
            button.setObjectName(name)
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        self.addToolBar(toolbar)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("statusBar")
        status.setAccessibleName(self.tr("Status bar"))
        account = self.session.account
        who = QLabel(
            self.tr("%1 on %2")
            .replace("%1", account.display_name or account.username)
            .replace("%2", account.site_url),
            status,
        )
        who.setObjectName("accountStatus")
        who.setAccessibleName(self.tr("Signed-in account"))
        who.setTextFormat(Qt.TextFormat.PlainText)  # the name comes from the site
        status.addWidget(who)
        self.keyring_notice = QLabel(status)
        self.keyring_notice.setObjectName("keyringNotice")
        self.keyring_notice.setAccessibleName(self.tr("Password storage"))
        self.keyring_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.update_keyring_notice()
        status.addWidget(self.keyring_notice)
        self.sync_panel = SyncStatusPanel(status)
        self.sync_panel.signInRequested.connect(self.signInAgainRequested)
        status.addPermanentWidget(self.sync_panel, 1)

    # -- behaviour --------------------------------------------------------------------------

    def update_keyring_notice(self) -> None:
        """Say when the password is not remembered (no or locked keyring)."""
        session = self.session
        if session.password_saved or session.demo:
            self.keyring_notice.hide()
            return
        self.keyring_notice.setText(
            self.tr("Password not saved (keyring unavailable): asked at each start")
        )
        self.keyring_notice.setToolTip(session.keyring_problem or "")
        self.keyring_notice.show()

    def _show_sync_status(self, status: SyncStatus) -> None:
        self.sync_panel.show_status(status)

    def refresh_counts(self) -> None:
        """Re-read how many posts and inquiries the offline copy holds."""
        try:
            posts = self.session.cache.posts.counts()
            inquiries = self.session.cache.inquiries.counts()
        except CacheError as error:
            self.posts_tab.summary.setText(self.tr("The offline copy could not be read."))
            self.posts_tab.detail.setText(error.message)
            return
        self.posts_tab.summary.setText(_count(self, posts.get("all", 0), "post"))
        by_status = [
            (posts.get("publish", 0), self.tr("%1 published")),
            (posts.get("future", 0), self.tr("%1 scheduled")),
            (posts.get("pending", 0), self.tr("%1 pending review")),
            (posts.get("draft", 0), self.tr("%1 drafts")),
            (posts.get("private", 0), self.tr("%1 private")),
            (posts.get("trash", 0), self.tr("%1 in the trash")),
        ]
        parts = [text.replace("%1", str(n)) for n, text in by_status if n]
        self.posts_tab.detail.setText(
            (", ".join(parts) + "\n" if parts else "")
            + self.tr("Writing and editing posts comes in a later version of ClinicDesk.")
        )
        self.inquiries_tab.summary.setText(_count(self, inquiries.get("all", 0), "inquiry"))
        self.inquiries_tab.detail.setText(
            self.tr(
                "%1 open, %2 unread, %3 urgent.\n"
                "The inquiry inbox comes in a later version of ClinicDesk."
            )
            .replace("%1", str(inquiries.get("open", 0)))
            .replace("%2", str(inquiries.get("unread", 0)))
            .replace("%3", str(inquiries.get("urgent", 0)))
        )

    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog (non-blocking); saved when the user clicks OK."""
        session = self.session
        place = (
            self._info.keyring
            if session.password_saved
            else self.tr("nowhere: %1 You are asked for it at each start.").replace(
                "%1", session.keyring_problem or ""
            )
        )
        if session.demo:
            place = self.tr("memory only (demo)")
        dialog = SettingsDialog(self._settings.load(), session.account, place, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_settings(dialog))
        dialog.signOutRequested.connect(self.signOutRequested)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _save_settings(self, dialog: SettingsDialog) -> None:
        minutes, states = dialog.interval_minutes(), dialog.clinic_states()

        def change(settings: Settings) -> None:
            settings.sync_interval_minutes = minutes
            settings.clinic_states = states

        self._settings.update(change)
        self.sync.set_interval(minutes)

    def open_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.actions(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog = dialog
        dialog.open()
        return dialog

    def open_about(self) -> None:
        box = about_box(
            self,
            data_dir=self._info.data_dir,
            log_file=self._info.log_file,
            keyring=self._info.keyring,
        )
        self.about_box = box
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        pending = self.sync.status.pending
        try:
            pending = self.session.pending_changes()
        except CacheError:
            pass
        if pending and not self._close_confirmed:
            event.ignore()
            box, close_button = close_box(self, pending=pending)
            self.close_box = box

            def finished() -> None:
                if box.clickedButton() is close_button:
                    self._close_confirmed = True
                    self.close()

            box.finished.connect(finished)
            box.open()
            return
        self._settings.update(lambda s: save_window_state(self, s.window_state))
        event.accept()
        self.closed.emit()

    def close_without_asking(self) -> None:
        """Close (sign-out: the user has just confirmed what happens to waiting changes)."""
        self._close_confirmed = True
        self.close()


def _count(owner: QWidget, n: int, kind: str) -> str:
    if kind == "post":
        if n == 0:
            return owner.tr("No posts in the offline copy yet")
        if n == 1:
            return owner.tr("1 post in the offline copy")
        return owner.tr("%1 posts in the offline copy").replace("%1", str(n))
    if n == 0:
        return owner.tr("No inquiries in the offline copy yet")
    if n == 1:
        return owner.tr("1 inquiry in the offline copy")
    return owner.tr("%1 inquiries in the offline copy").replace("%1", str(n))
