"""The reference site's WSGI application and the server that runs it.

:func:`start` runs the site on a background thread (for the app's ``--demo`` mode and for tests)
and returns a :class:`DemoSite` handle; ``python -m clinicdesk.demosite`` uses the same function.

Robustness rules live here, once for every route: every answer under ``/wp-json/`` is JSON (an
unexpected exception becomes WordPress's 500 ``internal_server_error``, logged without the request
body); bodies are size-limited; writes are serialised by one lock so SQLite never sees two writers;
the access log shows no query strings and never an ``Authorization`` header.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from clinicdesk.demosite import (
    form,
    routes_inquiries,
    routes_media,
    routes_posts,
    routes_site,
    routes_terms,
    routes_users,
    seed,
)
from clinicdesk.demosite.auth import authenticate, capabilities
from clinicdesk.demosite.consultation import DEFAULT_MIN_SECONDS, DEFAULT_STATES
from clinicdesk.demosite.db import Post, get_option, open_database
from clinicdesk.demosite.routing import Ctx, Route, Router, SiteConfig, SiteSettings
from clinicdesk.demosite.schema import check_args
from clinicdesk.demosite.wpjson import (
    JSON_CONTENT_TYPE,
    Reply,
    RestError,
    encode,
    filter_fields,
    no_route,
    utc_now_seconds,
)

logger = logging.getLogger(__name__)
access_logger = logging.getLogger(f"{__name__}.access")

_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_COMMON_HEADERS = {
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Expose-Headers": "X-WP-Total, X-WP-TotalPages, Link",
    "Access-Control-Allow-Headers": (
        "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type"
    ),
}
_CRITICAL = "There has been a critical error on this website."


class Credentials(NamedTuple):
    """A user name and application password (unpacks like a ``(user, password)`` tuple)."""

    user: str
    app_password: str


def build_router() -> Router:
    """Every REST route of the site, the index last (it lists the others)."""
    router = Router()
    for module in (routes_posts, routes_inquiries, routes_terms, routes_media, routes_users):
        module.register(router)
    routes_site.register(router)
    return router


def _php_params(multi: MultiDict[str, str]) -> dict[str, Any]:
    """Query or form parameters the way PHP reads them: ``a[]`` lists, ``a[k]`` maps, last wins."""
    out: dict[str, Any] = {}
    for key in multi:
        values = multi.getlist(key)
        match = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", key)
        if match is None:
            out[key] = values[-1]
            continue
        name, sub = match.groups()
        if sub == "" or sub.isdigit():
            current = out.get(name)
            out[name] = (current if isinstance(current, list) else []) + values
        else:
            current = out.get(name)
            out[name] = {**(current if isinstance(current, dict) else {}), sub: values[-1]}
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def request_params(request: Request) -> dict[str, Any]:
    """Every parameter of a request: JSON body over form body over query string (as WordPress).

    Raises:
        RestError: 400 ``rest_invalid_json`` for a JSON body that does not parse.
    """
    params = _php_params(request.args)
    if request.mimetype == "application/json":
        raw = request.get_data(cache=True)
        if raw.strip():
            try:
                body = json.loads(raw, parse_constant=_reject_constant)
            except ValueError:
                raise RestError(
                    "rest_invalid_json",
                    "Invalid JSON body passed.",
                    400,
                    json_error_code=4,
                    json_error_message="Syntax error",
                ) from None
            if isinstance(body, dict):
                params.update(body)
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        params.update(_php_params(request.form))
    return params


def load_settings(engine: Engine) -> SiteSettings:
    """The site options the REST layer reads on every request."""
    with Session(engine) as db:
        return SiteSettings(
            name=get_option(db, "blogname", "ClinicDesk Demo Clinic"),
            description=get_option(db, "blogdescription", ""),
            gmt_offset=float(get_option(db, "gmt_offset", "0") or 0),
            timezone_string=get_option(db, "timezone_string", ""),
        )


class SiteApp:
    """The WSGI application: REST API under ``/wp-json/``, uploads, and a few HTML pages.

    Attributes:
        config: how the site runs.
        engine: the database.
        settings: the site options.
        site_url: the site root; set once the server knows its port.
    """

    def __init__(self, config: SiteConfig, engine: Engine, site_url: str = "") -> None:
        self.config = config
        self.engine = engine
        self.settings = load_settings(engine)
        self.site_url = site_url
        self.router = build_router()
        self._map = self.router.build_map()
        self._write_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._handle(request)
        except Exception:
            # Only the route is logged: bodies and query strings may hold inquiry fields.
            logger.exception("Unhandled error answering %s %s", request.method, request.path)
            response = self._json(
                RestError("internal_server_error", _CRITICAL, 500).to_json(), 500, {}
            )
        finally:
            request.close()
        return response(environ, start_response)

    # -- plumbing -----------------------------------------------------------------------------

    def _ctx(self, request: Request, db: Session, params: dict[str, Any] | None = None) -> Ctx:
        return Ctx(
            config=self.config,
            settings=self.settings,
            site_url=self.site_url,
            request=request,
            db=db,
            user=None,
            caps=frozenset(),
            now=utc_now_seconds(self.config.clock()),
            params=params or {},
            query_pairs=list(request.args.items(multi=True)),
        )

    def _json(self, data: Any, status: int, headers: Mapping[str, str]) -> Response:
        response = Response(encode(data), status=status, content_type=JSON_CONTENT_TYPE)
        response.headers.update(_COMMON_HEADERS)
        response.headers.update(headers)
        return response

    def _error(self, err: RestError, allow: Iterable[str] = ()) -> Response:
        headers = dict(err.headers)
        if allow:
            headers["Allow"] = ", ".join(allow)
        return self._json(err.to_json(), err.status, headers)

    def _handle(self, request: Request) -> Response:
        path = request.path
        if path == "/wp-json" or path.startswith("/wp-json/"):
            return self._rest(request, path[len("/wp-json") :])
        if path == "/" and "rest_route" in request.args:
            return self._rest(request, request.args["rest_route"])
        with Session(self.engine) as db:
            ctx = self._ctx(request, db)
            if path in form.PATHS:
                return form.consultation_page(ctx, request, self._write_lock)
            if path.startswith(form.ASSETS_URL):
                return form.serve_asset(request, path[len(form.ASSETS_URL) :])
            if path.startswith("/wp-content/uploads/"):
                return routes_site.serve_upload(ctx, request, path[len("/wp-content/uploads/") :])
            return routes_site.html_page(ctx, path)

    def _publish_due(self, now: datetime) -> None:
        # WordPress's cron runs on page loads; so does this, cheaply: one indexed lookup.
        with Session(self.engine) as db:
            due = db.scalar(
                select(Post.id).where(Post.status == "future", Post.date_gmt <= now).limit(1)
            )
            if due is None:
                return
            with self._write_lock:
                routes_posts.publish_due(db, now)
                db.commit()

    def _rest(self, request: Request, route_path: str) -> Response:
        route_path = "/" + route_path.strip("/")
        method = (
            request.args.get("_method")
            or request.headers.get("X-HTTP-Method-Override")
            or request.method
        ).upper()
        match_method = "GET" if method == "HEAD" else method
        adapter = self._map.bind("site.invalid")
        try:
            index, values = adapter.match(route_path, method=match_method)
        except MethodNotAllowed as exc:
            if match_method != "OPTIONS" or not exc.valid_methods:
                return self._error(no_route())
            index, values = adapter.match(route_path, method=next(iter(exc.valid_methods)))
        except NotFound:
            return self._error(no_route())
        route = self.router.routes[index]
        if match_method == "OPTIONS":
            return self._options(route)
        try:
            return self._dispatch(request, route, match_method, dict(values))
        except RestError as err:
            return self._error(err)
        except RequestEntityTooLarge:
            return self._error(_too_large())

    def _options(self, route: Route) -> Response:
        # WordPress answers OPTIONS with the route's description (no handler runs).
        methods = list(route.endpoints)
        data = {
            "namespace": route.namespace,
            "methods": methods,
            "endpoints": [{"methods": methods, "args": {}}],
        }
        return self._json(data, 200, {"Allow": ", ".join(methods)})

    def _dispatch(
        self, request: Request, route: Route, method: str, values: dict[str, Any]
    ) -> Response:
        endpoint = route.endpoints[method]
        limit = self.config.max_upload_bytes if endpoint.upload else self.config.max_json_bytes
        if request.content_length is not None and request.content_length > limit:
            raise _too_large()
        request.max_content_length = limit
        self._publish_due(utc_now_seconds(self.config.clock()))
        params = request_params(request)
        with Session(self.engine) as db:
            ctx = self._ctx(request, db, params)
            ctx.user = authenticate(db, request.headers.get("Authorization"))
            ctx.caps = capabilities(ctx.user.role if ctx.user else None)
            try:
                if route.gate is not None:
                    route.gate(ctx)
                ctx.args = check_args(endpoint.declared_args(ctx), params)
                if method in _WRITE_METHODS:
                    with self._write_lock:
                        reply = endpoint.handler(ctx, **values)
                        db.commit()
                else:
                    reply = endpoint.handler(ctx, **values)
            except BaseException:
                db.rollback()
                raise
        return self._reply(reply, params, route)

    def _reply(self, reply: Reply, params: Mapping[str, Any], route: Route) -> Response:
        data = reply.data
        if params.get("_fields"):
            data = filter_fields(data, params["_fields"])
        headers = {"Allow": ", ".join(route.endpoints), **reply.headers}
        return self._json(data, reply.status, headers)


def _too_large() -> RestError:
    # PHP would drop an oversized body silently; a clear 413 serves a stand-in better.
    return RestError("rest_request_too_large", "The request body is too large.", 413)


class _Handler(WSGIRequestHandler):
    """Request handler that logs through :mod:`logging`, without query strings or headers."""

    # A client that opens a connection and sends nothing is dropped after this many seconds.
    timeout = 60

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = getattr(self, "path", "").split("?", 1)[0]
        access_logger.info(
            '%s "%s %s" %s %s',
            self.address_string(),
            getattr(self, "command", "-"),
            path,
            code,
            size,
        )

    def log(self, type: str, message: str, *args: Any) -> None:
        # Werkzeug's own messages (bad request lines, dropped connections) may quote the raw
        # request line; keep only the message template's first words.
        getattr(logger, "error" if type == "error" else "info")("server: %s", message.split("%")[0])


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class DemoSite:
    """A running reference site.

    Attributes:
        url: the site root, e.g. ``http://127.0.0.1:8080`` (REST root: ``url + "/wp-json/"``).
        users: short role name (``administrator``, ``editor``, ``author``, ``contributor``,
            ``intake``) -> credentials, freshly issued at start.
        data_dir: the folder holding the database and the uploads.
        app: the WSGI application.
    """

    url: str
    users: dict[str, Credentials]
    data_dir: Path
    app: SiteApp
    _server: BaseWSGIServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _temp_dir: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    @property
    def rest(self) -> str:
        """The REST root, ``url + "/wp-json/"``."""
        return f"{self.url}/wp-json/"

    @property
    def user(self) -> Credentials:
        """The demo administrator's credentials."""
        return self.users["administrator"]

    def stop(self) -> None:
        """Stop serving, close the database, and remove a throw-away data folder."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.app.engine.dispose()
        if self._temp_dir is not None:
            self._temp_dir.cleanup()
            self._temp_dir = None
        logger.info("Reference site at %s stopped", self.url)

    def __enter__(self) -> DemoSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _open_site(
    config: SiteConfig, seed_dir: Path | str | None, bulk_inquiries: int = 0, bulk_posts: int = 0
) -> tuple[Engine, dict[str, Credentials]]:
    """Open the database, seed it if new, and issue fresh application passwords."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    config.uploads_dir.mkdir(exist_ok=True)
    engine = open_database(config.data_dir / "site.sqlite3")
    now = utc_now_seconds(config.clock())
    with Session(engine) as db:
        seed.seed_if_empty(
            db, seed_dir, now=now, bulk_inquiries=bulk_inquiries, bulk_posts=bulk_posts
        )
        issued = seed.issue_demo_passwords(db, now)
        db.commit()
    return engine, {role: Credentials(*pair) for role, pair in issued.items()}


