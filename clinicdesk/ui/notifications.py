"""The window's notifications: a message from the system tray when the desktop has one, else a
bold line in the status bar for a while.

Only counts are ever notified (new arrivals, a role changed on the site): never who, or what
they wrote.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QStatusBar, QStyle, QSystemTrayIcon

#: How long a notification stays (in the status bar when the desktop has no system tray).
NOTICE_MS = 30_000


class Notifications:
    """Shows one window's notifications.

    Args:
        window: the window (the tray icon's owner, brought forward when the icon is clicked).
        status: its status bar (where the notice line goes).

    Attributes:
        label: the status bar's notice line (shown when the desktop has no system tray).
    """

    def __init__(self, window: QMainWindow, status: QStatusBar) -> None:
        self._window = window
        self._tray: QSystemTrayIcon | None = None
        # A label rather than a temporary message, which would hide who is signed in.
        self.label = QLabel(status)
        self.label.setObjectName("notificationStatus")
        self.label.setAccessibleName(window.tr("Notification"))
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.label.hide()
        status.addWidget(self.label)
        self._timer = QTimer(window)
        self._timer.setObjectName("notificationTimer")
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTICE_MS)
        self._timer.timeout.connect(self._clear)

    def show(self, title: str, message: str) -> None:
        """A tray message when the desktop has a tray (one icon, reused), else the notice line."""
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            tray = self._tray
            if tray is None:
                window = self._window
                icon = window.windowIcon()
                if icon.isNull():
                    style = window.style()
                    icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
                tray = QSystemTrayIcon(icon, window)
                tray.setObjectName("notificationTray")
                tray.setToolTip(window.tr("ClinicDesk"))
                tray.activated.connect(lambda _reason: self._bring_forward())
                self._tray = tray
            tray.show()
            tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, NOTICE_MS)
            return
        self.label.setText(message)
        self.label.show()
        self._timer.start()

    def hide_tray(self) -> None:
        """Take the tray icon away (the window is closing)."""
        if self._tray is not None:
            self._tray.hide()

    def _clear(self) -> None:
        self.label.clear()
        self.label.hide()

    def _bring_forward(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
