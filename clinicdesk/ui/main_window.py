"""The main window: the Posts and Inquiries tabs, the sync toolbar and status bar, the menus.

The window builds the two tabs from what the site said about the user (kept with the account,
refreshed at sign-in and by every sync round): the Posts tab for users who can write posts, the
Inquiries tab for users who handle inquiries on a site with the ClinicDesk plugin; anyone else
reads a plain explanation in the tab's place. It wires them to the shell: their local changes
schedule a sync (:meth:`SyncController.local_change`), each finished round makes them re-read
the cache, and before the cache closes what is being typed is saved and both tabs stop reading
it.

When a round brings a changed answer (a role changed on the site), the window keeps it with the
account in the settings and rebuilds, in place, only the tab it changes: the Posts tab once what
is being typed is saved, the Inquiries tab at once. When the sync bridge removed the cached
inquiries (the user may no longer handle them), the Inquiries tab says so, and so does a
notification.

The window never talks to the site: sync runs in :class:`SyncController`, sign-in and sign-out
in the application controller, which listens to this window's signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.about import plugin_warning
from clinicdesk.services.syncround import RoundResult
from clinicdesk.session.accounts import SettingsStore
from clinicdesk.session.current import AccountSession
from clinicdesk.ui.closing import CloseFlow
from clinicdesk.ui.dialogs.messages import about_box
from clinicdesk.ui.dialogs.settings import SettingsDialog
from clinicdesk.ui.dialogs.shortcuts import Section, ShortcutsDialog
from clinicdesk.ui.icon import app_icon, fit_icons, give_icon
from clinicdesk.ui.inquiries import InquiriesTab
from clinicdesk.ui.notifications import Notifications
from clinicdesk.ui.plaintext import plain
from clinicdesk.ui.posts import PostsTab
from clinicdesk.ui.roles import RoleFollower
from clinicdesk.ui.status_bar import SyncStatusPanel
from clinicdesk.ui.sync_worker import SyncController, SyncStatus
from clinicdesk.ui.tab_places import CAP_EDIT_POSTS as CAP_EDIT_POSTS
from clinicdesk.ui.tab_places import NoticePage as NoticePage
from clinicdesk.ui.tab_places import TabPlaces
from clinicdesk.ui.window_settings import WindowSettings
from clinicdesk.ui.window_state import restore_window_state, save_window_state

logger = logging.getLogger(__name__)

#: The least time between two reads of the inbox while a round stores pages of inquiries.
_INBOX_FILL_MS = 300


def _utcnow() -> datetime:
    return datetime.now(UTC)


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


class MainWindow(QMainWindow):
    """The window clinic staff work in.

    Args:
        session: the open account.
        sync: the sync controller of that account.
        settings: the settings file.
        info: facts for the About box.
        parent: the parent widget.
        clock: the current time for the Inquiries tab, aware UTC (tests pass a fixed one).

    Attributes:
        posts_tab: the Posts tab, or None when this user has no posts to see.
        inquiries_tab: the Inquiries tab, or None when this user has no inquiries to see.
        posts_page: what the first tab shows (the Posts tab or an explanation).
        inquiries_page: what the second tab shows.
        last_notification: the last (title, message) notified, or None (counts only).

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
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setAccessibleName(self.tr("ClinicDesk"))
        self.session = session
        self.sync = sync
        self.settings = settings
        self._info = info
        self.clock = clock
        #: The open "could not be saved" and "changes waiting" questions (tests answer them).
        self.unsaved_post_box: QMessageBox | None = None
        self.close_box: QMessageBox | None = None
        self.roles = RoleFollower(self)
        self.closing = CloseFlow(self)
        #: The settings dialog, and the settings applied to sync and the tabs.
        self.window_settings = WindowSettings(self, info.keyring)
        loaded = settings.load()
        self.window_settings.follow_clinic_zone(loaded)
        self.places = TabPlaces(self)
        self.last_notification: tuple[str, str] | None = None
        account = session.account
        title = self.tr("ClinicDesk — %1").replace("%1", account.site_name or account.site_url)
        if session.demo and "(demo)" not in title:  # the demo site's name may say so already
            title = self.tr("%1 (demo)").replace("%1", title)
        self.setWindowTitle(title)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setAccessibleName(self.tr("Sections"))
        self.posts_tab: PostsTab | None = None
        self.inquiries_tab: InquiriesTab | None = None
        self.roles.posts_built = self.places.posts_access()
        self.roles.inquiries_built = self.places.inquiries_kind()
        self.posts_page = self.places.build_posts()
        self.inquiries_page = self.places.build_inquiries(loaded)
        self.tabs.addTab(self.posts_page, self.tr("&Posts"))
        self.tabs.addTab(self.inquiries_page, self.tr("&Inquiries"))
        self.plugin_warning = self._build_plugin_warning()
        central = QWidget(self)
        central.setObjectName("mainArea")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plugin_warning)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.setWindowIcon(app_icon())

        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()

        # While a round stores pages of inquiries (a first sign-in's inbox comes newest first),
        # the inbox is read again at most every _INBOX_FILL_MS: it fills in as pages arrive.
        self._inbox_fill = QTimer(self)
        self._inbox_fill.setSingleShot(True)
        self._inbox_fill.setInterval(_INBOX_FILL_MS)
        self._inbox_fill.timeout.connect(self._inbox_fill_due)
        self._inbox_fill_pending = False
        sync.statusChanged.connect(self._show_sync_status)
        sync.roundFinished.connect(self._round_finished)
        self._show_sync_status(sync.status)
        self.resize(1100, 720)
        self._restore_layout(loaded.window_state)

    # -- what is remembered per account ---------------------------------------------------------

    def remember_layout(self, store: MutableMapping[str, str]) -> None:
        """Write into ``store`` (the settings' window state) what this account finds again at
        the next start: geometry, splitters, column widths, the open tab, the inbox's view and
        selection. Never an inquiry's field: the view is one of the fixed names, the selection
        the offline copy's row number."""
        scope = self.session.account.id
        save_window_state(self, store, scope)
        if self.inquiries_tab is not None:
            store[f"{scope}/inbox/view"] = self.inquiries_tab.model.query.view
            # The offline copy's row number of the open inquiry: no field of it.
            shown = self.inquiries_tab.shown_inquiry()
            store[f"{scope}/inbox/selected"] = "" if shown is None else str(shown)

    def _restore_layout(self, store: MutableMapping[str, str]) -> None:
        scope = self.session.account.id
        restore_window_state(self, store, scope)
        view = store.get(f"{scope}/inbox/view")
        tab = self.inquiries_tab
        if tab is not None:
            for item in tab.views_model.items:
                if item.view == view:
                    tab.select_view(item.view)
            selected = store.get(f"{scope}/inbox/selected", "")
            if selected.isdigit():
                tab.restore_selection(int(selected))
        if self.roles.posts_built[0] != "tab" and self.roles.inquiries_built == "tab":
            # Someone who can only see inquiries (intake) starts where their work is.
            self.tabs.setCurrentWidget(self.inquiries_page)

    # -- the tabs ---------------------------------------------------------------------------

    def _build_plugin_warning(self) -> QLabel:
        """A line above the tabs when the site's plugin is older than this app needs (hidden
        otherwise): a warning, not a stop; everything else goes on working."""
        label = QLabel(self)
        label.setObjectName("pluginWarning")
        label.setAccessibleName(self.tr("Website plugin warning"))
        label.setTextFormat(Qt.TextFormat.PlainText)  # holds the version the site sent
        label.setWordWrap(True)
        label.setContentsMargins(12, 8, 12, 8)
        label.setStyleSheet("QLabel#pluginWarning { background: #fff4ce; color: #3b2f00; }")
        self._update_plugin_warning(label)
        return label

    def _update_plugin_warning(self, label: QLabel | None = None) -> None:
        label = label or self.plugin_warning
        account = self.session.account
        warning = plugin_warning(account.plugin_version) if account.has_plugin else None
        label.setText(warning or "")
        label.setVisible(bool(warning))

    def _round_finished(self, result: RoundResult) -> None:
        """A round ended: what the site said about the user is kept and the tabs follow it;
        the tabs read the cache again (what the site changed is in it), each on its own worker
        thread."""
        if self.closing.tabs_stopped:
            return
        # The round's own read below replaces any read of the inbox still due while it ran.
        self._inbox_fill.stop()
        self._inbox_fill_pending = False
        self.roles.keep_access(result)
        self.window_settings.follow_clinic_zone()
        # "Last synced" was written before the round told the clinic's zone: again, in it.
        self._show_sync_status(self.sync.status)
        self._update_plugin_warning()
        self.roles.follow_access(removed=result.inquiries_removed > 0)
        if self.posts_tab is not None:
            self.posts_tab.refresh()
        if self.inquiries_tab is not None:
            self.inquiries_tab.refresh()

    # -- a role changed on the site ---------------------------------------------------------

    def show_unread(self, unread: int) -> None:
        index = self.tabs.indexOf(self.inquiries_page)
        text = (
            # Says what it counts: the New view counts those not contacted yet, another number.
            self.tr("&Inquiries (%1 unread)").replace("%1", str(unread))
            if unread
            else self.tr("&Inquiries")
        )
        self.tabs.setTabText(index, text)

    def save_unlock_hash(self, stored: str) -> None:
        # Only the salted hash is kept, never the passphrase (clinicdesk.domain.lock).
        account = self.session.account
        self.settings.update(lambda s: s.set_unlock_hash(account, stored))

    def show_tab(self, index: int) -> None:
        """Show a tab and put the keyboard in it (Ctrl+1, Ctrl+2); already in it, the keyboard
        stays where it is (in the middle of a sentence, say)."""
        focus = QApplication.focusWidget()
        page = self.tabs.widget(index)
        if page is None or (
            index == self.tabs.currentIndex() and focus is not None and page.isAncestorOf(focus)
        ):
            return
        self.tabs.setCurrentIndex(index)
        if page is self.posts_tab and self.posts_tab is not None:
            self.posts_tab.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif page is self.inquiries_tab and self.inquiries_tab is not None:
            tab = self.inquiries_tab
            if not tab.is_locked():
                tab.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            elif tab.stack.currentWidget() is tab.lock_page:
                tab.lock_page.passphrase_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            else:
                tab.setup_page.focus_first()

    def notify(self, title: str, message: str) -> None:
        """Tell the user something happened (counts only: the Inquiries tab's new arrivals).

        A system tray message when the desktop has a tray, else the status bar.
        """
        self.last_notification = (title, message)
        self.notifications.show(title, message)

    def quiet_down(self) -> None:
        """Stop reading the inbox as pages arrive and take the tray icon away (closing)."""
        self._inbox_fill.stop()
        self.notifications.hide_tray()

    # -- building ---------------------------------------------------------------------------

    def _action(
        self, name: str, text: str, keys: str | None, slot: Callable[[], object]
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.setToolTip(text.replace("&", "").rstrip("…"))
        give_icon(action)
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
            "showPostsAction", self.tr("&Posts"), "Ctrl+1", lambda: self.show_tab(0)
        )
        self.inquiries_action = self._action(
            "showInquiriesAction", self.tr("&Inquiries"), "Ctrl+2", lambda: self.show_tab(1)
        )
        self.shortcuts_action = self._action(
            "shortcutsAction", self.tr("&Keyboard shortcuts"), "F1", self.open_shortcuts
        )
        self.about_action = self._action(
            "aboutAction", self.tr("&About ClinicDesk"), None, self.open_about
        )
        self.lock_action: QAction | None = None
        self.website_action: QAction | None = None
        if self.session.demo:
            # The demo's whole loop: send a request on the clinic's website, see it arrive.
            self.website_action = self._action(
                "openWebsiteAction",
                self.tr("Open the clinic's &website"),
                None,
                self.open_website,
            )

    def website_url(self) -> str:
        """The page of the clinic's website that holds the consultation form (the reference
        site's /consultation/ in the demo)."""
        return self.session.account.site_url.rstrip("/") + "/consultation/"

    def open_website(self) -> None:
        """Open the consultation form in the system's web browser."""
        QDesktopServices.openUrl(QUrl(self.website_url()))

    def adopt_lock_action(self) -> None:
        """Put the Inquiries tab's lock action in the View menu (or take the old one out)."""
        if self.lock_action is not None:
            self.view_menu.removeAction(self.lock_action)
            self.lock_action = None
        if self.inquiries_tab is not None:
            # The tab's own action, in the menu; Ctrl+L locks from anywhere in the window (from
            # the Posts tab too), so stepping away is one keystroke wherever one is.
            lock = self.inquiries_tab.lock_action
            lock.setText(self.tr("&Lock inquiries"))
            lock.setIconText(self.tr("Lock"))  # the tab's toolbar keeps its short label
            lock.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.view_menu.addAction(lock)
            self.lock_action = lock
        self._lock_separator.setVisible(self.lock_action is not None)

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        bar.setAccessibleName(self.tr("Menu bar"))
        view: list[QAction | None] = [self.posts_action, self.inquiries_action]
        menus: dict[str, QMenu] = {}
        for name, title, actions in (
            (
                "fileMenu",
                self.tr("&File"),
                [
                    self.sync_action,
                    self.settings_action,
                    *([self.website_action] if self.website_action is not None else []),
                    self.sign_out_action,
                    None,
                    self.quit_action,
                ],
            ),
            ("viewMenu", self.tr("&View"), view),
            ("helpMenu", self.tr("&Help"), [self.shortcuts_action, self.about_action]),
        ):
            menu = bar.addMenu(title)
            menu.setObjectName(name)
            menu.setAccessibleName(title.replace("&", ""))
            menus[name] = menu
            for action in actions:
                if action is None:
                    menu.addSeparator()
                else:
                    menu.addAction(action)
        self.view_menu = menus["viewMenu"]
        self._lock_separator = self.view_menu.addSeparator()
        self.adopt_lock_action()

        toolbar = QToolBar(self.tr("Main toolbar"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setAccessibleName(self.tr("Main toolbar"))
        toolbar.setMovable(False)
        fit_icons(toolbar)
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
        self.notifications = Notifications(self, status)
        self.notice_label = self.notifications.label
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
        self.keyring_notice.setToolTip(plain(session.keyring_problem))
        self.keyring_notice.show()

    def _show_sync_status(self, status: SyncStatus) -> None:
        self.sync_panel.show_status(status)
        step = status.progress
        if step is not None and step.phase == "inquiries":
            self._fill_inbox()

    def _fill_inbox(self) -> None:
        """A page of inquiries was stored: show it now, or when the last read is old enough."""
        if self._inbox_fill.isActive():
            self._inbox_fill_pending = True
            return
        if not self.closing.tabs_stopped and self.inquiries_tab is not None:
            self.inquiries_tab.refresh(announce=False)
        self._inbox_fill_pending = False
        self._inbox_fill.start()

    def _inbox_fill_due(self) -> None:
        if self._inbox_fill_pending:
            self._fill_inbox()

    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog (non-blocking); saved when the user clicks OK."""
        return self.window_settings.open_dialog()

    def apply_settings(self) -> None:
        """Use the settings file as it is now (after the settings dialog saved it)."""
        self.window_settings.apply()

    def change_passphrase(self) -> None:
        """Show the Inquiries tab choosing a new unlock passphrase (it asks the current one)."""
        tab = self.inquiries_tab
        if tab is None or tab.is_locked():
            return
        self.tabs.setCurrentWidget(tab)
        tab.change_passphrase()

    def shortcut_sections(self) -> list[Section]:
        """Every shortcut of the window and its tabs, by where it works."""
        window = [*self.actions(), *([self.lock_action] if self.lock_action else [])]
        sections: list[Section] = [(self.tr("Anywhere"), window)]
        if self.posts_tab is not None:
            tab = self.posts_tab
            sections += [
                (self.tr("Posts tab"), tab.actions()),
                (self.tr("Post list"), tab.table.actions()),
                (self.tr("Post text"), tab.editor.toolbar.actions()),
            ]
        if self.inquiries_tab is not None:
            sections += [
                (self.tr("Inquiry list"), self.inquiries_tab.table.actions()),
                (self.tr("Inquiries tab"), self.inquiries_tab.actions()),
            ]
        return sections

    def open_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.shortcut_sections(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog = dialog
        dialog.open()
        return dialog

    def open_about(self) -> None:
        box = about_box(
            self,
            plugin_version=self.session.account.plugin_version
            if self.session.account.has_plugin
            else "",
            data_dir=self._info.data_dir,
            log_file=self._info.log_file,
            keyring=self._info.keyring,
        )
        self.about_box = box
        box.open()

    # -- closing (see clinicdesk.ui.closing) ---------------------------------------------------

    def flush_edits(self) -> bool:
        """Save what is being typed in the Posts tab now.

        Returns:
            False when it could not be saved (it is still on screen): the cache must not close.
        """
        return self.closing.flush_edits()

    def stop_tabs(self) -> None:
        """Stop the tabs' background work before the cache closes (idempotent)."""
        self.closing.stop_tabs()

    def unsaved_box(self, *, on_discard: Callable[[], None]) -> QMessageBox:
        """Say that the post being written could not be saved, so nothing closes (quit, sign-out).

        Args:
            on_discard: called when the user chooses to go on without it.
        """
        return self.closing.unsaved_box(on_discard=on_discard)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save first, ask about waiting changes, then close (see :class:`CloseFlow`)."""
        self.closing.on_close(event)

    def close_without_asking(self) -> None:
        """Close without the "changes waiting" question (sign-out: the user has just confirmed
        what happens to waiting changes; Ctrl+C in the terminal). What is being typed is still
        saved first: if that fails, the window stays and says so."""
        self.closing.close_without_asking()

    def close_now(self) -> None:
        """Close whatever happens: the cache is about to close. What is being typed is saved if
        it can be (the callers asked the user first when it could not)."""
        self.closing.close_now()
