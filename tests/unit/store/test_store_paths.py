"""Where caches live and how a cache's key is found."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from keyring.backends import fail

from clinicdesk.model.identity import account_id
from clinicdesk.session.credentials import CredentialStore, KeyringUnavailableError
from clinicdesk.store import (
    AccountPaths,
    CacheKey,
    CacheKeyMissingError,
    KeyFound,
    KeySource,
    PassphraseNeeded,
    default_data_dir,
    find_cache_key,
    open_account_cache,
)
from tests.fixtures.keyrings import MemoryKeyring, RaisingKeyring


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_data_dir_per_platform() -> None:
    home = Path("/home/jane")
    assert default_data_dir("linux", {}, home) == home / ".local/share/clinicdesk"
    assert default_data_dir("linux", {"XDG_DATA_HOME": "/data"}, home) == Path("/data/clinicdesk")
    # A relative XDG_DATA_HOME is invalid per the spec and ignored.
    assert default_data_dir("linux", {"XDG_DATA_HOME": "rel"}, home) == (
        home / ".local/share/clinicdesk"
    )
    assert default_data_dir("darwin", {}, home) == (home / "Library/Application Support/ClinicDesk")
    assert default_data_dir("win32", {"APPDATA": "C:/Users/jane/AppData/Roaming"}, home) == Path(
        "C:/Users/jane/AppData/Roaming/ClinicDesk"
    )


def test_account_folders_are_private(tmp_path: Path) -> None:
    paths = AccountPaths.for_account(tmp_path / "data", account_id("clinic.example", "jane"))
    paths.ensure()
    assert paths.directory.is_dir()
    assert _mode(paths.directory) == 0o700
    assert _mode(tmp_path / "data") == 0o700  # created by us
    with pytest.raises(ValueError, match="account id"):
        AccountPaths.for_account(tmp_path, "../escape")


def test_key_source_marker_round_trip(tmp_path: Path) -> None:
    paths = AccountPaths.for_account(tmp_path, "acct").ensure()
    assert paths.read_key_source() is None
    paths.write_key_source(KeySource.PASSPHRASE)
    assert paths.read_key_source() is KeySource.PASSPHRASE
    assert _mode(paths.key_source_file) == 0o600
    paths.key_source_file.write_text("garbage")
    assert paths.read_key_source() is None


def test_new_cache_gets_a_random_keyring_key_that_opens_it_next_time(tmp_path: Path) -> None:
    credentials = CredentialStore(backend=MemoryKeyring())
    paths = AccountPaths.for_account(tmp_path, "acct").ensure()
    found = find_cache_key(credentials, paths)
    assert isinstance(found, KeyFound) and found.created
    open_account_cache(paths, found.key).close()
    assert paths.read_key_source() is KeySource.KEYRING

    again = find_cache_key(credentials, paths)
    assert isinstance(again, KeyFound) and not again.created
    assert again.key == found.key
    # The key is in no file of the account's folder.
    raw = credentials.get_cache_key("acct")
    assert raw is not None
    for file in paths.directory.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert raw not in data and raw.hex().encode() not in data


def test_no_keyring_means_a_new_passphrase_then_asked_at_each_start(tmp_path: Path) -> None:
    credentials = CredentialStore(backend=fail.Keyring())
    paths = AccountPaths.for_account(tmp_path, "acct").ensure()
    need = find_cache_key(credentials, paths)
    assert isinstance(need, PassphraseNeeded) and need.new
    open_account_cache(paths, CacheKey.from_passphrase("correct horse battery")).close()
    assert paths.read_key_source() is KeySource.PASSPHRASE

    # Even once a keyring appears, a passphrase cache keeps asking for its passphrase.
    later = find_cache_key(CredentialStore(backend=MemoryKeyring()), paths)
    assert isinstance(later, PassphraseNeeded) and not later.new


def test_keyring_cache_whose_key_vanished_is_reported(tmp_path: Path) -> None:
    keyring_backend = MemoryKeyring()
    credentials = CredentialStore(backend=keyring_backend)
    paths = AccountPaths.for_account(tmp_path, "acct").ensure()
    found = find_cache_key(credentials, paths)
    assert isinstance(found, KeyFound)
    open_account_cache(paths, found.key).close()
    keyring_backend.items.clear()
    with pytest.raises(CacheKeyMissingError, match="not in the keyring"):
        find_cache_key(credentials, paths)
    locked = CredentialStore(backend=RaisingKeyring(OSError("bus gone")))
    with pytest.raises(KeyringUnavailableError):
        find_cache_key(locked, paths)


def test_cache_key_never_shows_its_secret() -> None:
    raw = CacheKey.from_bytes(bytes(range(32)))
    phrase = CacheKey.from_passphrase("my secret words")
    assert bytes(range(32)).hex() not in repr(raw) and "secret" not in repr(phrase)
    assert raw.sqlcipher_value() == f"x'{bytes(range(32)).hex()}'"
    assert phrase.sqlcipher_value() == "my secret words"
    assert raw != phrase and raw == CacheKey.from_bytes(bytes(range(32)))
    with pytest.raises(ValueError, match="32 bytes"):
        CacheKey.from_bytes(b"short")
    with pytest.raises(ValueError, match="passphrase"):
        CacheKey.from_passphrase("")
