"""Signing in from the dialog: success, each failure the user can act on, and the keyring."""

from __future__ import annotations

from pathlib import Path

import keyring.errors
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from clinicdesk.model.identity import account_id
from clinicdesk.session.accounts import DataDir, SettingsStore
from clinicdesk.session.credentials import CredentialStore
from clinicdesk.session.memory_keyring import MemoryKeyring
from clinicdesk.session.signin import SignInProblem
from clinicdesk.store import AccountPaths
from clinicdesk.ui.dialogs.passphrase import PassphraseDialog
from clinicdesk.ui.dialogs.signin import SignInDialog
from clinicdesk.ui.sync_worker import SyncState
from tests.fixtures.desktop import (
    MakeController,
    all_file_bytes,
    fill_and_submit,
    sign_in_dialog,
    wait_for_window,
    wait_until_round_ends,
)
from tests.fixtures.secret_service import SecretService
from tests.fixtures.site import SiteUnderTest


def failure_text(qtbot: QtBot, dialog: SignInDialog) -> str:
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30_000)
    assert not dialog.busy.isVisible()
    assert dialog.sign_in_button.isEnabled(), "the user can correct and try again"
    return dialog.error.text()


def test_first_start_explains_application_passwords_and_opens_the_window(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
    data: DataDir,
) -> None:
    user, password = site.auth("administrator")
    controller = make_controller(memory_credentials)
    controller.start()

    dialog = sign_in_dialog(qtbot, controller)
    help_text = dialog.findChild(type(dialog.error), "signInHelp")
    assert help_text is not None
    assert "Users > Profile" in help_text.text()
    assert "Application Passwords" in help_text.text()
    assert not dialog.keyring_warning.isVisible(), "a working keyring needs no warning"

    fill_and_submit(dialog, site.url, user, password)
    window = wait_for_window(qtbot, controller)
    assert controller.dialog is None

    # The account (no secret) is remembered; the password went to the keyring.
    settings = SettingsStore(data).load()
    assert settings.current is not None
    assert (settings.current.site_url, settings.current.username) == (site.url, user)
    assert memory_credentials.get_app_password(site.url, user) == password
    assert password not in data.settings_file.read_text()

    # The first round fills the offline copy; the Posts tab lists what it brought.
    wait_until_round_ends(qtbot, window)
    assert window.sync.status.state is SyncState.SYNCED
    posts = window.session.cache.posts.counts()["all"]
    assert posts > 0
    assert window.posts_tab is not None
    assert window.posts_tab.count_label.text() == f"{posts} posts"
    # What the site said about the user is kept with the account (the tabs need it offline).
    assert settings.current.user_id > 0
    assert "edit_posts" in settings.current.capabilities
    assert settings.current.has_plugin


def test_each_failure_has_its_own_plain_message(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
    closed_port: int,
    html_site: str,
    self_signed_site: str,
    data: DataDir,
) -> None:
    user, password = site.auth("administrator")
    controller = make_controller(memory_credentials)
    controller.start()
    dialog = sign_in_dialog(qtbot, controller)

    attempts = {
        SignInProblem.UNREACHABLE: (f"http://127.0.0.1:{closed_port}", password),
        SignInProblem.NOT_WORDPRESS: (html_site, password),
        SignInProblem.WRONG_PASSWORD: (site.url, "abcd efgh ijkl mnop qrst uvwx"),
        SignInProblem.INSECURE_HTTP: ("http://clinic.example", password),
        SignInProblem.CERTIFICATE: (self_signed_site, password),
    }
    shown: dict[SignInProblem, str] = {}
    for problem, (address, secret) in attempts.items():
        fill_and_submit(dialog, address, user, secret)
        shown[problem] = failure_text(qtbot, dialog)
        assert shown[problem] == dialog.problem_text(problem), problem

    assert len(set(shown.values())) == len(shown), "every failure reads differently"
    assert "could not be reached" in shown[SignInProblem.UNREACHABLE]
    assert "WordPress" in shown[SignInProblem.NOT_WORDPRESS]
    assert "REST API" in shown[SignInProblem.NOT_WORDPRESS]
    assert "username or Application Password is wrong" in shown[SignInProblem.WRONG_PASSWORD]
    assert "http://" in shown[SignInProblem.INSECURE_HTTP]
    assert "unencrypted" in shown[SignInProblem.INSECURE_HTTP]
    assert "certificate" in shown[SignInProblem.CERTIFICATE]
    # The cursor goes where the fix is.
    assert dialog.password_edit.hasFocus() or dialog.site_edit.hasFocus()

    # Nothing was saved for any failed attempt.
    assert controller.window is None
    assert SettingsStore(data).load().accounts == []
    assert memory_credentials.get_app_password(site.url, user) is None
    assert not (data.root / "accounts").exists()


