"""Reading the fields of one record the site sent: checked values, limits from WordPress.

A :class:`FieldReader` gives checked access to one JSON object: every field the app reads is
checked for presence, type, format and a sane size, and the first problem raises
:class:`~clinicdesk.site.errors.InvalidResponseError` naming the record, its id (when it could be
read) and the field. The size limits follow the column WordPress keeps each field in, so nothing
WordPress accepts is refused. The per-record parsers built on it are :mod:`clinicdesk.site.parse`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import NoReturn, TypeVar

from clinicdesk.site.answers import MAX_BODY_BYTES, OversizedNumber
from clinicdesk.site.dates import parse_gmt
from clinicdesk.site.errors import InvalidResponseError

__all__ = [
    "CLIENT_ID",
    "DISPLAY_NAME",
    "LONGTEXT",
    "MAX_INT",
    "MIME",
    "SHORT",
    "SLUG",
    "TEXT_BYTES",
    "URL",
    "USER_EMAIL",
    "USER_LOGIN",
    "USER_SLUG",
    "FieldReader",
    "describe",
    "expect_list",
    "expect_object",
    "text_problem",
]

# Size limits for single fields follow the column WordPress keeps each field in, so that nothing
# WordPress accepts is refused here (a contributor's 10,001-character title is a valid post):
# ``wp_posts.post_title`` is a TEXT column (65,535 bytes), ``post_content``/``post_excerpt``, post
# meta (alternative text, every inquiry field), option values and the notes' ``content`` are
# LONGTEXT (bounded here only by MAX_BODY_BYTES), ``post_name`` and term names and slugs are
# VARCHAR(200), ``post_mime_type`` VARCHAR(100), ``post_status`` VARCHAR(20), ``display_name``
# VARCHAR(250), ``user_nicename`` VARCHAR(50), ``user_login`` VARCHAR(60), ``user_email``
# VARCHAR(100). VARCHAR lengths are characters (utf8mb4), TEXT lengths bytes.
TEXT_BYTES = 65_535  # a MySQL TEXT column: post titles
LONGTEXT = MAX_BODY_BYTES  # LONGTEXT: only the size of the whole answer bounds it
SLUG = 200  # post_name, terms' name and slug (VARCHAR(200))
DISPLAY_NAME = 250  # users' display_name (VARCHAR(250))
USER_SLUG = 50  # user_nicename (VARCHAR(50))
USER_LOGIN = 60  # user_login (VARCHAR(60))
USER_EMAIL = 100  # user_email (VARCHAR(100))
MIME = 100  # post_mime_type (VARCHAR(100))
CLIENT_ID = 64  # the plugin's client ids (VARCHAR(64) / meta it caps at 64)
# Computed values with no column of their own (permalinks, roles, capability names, the media
# type, the REST namespaces, the site's time zone): far above anything legitimate.
SHORT = 1_000
URL = 10_000

MAX_INT = 2**63 - 1  # what SQLite (the local store) can hold

E = TypeVar("E", bound=str)


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
        raise InvalidResponseError(f"The site sent {describe(value)} where {what} was expected.")
    return value


def expect_list(value: object, what: str) -> list[object]:
    """``value`` as a JSON array, or InvalidResponseError saying ``what`` was expected."""
    if not isinstance(value, list):
        raise InvalidResponseError(f"The site sent {describe(value)} where {what} was expected.")
    return value


def describe(value: object) -> str:
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


class FieldReader:
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
    def root(cls, value: object, record: str, *, with_id: bool = True) -> FieldReader:
        """A reader for a whole record; reads its ``id`` first so later errors can name it."""
        if not isinstance(value, dict):
            raise InvalidResponseError(
                f"The site sent {describe(value)} where {_article(record)} {record} was expected.",
                record=record,
                reason=f"the site sent {describe(value)} in its place",
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
        if isinstance(value, OversizedNumber):
            self.fail(name, "is a number far too large to be stored")
        # bool is an int in Python; true/false is not an id.
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"should be a whole number but is {describe(value)}")
        if not minimum <= value <= MAX_INT:
            self.fail(name, f"is out of range ({value})")
        return value

    def text(self, name: str, *, max_len: int = SHORT, max_bytes: int | None = None) -> str:
        """Text of at most ``max_len`` characters (and ``max_bytes`` UTF-8 bytes, for a field
        WordPress keeps in a TEXT column), that can be stored (see :func:`text_problem`)."""
        value = self.raw(name)
        if not isinstance(value, str):
            self.fail(name, f"should be text but is {describe(value)}")
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

    def optional_text(self, name: str, *, max_len: int = SHORT) -> str | None:
        """Text where ``null``, ``""`` and a missing key all mean "none"."""
        if self._data.get(name) is None:
            return None
        return self.text(name, max_len=max_len) or None

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        if not isinstance(value, bool):
            self.fail(name, f"should be true or false but is {describe(value)}")
        return value

    def number(self, name: str) -> float:
        value = self.raw(name)
        # WordPress sends the site's gmt_offset as a number or as numeric text, depending on how
        # the option was saved.
        if isinstance(value, str):
            try:
                number = float(value[:SHORT])
            except ValueError:
                self.fail(name, "should be a number")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(name, f"should be a number but is {describe(value)}")
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
            self.fail(name, f"should be a date but is {describe(value)}")
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
            shown = describe(value)
        self.fail(name, f"has a value ClinicDesk does not know ({shown})")

    def int_list(self, name: str) -> tuple[int, ...]:
        value = self.raw(name)
        if not isinstance(value, list):
            self.fail(name, f"should be a list of ids but is {describe(value)}")
        if any(
            isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_INT for v in value
        ):
            self.fail(name, "should hold only ids")
        return tuple(value)

    def text_list(self, name: str) -> tuple[str, ...]:
        value = self.raw(name)
        if not isinstance(value, list):
            self.fail(name, f"should be a list but is {describe(value)}")
        if any(not isinstance(v, str) or len(v) > SHORT for v in value):
            self.fail(name, "should hold only short text")
        for item in value:
            problem = text_problem(item)
            if problem is not None:
                self.fail(name, problem)
        return tuple(value)

    def obj(self, name: str, *, empty_list_ok: bool = False) -> FieldReader:
        """A nested object; with ``empty_list_ok`` an empty JSON array counts as ``{}`` (PHP
        encodes an empty associative array as ``[]``: WordPress's ``meta`` and
        ``media_details`` are like that)."""
        value = self.raw(name)
        if empty_list_ok and value == []:
            value = {}
        if not isinstance(value, dict):
            self.fail(name, f"should be an object but is {describe(value)}")
        return FieldReader(value, self._record, self._record_id, f"{self._prefix}{name}.")

    def rendered_raw(self, name: str, *, max_len: int, max_bytes: int | None = None) -> str:
        """``name.raw`` of WordPress's ``{"raw", "rendered"}`` pair (edit context only)."""
        return self.obj(name).text("raw", max_len=max_len, max_bytes=max_bytes)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
