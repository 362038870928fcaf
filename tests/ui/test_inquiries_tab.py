"""The Inquiries tab on a real encrypted cache holding the demo's inquiries (no site needed).

The tests drive the tab as staff would: keys in the table, buttons, non-blocking dialogs. The
sync tests with the reference site are in ``test_inquiries_sync.py``; 50,000 inquiries in
``test_inquiries_perf.py``.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from clinicdesk.domain.lock import is_valid_hash, verify_passphrase
from clinicdesk.model import records
from clinicdesk.services.arrivals import flag_new_arrivals
from clinicdesk.store import Cache, RecordNotFoundError, open_cache
from clinicdesk.ui.clinic_time import set_clinic_zone, zone_from
from clinicdesk.ui.inquiries import InquiriesTab, InquiryOptions
from clinicdesk.ui.inquiries.dialogs import (
    AcknowledgeDialog,
    AssignDialog,
    ExportDialog,
    NoteDialog,
)
from clinicdesk.ui.inquiries.models import COLUMN_INDEX, InboxQuery
from tests.fixtures import inquiries_tab as inbox
from tests.fixtures.inquiries_tab import (
    FAST_HASH,
    KEY,
    ME,
    NOW,
    PASSPHRASE,
    Notifications,
    by_name,
    demo_inquiries,
    local_id,
    make_tab,
    names_in_table,
    open_dialog,
    press,
    select,
    visible_texts,
    wait_loaded,
)

CRISIS = {"Jordan Pruitt", "Alexis Garza", "Raymond Castellanos", "Tiffany Oduya"}
PROTOCOL = "Call Dr. Okafor's crisis line first: 555-0100. Then 988."


cache = inbox.cache


@pytest.fixture
def flagged(cache: Cache) -> Cache:
    """The demo cache after the arrival check flagged its crisis inquiries."""
    assert flag_new_arrivals(cache, range(1, 43)) == 4
    return cache


def focus_list(qtbot: QtBot, tab: InquiriesTab) -> None:
    """Into the list from the search box, as Tab does: its first row is shown and highlighted."""
    if not tab.isActiveWindow():
        tab.activateWindow()
        qtbot.waitUntil(tab.isActiveWindow)
    tab.search_edit.setFocus()
    tab.table.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: tab.table.hasFocus() and tab.table.currentIndex().isValid())


def selected_names(tab: InquiriesTab) -> list[str]:
    """The names of the highlighted rows, top to bottom."""
    rows = sorted({index.row() for index in tab.table.selectionModel().selectedRows()})
    names = names_in_table(tab)
    return [names[row] for row in rows]


def status_of(cache: Cache, name: str) -> str:
    return cache.inquiries.get(local_id(cache, name)).triage.triage_status


def timeline(cache: Cache, name: str) -> list[tuple[str, str]]:
    """The notes of an inquiry in the cache, as (kind, content)."""
    return [(n.kind, n.content) for n in cache.inquiries.notes(local_id(cache, name))]


def shown_timeline(tab: InquiriesTab) -> list[str]:
    """The timeline as the detail pane shows it, one text per entry."""
    model = tab.detail.timeline_model
    return [model.data(model.index(row)) for row in range(model.rowCount())]


# -- the model -----------------------------------------------------------------------------------


def test_the_models_pass_qtmodeltester(qtbot: QtBot, qtmodeltester: Any, flagged: Cache) -> None:
    tab = make_tab(qtbot, flagged)
    assert tab.model.rowCount() == 42
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.views_model)
    select(qtbot, tab, "Raymond Castellanos")
    qtmodeltester.check(tab.detail.timeline_model)
    select(qtbot, tab, "Marcus Delaney")
    qtbot.waitUntil(lambda: tab.detail.duplicates_model.rowCount() == 1)
    qtmodeltester.check(tab.detail.duplicates_model)


def test_columns_show_every_field_with_times_relative_and_absolute_on_hover(
    qtbot: QtBot, cache: Cache
) -> None:
    tab = make_tab(qtbot, cache)
    row = names_in_table(tab).index("Danielle Fontenot")

    def cell(key: str, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return tab.model.data(tab.model.index(row, COLUMN_INDEX[key]), role)

    record = by_name("Danielle Fontenot").record
    assert cell("reason") == record.reason
    assert cell("insurance") == record.insurance
    assert cell("state") == "LA (outside)"
    assert cell("contact") in ("Email", "Phone", "Text")
    assert cell("status") == "New"
    assert cell("received").endswith("ago")
    assert str(record.received_gmt.year) in cell("received", Qt.ItemDataRole.ToolTipRole)
    assert cell("unread") == ("Unread" if record.unread else "")
    bold = cell("name", Qt.ItemDataRole.FontRole)
    assert (bold is not None and bold.bold()) == record.unread
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(11)]
    assert headers == [
        "Received",
        "Waiting",
        "Name",
        "Reason",
        "Insurance",
        "State",
        "Contact by",
        "Status",
        "Assigned to",
        "Unread",
        "Urgent",
    ]


# -- safety --------------------------------------------------------------------------------------


def test_urgent_inquiries_are_pinned_above_everything_with_the_protocol(
    qtbot: QtBot, flagged: Cache
) -> None:
    options = InquiryOptions(unlock_hash=FAST_HASH, crisis_protocol=PROTOCOL)
    tab = make_tab(qtbot, flagged, options=options)
    names = names_in_table(tab)
    assert set(names[:4]) == CRISIS
    # Raymond wrote a day ago: newer inquiries that are not urgent come after him.
    newer = [
        i.name
        for i in demo_inquiries()
        if i.record.received_gmt > by_name("Raymond Castellanos").record.received_gmt
        and i.name not in CRISIS
    ]
    assert newer and all(names.index(n) > names.index("Raymond Castellanos") for n in newer)
    # Pinned whatever the sort: by name, A to Z.
    tab.table.sortByColumn(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
    wait_loaded(qtbot, tab)
    assert set(names_in_table(tab)[:4]) == CRISIS
    assert tab.views_model.data(tab.views_model.index(0)) == "Urgent  (4)"

    select(qtbot, tab, "Raymond Castellanos")
    detail = tab.detail
    assert detail.crisis_panel.isVisible() and detail.urgent_badge.isVisible()
    assert detail.protocol_label.text() == PROTOCOL
    assert "988" in detail.lifeline_label.text()
    assert "thoughts of suicide: \u201cending my life\u201d" in detail.crisis_reason.text()
    select(qtbot, tab, "Hannah Greer")
    assert not detail.crisis_panel.isVisible() and not detail.urgent_badge.isVisible()


def test_crisis_language_shows_the_protocol_even_before_the_flag(
    qtbot: QtBot, cache: Cache
) -> None:
    tab = make_tab(qtbot, cache)  # the arrival check never ran on this copy
    select(qtbot, tab, "Alexis Garza")
    assert tab.detail.crisis_panel.isVisible()
    assert not tab.detail.urgent_badge.isVisible()


def test_an_urgent_inquiry_closes_only_after_a_typed_acknowledgement(
    qtbot: QtBot, flagged: Cache
) -> None:
    tab = make_tab(qtbot, flagged)
    name = "Raymond Castellanos"
    select(qtbot, tab, name)
    press(qtbot, tab, "e")
    dialog = open_dialog(qtbot, tab, AcknowledgeDialog)
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.text_edit, "ok")
    assert not dialog.ok_button.isEnabled(), "a keystroke is not an acknowledgement"
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert status_of(flagged, name) == "new"

    for key in ("s", "e"):
        press(qtbot, tab, key)
        dialog = open_dialog(qtbot, tab, AcknowledgeDialog)
        if key == "s":
            dialog.reject()
            continue
        text = "Called him 9:10, safe tonight, daughter with him; gave 988. Intake Thursday."
        qtbot.keyClicks(dialog.text_edit, text)
        assert dialog.ok_button.isEnabled()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: status_of(flagged, name) == "closed")
    assert timeline(flagged, name)[-1] == ("acknowledge", text)
    shown = "\n".join(shown_timeline(tab))
    assert f"Marisol Reyes · Acknowledged\nCrisis protocol acknowledged: {text}" in shown
    assert "Status set to Closed\n(waiting to be sent)" in shown
    # Closed, it no longer sits above everything.
    wait_loaded(qtbot, tab)
    assert name not in names_in_table(tab)[:3]


def test_staff_flag_and_unflag_urgent_by_hand(qtbot: QtBot, cache: Cache) -> None:
    tab = make_tab(qtbot, cache)
    select(qtbot, tab, "Hannah Greer")
    press(qtbot, tab, "!")
    qtbot.waitUntil(lambda: cache.inquiries.get(local_id(cache, "Hannah Greer")).triage.urgent)
    wait_loaded(qtbot, tab)
    assert names_in_table(tab)[0] == "Hannah Greer"
    assert tab.detail.urgent_badge.isVisible()
    assert any("Flagged urgent" in entry for entry in shown_timeline(tab))
    qtbot.mouseClick(tab.detail.urgent_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not cache.inquiries.get(local_id(cache, "Hannah Greer")).triage.urgent)
    assert shown_timeline(tab) == []  # back to the site's values: nothing to send


class _Pixel(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Pixel.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def pixel_server() -> Iterator[str]:
    """A web server that counts every request made to it."""
    _Pixel.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pixel)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_markup_in_a_submission_is_shown_as_typed_and_loads_nothing(
    qtbot: QtBot, cache: Cache, pixel_server: str
) -> None:
    message = (
        f"Hi <script>alert(1)</script> <img src={pixel_server}/pixel.gif> and <b>bold</b> "
        f'<a href="{pixel_server}/link">click</a> &lt; &amp;amp;'
    )
    hostile = dataclasses.replace(
        by_name("Hannah Greer").record,
        id=100,
        first_name="<b>Eve</b>",
        last_name=f"<img src={pixel_server}/name.gif>",
        reason="<i>Anxiety</i>",
        message=message,
    )
    cache.inquiries.upsert_from_site([hostile])
    tab = make_tab(qtbot, cache)
    name = f"<b>Eve</b> <img src={pixel_server}/name.gif>"
    select(qtbot, tab, name)
    detail = tab.detail
    assert detail.message_edit.toPlainText() == message
    assert detail.name_label.text() == name
    assert detail.reason_label.text() == "<i>Anxiety</i>"
    for label in tab.findChildren(QLabel):
        if label.text() in (name, "<i>Anxiety</i>"):
            assert label.textFormat() == Qt.TextFormat.PlainText
            assert not label.openExternalLinks()
            assert not label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByMouse
    # The demo's own hostile record too.
    select(qtbot, tab, "<b>Admin</b> <img src=x onerror=alert('name')>")
    assert "<script>alert(1)</script>" in detail.message_edit.toPlainText()
    assert "&lt;" in detail.message_edit.toPlainText()  # not decoded
    tab.grab()  # paint everything once
    # Nothing may arrive, and no signal marks "nothing": a short window for a stray request.
    qtbot.wait(300)
    assert _Pixel.hits == []


def test_out_of_state_inquiries_are_flagged_by_the_clinic_states(
    qtbot: QtBot, cache: Cache
) -> None:
    tab = make_tab(qtbot, cache)
    select(qtbot, tab, "Danielle Fontenot")
    assert tab.detail.area_badge.isVisible()
    assert tab.detail.area_badge.text() == "Outside service area (LA)"
    select(qtbot, tab, "Crystal Hadley")
    assert tab.detail.area_badge.text().startswith("State not given")
    select(qtbot, tab, "Hannah Greer")
    assert not tab.detail.area_badge.isVisible()
    tab.apply_options(InquiryOptions(unlock_hash=FAST_HASH, clinic_states=("TX", "LA")))
    select(qtbot, tab, "Danielle Fontenot")
    assert not tab.detail.area_badge.isVisible()
    row = names_in_table(tab).index("Brandon Keller")
    assert tab.model.data(tab.model.index(row, COLUMN_INDEX["state"])) == "OK (outside)"


def test_likely_duplicates_are_linked_both_ways_and_open_on_click(
    qtbot: QtBot, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = make_tab(qtbot, cache)
    duplicates = tab.detail.duplicates_model
    for first, second, why in (
        ("Katherine Ruiz", "Katie Ruiz", "same phone"),
        ("Katie Ruiz", "Katherine Ruiz", "same phone"),
    ):
        select(qtbot, tab, first)
        qtbot.waitUntil(lambda: duplicates.rowCount() == 1)
        text = duplicates.data(duplicates.index(0))
        assert text.startswith(second) and text.endswith(why)
    # Marcus wrote twice: each links the other; clicking opens it.
    rows = [n for n, name in enumerate(names_in_table(tab)) if name == "Marcus Delaney"]
    assert len(rows) == 2
    tab.table.selectRow(rows[0])
    qtbot.waitUntil(lambda: duplicates.rowCount() == 1)
    first_id = tab.detail.inquiry_id
    view = tab.detail.duplicates_view
    rect = view.visualRect(duplicates.index(0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: tab.detail.inquiry_id not in (None, first_id))
    assert tab.detail.name_label.text() == "Marcus Delaney"
    qtbot.waitUntil(lambda: duplicates.rowCount() == 1)
    assert duplicates.data(duplicates.index(0)).endswith("same email")
    # No duplicate is an answer too: wait for the look-up's answer, then check nothing shows.
    answers: list[int] = []
    show_duplicates = tab.detail.set_duplicates

    def answered(inquiry_id: int, rows: Sequence[tuple[Any, str]]) -> None:
        answers.append(inquiry_id)
        show_duplicates(inquiry_id, rows)

    monkeypatch.setattr(tab.detail, "set_duplicates", answered)
    select(qtbot, tab, "Hannah Greer")
    qtbot.waitUntil(lambda: tab.detail.inquiry_id in answers)
    assert duplicates.rowCount() == 0 and not tab.detail.duplicates_view.isVisible()


def test_new_inquiries_past_the_first_response_target_are_highlighted(
    qtbot: QtBot, tmp_path: Path
) -> None:
    texas = ZoneInfo("America/Chicago")
    now = datetime(2025, 3, 5, 9, 0, tzinfo=texas)  # Wednesday 9:00
    moment = [now]
    base = by_name("Hannah Greer").record
    with open_cache(tmp_path / "c.db", KEY) as cache:
        cache.inquiries.upsert_from_site(
            [
                dataclasses.replace(  # Monday 10:00: due Tuesday 10:00, overdue
                    base,
                    id=1,
                    first_name="Old",
                    received_gmt=datetime(2025, 3, 3, 10, tzinfo=texas),
                ),
                dataclasses.replace(  # Tuesday 16:00: due Wednesday 16:00
                    base,
                    id=2,
                    first_name="Fresh",
                    received_gmt=datetime(2025, 3, 4, 16, tzinfo=texas),
                ),
                dataclasses.replace(  # old but already contacted
                    base,
                    id=3,
                    first_name="Handled",
                    received_gmt=datetime(2025, 3, 1, 10, tzinfo=texas),
                    triage_status="contacted",
                ),
            ]
        )
        tab = make_tab(qtbot, cache, clock=lambda: moment[0])

        def row_facts(first: str) -> tuple[str, object]:
            row = next(r for r, name in enumerate(names_in_table(tab)) if name.startswith(first))
            index = tab.model.index(row, COLUMN_INDEX["waiting"])
            return (
                tab.model.data(index),
                tab.model.data(index, Qt.ItemDataRole.BackgroundRole),
            )

        waited, background = row_facts("Old")
        assert waited == "Overdue: 1 d 23 h" and background is not None
        waited, background = row_facts("Fresh")
        assert waited == "17 h 0 min" and background is None
        waited, background = row_facts("Handled")
        assert waited == "" and background is None
        select(qtbot, tab, "Old Greer")
        assert tab.detail.wait_badge.text() == "Waiting 1 d 23 h (overdue)"
        # Time moves on: at 16:00 the fresh one is due too.
        moment[0] = now + timedelta(hours=7)
        tab.model.tick()
        assert row_facts("Fresh")[0] == "Overdue: 1 d 0 h"
        tab.shutdown()


# -- triage from the keyboard -------------------------------------------------------------------


def test_single_keys_triage_in_the_table_and_ctrl_z_undoes(qtbot: QtBot, cache: Cache) -> None:
    tab = make_tab(qtbot, cache)
    changes: list[None] = []
    tab.changesMade.connect(lambda: changes.append(None))
    focus_list(qtbot, tab)
    assert tab.table.currentIndex().row() == 0
    press(qtbot, tab, "j")
    press(qtbot, tab, "j")
    press(qtbot, tab, "k")
    assert tab.table.currentIndex().row() == 1
    name = "Hannah Greer"
    select(qtbot, tab, name)

    press(qtbot, tab, "c")
    qtbot.waitUntil(lambda: status_of(cache, name) == "contacted")
    assert "Status set to Contacted" in shown_timeline(tab)[-1]
    assert "Ctrl+Z" in tab.message_label.text()
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: status_of(cache, name) == "new")
    assert shown_timeline(tab) == []
    assert not tab.undo_action.isEnabled()

    press(qtbot, tab, "a")
    assign = open_dialog(qtbot, tab, AssignDialog)
    assert assign.combo.currentText() == "Nobody"
    qtbot.keyClicks(assign.combo, "Kevin")
    assert assign.assignee == 7
    qtbot.keyClick(assign.combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cache.inquiries.get(local_id(cache, name)).triage.assignee == 7)
    assert tab.detail.assignee_label.text() == "Kevin Pham"

    press(qtbot, tab, "n")
    note = open_dialog(qtbot, tab, NoteDialog)
    qtbot.keyClicks(note.text_edit, "Left a voicemail at 9:15.")
    for _ in range(4):
        if QApplication.focusWidget() is note.ok_button:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is note.ok_button
    qtbot.keyClick(note.ok_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: ("note", "Left a voicemail at 9:15.") in timeline(cache, name))
    entries = shown_timeline(tab)
    assert len(entries) == 2
    assert "Marisol Reyes · Note\nLeft a voicemail at 9:15.\n(waiting to be sent)" in entries[0]
    assert "Assigned to Kevin Pham" in entries[1]

    press(qtbot, tab, "u")
    qtbot.waitUntil(lambda: cache.inquiries.get(local_id(cache, name)).triage.unread)
    press(qtbot, tab, "s")
    qtbot.waitUntil(lambda: status_of(cache, name) == "spam")
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: status_of(cache, name) == "new")
    assert len(changes) >= 6


def test_bulk_actions_apply_to_the_selection_and_undo_together(qtbot: QtBot, cache: Cache) -> None:
    tab = make_tab(qtbot, cache)
    tab.select_view("new")
    wait_loaded(qtbot, tab)
    assert tab.model.rowCount() == 24
    focus_list(qtbot, tab)
    for _ in range(2):
        qtbot.keyClick(tab.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    chosen = selected_names(tab)
    assert len(chosen) == 3
    press(qtbot, tab, "c")
    qtbot.waitUntil(lambda: all(status_of(cache, n) == "contacted" for n in chosen))
    wait_loaded(qtbot, tab)
    assert tab.model.rowCount() == 21  # they left "New"
    assert "3 inquiries marked contacted" in tab.message_label.text()
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: all(status_of(cache, n) == "new" for n in chosen))
    wait_loaded(qtbot, tab)
    assert tab.model.rowCount() == 24


def test_the_row_shown_when_the_list_takes_focus_is_the_row_keys_act_on(
    qtbot: QtBot, cache: Cache
) -> None:
    # Coming into the list from the search box (Tab, or a window taking activation): Qt makes
    # the first row current; it must be highlighted, J must go on from it, C must change it.
    tab = make_tab(qtbot, cache)
    tab.select_view("new")
    wait_loaded(qtbot, tab)
    first, second = names_in_table(tab)[:2]
    focus_list(qtbot, tab)
    qtbot.waitUntil(lambda: tab.detail.name_label.text() == first)
    assert selected_names(tab) == [first]
    press(qtbot, tab, "j")
    qtbot.waitUntil(lambda: tab.detail.name_label.text() == second)
    assert selected_names(tab) == [second]
    press(qtbot, tab, "c")
    qtbot.waitUntil(lambda: status_of(cache, second) == "contacted")
    assert status_of(cache, first) == "new"


def test_opening_an_inquiry_marks_it_read_and_the_title_count_follows(
    qtbot: QtBot, cache: Cache
) -> None:
    tab = make_tab(qtbot, cache)
    counts: list[int] = []
    tab.unreadCountChanged.connect(counts.append)
    unread = cache.inquiries.triage_counts()["unread"]
    name = next(i.name for i in demo_inquiries() if i.record.unread)
    select(qtbot, tab, name)
    qtbot.waitUntil(lambda: counts[-1:] == [unread - 1])
    assert not cache.inquiries.get(local_id(cache, name)).triage.unread


def test_search_views_and_sorting(qtbot: QtBot, cache: Cache) -> None:
    tab = make_tab(qtbot, cache)
    qtbot.keyClick(tab, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.search_edit.hasFocus()
    qtbot.keyClicks(tab.search_edit, "cutting")
    qtbot.waitUntil(lambda: names_in_table(tab) == ["Alexis Garza"])
    tab.search_edit.clear()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 42)
    tab.select_view("waiting")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 5)
    assert {status_of(cache, n) for n in names_in_table(tab)} == {"contacted"}
    tab.select_view("all")
    wait_loaded(qtbot, tab)
    header = tab.table.horizontalHeader()
    for column in range(tab.model.columnCount()):
        header.sectionClicked.emit(column)
        wait_loaded(qtbot, tab)
        assert tab.model.rowCount() == 42
    tab.table.sortByColumn(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
    wait_loaded(qtbot, tab)
    names = names_in_table(tab)
    assert names == sorted(names, key=str.lower)


# -- contact actions ------------------------------------------------------------------------------


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def urls() -> Iterator[_UrlCatcher]:
    catcher = _UrlCatcher()
    # PySide's stub says bytes; at run time only str is accepted.
    QDesktopServices.setUrlHandler("mailto", catcher, "open")  # type: ignore[arg-type]
    QDesktopServices.setUrlHandler("tel", catcher, "open")  # type: ignore[arg-type]
    try:
        yield catcher
    finally:
        QDesktopServices.unsetUrlHandler("mailto")
        QDesktopServices.unsetUrlHandler("tel")


def test_email_and_call_open_encoded_urls_and_copy_works(
    qtbot: QtBot, cache: Cache, urls: _UrlCatcher
) -> None:
    odd = dataclasses.replace(
        by_name("Hannah Greer").record,
        id=200,
        first_name="Odd",
        email="o'neil+intake@example.com",
        phone="+1 (832) 555-0196",
    )
    cache.inquiries.upsert_from_site([odd])
    tab = make_tab(qtbot, cache)
    select(qtbot, tab, "Odd Greer")
    qtbot.mouseClick(tab.detail.email_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.detail.call_button, Qt.MouseButton.LeftButton)
    mail, tel = urls.urls
    assert (mail.scheme(), mail.path()) == ("mailto", "o'neil+intake@example.com")
    assert bytes(mail.toEncoded().data()).decode() == "mailto:o'neil+intake@example.com"
    assert bytes(tel.toEncoded().data()).decode() == "tel:+18325550196"
    qtbot.mouseClick(tab.detail.copy_email_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "o'neil+intake@example.com"
    # A crafted address is never handed to the mail program.
    crafted = dataclasses.replace(odd, id=201, first_name="Crafted", email="a@b.c?body=hi&cc=x@y.z")
    cache.inquiries.upsert_from_site([crafted])
    tab.refresh()
    wait_loaded(qtbot, tab)
    select(qtbot, tab, "Crafted Greer")
    assert not tab.detail.email_button.isEnabled()
    tab.lock()
    assert QGuiApplication.clipboard().text() == ""  # what the tab copied does not outlive it


# -- privacy ---------------------------------------------------------------------------------------


def _secrets() -> list[str]:
    """Names, addresses and message fragments of the demo that must vanish when locked."""
    out: list[str] = []
    for inquiry in demo_inquiries():
        record = inquiry.record
        out += [inquiry.name, record.email, record.message[:30]]
    return [s for s in out if s.strip()]


def test_idle_lock_hides_every_name_and_message_and_unlock_restores(
    qtbot: QtBot, flagged: Cache
) -> None:
    tab = make_tab(qtbot, flagged)
    locked: list[bool] = []
    tab.lockedChanged.connect(locked.append)
    select(qtbot, tab, "Raymond Castellanos")
    texts = " ".join(visible_texts(tab))
    assert "Raymond Castellanos" in texts and "ending my life" in texts
    press(qtbot, tab, "n")
    note = open_dialog(qtbot, tab, NoteDialog)
    qtbot.keyClicks(note.text_edit, "half-written note about Raymond")
    qtbot.mouseClick(tab.detail.copy_phone_button, Qt.MouseButton.LeftButton)

    # Input keeps it open (1.5 s of typing against a 1 s limit; the margin between two keys is
    # wide so that a busy machine cannot make a gap between them look like idleness)...
    tab.idle.start(1000)
    for _ in range(15):
        qtbot.wait(100)
        qtbot.keyClick(tab.search_edit, Qt.Key.Key_Shift)
    assert not tab.is_locked()
    # ...and leaving it alone locks it.
    qtbot.waitUntil(tab.is_locked, timeout=5000)
    assert locked == [True]
    assert tab.stack.currentWidget() is tab.lock_page
    assert tab.model.rowCount() == 0 and tab.model.rows_in_memory == 0
    assert not shiboken6.isValid(note) or not note.isVisible()
    assert QGuiApplication.clipboard().text() == ""
    texts = " ".join(visible_texts(tab))
    for secret in (*_secrets(), "half-written note", "Crisis language"):
        assert secret not in texts, secret
    for secret in _secrets():
        assert secret not in " ".join(visible_texts(QApplication.activeWindow() or tab))

    # Refreshing while locked reads counts only.
    tab.refresh()
    wait_loaded(qtbot, tab)
    assert tab.model.rowCount() == 0

    qtbot.keyClicks(tab.lock_page.passphrase_edit, "wrong passphrase")
    qtbot.keyClick(tab.lock_page.passphrase_edit, Qt.Key.Key_Return)
    assert tab.is_locked() and "not right" in tab.lock_page.message.text()
    assert tab.lock_page.passphrase_edit.text() == ""
    qtbot.keyClicks(tab.lock_page.passphrase_edit, PASSPHRASE)
    qtbot.keyClick(tab.lock_page.passphrase_edit, Qt.Key.Key_Return)
    assert not tab.is_locked() and locked == [True, False]
    wait_loaded(qtbot, tab)
    assert tab.model.rowCount() == 42
    assert set(names_in_table(tab)[:4]) == CRISIS


def test_ctrl_l_locks_and_a_tab_starts_locked_by_default(qtbot: QtBot, cache: Cache) -> None:
    tab = make_tab(qtbot, cache)
    select(qtbot, tab, "Hannah Greer")
    qtbot.keyClick(tab.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert tab.is_locked() and tab.detail.name_label.text() == ""
    started = make_tab(qtbot, cache, locked=True)
    assert started.is_locked() and started.model.rowCount() == 0
    assert started.stack.currentWidget() is started.lock_page
    assert started.lock_page.passphrase_edit.isVisible()


def test_without_a_passphrase_one_is_chosen_first_and_only_its_hash_leaves(
    qtbot: QtBot, cache: Cache
) -> None:
    tab = make_tab(qtbot, cache, options=InquiryOptions(), locked=False)
    assert tab.is_locked() and tab.stack.currentWidget() is tab.setup_page
    assert tab.model.rowCount() == 0
    hashes: list[str] = []
    tab.unlockHashChanged.connect(hashes.append)
    page = tab.setup_page
    qtbot.keyClicks(page.passphrase_edit, "short")
    qtbot.keyClicks(page.confirm_edit, "short")
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    assert "at least" in page.message.text() and not hashes
    page.passphrase_edit.clear()
    page.confirm_edit.clear()
    qtbot.keyClicks(page.passphrase_edit, "a long passphrase")
    qtbot.keyClicks(page.confirm_edit, "a long passphrase!")
    qtbot.keyClick(page.confirm_edit, Qt.Key.Key_Return)
    assert "differ" in page.message.text() and not hashes
    page.confirm_edit.clear()
    qtbot.keyClicks(page.confirm_edit, "a long passphrase")
    qtbot.keyClick(page.confirm_edit, Qt.Key.Key_Return)
    assert len(hashes) == 1 and is_valid_hash(hashes[0])
    assert "a long passphrase" not in hashes[0]
    assert verify_passphrase("a long passphrase", hashes[0])
    assert not tab.is_locked()
    wait_loaded(qtbot, tab)
    assert tab.model.rowCount() == 42
    # Lock, then unlock with the new passphrase.
    tab.lock()
    qtbot.keyClicks(tab.lock_page.passphrase_edit, "a long passphrase")
    qtbot.keyClick(tab.lock_page.passphrase_edit, Qt.Key.Key_Return)
    assert not tab.is_locked()


def test_changing_the_passphrase_needs_the_current_one(qtbot: QtBot, cache: Cache) -> None:
    tab = make_tab(qtbot, cache)
    hashes: list[str] = []
    tab.unlockHashChanged.connect(hashes.append)
    tab.lock()
    tab.change_passphrase()  # locked: someone else at the keyboard cannot get in this way
    assert tab.stack.currentWidget() is tab.lock_page
    qtbot.keyClicks(tab.lock_page.passphrase_edit, PASSPHRASE)
    qtbot.keyClick(tab.lock_page.passphrase_edit, Qt.Key.Key_Return)
    tab.change_passphrase()
    page = tab.setup_page
    assert tab.is_locked() and tab.stack.currentWidget() is page
    assert tab.model.rowCount() == 0
    for field, text in (
        (page.current_edit, "not it at all"),
        (page.passphrase_edit, "a new passphrase"),
        (page.confirm_edit, "a new passphrase"),
    ):
        qtbot.keyClicks(field, text)
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    assert "current passphrase is not right" in page.message.text() and not hashes
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert tab.stack.currentWidget() is tab.lock_page and tab.is_locked()
    qtbot.keyClicks(tab.lock_page.passphrase_edit, PASSPHRASE)
    qtbot.keyClick(tab.lock_page.passphrase_edit, Qt.Key.Key_Return)
    tab.change_passphrase()
    qtbot.keyClicks(page.current_edit, PASSPHRASE)
    qtbot.keyClicks(page.passphrase_edit, "a new passphrase")
    qtbot.keyClicks(page.confirm_edit, "a new passphrase")
    qtbot.keyClick(page.confirm_edit, Qt.Key.Key_Return)
    assert len(hashes) == 1 and verify_passphrase("a new passphrase", hashes[0])
    assert not tab.is_locked()
    tab.lock()
    qtbot.keyClicks(tab.lock_page.passphrase_edit, PASSPHRASE)
    qtbot.keyClick(tab.lock_page.passphrase_edit, Qt.Key.Key_Return)
    assert tab.is_locked(), "the old passphrase no longer opens it"


def test_notifications_say_how_many_arrived_and_nothing_else(qtbot: QtBot, cache: Cache) -> None:
    notifications = Notifications()
    tab = make_tab(qtbot, cache, notifier=notifications)
    assert notifications.shown == []  # what was there at start is not news
    base = by_name("Hannah Greer").record
    arrivals = [
        dataclasses.replace(
            base,
            id=300,
            first_name="Quentin",
            email="quentin@example.com",
            message="I want to end my life zzq",
        ),
        dataclasses.replace(base, id=301, first_name="Rhoda", email="rhoda@example.com"),
    ]
    cache.inquiries.upsert_from_site(arrivals)
    assert flag_new_arrivals(cache, [300, 301]) == 1
    tab.lock()  # notifications come whether or not the tab is locked
    tab.refresh()
    wait_loaded(qtbot, tab)
    assert notifications.shown == [("ClinicDesk", "2 new inquiries — 1 urgent")]
    tab.refresh()
    wait_loaded(qtbot, tab)
    assert len(notifications.shown) == 1
    cache.inquiries.upsert_from_site([dataclasses.replace(base, id=302, first_name="Sol")])
    tab.refresh()
    wait_loaded(qtbot, tab)
    assert notifications.shown[-1] == ("ClinicDesk", "1 new inquiry")
    shown = " ".join(f"{title} {message}" for title, message in notifications.shown)
    for secret in ("Quentin", "Rhoda", "Sol", "quentin@", "end my life", "Greer", "Anxiety"):
        assert secret not in shown


def test_export_asks_warns_and_writes_a_private_injection_safe_csv(
    qtbot: QtBot, cache: Cache, tmp_path: Path
) -> None:
    formula = dataclasses.replace(
        by_name("Hannah Greer").record,
        id=400,
        first_name='=HYPERLINK("http://x")',
        message="@SUM(1+1)",
    )
    cache.inquiries.upsert_from_site([formula])
    tab = make_tab(qtbot, cache)
    select(qtbot, tab, '=HYPERLINK("http://x") Greer')
    tab.export_action.trigger()
    dialog = open_dialog(qtbot, tab, ExportDialog)
    warning = dialog.findChild(QLabel, "exportWarning")
    assert warning is not None and "NOT encrypted" in warning.text()
    target = tmp_path / "export.csv"
    dialog.reject()
    assert not target.exists()
    tab.export_action.trigger()
    dialog = open_dialog(qtbot, tab, ExportDialog)
    dialog.path_edit.setText(str(target))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(target.exists)
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text
    assert "1 inquiry exported to export.csv (not encrypted)" in tab.message_label.text()


def test_export_dates_are_the_clinics_and_a_row_it_could_not_read_is_said(
    qtbot: QtBot, cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clinic_zone(zone_from("Asia/Kolkata", 0))  # +5:30: not this computer's zone
    try:
        tab = make_tab(qtbot, cache)
        hannah, raymond = by_name("Hannah Greer"), by_name("Raymond Castellanos")
        ids = [tab.store.local_id(p.record.id) for p in (hannah, raymond)]
        assert None not in ids
        real_get = tab.store.get

        def get(inquiry_id: int) -> Any:
            if inquiry_id == ids[1]:  # removed by a sync since it was selected
                raise RecordNotFoundError(f"inquiry {inquiry_id}")
            return real_get(inquiry_id)

        monkeypatch.setattr(tab.store, "get", get)
        target = tmp_path / "export.csv"
        tab.export.write_export([i for i in ids if i is not None], target)
        lines = target.read_text(encoding="utf-8-sig").splitlines()
        received_header = lines[0].split(",")[0]
        # "India Standard Time" where the zone database has names, else the zone's id
        assert "India" in received_header or "Kolkata" in received_header, lines[0]
        received = hannah.record.received_gmt.astimezone(ZoneInfo("Asia/Kolkata"))
        assert lines[1].startswith(f'"{received:%Y-%m-%d %H:%M}","Hannah","Greer"'), lines[1]
        assert len(lines) == 2
        said = tab.message_label.text()
        assert "1 inquiry exported to export.csv" in said
        assert "1 selected inquiry could not be read and is not in the file" in said
    finally:
        set_clinic_zone(None)


# -- accessibility and keyboard ------------------------------------------------------------------

_CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QAbstractItemView, QComboBox)


def _controls(root: QWidget) -> list[QWidget]:
    found: list[QWidget] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, _CONTROLS):
            continue
        chain: list[QWidget] = [widget]
        parent = widget.parentWidget()
        while parent is not None and parent is not root:
            chain.append(parent)
            parent = parent.parentWidget()
        if any(w.objectName().startswith("qt_") for w in chain):
            continue  # Qt's internals (a toolbar's extension button, scroll areas' parts)
        if any(isinstance(w, QComboBox) for w in chain[1:]):
            continue  # a combo box's own popup list
        if isinstance(widget.parentWidget(), (QAbstractSpinBox, QAbstractItemView, QLineEdit)):
            continue  # a table's corner button, a line edit's clear button
        found.append(widget)
    return found


def _check_names(root: QWidget) -> int:
    controls = _controls(root)
    for control in controls:
        where = f"{type(control).__name__} in {root.objectName()}"
        assert control.objectName(), where
        assert control.accessibleName(), f"{control.objectName()} ({where})"
    return len(controls)


def test_every_control_has_an_object_name_and_an_accessible_name(
    qtbot: QtBot, flagged: Cache
) -> None:
    tab = make_tab(qtbot, flagged)
    select(qtbot, tab, "Raymond Castellanos")
    checked = _check_names(tab)
    for dialog_kind, key in ((AcknowledgeDialog, "e"), (NoteDialog, "n"), (AssignDialog, "a")):
        press(qtbot, tab, key)
        dialog = open_dialog(qtbot, tab, dialog_kind)
        checked += _check_names(dialog)
        dialog.reject()
    tab.export_action.trigger()
    dialog = open_dialog(qtbot, tab, ExportDialog)
    checked += _check_names(dialog)
    dialog.reject()
    tab.lock()
    checked += _check_names(tab.lock_page)
    assert checked >= 30
    for action in tab.actions() + tab.table.actions():
        assert action.objectName(), action.text()


def test_tab_moves_through_the_panes_in_order(qtbot: QtBot, cache: Cache) -> None:
    tab = make_tab(qtbot, cache)
    tab.search_edit.setFocus()
    order = []
    for _ in range(4):
        order.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert order[:3] == [tab.search_edit, tab.views_list, tab.table]
    # From the views list, arrows change the view.
    tab.views_list.setFocus()
    qtbot.keyClick(tab.views_list, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: tab.model.query.view == "urgent")


def test_screenshot_of_the_inbox_with_an_urgent_inquiry_selected(
    qtbot: QtBot, flagged: Cache, tmp_path: Path
) -> None:
    from clinicdesk.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    tab = make_tab(qtbot, flagged)
    tab.resize(1440, 900)
    select(qtbot, tab, "Raymond Castellanos")
    wait_loaded(qtbot, tab)
    folder = Path(os.environ.get("CLINICDESK_SCREENSHOT_DIR", tmp_path))
    path = folder / "inquiries-urgent-selected.png"
    assert tab.grab().save(str(path))
    print(f"\nscreenshot: {path}")
    assert path.stat().st_size > 10_000


def test_triage_is_queued_for_sync_and_shown_as_waiting(qtbot: QtBot, cache: Cache) -> None:
    """Offline, every change is queued; the timeline says what waits to be sent (the entry
    recording it is written by the push once the site accepts it)."""
    tab = make_tab(qtbot, cache)
    select(qtbot, tab, "Hannah Greer")
    detail = cache.inquiries.get(local_id(cache, "Hannah Greer"))
    press(qtbot, tab, "c")
    qtbot.waitUntil(lambda: status_of(cache, "Hannah Greer") == "contacted")
    entries = cache.outbox.entries()
    assert any(
        e.entity == "inquiry"
        and e.local_id == detail.id
        and e.payload.get("triage_status") == "contacted"
        for e in entries
    )
    assert cache.inquiries.get(detail.id).sync_state == "modified"
    assert tab.detail.sync_label.text() == "Changes waiting to be sent"
    assert shown_timeline(tab) == [
        "Not sent yet · Marisol Reyes · Status\nStatus set to Contacted\n(waiting to be sent)"
    ]
    combo = tab.detail.status_combo
    assert [combo.itemData(n) for n in range(combo.count())] == list(records.TRIAGE_STATUSES)
    combo.setFocus()
    combo.setCurrentIndex(combo.findData("scheduled"))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: status_of(cache, "Hannah Greer") == "scheduled")
    assert "Status set to Scheduled" in shown_timeline(tab)[-1]
    assert ME  # the tab's user is the author of what it writes


def test_search_finds_reason_insurance_and_notes_and_filters_narrow(
    qtbot: QtBot, cache: Cache
) -> None:
    """Typing what the detail shows (an insurer, a reason, words of a note) finds those
    inquiries; the reason and assignee filters narrow the inbox, search or not."""
    tab = make_tab(qtbot, cache)
    wait_loaded(qtbot, tab)
    shown = set(names_in_table(tab))
    demo = [i for i in demo_inquiries() if i.name in shown]
    assert "all fields" in tab.search_edit.placeholderText()
    assert "notes" in tab.search_edit.placeholderText()

    def search(text: str) -> set[str]:
        tab.search_edit.setText(text)
        qtbot.waitUntil(lambda: tab.model.query.text == text)
        wait_loaded(qtbot, tab)
        return set(names_in_table(tab))

    assert search("Cigna") == {i.name for i in demo if i.record.insurance == "Cigna"}
    assert search("couples") == {i.name for i in demo if i.record.reason.startswith("Couples")}
    noted = next(i for i in demo if any(n.kind == "note" and len(n.content) > 20 for n in i.notes))
    note = next(n for n in noted.notes if n.kind == "note" and len(n.content) > 20)
    words = " ".join([w for w in note.content.split() if w.isalpha()][:3])
    assert noted.name in search(words)

    tab.search_edit.clear()
    qtbot.waitUntil(lambda: tab.model.query.text == "")
    tab.filters.choose("Anxiety", None)
    qtbot.waitUntil(lambda: tab.model.query.reason == "Anxiety")
    wait_loaded(qtbot, tab)
    assert set(names_in_table(tab)) == {i.name for i in demo if i.record.reason == "Anxiety"}
    assignee = next(i.record.assignee for i in demo if i.record.assignee)
    tab.filters.choose(None, assignee)
    qtbot.waitUntil(lambda: tab.model.query == InboxQuery(assignee=assignee))
    wait_loaded(qtbot, tab)
    assert set(names_in_table(tab)) == {i.name for i in demo if i.record.assignee == assignee}


def test_waiting_and_received_tick_in_the_detail_as_in_the_list(qtbot: QtBot, cache: Cache) -> None:
    """The detail's "Waiting 3 h 7 min" and "(… ago)" move on with the clock, as the list's
    columns do, without selecting the inquiry again."""
    now = [NOW]
    tab = make_tab(qtbot, cache, clock=lambda: now[0])
    waiting = max(
        (i for i in demo_inquiries() if i.record.triage_status == "new" and not i.record.urgent),
        key=lambda i: i.record.received_gmt,
    )
    select(qtbot, tab, waiting.name)
    assert tab.detail.wait_badge.isVisible()
    badge, received = tab.detail.wait_badge.text(), tab.detail.received_label.text()
    now[0] = NOW + timedelta(hours=1, minutes=10)
    tab._tick.timeout.emit()  # the tab's minute timer fires
    assert tab.detail.wait_badge.text() != badge
    assert tab.detail.received_label.text() != received
