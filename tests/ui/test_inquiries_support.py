"""Helpers for the Inquiries tab's tests: the demo's inquiries in a real cache, and a tab on it.

No tests here (kept in a ``test_inquiries_*`` module so the tests need nothing from a conftest).
The demo's records come from ``resources/demo/inquiries.json``, as the reference site seeds them,
with times relative to a fixed clock instead of the real one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from clinicdesk.domain.lock import hash_passphrase
from clinicdesk.model import records
from clinicdesk.store import Cache, CacheKey, open_cache
from clinicdesk.ui.inquiries import InquiriesTab, InquiryOptions

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
KEY = CacheKey.from_bytes(bytes(range(3, 35)))

#: Wednesday 5 March 2025, 15:00 UTC: 9:00 in Texas, the start of a business day.
NOW = datetime(2025, 3, 5, 15, 0, tzinfo=UTC)

PASSPHRASE = "blue heron at dawn"
#: A cheap hash (tests only): the real cost is checked in tests/unit/test_lock.py.
FAST_HASH = hash_passphrase(PASSPHRASE, log2_n=4, r=1)
ME = 6  # mreyes, an intake specialist


def fast_hasher(passphrase: str) -> str:
    """What the tab hashes a new passphrase with in tests."""
    return hash_passphrase(passphrase, log2_n=4, r=1)


def demo_json() -> list[dict[str, Any]]:
    data = json.loads((DEMO / "inquiries.json").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def demo_users() -> list[dict[str, Any]]:
    data = json.loads((DEMO / "users.json").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def user_ids() -> dict[str, int]:
    """Username -> site id, in the order the seeder creates them (1, 2, ...)."""
    return {user["username"]: n for n, user in enumerate(demo_users(), start=1)}


@dataclass(frozen=True)
class DemoInquiry:
    """One seeded inquiry: the record and its timeline, as the site would return them."""

    record: records.Inquiry
    notes: tuple[records.Note, ...]

    @property
    def name(self) -> str:
        return f"{self.record.first_name} {self.record.last_name}".strip()


def demo_inquiries(now: datetime = NOW) -> list[DemoInquiry]:
    """The demo's 42 inquiries (site ids 1..42), received relative to ``now``."""
    ids = user_ids()
    out = []
    note_id = 0
    for n, item in enumerate(demo_json(), start=1):
        received = (now - timedelta(minutes=item["received_minutes_ago"])).replace(microsecond=0)
        record = records.Inquiry(
            id=n,
            status="private",
            date_gmt=received,
            modified_gmt=received,
            first_name=item["first_name"],
            last_name=item["last_name"],
            email=item["email"],
            phone=item["phone"],
            preferred_contact=item["preferred_contact"],
            state=item["state"],
            insurance=item["insurance"],
            reason=item["reason"],
            message=item["message"],
            consent=item["consent"],
            received_gmt=received,
            triage_status=item["triage_status"],
            assignee=ids[item["assignee"]] if item["assignee"] else 0,
            urgent=item["urgent"],
            unread=item["unread"],
        )
        notes = []
        for note in item["notes"]:
            note_id += 1
            content = note["content"]
            if note["kind"] == "assign":
                content = str(ids[content])
            notes.append(
                records.Note(
                    id=note_id,
                    inquiry=n,
                    author=ids[note["author"]],
                    author_name=next(
                        u["name"] for u in demo_users() if u["username"] == note["author"]
                    ),
                    date_gmt=(now - timedelta(minutes=note["minutes_ago"])).replace(microsecond=0),
                    kind=note["kind"],
                    content=content,
                    client_id=None,
                )
            )
        out.append(DemoInquiry(record, tuple(notes)))
    return out


def by_name(name: str, now: datetime = NOW) -> DemoInquiry:
    """The demo inquiry of a person ("Raymond Castellanos"); the first when they wrote twice."""
    return next(i for i in demo_inquiries(now) if i.name == name)


