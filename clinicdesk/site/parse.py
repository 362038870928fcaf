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
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import NoReturn, TypeVar

from clinicdesk.site.errors import InvalidResponseError, NotWordPressError
from clinicdesk.site.records import (
    CONTACT_METHODS,
    NOTE_KINDS,
    POST_STATUSES,
    TRIAGE_STATUSES,
    CurrentUser,
    Inquiry,
    Media,
    Note,
    Post,
    SiteInfo,
    StaffMember,
    Taxonomy,
    Term,
    User,
    Version,
)

__all__ = [
    "MAX_BODY_BYTES",
    "ErrorPayload",
    "current_user",
    "decode_json",
    "deleted",
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
    "user",
    "version",
]

#: The largest answer the client reads (after decompression). A full page of 100 long posts in
#: edit context (raw and rendered content) is a few MB; anything far larger is a fault or an attack.
MAX_BODY_BYTES = 50 * 1024 * 1024

# Size limits for single fields: far above anything legitimate (the plugin caps inquiry fields at
# 100..5000 characters), low enough that a corrupt or hostile value cannot swamp a list view or the
# local database. Post content has no limit of its own beyond MAX_BODY_BYTES.
_SHORT = 1_000  # names, slugs, e-mail addresses, phone numbers, states, roles, MIME types
_TITLE = 10_000  # titles, alternative text, reasons
_URL = 10_000
_TEXT = 100_000  # inquiry messages, note content, descriptions, excerpts
_UNLIMITED = MAX_BODY_BYTES

_MAX_INT = 2**63 - 1  # what SQLite (the local store) can hold

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
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # Deliberately not chained into the message: the text of a broken answer may hold
        # personal data. The position is enough to debug.
        where = f" (at byte {exc.pos})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InvalidResponseError(
            "The site's answer was damaged or incomplete: it is not valid data"
            f"{where}. PHP warnings printed by a plugin are a common cause."
        ) from None


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
            _invalid(
                f"The site sent {_describe(value)} where {_article(record)} {record} was expected.",
                record=record,
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
        _invalid(
            f"The site sent {_article(self._record)} {self._record}{ident} that ClinicDesk cannot "
            f"use: its field “{field}” {problem}. Nothing from this answer was used.",
            record=self._record,
            record_id=self._record_id,
            field=field,
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
        # bool is an int in Python; true/false is not an id.
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"should be a whole number but is {_describe(value)}")
        if not minimum <= value <= _MAX_INT:
            self.fail(name, f"is out of range ({value})")
        return value

    def text(self, name: str, *, max_len: int = _SHORT) -> str:
        value = self.raw(name)
        if not isinstance(value, str):
            self.fail(name, f"should be text but is {_describe(value)}")
        if len(value) > max_len:
            self.fail(name, f"is far too long ({len(value)} characters)")
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
                return float(value)
            except ValueError:
                self.fail(name, "should be a number")
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(name, f"should be a number but is {_describe(value)}")
        return float(value)

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
        except ValueError:
            self.fail(name, "is not a valid date")

    def choice(self, name: str, values: tuple[E, ...]) -> E:
        value = self.raw(name)
        for allowed in values:
            if value == allowed:
                return allowed
        shown = repr(value)[:40] if isinstance(value, str) else _describe(value)
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

    def rendered_raw(self, name: str, *, max_len: int) -> str:
        """``name.raw`` of WordPress's ``{"raw", "rendered"}`` pair (edit context only)."""
        return self.obj(name).text("raw", max_len=max_len)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def many(values: object, parse_one: Callable[[object], R], what: str) -> tuple[R, ...]:
    """Parse a JSON array of records with ``parse_one``; all or nothing."""
    return tuple(parse_one(item) for item in expect_list(values, f"a list of {what}"))


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
        name=r.text("name", max_len=_TITLE),
        description=r.text("description", max_len=_TEXT),
        url=r.text("url", max_len=_URL),
        home=r.text("home", max_len=_URL),
        namespaces=r.text_list("namespaces"),
        # "authentication" is [] (PHP's empty array) unless some method is available.
        application_passwords=isinstance(auth, dict) and "application-passwords" in auth,
        gmt_offset=r.number("gmt_offset"),
        timezone_string=r.text("timezone_string"),
    )


def current_user(value: object) -> CurrentUser:
    """``GET wp/v2/users/me?context=edit``."""
    r = _Reader.root(value, "user")
    caps = r.obj("capabilities", empty_list_ok=True)
    granted = []
    for cap in caps.keys():
        if len(cap) > _SHORT:
            r.fail("capabilities", "holds an absurdly long capability name")
        if caps.flag(cap):
            granted.append(cap)
    return CurrentUser(
        id=r.record_id,
        username=r.text("username"),
        name=r.text("name"),
        slug=r.text("slug"),
        email=r.text("email"),
        roles=r.text_list("roles"),
        capabilities=frozenset(granted),
    )


def user(value: object) -> User:
    """One user of ``GET wp/v2/users`` (view context)."""
    r = _Reader.root(value, "user")
    return User(id=r.record_id, name=r.text("name"), slug=r.text("slug"))


def staff_member(value: object) -> StaffMember:
    """One entry of ``GET clinicdesk/v1/staff``."""
    r = _Reader.root(value, "staff member")
    return StaffMember(
        id=r.record_id, name=r.text("name"), slug=r.text("slug"), roles=r.text_list("roles")
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
        name=r.text("name", max_len=_TITLE),
        slug=r.text("slug", max_len=_TITLE),
        description=r.text("description", max_len=_TEXT),
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
        mime_type=r.text("mime_type"),
        media_type=r.text("media_type"),
        alt_text=r.text("alt_text", max_len=_TITLE),
        title=r.rendered_raw("title", max_len=_TITLE),
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
    return meta.optional_text("clinicdesk_client_id")


def post(value: object) -> Post:
    """A post in edit context (``title.raw`` etc. are required: view context is refused)."""
    r = _Reader.root(value, "post")
    return Post(
        id=r.record_id,
        status=r.choice("status", POST_STATUSES),
        slug=r.text("slug", max_len=_TITLE),
        generated_slug=r.text("generated_slug", max_len=_TITLE),
        title=r.rendered_raw("title", max_len=_TITLE),
        content=r.rendered_raw("content", max_len=_UNLIMITED),
        excerpt=r.rendered_raw("excerpt", max_len=_TEXT),
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
        first_name=m.text("first_name"),
        last_name=m.text("last_name"),
        email=m.text("email"),
        phone=m.text("phone"),
        preferred_contact=m.choice("preferred_contact", CONTACT_METHODS),
        state=m.text("state"),
        insurance=m.text("insurance"),
        reason=m.text("reason", max_len=_TITLE),
        message=m.text("message", max_len=_TEXT),
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
    return Note(
        id=r.record_id,
        inquiry=r.integer("inquiry", minimum=1),
        author=r.integer("author"),
        author_name=r.text("author_name"),
        date_gmt=r.date("date_gmt"),
        kind=r.choice("kind", NOTE_KINDS),
        content=r.text("content", max_len=_TEXT),
        client_id=r.optional_text("client_id"),
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