def test_the_last_account_opens_without_asking(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
) -> None:
    user, password = site.auth("editor")
    first = make_controller(memory_credentials)
    first.start()
    fill_and_submit(sign_in_dialog(qtbot, first), site.url, user, password)
    wait_until_round_ends(qtbot, wait_for_window(qtbot, first))
    first.shutdown()

    again = make_controller(memory_credentials)
    again.start()
    window = wait_for_window(qtbot, again)
    assert again.dialog is None, "no dialog: the keyring had the password"
    assert window.session.account.username == user
    assert window.session.password_saved


def test_without_a_keyring_it_signs_in_and_asks_again_next_start(
    qtbot: QtBot,
    make_controller: MakeController,
    no_keyring: CredentialStore,
    site: SiteUnderTest,
    data: DataDir,
) -> None:
    user, password = site.auth("administrator")
    passphrase = "correct horse battery staple"
    controller = make_controller(no_keyring)
    controller.start()
    dialog = sign_in_dialog(qtbot, controller)
    assert dialog.keyring_warning.isVisible()
    assert "ask for it each time it starts" in dialog.keyring_warning.text()
    fill_and_submit(dialog, site.url, user, password)

    # No keyring for the cache key either: the user chooses a passphrase (twice).
    qtbot.waitUntil(lambda: isinstance(controller.dialog, PassphraseDialog), timeout=30_000)
    choose = controller.dialog
    assert isinstance(choose, PassphraseDialog) and choose.new
    choose.passphrase_edit.setText("too short")
    choose.confirm_edit.setText("too short")
    choose.ok_button.click()
    assert "at least 10 characters" in choose.error.text()
    choose.passphrase_edit.setText(passphrase)
    choose.confirm_edit.setText(passphrase)
    choose.ok_button.click()

    window = wait_for_window(qtbot, controller)
    assert window.keyring_notice.isVisible()
    assert "asked at each start" in window.keyring_notice.text()
    wait_until_round_ends(qtbot, window)
    posts = window.session.cache.posts.counts()["all"]
    assert posts > 0
    controller.shutdown()

    # Never a plaintext file: neither the password nor the passphrase is anywhere on disk.
    for path, content in all_file_bytes(data.root):
        for secret in (password, password.replace(" ", ""), passphrase):
            assert secret.encode() not in content, path

    # Next start: the account is remembered, the password asked again, then the passphrase.
    again = make_controller(no_keyring)
    again.start()
    dialog = sign_in_dialog(qtbot, again)
    assert (dialog.site_edit.text(), dialog.user_edit.text()) == (site.url, user)
    assert dialog.keyring_warning.isVisible()
    dialog.password_edit.setText(password)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: isinstance(again.dialog, PassphraseDialog), timeout=30_000)
    unlock = again.dialog
    assert isinstance(unlock, PassphraseDialog) and not unlock.new
    unlock.passphrase_edit.setText("not the passphrase")
    unlock.ok_button.click()
    qtbot.waitUntil(lambda: unlock.error.isVisible(), timeout=30_000)
    assert "does not unlock" in unlock.error.text()
    unlock.passphrase_edit.setText(passphrase)
    unlock.ok_button.click()
    window = wait_for_window(qtbot, again)
    # The offline copy from last time is there before any sync.
    assert window.posts_tab is not None
    assert window.posts_tab.count_label.text() == f"{posts} posts"


