"""How the main window closes: what is typed is saved first, waiting changes are asked about.

Closing saves the post being written (if that fails, nothing closes and the user is asked);
then, if changes wait to be sent (or a live post's edits wait for Update), the user confirms;
then the tabs' background work stops before the cache closes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QMessageBox,
)

from clinicdesk.store import CacheError
from clinicdesk.ui.dialogs.messages import close_box, problem_box

if TYPE_CHECKING:
    from clinicdesk.ui.main_window import MainWindow

logger = logging.getLogger(__name__)


class CloseFlow:
    """The close flow of one window.

    Args:
        window: the main window.
    """

    def __init__(self, window: MainWindow) -> None:
        self._w = window
        #: The user confirmed closing with changes waiting (or a close that asks nothing).
        self.close_confirmed = False
        #: The user chose to go on without a post that could not be saved.
        self.discard_unsaved = False
        #: The tabs were shut down (their reads and timers stopped): nothing refreshes them.
        self.tabs_stopped = False

    def flush_edits(self) -> bool:
        """Save what is being typed in the Posts tab now.

        Returns:
            False when it could not be saved (it is still on screen): the cache must not close.
        """
        if self._w.posts_tab is None or self.tabs_stopped:
            return True
        return self._w.posts_tab.flush()

    def stop_tabs(self) -> None:
        """Stop the tabs' background work before the cache closes (idempotent)."""
        if self.tabs_stopped:
            return
        self.tabs_stopped = True
        self._w.quiet_down()
        if self._w.posts_tab is not None:
            self._w.posts_tab.shutdown()
        if self._w.inquiries_tab is not None:
            self._w.inquiries_tab.shutdown()

    def unsaved_box(self, *, on_discard: Callable[[], None]) -> QMessageBox:
        """Say that the post being written could not be saved, so nothing closes (quit, sign-out).

        Args:
            on_discard: called when the user chooses to go on without it.
        """
        box, made = problem_box(
            self._w,
            name="unsavedPostBox",
            title=self._w.tr("A post could not be saved"),
            text=self._w.tr(
                "What you typed in the post being edited could not be saved on this computer, "
                "so nothing was closed. Try Save now (Ctrl+S) again, or copy your text somewhere "
                "safe.\n\nGoing on without it loses what was typed since the last save."
            ),
            buttons=[
                (
                    "unsavedKeepButton",
                    self._w.tr("Keep working"),
                    QMessageBox.ButtonRole.RejectRole,
                ),
                (
                    "unsavedDiscardButton",
                    self._w.tr("Go on without it"),
                    QMessageBox.ButtonRole.DestructiveRole,
                ),
            ],
        )
        keep = made["unsavedKeepButton"]
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def finished() -> None:
            if box.clickedButton() is made["unsavedDiscardButton"]:
                on_discard()

        box.finished.connect(finished)
        self._w.unsaved_post_box = box
        box.open()
        return box

    def on_close(self, event: QCloseEvent) -> None:
        """The window is asked to close: save, ask about waiting changes, then close."""
        if not self.discard_unsaved and not self.flush_edits():
            event.ignore()
            self._w.show_tab(0)

            def discard() -> None:
                self.discard_unsaved = True
                self._w.close()

            self.unsaved_box(on_discard=discard)
            return
        pending = self._w.sync.status.pending
        try:
            pending = self._w.session.pending_changes()
        except CacheError:
            pass
        unpublished: list[str] = []
        if self._w.posts_tab is not None and not self.close_confirmed and not self.tabs_stopped:
            unpublished = self._w.posts_tab.unpublished_titles()
            # A live post's edits wait in one entry each, held until Update: not "sent the
            # next time ClinicDesk syncs", so they are named apart instead of counted.
            pending = max(0, pending - len(unpublished))
        if (pending or unpublished) and not self.close_confirmed:
            event.ignore()
            box, close_button = close_box(
                self._w, pending=pending, unpublished=unpublished, demo=self._w.session.demo
            )
            self._w.close_box = box

            def finished() -> None:
                if box.clickedButton() is close_button:
                    self.close_confirmed = True
                    self._w.close()

            box.finished.connect(finished)
            box.open()
            return
        self._w.settings.update(lambda s: self._w.remember_layout(s.window_state))
        self.stop_tabs()
        event.accept()
        self._w.closed.emit()

    def close_without_asking(self) -> None:
        """Close without the "changes waiting" question (sign-out: the user has just confirmed
        what happens to waiting changes; Ctrl+C in the terminal). What is being typed is still
        saved first: if that fails, the window stays and says so."""
        self.close_confirmed = True
        self._w.close()

    def close_now(self) -> None:
        """Close whatever happens: the cache is about to close. What is being typed is saved if
        it can be (the callers asked the user first when it could not)."""
        self.flush_edits()
        self.close_confirmed = True
        self.discard_unsaved = True
        self._w.close()
        self.stop_tabs()
