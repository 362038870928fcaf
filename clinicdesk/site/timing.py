"""How long a request may take, and when to try it again.

:class:`Timeouts` and :class:`RetryPolicy` are the settings (value types the app and scripts
pass to :class:`~clinicdesk.site.SiteClient`); the policy computes each backoff with jitter (so a
room full of desktops does not hammer a recovering site in step); :func:`parse_retry_after`
reads a site's ``Retry-After``; :class:`RoundLimits` is the cancel and the wait budget of the
sync round in progress, shared by a transport and its forks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from clinicdesk.site.dates import http_date

__all__ = ["RetryPolicy", "RoundLimits", "Timeouts", "parse_retry_after"]


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
    when = http_date(text)
    return None if when is None else max(0.0, when.timestamp() - now)


class RoundLimits:
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
