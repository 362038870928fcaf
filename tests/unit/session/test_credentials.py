"""The keyring wrapper: secrets in, secrets out, every failure one error, no plaintext backends."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from clinicdesk.session.credentials import SERVICE, CredentialStore, KeyringUnavailableError
from tests.fixtures.keyrings import MemoryKeyring, RaisingKeyring


class ForgetfulKeyring(MemoryKeyring):
    """Accepts a secret and keeps nothing."""

    def set_password(self, service: str, username: str, password: str) -> None:
        pass


class PlaintextFileKeyring(MemoryKeyring):
    """Stands for keyrings.alt's file backend (base64 in a file): must be refused."""


PlaintextFileKeyring.__module__ = "keyrings.alt.file"


class FakeChainer(MemoryKeyring):
    """Stands for keyring's chainer: tries its members in turn."""

    def __init__(self, members: list[KeyringBackend]) -> None:
        super().__init__()
        self.backends = members


FakeChainer.__module__ = "keyring.backends.chainer"


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    """keyring's global backend set to a fresh in-memory one, restored afterwards."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_app_password_round_trip_under_one_service(memory: MemoryKeyring) -> None:
    store = CredentialStore()
    assert store.get_app_password("https://Clinic.Example/", "jane") is None
    store.set_app_password("https://Clinic.Example/", "jane", "abcd efgh ijkl mnop qrst uvwx")
    # Same site written differently: same item.
    assert store.get_app_password("clinic.example", "jane") == "abcd efgh ijkl mnop qrst uvwx"
    assert set(memory.items) == {(SERVICE, "app-password:jane@clinic.example")}
    assert store.delete_app_password("clinic.example", "jane") is True
    assert store.delete_app_password("clinic.example", "jane") is False
    assert store.get_app_password("clinic.example", "jane") is None


def test_cache_key_is_stored_as_hex_and_read_back_as_bytes(memory: MemoryKeyring) -> None:
    store = CredentialStore()
    key = bytes(range(32))
    store.set_cache_key("clinic-jane-1234abcd", key)
    assert memory.items[(SERVICE, "cache-key:clinic-jane-1234abcd")] == key.hex()
    assert store.get_cache_key("clinic-jane-1234abcd") == key
    assert store.delete_cache_key("clinic-jane-1234abcd") is True
    assert store.get_cache_key("clinic-jane-1234abcd") is None


def test_malformed_stored_cache_key_is_ignored(memory: MemoryKeyring) -> None:
    memory.items[(SERVICE, "cache-key:a")] = "not hex"
    memory.items[(SERVICE, "cache-key:b")] = "abcd"
    store = CredentialStore()
    assert store.get_cache_key("a") is None
    assert store.get_cache_key("b") is None


def test_wrong_length_keys_and_empty_passwords_are_refused(memory: MemoryKeyring) -> None:
    store = CredentialStore()
    with pytest.raises(ValueError, match="32 bytes"):
        store.set_cache_key("a", b"short")
    with pytest.raises(ValueError, match="empty"):
        store.set_app_password("clinic.example", "jane", "")


def test_a_keyring_that_does_not_keep_the_key_is_unavailable() -> None:
    store = CredentialStore(backend=ForgetfulKeyring())
    with pytest.raises(KeyringUnavailableError, match="did not keep"):
        store.set_cache_key("a", bytes(32))


def test_fail_backend_is_no_keyring() -> None:
    store = CredentialStore(backend=fail.Keyring())
    assert store.is_available() is False
    assert store.backend_name() is None
    with pytest.raises(KeyringUnavailableError, match="No secure keyring"):
        store.get_app_password("clinic.example", "jane")
    with pytest.raises(KeyringUnavailableError):
        store.set_cache_key("a", bytes(32))


def test_plaintext_file_backend_is_refused_and_never_written() -> None:
    plaintext = PlaintextFileKeyring()
    store = CredentialStore(backend=plaintext)
    assert store.is_available() is False
    with pytest.raises(KeyringUnavailableError):
        store.set_app_password("clinic.example", "jane", "secret")
    assert plaintext.items == {}


def test_chainer_uses_its_first_acceptable_member_only() -> None:
    plaintext = PlaintextFileKeyring()
    secure = MemoryKeyring()
    store = CredentialStore(backend=FakeChainer([plaintext, secure]))
    store.set_app_password("clinic.example", "jane", "secret")
    assert plaintext.items == {}
    assert secure.items == {(SERVICE, "app-password:jane@clinic.example"): "secret"}
    assert store.backend_name() == secure.name


def test_chainer_of_refused_members_only_is_no_keyring() -> None:
    store = CredentialStore(backend=FakeChainer([PlaintextFileKeyring(), fail.Keyring()]))
    assert store.is_available() is False


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (keyring.errors.KeyringLocked("locked"), "locked"),
        (keyring.errors.NoKeyringError("none"), "No secure keyring"),
        (keyring.errors.InitError("init"), "could not be used"),
        (keyring.errors.KeyringError("other"), "could not be used"),
        (FileNotFoundError(2, "No such file", "/run/user/0/bus"), "stopped answering"),
        (OSError("D-Bus went away"), "stopped answering"),
    ],
)
def test_every_failure_becomes_one_error_with_a_plain_message(
    error: BaseException, message: str
) -> None:
    store = CredentialStore(backend=RaisingKeyring(error))
    for call in (
        lambda: store.get_app_password("clinic.example", "jane"),
        lambda: store.set_app_password("clinic.example", "jane", "pw-not-in-message"),
        lambda: store.delete_app_password("clinic.example", "jane"),
        lambda: store.get_cache_key("a"),
    ):
        with pytest.raises(KeyringUnavailableError, match=message) as caught:
            call()
        assert "pw-not-in-message" not in str(caught.value)
        assert caught.value.__cause__ is None  # the backend's text is not chained along


def test_backend_name_names_the_keyring_in_use(memory: MemoryKeyring) -> None:
    store = CredentialStore()
    assert store.is_available() is True
    assert store.backend_name() == memory.name


def test_global_backend_is_looked_up_on_every_call(memory: MemoryKeyring) -> None:
    store = CredentialStore()
    store.set_app_password("clinic.example", "jane", "one")
    other = MemoryKeyring()
    keyring.set_keyring(other)
    assert store.get_app_password("clinic.example", "jane") is None
    keyring.set_keyring(memory)
    assert store.get_app_password("clinic.example", "jane") == "one"


def test_the_test_keyrings_are_never_chosen_by_keyring_itself() -> None:
    # keyring picks the process's default among every KeyringBackend subclass it deems viable:
    # a test keyring it may pick (a forgetful one...) would become the keyring of later tests
    # in the same run, which then find no password where the app saved one.
    chosen = keyring.backend.get_all_keyring()
    assert not [ring for ring in chosen if isinstance(ring, MemoryKeyring)], chosen
