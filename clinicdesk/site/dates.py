"""WordPress's dates: reading its ``*_gmt`` values and HTTP ``Date`` headers, writing its format.

WordPress sends ``YYYY-MM-DDTHH:MM:SS`` with no zone; only the ``*_gmt`` fields are read, and they
are UTC. A draft's ``date_gmt`` may be ``null`` or the zero date, read as ``None``. Everything
here is an aware UTC datetime at whole seconds (WordPress's resolution).
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["format_gmt", "http_date", "parse_gmt"]

# MySQL's DATETIME range (WordPress's dates): outside it a date is a fault, and Python could not
# even compute with it (a year-9999 date plus an offset overflows).
_MIN_YEAR = 1000
_MAX_YEAR = 9998

_DATE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$"
)
_ZERO_DATE = "0000-00-00T00:00:00"


def parse_gmt(text: str) -> datetime | None:
    """A WordPress ``*_gmt`` value as an aware UTC datetime.

    ``YYYY-MM-DDTHH:MM:SS`` without a zone is UTC (that is what ``_gmt`` means). A ``Z`` or an
    offset, which WordPress does not send but a proxy might, is honoured. Fractions of a second
    are dropped: WordPress has 1-second resolution.

    Returns:
        The datetime, or None for WordPress's zero date (``0000-00-00T00:00:00``).

    Raises:
        ValueError: not such a date.
    """
    if text.startswith(_ZERO_DATE[:10]):
        if text.startswith(_ZERO_DATE):
            return None
        raise ValueError("zero date")
    match = _DATE_RE.match(text)
    if match is None:
        raise ValueError("not a date")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueError("a year outside what WordPress stores")
    zone = match.group(8)
    tz: timezone = UTC
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return datetime(year, month, day, hour, minute, second, tzinfo=tz).astimezone(UTC)


def http_date(value: str | None) -> datetime | None:
    """An HTTP ``Date`` header (``Thu, 26 Nov 2026 09:50:49 GMT``) as an aware UTC datetime.

    It is the site's own clock, the one its ``modified_gmt`` values come from.

    Returns:
        The datetime, or None when the header is absent or unreadable (never an error: the
        caller falls back to its own clock).
    """
    if not value or len(value) > 100:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000": UTC, with no claim about the local zone
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0)


def format_gmt(value: datetime, *, zone: bool) -> str:
    """An aware datetime as WordPress's UTC format, seconds resolution (fractions dropped).

    Args:
        value: must be timezone-aware (a naive datetime is ambiguous: local time or UTC?).
        zone: append ``Z`` (for query parameters like ``modified_after``, where WordPress would
            read a zoneless value as site-local time); body fields named ``*_gmt`` go without.

    Raises:
        ValueError: ``value`` is naive.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetimes sent to the site must be timezone-aware")
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return text + "Z" if zone else text
