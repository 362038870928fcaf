"""Reading a listing one page ahead, on a thread of its own, while the round stores a page.

A first sync spends about as long storing a page as fetching it, and during a fetch the round
mostly waits for the site: with page k+1 fetched while page k is stored, a listing takes about
as long as the slower of the two instead of their sum. :class:`ReadAhead` does that and nothing
more:

* **One page ahead.** The next page is asked for when the caller takes one, never earlier: at
  most one page waits in memory, and a listing abandoned after page k has cost at most one
  request beyond it (the one-thread loop also fetched page k+1 before it noticed a cancel).
* **In order.** Pages, the end and the error that ended the listing come out in the order the
  listing produced them; an error surfaces only after every page before it was taken, so the
  caller stores those and moves its cursor as it always did.
* **Its own client.** The reading thread uses a :meth:`~clinicdesk.site.SiteClient.fork` of the
  round's client (a ``requests`` session must not serve two threads); its requests count in the
  round's report. The round's thread keeps its client for everything else, e.g. the inquiries
  a page of notes refers to.
* **Closing** (or leaving a ``with`` block) stops the thread: a request in flight is let finish
  (within the client's timeouts: nothing else may touch its session meanwhile), then the
  listing is closed and the fork's session with it, on the thread that used them.
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Generic, Literal, TypeVar, cast

from clinicdesk.site import SiteClient

__all__ = ["ReadAhead"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_Kind = Literal["item", "end", "error"]


class _Reader(Generic[T]):
    """The reading thread's side. Holds no reference to its :class:`ReadAhead`, so an iterator
    the caller forgot to close can still be collected (its finalizer stops the thread)."""

    def __init__(self, client: SiteClient, listing: Iterator[T]) -> None:
        self.client = client
        self.listing = listing
        self.wanted = threading.Semaphore(0)
        self.results: queue.SimpleQueue[tuple[_Kind, T | BaseException | None]] = (
            queue.SimpleQueue()
        )
        self.stopping = False

    def run(self) -> None:
        try:
            while True:
                self.wanted.acquire()
                if self.stopping:
                    return
                try:
                    item = next(self.listing)
                except StopIteration:
                    self.results.put(("end", None))
                    return
                except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
                    self.results.put(("error", exc))
                    return
                self.results.put(("item", item))
        finally:
            try:
                close = getattr(self.listing, "close", None)
                if callable(close):
                    close()
            finally:
                self.client.close()

    def stop(self) -> None:
        """Ask the thread to stop at its next wait (it may be in the middle of a request)."""
        self.stopping = True
        self.wanted.release()


class ReadAhead(Generic[T]):
    """Iterates over ``open_listing(fork)`` with the next item fetched ahead on another thread.

    Args:
        client: the round's client; the reading thread uses a fork of it (closed at the end).
        open_listing: makes the listing from the client it is given. Called here, on the
            caller's thread (so its arguments are checked at once); iterated on the other one.
        name: the thread's name (for debugging and logs).

    Use it as a context manager, or call :meth:`close`: until then the thread waits.
    """

    def __init__(
        self,
        client: SiteClient,
        open_listing: Callable[[SiteClient], Iterator[T]],
        *,
        name: str = "read-ahead",
    ) -> None:
        fork = client.fork()
        try:
            listing = open_listing(fork)
        except BaseException:
            fork.close()
            raise
        self._reader = _Reader(fork, listing)
        self._thread = threading.Thread(target=self._reader.run, name=name, daemon=True)
        self._finished = False
        try:
            self._thread.start()
        except BaseException:
            # No thread to close them (the system refused one): close them here.
            close = getattr(listing, "close", None)
            if callable(close):
                close()
            fork.close()
            raise
        # Stops the thread if the iterator is dropped without being closed.
        self._finalizer = weakref.finalize(self, self._reader.stop)
        self._reader.wanted.release()  # the first page is needed in any case: ask at once

    def __iter__(self) -> ReadAhead[T]:
        return self

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        kind, value = self._reader.results.get()
        if kind == "item":
            # Fetch the next one while the caller works on this one.
            self._reader.wanted.release()
            return cast(T, value)
        self._finished = True
        self._thread.join()
        self._finalizer.detach()
        if kind == "error":
            assert isinstance(value, BaseException)
            raise value
        raise StopIteration

    def close(self) -> None:
        """Stop reading: wait for a request in flight, then close the listing and the fork."""
        self._finished = True
        if self._finalizer.detach() is not None:
            self._reader.stop()
        self._thread.join()

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
