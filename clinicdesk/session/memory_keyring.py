"""A keyring that keeps secrets in this process's memory only: the demo's. No Qt.

``python main.py --demo`` must work on a machine with no OS keyring, and a throw-away demo has no
business writing into the user's real keyring. Its application password and cache key live here
and vanish with the process.
"""

from __future__ import annotations

import threading

import keyring.errors
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict, behind a lock (the sync worker reads them too).

    Never chosen by keyring on its own: it declares no ``priority`` (the base class's raises),
    which keyring reads as "not viable", so defining it cannot make the process's default keyring
    a forgetful one.
    """

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._items: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if self._items.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError("no such item")
