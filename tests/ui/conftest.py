"""Fixtures for the app shell's tests: data folders, keyrings, controllers and odd servers.

Keyrings come in three kinds: an in-memory one passed explicitly (most tests), none at all
(keyring's ``fail`` backend, as on a machine without a Secret Service), and a real GNOME Keyring in
a private D-Bus session (``secret_service``), started exactly as ``shared/facts/desktop-testing.md``
describes: no display, a fresh XDG_DATA_HOME, both daemons stopped by PID.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from pytestqt.qtbot import QtBot

from clinicdesk.services.syncround import run_round
from clinicdesk.session.accounts import DataDir
from clinicdesk.session.credentials import CredentialStore
from clinicdesk.session.logs import LogSetup, configure_logging
from clinicdesk.session.memory_keyring import MemoryKeyring
from clinicdesk.ui.application import AppController, DemoLogin
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.sync_worker import RoundFunction

GNOME_KEYRING_APT = (
    "apt-get install -y --no-install-recommends gnome-keyring dbus-daemon dbus-bin dbus-x11"
)


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


def _wait_for_owner(address: str, name: str, timeout: float = 10.0) -> None:
    from jeepney import DBusAddress, new_method_call  # type: ignore[import-untyped]
    from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

    bus = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    deadline = time.monotonic() + timeout
    with contextlib.closing(open_dbus_connection(bus=address)) as connection:
        while time.monotonic() < deadline:
            reply = connection.send_and_get_reply(
                new_method_call(bus, "NameHasOwner", "s", (name,))
            )
            if reply.body[0]:
                return
            time.sleep(0.02)
    raise TimeoutError(f"{name} did not appear on the bus")


def _stop(process: subprocess.Popen[Any]) -> None:
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


class SecretService:
    """A running GNOME Keyring reachable on a private bus.

    Attributes:
        address: the bus address (``DBUS_SESSION_BUS_ADDRESS`` for a subprocess).
        backend: keyring's SecretService backend, talking to it.
    """

    def __init__(self, address: str, backend: KeyringBackend) -> None:
        self.address = address
        self.backend = backend

    def items(self) -> dict[str, str]:
        """Every ClinicDesk item: name -> secret."""
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        with contextlib.closing(open_dbus_connection(bus=self.address)) as connection:
            collection = secretstorage.get_default_collection(connection)
            return {
                item.get_attributes().get("username", ""): item.get_secret().decode()
                for item in collection.search_items({"service": "ClinicDesk"})
            }


@pytest.fixture
def secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """A real Secret Service (gnome-keyring) in a private D-Bus session, unlocked.

    Skipped only when the daemons are not installed (CI installs them: see GNOME_KEYRING_APT).
    """
    daemon, dbus = shutil.which("gnome-keyring-daemon"), shutil.which("dbus-daemon")
    if daemon is None or dbus is None:
        pytest.skip(f"gnome-keyring-daemon or dbus-daemon is not installed ({GNOME_KEYRING_APT})")
    base = tmp_path / "secret-service"
    folders = {name: base / name for name in ("home", "data", "run")}
    for folder in folders.values():
        folder.mkdir(parents=True, mode=0o700)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
    }
    env.update(
        HOME=str(folders["home"]),
        XDG_DATA_HOME=str(folders["data"]),
        XDG_RUNTIME_DIR=str(folders["run"]),
    )
    bus = subprocess.Popen(
        [
            dbus,
            "--session",
            "--nofork",
            "--nopidfile",
            "--print-address=1",
            f"--address=unix:path={folders['run']}/bus",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    keyring_daemon: subprocess.Popen[bytes] | None = None
    previous = keyring.get_keyring()
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        assert address.startswith("unix:"), "dbus-daemon printed no address"
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        keyring_daemon = subprocess.Popen(
            [daemon, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert keyring_daemon.stdin is not None
        keyring_daemon.stdin.write(b"unlock-the-test-keyring")
        keyring_daemon.stdin.close()
        _wait_for_owner(address, "org.freedesktop.secrets")
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        # keyring remembers the backends it found viable on first use (before this bus
        # existed), so init_backend() would pick "fail" again: choose the Secret Service.
        from keyring.backends import SecretService as secret_service_backend

        assert secret_service_backend.Keyring.viable, "the Secret Service is not reachable"
        backend = secret_service_backend.Keyring()  # type: ignore[no-untyped-call]
        keyring.set_keyring(backend)
        yield SecretService(address, backend)
    finally:
        keyring.set_keyring(previous)
        if keyring_daemon is not None:
            _stop(keyring_daemon)
        _stop(bus)


# -- controllers ------------------------------------------------------------------------------

MakeController = Callable[..., AppController]


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
        controller.deleteLater()
    qtbot.wait(10)  # let deleteLater run


def wait_for_window(qtbot: QtBot, controller: AppController, timeout: int = 30_000) -> MainWindow:
    """The main window, once the controller opened it."""
    qtbot.waitUntil(lambda: controller.window is not None, timeout=timeout)
    window = controller.window
    assert window is not None
    qtbot.waitExposed(window)
    return window


def wait_until_round_ends(qtbot: QtBot, window: MainWindow, timeout: int = 60_000) -> None:
    """Until the sync round running (or about to run) has ended, and the Posts tab shows what
    it brought (the tab reads the cache again on its worker thread when a round ends)."""
    from clinicdesk.ui.sync_worker import SyncState

    qtbot.waitUntil(
        lambda: (
            not window.sync.running
            and window.sync.status.state not in (SyncState.NOT_YET, SyncState.SYNCING)
            and (window.posts_tab is None or not window.posts_tab.loading)
        ),
        timeout=timeout,
    )


def wait_until_synced(qtbot: QtBot, window: MainWindow, timeout: int = 60_000) -> None:
    """Until the rounds are over and nothing waits to be sent.

    A first round can leave changes of its own: inquiries that arrived with crisis language are
    flagged urgent after it, and a second round sends the flags a moment later.
    """
    from clinicdesk.ui.sync_worker import SyncState

    def quiet() -> bool:
        status = window.sync.status
        return not window.sync.running and status.state is SyncState.SYNCED and not status.pending

    qtbot.waitUntil(quiet, timeout=timeout)


def all_file_bytes(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """Every file under ``folder`` with its bytes."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()


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


