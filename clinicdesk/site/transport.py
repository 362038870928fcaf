"""HTTP to the site: one session per account, timeouts, retries, and typed errors.

Everything that can go wrong on the wire becomes one of :mod:`clinicdesk.site.errors` here, with
a sentence a clinic staff member can act on. Two rules shape the retry logic:

* Reads and updates are retried on connection failures, timeouts, 429, 500, 502, 503 and 504,
  with exponential backoff and jitter (so a room full of desktops does not hammer a recovering
  site in step). An update to an existing record is a partial write of the same values, so
  sending it twice does no harm.
* A create (``POST`` to a collection) whose outcome is unknown is **never** sent again: a second
  copy would be a duplicate post. :class:`~clinicdesk.site.errors.OutcomeUnknownError` carries the
  create's client id so the caller can look the record up first. A create is only repeated when
  the connection could not even be opened (nothing was sent).

Credentials go only to the site itself over https (or http on loopback), checked before every
request including redirects; redirects are followed by hand, only for reads, only within the site.
Nothing logged here holds a password, an ``Authorization`` header, a body or a query string.

Time is bounded whatever the site does. ``requests``' read timeout is per read, so a site that
drips its answer a byte at a time never trips it; a watchdog thread therefore closes the socket
of any exchange that passes the request's wall-clock deadline (:attr:`Timeouts.total`), or whose
round was cancelled. Waits between retries are capped per request and per round and end at once
on a cancel (:meth:`Transport.limits`).

The environment is not trusted with the credentials: ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``
and ``~/.netrc`` are ignored (``trust_env`` is off on every session used), so the site's
credentials never go to a proxy nobody chose for ClinicDesk. (``REQUESTS_CA_BUNDLE`` is still
read, by hand: it only changes which roots check the site's certificate.) A proxy is used only
when given explicitly (the app's setting), under the same rules as the site address.
"""

from __future__ import annotations

import contextlib
import copy
import email.utils
import json
import logging
import math
import os
import random
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
import requests.auth
import urllib3
import urllib3.connection
from urllib3.exceptions import NewConnectionError, ReadTimeoutError

from clinicdesk import __version__
from clinicdesk.site import parse
from clinicdesk.site.errors import (
    CancelledError,
    CertificateError,
    ForbiddenError,
    GoneError,
    InsecureURLError,
    InvalidResponseError,
    NotFoundError,
    NotWordPressError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    ServerError,
    SignedOutError,
    SiteError,
    TimedOutError,
    UnreachableError,
)
from clinicdesk.site.url import check_request_url, is_loopback_host

__all__ = [
    "USER_AGENT",
    "Answer",
    "RetryPolicy",
    "Timeouts",
    "Transport",
    "check_proxy_url",
    "parse_retry_after",
]

logger = logging.getLogger(__name__)

USER_AGENT: Final = f"ClinicDesk/{__version__}"

