"""The crash handler: an unexpected exception becomes a log entry and a friendly dialog.

Installed as ``sys.excepthook`` (and ``threading.excepthook``, which only logs: widgets belong to
the UI thread). Known, user-facing failures never come here; they are shown where they happen.
The app keeps running after a crash dialog: every edit is committed to the offline copy as it is
made, so nothing the user did is held only in memory, and closing would not save anything more.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from clinicdesk.ui.dialogs.messages import crash_box

logger = logging.getLogger(__name__)


class CrashHandler(QObject):
    """Logs unexpected exceptions and shows one dialog at a time about them.

    Args:
        log_file: where the details went (shown to the user), or None.
        parent: the owner.
    """

    def __init__(self, log_file: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashHandler")
        self._log_file = log_file
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self.box: QMessageBox | None = None
        self.count = 0

    def install(self) -> None:
        """Become ``sys.excepthook`` and ``threading.excepthook``."""
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        """Put the previous hooks back."""
        if sys.excepthook == self.handle:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self._handle_thread:
            threading.excepthook = self._previous_thread_hook

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """Log the exception and tell the user (on the UI thread)."""
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        self.count += 1
        logger.critical("unexpected error", exc_info=(exc_type, exc, tb))
        app = QApplication.instance()
        if app is None or threading.current_thread() is not threading.main_thread():
            return
        # Not from inside whatever Qt call raised: let it unwind first.
        QTimer.singleShot(0, self._show)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        logger.critical(
            "unexpected error in thread %s",
            args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
        )

    def _show(self) -> None:
        if self.box is not None and self.box.isVisible():
            return  # one dialog is enough; the log has every occurrence
        parent = QApplication.activeWindow()
        box = crash_box(parent, log_file=self._log_file)
        box.destroyed.connect(self._forget)
        self.box = box
        box.open()

    def _forget(self) -> None:
        self.box = None
