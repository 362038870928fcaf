"""In the demo, "Open the clinic's website" opens the reference site's consultation form; the
Inquiries tab's service area follows the website's states."""

from __future__ import annotations

import pytest
import requests
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from tests.fixtures.demo_window import demo_window
from tests.fixtures.desktop import MakeController
from tests.fixtures.site import SiteUnderTest


class UrlCatcher(QObject):
    """Stands in for the system's web browser (Qt's own URL-handler hook): nothing launches."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def test_the_demo_opens_the_clinics_consultation_form_in_the_browser(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest
) -> None:
    window = demo_window(qtbot, make_controller, fresh_site, "intake")
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
    window = demo_window(qtbot, make_controller, fresh_site, "intake")
    tab = window.inquiries_tab
    assert tab is not None
    qtbot.waitUntil(lambda: tab.options.clinic_states == ("OK", "TX"))
    assert window.session.account.site_states == ("OK", "TX")
