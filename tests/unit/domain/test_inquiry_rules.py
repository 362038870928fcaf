"""Inquiry rules with no cache: the service area, duplicate keys, the first-response target in
business hours with a fixed clock, and the CSV export's cells."""

from __future__ import annotations

import csv
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clinicdesk.domain.export import csv_cell, write_csv
from clinicdesk.domain.inquiry_rules import (
    BusinessHours,
    dial_number,
    email_key,
    phone_key,
    response_due,
    response_wait,
    service_area,
)

TEXAS = ZoneInfo("America/Chicago")


def texas(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TEXAS)


@pytest.mark.parametrize(
    ("state", "states", "expected"),
    [
        ("TX", ["TX"], "inside"),
        ("tx ", ["TX"], "inside"),
        ("OK", ["TX"], "outside"),
        ("LA", ["TX", "LA"], "inside"),
        ("NM", [], "outside"),
        ("", ["TX"], "unknown"),
        ("  ", ["TX"], "unknown"),
    ],
)
def test_service_area(state: str, states: list[str], expected: str) -> None:
    assert service_area(state, states) == expected


@pytest.mark.parametrize(
    "phone",
    ["(512) 555-0187", "512.555.0187", "+1 512 555 0187", "5125550187", "1-512-555-0187"],
)
def test_every_way_of_writing_a_phone_gives_one_key(phone: str) -> None:
    assert phone_key(phone) == "5125550187"


@pytest.mark.parametrize("phone", ["", "n/a", "555-01", "call me"])
def test_no_phone_no_key(phone: str) -> None:
    assert phone_key(phone) == ""


def test_email_keys_ignore_case_and_spaces() -> None:
    assert email_key("  Marcus.Delaney@Example.COM ") == "marcus.delaney@example.com"
    assert email_key("") == ""


@pytest.mark.parametrize(
    ("phone", "dial"),
    [
        ("(512) 555-0187", "+15125550187"),
        ("+1 (832) 555-0196", "+18325550196"),
        ("+44 20 7946 0958", "+442079460958"),
        ("12", ""),
        ("512-555-0187; DROP TABLE", "+15125550187"),
    ],
)
def test_dial_numbers_are_digits_only(phone: str, dial: str) -> None:
    assert dial_number(phone) == dial


# -- the first-response target --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Wednesday 10:00 -> Thursday 10:00 (one business day).
        (texas(2025, 3, 5, 10), texas(2025, 3, 6, 10)),
        # Friday 16:00 -> Monday 16:00.
        (texas(2025, 3, 7, 16), texas(2025, 3, 10, 16)),
        # Saturday: the clock starts on Monday at 9:00.
        (texas(2025, 3, 8, 11), texas(2025, 3, 10, 17)),
        # Before opening: the whole day counts.
        (texas(2025, 3, 5, 6, 30), texas(2025, 3, 5, 17)),
        # After closing: the next day.
        (texas(2025, 3, 5, 20), texas(2025, 3, 6, 17)),
        # Across the change to daylight saving time (Sunday 9 March 2025).
        (texas(2025, 3, 7, 12), texas(2025, 3, 10, 12)),
    ],
)
def test_one_business_day(received: datetime, due: datetime) -> None:
    assert response_due(received, 8) == due.astimezone(UTC)


def test_holidays_and_other_hours() -> None:
    hours = BusinessHours(holidays=frozenset({date(2025, 3, 6)}))
    assert response_due(texas(2025, 3, 5, 16), 2, hours) == texas(2025, 3, 7, 10).astimezone(UTC)
    weekends = BusinessHours(weekdays=frozenset({5, 6}))
    assert response_due(texas(2025, 3, 5, 16), 1, weekends) == texas(2025, 3, 8, 10).astimezone(UTC)
    assert response_due(texas(2025, 3, 5, 16), 0) == texas(2025, 3, 5, 16).astimezone(UTC)
    with pytest.raises(ValueError, match="aware"):
        response_due(datetime(2025, 3, 5, 16), 8)  # naive, on purpose
    with pytest.raises(ValueError, match="business hours"):
        BusinessHours(weekdays=frozenset())


def test_the_wait_with_a_fixed_clock() -> None:
    received = texas(2025, 3, 7, 16)  # Friday 16:00
    monday_morning = texas(2025, 3, 10, 9, 30)
    wait = response_wait(received, monday_morning, 8)
    assert not wait.overdue
    assert wait.waited == timedelta(days=2, hours=17, minutes=30)
    later = response_wait(received, texas(2025, 3, 10, 16, 1), 8)
    assert later.overdue
    assert response_wait(received, received - timedelta(minutes=5), 8).waited == timedelta(0)


# -- the CSV export --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+1 (512) 555-0187", "'+1 (512) 555-0187"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Jane", "Jane"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_the_csv_file_is_private_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old")
    os.chmod(path, 0o644)
    count = write_csv(path, ["Name", "Message"], [["José", "=1+1\nline two"], ["<b>x</b>", ""]])
    assert count == 2
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["Name", "Message"], ["José", "'=1+1\nline two"], ["<b>x</b>", ""]]


@pytest.mark.parametrize(
    "value",
    [
        'Call me;=HYPERLINK("http://evil.example")',
        "Jane; =1+1",
        "a;b;+cmd|' /C calc'!A0",
        "x;\t@SUM(A1)",
        "; -2+3",
    ],
)
def test_csv_cells_split_on_semicolons_never_start_a_formula(value: str) -> None:
    # Spreadsheets in many locales split a line on ";": every piece must stay text too.
    pieces = csv_cell(value).split(";")
    assert pieces[0] == value.split(";")[0]  # the text before the first ";" is unchanged
    for piece in pieces:
        assert not piece.lstrip(" \t").startswith(("=", "+", "-", "@")), piece


def test_the_csv_file_quotes_every_field(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_csv(path, ["Name", "Phone"], [["Jane", "0123"], [None, 7]])
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines() == ['"Name","Phone"', '"Jane","0123"', '"","7"']
