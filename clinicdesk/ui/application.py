"""The application around the window: the QApplication, the data folder, the log, the crash
handler and, with ``--demo``, the reference site (started by :mod:`clinicdesk.app`), an
in-memory keyring and a throw-away data folder.

:func:`run_gui` builds them, hands the rest to
:class:`~clinicdesk.ui.account_flow.AppController` (start -> sign-in -> window) and runs the
event loop; everything it started is stopped when the loop ends.
"""

from __future__ import annotations

import logging
import signal
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from clinicdesk import __version__
from clinicdesk.session.accounts import DataDir
from clinicdesk.session.credentials import CredentialStore
from clinicdesk.session.logs import configure_logging
from clinicdesk.session.memory_keyring import MemoryKeyring
from clinicdesk.ui.account_flow import EXIT_CANCELLED, AppController, DemoLogin
from clinicdesk.ui.crash import CrashHandler
from clinicdesk.ui.heap import freeze_long_lived
from clinicdesk.ui.icon import app_icon
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.theme import apply_theme


class RunningDemoSite(Protocol):
    """A demo site the composition root started (:func:`clinicdesk.demosite.server.start`).

    A protocol, so the UI never imports the reference site: :mod:`clinicdesk.app` passes the
    starter in.
    """

    @property
    def url(self) -> str:
        """The site root (``http://127.0.0.1:port``)."""

    @property
    def users(self) -> Mapping[str, tuple[str, str]]:
        """Role -> (user name, password)."""

    def stop(self) -> None:
        """Stop serving."""


#: Starts the demo site with its files in the given folder.
StartDemoSite = Callable[[Path], RunningDemoSite]


def run_gui(
    *,
    data_dir: str | None,
    demo: StartDemoSite | None,
    debug: bool,
    screenshot: str | None = None,
) -> int:
    """Create the application, open the window (or the sign-in dialog) and run the event loop.

    Args:
        data_dir: the data folder, or None for the usual one.
        demo: starts the demo site (given by :mod:`clinicdesk.app`), to start it and sign in to
            it; None for the real accounts.
        debug: log more detail.
        screenshot: save a picture of the window to this file after the first sync and quit
            (see :mod:`clinicdesk.ui.snapshot`).
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("ClinicDesk")
    app.setOrganizationName("ClinicDesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("clinicdesk")  # Wayland/X11 match the window to clinicdesk.desktop
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)

    temp: tempfile.TemporaryDirectory[str] | None = None
    demo_site: RunningDemoSite | None = None
    login: DemoLogin | None = None
    if demo is not None:
        base = DataDir.resolve(data_dir).ensure().root if data_dir else None
        temp = tempfile.TemporaryDirectory(prefix="clinicdesk-demo-", dir=base)
        data = DataDir(Path(temp.name) / "app").ensure()
        credentials = CredentialStore(backend=MemoryKeyring())
    else:
        data = DataDir.resolve(data_dir).ensure()
        credentials = CredentialStore()
    logs = configure_logging(data.log_file, debug=debug)
    logging.getLogger("clinicdesk.demosite").setLevel(logging.WARNING)
    crash = CrashHandler(logs.log_file)
    crash.install()
    controller: AppController | None = None
    try:
        if demo is not None:
            assert temp is not None
            demo_site = demo(Path(temp.name) / "site")
            user, password = demo_site.users["administrator"]
            login = DemoLogin(demo_site.url, user, password)
            if not screenshot:  # --screenshot's standard output is read by scripts
                print(demo_banner(demo_site.url, demo_site.users["editor"]), flush=True)
        controller = AppController(data=data, credentials=credentials, logs=logs, demo=login)
        controller.finished.connect(app.exit)
        _freeze_at_first_window(controller)
        _quit_on_interrupt(app, controller)
        snapshot = None
        if screenshot:
            from clinicdesk.ui.snapshot import Snapshot

            snapshot = Snapshot(app, Path(screenshot))
            controller.windowOpened.connect(snapshot.window_opened)
        QTimer.singleShot(0, controller.start)
        code = int(app.exec())
        return code or (snapshot.exit_code if snapshot is not None else 0)
    finally:
        if controller is not None:
            controller.shutdown()
        crash.uninstall()
        if demo_site is not None:
            demo_site.stop()
        logs.close()
        if temp is not None:
            temp.cleanup()


def demo_banner(url: str, other: tuple[str, str]) -> str:
    """What ``--demo`` prints in the terminal: where the demo website runs, how to sign in to
    it from a second profile (as another staff member: ``other`` is their user name and
    application password, made for this run only), and that nothing is kept."""
    from clinicdesk.about import command_name

    user, password = other
    return (
        "ClinicDesk demo\n"
        f"  The demo website runs at {url}/ (on this computer only, while the demo is open).\n"
        "  To sign in to it from another profile, as a second member of staff, run in another\n"
        f"  terminal:  {command_name()} --data-dir <an empty folder>\n"
        f"  and sign in with site {url}/ , user {user} , application password {password}\n"
        "  Everything (the demo website, its posts and inquiries, and every change) is thrown\n"
        "  away when you close the demo window."
    )


def _freeze_at_first_window(controller: AppController) -> None:
    """Once the first window is open, exempt what exists then from the garbage collector: it
    lives until the app quits, and walking it stalled the window during the first sync."""

    def opened(_window: MainWindow) -> None:
        controller.windowOpened.disconnect(opened)
        freeze_long_lived()

    controller.windowOpened.connect(opened)


def _quit_on_interrupt(app: QApplication, controller: AppController) -> None:
    """Ctrl+C in the terminal closes the window as if the user had (waiting changes are kept)."""

    def interrupted(_signum: int, _frame: object) -> None:
        window = controller.window
        if window is not None:
            window.close_without_asking()
        else:
            app.exit(EXIT_CANCELLED)

    signal.signal(signal.SIGINT, interrupted)
    # Python runs signal handlers only between bytecodes: wake it up now and then.
    timer = QTimer(app)
    timer.setObjectName("interruptTimer")
    timer.timeout.connect(lambda: None)
    timer.start(500)


__all__ = ["RunningDemoSite", "StartDemoSite", "demo_banner", "run_gui"]
