"""Rules of the triage inbox: the service area, likely duplicates, the first-response target.

Nothing here needs Qt, the network or the cache, and nothing reads the clock by itself: the time
is always passed in, so the inbox and its tests agree on what "now" is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

#: The states the clinic sees clients from, unless the settings say otherwise.
DEFAULT_CLINIC_STATES: tuple[str, ...] = ("TX",)

#: The first-response target, in business hours: one business day (9:00 to 17:00).
DEFAULT_RESPONSE_TARGET_HOURS = 8.0

#: Digits of a phone number compared to find the same person (the number without the
#: country code 1; the store compares stored phones the same way).
PHONE_KEY_DIGITS = 10
#: Fewer digits than this is not a phone number worth comparing.
MIN_PHONE_DIGITS = 7

ServiceArea = Literal["inside", "outside", "unknown"]

_NOT_DIGIT = re.compile(r"\D")


def service_area(state: str, clinic_states: Iterable[str]) -> ServiceArea:
    """Whether an inquiry comes from a state the clinic's therapists are licensed in.

    Args:
        state: the form's two-letter state ("" when not given).
        clinic_states: the clinic's states (USPS codes).

    Returns:
        "unknown" when no state was given (someone near a state line may still be in one),
        else "inside" or "outside".
    """
    code = state.strip().upper()
    if not code:
        return "unknown"
    return "inside" if code in {s.strip().upper() for s in clinic_states} else "outside"


def email_key(email: str) -> str:
    """An email address as compared for duplicates: trimmed, lower-case ("" for none).

    Only ASCII letters are lowered, exactly as SQLite's ``lower()`` in the store does.
    """
    return email.strip().translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def phone_key(phone: str) -> str:
    """A phone number as compared for duplicates: its last ten digits ("" for none).

    ``(512) 555-0187``, ``512.555.0187``, ``+1 512 555 0187`` and ``5125550187`` all give
    ``5125550187``.
    """
    digits = _NOT_DIGIT.sub("", phone)
    if len(digits) < MIN_PHONE_DIGITS:
        return ""
    return digits[-PHONE_KEY_DIGITS:]


def dial_number(phone: str) -> str:
    """The number to put in a ``tel:`` link: digits only, with ``+`` when it was written.

    Returns "" when there is nothing to dial.
    """
    digits = _NOT_DIGIT.sub("", phone)
    if len(digits) < MIN_PHONE_DIGITS:
        return ""
    if phone.strip().startswith("+"):
        return "+" + digits
    if len(digits) == PHONE_KEY_DIGITS:
        return "+1" + digits  # the form is for US numbers
    return digits


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """When the clinic answers inquiries.

    Attributes:
        timezone: an IANA zone (the clinic is in Texas).
        opens: the local time the day starts.
        closes: the local time it ends.
        weekdays: days the clinic works (Monday is 0).
        holidays: local dates it does not.
    """

    timezone: str = "America/Chicago"
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.weekdays or self.opens >= self.closes:
            raise ValueError("business hours need at least one day and a day that ends later")

    def is_open_on(self, day: date) -> bool:
        """Whether ``day`` (local) is a working day."""
        return day.weekday() in self.weekdays and day not in self.holidays


@dataclass(frozen=True, slots=True)
class ResponseWait:
    """How a new inquiry stands against the first-response target.

    Attributes:
        waited: time since it arrived (wall-clock).
        due: when the target passes.
        overdue: whether it has passed.
    """

    waited: timedelta
    due: datetime
    overdue: bool


def response_due(
    received: datetime, target_hours: float, hours: BusinessHours | None = None
) -> datetime:
    """When the first-response target passes: ``target_hours`` of business hours after arrival.

    An inquiry sent on Friday at 16:00 with a target of one business day (8 hours) is due on
    Monday at 16:00; one sent on Saturday is due on Monday at 17:00.

    Args:
        received: when it arrived (aware).
        target_hours: business hours allowed; 0 or less means "at once".
        hours: the clinic's hours (weekdays 9:00 to 17:00, Texas time, by default).

    Returns:
        The moment, in UTC.
    """
    if received.tzinfo is None:
        raise ValueError("received must be an aware datetime")
    if target_hours <= 0:
        return received.astimezone(UTC)
    hours = hours or BusinessHours()
    zone = ZoneInfo(hours.timezone)
    cursor = received.astimezone(zone)
    remaining = timedelta(hours=target_hours)
    day = cursor.date()
    for _ in range(3660):  # ten years of days: a calendar with no working day never ends
        if hours.is_open_on(day):
            opens = datetime.combine(day, hours.opens, zone)
            closes = datetime.combine(day, hours.closes, zone)
            start = max(cursor, opens)
            if start < closes:
                if remaining <= closes - start:
                    return (start + remaining).astimezone(UTC)
                remaining -= closes - start
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0, 0), zone)
    raise ValueError("no business hours in the next ten years")


def response_wait(
    received: datetime,
    now: datetime,
    target_hours: float,
    hours: BusinessHours | None = None,
) -> ResponseWait:
    """How long a new inquiry has waited and whether it is past the first-response target.

    Args:
        received: when it arrived (aware).
        now: the current time (aware; from the injected clock).
        target_hours: business hours allowed.
        hours: the clinic's hours.
    """
    due = response_due(received, target_hours, hours)
    return ResponseWait(max(now - received, timedelta(0)), due, now >= due)
