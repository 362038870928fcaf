"""``python -m benchmarks.appchild [--bare | APP ARGS]``: the app, reporting when it is seen.

Started by :mod:`benchmarks.startup`. It creates the QApplication first (``run_gui`` reuses
an existing one), installs an event filter that waits for the main window's first expose, then
runs ``clinicdesk.app.main(APP ARGS)`` exactly as ``python main.py APP ARGS`` would. With
``--bare`` it shows an empty ``QMainWindow`` of the same size instead: the baseline (the cost of
Python and Qt alone).

When the window has been exposed and its first frame painted, it prints one line,
``CLINICDESK_BENCH_SHOWN <time.monotonic()> <peak RSS in KiB>``, and leaves at once
(``os._exit``): only the start is measured. ``time.monotonic`` is the system-wide
``CLOCK_MONOTONIC`` on Linux, so the parent compares it with its own clock.

The peak RSS is this process image's own high-water mark, ``VmHWM`` in ``/proc/self/status``.
Not ``getrusage``'s ``ru_maxrss``: Linux carries that over ``exec`` from the process that was
forked, so a child of a 190 MB benchmark would report at least 190 MB whatever it used.
"""

from __future__ import annotations

import os
import resource
import sys
import time

#: The prefix of the line printed when the window is shown.
SHOWN = "CLINICDESK_BENCH_SHOWN"
#: The main window's native window (Qt names it after the widget: ``mainWindow`` + ``Window``).
_WINDOW_NAME = "mainWindowWindow"


def peak_rss_kib() -> int:
    """This process image's peak resident memory, in KiB (``VmHWM``; ``ru_maxrss`` where
    ``/proc`` has none)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main(argv: list[str]) -> int:
    """Run the app (or the bare window) until its main window has been shown."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QWindow
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])

    def report() -> None:
        now = time.monotonic()
        peak = peak_rss_kib()
        sys.stdout.write(f"{SHOWN} {now:.6f} {peak}\n")
        sys.stdout.flush()
        os._exit(0)

    class Watcher(QObject):
        """Notices the main window's first expose; reports once it has been painted."""

        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                not self.done
                and event.type() == QEvent.Type.Expose
                and isinstance(watched, QWindow)
                and watched.objectName() == _WINDOW_NAME
                and watched.isExposed()
            ):
                self.done = True
                # The expose paints the window synchronously; report right after it.
                QTimer.singleShot(0, report)
            return False

    watcher = Watcher()
    app.installEventFilter(watcher)
    if argv[:1] == ["--bare"]:
        window = QMainWindow()
        window.setObjectName("mainWindow")
        window.resize(1100, 720)
        window.show()
        return int(app.exec())
    from clinicdesk.app import main as app_main

    return app_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
