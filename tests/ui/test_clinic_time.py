"""Dates and times in the clinic's time zone (the site's), in the user's locale, never an
all-numeric date (issue 16, item 2). Fixed clock, fixed zone, fixed locale."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from clinicdesk.store import Cache
from clinicdesk.ui.clinic_time import clinic_zone, format_moment, set_clinic_zone, zone_from
from clinicdesk.ui.status_bar import SyncStatusPanel
from clinicdesk.ui.sync_worker import SyncState, SyncStatus
from tests.fixtures import inquiries_tab as inbox
from tests.fixtures.desktop import MakeController, open_as
from tests.fixtures.inquiries_tab import by_name, make_tab, select
from tests.fixtures.site import SiteUnderTest

#: "6/12/26", "12.06.2026", "2026-12-06": a date a reader has to guess the order of.
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")


@pytest.fixture
def en_us() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale("en_US"))
    yield
    QLocale.setDefault(before)
    set_clinic_zone(None)


cache = inbox.cache


def _us(moment: datetime) -> str:
    """``moment`` as en_US shows it: "Mar 5, 2025, 9:00 AM"."""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    # CLDR puts a narrow no-break space before AM/PM.
    return f"{moment:%b} {moment.day}, {moment.year}, {hour}:{moment:%M}\u202f{half}"


def test_the_detail_shows_the_clinic_zone_and_no_numeric_date(
    qtbot: QtBot, cache: Cache, en_us: None
) -> None:
    set_clinic_zone(zone_from("America/Chicago", 0))
    tab = make_tab(qtbot, cache)
    person = by_name("Raymond Castellanos")
    select(qtbot, tab, person.name)
    received = person.record.received_gmt.astimezone(ZoneInfo("America/Chicago"))
    text = tab.detail.received_label.text()
    assert text.startswith(_us(received)), text
    assert not _NUMERIC_DATE.search(text), text


def test_an_offset_without_a_zone_name_is_used_as_is(en_us: None) -> None:
    set_clinic_zone(zone_from("", 5.5))  # WordPress's "UTC+5:30" choice leaves the name empty
    moment = datetime(2026, 12, 6, 21, 5, tzinfo=UTC)
    assert format_moment(moment) == "Dec 7, 2026, 2:35\u202fAM"
    set_clinic_zone(zone_from("Not/AZone", -3))  # an unknown name: its offset
    assert format_moment(moment) == "Dec 6, 2026, 6:05\u202fPM"


def test_last_synced_is_the_time_today_and_the_date_otherwise(qtbot: QtBot, en_us: None) -> None:
    set_clinic_zone(zone_from("UTC", 0))
    panel = SyncStatusPanel()
    qtbot.addWidget(panel)
    earlier = datetime.now(UTC) - timedelta(days=3)
    panel.show_status(SyncStatus(SyncState.OFFLINE, last_success=earlier))
    assert panel.last_sync.text() == f"Last synced {_us(earlier)}"


def test_the_app_takes_the_clinic_zone_from_the_site(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest, en_us: None
) -> None:
    _controller, window = open_as(qtbot, make_controller, fresh_site, "editor")
    with fresh_site.source_session() as http:
        index = http.get(fresh_site.rest, timeout=10).json()
    stored = window.session.cache.site_time_zone()
    assert stored == (index["timezone_string"], float(index["gmt_offset"]))
    expected = zone_from(index["timezone_string"], float(index["gmt_offset"]))
    assert clinic_zone().id() == expected.id()


def test_a_zone_chosen_in_the_settings_overrides_the_site_and_is_kept(
    qtbot: QtBot, make_controller: MakeController, fresh_site: SiteUnderTest, en_us: None
) -> None:
    _controller, window = open_as(qtbot, make_controller, fresh_site, "editor")
    site_zone = clinic_zone().id()
    dialog = window.open_settings()
    combo = dialog.time_zone_combo
    assert combo.currentData() == "", "the clinic's zone, from the website, until one is chosen"
    combo.setCurrentIndex(combo.findData("Asia/Tokyo"))
    dialog.accept()
    assert bytes(clinic_zone().id().data()) == b"Asia/Tokyo"
    assert window.settings.load().time_zone == "Asia/Tokyo"
    dialog = window.open_settings()
    assert dialog.time_zone_combo.currentData() == "Asia/Tokyo"
    dialog.time_zone_combo.setCurrentIndex(0)
    dialog.accept()
    assert clinic_zone().id() == site_zone
