"""The reference site in its own process, and plain HTTP next to the app's client.

The site runs as ``python -m clinicdesk.demosite`` in a separate process, so that its CPU work does
not share the benchmark's interpreter lock with the client being measured.

:class:`RecordingSession` is a ``requests.Session`` the app's :class:`~clinicdesk.site.SiteClient`
is given: it notes every request the client sends (URL, query, body), so the baselines can send
exactly the same requests again with plain ``requests`` (:func:`replay`).
"""

from __future__ import annotations

import json
import logging
import selectors
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.auth import HTTPBasicAuth

logger = logging.getLogger(__name__)

#: Seconds to wait for the site to seed its database and print its address.
START_TIMEOUT = 300.0


class BenchError(Exception):
    """The benchmark could not measure something (the message says what and why)."""


@dataclass(frozen=True, slots=True)
class Login:
    """A user name and application password on the reference site."""

    user: str
    password: str

    def __repr__(self) -> str:
        return f"Login({self.user!r})"

    @property
    def auth(self) -> HTTPBasicAuth:
        """HTTP Basic credentials for ``requests``."""
        return HTTPBasicAuth(self.user, self.password)


@dataclass
class SiteProcess:
    """A running reference site.

    Attributes:
        url: the site root (``http://127.0.0.1:PORT``).
        admin: the administrator (the app signs in as this user).
        editor: another member of staff (changes inquiries "on the site" behind the app's back).
        seconds_to_start: how long seeding and starting took.
    """

    url: str
    admin: Login
    editor: Login
    seconds_to_start: float
    _process: subprocess.Popen[str] = field(repr=False)

    @property
    def rest(self) -> str:
        """The REST root."""
        return f"{self.url}/wp-json/"

    def stop(self) -> None:
        """Stop the site (SIGTERM, then SIGKILL after 10 s)."""
        stop_process(self._process)

    def __enter__(self) -> SiteProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def die_with_parent() -> None:
    """In a child, before ``exec``: be sent SIGTERM when the benchmark dies (Linux).

    A benchmark killed, or aborted by Qt, must not leave a seeded site (or an app) running.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def site_command(data_dir: Path, *options: str) -> list[str]:
    """The command that runs the reference site on ``data_dir`` on a free port, announcing its
    address and users as one JSON line on stdout (read it with :func:`read_line`).

    The test suite's ``site`` fixture starts the site the same way.
    """
    return [
        sys.executable,
        "-m",
        "clinicdesk.demosite",
        "--port",
        "0",
        "--json",
        "--data",
        str(data_dir),
        *options,
    ]


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Stop ``process`` (SIGTERM, then SIGKILL after 10 s) and close its pipes."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def start_site(data_dir: Path, *, inquiries: int, posts: int, log_file: Path) -> SiteProcess:
    """Seed a new reference site with ``inquiries`` and ``posts`` and serve it on a free port.

    Raises:
        BenchError: the site did not start (its log says why).
    """
    command = site_command(
        data_dir,
        "--bulk-inquiries",
        str(inquiries),
        "--bulk-posts",
        str(posts),
        "--log-level",
        "WARNING",
    )
    started = time.perf_counter()
    with log_file.open("a", encoding="utf-8") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            command, stdout=subprocess.PIPE, stderr=log, text=True, preexec_fn=die_with_parent
        )
    assert process.stdout is not None
    line = read_line(process, START_TIMEOUT)
    if not line:
        process.kill()
        process.wait()
        raise BenchError(f"The reference site did not start; see {log_file}.")
    announced = json.loads(line)
    users = announced["users"]
    return SiteProcess(
        url=announced["url"],
        admin=Login(users["administrator"]["user"], users["administrator"]["app_password"]),
        editor=Login(users["editor"]["user"], users["editor"]["app_password"]),
        seconds_to_start=time.perf_counter() - started,
        _process=process,
    )


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first line ``process`` prints on stdout, or "" when it exits or takes over
    ``timeout`` seconds."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if selector.select(timeout=0.5):
                return process.stdout.readline()
            if process.poll() is not None:
                return ""
    return ""


# -- recording and replaying requests -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sent:
    """One request as the app's client sent it.

    Attributes:
        phase: what the app was doing (set by the benchmark: "pull", "push"...).
        method: the HTTP method.
        url: the full URL without the query.
        params: the query parameters.
        body: the body as sent (JSON bytes), or None.
    """

    phase: str
    method: str
    url: str
    params: Mapping[str, Any] | None
    body: bytes | None


class RecordingSession(requests.Session):
    """A session that notes every request before sending it (to replay them raw later).

    The client reads listings ahead on another thread with a session of its own: give it
    :meth:`sibling` as its ``session_factory`` so those requests are noted here too.

    Attributes:
        sent: the requests, in the order they were sent (a sibling's included).
        phase: the label given to requests from now on (its siblings' too).
    """

    def __init__(self, parent: RecordingSession | None = None) -> None:
        super().__init__()
        self._parent = parent
        self.sent: list[Sent] = [] if parent is None else parent.sent
        self._phase = ""

    @property
    def phase(self) -> str:
        """The label of requests sent from now on (a sibling follows its parent's)."""
        return self._phase if self._parent is None else self._parent.phase

    @phase.setter
    def phase(self, value: str) -> None:
        self._phase = value

    def sibling(self) -> RecordingSession:
        """Another session, for another thread, noting its requests in this one's ``sent``
        (``list.append`` is atomic)."""
        return RecordingSession(self)

    def request(  # type: ignore[override]
        self,
        method: str | bytes,
        url: str | bytes,
        params: Any = None,
        data: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        self.sent.append(
            Sent(
                self.phase,
                str(method),
                str(url),
                dict(params) if params else None,
                data if isinstance(data, bytes) else None,
            )
        )
        return super().request(method, url, params=params, data=data, **kwargs)


def replay(site: SiteProcess, requests_: Sequence[Sent], login: Login) -> float:
    """Send ``requests_`` with a plain session, decoding each answer with ``json.loads`` and
    storing nothing. Returns the wall time in seconds.

    Raises:
        BenchError: the site refused one of them (the baseline would not be comparable).
    """
    with requests.Session() as session:
        auth = login.auth
        json_header = {"Content-Type": "application/json"}
        started = time.perf_counter()
        for sent in requests_:
            response = session.request(
                sent.method,
                sent.url,
                params=sent.params,
                data=sent.body,
                headers=json_header if sent.body is not None else None,
                auth=auth,
                timeout=60,
            )
            json.loads(response.content)
            if response.status_code >= 400:
                raise BenchError(
                    f"The raw baseline's {sent.method} {urlsplit(sent.url).path} was refused "
                    f"({response.status_code})."
                )
        return time.perf_counter() - started


def retarget(sent: Sent, ids: Mapping[int, int]) -> Sent:
    """The same request about other inquiries: ids in the path and in an ``inquiry`` body field
    are mapped through ``ids``; a ``client_id`` in the body is replaced by a fresh one (so the
    site does the same work as for a new note, not a retry's lookup)."""
    parts = urlsplit(sent.url)
    segments = parts.path.split("/")
    if segments and segments[-1].isdigit() and int(segments[-1]) in ids:
        segments[-1] = str(ids[int(segments[-1])])
    url = urlunsplit(parts._replace(path="/".join(segments)))
    body = sent.body
    if body:
        data = json.loads(body)
        if isinstance(data, dict):
            if isinstance(data.get("inquiry"), int) and data["inquiry"] in ids:
                data["inquiry"] = ids[data["inquiry"]]
            if data.get("client_id"):
                data["client_id"] = str(uuid.uuid4())
            body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return replace(sent, url=url, body=body)


def change_inquiries(
    site: SiteProcess,
    remote_ids: Iterable[int],
    value: Callable[[int], Mapping[str, Any]],
) -> int:
    """Change inquiries on the site as another member of staff (the editor).

    Args:
        site: the site.
        remote_ids: the inquiries.
        value: the triage meta to set for each id.

    Returns:
        How many were changed.
    """
    changed = 0
    with requests.Session() as session:
        for remote_id in remote_ids:
            response = session.post(
                f"{site.rest}wp/v2/inquiries/{remote_id}",
                json={"meta": dict(value(remote_id))},
                auth=site.editor.auth,
                timeout=60,
            )
            if response.status_code != 200:
                raise BenchError(
                    f"Changing an inquiry on the site failed ({response.status_code})."
                )
            changed += 1
    return changed
