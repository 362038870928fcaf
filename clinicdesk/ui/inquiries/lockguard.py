"""The Inquiries tab's lock guard: locking empties everything shown; only the passphrase opens it.

Locking (Ctrl+L, idle time) empties the model, the detail pane, the search box, open dialogs
and the clipboard if it holds what was copied from an inquiry, then shows the page asking for
the unlock passphrase (or the page choosing one, when none was chosen yet).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication

from clinicdesk.domain.lock import is_valid_hash

if TYPE_CHECKING:
    from clinicdesk.ui.inquiries.tab import InquiriesTab

logger = logging.getLogger(__name__)


class LockGuard:
    """Locks and unlocks one tab.

    Args:
        tab: the Inquiries tab.
    """

    def __init__(self, tab: InquiriesTab) -> None:
        self._t = tab

    def lock(self) -> None:
        """Hide every inquiry until the unlock passphrase is typed."""
        if self._t.state.locked:
            return
        self._t.state.locked = True
        self._t.state.generation += 1  # a read on its way is dropped
        self._t.triage.keep_drafts()  # a half-written note comes back after the unlock
        self._t.close_dialogs()
        self._t.search_timer.stop()
        self._t.search_edit.blockSignals(True)
        self._t.search_edit.clear()
        self._t.search_edit.blockSignals(False)
        self._t.model.query = replace(self._t.model.query, text="")
        self._t.model.clear()
        self._t.opener.show_nothing()
        self.forget_clipboard()
        self._t.message_label.setText(self._t.keys_hint())
        self._t.idle.stop()
        self.show_locked_page()
        self._t.lockedChanged.emit(True)

    def change_passphrase(self) -> None:
        """Choose a new unlock passphrase: the tab locks and shows the page choosing one, which
        asks for the current passphrase first (so a locked or abandoned tab cannot be opened by
        choosing a new one). Does nothing while locked."""
        if self._t.state.locked:
            return
        self.lock()
        self._t.setup_page.set_current_hash(self._t.options.unlock_hash)
        self._t.stack.setCurrentWidget(self._t.setup_page)
        self._t.setup_page.focus_first()

    def _open_inbox(self) -> None:
        """Show the inbox (only once the passphrase was checked, or at start when the shell
        asked for an unlocked tab). Deliberately not public: nothing unlocks without it."""
        if not is_valid_hash(self._t.options.unlock_hash):
            self.show_locked_page()
            return
        was_locked = self._t.state.locked
        self._t.state.locked = False
        self._t.stack.setCurrentWidget(self._t.inbox_page)
        self._t.lock_page.reset()
        self._t.idle.start(self._t.options.idle_lock_ms)
        self._t.load()
        self._t.table.setFocus()
        if was_locked:
            self._t.lockedChanged.emit(False)
            self._t.triage.reopen_draft()

    def show_locked_page(self) -> None:
        """Show the page asking for the passphrase (or choosing one, when none was chosen)."""
        self._t.state.locked = True
        if is_valid_hash(self._t.options.unlock_hash):
            self._t.lock_page.reset()
            self._t.stack.setCurrentWidget(self._t.lock_page)
        else:
            self._t.stack.setCurrentWidget(self._t.setup_page)

    def _passphrase_chosen(self, stored: str) -> None:
        self._t.setup_page.set_current_hash(None)
        self._t.use_unlock_hash(stored)
        self._t.lock_page.set_hash(stored)
        self._t.unlockHashChanged.emit(stored)
        self._open_inbox()

    def forget_clipboard(self) -> None:
        """Empty the clipboard if it still holds what was copied from an inquiry."""
        copied = self._t.detail.copied
        clipboard = QGuiApplication.clipboard()
        if copied and clipboard.text() == copied:
            clipboard.clear()
        self._t.detail.copied = None

    def attach(self) -> None:
        """Listen to the lock and setup pages (the only ways the inbox opens)."""
        self._t.lock_page.unlocked.connect(self._open_inbox)
        self._t.setup_page.chosen.connect(self._passphrase_chosen)
        self._t.setup_page.cancelled.connect(self.show_locked_page)

    def start(self, locked: bool) -> None:
        """Start locked (no inquiry read, only the counts) or open."""
        if locked or not is_valid_hash(self._t.options.unlock_hash):
            self.show_locked_page()
            self._t.load()  # counts and the arrivals mark (no inquiry is read while locked)
        else:
            self._open_inbox()
