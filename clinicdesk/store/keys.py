"""The key of a cache: a random 256-bit key from the keyring, or a passphrase typed at each start.

A raw key is handed to SQLCipher as ``x'<64 hex>'``, which SQLCipher uses as the encryption key
directly (no key derivation: opening a connection costs nothing). A passphrase goes through
SQLCipher's own key derivation (PBKDF2-HMAC-SHA512, 256,000 iterations, salted per file), about a
fifth of a second per connection on this class of machine.

The key is only ever in memory and in the keyring: never in a file, a log line, or a ``repr``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Protocol

from clinicdesk.model.errors import KeyringUnavailableError
from clinicdesk.store.errors import CacheKeyMissingError
from clinicdesk.store.paths import AccountPaths, KeySource


class CacheKeyHolder(Protocol):
    """Where the keyring keeps cache keys (:class:`clinicdesk.session.credentials.CredentialStore`).

    A protocol, so the store does not import the session room above it. Both methods raise
    :class:`~clinicdesk.model.errors.KeyringUnavailableError` when the keyring cannot be used.
    """

    def get_cache_key(self, account: str) -> bytes | None:
        """The account's cache key, or None when the keyring has none."""

    def set_cache_key(self, account: str, key: bytes) -> None:
        """Keep the account's cache key."""


logger = logging.getLogger(__name__)

KEY_BYTES = 32
#: Passphrases shorter than this are refused when a cache is created.
MIN_PASSPHRASE_LENGTH = 10


def new_cache_key() -> bytes:
    """A fresh random 256-bit cache key."""
    return secrets.token_bytes(KEY_BYTES)


class CacheKey:
    """The secret that unlocks one cache: either 32 raw bytes or a passphrase.

    The secret cannot be read back except as the value SQLCipher needs, and ``repr`` never shows
    it, so a key caught in a traceback or a log line does not leak.
    """

    __slots__ = ("_passphrase", "_raw")

    def __init__(self, *, raw: bytes | None = None, passphrase: str | None = None) -> None:
        if (raw is None) == (passphrase is None):
            raise ValueError("give either raw bytes or a passphrase")
        if raw is not None and len(raw) != KEY_BYTES:
            raise ValueError("a raw cache key is 32 bytes")
        if passphrase is not None and (not passphrase or "\x00" in passphrase):
            raise ValueError("a passphrase must be non-empty text without NUL characters")
        self._raw = raw
        self._passphrase = passphrase

    @classmethod
    def from_bytes(cls, raw: bytes) -> CacheKey:
        """A raw 256-bit key (from the keyring)."""
        return cls(raw=raw)

    @classmethod
    def from_passphrase(cls, passphrase: str) -> CacheKey:
        """A passphrase the user typed."""
        return cls(passphrase=passphrase)

    @property
    def is_passphrase(self) -> bool:
        """True for a passphrase, False for a raw key."""
        return self._passphrase is not None

    @property
    def source(self) -> KeySource:
        """Where a key of this kind is kept."""
        return KeySource.PASSPHRASE if self.is_passphrase else KeySource.KEYRING

    def sqlcipher_value(self) -> str:
        """The text SQLCipher's ``PRAGMA key`` / ``ATTACH ... KEY`` expects.

        ``x'<hex>'`` for a raw key (SQLCipher's raw-key syntax), the passphrase itself otherwise.
        The caller quotes it.
        """
        if self._raw is not None:
            return f"x'{self._raw.hex()}'"
        assert self._passphrase is not None
        return self._passphrase

    def __repr__(self) -> str:
        return f"CacheKey(<{'passphrase' if self.is_passphrase else 'raw 256-bit key'}>)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CacheKey):
            return NotImplemented
        return secrets.compare_digest(self.sqlcipher_value(), other.sqlcipher_value())

    def __hash__(self) -> int:
        return hash(self.is_passphrase)


@dataclass(frozen=True, slots=True)
class KeyFound:
    """The key is ready (from the keyring).

    Attributes:
        key: the key.
        created: True when it was made now for a new cache.
    """

    key: CacheKey
    created: bool


@dataclass(frozen=True, slots=True)
class PassphraseNeeded:
    """The user must type a passphrase.

    Attributes:
        new: True when there is no cache yet (ask twice, and for at least
            :data:`MIN_PASSPHRASE_LENGTH` characters); False to unlock an existing one.
        reason: why no keyring key is used, for the dialog ("No secure keyring is available").
    """

    new: bool
    reason: str


def find_cache_key(credentials: CacheKeyHolder, paths: AccountPaths) -> KeyFound | PassphraseNeeded:
    """Decide how the account's cache is unlocked, making a keyring key for a new cache.

    - New cache: make a random key and keep it in the keyring; when no keyring works, the user
      chooses a passphrase instead.
    - Existing cache made with a passphrase (recorded in ``key-source``): ask for it, even if a
      keyring has appeared since.
    - Existing cache made with a keyring key: take it from the keyring; when the keyring cannot
      be used now, or holds no key for it, raise (the caller offers to unlock the keyring, or to
      start a fresh cache, losing changes not yet sent).

    Args:
        credentials: the keyring wrapper.
        paths: the account's files.

    Raises:
        CacheKeyMissingError: the cache exists, was made with a keyring key, and the keyring has
            none for it.
        KeyringUnavailableError: the cache was made with a keyring key and the keyring cannot be
            used now.
    """
    account = paths.directory.name
    exists = paths.cache_file.exists() and paths.cache_file.stat().st_size > 0
    source = paths.read_key_source()

    if not exists:
        try:
            key = new_cache_key()
            credentials.set_cache_key(account, key)
        except KeyringUnavailableError as error:
            return PassphraseNeeded(new=True, reason=error.message)
        paths.write_key_source(KeySource.KEYRING)
        return KeyFound(CacheKey.from_bytes(key), created=True)

    if source is KeySource.PASSPHRASE:
        return PassphraseNeeded(new=False, reason="This cache is protected by a passphrase.")

    try:
        stored = credentials.get_cache_key(account)
    except KeyringUnavailableError as error:
        if source is None:
            # Nothing recorded (marker lost): a passphrase is the only other possibility.
            return PassphraseNeeded(new=False, reason=error.message)
        raise
    if stored is None:
        if source is None:
            return PassphraseNeeded(new=False, reason="No key for this cache is in the keyring.")
        raise CacheKeyMissingError(
            "The key of this account's offline copy is not in the keyring any more. The copy"
            " cannot be opened; it can be replaced by a fresh one from the site, but changes not"
            " yet sent would be lost."
        )
    return KeyFound(CacheKey.from_bytes(stored), created=False)
