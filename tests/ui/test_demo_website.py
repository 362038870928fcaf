"""In the demo, "Open the clinic's website" opens the reference site's consultation form; the
Inquiries tab's service area follows the website's states."""

from __future__ import annotations

import pytest
import requests
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from clinicdesk.session.credentials import CredentialStore
from clinicdesk.session.memory_keyring import MemoryKeyring
from clinicdesk.ui.account_flow import DemoLogin
from clinicdesk.ui.main_window import MainWindow
from tests.fixtures.desktop import MakeController, wait_for_window, wait_until_synced
from tests.fixtures.site import SiteUnderTest


class UrlCatcher(QObject):
    """Stands in for the system's web browser (Qt's own URL-handler hook): nothing launches."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def _demo_window(
    qtbot: QtBot, make_controller: MakeController, site: SiteUnderTest, role: str
) -> MainWindow:
    user, password = site.auth(role)
    controller = make_controller(
        CredentialStore(backend=MemoryKeyring()), demo=DemoLogin(site.url, user, password)
    )
    controller.start()
    window = wait_for_window(qtbot, controller)
    wait_until_synced(qtbot, window)
    return window


def test_the_demo_opens_the_clinics_consultation_form_in_the_browser(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest
) -> None:
    window = _demo_window(qtbot, make_controller, fresh_site, "intake")
    action = window.website_action
    assert action is not None and action.text() == "Open the clinic's &website"
    file_menu = window.menuBar().findChild(type(window.view_menu), "fileMenu")
    assert action in file_menu.actions()
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("http", catcher, "open")
    try:
        action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert catcher.opened == [fresh_site.url + "/consultation/"]
    with requests.Session() as session:
        session.trust_env = False
        page = session.get(catcher.opened[0], timeout=30)
    assert page.status_code == 200 and 'class="clinicdesk-form"' in page.text


@pytest.mark.parametrize("fresh_site", [{"served_states": ("OK", "TX")}], indirect=True)
def test_the_service_area_follows_the_websites_states(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest
) -> None:
    window = _demo_window(qtbot, make_controller, fresh_site, "intake")
    tab = window.inquiries_tab
    assert tab is not None
    qtbot.waitUntil(lambda: tab.options.clinic_states == ("OK", "TX"))
    assert window.session.account.site_states == ("OK", "TX")
