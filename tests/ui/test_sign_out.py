"""Signing out: the password leaves the keyring; on confirmation the offline copy and its key go."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinicdesk.session.accounts import DataDir, SettingsStore
from clinicdesk.session.credentials import CredentialStore
from clinicdesk.ui.account_flow import AppController
from clinicdesk.ui.dialogs.signin import SignInDialog
from clinicdesk.ui.main_window import MainWindow
from tests.fixtures.desktop import (
    MakeController,
    click,
    confirm_box,
    fill_and_submit,
    sign_in_dialog,
    wait_for_window,
    wait_until_round_ends,
    wait_until_synced,
)
from tests.fixtures.secret_service import SecretService
from tests.fixtures.site import SiteUnderTest


def signed_in(
    qtbot: QtBot,
    make_controller: MakeController,
    credentials: CredentialStore,
    site: SiteUnderTest,
    role: str = "administrator",
) -> tuple[AppController, MainWindow]:
    controller = make_controller(credentials)
    controller.start()
    user, password = site.auth(role)
    fill_and_submit(sign_in_dialog(qtbot, controller), site.url, user, password)
    window = wait_for_window(qtbot, controller)
    wait_until_synced(qtbot, window)
    return controller, window


def test_sign_out_keeping_the_copy_removes_only_the_password(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    fresh_site: SiteUnderTest,
    data: DataDir,
) -> None:
    site = fresh_site  # signing in again sends the waiting change: not to the shared site
    controller, window = signed_in(qtbot, make_controller, memory_credentials, site)
    account = window.session.account
    paths = data.account_paths(account)
    # A change made offline, not sent yet (no round runs before sign-out).
    window.session.cache.posts.create(title="Waiting draft")

    window.sign_out_action.trigger()
    box = confirm_box(qtbot, controller)
    assert "1 change has not been sent to the site yet" in box.text()
    click(box, "signOutKeepButton")

    dialog = sign_in_dialog(qtbot, controller)
    assert "signed out" in dialog.note.text()
    assert controller.window is None
    assert memory_credentials.get_app_password(account.site_url, account.username) is None
    # The copy, its key and the account stay: signing in again finds the waiting change.
    assert paths.cache_file.exists()
    assert memory_credentials.get_cache_key(account.id) is not None
    assert SettingsStore(data).load().current == account

    dialog.password_edit.setText(site.auth("administrator")[1])
    dialog.sign_in_button.click()
    window = wait_for_window(qtbot, controller)
    assert [p.title for p in window.session.cache.posts.search("Waiting draft")] == [
        "Waiting draft"
    ]
    wait_until_round_ends(qtbot, window)
    assert window.session.pending_changes() == 0, "the kept change reached the site"


def test_sign_out_deleting_the_copy_warns_and_removes_copy_key_and_password(
    qtbot: QtBot,
    make_controller: MakeController,
    secret_service: SecretService,
    site: SiteUnderTest,
    data: DataDir,
) -> None:
    controller, window = signed_in(qtbot, make_controller, CredentialStore(), site)
    account = window.session.account
    paths = data.account_paths(account)
    window.session.cache.posts.create(title="First waiting draft")
    window.session.cache.posts.create(title="Second waiting draft")
    items = secret_service.items()
    assert CredentialStore.app_password_item(account.site_url, account.username) in items
    assert CredentialStore.cache_key_item(account.id) in items

    controller.sign_out()
    box = confirm_box(qtbot, controller)
    assert "2 changes have not been sent to the site yet" in box.text()
    assert "loses them" in box.text()
    click(box, "signOutDeleteButton")

    sign_in_dialog(qtbot, controller)
    assert secret_service.items() == {}, "neither the password nor the cache key is left"
    assert not paths.directory.exists()
    assert SettingsStore(data).load().accounts == []


def test_cancelling_sign_out_changes_nothing(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
) -> None:
    controller, window = signed_in(qtbot, make_controller, memory_credentials, site)
    account = window.session.account
    controller.sign_out()
    box = confirm_box(qtbot, controller)
    with qtbot.waitSignal(box.finished):
        click(box, "signOutCancelButton")
    assert controller.window is window and window.isVisible()
    assert not isinstance(controller.dialog, SignInDialog)
    assert memory_credentials.get_app_password(account.site_url, account.username) is not None
