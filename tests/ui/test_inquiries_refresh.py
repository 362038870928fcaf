"""The Inquiries tab after a sync round: the filters' choices (reasons, staff) are read again
off the UI thread, with the inbox, and offer what the round brought."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from clinicdesk.model import records
from clinicdesk.store import Cache
from tests.fixtures import inquiries_tab as inbox
from tests.fixtures.inquiries_tab import NOW, make_tab
from tests.fixtures.store import site_inquiry
from tests.fixtures.threads import record_threads

NEW_REASON = "Sleep trouble"
NEW_STAFF = records.User(9_001, "Ada Quill", "ada")


cache = inbox.cache


def _offered(box: Any) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def test_the_filters_offer_what_a_round_brought_read_off_the_ui_thread(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, cache: Cache
) -> None:
    tab = make_tab(qtbot, cache)
    assert NEW_REASON not in _offered(tab.filters.reason_box)
    assert NEW_STAFF.name not in _offered(tab.filters.assignee_box)
    # What a round stores: an inquiry giving a new reason, and a new member of staff.
    arrived = dataclasses.replace(site_inquiry(9_500, received=NOW), reason=NEW_REASON)
    cache.inquiries.upsert_from_site([arrived])
    cache.catalog.replace_users([*cache.catalog.users(), NEW_STAFF])
    calls = record_threads(monkeypatch, [(cache.inquiries, "reasons"), (cache.catalog, "users")])

    with qtbot.waitSignal(tab.loaded):
        tab.refresh()

    assert NEW_REASON in _offered(tab.filters.reason_box)
    assert NEW_STAFF.name in _offered(tab.filters.assignee_box)
    assert {name for name, _ui in calls} == {"reasons", "users"}
    assert not [name for name, on_ui_thread in calls if on_ui_thread], calls
