"""Validation of every answer from the site before anything in it is used.

The site is a remote program the app does not control (a caching plugin, a firewall or a broken
theme may answer instead of WordPress), so nothing here trusts a shape: each answer is decoded as
JSON, checked for its top-level type, then every field the app reads is checked for presence,
type, format and a sane size. A record is either built whole from checked values or not at all:
the first problem raises :class:`~clinicdesk.site.errors.InvalidResponseError` naming the record,
its id (when it could be read) and the field.

Dates: WordPress sends ``YYYY-MM-DDTHH:MM:SS`` with no zone; only the ``*_gmt`` fields are read,
and they are UTC. A draft's ``date_gmt`` may be ``null`` or the zero date, read as ``None``.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import NoReturn, TypeVar

from clinicdesk.model.records import (
    CONTACT_METHODS,
    NOTE_KINDS,
    POST_STATUSES,
    SYSTEM_AUTHOR,
    TRIAGE_STATUSES,
    CurrentUser,
    Inquiry,
    Media,
    Note,
    Post,
    RefusedRecord,
    SiteInfo,
    StaffMember,
    Taxonomy,
    Term,
    User,
    Version,
)
from clinicdesk.site.errors import InvalidResponseError, NotWordPressError

__all__ = [
    "MAX_BODY_BYTES",
    "ErrorPayload",
    "current_user",
    "decode_json",
    "deleted",
    "each",
    "error_payload",
    "expect_list",
    "expect_object",
    "format_gmt",
    "http_date",
    "inquiry",
    "many",
    "media",
    "new_id",
    "note",
    "page_counts",
    "parse_gmt",
    "post",
    "site_info",
    "staff_member",
    "term",
    "text_problem",
    "user",
    "version",
]

#: The largest answer the client reads (after decompression). A full page of 100 long posts in
#: edit context (raw and rendered content) is a few MB; anything far larger is a fault or an attack.
MAX_BODY_BYTES = 50 * 1024 * 1024

# Size limits for single fields follow the column WordPress keeps each field in, so that nothing
# WordPress accepts is refused here (a contributor's 10,001-character title is a valid post):
# ``wp_posts.post_title`` is a TEXT column (65,535 bytes), ``post_content``/``post_excerpt``, post
# meta (alternative text, every inquiry field), option values and the notes' ``content`` are
# LONGTEXT (bounded here only by MAX_BODY_BYTES), ``post_name`` and term names and slugs are
# VARCHAR(200), ``post_mime_type`` VARCHAR(100), ``post_status`` VARCHAR(20), ``display_name``
# VARCHAR(250), ``user_nicename`` VARCHAR(50), ``user_login`` VARCHAR(60), ``user_email``
# VARCHAR(100). VARCHAR lengths are characters (utf8mb4), TEXT lengths bytes.
_TEXT_BYTES = 65_535  # a MySQL TEXT column: post titles
_LONGTEXT = MAX_BODY_BYTES  # LONGTEXT: only the size of the whole answer bounds it
_SLUG = 200  # post_name, terms' name and slug (VARCHAR(200))
_DISPLAY_NAME = 250  # users' display_name (VARCHAR(250))
_USER_SLUG = 50  # user_nicename (VARCHAR(50))
_USER_LOGIN = 60  # user_login (VARCHAR(60))
_USER_EMAIL = 100  # user_email (VARCHAR(100))
_MIME = 100  # post_mime_type (VARCHAR(100))
_CLIENT_ID = 64  # the plugin's client ids (VARCHAR(64) / meta it caps at 64)
# Computed values with no column of their own (permalinks, roles, capability names, the media
# type, the REST namespaces, the site's time zone): far above anything legitimate.
_SHORT = 1_000
_URL = 10_000
#: The plugin's declared version (``1.2.0``, ``1.2.0-beta.1``).
_PLUGIN_VERSION = re.compile(r"\d{1,6}(\.\d{1,6}){0,3}([-+][0-9A-Za-z.-]{1,40})?")
_PLUGIN_VERSION_LEN = 64
_TITLE = 10_000  # an error's message (never stored)

_MAX_INT = 2**63 - 1  # what SQLite (the local store) can hold
# MySQL's DATETIME range (WordPress's dates): outside it a date is a fault, and Python could not
# even compute with it (a year-9999 date plus an offset overflows).
_MIN_YEAR = 1000
_MAX_YEAR = 9998
# json.loads refuses integers over 4,300 digits (a ValueError that would refuse the whole page):
# anything beyond 64 bits is read as a marker the field checks refuse, record by record.
_MAX_INT_DIGITS = 20

_DATE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$"
)
_ZERO_DATE = "0000-00-00T00:00:00"

E = TypeVar("E", bound=str)
R = TypeVar("R")


def _invalid(
    message: str,
    *,
    record: str | None = None,
    record_id: int | None = None,
    field: str | None = None,
) -> NoReturn:
    raise InvalidResponseError(message, record=record, record_id=record_id, field=field)


# --------------------------------------------------------------------------------------------
# Decoding


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<"))


def _reject_constant(name: str) -> object:
    # NaN and Infinity are not JSON; Python's decoder accepts them unless told otherwise.
    raise ValueError(f"{name} is not valid JSON")


def decode_json(body: bytes, content_type: str | None) -> object:
    """Decode an answer's body as JSON, refusing anything that is not a JSON document.

    Args:
        body: the raw body (already limited to :data:`MAX_BODY_BYTES` by the transport).
        content_type: the ``Content-Type`` header. A missing header is tolerated when the body
            parses; an explicit non-JSON type (an HTML page, plain text) is refused.

    Raises:
        InvalidResponseError: an HTML page, a non-JSON content type, malformed JSON.
    """
    kind = _media_type(content_type)
    if kind == "text/html" or (not kind and _looks_like_html(body)):
        _invalid(
            "The site answered with a web page instead of data. A security or caching plugin, "
            "or the hosting company's firewall, may be answering in WordPress's place."
        )
    if kind and kind != "application/json" and not kind.endswith("+json"):
        _invalid(
            f"The site answered with “{kind}” instead of data (JSON). A plugin or the hosting "
            "company's server may be answering in WordPress's place."
        )
    try:
        return json.loads(body, parse_constant=_reject_constant, parse_int=_read_int)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # Deliberately not chained into the message: the text of a broken answer may hold
        # personal data. The position is enough to debug.
        where = f" (at byte {exc.pos})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InvalidResponseError(
            "The site's answer was damaged or incomplete: it is not valid data"
            f"{where}. PHP warnings printed by a plugin are a common cause."
        ) from None


class _OversizedNumber(float):
    """An integer literal of more digits than any 64-bit value: refused by the field that holds it
    (not by the whole answer, so the other records of a page are still read)."""

    __slots__ = ()


def _read_int(literal: str) -> int | float:
    if len(literal.lstrip("-")) > _MAX_INT_DIGITS:
        return _OversizedNumber("inf")
    return int(literal)


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it can.

    JSON's ``\\uXXXX`` escapes can spell a lone UTF-16 surrogate (``"\\udc00"``), which is not
    a character: it has no UTF-8 form, so SQLite (and every file or widget) would refuse it
    later, far from the record that carried it. Every other string Python holds can be stored
    (a NUL or a control character included: SQLite keeps text by length, Qt shows it as plain
    text).
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a broken character (a lone UTF-16 surrogate) that is not valid text"
    return None


def expect_object(value: object, what: str) -> dict[str, object]:
    """``value`` as a JSON object, or InvalidResponseError saying ``what`` was expected."""
    if not isinstance(value, dict):
        _invalid(f"The site sent {_describe(value)} where {what} was expected.")
    return value


def expect_list(value: object, what: str) -> list[object]:
    """``value`` as a JSON array, or InvalidResponseError saying ``what`` was expected."""
    if not isinstance(value, list):
        _invalid(f"The site sent {_describe(value)} where {what} was expected.")
    return value


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    return "something unexpected"


@dataclass(frozen=True, slots=True)
class ErrorPayload:
    """WordPress's error shape ``{"code", "message", "data"}``, each part optional."""

    code: str | None
    message: str | None
    data: dict[str, object]


