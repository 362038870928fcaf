"""Sending a request to the site: one session per account, credentials kept safe, retries.

:class:`Transport` sends one request and returns the site's 2xx :class:`~clinicdesk.site.answers.
Answer`, or raises one of :mod:`clinicdesk.site.errors` (mapped in
:mod:`clinicdesk.site.failures`). Two rules shape its retries (the policy and its waits are
:mod:`clinicdesk.site.timing`):

* Reads and updates are retried on connection failures, timeouts, 429, 500, 502, 503 and 504,
  with exponential backoff and jitter. An update to an existing record is a partial write of the
  same values, so sending it twice does no harm.
* A create (``POST`` to a collection) whose outcome is unknown is **never** sent again: a second
  copy would be a duplicate post. :class:`~clinicdesk.site.errors.OutcomeUnknownError` carries the
  create's client id so the caller can look the record up first. A create is only repeated when
  the connection could not even be opened (nothing was sent).

Credentials go only to the site itself over https (or http on loopback), checked before every
request including redirects; redirects are followed by hand, only for reads, only within the site.
Nothing logged here holds a password, an ``Authorization`` header, a body or a query string.

Time is bounded whatever the site does: each exchange runs under the watchdog
(:mod:`clinicdesk.site.watchdog`), which cuts it at the request's wall-clock deadline
(:attr:`~clinicdesk.site.timing.Timeouts.total`) or on the round's cancel. Waits between retries
are capped per request and per round and end at once on a cancel (:meth:`Transport.limits`).

The environment is not trusted with the credentials: ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``
and ``~/.netrc`` are ignored (``trust_env`` is off on every session used), so the site's
credentials never go to a proxy nobody chose for ClinicDesk. (``REQUESTS_CA_BUNDLE`` is still
read, by hand: it only changes which roots check the site's certificate.) A proxy is used only
when given explicitly (the app's setting, :func:`check_proxy_url`), under the same rules as the
site address.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Final
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
import requests.auth

from clinicdesk import __version__
from clinicdesk.site.answers import MAX_BODY_BYTES, Answer
from clinicdesk.site.errors import (
    CertificateError,
    InsecureURLError,
    InvalidResponseError,
    OutcomeUnknownError,
    RateLimitedError,
    SignedOutError,
    SiteError,
)
from clinicdesk.site.failures import (
    Failure,
    cancelled,
    classify,
    error_for_status,
    release,
    timed_out,
    too_large,
)
from clinicdesk.site.timing import RetryPolicy, RoundLimits, Timeouts
from clinicdesk.site.url import check_request_url, is_loopback_host
from clinicdesk.site.watchdog import WATCHED_POOLS, watched

__all__ = [
    "USER_AGENT",
    "Transport",
    "check_proxy_url",
]

logger = logging.getLogger(__name__)

USER_AGENT: Final = f"ClinicDesk/{__version__}"

_MAX_REDIRECTS = 5
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})


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


def _arm(session: requests.Session, site_url: str, proxies: Mapping[str, str]) -> None:
    """Make ``session`` safe for the site's credentials and cuttable by the watchdog.

    ``trust_env`` off: no proxy from the environment, no ``~/.netrc`` credentials. The pools
    of the session's adapters (and of the explicit proxy's manager) make watched connections.
    Adapters that are not requests' own (a test's mock) are left as they are.
    """
    session.trust_env = False
    for adapter in list(session.adapters.values()):
        if isinstance(adapter, requests.adapters.HTTPAdapter):
            adapter.poolmanager.pool_classes_by_scheme = WATCHED_POOLS
    if proxies:
        adapter = session.get_adapter(site_url)
        if isinstance(adapter, requests.adapters.HTTPAdapter):
            proxy = proxies.get(urlsplit(site_url).scheme)
            if proxy:
                adapter.proxy_manager_for(proxy).pool_classes_by_scheme = WATCHED_POOLS


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
        max_body: int = MAX_BODY_BYTES,
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
        self._limits = RoundLimits()

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
                raise cancelled()
            # Checked again every time: the URL may be a redirect's target.
            check_request_url(url, self._site_url)
            answer = self._send_once(
                method, url, route, query, data, send_headers, authenticated, attempt, deadline
            )
            if isinstance(answer, Failure):
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
            raise cancelled()
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
    ) -> Answer | Failure:
        """One HTTP exchange, cut by the watchdog at ``deadline`` or on the round's cancel.

        Failures are returned, not raised, so that the typed error the caller raises carries no
        chain back to requests' exception: its traceback would keep the connection (and the
        request with its Authorization header) alive."""
        started = time.monotonic()
        self._count.add()
        result: Answer | Failure
        status = ""  # for the log: the status line, when one arrived
        with watched(deadline, self._limits.cancel) as watch:
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
                        if isinstance(body, Failure)
                        else Answer(response.status_code, response.headers, body)
                    )
            except requests.RequestException as exc:
                result = classify(exc)
                release(exc)
            except Exception as exc:
                # A socket cut under a TLS read can surface as something other than requests'
                # exceptions; anything else is a bug and goes on.
                if watch.fired is None:
                    raise
                release(exc)
                result = Failure(error=timed_out(), sent=True, retryable=False)
        if watch.fired is not None:
            # Whatever arrived is not to be trusted: an answer without a length ends at the
            # cut as if it were complete.
            result = Failure(
                error=cancelled() if watch.fired == "cancel" else timed_out(),
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
                    [status, type(result.error).__name__ if isinstance(result, Failure) else ""],
                )
            ),
            (time.monotonic() - started) * 1000,
            attempt,
        )
        return result

    def _read_body(self, response: requests.Response, deadline: float) -> bytes | Failure:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_body:
            return Failure(error=too_large(self._max_body), sent=True, retryable=False)
        chunks: list[bytes] = []
        size = 0
        # iter_content decompresses, so the limit applies to what is held in memory (a small
        # gzip bomb cannot get past it).
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self._max_body:
                return Failure(error=too_large(self._max_body), sent=True, retryable=False)
            if time.monotonic() > deadline:
                return Failure(error=timed_out(), sent=True, retryable=False)
            chunks.append(chunk)
        return b"".join(chunks)
