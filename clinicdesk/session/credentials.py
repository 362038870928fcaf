"""The OS keyring, wrapped: application passwords and cache keys, and nothing in plaintext.

Items live under one service name (``ClinicDesk``):

- ``app-password:<user>@<site>``: the WordPress application password of a user on a site;
- ``cache-key:<account id>``: the 256-bit key of that account's encrypted cache (hex).

Every way the keyring can fail (no backend, locked, D-Bus gone, backend init failure) comes out as
one :class:`KeyringUnavailableError` with a plain message, so the caller has a single thing to
handle: fall back to asking for a passphrase, or tell the user to unlock their keyring.

Backends that would keep secrets in a file merely encoded (``keyrings.alt``'s plaintext and base64
file backends, and the rest of that package) and the ``fail``/``null`` backends count as "no
keyring": a secret is never written somewhere it is not protected.
"""

from __future__ import annotations

import logging
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from clinicdesk.model.errors import KeyringUnavailableError as KeyringUnavailableError
from clinicdesk.model.identity import normalize_site

logger = logging.getLogger(__name__)

#: The keyring service name every item is stored under.
SERVICE = "ClinicDesk"

_CACHE_KEY_BYTES = 32

#: Backend modules that never count as a keyring: they fail, forget, or store secrets in a file
#: (plaintext, base64, or encrypted with a password asked on the console, which a GUI cannot do).
_REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def _module_of(backend: object) -> str:
    return type(backend).__module__


def _is_refused(backend: object) -> bool:
    module = _module_of(backend)
    return any(module == m or module.startswith(m + ".") for m in _REFUSED_MODULES)


def _describe(backend: object) -> str:
    name = getattr(backend, "name", None)
    return str(name) if name else f"{_module_of(backend)}.{type(backend).__name__}"


def usable_backend(backend: KeyringBackend | None = None) -> KeyringBackend | None:
    """The backend secrets would really go to, or None when there is no acceptable one.

    A chainer backend (several keyrings tried in turn) is resolved to its first acceptable member,
    so a refused member can never be written to as a fallback.

    Args:
        backend: the backend to judge; keyring's current one (``keyring.get_keyring()``) when None.
    """
    chosen = keyring.get_keyring() if backend is None else backend
    members: Any = getattr(chosen, "backends", None)
    if members is not None and _module_of(chosen) == "keyring.backends.chainer":
        for member in members:
            if not _is_refused(member):
                return member  # type: ignore[no-any-return]
        return None
    return None if _is_refused(chosen) else chosen


