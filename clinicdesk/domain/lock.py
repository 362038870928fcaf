"""The unlock passphrase of the Inquiries tab: a salted, slow hash and a constant-time check.

Only the result of :func:`hash_passphrase` is ever stored (the app keeps it in its settings); the
passphrase itself is never written anywhere. The hash is scrypt (memory-hard, in the standard
library) with a random 16-byte salt, stored with its parameters so they can be raised later
without breaking existing hashes::

    scrypt$<log2 n>$<r>$<p>$<salt, base64>$<hash, base64>

This lock hides inquiries from someone passing by an unattended computer; the cache itself is
protected by its own key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

#: Shorter passphrases are refused.
MIN_PASSPHRASE_LENGTH = 6

#: scrypt cost: n = 2**15, r = 8 (32 MiB, about 0.1 s on a laptop), p = 1.
DEFAULT_LOG2_N = 15
DEFAULT_R = 8
DEFAULT_P = 1
_SALT_BYTES = 16
_HASH_BYTES = 32
_SCHEME = "scrypt"
# Highest cost accepted from a stored hash: a tampered settings file must not make the app
# allocate gigabytes.
_MAX_LOG2_N = 20
_MAX_R = 16
_MAX_P = 4


class PassphraseTooShortError(ValueError):
    """The passphrase is shorter than :data:`MIN_PASSPHRASE_LENGTH`."""


@dataclass(frozen=True, slots=True)
class _Parsed:
    log2_n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    return hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        # scrypt needs 128 * n * r bytes; allow that plus room for OpenSSL's bookkeeping.
        maxmem=128 * n * r * (p + 1) + (1 << 20),
        dklen=_HASH_BYTES,
    )


def hash_passphrase(
    passphrase: str,
    *,
    log2_n: int = DEFAULT_LOG2_N,
    r: int = DEFAULT_R,
    p: int = DEFAULT_P,
) -> str:
    """A salted scrypt hash of ``passphrase``, as text to store.

    Args:
        passphrase: what the user chose.
        log2_n: scrypt's cost as a power of two (tests use less to run fast).
        r: scrypt's block size.
        p: scrypt's parallelism.

    Raises:
        PassphraseTooShortError: fewer than :data:`MIN_PASSPHRASE_LENGTH` characters.
    """
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise PassphraseTooShortError(
            f"the passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters"
        )
    if not (1 <= log2_n <= _MAX_LOG2_N and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        raise ValueError("scrypt parameters out of range")
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _derive(passphrase, salt, log2_n, r, p)
    return "$".join(
        (
            _SCHEME,
            str(log2_n),
            str(r),
            str(p),
            base64.b64encode(salt).decode("ascii"),
            base64.b64encode(digest).decode("ascii"),
        )
    )


def _parse(stored: str) -> _Parsed | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    try:
        log2_n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if not (1 <= log2_n <= _MAX_LOG2_N and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        return None
    if len(salt) < 8 or len(digest) != _HASH_BYTES:
        return None
    return _Parsed(log2_n, r, p, salt, digest)


def is_valid_hash(stored: str | None) -> bool:
    """Whether ``stored`` is a hash :func:`verify_passphrase` can check (e.g. from settings)."""
    return stored is not None and _parse(stored) is not None


def verify_passphrase(passphrase: str, stored: str) -> bool:
    """Whether ``passphrase`` is the one ``stored`` was made from.

    The comparison takes the same time wherever the digests differ. A damaged or unknown
    ``stored`` value never matches.
    """
    parsed = _parse(stored)
    if parsed is None:
        return False
    digest = _derive(passphrase, parsed.salt, parsed.log2_n, parsed.r, parsed.p)
    return hmac.compare_digest(digest, parsed.digest)
