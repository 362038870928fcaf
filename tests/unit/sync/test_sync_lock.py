"""The per-account sync lock: exclusive within a process and across processes, never stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from clinicdesk.sync import AccountLock, LockBusyError

REPO = Path(__file__).resolve().parents[3]


def test_a_second_holder_in_the_same_process_is_refused(tmp_path: Path) -> None:
    with AccountLock(tmp_path) as first:
        assert first.held
        with pytest.raises(LockBusyError):
            AccountLock(tmp_path).acquire()
    with AccountLock(tmp_path) as again:  # released on exit
        assert again.held
    assert (tmp_path / "sync.lock").read_text().strip() == str(os.getpid())


def test_release_is_idempotent_and_reacquiring_a_held_lock_is_a_bug(tmp_path: Path) -> None:
    lock = AccountLock(tmp_path)
    lock.release()  # nothing held: nothing happens
    lock.acquire()
    with pytest.raises(RuntimeError):
        lock.acquire()
    lock.release()
    lock.release()
    assert not lock.held


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                from clinicdesk.sync import AccountLock
                lock = AccountLock(Path({str(tmp_path)!r}))
                lock.acquire()
                print("held", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        text=True,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(LockBusyError):
            AccountLock(tmp_path).acquire()  # another process holds it
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    with AccountLock(tmp_path) as lock:  # the OS released it with the process
        assert lock.held
