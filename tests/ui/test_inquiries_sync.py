"""The Inquiries tab with the real reference site and the sync engine: a crisis inquiry sent
through the consultation form is flagged, pinned and closed only with an acknowledgement that
reaches the site; triage done offline reaches the site on the next sync."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from clinicdesk.services.arrivals import flag_new_arrivals
from clinicdesk.site import SiteClient
from clinicdesk.ui.inquiries.dialogs import AcknowledgeDialog, AssignDialog, NoteDialog
from clinicdesk.ui.inquiries.models import COLUMN_INDEX
from tests.fixtures import sync as fixtures
from tests.fixtures.desktop import CRISIS_FORM, CRISIS_NOTE
from tests.fixtures.inquiries_tab import (
    make_tab,
    names_in_table,
    open_dialog,
    press,
    select,
    wait_loaded,
)
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import FAST_RETRY, FAST_TIMEOUTS, Account, Accounts, SiteView

accounts = fixtures.accounts
site_view = fixtures.site_view


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _synced(account: Account) -> None:
    report = account.sync()
    assert report.outcome == "ok", report


def _site_notes(view: SiteView, remote_id: int) -> list[tuple[str, str]]:
    return [(n["kind"], n["content"]) for n in view.notes() if n["inquiry"] == remote_id]


def test_a_crisis_inquiry_from_the_form_is_flagged_pinned_and_acknowledged_on_the_site(
    qtbot: QtBot, accounts: Accounts, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    account = accounts("intake")
    _synced(account)
    me = account.client.me()
    with SiteClient(fresh_site.url, None, None, retry=FAST_RETRY, timeouts=FAST_TIMEOUTS) as public:
        remote_id = public.submit_consultation(CRISIS_FORM)  # type: ignore[arg-type]
    _synced(account)
    local = account.cache.inquiries.local_id(remote_id)
    assert local is not None
    # What sync calls after a pull (its return value is not checked: once sync calls it
    # itself, this second call finds nothing left to flag, which is the point).
    flag_new_arrivals(account.cache, [remote_id], author=me.id, author_name=me.name)
    assert account.cache.inquiries.get(local).triage.urgent
    assert [(n.kind, n.content) for n in account.cache.inquiries.notes(local)] == [
        ("note", CRISIS_NOTE)
    ]

    tab = make_tab(qtbot, account.cache, clock=_utcnow, user_id=me.id)
    tab.table.sortByColumn(
        COLUMN_INDEX["received"],
        tab.table.horizontalHeader().sortIndicatorOrder().__class__.AscendingOrder,
    )
    wait_loaded(qtbot, tab)
    assert names_in_table(tab)[0] == "Wren Castillo"  # the newest, yet first in oldest-first order
    select(qtbot, tab, "Wren Castillo")
    assert tab.detail.crisis_panel.isVisible()

    press(qtbot, tab, "e")
    dialog = open_dialog(qtbot, tab, AcknowledgeDialog)
    dialog.reject()
    assert account.cache.inquiries.get(local).triage.triage_status == "new"
    press(qtbot, tab, "e")
    dialog = open_dialog(qtbot, tab, AcknowledgeDialog)
    text = "Called Wren at 10:02; safe, with a friend tonight; gave 988; intake booked."
    qtbot.keyClicks(dialog.text_edit, text)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: account.cache.inquiries.get(local).triage.triage_status == "closed")

    _synced(account)
    site = site_view.inquiry(remote_id)
    assert site["meta"]["triage_status"] == "closed"
    assert site["meta"]["urgent"] is True
    # Each entry once: the flag's reason, the flag and the status (recorded by the push as
    # the site accepted them) and the acknowledgement.
    assert sorted(_site_notes(site_view, remote_id)) == sorted(
        [
            ("note", CRISIS_NOTE),
            ("urgent", "on"),
            ("status", "closed"),
            ("acknowledge", text),
        ]
    )
    tab.refresh()
    wait_loaded(qtbot, tab)
    assert account.cache.inquiries.get(local).sync_state == "synced"


def test_triage_made_offline_reaches_the_site_on_the_next_sync(
    qtbot: QtBot,
    accounts: Accounts,
    fresh_site: SiteUnderTest,
    site_view: SiteView,
    closed_port: int,
) -> None:
    account = accounts("intake")
    _synced(account)
    me = account.client.me()
    tab = make_tab(qtbot, account.cache, clock=_utcnow, user_id=me.id)
    account.use(f"http://127.0.0.1:{closed_port}")  # the clinic's Wi-Fi is down

    name = "Hannah Greer"
    select(qtbot, tab, name)
    local = tab.detail.inquiry_id
    assert local is not None
    remote_id = account.cache.inquiries.get(local).remote_id
    assert remote_id is not None
    press(qtbot, tab, "c")
    qtbot.waitUntil(lambda: account.cache.inquiries.get(local).triage.triage_status == "contacted")
    press(qtbot, tab, "a")
    assign = open_dialog(qtbot, tab, AssignDialog)
    assign.combo.setCurrentIndex(assign.combo.findData(me.id))
    assign.accept()
    qtbot.waitUntil(lambda: account.cache.inquiries.get(local).triage.assignee == me.id)
    press(qtbot, tab, "n")
    note = open_dialog(qtbot, tab, NoteDialog)
    qtbot.keyClicks(note.text_edit, "Left a voicemail; will try again at 4.")
    note.accept()
    qtbot.waitUntil(lambda: len(account.cache.inquiries.notes(local)) == 1)

    offline = account.sync()
    assert offline.outcome != "ok"
    assert site_view.inquiry(remote_id)["meta"]["triage_status"] == "new"

    account.use(fresh_site.url)
    _synced(account)
    site = site_view.inquiry(remote_id)
    assert (site["meta"]["triage_status"], site["meta"]["assignee"]) == ("contacted", me.id)
    assert site["meta"]["unread"] is False  # opening it marked it read for the team
    print(
        "NOTES",
        [
            (n["id"], n["kind"], n["content"], n["client_id"], n["author"])
            for n in site_view.notes()
            if n["inquiry"] == remote_id
        ],
    )
    print(
        "LOCAL",
        [
            (n.id, n.kind, n.content, n.client_id, n.remote_id, n.pending)
            for n in account.cache.inquiries.notes(local)
        ],
    )
    assert _site_notes(site_view, remote_id) == [
        ("status", "contacted"),
        ("assign", str(me.id)),
        ("note", "Left a voicemail; will try again at 4."),
    ]
    assert all(n["author"] == me.id for n in site_view.notes() if n["inquiry"] == remote_id)
    tab.refresh()
    wait_loaded(qtbot, tab)
    assert tab.detail.sync_label.text() == "Up to date with the site"
