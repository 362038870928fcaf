"""What each of the main window's tab places holds for the account as it is now.

The Posts place holds the Posts tab for a user who writes posts, else a page saying why not;
the Inquiries place holds the Inquiries tab for a user who triages inquiries on a site with the
plugin, else a page saying why not (not known yet, no such role, no plugin, removed). The window
builds them at start and :mod:`clinicdesk.ui.roles` rebuilds them when the role changes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from clinicdesk.services.syncround import INQUIRIES_REMOVED_MESSAGE
from clinicdesk.session.accounts import Settings
from clinicdesk.site import CAP_MANAGE_INQUIRIES
from clinicdesk.ui.inquiries import InquiriesTab
from clinicdesk.ui.layouts import centred_column
from clinicdesk.ui.posts import POSTS_CAPABILITIES, PostsTab
from clinicdesk.ui.theme import TYPE_TITLE

if TYPE_CHECKING:
    from clinicdesk.ui.main_window import MainWindow

logger = logging.getLogger(__name__)

#: The capability that lets a user write posts (WordPress's own).
CAP_EDIT_POSTS = "edit_posts"

#: What a tab's place shows: the tab itself, or why not ("unknown": an account remembered by an
#: older ClinicDesk; "none": the user's role; "plugin": the site has no ClinicDesk plugin).
PageKind = Literal["tab", "unknown", "none", "plugin"]
#: What the Posts tab was built for: its kind, and the capabilities it looks at.
PostsAccess = tuple[PageKind, frozenset[str]]


class NoticePage(QWidget):
    """A tab's place when it has nothing to show this user: a plain explanation."""

    def __init__(
        self, name: str, accessible: str, title: str, text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        layout = centred_column(self)
        self.title = QLabel(title, self)
        self.title.setObjectName(f"{name}Title")
        self.title.setAccessibleName(self.tr("%1 title").replace("%1", accessible))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * TYPE_TITLE)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.text = QLabel(text, self)
        self.text.setObjectName(f"{name}Text")
        self.text.setAccessibleName(self.tr("%1 explanation").replace("%1", accessible))
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # may name the site
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        layout.addWidget(self.text)


class TabPlaces:
    """Builds what the window's two tab places hold.

    Args:
        window: the main window.
    """

    def __init__(self, window: MainWindow) -> None:
        self._w = window

    def posts_access(self) -> PostsAccess:
        """What the Posts tab's place should show for the account as it is now."""
        account = self._w.session.account
        if not account.user_known:
            return ("unknown", frozenset())
        if not account.can(CAP_EDIT_POSTS):
            return ("none", frozenset())
        return ("tab", account.capabilities & POSTS_CAPABILITIES)

    def inquiries_kind(self) -> PageKind:
        """What the Inquiries tab's place should show for the account as it is now."""
        account = self._w.session.account
        if not account.user_known:
            return "unknown"
        if not account.can(CAP_MANAGE_INQUIRIES):
            return "none"
        return "tab" if account.has_plugin else "plugin"

    def build_posts(self) -> QWidget:
        """What the Posts place holds now: the tab, or a page saying why not."""
        account = self._w.session.account
        kind, _capabilities = self._w.roles.posts_built
        if kind == "unknown":
            return self.unknown_user("postsUnavailable", self._w.tr("Posts"))
        if kind == "none":
            return NoticePage(
                "postsUnavailable",
                self._w.tr("Posts"),
                self._w.tr("No posts for your account"),
                self._w.tr(
                    "Your account on this site does not write blog posts, so ClinicDesk does not "
                    "download them to this computer. Posts are written here by the site's "
                    "editors, authors and contributors; if you should write them, ask the "
                    "site's administrator for that role: this tab follows at the next sync."
                ),
                self._w.tabs,
            )
        tab = PostsTab(self._w.session.cache, account.capabilities, account.user_id, self._w.tabs)
        tab.changesMade.connect(self._w.sync.local_change)
        self._w.posts_tab = tab
        return tab

    def build_inquiries(self, settings: Settings, *, removed: bool = False) -> QWidget:
        """What the Inquiries place holds now: the tab (locked), or a page saying why not."""
        account = self._w.session.account
        kind = self._w.roles.inquiries_built
        if kind == "unknown":
            return self.unknown_user("inquiriesUnavailable", self._w.tr("Inquiries"))
        if kind == "none" and removed:
            return NoticePage(
                "inquiriesUnavailable",
                self._w.tr("Inquiries"),
                self._w.tr("Inquiries removed from this computer"),
                INQUIRIES_REMOVED_MESSAGE,
                self._w.tabs,
            )
        if kind == "none":
            return NoticePage(
                "inquiriesUnavailable",
                self._w.tr("Inquiries"),
                self._w.tr("No inquiries for your account"),
                self._w.tr(
                    "Your account on this site does not handle consultation inquiries, so "
                    "ClinicDesk does not download them to this computer. If you should triage "
                    "them, ask the site's administrator to give you that role: this tab follows "
                    "at the next sync."
                ),
                self._w.tabs,
            )
        if kind == "plugin":
            return NoticePage(
                "inquiriesUnavailable",
                self._w.tr("Inquiries"),
                self._w.tr("The site has no inquiries for ClinicDesk"),
                self._w.tr(
                    "The ClinicDesk plugin is not active on %1, so consultation inquiries "
                    "cannot reach ClinicDesk. Ask the site's administrator to install and "
                    "activate it: ClinicDesk checks for it as it syncs, and this tab follows."
                ).replace("%1", account.site_url),
                self._w.tabs,
            )
        tab = InquiriesTab(
            self._w.session.cache,
            account.user_id,
            account.display_name or account.username,
            self._w.window_settings.inquiry_options(settings),
            clock=self._w.clock,
            notifier=self._w.notify,
            locked=True,
            parent=self._w.tabs,
        )
        tab.changesMade.connect(self._w.sync.local_change)
        tab.unreadCountChanged.connect(self._w.show_unread)
        tab.unlockHashChanged.connect(self._w.save_unlock_hash)
        self._w.inquiries_tab = tab
        return tab

    def unknown_user(self, name: str, accessible: str) -> NoticePage:
        """The page shown while what the account may do is not known yet."""
        return NoticePage(
            name,
            accessible,
            self._w.tr("Waiting for the site"),
            self._w.tr(
                "ClinicDesk does not know yet what your account may do on this site: it asks "
                "at the next sync, and this tab follows. Nothing waiting to be sent is lost."
            ),
            self._w.tabs,
        )
