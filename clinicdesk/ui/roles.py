"""The main window follows the user's role: what the site says about the account after each round.

When a round brings a new role (or capabilities, or the website's service area), the account
kept in the settings follows, and each tab whose place no longer fits is rebuilt in place (the
Posts tab only once what is being typed is saved); the user is told why in a notification.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QWidget,
)

from clinicdesk.services.syncround import INQUIRIES_REMOVED_MESSAGE, RoundResult, account_after

if TYPE_CHECKING:
    from clinicdesk.ui.main_window import MainWindow
    from clinicdesk.ui.tab_places import PageKind, PostsAccess

logger = logging.getLogger(__name__)


class RoleFollower:
    """Rebuilds one window's tabs when the account's access changes.

    Args:
        window: the main window.

    Attributes:
        posts_built: the access the Posts tab's page was built for (set by the window).
        inquiries_built: the kind of page the Inquiries tab shows (set by the window).
    """

    posts_built: PostsAccess
    inquiries_built: PageKind

    def __init__(self, window: MainWindow) -> None:
        self._w = window

    def keep_access(self, result: RoundResult) -> None:
        """Keep the round's answer about the user with the account (settings.json), as signing
        in does, so the window also opens with the right tabs next time (offline too)."""
        account = self._w.session.account
        updated = account_after(account, result)
        if updated == account:
            return
        # The session is shared: the sync controller's next round goes by it too.
        self._w.session.account = updated
        self._w.settings.update(lambda s: s.update_account(updated))
        logger.info("what the site says about the account changed; the tabs follow")
        if updated.site_states != account.site_states and not self._w.closing.tabs_stopped:
            # The website's service area changed: the out-of-area flags follow it.
            self._w.window_settings.apply()

    def follow_access(self, *, removed: bool) -> None:
        """Rebuild, in place, each tab whose place no longer fits the account; say why."""
        news: list[str] = []
        posts = self._w.places.posts_access()
        if posts != self.posts_built:
            appeared = posts[0] == "tab" and self.posts_built[0] != "tab"
            if self.rebuild_posts(posts) and appeared:
                news.append(self._w.tr("Your account now writes blog posts: see the Posts tab."))
        inquiries = self._w.places.inquiries_kind()
        if inquiries != self.inquiries_built or (removed and inquiries == "none"):
            appeared = inquiries == "tab"
            self.rebuild_inquiries(inquiries, removed=removed)
            if appeared:
                news.append(
                    self._w.tr(
                        "Your account now handles consultation inquiries: see the Inquiries tab."
                    )
                )
        if removed:
            news.append(INQUIRIES_REMOVED_MESSAGE)
        if news:
            self._w.notify(self._w.tr("ClinicDesk"), " ".join(news))

    def rebuild_posts(self, wanted: PostsAccess) -> bool:
        """Put what ``wanted`` asks for in the Posts tab's place; False when what is being
        typed could not be saved (nothing changes: tried again after the next round)."""
        old_tab = self._w.posts_tab
        reopen: int | None = None
        if old_tab is not None:
            if not old_tab.flush():
                logger.warning("the Posts tab follows later: the text being typed is not saved")
                return False
            reopen = old_tab.editor.post_id
            old_tab.shutdown()
        self._w.posts_tab = None
        self.posts_built = wanted
        old, self._w.posts_page = self._w.posts_page, self._w.places.build_posts()
        self.replace_page(old, self._w.posts_page, self._w.tr("&Posts"))
        if reopen is not None and self._w.posts_tab is not None:
            self._w.posts_tab.select_post(reopen)
        return True

    def rebuild_inquiries(self, wanted: PageKind, *, removed: bool) -> None:
        """Put what ``wanted`` asks for in the Inquiries tab's place (a tab showing inquiries
        stops reading the cache and goes, with every widget that showed one)."""
        if self._w.inquiries_tab is not None:
            self._w.inquiries_tab.shutdown()
            self._w.inquiries_tab.unreadCountChanged.disconnect(self._w.show_unread)
        self._w.inquiries_tab = None
        self.inquiries_built = wanted
        old = self._w.inquiries_page
        self._w.inquiries_page = self._w.places.build_inquiries(
            self._w.settings.load(), removed=removed
        )
        self.replace_page(old, self._w.inquiries_page, self._w.tr("&Inquiries"))
        self._w.adopt_lock_action()

    def replace_page(self, old: QWidget, new: QWidget, text: str) -> None:
        """Put ``new`` in ``old``'s tab (same place, same title); ``old`` is deleted."""
        index = self._w.tabs.indexOf(old)
        current = self._w.tabs.currentIndex()
        self._w.tabs.removeTab(index)
        self._w.tabs.insertTab(index, new, text)
        self._w.tabs.setCurrentIndex(current)
        old.hide()
        old.deleteLater()
