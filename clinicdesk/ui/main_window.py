"""The main window. For now a bare shell with the Posts and Inquiries tabs (issue 4 fills it in)."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget, QWidget


class MainWindow(QMainWindow):
    """The window clinic staff work in: one tab for posts, one for inquiries."""

    def __init__(self, *, site_name: str, site_url: str, user_name: str) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("ClinicDesk — %s") % site_name)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setAccessibleName(self.tr("Sections"))
        self.tabs.addTab(self._placeholder("postsTab", self.tr("Posts")), self.tr("&Posts"))
        self.tabs.addTab(
            self._placeholder("inquiriesTab", self.tr("Inquiries")), self.tr("&Inquiries")
        )
        self.setCentralWidget(self.tabs)
        status = QLabel(
            self.tr("Signed in to %1 as %2").replace("%1", site_url).replace("%2", user_name)
        )
        status.setObjectName("connectionStatus")
        # Names and addresses come from the site: never let Qt guess they are rich text.
        status.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(status)
        self.resize(1100, 720)

    def _placeholder(self, name: str, title: str) -> QWidget:
        label = QLabel(self.tr("%s will appear here.") % title)
        label.setObjectName(name)
        label.setAccessibleName(title)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label


def run_main_window(*, site_name: str, site_url: str, user_name: str) -> int:
    """Create the application, show the window and run the event loop."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("ClinicDesk")
    window = MainWindow(site_name=site_name, site_url=site_url, user_name=user_name)
    window.show()
    return app.exec()
