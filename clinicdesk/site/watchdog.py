"""The whole-request watchdog: an exchange past its deadline, or whose round was cancelled, is cut.

``requests``' read timeout is per read, so a site that drips its answer a byte at a time never
trips it. One daemon thread for the process therefore watches every exchange on the wire and
shuts down the socket of any that passes its wall-clock deadline or whose round's cancel is set:
the blocked read returns at once. The connections of a session armed with
:data:`WATCHED_POOLS` tell the running exchange (:func:`watched`) which socket carries it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, Final

import urllib3
import urllib3.connection

__all__ = ["WATCHED_POOLS", "Watch", "watched"]


def _cut(sock: socket.socket) -> None:
    """Shut a socket down: a read blocked on it returns at once.

    ``socket.socket.shutdown`` itself, not the TLS socket's override: that one also unwraps the
    TLS object under the reading thread's feet. A shutdown (unlike a close) never frees the file
    descriptor, so it cannot hit a descriptor reused meanwhile by another socket.
    """
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Watch:
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
        self._watches: set[Watch] = set()
        self._thread: threading.Thread | None = None

    def add(self, watch: Watch) -> None:
        with self._cond:
            self._watches.add(watch)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="clinicdesk-http-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def remove(self, watch: Watch) -> None:
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
    if isinstance(watch, Watch) and isinstance(sock, socket.socket):
        watch.attach(sock)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    """Tells the running exchange's watch which socket carries it (a new one or a reused one).

    The https connection below takes these two methods through its bases (its MRO puts this
    class before urllib3's ``HTTPSConnection``, so ``super().connect()`` opens TLS there).
    """

    def connect(self) -> None:
        super().connect()
        _attach_current(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach_current(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, urllib3.connection.HTTPSConnection):
    """The https connection, watched the same way (the methods above, before TLS's own)."""


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


WATCHED_POOLS: Final = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


@contextlib.contextmanager
def watched(deadline: float, cancel: threading.Event | None) -> Iterator[Watch]:
    """Watch the exchange the calling thread runs inside the ``with``.

    Args:
        deadline: ``time.monotonic()`` past which the exchange is cut.
        cancel: the round's cancel, or None.

    Yields:
        The watch: its ``fired`` says whether (and why) the exchange was cut; ``detach`` it
        before its connection may go back to the pool.
    """
    watch = Watch(deadline, cancel)
    _current.watch = watch
    _WATCHDOG.add(watch)
    try:
        yield watch
    finally:
        watch.detach()
        _WATCHDOG.remove(watch)
        _current.watch = None
