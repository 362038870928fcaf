"""Routes, endpoints and the per-request context handed to every handler.

A route is a Werkzeug rule plus, per HTTP method, an :class:`Endpoint`: its handler and its
declared arguments. The server matches the rule, checks the arguments (:mod:`.schema`) and calls
the handler with a :class:`Ctx`. ``POST``, ``PUT`` and ``PATCH`` share one endpoint where WordPress
registers ``WP_REST_Server::EDITABLE``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from clinicdesk.demosite.consultation import (
    DEFAULT_INSURERS,
    DEFAULT_MIN_SECONDS,
    DEFAULT_REASONS,
    DEFAULT_STATES,
)
from clinicdesk.demosite.db import User
from clinicdesk.demosite.schema import Arg, CheckedArgs
from clinicdesk.demosite.wpjson import Reply, RestError

MEGABYTE = 1024 * 1024


def _utc_now() -> datetime:
    return datetime.now(UTC)


#: The version of the plugin this reference site mirrors (``resources/wordpress``'s header).
PLUGIN_VERSION = "1.2.0"


@dataclass(frozen=True)
class SiteConfig:
    """How the reference site runs.

    Attributes:
        data_dir: where the SQLite file and the uploads live.
        consultation_rate: at most this many consultation requests (first) per this many
            seconds (second) from one client address.
        clock: the current time (aware); tests substitute a fake one.
        max_json_bytes: the largest non-upload request body.
        max_upload_bytes: the largest media upload.
        trusted_proxies: addresses or networks (``10.0.0.0/8``) of reverse proxies whose
            ``X-Forwarded-For`` gives the client address of the form's rate limit (the plugin's
            setting ``clinicdesk_trusted_proxies``); nobody else's is believed.
        plugin_version: the version the plugin declares in the REST index
            (``clinicdesk_plugin_version``); "" for a plugin from before it declared one. Tests
            set an older one to see the app's warning.
        served_states: the USPS codes the clinic serves (the plugin's ``clinicdesk_states``).
        insurers: the form's insurance list (``clinicdesk_insurers``).
        reasons: the form's reason list (``clinicdesk_reasons``).
        form_min_seconds: the form's minimum time (``clinicdesk_form_min_seconds``).
        form_secret: the key that signs the form's timing tokens (new each start: a token from
            before a restart reads as expired, and the form asks the person to send it again).
    """

    data_dir: Path
    consultation_rate: tuple[int, int] = (5, 600)
    clock: Callable[[], datetime] = _utc_now
    max_json_bytes: int = 1 * MEGABYTE
    max_upload_bytes: int = 20 * MEGABYTE
    trusted_proxies: tuple[str, ...] = ()
    plugin_version: str = PLUGIN_VERSION
    served_states: tuple[str, ...] = DEFAULT_STATES
    insurers: tuple[str, ...] = DEFAULT_INSURERS
    reasons: tuple[str, ...] = DEFAULT_REASONS
    form_min_seconds: int = DEFAULT_MIN_SECONDS
    form_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded files are stored (served under ``/wp-content/uploads/``)."""
        return self.data_dir / "uploads"


@dataclass(frozen=True)
class SiteSettings:
    """The site options the REST layer needs on every request, read once at start."""

    name: str
    description: str
    gmt_offset: float
    timezone_string: str

    @property
    def tz(self) -> tzinfo:
        """The site's time zone: the named zone if set, else the fixed UTC offset."""
        if self.timezone_string:
            try:
                return ZoneInfo(self.timezone_string)
            except ZoneInfoNotFoundError:
                pass
        return timezone(timedelta(hours=self.gmt_offset))


