"""Why an inquiry was flagged, as staff see it: the category and the words in the detail pane,
the list's version in the timeline, and the 988 Lifeline's Spanish options for a message
written in Spanish (a real encrypted cache, the real tab, pytest-qt)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinicdesk.domain.crisis import default_language
from clinicdesk.services.arrivals import flag_new_arrivals
from clinicdesk.store import Cache
from clinicdesk.ui.inquiries import InquiriesTab
from tests.fixtures.inquiries_tab import demo_cache, make_tab, select
from tests.fixtures.store import site_inquiry

#: Spanish writers (not in the demo), with and without accents, and one in English.
SPANISH = (101, "Lucía", "Ya no aguanto más. Todos estarían mejor sin mí.")
SPANISH_PLAIN = (102, "Beto", "mi hijo dice que se quiere morir, no se que hacer")
ENGLISH = (103, "Dana", "I have the pills saved up and I picked a date.")


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with demo_cache(tmp_path / "cache.db") as cache:
        cache.inquiries.upsert_from_site(
            [
                site_inquiry(remote, first_name=name, last_name="Writer", message=message)
                for remote, name, message in (SPANISH, SPANISH_PLAIN, ENGLISH)
            ]
        )
        # What the app does after each sync round: the demo's four and these three.
        assert flag_new_arrivals(cache, [*range(1, 43), 101, 102, 103]) == 7
        yield cache


def _timeline_texts(tab: InquiriesTab) -> list[str]:
    """What the timeline shows, entry by entry."""
    model = tab.detail.timeline_model
    return [
        str(model.data(model.index(row, 0), Qt.ItemDataRole.DisplayRole))
        for row in range(model.rowCount())
    ]


def test_the_detail_pane_and_the_timeline_say_why_and_which_list(
    qtbot: QtBot, cache: Cache
) -> None:
    tab = make_tab(qtbot, cache)
    select(qtbot, tab, "Dana Writer")
    detail = tab.detail
    assert detail.crisis_panel.isVisible() and detail.urgent_badge.isVisible()
    why = detail.crisis_reason.text()
    assert "plan / means: \u201chave the pills saved\u201d, \u201cpicked a date\u201d" in why
    assert not detail.spanish_label.isVisible()  # written in English
    # The timeline's entry for the automatic flag: why, and the list's version.
    version = default_language().version
    entries = _timeline_texts(tab)
    flagged = [text for text in entries if "Flagged automatically: crisis language" in text]
    assert len(flagged) == 1, entries
    assert f"(list {version})" in flagged[0]
    assert "plan / means: \u201chave the pills saved\u201d" in flagged[0]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (
            "Lucía Writer",
            "hopelessness / burden: \u201cya no aguanto\u201d, \u201cestarian mejor sin mi\u201d",
        ),
        ("Beto Writer", "wish to be dead: \u201cse quiere morir\u201d"),
    ],
)
def test_a_spanish_message_shows_the_lifelines_spanish_options(
    qtbot: QtBot, cache: Cache, name: str, why: str
) -> None:
    tab = make_tab(qtbot, cache)
    select(qtbot, tab, name)
    detail = tab.detail
    assert detail.crisis_panel.isVisible()
    assert why in detail.crisis_reason.text()
    assert detail.spanish_label.isVisible()
    spanish = detail.spanish_label.text()
    assert "Call 988 and press 2" in spanish and "text AYUDA to 988" in spanish
    assert detail.spanish_label.textFormat() == Qt.TextFormat.PlainText
    # The next inquiry, in English, does not show them.
    select(qtbot, tab, "Raymond Castellanos")
    assert detail.crisis_panel.isVisible() and not detail.spanish_label.isVisible()
    assert "thoughts of suicide: \u201cending my life\u201d" in detail.crisis_reason.text()


def test_the_automatic_flag_is_clinicdesks_in_the_timeline_before_and_after_sending(
    qtbot: QtBot, cache: Cache
) -> None:
    # The signed-in person ("Marisol Reyes") did not decide this flag, even though their app
    # will send it: neither the flag nor its note is shown as theirs.
    tab = make_tab(qtbot, cache)
    select(qtbot, tab, "Dana Writer")
    entries = _timeline_texts(tab)
    automatic = "ClinicDesk, automatically: crisis language"
    mine = [text for text in entries if "Marisol Reyes" in text]
    assert mine == [], entries
    flag_entries = [t for t in entries if "Flagged automatically" in t or "Not sent yet" in t]
    assert flag_entries and all(automatic in text for text in flag_entries), entries
