"""The whole-request watchdog: a read blocked on a site that never answers ends at the deadline
or on a cancel, and an exchange that is neither past its deadline nor cancelled is left alone.

A blocked read that the watchdog failed to cut would hang for good; the sockets get a generous
timeout so that such a failure shows as a failed test (a timeout error) rather than a stuck run.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import urllib3
from urllib3.exceptions import ProtocolError

from clinicdesk.site.watchdog import WATCHED_POOLS, watched

# Only a safety net against a hang: a working watchdog ends each read long before.
_HANG = 60.0


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected pair of sockets: the app's end, and a "site" that sends nothing."""
    app, site = socket.socketpair()
    app.settimeout(_HANG)
    try:
        yield app, site
    finally:
        app.close()
        site.close()


def test_a_read_past_the_deadline_is_cut(pair: tuple[socket.socket, socket.socket]) -> None:
    app, _site = pair
    with watched(time.monotonic() - 1.0, None) as watch:
        watch.attach(app)
        # The site sends nothing: only the watchdog's shutdown ends this read (with b"").
        assert app.recv(1) == b""
    assert watch.fired == "deadline"


def test_a_cancelled_round_cuts_the_read_at_once(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    app, _site = pair
    cancel = threading.Event()
    cancel.set()
    with watched(time.monotonic() + 3600.0, cancel) as watch:
        watch.attach(app)
        assert app.recv(1) == b""
    assert watch.fired == "cancel"


def test_a_socket_attached_after_the_cut_is_cut_too(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    app, _site = pair
    cancel = threading.Event()
    cancel.set()
    with watched(time.monotonic() + 3600.0, cancel) as watch:
        fired = threading.Event()
        # Wait until the watchdog has fired on the exchange before it had a socket (a
        # connection opened late): attaching one then must cut it as well.
        while watch.fired is None:
            fired.wait(0.01)
        watch.attach(app)
        assert app.recv(1) == b""


def test_an_exchange_within_its_deadline_is_left_alone(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    app, site = pair
    with watched(time.monotonic() + 3600.0, threading.Event()) as watch:
        watch.attach(app)
        site.sendall(b"ok")
        assert app.recv(2) == b"ok"
    assert watch.fired is None


def test_the_watched_pools_tell_the_watch_which_socket_to_cut() -> None:
    """A real HTTP connection made by a watched pool, to a server that accepts and never
    answers: the watchdog can only cut it if the connection attached its socket."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    pool = WATCHED_POOLS["http"](
        "127.0.0.1", port, timeout=urllib3.Timeout(connect=_HANG, read=_HANG), retries=False
    )
    try:
        with watched(time.monotonic() - 1.0, None) as watch, pytest.raises(ProtocolError):
            pool.request("GET", "/", preload_content=True)
        assert watch.fired == "deadline"
    finally:
        pool.close()
        server.close()