_MAX_REDIRECTS = 5
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long to wait for the site, in seconds.

    Attributes:
        connect: to open the connection (and TLS handshake).
        read: between two pieces of the answer (requests' read timeout is per read, not total).
        total: wall-clock limit of one :meth:`Transport.request`, every attempt, redirect and
            wait between retries included. A watchdog closes the connection when it passes, so
            it holds against a server that drips its headers or body a byte at a time.
    """

    connect: float = 5.0
    read: float = 30.0
    total: float = 300.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before trying an idempotent request again.

    Attributes:
        attempts: tries in all, the first included (1 turns retrying off).
        backoff: the first wait; each further wait doubles it.
        max_backoff: the longest computed wait.
        jitter: the fraction of each wait that is random (0 for none, 1 for "full jitter").
        max_retry_after: the longest ``Retry-After`` the client waits out itself; a site asking
            for longer gets a :class:`RateLimitedError` at once, carrying ``retry_after``, so the
            caller can schedule the work instead of a thread sleeping for minutes.
        max_wait: the longest total of the waits between the attempts of one request; a wait
            that would pass it is not made and the last failure is raised instead (a 429 with
            ``Retry-After: 60`` waits once, not three times).
        statuses: the 5xx answers worth retrying. 500 is included because WordPress's
            "Error establishing a database connection" is a 500 and usually passes.
    """

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    jitter: float = 0.5
    max_retry_after: float = 60.0
    max_wait: float = 60.0
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({500, 502, 503, 504}))

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")
        if self.max_wait < 0:
            raise ValueError("max_wait must not be negative")

    def delay(self, retry: int, rand: float) -> float:
        """The wait before retry number ``retry`` (1 for the first), given ``rand`` in [0, 1)."""
        base = min(self.max_backoff, self.backoff * 2.0 ** min(retry - 1, 32))
        return base * (1.0 - self.jitter) + base * self.jitter * rand


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
        """The body decoded as JSON (see :func:`clinicdesk.site.parse.decode_json`)."""
        return parse.decode_json(self.body, self.content_type)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date.

    Args:
        value: the header, or None.
        now: the current time as a Unix timestamp (for HTTP-dates).

    Returns:
        Seconds (0 when the date has passed), or None when absent or unreadable.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text[:12]))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates: HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Failure:
    """One attempt failed before a complete answer arrived.

    Attributes:
        error: the typed error to raise if this is final.
        sent: whether the request may have reached the site (False only when the connection
            could not be opened, or the certificate was refused).
        retryable: whether trying again could help.
    """

    error: SiteError
    sent: bool
    retryable: bool


class _RedactQueryFilter(logging.Filter):
    """Cuts query strings out of urllib3's DEBUG lines (``"GET /wp-json/...?search=Jane"``).

    Queries hold searches, ids and client ids, which may identify a client of the clinic. The
    filter sits on urllib3's own logger so it applies whatever handlers the app configures.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                a.split("?", 1)[0] + "?…" if isinstance(a, str) and "?" in a else a
                for a in record.args
            )
        return True


def _install_log_redaction() -> None:
    pool_logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _RedactQueryFilter) for f in pool_logger.filters):
        pool_logger.addFilter(_RedactQueryFilter())


_install_log_redaction()

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


def _route_template(route: str) -> str:
    """``wp/v2/posts/123`` -> ``wp/v2/posts/{id}``: for logs, which must not grow per record."""
    return _ID_SEGMENT.sub("/{id}", "/" + route)


class _RequestCount:
    """Requests sent by a transport and its forks, which run on other threads (hence the lock:
    ``+=`` on an attribute is not atomic)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


class _Limits:
    """The cancel and the wait budget of the round in progress, shared by a transport and its
    forks (the round's read-ahead thread works for the same round)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.cancel: threading.Event | None = None
        self.budget: float | None = None

    def set(
        self, cancel: threading.Event | None, budget: float | None
    ) -> tuple[threading.Event | None, float | None]:
        with self._lock:
            previous = (self.cancel, self.budget)
            self.cancel, self.budget = cancel, budget
            return previous

    def take(self, seconds: float) -> bool:
        """Spend ``seconds`` of the round's wait budget; False (nothing spent) if it is short."""
        with self._lock:
            if self.budget is None:
                return True
            if seconds > self.budget:
                return False
            self.budget -= seconds
            return True

    @property
    def cancelled(self) -> bool:
        cancel = self.cancel
        return cancel is not None and cancel.is_set()


def _cut(sock: socket.socket) -> None:
    """Shut a socket down: a read blocked on it returns at once.

    ``socket.socket.shutdown`` itself, not the TLS socket's override: that one also unwraps the
    TLS object under the reading thread's feet. A shutdown (unlike a close) never frees the file
    descriptor, so it cannot hit a descriptor reused meanwhile by another socket.
    """
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watch:
    """One HTTP exchange the watchdog may cut: its deadline, its round's cancel, its socket.

    The socket itself is kept, not the connection: ``http.client`` hands the socket over to the
    response and forgets it (``conn.sock`` is None) when the answer says ``Connection: close``,
    and the body is still to be read then.

    Attributes:
        deadline: ``time.monotonic()`` past which the exchange is cut.
        cancel: the round's cancel, or None.
        fired: None, or why the exchange was cut ("deadline" or "cancel").
    """

    __slots__ = ("_lock", "_sock", "cancel", "deadline", "fired")

    def __init__(self, deadline: float, cancel: threading.Event | None) -> None:
        self.deadline = deadline
        self.cancel = cancel
        self.fired: str | None = None
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    def attach(self, sock: socket.socket) -> None:
        """The socket the exchange uses (called on the requesting thread)."""
        with self._lock:
            self._sock = sock
            if self.fired is not None:
                _cut(sock)

    def detach(self) -> None:
        """The exchange is over: its connection may go back to the pool, never to be cut."""
        with self._lock:
            self._sock = None

    def due(self, now: float) -> str | None:
        if self.cancel is not None and self.cancel.is_set():
            return "cancel"
        return "deadline" if now >= self.deadline else None

    def fire(self, why: str) -> None:
        with self._lock:
            if self.fired is None:
                self.fired = why
            if self._sock is not None:
                _cut(self._sock)