@dataclass
class Ctx:
    """Everything a handler needs about the request it answers.

    Attributes:
        config: the site's configuration.
        settings: the site's options.
        site_url: the site root, e.g. ``http://127.0.0.1:8080``.
        request: the Werkzeug request.
        db: the request's database session (committed by the server after the handler).
        user: the signed-in user, or None for anonymous.
        caps: the user's capabilities.
        now: this request's time, naive UTC with whole seconds.
        params: every request parameter (JSON body over form body over query string).
        args: the endpoint's declared arguments, checked and coerced.
        query_pairs: the query string, for pagination links.
    """

    config: SiteConfig
    settings: SiteSettings
    site_url: str
    request: Request
    db: Session
    user: User | None
    caps: frozenset[str]
    now: datetime
    params: dict[str, Any]
    args: CheckedArgs = field(default_factory=lambda: CheckedArgs({}, frozenset()))
    query_pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rest_root(self) -> str:
        """``{site}/wp-json/``."""
        return f"{self.site_url}/wp-json/"

    @property
    def user_id(self) -> int:
        """The signed-in user's id, 0 for anonymous (WordPress's ``get_current_user_id``)."""
        return self.user.id if self.user else 0

    @property
    def denied_status(self) -> int:
        """``rest_authorization_required_code()``: 401 when anonymous, 403 when signed in."""
        return 401 if self.user is None else 403

    def can(self, capability: str) -> bool:
        """Whether the signed-in user holds ``capability``."""
        return capability in self.caps

    def deny(self, code: str, message: str) -> RestError:
        """An authorisation error with the right status for who is asking."""
        return RestError(code, message, self.denied_status)


Handler = Callable[..., Reply]
ArgsSpec = Mapping[str, Arg] | Callable[[Ctx], Mapping[str, Arg]]


@dataclass(frozen=True)
class Endpoint:
    """One method of a route.

    Attributes:
        handler: called as ``handler(ctx, **url_values)``.
        args: the declared arguments, or a function of the context building them (some
            depend on who asks, like the allowed post statuses).
        upload: the body may be a file (allows ``max_upload_bytes``).
    """

    handler: Handler
    args: ArgsSpec = field(default_factory=dict)
    upload: bool = False

    def declared_args(self, ctx: Ctx) -> Mapping[str, Arg]:
        """The declared arguments for this request."""
        return self.args(ctx) if callable(self.args) else self.args


@dataclass
class Route:
    """A REST route: a rule, its namespace and its endpoints by method.

    Attributes:
        rule: the Werkzeug rule below ``/wp-json``, e.g. ``/wp/v2/posts/<int:id>``.
        namespace: ``wp/v2`` or ``clinicdesk/v1`` (empty for the index).
        endpoints: method -> endpoint.
        gate: run before the arguments are checked (the inquiry plugin refuses everyone
            without its capability before anything else, as a ``rest_pre_dispatch`` filter does).
    """

    rule: str
    namespace: str
    endpoints: dict[str, Endpoint]
    gate: Callable[[Ctx], None] | None = None

    @property
    def pattern(self) -> str:
        """The route as WordPress lists it in the index (``(?P<id>[\\d]+)``)."""
        return re.sub(r"<int:(\w+)>", r"(?P<\1>[\\d]+)", self.rule)


EDITABLE = ("POST", "PUT", "PATCH")


class Router:
    """The table of REST routes."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        rule: str,
        namespace: str,
        endpoints: Mapping[str | tuple[str, ...], Endpoint],
        *,
        gate: Callable[[Ctx], None] | None = None,
    ) -> None:
        """Register ``rule`` with ``endpoints`` keyed by a method or a tuple of methods."""
        by_method: dict[str, Endpoint] = {}
        for methods, endpoint in endpoints.items():
            for method in (methods,) if isinstance(methods, str) else methods:
                by_method[method] = endpoint
        self.routes.append(Route(rule, namespace, by_method, gate))

    def build_map(self) -> Map:
        """A Werkzeug map whose endpoints are indexes into :attr:`routes`."""
        return Map(
            [
                Rule(route.rule, endpoint=i, methods=list(route.endpoints), strict_slashes=False)
                for i, route in enumerate(self.routes)
            ]
        )

    @property
    def namespaces(self) -> list[str]:
        """The namespaces in registration order."""
        return list(dict.fromkeys(r.namespace for r in self.routes if r.namespace))