class CredentialStore:
    """Get, set and delete ClinicDesk's secrets in the OS keyring.

    The backend is looked up on every call (keyring caches it), so a backend chosen again after a
    D-Bus session came up, or set by a test with ``keyring.set_keyring``, is used at once.

    Args:
        service: the service name items are stored under.
        backend: a fixed backend to use instead of keyring's current one (tests).
    """

    def __init__(self, service: str = SERVICE, backend: KeyringBackend | None = None) -> None:
        self._service = service
        self._backend = backend

    # -- the backend -------------------------------------------------------------------------

    def _require_backend(self) -> KeyringBackend:
        try:
            backend = usable_backend(self._backend)
        except (keyring.errors.KeyringError, OSError) as error:
            raise self._unavailable(error) from None
        if backend is None:
            raise KeyringUnavailableError(
                "No secure keyring is available on this computer (such as GNOME Keyring, KWallet,"
                " the macOS Keychain or the Windows Credential Manager)."
            )
        return backend

    @staticmethod
    def _unavailable(error: BaseException) -> KeyringUnavailableError:
        # The exception text of some backends can quote the item; log only its type.
        logger.warning("keyring failed: %s", type(error).__name__)
        if isinstance(error, keyring.errors.KeyringLocked):
            message = "The keyring is locked. Unlock it and try again."
        elif isinstance(error, keyring.errors.NoKeyringError):
            message = "No secure keyring is available on this computer."
        elif isinstance(error, OSError):
            message = "The keyring service stopped answering. Sign in to your desktop again."
        else:
            message = "The keyring could not be used."
        return KeyringUnavailableError(message)

    def is_available(self) -> bool:
        """True when an acceptable keyring backend is selected (it may still be locked)."""
        try:
            self._require_backend()
        except KeyringUnavailableError:
            return False
        return True

    def backend_name(self) -> str | None:
        """A name of the keyring in use to show the user (``SecretService Keyring``), or None."""
        try:
            return _describe(self._require_backend())
        except KeyringUnavailableError:
            return None

    # -- raw items ---------------------------------------------------------------------------

    def _get(self, item: str) -> str | None:
        backend = self._require_backend()
        try:
            value = backend.get_password(self._service, item)
        except (keyring.errors.KeyringError, OSError) as error:
            raise self._unavailable(error) from None
        return value if isinstance(value, str) else None

    def _set(self, item: str, secret: str) -> None:
        backend = self._require_backend()
        try:
            backend.set_password(self._service, item, secret)
        except (keyring.errors.KeyringError, OSError) as error:
            raise self._unavailable(error) from None

    def _delete(self, item: str) -> bool:
        backend = self._require_backend()
        try:
            backend.delete_password(self._service, item)
        except keyring.errors.PasswordDeleteError:
            return False  # there was nothing to delete
        except (keyring.errors.KeyringError, OSError) as error:
            raise self._unavailable(error) from None
        return True

    # -- application passwords ---------------------------------------------------------------

    @staticmethod
    def app_password_item(site_url: str, username: str) -> str:
        """The item name of a user's application password on a site."""
        return f"app-password:{username.strip()}@{normalize_site(site_url)}"

    def get_app_password(self, site_url: str, username: str) -> str | None:
        """The stored application password, or None when none is stored.

        Raises:
            KeyringUnavailableError: no usable keyring.
        """
        return self._get(self.app_password_item(site_url, username))

    def set_app_password(self, site_url: str, username: str, password: str) -> None:
        """Store (or replace) an application password.

        Raises:
            KeyringUnavailableError: no usable keyring.
        """
        if not password:
            raise ValueError("empty password")
        self._set(self.app_password_item(site_url, username), password)

    def delete_app_password(self, site_url: str, username: str) -> bool:
        """Forget an application password; False when none was stored.

        Raises:
            KeyringUnavailableError: no usable keyring.
        """
        return self._delete(self.app_password_item(site_url, username))

    # -- cache keys --------------------------------------------------------------------------

    @staticmethod
    def cache_key_item(account: str) -> str:
        """The item name of an account's cache key."""
        return f"cache-key:{account}"

    def get_cache_key(self, account: str) -> bytes | None:
        """The account's 32-byte cache key, or None when none is stored (or it is malformed).

        Raises:
            KeyringUnavailableError: no usable keyring.
        """
        value = self._get(self.cache_key_item(account))
        if value is None:
            return None
        try:
            key = bytes.fromhex(value)
        except ValueError:
            logger.warning("the stored cache key is not hex; ignoring it")
            return None
        if len(key) != _CACHE_KEY_BYTES:
            logger.warning("the stored cache key has the wrong length; ignoring it")
            return None
        return key

    def set_cache_key(self, account: str, key: bytes) -> None:
        """Store the account's cache key (as hex: keyrings hold text).

        The key is read back afterwards: a backend that "stored" it somewhere it cannot give it
        back would otherwise leave a cache nobody can open.

        Raises:
            KeyringUnavailableError: no usable keyring, or it did not keep the key.
        """
        if len(key) != _CACHE_KEY_BYTES:
            raise ValueError("a cache key is 32 bytes")
        self._set(self.cache_key_item(account), key.hex())
        if self.get_cache_key(account) != key:
            raise KeyringUnavailableError("The keyring did not keep the cache key.")

    def delete_cache_key(self, account: str) -> bool:
        """Forget the account's cache key; False when none was stored.

        Raises:
            KeyringUnavailableError: no usable keyring.
        """
        return self._delete(self.cache_key_item(account))