def error_payload(body: bytes, content_type: str | None) -> ErrorPayload | None:
    """WordPress's error object from an error answer, or None when it is not one.

    Never raises: an error answer that is not WordPress's JSON (a proxy's HTML page) is mapped by
    its status alone.
    """
    if not body:
        return None
    try:
        value = decode_json(body, content_type)
    except InvalidResponseError:
        return None
    if not isinstance(value, dict):
        return None
    code = value.get("code")
    message = value.get("message")
    data = value.get("data")
    return ErrorPayload(
        code=code if isinstance(code, str) and len(code) <= _SHORT else None,
        message=message if isinstance(message, str) and len(message) <= _TITLE else None,
        data=data if isinstance(data, dict) else {},
    )


# --------------------------------------------------------------------------------------------
# Dates


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


# --------------------------------------------------------------------------------------------
# Records


class _Reader:
    """Checked access to one JSON object of a record; every failure names the record and field."""

    __slots__ = ("_data", "_prefix", "_record", "_record_id")

    def __init__(
        self, data: Mapping[str, object], record: str, record_id: int | None, prefix: str = ""
    ) -> None:
        self._data = data
        self._record = record
        self._record_id = record_id
        self._prefix = prefix

    @classmethod
    def root(cls, value: object, record: str, *, with_id: bool = True) -> _Reader:
        """A reader for a whole record; reads its ``id`` first so later errors can name it."""
        if not isinstance(value, dict):
            raise InvalidResponseError(
                f"The site sent {_describe(value)} where {_article(record)} {record} was expected.",
                record=record,
                reason=f"the site sent {_describe(value)} in its place",
            )
        reader = cls(value, record, None)
        if with_id:
            reader._record_id = reader.integer("id", minimum=1)
        return reader

    @property
    def record_id(self) -> int:
        assert self._record_id is not None
        return self._record_id

    def fail(self, name: str, problem: str) -> NoReturn:
        field = self._prefix + name
        ident = f" (id {self._record_id})" if self._record_id is not None else ""
        raise InvalidResponseError(
            f"The site sent {_article(self._record)} {self._record}{ident} that ClinicDesk cannot "
            f"use: its field “{field}” {problem}. Nothing from this answer was used.",
            record=self._record,
            record_id=self._record_id,
            field=field,
            reason=f"its field “{field}” {problem}",
        )

    def has(self, name: str) -> bool:
        return name in self._data

    def keys(self) -> Iterator[str]:
        return iter(self._data)

    def raw(self, name: str) -> object:
        if name not in self._data:
            self.fail(name, "is missing")
        return self._data[name]

    def integer(self, name: str, *, minimum: int = 0) -> int:
        value = self.raw(name)
        if isinstance(value, _OversizedNumber):
            self.fail(name, "is a number far too large to be stored")
        # bool is an int in Python; true/false is not an id.
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"should be a whole number but is {_describe(value)}")
        if not minimum <= value <= _MAX_INT:
            self.fail(name, f"is out of range ({value})")
        return value

    def text(self, name: str, *, max_len: int = _SHORT, max_bytes: int | None = None) -> str:
        """Text of at most ``max_len`` characters (and ``max_bytes`` UTF-8 bytes, for a field
        WordPress keeps in a TEXT column), that can be stored (see :func:`text_problem`)."""
        value = self.raw(name)
        if not isinstance(value, str):
            self.fail(name, f"should be text but is {_describe(value)}")
        if len(value) > max_len:
            self.fail(
                name, f"is too long ({len(value):,} characters; WordPress allows {max_len:,})"
            )
        problem = text_problem(value)
        if problem is not None:
            self.fail(name, problem)
        if max_bytes is not None and len(value) * 4 > max_bytes:
            size = len(value.encode("utf-8"))
            if size > max_bytes:
                self.fail(name, f"is too long ({size:,} bytes; WordPress allows {max_bytes:,})")
        return value

    def optional_text(self, name: str, *, max_len: int = _SHORT) -> str | None:
        """Text where ``null``, ``""`` and a missing key all mean "none"."""
        if self._data.get(name) is None:
            return None
        return self.text(name, max_len=max_len) or None

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        if not isinstance(value, bool):
            self.fail(name, f"should be true or false but is {_describe(value)}")
        return value

    def number(self, name: str) -> float:
        value = self.raw(name)
        # WordPress sends the site's gmt_offset as a number or as numeric text, depending on how
        # the option was saved.
        if isinstance(value, str):
            try:
                number = float(value[:_SHORT])
            except ValueError:
                self.fail(name, "should be a number")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(name, f"should be a number but is {_describe(value)}")
        else:
            number = float(value)
        # "nan", "inf" and 1e400 (which JSON reads as infinity) are not numbers one can use.
        if not math.isfinite(number):
            self.fail(name, "is not a finite number")
        return number

    def date(self, name: str) -> datetime:
        value = self.optional_date(name)
        if value is None:
            self.fail(name, "is empty but a date is required")
        return value

    def optional_date(self, name: str) -> datetime | None:
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(name, f"should be a date but is {_describe(value)}")
        try:
            return parse_gmt(value)
        except (ValueError, OverflowError):
            self.fail(name, "is not a valid date")

    def choice(self, name: str, values: tuple[E, ...]) -> E:
        value = self.raw(name)
        for allowed in values:
            if value == allowed:
                return allowed
        # A top-level value (a status, a kind) is named; a meta value never is: an inquiry's
        # fields are private, and the reason is shown and kept.
        if isinstance(value, str) and not self._prefix:
            shown = repr(value[:40].encode("ascii", "backslashreplace").decode("ascii"))
        else:
            shown = _describe(value)
        self.fail(name, f"has a value ClinicDesk does not know ({shown})")

    def int_list(self, name: str) -> tuple[int, ...]:
        value = self.raw(name)
        if not isinstance(value, list):
            self.fail(name, f"should be a list of ids but is {_describe(value)}")
        if any(
            isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= _MAX_INT for v in value
        ):
            self.fail(name, "should hold only ids")
        return tuple(value)

    def text_list(self, name: str) -> tuple[str, ...]:
        value = self.raw(name)
        if not isinstance(value, list):
            self.fail(name, f"should be a list but is {_describe(value)}")
        if any(not isinstance(v, str) or len(v) > _SHORT for v in value):
            self.fail(name, "should hold only short text")
        for item in value:
            problem = text_problem(item)
            if problem is not None:
                self.fail(name, problem)
        return tuple(value)

    def obj(self, name: str, *, empty_list_ok: bool = False) -> _Reader:
        """A nested object; with ``empty_list_ok`` an empty JSON array counts as ``{}`` (PHP
        encodes an empty associative array as ``[]``: WordPress's ``meta`` and
        ``media_details`` are like that)."""
        value = self.raw(name)
        if empty_list_ok and value == []:
            value = {}
        if not isinstance(value, dict):
            self.fail(name, f"should be an object but is {_describe(value)}")
        return _Reader(value, self._record, self._record_id, f"{self._prefix}{name}.")

    def rendered_raw(self, name: str, *, max_len: int, max_bytes: int | None = None) -> str:
        """``name.raw`` of WordPress's ``{"raw", "rendered"}`` pair (edit context only)."""
        return self.obj(name).text("raw", max_len=max_len, max_bytes=max_bytes)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def many(values: object, parse_one: Callable[[object], R], what: str) -> tuple[R, ...]:
    """Parse a JSON array of records with ``parse_one``; all or nothing."""
    return tuple(parse_one(item) for item in expect_list(values, f"a list of {what}"))


