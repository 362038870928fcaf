"""The bare main window opened by ``--demo`` until the app shell lands."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from clinicdesk.ui.main_window import MainWindow


def test_window_shows_both_tabs_and_who_is_signed_in(qtbot: QtBot) -> None:
    window = MainWindow(site_name="Demo Clinic", site_url="http://127.0.0.1:1", user_name="Renata")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    tabs = window.findChild(QTabWidget, "mainTabs")
    assert tabs is not None
    assert [tabs.tabText(i).replace("&", "") for i in range(tabs.count())] == [
        "Posts",
        "Inquiries",
    ]
    assert window.windowTitle() == "ClinicDesk — Demo Clinic"
    status = window.findChild(QLabel, "connectionStatus")
    assert status is not None
    assert status.text() == "Signed in to http://127.0.0.1:1 as Renata"


def test_names_from_the_site_are_never_rendered_as_html(qtbot: QtBot) -> None:
    window = MainWindow(site_name="x", site_url="http://127.0.0.1:1", user_name="<b>Eve</b>")
    qtbot.addWidget(window)
    status = window.findChild(QLabel, "connectionStatus")
    assert status is not None
    assert status.textFormat() == Qt.TextFormat.PlainText
    assert "<b>Eve</b>" in status.text()


def test_command_line_help_and_missing_sign_in() -> None:
    help_run = subprocess.run(
        [sys.executable, "main.py", "--help"], capture_output=True, text=True, timeout=60
    )
    assert help_run.returncode == 0
    assert "--demo" in help_run.stdout
    assert "--data-dir" in help_run.stdout

    bare = subprocess.run([sys.executable, "main.py"], capture_output=True, text=True, timeout=60)
    assert bare.returncode == 2
    assert "python main.py --demo" in bare.stderr
