"""Where each account's cache lives, and files only its user can read.

One folder per account under the platform's app-data folder (or the folder given with
``--data-dir``)::

    <data dir>/accounts/<account id>/cache.db        the encrypted cache (+ -wal, -shm)
    <data dir>/accounts/<account id>/backups/        copies made before each schema migration
    <data dir>/accounts/<account id>/key-source      "keyring" or "passphrase" (never the key)

Folders are created ``0700`` and files ``0600``: the cache is encrypted, but its size, its
timestamps and the account's name are nobody else's business either.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

#: The folder name under the platform's app-data folder.
APP_FOLDER = {"linux": "clinicdesk", "darwin": "ClinicDesk", "win32": "ClinicDesk"}

#: What an account's folder may be named: lower-case letters, digits and ``. _ -``, neither
#: starting nor ending with punctuation (so never ``..``, a hidden folder or a path), as
#: :func:`clinicdesk.model.identity.account_id` makes them.
_FOLDER_NAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,198}[a-z0-9])?")
_DIR_MODE = 0o700
_FILE_MODE = 0o600


def default_data_dir(
    platform: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Path:
    """The platform's per-user app-data folder for ClinicDesk.

    Args:
        platform: ``sys.platform`` by default (given in tests).
        environ: ``os.environ`` by default.
        home: the user's home folder, ``Path.home()`` by default.

    Returns:
        ``$XDG_DATA_HOME/clinicdesk`` (default ``~/.local/share/clinicdesk``) on Linux and other
        Unix-likes, ``~/Library/Application Support/ClinicDesk`` on macOS,
        ``%APPDATA%\\ClinicDesk`` on Windows.
    """
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_FOLDER["darwin"]
    if platform == "win32":
        appdata = environ.get("APPDATA")
        base = Path(appdata) if appdata else home / "AppData" / "Roaming"
        return base / APP_FOLDER["win32"]
    xdg = environ.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / APP_FOLDER["linux"]


def ensure_private_dir(path: Path, *, tighten: bool = False) -> Path:
    """Create ``path`` and its missing parents with mode ``0700``.

    Args:
        path: the folder.
        tighten: also set ``0700`` on an existing folder. Off by default: a ``--data-dir`` the
            user chose may be a folder whose mode is theirs to decide.

    Returns:
        ``path``.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True, mode=_DIR_MODE)
    if os.name == "posix":
        # mkdir's mode is filtered by the umask; set it exactly on what we created.
        for created in missing:
            os.chmod(created, _DIR_MODE)
        if tighten:
            os.chmod(path, _DIR_MODE)
    return path


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode ``0600`` unless it exists; tighten its mode if it does.

    SQLite gives the ``-wal`` and ``-shm`` files the mode of the database file, so creating the
    database file ourselves first is what keeps all three private (no process-wide umask games).

    Args:
        path: the file.

    Returns:
        True when the file was created now.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
    except FileExistsError:
        if os.name == "posix":
            os.chmod(path, _FILE_MODE)
        return False
    os.close(fd)
    return True


class KeySource(Enum):
    """Where the key of an account's cache comes from (recorded beside it; never the key)."""

    KEYRING = "keyring"
    PASSPHRASE = "passphrase"  # noqa: S105 (a marker naming the kind, not a secret)


@dataclass(frozen=True, slots=True)
class AccountPaths:
    """The files of one account's cache.

    Attributes:
        directory: the account's folder.
    """

    directory: Path

    @classmethod
    def for_account(cls, data_dir: Path | None, account: str) -> AccountPaths:
        """The paths of ``account`` under ``data_dir`` (the platform default when None).

        Args:
            data_dir: the folder given with ``--data-dir``, or None.
            account: the account's id (:func:`clinicdesk.model.identity.account_id`).

        Raises:
            ValueError: ``account`` is not a safe folder name.
        """
        if not _FOLDER_NAME.fullmatch(account):
            raise ValueError("not an account id")
        root = default_data_dir() if data_dir is None else data_dir
        return cls(root / "accounts" / account)

    @property
    def cache_file(self) -> Path:
        """The encrypted cache database."""
        return self.directory / "cache.db"

    @property
    def backup_dir(self) -> Path:
        """Where copies are written before migrations."""
        return self.directory / "backups"

    @property
    def key_source_file(self) -> Path:
        """The marker saying whether the key is in the keyring or typed as a passphrase."""
        return self.directory / "key-source"

    def ensure(self) -> AccountPaths:
        """Create the account's folders (``0700``); returns self."""
        ensure_private_dir(self.directory, tighten=True)
        return self

    def read_key_source(self) -> KeySource | None:
        """The recorded key source, or None when none was recorded (or it is unreadable)."""
        try:
            return KeySource(self.key_source_file.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None

    def write_key_source(self, source: KeySource) -> None:
        """Record where the key comes from (mode ``0600``)."""
        self.ensure()
        create_private_file(self.key_source_file)
        self.key_source_file.write_text(source.value + "\n", encoding="ascii")
