"""The proxy setting: the only proxy ClinicDesk uses, chosen in the settings dialog.

A real loopback proxy (:class:`~tests.fixtures.recording_proxy.RecordingProxy`) records what
reaches it: nothing while only the environment names it, every request of a round once the
setting does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from clinicdesk.session.accounts import Account, DataDir, Settings, SettingsStore
from clinicdesk.session.credentials import CredentialStore
from clinicdesk.ui.dialogs.settings import SettingsDialog
from clinicdesk.ui.dialogs.signin import SignInDialog
from clinicdesk.ui.sync_worker import SyncState
from tests.fixtures.desktop import MakeController, wait_for_window, wait_until_round_ends
from tests.fixtures.recording_proxy import RecordingProxy
from tests.fixtures.site import SiteUnderTest


@pytest.fixture
def recorder() -> Iterator[RecordingProxy]:
    with RecordingProxy() as running:
        yield running


def ok_button(dialog: SettingsDialog) -> QPushButton:
    button = dialog.findChild(QPushButton, "settingsOkButton")
    assert isinstance(button, QPushButton)
    return button


def test_the_dialog_refuses_a_proxy_that_would_see_the_password(qtbot: QtBot) -> None:
    account = Account("http://127.0.0.1:8080", "editor")  # a plain-http (loopback) site
    dialog = SettingsDialog(Settings(), account, "GNOME Keyring")
    qtbot.addWidget(dialog)
    dialog.open()
    accepted: list[bool] = []
    dialog.accepted.connect(lambda: accepted.append(True))
    dialog.proxy_edit.setText("http://proxy.clinic.example:3128")
    ok_button(dialog).click()
    assert accepted == [] and dialog.isVisible()
    assert dialog.proxy_problem.isVisible()
    assert "unencrypted" in dialog.proxy_problem.text()
    dialog.proxy_edit.setText("http://127.0.0.1:3128")
    ok_button(dialog).click()
    assert accepted == [True]
    assert dialog.proxy() == "http://127.0.0.1:3128"


def test_rounds_go_through_the_proxy_the_settings_name_and_no_other(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
    recorder: RecordingProxy,
    data: DataDir,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, recorder.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    user, password = site.auth("editor")
    controller = make_controller(memory_credentials)
    controller.start()
    qtbot.waitUntil(lambda: isinstance(controller.dialog, SignInDialog), timeout=10_000)
    dialog = controller.dialog
    assert isinstance(dialog, SignInDialog)
    dialog.site_edit.setText(site.url)
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)
    dialog.sign_in_button.click()
    window = wait_for_window(qtbot, controller)
    wait_until_round_ends(qtbot, window)
    assert window.sync.status.state is SyncState.SYNCED
    assert recorder.heads == [], "the environment's proxy saw the sign-in or the round"

    settings_dialog = window.open_settings()
    settings_dialog.proxy_edit.setText(recorder.url)
    settings_dialog.accept()
    assert SettingsStore(data).load().proxy == recorder.url
    window.sync.sync_now()
    wait_until_round_ends(qtbot, window)
    assert window.sync.status.state is SyncState.SYNCED
    assert recorder.heads, "the round did not go through the proxy the settings name"
    assert all(
        line.startswith(f"GET {site.url}/") or line.startswith(f"POST {site.url}/")
        for line in recorder.seen_paths()
    )