class _Watchdog:
    """One daemon thread for the process that cuts exchanges past their deadline or cancelled.

    It wakes at the nearest deadline, and every :attr:`TICK` seconds while exchanges run (to
    see a cancel: a ``threading.Event`` cannot wake a waiter of something else). It sleeps on a
    condition when nothing runs.
    """

    TICK: Final = 0.05

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watches: set[_Watch] = set()
        self._thread: threading.Thread | None = None

    def add(self, watch: _Watch) -> None:
        with self._cond:
            self._watches.add(watch)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="clinicdesk-http-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def remove(self, watch: _Watch) -> None:
        with self._cond:
            self._watches.discard(watch)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._watches:
                    self._cond.wait()
                nearest = min(w.deadline for w in self._watches)
                self._cond.wait(max(0.0, min(nearest - time.monotonic(), self.TICK)))
                now = time.monotonic()
                due = [(w, why) for w in self._watches if (why := w.due(now)) is not None]
            for watch, why in due:
                # Again at every tick until the exchange ends: a socket attached after the
                # first cut (a connection opened late) is cut too.
                watch.fire(why)


_WATCHDOG = _Watchdog()
_current = threading.local()


def _attach_current(sock: object) -> None:
    if not isinstance(sock, socket.socket):
        # TLS inside TLS (an https site through an https proxy): urllib3's SSLTransport wraps
        # the real socket.
        sock = getattr(sock, "socket", sock)
    watch = getattr(_current, "watch", None)
    if isinstance(watch, _Watch) and isinstance(sock, socket.socket):
        watch.attach(sock)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    """Tells the running exchange's watch which socket carries it (a new one or a reused one)."""

    def connect(self) -> None:
        super().connect()
        _attach_current(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach_current(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    """Tells the running exchange's watch which socket carries it (a new one or a reused one)."""

    def connect(self) -> None:
        super().connect()
        _attach_current(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach_current(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: Final = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def _arm(session: requests.Session, site_url: str, proxies: Mapping[str, str]) -> None:
    """Make ``session`` safe for the site's credentials and cuttable by the watchdog.

    ``trust_env`` off: no proxy from the environment, no ``~/.netrc`` credentials. The pools
    of the session's adapters (and of the explicit proxy's manager) make watched connections.
    Adapters that are not requests' own (a test's mock) are left as they are.
    """
    session.trust_env = False
    for adapter in list(session.adapters.values()):
        if isinstance(adapter, requests.adapters.HTTPAdapter):
            adapter.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS
    if proxies:
        adapter = session.get_adapter(site_url)
        if isinstance(adapter, requests.adapters.HTTPAdapter):
            proxy = proxies.get(urlsplit(site_url).scheme)
            if proxy:
                adapter.proxy_manager_for(proxy).pool_classes_by_scheme = _WATCHED_POOLS


def check_proxy_url(proxy: str, site_url: str) -> str:
    """The proxy address to use for ``site_url``, checked, or InsecureURLError.

    The rules follow the site's: the proxy's own address is ``http://`` or ``https://`` with a
    host and a port, and carries no user name or password (ClinicDesk never stores a password
    outside the keyring). An ``https://`` site goes through the proxy in a tunnel, so its
    certificate is still checked and the credentials stay encrypted; an ``http://`` site (only
    ever on loopback) would hand the credentials to the proxy in clear, so its proxy must be on
    this computer too.

    Args:
        proxy: the address from the settings.
        site_url: the normalized site address.

    Raises:
        InsecureURLError: the address is not acceptable, with what to change.
    """
    text = proxy.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = urlsplit(""), None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        raise InsecureURLError(
            "The proxy address is not valid. Write it like http://proxy.clinic.example:3128, "
            "or leave it empty to connect directly."
        )
    if parts.username is not None or parts.password is not None:
        raise InsecureURLError(
            "The proxy address must not contain a user name or password: ClinicDesk does not "
            "store passwords in its settings. Ask for a proxy that does not need one."
        )
    if urlsplit(site_url).scheme == "http" and not (
        parts.scheme == "https" or is_loopback_host(parts.hostname)
    ):
        raise InsecureURLError(
            "The site is reached over plain http, so the proxy would receive the password "
            "unencrypted. Use a proxy on this computer, or none."
        )
    return f"{parts.scheme}://{parts.netloc}"


class Transport:
    """Sends requests to one site for one account, and turns every failure into a SiteError.

    Not thread-safe (``requests.Session`` is not): use one Transport per worker thread, made
    with :meth:`fork` for a thread that works beside this one.

    Args:
        site_url: the normalized site address (:func:`~clinicdesk.site.url.normalize_site_url`).
        auth: ``(username, application password)``, or None for anonymous use only.
        session: a session to use (tests pass their own, as does an app that wants to share a
            connection pool). The caller keeps ownership and closes it; it must not retry on its
            own (a retrying adapter would repeat creates). Otherwise the Transport makes one and
            :meth:`close` closes it.
        timeouts: connect, read and total timeouts.
        retry: the retry policy.
        ca_bundle: a CA certificate file or folder, for clinics whose site uses a certificate of
            their own authority. Verification itself can never be turned off.
        sleep: how to wait between retries (tests pass a recorder). None: wait on the round's
            cancel (:meth:`limits`), so that a cancel ends the wait at once.
        clock: the current Unix time (to read ``Retry-After`` dates).
        rand: a source of numbers in [0, 1) for jitter.
        max_body: the largest answer body read, in bytes.
        proxy: an explicit proxy address (the app's setting; see :func:`check_proxy_url`).
            None: connect directly. Proxies from the environment are never used.

    Raises:
        InsecureURLError: the site or proxy address is not acceptable.
    """

    def __init__(
        self,
        site_url: str,
        auth: tuple[str, str] | None,
        *,
        session: requests.Session | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
        max_body: int = parse.MAX_BODY_BYTES,
        proxy: str | None = None,
    ) -> None:
        self._site_url = site_url.rstrip("/")
        check_request_url(self._site_url + "/", self._site_url)
        self._api = self._site_url + "/wp-json/"
        self._auth = (
            None
            if auth is None
            # WordPress ignores the spaces it shows application passwords with; sending them
            # stripped makes "abcd efgh ..." and "abcdefgh..." the same credential everywhere.
            else requests.auth.HTTPBasicAuth(auth[0], auth[1].replace(" ", ""))
        )
        self._proxies: dict[str, str] = {}
        if proxy:
            checked = check_proxy_url(proxy, self._site_url)
            self._proxies = {"http": checked, "https": checked}
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        _arm(self._session, self._site_url, self._proxies)
        self._timeouts = timeouts or Timeouts()
        self._retry = retry or RetryPolicy()
        self._verify: str | bool = True
        if ca_bundle is not None:
            path = os.fspath(ca_bundle)
            if not os.path.exists(path):
                raise CertificateError(
                    f"The certificate authority file “{path}” does not exist. Check the path in "
                    "the settings, or remove it to use the system's certificates."
                )
            self._verify = path
        self._sleep = sleep
        self._clock = clock
        self._rand = rand
        self._max_body = max_body
        self._count = _RequestCount()
        self._limits = _Limits()

    @property
    def site_url(self) -> str:
        """The site address this transport talks to."""
        return self._site_url

    @property
    def requests_made(self) -> int:
        """How many HTTP requests were sent (every attempt and redirect counts), those of its
        forks included."""
        return self._count.value

    @property
    def has_credentials(self) -> bool:
        """Whether requests can be signed in."""
        return self._auth is not None

    def fork(self, session: requests.Session | None = None) -> Transport:
        """Another transport to the same site as the same user, with every setting of this one
        but a session of its own, for another thread (a session must not be shared).

        Its requests count in this one's :attr:`requests_made` too: a round's report counts
        every request the round made, whichever thread sent it.

        Args:
            session: the fork's session; the fork owns it and :meth:`close` closes it. None: a
                new ``requests.Session``.
        """
        twin = copy.copy(self)
        twin._session = session if session is not None else requests.Session()
        _arm(twin._session, self._site_url, self._proxies)
        twin._owns_session = True
        return twin

    @contextlib.contextmanager
    def limits(
        self, *, cancel: threading.Event | None = None, wait_budget: float | None = None
    ) -> Iterator[None]:
        """Bind this transport and its forks to a round for the duration of the ``with``.

        Args:
            cancel: set it to end the round: a wait between retries returns at once, and an
                exchange on the wire is cut (its connection closed); the request raises
                :class:`~clinicdesk.site.errors.CancelledError` (or ``OutcomeUnknownError`` for
                a create that may have reached the site).
            wait_budget: the most, in seconds, all the round's waits between retries may add
                up to; a wait beyond it is not made and the request's last failure is raised.
        """
        previous = self._limits.set(cancel, wait_budget)
        try:
            yield
        finally:
            self._limits.set(*previous)

    def close(self) -> None:
        """Close the session if this Transport owns it (it made it, or it is a fork)."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        route: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: object = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        idempotent: bool | None = None,
        client_id: str = "",
    ) -> Answer:
        """Send one request (with retries) and return the site's 2xx answer.

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            route: relative to ``{site}/wp-json/``, e.g. ``wp/v2/posts/12`` ("" for the index).
            params: the query; encoded by requests (``+`` and ``:`` are escaped).
            json_body: sent as JSON when not None.
            body: sent as-is (media uploads); give its ``Content-Type`` in ``headers``.
            headers: extra headers.
            authenticated: send the credentials (False for public routes).
            idempotent: whether sending twice is harmless. Default: every method but POST.
                Pass True for a POST that updates an existing record or that the site
                de-duplicates itself.
            client_id: the create's UUID, carried by OutcomeUnknownError for a non-idempotent
                request whose outcome is unknown.

        Returns:
            The 2xx answer.

        Raises:
            SiteError: a subclass for each failure; OutcomeUnknownError for a non-idempotent
                request that may or may not have taken effect.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS
        if authenticated and self._auth is None:
            raise SignedOutError("Sign in to the site first.")
        data = body
        send_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, allow_nan=False).encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        send_headers.update(headers or {})
        url = self._api + route.lstrip("/")
        query: Mapping[str, str | int] | None = params
        deadline = time.monotonic() + self._timeouts.total
        waited = [0.0]  # seconds waited between this request's attempts
        attempt = 0
        redirects = 0
        while True:
            attempt += 1
            if self._limits.cancelled:
                raise _cancelled()
            # Checked again every time: the URL may be a redirect's target.
            check_request_url(url, self._site_url)
            answer = self._send_once(
                method, url, route, query, data, send_headers, authenticated, attempt, deadline
            )
            if isinstance(answer, _Failure):
                failure = answer
                if (
                    failure.retryable
                    and (idempotent or not failure.sent)
                    and attempt < self._retry.attempts
                    and self._wait(self._retry.delay(attempt, self._rand()), deadline, waited)
                ):
                    continue
                if failure.sent and not idempotent:
                    raise self._outcome_unknown(client_id, failure.error)
                raise failure.error

            status = answer.status
            if 200 <= status < 300:
                return answer
            if 300 <= status < 400:
                url = self._redirect_target(method, url, answer)
                query = None  # the target's own query replaces ours
                redirects += 1
                if redirects > _MAX_REDIRECTS:
                    raise InvalidResponseError(
                        "The site redirected ClinicDesk too many times. Check the site address."
                    )
                attempt -= 1  # following a redirect is not a retry
                continue

            error = error_for_status(answer, now=self._clock())
            can_retry = idempotent and attempt < self._retry.attempts
            if isinstance(error, RateLimitedError):
                wait = error.retry_after
                if (
                    can_retry
                    and (wait is None or wait <= self._retry.max_retry_after)
                    and self._wait(
                        wait if wait is not None else self._retry.delay(attempt, self._rand()),
                        deadline,
                        waited,
                    )
                ):
                    continue
                # A 429 comes before the site does anything: even a create was safely refused.
                raise error
            if status >= 500 and not idempotent:
                # The site may have stored the record before failing.
                raise self._outcome_unknown(client_id, error) from None
            if (
                status in self._retry.statuses
                and can_retry
                and self._wait(self._retry.delay(attempt, self._rand()), deadline, waited)
            ):
                continue
            raise error

    # ----------------------------------------------------------------------------------------

    def _wait(self, seconds: float, deadline: float, waited: list[float]) -> bool:
        """Wait ``seconds`` before a retry, if the limits allow it.

        Returns:
            False, without waiting, when the wait would pass the request's total deadline, its
            :attr:`RetryPolicy.max_wait`, or the round's wait budget: the caller raises the
            failure it has instead.

        Raises:
            CancelledError: the round was cancelled (before or during the wait).
        """
        if (
            waited[0] + seconds > self._retry.max_wait
            or time.monotonic() + seconds >= deadline
            or not self._limits.take(seconds)
        ):
            logger.debug("not waiting %.2f s: over the time limits", seconds)
            return False
        waited[0] += seconds
        logger.debug("waiting %.2f s before retrying", seconds)
        cancel = self._limits.cancel
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            # Event.wait, not time.sleep: a cancel ends the wait at once.
            (cancel or threading.Event()).wait(seconds)
        if self._limits.cancelled:
            raise _cancelled()
        return True

    def _verification(self) -> str | bool:
        """What checks the site's certificate: the clinic's CA file, else a CA bundle named in
        the environment as requests would use it (the session ignores the environment, to keep
        its proxies out), else the system's roots. Never False."""
        if self._verify is not True:
            return self._verify
        named = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        return named or True

    @staticmethod
    def _outcome_unknown(client_id: str, cause: SiteError) -> OutcomeUnknownError:
        return OutcomeUnknownError(
            "The site did not confirm whether it saved the new item "
            f"({cause.message.rstrip('.')}). ClinicDesk will check before sending it again.",
            client_id=client_id,
            cause=cause,
        )

    def _redirect_target(self, method: str, url: str, answer: Answer) -> str:
        location = answer.headers.get("Location")
        if not location:
            raise InvalidResponseError(
                f"The site answered with a redirect (error {answer.status}) but no address."
            )
        target = urljoin(url, location)
        # Raises InsecureURLError (before anything is sent there) for http or another host.
        check_request_url(target, self._site_url)
        if method not in ("GET", "HEAD"):
            # Re-sending a change to another address could apply it twice or somewhere
            # unexpected; a change that is redirected was not applied.
            raise InvalidResponseError(
                "The site redirected a change to another address, so it was not saved. Check the "
                "site address in the settings (for example, www. or https://)."
            )
        return target

    def _send_once(
        self,
        method: str,
        url: str,
        route: str,
        params: Mapping[str, str | int] | None,
        data: bytes | None,
        headers: Mapping[str, str],
        authenticated: bool,
        attempt: int,
        deadline: float,
    ) -> Answer | _Failure:
        """One HTTP exchange, cut by the watchdog at ``deadline`` or on the round's cancel.

        Failures are returned, not raised, so that the typed error the caller raises carries no
        chain back to requests' exception: its traceback would keep the connection (and the
        request with its Authorization header) alive."""
        started = time.monotonic()
        self._count.add()
        result: Answer | _Failure
        status = ""  # for the log: the status line, when one arrived
        watch = _Watch(deadline, self._limits.cancel)
        _current.watch = watch
        _WATCHDOG.add(watch)
        try:
            with self._session.request(
                method,
                url,
                params=params,
                data=data,
                headers=dict(headers),
                auth=self._auth if authenticated else None,
                timeout=(self._timeouts.connect, self._timeouts.read),
                # Per request, so neither a session setting nor an argument can turn
                # verification off.
                verify=self._verification(),
                allow_redirects=False,
                stream=True,
                # Only the explicit proxy (the session ignores the environment's).
                proxies=self._proxies,
            ) as response:
                status = str(response.status_code)
                body = self._read_body(response, deadline)
                # Before the connection goes back to the pool: the watchdog must never cut a
                # connection another exchange may use next.
                watch.detach()
                result = (
                    body
                    if isinstance(body, _Failure)
                    else Answer(response.status_code, response.headers, body)
                )
        except requests.RequestException as exc:
            result = _classify(exc)
            _release(exc)
        except Exception as exc:
            # A socket cut under a TLS read can surface as something other than requests'
            # exceptions; anything else is a bug and goes on.
            if watch.fired is None:
                raise
            _release(exc)
            result = _Failure(error=_timed_out(), sent=True, retryable=False)
        finally:
            watch.detach()
            _WATCHDOG.remove(watch)
            _current.watch = None
        if watch.fired is not None:
            # Whatever arrived is not to be trusted: an answer without a length ends at the
            # cut as if it were complete.
            result = _Failure(
                error=_cancelled() if watch.fired == "cancel" else _timed_out(),
                sent=True,
                retryable=False,
            )
        logger.debug(
            "%s %s -> %s in %.0f ms (attempt %d)",
            method,
            _route_template(route),
            " ".join(
                filter(
                    None,
                    [status, type(result.error).__name__ if isinstance(result, _Failure) else ""],
                )
            ),
            (time.monotonic() - started) * 1000,
            attempt,
        )
        return result

    def _read_body(self, response: requests.Response, deadline: float) -> bytes | _Failure:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_body:
            return _Failure(error=_too_large(self._max_body), sent=True, retryable=False)
        chunks: list[bytes] = []
        size = 0
        # iter_content decompresses, so the limit applies to what is held in memory (a small
        # gzip bomb cannot get past it).
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self._max_body:
                return _Failure(error=_too_large(self._max_body), sent=True, retryable=False)
            if time.monotonic() > deadline:
                return _Failure(error=_timed_out(), sent=True, retryable=False)
            chunks.append(chunk)
        return b"".join(chunks)


# --------------------------------------------------------------------------------------------
# Errors


def _too_large(limit: int) -> InvalidResponseError:
    return InvalidResponseError(
        f"The site sent an answer larger than ClinicDesk accepts (over {limit:,} bytes), so it "
        "was not read. Something on the site is misbehaving."
    )


def _timed_out() -> TimedOutError:
    return TimedOutError(
        "The site did not answer in time. It may be busy or down; ClinicDesk will try again later."
    )


def _cancelled() -> CancelledError:
    return CancelledError("Stopped: the sync was cancelled.")


def _release(exc: BaseException) -> None:
    """Drop the locals of the frames in ``exc``'s tracebacks (and its chained exceptions').

    urllib3 keeps the failing exception in a local of the frame it was raised through, a
    reference cycle only the garbage collector breaks. Until then the cycle holds the connection
    pool, so closing the session would leave its sockets open (urllib3 closes a pool's sockets
    when the pool is freed), and it holds the request with its Authorization header.
    """
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += current.args


def _classify(exc: requests.RequestException) -> _Failure:
    """Map a requests exception to a typed error and whether the request may have been sent."""
    if isinstance(exc, requests.exceptions.SSLError):
        return _Failure(
            error=CertificateError(
                "The site's security certificate could not be verified, so ClinicDesk did not "
                "connect. The certificate may have expired, or the address may be wrong. If the "
                "clinic uses its own certificate authority, set its file in the settings."
            ),
            sent=False,
            retryable=False,
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return _Failure(error=_timed_out(), sent=False, retryable=True)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return _Failure(error=_timed_out(), sent=True, retryable=True)
    if isinstance(exc, requests.exceptions.ProxyError):
        return _Failure(
            error=UnreachableError(
                "ClinicDesk could not reach the proxy server set up on this computer. Check the "
                "network settings."
            ),
            sent=False,
            retryable=True,
        )
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
        return _Failure(
            error=InsecureURLError("The site address is not valid. Check it in the settings."),
            sent=False,
            retryable=False,
        )
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return _Failure(
            error=InvalidResponseError(
                "The site's answer was damaged (it could not be decompressed)."
            ),
            sent=True,
            retryable=True,
        )
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, ReadTimeoutError):  # raised while streaming the body
        return _Failure(error=_timed_out(), sent=True, retryable=True)
    if isinstance(getattr(reason, "reason", None), NewConnectionError):
        # The connection was never opened (refused, no route, name not found): nothing was sent.
        return _Failure(
            error=UnreachableError(
                "ClinicDesk could not reach the site. Check the internet connection and the site "
                "address; the site may also be down."
            ),
            sent=False,
            retryable=True,
        )
    return _Failure(
        error=UnreachableError(
            "The connection to the site was lost before it finished answering. Check the "
            "internet connection; ClinicDesk will try again."
        ),
        sent=True,
        retryable=True,
    )


def _rate_limited_message(wait: float | None) -> str:
    if wait is None:
        return "The site asked ClinicDesk to slow down. Try again in a few minutes."
    return f"The site asked ClinicDesk to slow down. Try again in {_duration(wait)}."


def _duration(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 120:
        return f"{whole} second{'s' if whole != 1 else ''}"
    return f"{math.ceil(whole / 60)} minutes"


def _params_of(data: Mapping[str, object]) -> dict[str, str]:
    """``data.params`` of ``rest_invalid_param`` ({name: reason}) or
    ``rest_missing_callback_param`` ([names])."""
    raw = data.get("params")
    if isinstance(raw, dict):
        return {str(k)[:200]: (v[:1000] if isinstance(v, str) else "") for k, v in raw.items()}
    if isinstance(raw, list):
        return {str(name)[:200]: "" for name in raw if isinstance(name, str)}
    return {}


def error_for_status(answer: Answer, *, now: float) -> SiteError:
    """The typed error for a non-2xx answer (WordPress's JSON error when there is one).

    Args:
        answer: the answer.
        now: the current Unix time, to read a ``Retry-After`` date.
    """
    status = answer.status
    payload = parse.error_payload(answer.body, answer.content_type)
    code = payload.code if payload else None
    said = payload.message.strip() if payload and payload.message else ""
    detail = f" The site said: “{said}”" if said else ""
    if status == 401:
        return SignedOutError(
            "The site did not accept your sign-in: you are signed out, or the application "
            "password was revoked. Sign in again.",
            code=code,
            status=status,
        )
    if status == 403:
        return ForbiddenError(
            f"Your account on the site is not allowed to do this.{detail}",
            code=code,
            status=status,
        )
    if status == 404:
        if payload is None:
            return NotWordPressError(
                "The site has no REST API at this address (it answered “not found” with a web "
                "page). Check the address, and that the site uses pretty permalinks.",
                status=status,
            )
        if code == "rest_no_route":
            return NotFoundError(
                "The site does not offer this feature: a plugin may be missing or inactive.",
                code=code,
                status=status,
            )
        return NotFoundError(
            "This item is not on the site any more: it may have been deleted for good.",
            code=code,
            status=status,
        )
    if status == 410:
        return GoneError("This item is already in the site's trash.", code=code, status=status)
    if status == 429:
        wait = parse_retry_after(answer.headers.get("Retry-After"), now)
        return RateLimitedError(_rate_limited_message(wait), code=code, retry_after=wait)
    if 400 <= status < 500:
        data = payload.data if payload else {}
        return RejectedError(
            f"The site refused this request (error {status}).{detail}",
            code=code,
            status=status,
            params=_params_of(data),
            data=data,
        )
    if 500 <= status < 600:
        return ServerError(
            f"The site ran into a problem (error {status}). Try again in a few minutes; if it "
            "keeps happening, tell whoever looks after the website.",
            code=code,
            status=status,
        )
    return InvalidResponseError(
        f"The site gave an answer ClinicDesk does not understand (status {status}).",
        status=status,
    )
