"""Bounded time, always: a wall-clock deadline against dripping servers, capped 429 waits, and a
cancel that reaches the wire.

Everything goes over real HTTP to the reference site through
:class:`~tests.fixtures.faults.FaultProxy`, which drips answers a byte at a time, holds requests
or answers 429. The tests assert what the proxy saw (bytes dripped, requests, a connection the
client closed), not how long things took; the only clock limits are generous sanity guards so a
regression fails instead of hanging the suite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from clinicdesk.site import (
    CancelledError,
    RateLimitedError,
    RetryPolicy,
    SiteClient,
    SiteError,
    TimedOutError,
    Timeouts,
)
from clinicdesk.sync import SyncOptions
from tests.fixtures import sync as fixtures
from tests.fixtures.faults import FaultProxy, Rule
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import Account, Accounts
from tests.fixtures.waiting import SANITY, wait_until

accounts = fixtures.accounts
proxy = fixtures.proxy

ME = r"/wp/v2/users/me$"
INQUIRIES = r"/wp/v2/inquiries$"


class Recorder:
    """Stands in for the wait between retries: records it instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def shared_proxy(site: SiteUnderTest) -> Iterator[FaultProxy]:
    """A proxy in front of the shared reference site (these tests only read)."""
    with FaultProxy(site.url) as running:
        yield running


