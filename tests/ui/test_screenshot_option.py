"""``main.py --demo --screenshot FILE``: the ordinary start, one picture after the first sync."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_saves_a_picture_after_its_first_sync_and_says_when_it_was_shown(
    tmp_path: Path,
) -> None:
    shot = tmp_path / "demo.png"
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "main.py", "--demo", "--screenshot", str(shot)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    first, second = done.stdout.splitlines()[:2]
    label, shown_at = first.split()
    assert label == "window-shown"
    assert started < float(shown_at) < time.monotonic(), "the same clock as this process's"
    assert second == f"screenshot {shot}"
    head = shot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert (width, height) == (1100, 720), "the whole main window"


def test_screenshot_is_refused_with_a_headless_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(tmp_path), "--screenshot", "x.png", "sync"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--screenshot needs the window" in done.stderr
    assert not (ROOT / "x.png").exists()
