"""Screenshots of the shell for the docs: ``python -m clinicdesk.ui.screenshots docs/screenshots``.

Runs offscreen (no display needed) against the demo site, exactly as ``main.py --demo`` does, and
saves PNGs made with ``QWidget.grab()``: the main window after its first sync round (both tabs,
and in the dark palette), the sign-in dialog (empty, and showing the wrong-password message from
a real refused sign-in), and the settings dialog.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DBUS_SESSION_BUS_ADDRESS", "disabled:")

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from clinicdesk.credentials import CredentialStore
from clinicdesk.ui.application import AppController, DemoLogin
from clinicdesk.ui.core.accounts import DataDir
from clinicdesk.ui.core.logs import configure_logging
from clinicdesk.ui.core.memory_keyring import MemoryKeyring
from clinicdesk.ui.dialogs.signin import SignInDialog
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.sync_worker import SyncState
from clinicdesk.ui.theme import apply_theme, palette_for


def _wait(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: loop.quit() if condition() else None)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    timer.start()
    deadline.start(int(timeout_s * 1000))
    if not condition():
        loop.exec()
    timer.stop()
    if not condition():
        raise TimeoutError("the app did not get there in time")


def _save(widget: QWidget, folder: Path, name: str) -> Path:
    QApplication.processEvents()
    path = folder / name
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)
    return path


def take(folder: Path) -> list[Path]:
    """Start the demo, take the screenshots into ``folder``; returns the files written."""
    from clinicdesk.demosite.server import start

    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("ClinicDesk")
    apply_theme(app)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="clinicdesk-shots-") as temp:
        data = DataDir(Path(temp) / "app").ensure()
        logs = configure_logging(data.log_file)
        site = start(Path(temp) / "site")
        controller = None
        try:
            user, password = site.users["administrator"]
            controller = AppController(
                data=data,
                credentials=CredentialStore(backend=MemoryKeyring()),
                logs=logs,
                demo=DemoLogin(site.url, user, password),
            )
            controller.start()
            _wait(lambda: controller.window is not None)
            window = controller.window
            assert isinstance(window, MainWindow)
            window.resize(1000, 640)
            _wait(lambda: window.sync.status.state not in (SyncState.NOT_YET, SyncState.SYNCING))
            written.append(_save(window, folder, "main-window.png"))
            window.tabs.setCurrentIndex(1)
            written.append(_save(window, folder, "main-window-inquiries.png"))
            light = app.palette()
            app.setPalette(palette_for(Qt.ColorScheme.Dark, app.style().standardPalette()))
            written.append(_save(window, folder, "main-window-dark.png"))
            app.setPalette(light)
            window.tabs.setCurrentIndex(0)

            settings = window.open_settings()
            written.append(_save(settings, folder, "settings.png"))
            settings.reject()

            dialog = SignInDialog(site="https://clinic.example", username="renata")
            dialog.show()
            written.append(_save(dialog, folder, "sign-in.png"))
            dialog.close()

            refused = controller.show_sign_in(quit_on_cancel=False)
            refused.site_edit.setText(site.url)
            refused.user_edit.setText(user)
            refused.password_edit.setText("abcd efgh ijkl mnop qrst uvwx")
            refused.sign_in_button.click()
            _wait(lambda: refused.error.isVisible())
            written.append(_save(refused, folder, "sign-in-wrong-password.png"))
        finally:
            if controller is not None:
                controller.shutdown()
            site.stop()
            logs.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clinicdesk.ui.screenshots")
    parser.add_argument("folder", type=Path, help="where to write the PNG files")
    args = parser.parse_args(argv)
    take(args.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