def start(
    data_dir: Path | str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    consultation_rate: tuple[int, int] = (5, 600),
    trusted_proxies: tuple[str, ...] = (),
    served_states: tuple[str, ...] = DEFAULT_STATES,
    form_min_seconds: int = DEFAULT_MIN_SECONDS,
    seed_dir: Path | str | None = None,
    bulk_inquiries: int = 0,
    bulk_posts: int = 0,
    allow_remote: bool = False,
    config: SiteConfig | None = None,
) -> DemoSite:
    """Start the reference site on a background thread.

    Args:
        data_dir: where the database and uploads live; None for a temporary folder removed by
            :meth:`DemoSite.stop`. An existing database is reused (and not seeded again).
        host: the address to listen on; must be loopback unless ``allow_remote``.
        port: the port, 0 for any free one.
        consultation_rate: (requests, seconds) allowed per client address on the form.
        trusted_proxies: reverse proxies whose ``X-Forwarded-For`` the form's rate limit uses.
        served_states: the USPS codes the clinic serves (the form's state list).
        form_min_seconds: the form's minimum time between opening and sending.
        seed_dir: folder with ``users.json``, ``terms.json``, ``posts.json`` and
            ``inquiries.json``; None for the default (see :func:`seed.default_seed_dir`).
        bulk_inquiries: this many generated inquiries are added to a new database.
        bulk_posts: this many generated posts are added to a new database.
        allow_remote: permit a non-loopback ``host``.
        config: a complete configuration (tests pass a fake clock this way); it replaces
            ``data_dir`` and ``consultation_rate``.

    Raises:
        ValueError: a non-loopback host without ``allow_remote``.
    """
    if not is_loopback(host) and not allow_remote:
        raise ValueError(f"refusing to listen on non-loopback address {host!r}")
    temp_dir = None
    if config is None:
        if data_dir is None:
            temp_dir = tempfile.TemporaryDirectory(prefix="clinicdesk-demosite-")
            data_dir = temp_dir.name
        config = SiteConfig(
            data_dir=Path(data_dir),
            consultation_rate=consultation_rate,
            trusted_proxies=tuple(trusted_proxies),
            served_states=tuple(served_states),
            form_min_seconds=form_min_seconds,
        )
    engine, users = _open_site(config, seed_dir, bulk_inquiries, bulk_posts)
    app = SiteApp(config, engine)
    server = make_server(host, port, app, threaded=True, request_handler=_Handler)
    url_host = f"[{host}]" if ":" in host else host
    app.site_url = f"http://{url_host}:{server.port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="demosite", daemon=True
    )
    thread.start()
    logger.info("Reference site serving %s", app.site_url)
    return DemoSite(app.site_url, users, config.data_dir, app, server, thread, temp_dir)


def make_app(
    config: SiteConfig, site_url: str = "http://127.0.0.1", seed_dir: Path | str | None = None
) -> tuple[SiteApp, dict[str, Credentials]]:
    """A seeded WSGI app without a server, for Werkzeug's test client.

    Returns:
        The app and the credentials issued for it.
    """
    engine, users = _open_site(config, seed_dir)
    return SiteApp(config, engine, site_url), users
