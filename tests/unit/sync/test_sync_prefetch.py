"""Reading a listing one page ahead on another thread: order, errors, closing, its own client.

The listings here are plain generators standing in for a client's pages (no network): what is
tested is the thread's discipline, which the sync suites rely on without being able to see it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
import requests

from clinicdesk.site import ServerError, SiteClient
from clinicdesk.sync.prefetch import ReadAhead

SITE = "https://clinic.example"


class Sessions:
    """A ``session_factory`` that remembers the sessions it made, and which were closed."""

    def __init__(self) -> None:
        self.made: list[requests.Session] = []
        self.closed: list[requests.Session] = []

    def __call__(self) -> requests.Session:
        sessions = self

        class Tracked(requests.Session):
            def close(self) -> None:
                sessions.closed.append(self)
                super().close()

        session = Tracked()
        self.made.append(session)
        return session


class Listing:
    """A listing of ``pages`` pages; records which were produced, on which thread, and whether
    it was closed. ``fail_at``: raise a ServerError instead of producing that page."""

    def __init__(self, pages: int, fail_at: int | None = None) -> None:
        self.pages = pages
        self.fail_at = fail_at
        self.produced: list[int] = []
        self.threads: set[str] = set()
        self.clients: list[SiteClient] = []
        self.closed = False

    def open(self, client: SiteClient) -> Iterator[int]:
        self.clients.append(client)
        return self._pages()

    def _pages(self) -> Iterator[int]:
        try:
            for page in range(1, self.pages + 1):
                self.threads.add(threading.current_thread().name)
                if page == self.fail_at:
                    raise ServerError("The site ran into a problem (error 500).", status=500)
                self.produced.append(page)
                yield page
        finally:
            self.closed = True


@pytest.fixture
def sessions() -> Sessions:
    return Sessions()


@pytest.fixture
def client(sessions: Sessions) -> Iterator[SiteClient]:
    with SiteClient(SITE, "editor", "abcd efgh ijkl mnop", session_factory=sessions) as made:
        yield made


def _alive(name: str) -> bool:
    return any(thread.name == name for thread in threading.enumerate())


def test_pages_come_in_order_from_another_thread_with_a_fork_of_the_client(
    client: SiteClient, sessions: Sessions
) -> None:
    listing = Listing(5)
    with ReadAhead(client, listing.open, name="read-order") as pages:
        assert list(pages) == [1, 2, 3, 4, 5]
    assert listing.threads == {"read-order"}
    [fork] = listing.clients
    assert fork is not client and fork.site_url == client.site_url
    # The fork's session came from the factory and was closed with the listing.
    assert sessions.made == sessions.closed and len(sessions.made) == 1
    assert listing.closed and not _alive("read-order")


def test_the_next_page_is_asked_for_only_when_one_is_taken(client: SiteClient) -> None:
    second = threading.Event()
    produced: list[int] = []

    def listing(_: SiteClient) -> Iterator[int]:
        for page in range(1, 11):
            produced.append(page)
            if page == 2:
                second.set()
            yield page

    pages = ReadAhead(client, listing, name="read-ahead-one")
    assert next(pages) == 1
    assert second.wait(10)  # page 2 is read while page 1 is used...
    pages.close()
    assert produced == [1, 2]  # ...and nothing beyond it ever was
    assert not _alive("read-ahead-one")
    with pytest.raises(StopIteration):
        next(pages)


def test_an_error_comes_after_the_pages_before_it_and_ends_the_listing(
    client: SiteClient, sessions: Sessions
) -> None:
    listing = Listing(5, fail_at=3)
    taken: list[int] = []
    with ReadAhead(client, listing.open, name="read-error") as pages:
        with pytest.raises(ServerError):
            for page in pages:
                taken.append(page)
        with pytest.raises(StopIteration):
            next(pages)
    assert taken == [1, 2]
    assert listing.closed and sessions.made == sessions.closed
    assert not _alive("read-error")


def test_closing_while_a_page_is_read_lets_it_finish_then_stops(client: SiteClient) -> None:
    started = threading.Event()
    release = threading.Event()
    produced: list[int] = []

    def slow(_: SiteClient) -> Iterator[int]:
        yield 1
        started.set()
        release.wait()  # a request in flight
        produced.append(2)
        yield 2
        produced.append(3)
        yield 3

    pages = ReadAhead(client, slow, name="read-in-flight")
    assert next(pages) == 1
    assert started.wait(10)
    closer = threading.Thread(target=pages.close)
    closer.start()
    release.set()
    closer.join(10)
    assert not closer.is_alive() and not _alive("read-in-flight")
    assert produced == [2]  # the page in flight finished; no later one was asked for


def test_an_iterator_dropped_without_closing_stops_its_thread(
    client: SiteClient, sessions: Sessions
) -> None:
    listing = Listing(5)
    pages = ReadAhead(client, listing.open, name="read-dropped")
    assert next(pages) == 1
    thread = next(t for t in threading.enumerate() if t.name == "read-dropped")
    del pages
    gc.collect()
    thread.join(10)
    assert not thread.is_alive() and listing.closed and sessions.made == sessions.closed


def test_a_listing_refused_before_any_request_raises_here_and_closes_the_fork(
    client: SiteClient, sessions: Sessions
) -> None:
    def bad(fork: SiteClient) -> Iterator[object]:
        return iter(fork.iter_posts(per_page=500))  # checked before anything is sent

    with pytest.raises(ValueError, match="per_page"):
        ReadAhead(client, bad, name="read-refused")
    assert len(sessions.made) == 1 and sessions.made == sessions.closed
    assert not _alive("read-refused")


def test_a_fork_without_a_factory_gets_a_session_of_its_own() -> None:
    with SiteClient(SITE, "editor", "abcd efgh ijkl mnop") as client:
        fork = client.fork()
        try:
            assert fork._transport._session is not client._transport._session
        finally:
            fork.close()
