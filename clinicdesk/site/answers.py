"""What came back from the site: a whole answer, and the reading of its envelope.

An :class:`Answer` is a complete answer (status, headers, the body read in full and held under
:data:`MAX_BODY_BYTES`). Nothing here trusts a shape: :func:`decode_json` refuses a web page, a
non-JSON type or damaged JSON with a sentence for the user; :func:`error_payload` reads
WordPress's ``{"code", "message", "data"}`` out of an error answer when there is one; and
:func:`page_counts` reads the ``X-WP-Total`` headers a list needs. The records inside an answer
are read by :mod:`clinicdesk.site.parse`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from clinicdesk.site.errors import InvalidResponseError

__all__ = [
    "MAX_BODY_BYTES",
    "Answer",
    "ErrorPayload",
    "OversizedNumber",
    "decode_json",
    "error_payload",
    "page_counts",
]

#: The largest answer the client reads (after decompression). A full page of 100 long posts in
#: edit context (raw and rendered content) is a few MB; anything far larger is a fault or an attack.
MAX_BODY_BYTES = 50 * 1024 * 1024

# json.loads refuses integers over 4,300 digits (a ValueError that would refuse the whole page):
# anything beyond 64 bits is read as a marker the field checks refuse, record by record.
_MAX_INT_DIGITS = 20
# An error answer's code and message are shown, never stored: far above anything legitimate.
_CODE = 1_000
_TITLE = 10_000


def _invalid(message: str) -> NoReturn:
    raise InvalidResponseError(message)


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete answer from the site (status, headers, body read in full and size-checked)."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")

    def json(self) -> object:
        """The body decoded as JSON (see :func:`decode_json`)."""
        return decode_json(self.body, self.content_type)


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


class OversizedNumber(float):
    """An integer literal of more digits than any 64-bit value: refused by the field that holds it
    (not by the whole answer, so the other records of a page are still read)."""

    __slots__ = ()


def _read_int(literal: str) -> int | float:
    if len(literal.lstrip("-")) > _MAX_INT_DIGITS:
        return OversizedNumber("inf")
    return int(literal)


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
        code=code if isinstance(code, str) and len(code) <= _CODE else None,
        message=message if isinstance(message, str) and len(message) <= _TITLE else None,
        data=data if isinstance(data, dict) else {},
    )


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