def each(
    values: object, parse_one: Callable[[object], R], what: str
) -> tuple[tuple[R, ...], tuple[RefusedRecord, ...]]:
    """Parse a JSON array of records with ``parse_one``, record by record.

    One record WordPress holds but ClinicDesk cannot use (an overlong field, a broken character)
    must not hide the others of its page: each is parsed on its own, and the refused ones come
    back apart, with what could still be read of them (their id and version, so the caller can
    put them aside and move its cursor past them).

    Raises:
        InvalidResponseError: ``values`` is not a list at all.
    """
    good: list[R] = []
    refused: list[RefusedRecord] = []
    for item in expect_list(values, f"a list of {what}"):
        try:
            good.append(parse_one(item))
        except InvalidResponseError as exc:
            refused.append(
                RefusedRecord(
                    kind=exc.record or what,
                    id=exc.record_id if exc.record_id is not None else _loose_id(item),
                    reason=exc.reason or exc.message,
                    modified_gmt=_loose_modified(item),
                )
            )
    return tuple(good), tuple(refused)


def _loose_id(item: object) -> int | None:
    """The id of a record that could not be read, when it is a plain positive id."""
    value = item.get("id") if isinstance(item, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_INT:
        return value
    return None


def _loose_modified(item: object) -> datetime | None:
    """The ``modified_gmt`` of a record that could not be read, when that field is sound."""
    value = item.get("modified_gmt") if isinstance(item, dict) else None
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return parse_gmt(value)
    except (ValueError, OverflowError):
        return None


def site_info(value: object) -> SiteInfo:
    """``GET /wp-json/``.

    Raises:
        NotWordPressError: not a JSON object listing the ``wp/v2`` namespace.
        InvalidResponseError: the index is WordPress's but a field is malformed.
    """
    namespaces = value.get("namespaces") if isinstance(value, dict) else None
    if not isinstance(namespaces, list) or "wp/v2" not in namespaces:
        raise NotWordPressError(
            "This address answers, but not as a WordPress site, or the site's REST API is turned "
            "off. Check the address, or ask whoever runs the site to turn the REST API on."
        )
    r = _Reader.root(value, "site description", with_id=False)
    auth = r.raw("authentication") if r.has("authentication") else []
    return SiteInfo(
        name=r.text("name", max_len=_LONGTEXT),
        description=r.text("description", max_len=_LONGTEXT),
        url=r.text("url", max_len=_URL),
        home=r.text("home", max_len=_URL),
        namespaces=r.text_list("namespaces"),
        # "authentication" is [] (PHP's empty array) unless some method is available.
        application_passwords=isinstance(auth, dict) and "application-passwords" in auth,
        gmt_offset=r.number("gmt_offset"),
        timezone_string=r.text("timezone_string"),
        plugin_declared=_plugin_version(r.raw("clinicdesk_plugin_version"))
        if r.has("clinicdesk_plugin_version")
        else "",
    )


def _plugin_version(value: object) -> str:
    """The plugin's declared version when it looks like one (``1.2.0``), else "".

    Lenient on purpose: a strange value here must not stop anyone signing in; it only means the
    app cannot tell whether the plugin is recent enough.
    """
    if isinstance(value, str) and len(value) <= _PLUGIN_VERSION_LEN:
        text = value.strip()
        if _PLUGIN_VERSION.fullmatch(text):
            return text
    return ""


def current_user(value: object) -> CurrentUser:
    """``GET wp/v2/users/me?context=edit``."""
    r = _Reader.root(value, "user")
    caps = r.obj("capabilities", empty_list_ok=True)
    granted = []
    for cap in caps.keys():
        if len(cap) > _SHORT or text_problem(cap) is not None:
            r.fail("capabilities", "holds a capability name that is not valid")
        if caps.flag(cap):
            granted.append(cap)
    return CurrentUser(
        id=r.record_id,
        username=r.text("username", max_len=_USER_LOGIN),
        name=r.text("name", max_len=_DISPLAY_NAME),
        slug=r.text("slug", max_len=_USER_SLUG),
        email=r.text("email", max_len=_USER_EMAIL),
        roles=r.text_list("roles"),
        capabilities=frozenset(granted),
    )


def user(value: object) -> User:
    """One user of ``GET wp/v2/users`` (view context)."""
    r = _Reader.root(value, "user")
    return User(
        id=r.record_id,
        name=r.text("name", max_len=_DISPLAY_NAME),
        slug=r.text("slug", max_len=_USER_SLUG),
    )


def staff_member(value: object) -> StaffMember:
    """One entry of ``GET clinicdesk/v1/staff``."""
    r = _Reader.root(value, "staff member")
    return StaffMember(
        id=r.record_id,
        name=r.text("name", max_len=_DISPLAY_NAME),
        slug=r.text("slug", max_len=_USER_SLUG),
        roles=r.text_list("roles"),
    )


#: A USPS code: two capital letters.
_STATE_CODE = re.compile(r"^[A-Z]{2}$")


def clinic_states(value: object) -> tuple[str, ...]:
    """The ``states`` of ``GET clinicdesk/v1/settings``: USPS codes, each once, in order.

    Raises:
        InvalidResponseError: not an object with a list of two-letter codes.
    """
    r = _Reader.root(value, "settings answer", with_id=False)
    states = r.text_list("states")
    if len(states) > 100 or any(not _STATE_CODE.match(code) for code in states):
        r.fail("states", "should list two-letter state codes")
    return tuple(dict.fromkeys(states))


def term(value: object, taxonomy: Taxonomy) -> Term:
    """A category or tag; refuses a term of another taxonomy than the one asked for."""
    r = _Reader.root(value, "category" if taxonomy == "category" else "tag")
    got = r.choice("taxonomy", ("category", "post_tag"))
    if got != taxonomy:
        r.fail("taxonomy", f"is “{got}” where “{taxonomy}” was asked for")
    return Term(
        id=r.record_id,
        taxonomy=got,
        name=r.text("name", max_len=_SLUG),
        slug=r.text("slug", max_len=_SLUG),
        description=r.text("description", max_len=_LONGTEXT),
        # Tags have no parent in WordPress's answer.
        parent=r.integer("parent") if taxonomy == "category" else 0,
        count=r.integer("count"),
    )


def media(value: object) -> Media:
    """An attachment of ``wp/v2/media`` in edit context."""
    r = _Reader.root(value, "media item")
    details = r.obj("media_details", empty_list_ok=True)
    width = details.integer("width") if details.has("width") else None
    height = details.integer("height") if details.has("height") else None
    return Media(
        id=r.record_id,
        source_url=r.text("source_url", max_len=_URL),
        mime_type=r.text("mime_type", max_len=_MIME),
        media_type=r.text("media_type"),
        alt_text=r.text("alt_text", max_len=_LONGTEXT),
        title=r.rendered_raw("title", max_len=_TEXT_BYTES, max_bytes=_TEXT_BYTES),
        date_gmt=r.date("date_gmt"),
        modified_gmt=r.date("modified_gmt"),
        width=width,
        height=height,
        # Without the companion plugin's registration WordPress sends ``meta: []`` here.
        client_id=_client_id(r) if r.has("meta") else None,
    )


def _client_id(r: _Reader) -> str | None:
    # "meta" is [] on a site where no plugin registered post meta for REST; the key is absent when
    # the companion plugin is not active.
    meta = r.obj("meta", empty_list_ok=True)
    return meta.optional_text("clinicdesk_client_id", max_len=_CLIENT_ID)


def post(value: object) -> Post:
    """A post in edit context (``title.raw`` etc. are required: view context is refused)."""
    r = _Reader.root(value, "post")
    return Post(
        id=r.record_id,
        status=r.choice("status", POST_STATUSES),
        slug=r.text("slug", max_len=_SLUG),
        # Computed from the title by WordPress (cut to 200 bytes, then made unique).
        generated_slug=r.text("generated_slug", max_len=_SHORT),
        title=r.rendered_raw("title", max_len=_TEXT_BYTES, max_bytes=_TEXT_BYTES),
        content=r.rendered_raw("content", max_len=_LONGTEXT),
        excerpt=r.rendered_raw("excerpt", max_len=_LONGTEXT),
        author=r.integer("author"),
        featured_media=r.integer("featured_media"),
        categories=r.int_list("categories"),
        tags=r.int_list("tags"),
        date_gmt=r.optional_date("date_gmt"),
        modified_gmt=r.date("modified_gmt"),
        link=r.text("link", max_len=_URL),
        client_id=_client_id(r),
    )


def inquiry(value: object) -> Inquiry:
    """An inquiry in edit context, its ``meta`` flattened into the record."""
    r = _Reader.root(value, "inquiry")
    m = r.obj("meta")
    return Inquiry(
        id=r.record_id,
        status=r.choice("status", ("private", "trash")),
        date_gmt=r.date("date_gmt"),
        modified_gmt=r.date("modified_gmt"),
        # Post meta is LONGTEXT: the plugin caps what the form accepts, but anything written
        # another way (WP-CLI, another plugin) is still a valid inquiry to WordPress.
        first_name=m.text("first_name", max_len=_LONGTEXT),
        last_name=m.text("last_name", max_len=_LONGTEXT),
        email=m.text("email", max_len=_LONGTEXT),
        phone=m.text("phone", max_len=_LONGTEXT),
        preferred_contact=m.choice("preferred_contact", CONTACT_METHODS),
        state=m.text("state", max_len=_LONGTEXT),
        insurance=m.text("insurance", max_len=_LONGTEXT),
        reason=m.text("reason", max_len=_LONGTEXT),
        message=m.text("message", max_len=_LONGTEXT),
        consent=m.flag("consent"),
        received_gmt=m.date("received_gmt"),
        triage_status=m.choice("triage_status", TRIAGE_STATUSES),
        assignee=m.integer("assignee"),
        urgent=m.flag("urgent"),
        unread=m.flag("unread"),
    )


def note(value: object) -> Note:
    """One note of ``clinicdesk/v1/notes``."""
    r = _Reader.root(value, "note")
    if not r.has("client_id"):
        r.fail("client_id", "is missing")
    # A plugin older than "by" leaves it out: then a person wrote the note.
    by_system = r.has("by") and r.choice("by", ("user", "system")) == "system"
    return Note(
        id=r.record_id,
        inquiry=r.integer("inquiry", minimum=1),
        author=SYSTEM_AUTHOR if by_system else r.integer("author"),
        author_name=r.text("author_name", max_len=_DISPLAY_NAME),
        date_gmt=r.date("date_gmt"),
        kind=r.choice("kind", NOTE_KINDS),
        content=r.text("content", max_len=_LONGTEXT),  # the notes table's LONGTEXT
        client_id=r.optional_text("client_id", max_len=_CLIENT_ID),
    )


def version(value: object) -> Version:
    """One record of a ``_fields=id,modified_gmt`` sweep."""
    r = _Reader.root(value, "record")
    return Version(id=r.record_id, modified_gmt=r.date("modified_gmt"))


def new_id(value: object) -> int:
    """``{"id": N}`` (the consultation form's answer)."""
    return _Reader.root(value, "created record").record_id


def deleted(value: object) -> None:
    """``{"deleted": true, "previous": {...}}`` of a permanent delete.

    Raises:
        InvalidResponseError: the site did not confirm the deletion.
    """
    r = _Reader.root(value, "deletion result", with_id=False)
    if not r.flag("deleted"):
        r.fail("deleted", "is false: the site did not confirm the deletion")


def page_counts(headers: Mapping[str, str]) -> tuple[int, int]:
    """``(X-WP-Total, X-WP-TotalPages)`` of a collection answer.

    Raises:
        InvalidResponseError: a header is missing or not a non-negative number (without them the
            client cannot know whether it has seen the whole list).
    """
    counts = []
    for name in ("X-WP-Total", "X-WP-TotalPages"):
        raw = headers.get(name)
        if raw is None or not raw.strip().isdigit() or len(raw) > 18:
            _invalid(
                f"The site's list answer has no valid {name} header, so ClinicDesk cannot tell "
                "whether it received the whole list. A caching plugin or proxy may be removing it."
            )
        counts.append(int(raw))
    return counts[0], counts[1]
