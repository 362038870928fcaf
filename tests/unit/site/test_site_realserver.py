"""The client against a real, misbehaving HTTP server on 127.0.0.1.

``responses`` fakes requests' adapter; these tests go through real sockets, so they prove the
behaviour of requests and urllib3 underneath: a server that fails then recovers, rate limits,
stalls past the read timeout, hangs up mid-answer, answers garbage or a web page, and, the one
that matters most, stores a create and then drops the connection (the client must not send it
again). The server counts what it received, so "sent once" is checked where it happens.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from clinicdesk.site import SiteClient
from clinicdesk.site.errors import (
    CertificateError,
    InsecureURLError,
    InvalidResponseError,
    NotWordPressError,
    OutcomeUnknownError,
    RejectedError,
    ServerError,
    TimedOutError,
    UnreachableError,
)
from clinicdesk.site.timing import RetryPolicy, Timeouts
from tests.fixtures.site_samples import index_json, me_json, post_json, wp_error

USERNAME = "editor"
PASSWORD = "abcd efgh ijkl mnop qrst uvwx"
TOKEN = base64.b64encode(f"{USERNAME}:{PASSWORD.replace(' ', '')}".encode()).decode()
CLIENT_ID = "3c9e1f6a-2b8d-4f0e-a7c5-9d4b1e2f3a6c"

Action = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    """Answers each request with the next scripted action for its method and path."""

    protocol_version = "HTTP/1.1"  # keep-alive, as real sites do
    timeout = 5  # an idle kept-alive connection cannot hold the server's shutdown for long
    server: ScriptedServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length)
        path = urlsplit(self.path).path
        action = self.server.next_action(self.command, path, self)
        action(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: pytest would show it for every request

    def send_json(self, status: int, value: object, headers: dict[str, str] | None = None) -> None:
        self.send_bytes(
            status, json.dumps(value).encode(), "application/json; charset=UTF-8", headers
        )

    def send_bytes(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class ScriptedServer(ThreadingHTTPServer):
    """A threaded HTTP server on an ephemeral loopback port, scripted per (method, path)."""

    daemon_threads = False
    block_on_close = True  # server_close() waits for every handler thread

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.scripts: dict[tuple[str, str], list[Action]] = {}
        self.hits: Counter[tuple[str, str]] = Counter()
        self.headers_seen: list[dict[str, str]] = []
        self.stored: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def script(self, method: str, path: str, *actions: Action) -> None:
        """Answer ``method path`` with ``actions`` in turn; the last one repeats."""
        self.scripts[(method, "/wp-json/" + path.lstrip("/"))] = list(actions)

    def next_action(self, method: str, path: str, handler: Handler) -> Action:
        with self.lock:
            self.hits[(method, path)] += 1
            self.headers_seen.append(dict(handler.headers))
            actions = self.scripts.get((method, path))
            if not actions:
                return answer(404, wp_error("rest_no_route", "No route.", 404))
            return actions.pop(0) if len(actions) > 1 else actions[0]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (read timeout) makes the late write fail: expected


def answer(status: int, value: object, headers: dict[str, str] | None = None) -> Action:
    return lambda h: h.send_json(status, value, headers)


def raw(status: int, data: bytes, content_type: str) -> Action:
    return lambda h: h.send_bytes(status, data, content_type)


def after(seconds: float, action: Action) -> Action:
    def run(h: Handler) -> None:
        time.sleep(seconds)
        action(h)

    return run


def until(event: threading.Event, action: Action, limit: float = 30.0) -> Action:
    """``action`` once ``event`` is set (a site slower than any client waits), or after
    ``limit`` seconds so a failing test cannot hold the server's shutdown for ever."""

    def run(h: Handler) -> None:
        event.wait(limit)
        action(h)

    return run


