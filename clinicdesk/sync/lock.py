"""One sync at a time per account: an OS file lock in the account's folder.

Two engines pushing the same outbox would send every change twice, so a round holds an exclusive
lock on ``<account folder>/sync.lock`` for its whole length. The lock is the operating system's
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows), not the file's existence: it is released
when the holder closes the file or dies, so a killed process (``kill -9``, a power cut) never
leaves a stale lock behind. Both kinds conflict between two handles of one process too, so two
engines in one app exclude each other as well as two app instances do.

The file also holds the holder's process id, for diagnostics only.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

logger = logging.getLogger(__name__)

LOCK_FILE_NAME = "sync.lock"


class LockBusyError(Exception):
    """Another sync of the same account holds the lock."""


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class AccountLock:
    """An exclusive, non-blocking lock for one account's sync.

    Use as a context manager::

        with AccountLock(cache.path.parent):
            ...  # the only sync of this account

    Args:
        folder: the account's folder (the cache file's folder).

    Raises:
        LockBusyError: (on entering) another sync holds it.
    """

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_FILE_NAME
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now."""
        return self._handle is not None

    def acquire(self) -> None:
        """Take the lock now or raise :class:`LockBusyError` (never waits)."""
        if self._handle is not None:
            raise RuntimeError("this lock is already held")
        # Opened for update without truncating: truncating a file another process has locked
        # would wipe its pid before we know whether we may take it.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+b")
        try:
            if not _try_lock(handle):
                raise LockBusyError("Another sync of this account is running.")
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n".encode("ascii"))
            handle.flush()
        except BaseException:
            handle.close()
            raise
        self._handle = handle

    def release(self) -> None:
        """Give the lock back (nothing happens when it is not held)."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            _unlock(handle)
        finally:
            handle.close()

    def __enter__(self) -> AccountLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