def test_a_real_secret_service_holds_the_password_and_no_file_does(
    qtbot: QtBot,
    make_controller: MakeController,
    secret_service: SecretService,
    site: SiteUnderTest,
    data: DataDir,
) -> None:
    user, password = site.auth("administrator")
    credentials = CredentialStore()  # keyring's own choice: the Secret Service on the test bus
    assert credentials.backend_name() == "SecretService Keyring"
    controller = make_controller(credentials)
    controller.start()
    fill_and_submit(sign_in_dialog(qtbot, controller), site.url, user, password)
    window = wait_for_window(qtbot, controller)
    wait_until_round_ends(qtbot, window)
    assert window.sync.status.state is SyncState.SYNCED
    assert not window.keyring_notice.isVisible()
    controller.shutdown()

    account = account_id(site.url, user)
    items = secret_service.items()
    assert items[CredentialStore.app_password_item(site.url, user)] == password
    cache_key = items[CredentialStore.cache_key_item(account)]
    assert len(bytes.fromhex(cache_key)) == 32
    assert AccountPaths.for_account(data.root, account).cache_file.stat().st_size > 0

    checked = 0
    for path, content in all_file_bytes(data.root):
        checked += 1
        for secret in (password.encode(), password.replace(" ", "").encode()):
            assert secret not in content, path
        assert cache_key.encode() not in content.lower(), path
        assert bytes.fromhex(cache_key) not in content, path
    assert checked >= 3, "the settings, the log and the cache were all searched"

    # And the next start opens straight away from the keyring.
    again = make_controller(CredentialStore())
    again.start()
    wait_for_window(qtbot, again)
    assert again.dialog is None


def test_the_password_field_hides_what_is_typed(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password
    assert not dialog.sign_in_button.isEnabled(), "nothing to check yet"


class LockableKeyring(MemoryKeyring):
    """A keyring the test can lock, as a desktop keyring is locked until the user unlocks it."""

    def __init__(self) -> None:
        super().__init__()
        self.locked = False

    def _check(self) -> None:
        if self.locked:
            raise keyring.errors.KeyringLocked("locked")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        super().set_password(service, username, password)


def test_a_locked_keyring_is_explained_and_can_be_retried(
    qtbot: QtBot, make_controller: MakeController, site: SiteUnderTest
) -> None:
    backend = LockableKeyring()
    credentials = CredentialStore(backend=backend)
    user, password = site.auth("administrator")
    first = make_controller(credentials)
    first.start()
    fill_and_submit(sign_in_dialog(qtbot, first), site.url, user, password)
    wait_until_round_ends(qtbot, wait_for_window(qtbot, first))
    first.shutdown()

    backend.locked = True
    again = make_controller(credentials)
    again.start()
    dialog = sign_in_dialog(qtbot, again)
    assert "The keyring is locked" in dialog.keyring_warning.text()
    assert (dialog.site_edit.text(), dialog.user_edit.text()) == (site.url, user)
    dialog.password_edit.setText(password)
    dialog.sign_in_button.click()

    # The offline copy's key is in the locked keyring too: say so, offer to try again.
    qtbot.waitUntil(lambda: again.box is not None, timeout=30_000)
    box = again.box
    assert box is not None and box.objectName() == "keyringLockedBox"
    assert "Unlock the keyring and try again" in box.text()
    backend.locked = False
    retry = box.findChild(QPushButton, "retryButton")
    assert retry is not None
    retry.click()
    window = wait_for_window(qtbot, again)
    assert window.posts_tab is not None
    assert window.posts_tab.count_label.text().endswith(" posts")
    assert window.posts_tab.count_label.text() != "0 posts", "the copy from last time"
    assert not window.session.password_saved, "the password typed while locked was not saved"
    assert window.keyring_notice.isVisible()
