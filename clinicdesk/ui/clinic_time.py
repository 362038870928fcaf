"""Dates and times as the clinic reads them: in the clinic's time zone, in the user's locale.

The clinic's zone is the WordPress site's (``timezone_string``, else ``gmt_offset``, from the
REST index, kept in the cache by the sync), so a therapist working from another zone, or a
laptop set to the wrong one, sees the times the clinic's phones and calendar use. Until a site
said, the computer's zone is used.

Dates are never all-numeric ("6/12/26" is June in one country and December in another): the
locale's long date pattern is shortened (no weekday, the month's short name), e.g.
"Dec 6, 2026, 3:05 PM" in en_US, "6. Dez. 2026, 15:05" in de_DE.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from PySide6.QtCore import QByteArray, QDate, QDateTime, QLocale, QTime, QTimeZone

_zone: QTimeZone | None = None

#: A weekday in a date pattern, with what separates it from the rest ("dddd, ", "ddd ").
_WEEKDAY = re.compile(r"d{3,4}[,.]?\s*")


def zone_from(timezone_string: str, gmt_offset: float) -> QTimeZone:
    """The zone a WordPress site declares: its IANA name when set and known, else its offset
    from UTC (WordPress's "UTC+2" choices leave the name empty)."""
    if timezone_string:
        named = QTimeZone(QByteArray(timezone_string.encode("ascii", "replace")))
        if named.isValid():
            return named
    return QTimeZone(round(gmt_offset * 3600))


def set_clinic_zone(zone: QTimeZone | None) -> None:
    """Show times in ``zone`` from now on (None: the computer's zone)."""
    global _zone
    _zone = zone if zone is not None and zone.isValid() else None


def clinic_zone() -> QTimeZone:
    """The zone times are shown in."""
    return _zone if _zone is not None else QTimeZone.systemTimeZone()


def to_clinic(moment: datetime) -> QDateTime:
    """An aware datetime as a QDateTime in the clinic's zone."""
    utc = moment.astimezone(UTC)
    value = QDateTime(
        QDate(utc.year, utc.month, utc.day),
        QTime(utc.hour, utc.minute, utc.second),
        QTimeZone.utc(),
    )
    return value.toTimeZone(clinic_zone())


def from_clinic(value: QDateTime) -> datetime:
    """A moment picked in a date editor (any zone) as an aware UTC datetime, whole seconds."""
    utc = value.toUTC()
    date, time = utc.date(), utc.time()
    return datetime(
        date.year(), date.month(), date.day(), time.hour(), time.minute(), time.second(), tzinfo=UTC
    )


def zone_name(moment: datetime | None = None) -> str:
    """The clinic's zone in words at ``moment`` (default now), e.g. "Central Standard Time"."""
    zone = clinic_zone()
    when = to_clinic(moment or datetime.now(UTC))
    name = zone.displayName(when, QTimeZone.NameType.LongName, QLocale())
    return name or bytes(zone.id().data()).decode("ascii", "replace")


def date_pattern(locale: QLocale | None = None) -> str:
    """The locale's date pattern with the month by name and the year in full, no weekday."""
    pattern = (locale or QLocale()).dateFormat(QLocale.FormatType.LongFormat)
    pattern = _WEEKDAY.sub("", pattern).strip(" ,")
    return pattern.replace("MMMM", "MMM")


def format_moment(moment: datetime, *, today: datetime | None = None) -> str:
    """``moment`` in the clinic's zone: the date by name and the time ("Dec 6, 2026, 3:05 PM");
    only the time when it is on ``today``'s date there (e.g. "Last synced 3:05 PM")."""
    locale = QLocale()
    value = to_clinic(moment)
    time = locale.toString(value.time(), locale.timeFormat(QLocale.FormatType.ShortFormat))
    if today is not None and to_clinic(today).date() == value.date():
        return time
    return f"{locale.toString(value.date(), date_pattern(locale))}, {time}"