def hang_up_mid_answer(h: Handler) -> None:
    """Promise 5000 bytes, send a few, close the connection."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json; charset=UTF-8")
    h.send_header("Content-Length", "5000")
    h.end_headers()
    h.wfile.write(b'{"id": 12, "status": "pub')
    h.wfile.flush()
    h.close_connection = True


def store_then_hang_up(h: Handler) -> None:
    """Save the create (as WordPress would), then lose the connection before answering."""
    h.server.stored.append(json.loads(h.body))
    h.close_connection = True


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        thread.join()
        srv.server_close()


class Waits:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def client(server: ScriptedServer, waits: Waits) -> Iterator[SiteClient]:
    with SiteClient(
        server.url,
        USERNAME,
        PASSWORD,
        timeouts=Timeouts(connect=2.0, read=0.25),
        retry=RetryPolicy(attempts=3, backoff=0.01, jitter=0.0),
        sleep=waits,
    ) as site_client:
        yield site_client


# ---- recovering and failing ----------------------------------------------------------------------


def test_500_then_success(server: ScriptedServer, client: SiteClient, waits: Waits) -> None:
    server.script(
        "GET",
        "wp/v2/posts/12",
        answer(500, wp_error("db_connect_fail", "Error establishing a database connection", 500)),
        answer(200, post_json()),
    )
    assert client.get_post(12).id == 12
    assert server.hits[("GET", "/wp-json/wp/v2/posts/12")] == 2
    assert waits.seconds == [0.01]


def test_500_that_persists(server: ScriptedServer, client: SiteClient) -> None:
    server.script("GET", "wp/v2/posts/12", answer(500, wp_error("oops", "Oops", 500)))
    with pytest.raises(ServerError):
        client.get_post(12)
    assert server.hits[("GET", "/wp-json/wp/v2/posts/12")] == 3


def test_429_with_retry_after_then_success(
    server: ScriptedServer, client: SiteClient, waits: Waits
) -> None:
    server.script(
        "GET",
        "wp/v2/posts/12",
        answer(429, wp_error("clinicdesk_rate_limited", "Slow down.", 429), {"Retry-After": "3"}),
        answer(200, post_json()),
    )
    assert client.get_post(12).id == 12
    assert waits.seconds == [3.0]


def test_read_timeout(server: ScriptedServer, client: SiteClient) -> None:
    # The site answers only once the test is over: only the client's 0.25 s read timeout can end
    # each attempt (without it the call would get the answer, 30 s later, and not raise).
    over = threading.Event()
    server.script("GET", "wp/v2/posts/12", until(over, answer(200, post_json())))
    try:
        with pytest.raises(TimedOutError):
            client.get_post(12)
        assert server.hits[("GET", "/wp-json/wp/v2/posts/12")] == 3
    finally:
        over.set()


def test_hang_up_mid_answer(server: ScriptedServer, client: SiteClient) -> None:
    server.script("GET", "wp/v2/posts/12", hang_up_mid_answer)
    with pytest.raises(UnreachableError) as caught:
        client.get_post(12)
    assert "lost" in caught.value.message


def test_hang_up_then_recover(server: ScriptedServer, client: SiteClient) -> None:
    server.script("GET", "wp/v2/posts/12", hang_up_mid_answer, answer(200, post_json()))
    assert client.get_post(12).id == 12


def test_garbage_json(server: ScriptedServer, client: SiteClient) -> None:
    server.script(
        "GET",
        "wp/v2/posts/12",
        raw(200, b'{"id": 12, "title": {"raw": "Hi"}, oops', "application/json"),
    )
    with pytest.raises(InvalidResponseError):
        client.get_post(12)


def test_html_page_with_200(server: ScriptedServer, client: SiteClient) -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>"
    )
    server.script("GET", "wp/v2/posts/12", raw(200, page, "text/html; charset=UTF-8"))
    server.script("GET", "", raw(200, page, "text/html; charset=UTF-8"))
    with pytest.raises(InvalidResponseError, match="web page"):
        client.get_post(12)
    with pytest.raises(NotWordPressError):
        client.discover()


def test_nothing_listening(server: ScriptedServer, waits: Waits) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound but not listening: connections are refused
        with SiteClient(
            f"http://127.0.0.1:{port}",
            USERNAME,
            PASSWORD,
            retry=RetryPolicy(attempts=2, backoff=0.01, jitter=0.0),
            sleep=waits,
        ) as site_client:
            with pytest.raises(UnreachableError) as caught:
                site_client.get_post(12)
            assert not isinstance(caught.value, TimedOutError)
            # Nothing was sent, so even a create may be tried again; it still fails, as
            # "unreachable", not as "outcome unknown".
            with pytest.raises(UnreachableError) as create_caught:
                site_client.create_post({"title": "x"}, CLIENT_ID)
            assert not isinstance(create_caught.value, OutcomeUnknownError)
            assert site_client.requests_made == 4


# ---- the create that must not be sent twice ------------------------------------------------------


def test_create_stored_then_connection_dropped(server: ScriptedServer, client: SiteClient) -> None:
    server.script("POST", "wp/v2/posts", store_then_hang_up)
    with pytest.raises(OutcomeUnknownError) as caught:
        client.create_post({"title": "Open hours in December", "status": "draft"}, CLIENT_ID)
    assert caught.value.client_id == CLIENT_ID
    assert server.hits[("POST", "/wp-json/wp/v2/posts")] == 1
    assert len(server.stored) == 1
    assert server.stored[0]["meta"] == {"clinicdesk_client_id": CLIENT_ID}

    # The caller's recovery: look the client id up, and adopt what the site has.
    adopted = post_json(id=99, status="draft", meta={"clinicdesk_client_id": CLIENT_ID})
    server.script(
        "GET",
        "wp/v2/posts",
        answer(200, [adopted], {"X-WP-Total": "1", "X-WP-TotalPages": "1"}),
    )
    found = client.find_post_by_client_id(CLIENT_ID)
    assert found is not None
    assert found.id == 99
    assert server.hits[("POST", "/wp-json/wp/v2/posts")] == 1


def test_create_timed_out_is_not_sent_again(server: ScriptedServer, client: SiteClient) -> None:
    server.script("POST", "wp/v2/posts", after(0.6, answer(201, post_json())))
    with pytest.raises(OutcomeUnknownError) as caught:
        client.create_post({"title": "x"}, CLIENT_ID)
    assert isinstance(caught.value.cause, TimedOutError)
    assert server.hits[("POST", "/wp-json/wp/v2/posts")] == 1


# ---- credentials ---------------------------------------------------------------------------------


def test_a_redirect_to_another_server_gets_nothing(
    server: ScriptedServer, client: SiteClient
) -> None:
    other = ScriptedServer()
    thread = threading.Thread(target=other.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        other.script("GET", "wp/v2/posts/12", answer(200, post_json()))
        server.script(
            "GET",
            "wp/v2/posts/12",
            lambda h: h.send_bytes(
                302, b"", "text/plain", {"Location": f"{other.url}/wp-json/wp/v2/posts/12"}
            ),
        )
        with pytest.raises(InsecureURLError):
            client.get_post(12)
        assert sum(other.hits.values()) == 0
    finally:
        other.shutdown()
        thread.join()
        other.server_close()


def test_logs_never_hold_the_password_or_personal_data(
    server: ScriptedServer, client: SiteClient, caplog: pytest.LogCaptureFixture
) -> None:
    server.script("GET", "wp/v2/users/me", answer(200, me_json()))
    server.script(
        "GET",
        "wp/v2/posts",
        answer(
            400,
            wp_error(
                "rest_invalid_param",
                "Invalid parameter(s): search",
                400,
                params={"search": "Invalid"},
            ),
        ),
    )
    caplog.set_level(logging.DEBUG)
    assert client.me().username == "editor"
    with pytest.raises(RejectedError):
        client.list_posts(search="Jane Roe overdose")
    assert server.headers_seen[0]["Authorization"] == f"Basic {TOKEN}"  # it was really sent

    logged = caplog.text + "".join(repr(r.args) + repr(r.__dict__) for r in caplog.records)
    # The capture worked: urllib3's lines and the client's own are there...
    assert "/wp-json/wp/v2/users/me" in logged
    assert "/wp/v2/posts -> 400" in logged
    # ...and hold no secret and no search text.
    for secret in (
        PASSWORD,
        PASSWORD.replace(" ", ""),
        "abcd",
        TOKEN,
        "Basic ",
        "Jane",
        "overdose",
    ):
        assert secret not in logged, secret


# ---- TLS -----------------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[ScriptedServer, Path]]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    srv = ScriptedServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield srv, cert
    finally:
        srv.shutdown()
        thread.join()
        srv.server_close()


def test_an_unknown_certificate_is_refused_and_a_clinic_ca_accepted(
    tls_server: tuple[ScriptedServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, cert = tls_server
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    srv.script("GET", "", answer(200, index_json()))
    url = f"https://127.0.0.1:{srv.server_address[1]}"
    with SiteClient(url, USERNAME, PASSWORD) as untrusting:
        with pytest.raises(CertificateError):
            untrusting.discover()
    assert sum(srv.hits.values()) == 0  # the password never went out
    with SiteClient(url, USERNAME, PASSWORD, ca_bundle=str(cert)) as trusting:
        assert trusting.discover().name == "Riverbend Counseling"
