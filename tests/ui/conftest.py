"""Fixtures for the app shell's tests: data folders, keyrings, controllers and odd servers.

Keyrings come in three kinds: an in-memory one passed explicitly (most tests), none at all
(keyring's ``fail`` backend, as on a machine without a Secret Service), and a real GNOME Keyring in
a private D-Bus session (``secret_service``, from :mod:`tests.fixtures.secret_service`). The
helpers the tests call (``wait_for_window``, ``wait_until_synced``, ...) live in
:mod:`tests.fixtures.desktop`.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from pytestqt.qtbot import QtBot

from clinicdesk.services.syncround import run_round
from clinicdesk.session.accounts import DataDir
from clinicdesk.session.credentials import CredentialStore
from clinicdesk.session.logs import LogSetup, configure_logging
from clinicdesk.session.memory_keyring import MemoryKeyring
from clinicdesk.ui.account_flow import AppController, DemoLogin
from clinicdesk.ui.sync_worker import RoundFunction
from tests.fixtures.desktop import MakeController
from tests.fixtures.forwarding_proxy import Proxy
from tests.fixtures.secret_service import secret_service as secret_service


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    """A fresh data folder (``--data-dir``)."""
    return DataDir(tmp_path / "data").ensure()


@pytest.fixture
def logs(data: DataDir) -> Iterator[LogSetup]:
    """The app's logging into the data folder, removed afterwards."""
    setup = configure_logging(data.log_file)
    yield setup
    setup.close()


@pytest.fixture
def memory_credentials() -> CredentialStore:
    """A keyring in memory (the demo's): secrets kept, nothing written."""
    return CredentialStore(backend=MemoryKeyring())


@pytest.fixture
def no_keyring() -> CredentialStore:
    """No keyring at all, as on a machine without a Secret Service."""
    return CredentialStore(backend=fail.Keyring())  # type: ignore[no-untyped-call]


# -- a real Secret Service --------------------------------------------------------------------


# -- controllers ------------------------------------------------------------------------------


@pytest.fixture
def make_controller(qtbot: QtBot, data: DataDir, logs: LogSetup) -> Iterator[MakeController]:
    """Makes app controllers on the test's data folder; shuts them all down afterwards."""
    made: list[AppController] = []

    def make(
        credentials: CredentialStore,
        *,
        demo: DemoLogin | None = None,
        round_function: RoundFunction = run_round,
        debounce_ms: int = 200,
        data_dir: DataDir | None = None,
    ) -> AppController:
        controller = AppController(
            data=data_dir or data,
            credentials=credentials,
            logs=logs,
            demo=demo,
            round_function=round_function,
            debounce_ms=debounce_ms,
        )
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.shutdown()
        with qtbot.waitSignal(controller.destroyed):
            controller.deleteLater()


# -- odd servers ------------------------------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _HtmlHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><html><body><h1>Welcome to our clinic</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def html_site() -> Iterator[str]:
    """A web server answering every address with an HTML page (a site that is not WordPress)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    server.daemon_threads = True
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def self_signed_site(tmp_path: Path) -> Iterator[str]:
    """An https server on loopback whose certificate no one trusts."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed (needed to make a test certificate)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with serving(server):
        yield f"https://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def make_proxy() -> Iterator[Callable[..., Proxy]]:
    """Makes proxies in front of sites; all stopped afterwards."""
    made: list[Proxy] = []

    def make(target: str, delay: float = 0.0) -> Proxy:
        proxy = Proxy(target, delay).start()
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.stop()


@pytest.fixture
def without_keyring() -> Iterator[None]:
    """Pin "no keyring" for code that asks ``keyring`` itself, whatever this machine or an
    earlier test left selected (the headless commands use the process-wide backend)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        keyring.set_keyring(previous)