def seed(cache: Cache, now: datetime = NOW) -> list[DemoInquiry]:
    """Put the demo's inquiries, timelines, users and staff into ``cache``."""
    inquiries = demo_inquiries(now)
    cache.inquiries.upsert_from_site([i.record for i in inquiries])
    cache.inquiries.upsert_notes([note for i in inquiries for note in i.notes])
    users = demo_users()
    ids = user_ids()
    cache.catalog.replace_users(
        [records.User(ids[u["username"]], u["name"], u["username"]) for u in users]
    )
    cache.catalog.replace_staff(
        [
            records.StaffMember(ids[u["username"]], u["name"], u["username"], (u["role"],))
            for u in users
            if u["role"] in ("administrator", "editor", "clinicdesk_intake")
        ]
    )
    return inquiries


@contextmanager
def demo_cache(path: Path, now: datetime = NOW) -> Iterator[Cache]:
    """A real encrypted cache holding the demo's inquiries; always closed."""
    cache = open_cache(path, KEY)
    try:
        seed(cache, now)
        yield cache
    finally:
        cache.close()


def local_id(cache: Cache, name: str) -> int:
    """The local id of a demo person's (first) inquiry."""
    found = cache.inquiries.local_id(by_name(name).record.id)
    assert found is not None
    return found


class Notifications:
    """A notifier that keeps what it was asked to show."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def __call__(self, title: str, message: str) -> None:
        self.shown.append((title, message))


def make_tab(
    qtbot: QtBot,
    cache: Cache,
    *,
    clock: Callable[[], datetime] = lambda: NOW,
    options: InquiryOptions | None = None,
    notifier: Callable[[str, str], None] | None = None,
    locked: bool = False,
    user_id: int = ME,
) -> InquiriesTab:
    """An unlocked tab on ``cache`` with the fast passphrase hash, shown and loaded.

    The tab is shut down when the test ends (before its cache closes: fixtures close last).
    """
    tab = InquiriesTab(
        cache,
        user_id,
        "Marisol Reyes",
        options or InquiryOptions(unlock_hash=FAST_HASH),
        clock=clock,
        notifier=notifier or Notifications(),
        locked=locked,
        hasher=fast_hasher,
    )
    qtbot.addWidget(tab, before_close_func=lambda _widget: tab.shutdown())
    tab.resize(1400, 860)
    tab.show()
    qtbot.waitExposed(tab)
    wait_loaded(qtbot, tab)
    return tab


def wait_loaded(qtbot: QtBot, tab: InquiriesTab, timeout: int = 30_000) -> None:
    """Until the tab's reads of the cache have all come back."""
    qtbot.waitUntil(lambda: not tab.loading, timeout=timeout)
    qtbot.wait(1)  # deliver the queued follow-up read, if any
    qtbot.waitUntil(lambda: not tab.loading, timeout=timeout)


def names_in_table(tab: InquiriesTab) -> list[str]:
    """The Name column, top to bottom (reads every row: small caches only)."""
    from clinicdesk.ui.inquiries.models import COLUMN_INDEX

    column = COLUMN_INDEX["name"]
    return [tab.model.data(tab.model.index(row, column)) for row in range(tab.model.rowCount())]


def select(qtbot: QtBot, tab: InquiriesTab, name: str) -> int:
    """Make the row of ``name`` current (as a click would) and return its row."""
    row = names_in_table(tab).index(name)
    tab.table.setFocus()
    tab.table.selectRow(row)
    qtbot.waitUntil(lambda: tab.detail.name_label.text() == name)
    return row


def visible_texts(root: QWidget) -> list[str]:
    """Every text a person (or a screen reader) could get from the widget tree and its models:
    labels, fields, buttons, tooltips, accessible names, window titles, and every cell of every
    item view."""
    from PySide6.QtWidgets import QAbstractItemView

    texts: list[str] = []
    widgets: Sequence[QWidget] = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        texts += [widget.toolTip(), widget.accessibleName(), widget.windowTitle()]
        if isinstance(widget, QLabel | QLineEdit | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(n) for n in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(min(model.rowCount(QModelIndex()), 500)):
                columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount()
                for column in range(columns):
                    index = model.index(row, column)
                    for role in (0, 3):  # display, tooltip
                        value = model.data(index, role)
                        if isinstance(value, str):
                            texts.append(value)
    return [t for t in texts if t]