class Proxy:
    """A forwarding HTTP proxy in front of a site: slow it down, or take it away (offline).

    The app is pointed at the proxy's address. ``delay`` seconds are waited before each request
    is forwarded; :meth:`stop` closes the port (the site becomes unreachable) and :meth:`start`
    opens it again on the same port. :meth:`hold` keeps every request waiting until the test
    calls :meth:`let_through` or :meth:`release` (``held`` counts those waiting now; a request
    never let through goes on after ``HOLD_LIMIT`` seconds, counted in ``held_too_long``).
    """

    HOLD_LIMIT = 30.0

    def __init__(self, target: str, delay: float = 0.0) -> None:
        parts = urlsplit(target)
        self.target_host = parts.hostname or "127.0.0.1"
        self.target_port = parts.port or 80
        self.delay = delay
        self.port = 0
        self.requests = 0
        self.held = 0
        self.held_too_long = 0
        self._gate = threading.Condition()
        self._holding = False
        self._generation = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Proxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                proxy.requests += 1
                if proxy.delay:
                    time.sleep(proxy.delay)
                proxy._wait_at_gate()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("connection", "keep-alive", "proxy-connection")
                }
                headers["Host"] = f"{proxy.target_host}:{proxy.target_port}"
                upstream = http.client.HTTPConnection(
                    proxy.target_host, proxy.target_port, timeout=30
                )
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                    self.send_response(answer.status)
                    for key, value in answer.getheaders():
                        if key.lower() not in ("connection", "transfer-encoding", "content-length"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    upstream.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="proxy"
        )
        self._thread.start()
        return self

    def hold(self) -> None:
        """Keep every request from now on waiting until :meth:`let_through` or :meth:`release`."""
        with self._gate:
            self._holding = True

    def let_through(self) -> None:
        """Let the requests waiting now go on; later ones still wait."""
        with self._gate:
            self._generation += 1
            self._gate.notify_all()

    def release(self) -> None:
        """Stop holding: every request goes on."""
        with self._gate:
            self._holding = False
            self._gate.notify_all()

    def _wait_at_gate(self) -> None:
        with self._gate:
            if not self._holding:
                return
            arrived = self._generation
            self.held += 1
            released = self._gate.wait_for(
                lambda: not self._holding or self._generation != arrived, self.HOLD_LIMIT
            )
            self.held -= 1
            if not released:
                self.held_too_long += 1

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


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


def revoke_password(demo: Any, username: str) -> str:
    """Revoke ``username``'s application password on a running reference site (as an admin
    would in WordPress: the old password stops working at once); returns a new one."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from clinicdesk.demosite.auth import issue_password
    from clinicdesk.demosite.db import User

    with Session(demo.app.engine) as db:
        user = db.scalar(select(User).where(User.login == username))
        assert user is not None
        password = issue_password(db, user, datetime.now(UTC).replace(microsecond=0, tzinfo=None))
        db.commit()
    return password
