"""Screenshots of the shell for the docs: ``python -m clinicdesk.screenshots docs/screenshots``.

Runs offscreen (no display needed) against the demo site, exactly as ``main.py --demo`` does, and
saves PNGs made with ``QWidget.grab()``: the main window once its first sync rounds are done (the
post list; the editor with the seed post "Why Vulnerability Is So Important in Therapy", also at
a small laptop's 1024x700; the inquiry inbox with an urgent inquiry, flagged for crisis language
on arrival, selected, also at 1024x700; the same in the dark palette; the Inquiries tab locked),
the settings dialog (its three pages), and the sign-in dialog (empty, and showing the
wrong-password message from a real refused sign-in).

The passphrase typed to unlock the demo's inquiries is made up here and never kept.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DBUS_SESSION_BUS_ADDRESS", "disabled:")

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from clinicdesk.session.accounts import DataDir
from clinicdesk.session.credentials import CredentialStore
from clinicdesk.session.logs import configure_logging
from clinicdesk.session.memory_keyring import MemoryKeyring
from clinicdesk.ui.account_flow import AppController, DemoLogin
from clinicdesk.ui.application import StartDemoSite
from clinicdesk.ui.dialogs.signin import SignInDialog
from clinicdesk.ui.inquiries import InquiriesTab
from clinicdesk.ui.inquiries.models import COLUMN_INDEX
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.posts import PostsTab
from clinicdesk.ui.sync_worker import SyncState
from clinicdesk.ui.theme import apply_theme, use_scheme


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


#: A small laptop's screen: the size the "-1024x700" screenshots are taken at.
LAPTOP = (1024, 700)


def _save_at(window: QWidget, size: tuple[int, int], folder: Path, name: str) -> Path:
    """Save ``window`` at ``size``, then give it back the size it had."""
    before = window.size()
    window.resize(*size)
    _wait(lambda: (window.width(), window.height()) == size)
    try:
        return _save(window, folder, name)
    finally:
        window.resize(before)


#: The seed post shown in the editor.
SEED_POST = "Why Vulnerability Is So Important in Therapy"
#: Typed to choose, then unlock, the demo's inquiry passphrase (thrown away with the demo).
_PASSPHRASE = "screenshot heron dawn"  # noqa: S105 - a made-up demo passphrase


def _synced(window: MainWindow) -> bool:
    """The first rounds are over: synced, nothing waiting (the urgent flags were sent), and
    the post list shows what they fetched (it reads the cache off the UI thread)."""
    status = window.sync.status
    posts_loading = window.posts_tab is not None and window.posts_tab.loading
    return (
        not window.sync.running
        and status.state is SyncState.SYNCED
        and status.pending == 0
        and not posts_loading
    )


def _open_inbox(tab: InquiriesTab) -> None:
    """Choose the demo's unlock passphrase as a user would, and wait for the inbox."""
    page = tab.setup_page
    page.passphrase_edit.setText(_PASSPHRASE)
    page.confirm_edit.setText(_PASSPHRASE)
    page.choose_button.click()
    _wait(lambda: not tab.is_locked() and not tab.loading and tab.model.rowCount() > 0)


def _select_urgent(tab: InquiriesTab) -> None:
    """Select the first urgent inquiry of the inbox (urgent ones are pinned at the top)."""
    model = tab.model
    for row in range(model.rowCount()):
        if model.index(row, COLUMN_INDEX["urgent"]).data():
            tab.table.selectRow(row)
            # Opening it marks it read: wait for the tab to count again (its title).
            _wait(lambda: tab.detail.crisis_panel.isVisible() and not tab.loading)
            return
    raise RuntimeError("the demo inbox has no urgent inquiry")


def take(folder: Path, start: StartDemoSite) -> list[Path]:
    """Start the demo, take the screenshots into ``folder``; returns the files written.

    Args:
        folder: where the PNG files go.
        start: starts the demo site (:func:`clinicdesk.demosite.server.start`; the UI never
            imports the reference site itself).
    """
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
            window.resize(1200, 760)
            _wait(lambda: _synced(window), timeout_s=90)
            posts = window.posts_tab
            inquiries = window.inquiries_tab
            assert isinstance(posts, PostsTab) and isinstance(inquiries, InquiriesTab)
            written.append(_save(window, folder, "main-window.png"))

            [seed] = [
                p for p in window.session.cache.posts.search(SEED_POST) if p.title == SEED_POST
            ]
            # The list may still be reading what the last round brought: open it once shown.
            _wait(lambda: not posts.loading and posts.select_post(seed.id))
            written.append(_save(window, folder, "posts-editor.png"))
            written.append(_save_at(window, LAPTOP, folder, "posts-editor-1024x700.png"))

            window.show_tab(1)
            _open_inbox(inquiries)
            _select_urgent(inquiries)
            written.append(_save(window, folder, "main-window-inquiries.png"))
            written.append(_save_at(window, LAPTOP, folder, "inquiries-urgent-1024x700.png"))
            use_scheme(app, Qt.ColorScheme.Dark)  # as when the desktop switches to dark
            written.append(_save(window, folder, "main-window-dark.png"))
            use_scheme(app, Qt.ColorScheme.Light)

            settings = window.open_settings()
            written.append(_save(settings, folder, "settings.png"))
            settings.pages.setCurrentIndex(1)
            written.append(_save(settings, folder, "settings-inquiries.png"))
            settings.pages.setCurrentIndex(2)
            written.append(_save(settings, folder, "settings-protocol.png"))
            settings.reject()

            inquiries.lock()
            written.append(_save(window, folder, "inquiries-locked.png"))
            window.show_tab(0)

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
