"""WordPress-shaped JSON: errors, replies, dates, pagination headers and ``_fields``.

Everything the REST layer sends goes through here, so the wire format (key names, date format,
error shape, escaped slashes) is decided in one place and matches what WordPress 6.1 sends.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"

#: ``rest_parse_date``'s pattern: a full date-time, optional fraction, optional zone.
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


class RestError(Exception):
    """An error answer, raised from anywhere inside a request and turned into JSON once.

    Attributes:
        code: WordPress's error code (``rest_post_invalid_id``...).
        message: WordPress's message, word for word where it is known.
        status: the HTTP status.
        data: extra keys of ``data`` besides ``status`` (``params``, ``term_id``...).
        headers: extra response headers (``Retry-After``).
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int,
        *,
        headers: Mapping[str, str] | None = None,
        **data: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = data
        self.headers = dict(headers or {})

    def to_json(self) -> dict[str, Any]:
        """The error as WordPress serialises a ``WP_Error``."""
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


@dataclass
class Reply:
    """A successful answer: JSON-able data, a status and extra headers."""

    data: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ParamError:
    """Why one parameter was refused (one entry of ``data.details``)."""

    code: str
    message: str
    data: Any = None


def invalid_params(errors: Mapping[str, ParamError]) -> RestError:
    """``rest_invalid_param`` naming each refused parameter, as ``WP_REST_Request`` builds it."""
    return RestError(
        "rest_invalid_param",
        "Invalid parameter(s): " + ", ".join(errors),
        400,
        params={name: err.message for name, err in errors.items()},
        details={
            name: {"code": err.code, "message": err.message, "data": err.data}
            for name, err in errors.items()
        },
    )


def missing_params(names: Iterable[str]) -> RestError:
    """``rest_missing_callback_param`` listing the required parameters that were not sent."""
    names = list(names)
    return RestError(
        "rest_missing_callback_param",
        "Missing parameter(s): " + ", ".join(names),
        400,
        params=names,
    )


def forbidden(status: int) -> RestError:
    """The generic refusal WordPress gives when a permission callback says no."""
    return RestError("rest_forbidden", "Sorry, you are not allowed to do that.", status)


def no_route() -> RestError:
    """404 for an unknown route or a method the route does not have."""
    return RestError(
        "rest_no_route", "No route was found matching the URL and request method.", 404
    )


def encode(data: Any) -> bytes:
    """JSON as PHP's ``json_encode`` writes it: ASCII only, ``/`` escaped as ``\\/``.

    Escaping slashes is harmless (valid JSON either way) and keeps byte-level answers close to
    WordPress's for anyone diffing the two.
    """
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").encode("ascii")


# --- dates -------------------------------------------------------------------------------------


def utc_now_seconds(clock_value: datetime) -> datetime:
    """A clock reading as naive UTC with whole seconds: how every time is stored.

    WordPress stores DATETIME columns with one-second resolution; so does the reference site, so
    that two writes in the same second give the same ``modified_gmt`` there too.
    """
    if clock_value.tzinfo is not None:
        clock_value = clock_value.astimezone(UTC).replace(tzinfo=None)
    return clock_value.replace(microsecond=0)


def fmt(value: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS`` without a zone, or None."""
    return None if value is None else value.strftime(_DATE_FORMAT)


def is_wp_datetime(value: str) -> bool:
    """Whether ``value`` passes WordPress's ``rest_parse_date`` (date *and* time with seconds)."""
    return _RFC3339.match(value) is not None


def parse_datetime(value: str, site_tz: tzinfo, *, force_utc: bool = False) -> datetime:
    """Parse a REST date-time into naive UTC with whole seconds.

    Args:
        value: a string that :func:`is_wp_datetime` accepted.
        site_tz: how a value without a zone is read (WordPress reads it as site-local).
        force_utc: for ``date_gmt`` fields: WordPress replaces any offset by ``+00:00`` there.

    Raises:
        ValueError: not a valid date-time.
    """
    match = _RFC3339.match(value)
    if match is None:
        raise ValueError(value)
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    naive = datetime(year, month, day, hour, minute, second)
    zone = match.group(7)
    if force_utc:
        return naive
    if zone is None:
        return naive.replace(tzinfo=site_tz).astimezone(UTC).replace(tzinfo=None)
    if zone in ("Z", "z"):
        return naive
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return naive - sign * offset


def to_local(value: datetime | None, site_tz: tzinfo) -> datetime | None:
    """Naive UTC to naive site-local time (for ``date`` and ``modified``)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(site_tz).replace(tzinfo=None)


# --- collections -------------------------------------------------------------------------------


def pagination_headers(
    *,
    rest_root: str,
    route: str,
    query: list[tuple[str, str]],
    total: int,
    per_page: int,
    page: int,
) -> dict[str, str]:
    """``X-WP-Total``, ``X-WP-TotalPages`` and ``Link`` as the core controllers build them.

    Args:
        rest_root: ``{site}/wp-json/``.
        route: the collection's route, e.g. ``wp/v2/posts``.
        query: the request's query string pairs, repeated in the links as WordPress does.
        total: how many records match.
        per_page: the page size.
        page: the page asked for.
    """
    max_pages = math.ceil(total / per_page) if per_page else 0
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(max_pages)}
    base_pairs = [(k, v) for k, v in query if k != "page"]

    def link(to_page: int) -> str:
        return f"{rest_root}{route}?{urlencode([*base_pairs, ('page', str(to_page))])}"

    links = []
    if page > 1:
        links.append(f'<{link(min(page - 1, max_pages) or 1)}>; rel="prev"')
    if max_pages > page:
        links.append(f'<{link(page + 1)}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return headers


def parse_list(value: Any) -> list[Any]:
    """``wp_parse_list``: a list as is, or a string split on commas and whitespace."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,]+", value) if part]
    return [value]


def filter_fields(data: Any, fields_param: Any) -> Any:
    """Apply ``_fields`` (``rest_filter_response_fields``), nested keys (``title.raw``) too."""
    fields = [f.strip() for f in parse_list(fields_param) if str(f).strip()]
    if not fields:
        return data
    tree: dict[str, Any] = {}
    for path in fields:
        node = tree
        parts = str(path).split(".")
        for i, part in enumerate(parts):
            if i == len(parts) - 1:
                node[part] = True
            else:
                existing = node.get(part)
                if existing is True:
                    break
                node = node.setdefault(part, {})

    def trim(item: Any, spec: dict[str, Any]) -> Any:
        if not isinstance(item, dict):
            return item
        out = {}
        for key, sub in spec.items():
            if key in item:
                out[key] = item[key] if sub is True else trim(item[key], sub)
        return out

    if isinstance(data, list):
        return [trim(item, tree) for item in data]
    return trim(data, tree)
