"""``python main.py --demo`` end to end, and the screenshots made from it."""

from __future__ import annotations

import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtGui import QImage

from clinicdesk.demosite.server import start
from clinicdesk.ui.screenshots import take

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_without_a_keyring_and_leaves_nothing_behind(tmp_path: Path) -> None:
    # The test environment has no D-Bus session (DBUS_SESSION_BUS_ADDRESS=disabled:), so no
    # keyring either: the demo must not need one.
    process = subprocess.Popen(
        [sys.executable, "main.py", "--demo", "--debug", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,  # a few lines only: read once it has exited
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stderr, selectors.EVENT_READ)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any("sync round ended" in x for x in lines):
                if selector.select(timeout=0.5):
                    line = process.stderr.readline()
                    if not line:
                        break
                    lines.append(line)
        assert any("window opened" in line for line in lines), "".join(lines[-30:])
        assert any("sync round ended: ok" in line for line in lines), "".join(lines[-30:])
        leftovers = list(tmp_path.glob("clinicdesk-demo-*"))
        assert len(leftovers) == 1, "the demo keeps its files in the given folder"
        process.send_signal(signal.SIGINT)  # Ctrl+C in the terminal: close as the user would
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        rest = process.stderr.read()
        process.stderr.close()
        assert process.stdout is not None
        printed = " ".join(process.stdout.read().split())
        process.stdout.close()
    assert "Traceback" not in "".join(lines) + rest
    # The terminal says where the demo site runs, how to sign in to it from another profile,
    # and that nothing is kept.
    assert re.search(r"demo website runs at http://127\.0\.0\.1:\d+/", printed), printed
    assert "python main.py --data-dir" in printed and "application password" in printed
    assert "thrown away" in printed
    assert list(tmp_path.glob("clinicdesk-demo-*")) == [], "the throw-away folder is removed"


def test_screenshots_are_written(tmp_path: Path) -> None:
    files = take(tmp_path, start)
    assert {f.name for f in files} == {
        "main-window.png",
        "posts-editor.png",
        "posts-editor-1024x700.png",
        "main-window-inquiries.png",
        "inquiries-urgent-1024x700.png",
        "main-window-dark.png",
        "inquiries-locked.png",
        "settings.png",
        "settings-inquiries.png",
        "settings-protocol.png",
        "sign-in.png",
        "sign-in-wrong-password.png",
    }
    for file in files:
        image = QImage(str(file))
        assert image.width() >= 400 and image.height() >= 200, file
        if file.stem.endswith("-1024x700"):
            assert (image.width(), image.height()) == (1024, 700), file
