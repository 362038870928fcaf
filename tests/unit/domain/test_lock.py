"""The unlock passphrase: a salted scrypt hash, a constant-time check, no plain copy."""

from __future__ import annotations

import base64
import hmac
import time

import pytest

from clinicdesk.domain import lock
from clinicdesk.domain.lock import (
    MIN_PASSPHRASE_LENGTH,
    PassphraseTooShortError,
    hash_passphrase,
    is_valid_hash,
    verify_passphrase,
)

PASSPHRASE = "correct horse battery"


def _cheap(passphrase: str) -> str:
    return hash_passphrase(passphrase, log2_n=4, r=1)


def test_the_default_cost_hash_verifies_and_is_slow_on_purpose() -> None:
    start = time.perf_counter()
    stored = hash_passphrase(PASSPHRASE)
    seconds = time.perf_counter() - start
    print(f"\nscrypt n=2**{lock.DEFAULT_LOG2_N}, r={lock.DEFAULT_R}: {seconds * 1000:.0f} ms")
    assert stored.startswith(f"scrypt${lock.DEFAULT_LOG2_N}${lock.DEFAULT_R}$1$")
    assert verify_passphrase(PASSPHRASE, stored)
    assert not verify_passphrase(PASSPHRASE + "!", stored)


def test_the_hash_holds_no_plain_copy_and_is_salted() -> None:
    first, second = _cheap(PASSPHRASE), _cheap(PASSPHRASE)
    assert first != second  # a new salt each time
    for stored in (first, second):
        assert PASSPHRASE not in stored
        decoded = b"".join(base64.b64decode(part + "==") for part in stored.split("$")[4:])
        assert PASSPHRASE.encode() not in decoded
        assert verify_passphrase(PASSPHRASE, stored)
    salt = base64.b64decode(first.split("$")[4])
    assert len(salt) == 16


@pytest.mark.parametrize(
    "wrong", ["", "correct horse batter", "CORRECT HORSE BATTERY", " " + PASSPHRASE]
)
def test_other_passphrases_do_not_verify(wrong: str) -> None:
    assert not verify_passphrase(wrong, _cheap(PASSPHRASE))


def test_the_check_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert verify_passphrase(PASSPHRASE, _cheap(PASSPHRASE))
    assert len(calls) == 1 and len(calls[0][0]) == len(calls[0][1]) == 32


def test_short_passphrases_are_refused() -> None:
    with pytest.raises(PassphraseTooShortError):
        hash_passphrase("x" * (MIN_PASSPHRASE_LENGTH - 1))
    assert verify_passphrase("x" * MIN_PASSPHRASE_LENGTH, _cheap("x" * MIN_PASSPHRASE_LENGTH))


@pytest.mark.parametrize(
    "stored",
    [
        "",
        PASSPHRASE,
        "scrypt$15$8$1$not base64!$AAAA",
        "bcrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,
        "scrypt$40$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=",  # absurd cost
        "scrypt$15$8$1$AAAA$" + "A" * 43 + "=",  # salt too short
    ],
)
def test_damaged_or_foreign_hashes_never_match(stored: str) -> None:
    assert not is_valid_hash(stored)
    assert not verify_passphrase(PASSPHRASE, stored)


def test_a_valid_hash_is_recognised() -> None:
    assert is_valid_hash(_cheap(PASSPHRASE))
    assert not is_valid_hash(None)


def test_out_of_range_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="range"):
        hash_passphrase(PASSPHRASE, log2_n=30)