def client_via(
    url: str, site: SiteUnderTest, *, total: float = 30.0, **kwargs: object
) -> SiteClient:
    return SiteClient(
        url,
        *site.auth("administrator"),
        timeouts=Timeouts(connect=2.0, read=5.0, total=total),
        **kwargs,  # type: ignore[arg-type]
    )


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """Run ``work`` on a thread; the list receives its result or the exception it raised."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(work())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


# -- the wall-clock deadline ------------------------------------------------------------------


@pytest.mark.parametrize("body_only", [False, True], ids=["headers", "body"])
def test_a_site_dripping_its_answer_is_cut_at_the_deadline(
    site: SiteUnderTest, shared_proxy: FaultProxy, body_only: bool
) -> None:
    # 0.05 s a byte never lets the 5 s read timeout fire; the answer (the user's record) is
    # hundreds of bytes, so dripping it all would take minutes.
    shared_proxy.add(
        Rule("drip", method="GET", path=ME, delay=0.05, drip_body_only=body_only, times=None)
    )
    with client_via(shared_proxy.url, site, total=0.5) as client:
        with pytest.raises(TimedOutError) as caught:
            client.me()
    assert "did not answer in time" in caught.value.message
    # The client closed the connection itself, long before the answer was through...
    assert shared_proxy.client_closed.wait(SANITY)
    assert len(shared_proxy.dripped) == 1
    assert shared_proxy.dripped[0] < shared_proxy.answer_sizes[0] / 4
    # ...and did not start the same slow request again past its deadline.
    assert len(shared_proxy.seen("GET", ME)) == 1


def test_a_fast_answer_is_not_cut_by_the_deadline(
    site: SiteUnderTest, shared_proxy: FaultProxy
) -> None:
    # The watchdog must only end what overruns: many quick requests in a row all arrive whole.
    with client_via(shared_proxy.url, site, total=5.0) as client:
        for _ in range(20):
            assert client.me().id
    assert not shared_proxy.client_closed.is_set()


# -- 429: capped waits ------------------------------------------------------------------------


def test_429_waits_are_capped_per_request(site: SiteUnderTest, shared_proxy: FaultProxy) -> None:
    # Retry-After: 60 with four attempts used to mean three sleeps of 60 s, 180 s in all.
    shared_proxy.add(Rule("status", path=ME, status=429, headers={"Retry-After": "60"}, times=None))
    sleeps = Recorder()
    with client_via(
        shared_proxy.url,
        site,
        total=300.0,
        retry=RetryPolicy(attempts=4, max_wait=60.0),
        sleep=sleeps,
    ) as client:
        with pytest.raises(RateLimitedError) as caught:
            client.me()
    assert caught.value.retry_after == 60.0
    assert sum(sleeps.waits) <= 60.0
    assert len(shared_proxy.seen("GET", ME)) == len(sleeps.waits) + 1


def test_a_429_wait_ends_at_once_when_the_round_is_cancelled(
    site: SiteUnderTest, shared_proxy: FaultProxy
) -> None:
    shared_proxy.add(Rule("status", path=ME, status=429, headers={"Retry-After": "50"}, times=None))
    cancel = threading.Event()
    # Limits that allow the 50 s wait: only the cancel can end it early.
    with client_via(shared_proxy.url, site, total=300.0) as client:

        def work() -> object:
            with client.limits(cancel=cancel):
                return client.me()

        thread, out = in_thread(work)
        wait_until(lambda: shared_proxy.count == 1, "the first request")
        cancel.set()
        thread.join(SANITY)
        assert not thread.is_alive(), "the wait ignored the cancel"
    assert isinstance(out[0], CancelledError)
    assert shared_proxy.count == 1  # not asked again after the cancel


def test_a_held_request_ends_when_the_round_is_cancelled(
    site: SiteUnderTest, shared_proxy: FaultProxy
) -> None:
    shared_proxy.add(Rule("hold", path=ME, times=None))
    cancel = threading.Event()
    # A read timeout far beyond the sanity guard: only the cancel can end this request.
    with SiteClient(
        shared_proxy.url,
        *site.auth("administrator"),
        timeouts=Timeouts(connect=2.0, read=600.0, total=600.0),
    ) as client:

        def work() -> object:
            with client.limits(cancel=cancel):
                return client.me()

        thread, out = in_thread(work)
        wait_until(lambda: shared_proxy.count == 1, "the request to reach the site")
        cancel.set()
        thread.join(SANITY)
        assert not thread.is_alive(), "the request ignored the cancel"
    assert isinstance(out[0], CancelledError)
    assert shared_proxy.client_closed.wait(SANITY)
    assert shared_proxy.count == 1


# -- a round ----------------------------------------------------------------------------------


@pytest.fixture
def synced(accounts: Accounts, proxy: FaultProxy) -> Account:
    made = accounts(url=proxy.url)
    assert made.sync().ok
    return made


def test_a_round_caps_its_429_waits_in_all(synced: Account, proxy: FaultProxy) -> None:
    # Every request answers 429 for 20 s: each one may wait (20 <= the per-request cap), but
    # the round as a whole waits at most its own budget, then stops and reports the limit.
    sleeps = Recorder()
    synced.use(proxy.url, retry=RetryPolicy(attempts=4, max_wait=60.0), sleep=sleeps)
    proxy.add(Rule("status", status=429, headers={"Retry-After": "20"}, times=None))
    report = synced.sync(full=True, options=SyncOptions(max_wait_per_round=45.0))
    assert not report.ok
    assert sum(sleeps.waits) <= 45.0
    assert any(error.kind == "rate_limited" for error in report.errors)
    assert report.retry_after is not None and report.retry_after >= 20.0


def test_cancelling_a_round_ends_its_stuck_request(synced: Account, proxy: FaultProxy) -> None:
    synced.use(proxy.url, timeouts=Timeouts(connect=2.0, read=600.0, total=600.0))
    proxy.add(Rule("hold", times=None))
    cancel = threading.Event()
    before = proxy.count  # the first sync went through the proxy too
    thread, out = in_thread(lambda: synced.sync(cancel=cancel, full=True))
    wait_until(lambda: proxy.count > before, "the round's first request, held")
    cancel.set()
    thread.join(SANITY)
    assert not thread.is_alive(), "the round ignored the cancel"
    report = out[0]
    assert not isinstance(report, BaseException), report
    assert getattr(report, "outcome", None) == "cancelled"
    assert proxy.client_closed.wait(SANITY)


def test_every_site_error_is_still_a_site_error() -> None:
    # The caller catches SiteError for every failure of the site: a cancel is one of them.
    assert issubclass(CancelledError, SiteError)
