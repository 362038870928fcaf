"""``--screenshot FILE``: open as usual, wait for the first sync, save a picture, quit.

For support (a picture of what the app shows, without a screen-capture tool) and for checking a
built app end to end (``tests/bundle``): the run is the ordinary one, only its end is added.
It prints two lines on standard output: ``window-shown <seconds>`` when the main window was
first exposed (``time.monotonic()``, the system-wide ``CLOCK_MONOTONIC`` on Linux, so a parent
process can tell the start-to-window time), then ``screenshot <FILE>`` once saved. The exit
code is 0 when the first sync succeeded, 1 when it did not (the picture is saved either way).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication

from clinicdesk.services.syncround import RoundResult
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.sync_worker import SyncState, SyncStatus

logger = logging.getLogger(__name__)

#: Exit code when the first sync did not succeed.
EXIT_SYNC_FAILED = 1
#: The states that end a first sync that did not succeed.
_FAILED = (SyncState.OFFLINE, SyncState.SIGNED_OUT, SyncState.FAILED, SyncState.UNAVAILABLE)


class Snapshot(QObject):
    """Watches the first window of a run; saves it once its first sync is over, then quits.

    Args:
        app: the application (its event filter sees the window's first expose).
        path: the PNG to write.
    """

    def __init__(self, app: QApplication, path: Path) -> None:
        super().__init__(app)
        self.setObjectName("snapshot")
        self._app = app
        self._path = path
        self._window: MainWindow | None = None
        self._shown = False
        self._done = False
        #: 0 when the first sync succeeded and the picture was saved (read after the loop ends).
        self.exit_code = EXIT_SYNC_FAILED

    def window_opened(self, window: MainWindow) -> None:
        """Connected to ``AppController.windowOpened``."""
        if self._window is not None:
            return
        self._window = window
        self._app.installEventFilter(self)
        window.sync.statusChanged.connect(self._status_changed)
        window.sync.roundFinished.connect(self._round_finished)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        window = self._window
        if (
            not self._shown
            and window is not None
            and event.type() == QEvent.Type.Expose
            and isinstance(watched, QWindow)
            and watched is window.windowHandle()
            and watched.isExposed()
        ):
            self._shown = True
            print(f"window-shown {time.monotonic():.6f}", flush=True)
        return False

    def _round_finished(self, _result: RoundResult) -> None:
        if self._window is not None:
            self._status_changed(self._window.sync.status)

    def _status_changed(self, status: SyncStatus) -> None:
        window = self._window
        if self._done or window is None or window.sync.running:
            return
        if status.state is SyncState.SYNCED and status.pending == 0:
            self._finish(0)
        elif status.state in _FAILED:
            self._finish(EXIT_SYNC_FAILED)

    def _finish(self, code: int) -> None:
        self._done = True
        # After the views have read what the round brought (their refresh is queued).
        QTimer.singleShot(0, lambda: self._save_and_quit(code))

    def _save_and_quit(self, code: int) -> None:
        window = self._window
        assert window is not None
        QApplication.processEvents()
        if not window.grab().save(str(self._path)):
            print(f"clinicdesk: could not write {self._path}", file=sys.stderr)
            code = EXIT_SYNC_FAILED
        else:
            print(f"screenshot {self._path}", flush=True)
        logger.info("screenshot taken; quitting (code %d)", code)
        self.exit_code = code
        window.close_without_asking()
