"""Listings read one page ahead on another thread, against the reference site over real HTTP:
pages are still stored in order with the cursor past them, a failing page stops the listing
after the pages before it, and the read-ahead thread and its connection do not outlive it."""

from __future__ import annotations

import re
import threading

from clinicdesk.sync import SyncOptions
from tests.fixtures import sync as fixtures
from tests.fixtures.faults import FaultProxy, Rule, Seen
from tests.fixtures.sync import Accounts, SiteView, assert_converged

accounts = fixtures.accounts
proxy = fixtures.proxy
site_view = fixtures.site_view

INQUIRIES = r"/wp/v2/inquiries$"


def _page(number: int) -> Rule:
    """Every attempt at page ``number`` of the inquiry listing fails with a 500."""

    def is_page(seen: Seen) -> bool:
        return re.search(rf"(^|&)page={number}(&|$)", seen.query) is not None

    return Rule("status", method="GET", path=INQUIRIES, when=is_page, times=None)


def _readers() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("read-")]


def test_a_failing_page_keeps_the_pages_before_it_and_the_cursor_past_them(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts(url=proxy.url)
    proxy.add(_page(3))
    report = account.sync(options=SyncOptions(per_page=5))
    assert report.outcome == "failed" and report.errors[0].kind == "server"
    # Pages 1 and 2 were stored: the ten newest inquiries (a first download is newest first).
    stored = account.cache.outbox.known_versions("inquiry")
    newest = sorted(site_view.inquiries(), key=lambda i: (i["date_gmt"], i["id"]), reverse=True)
    assert set(stored) == {i["id"] for i in newest[:10]}
    # Its cursor is set only once it is whole: the next round starts from the newest again.
    assert account.cache.outbox.cursor("inquiries").modified_after is None
    # Page 3 was read ahead while page 2 was stored; nothing after it was asked for.
    pages = [s.query for s in proxy.seen("GET", INQUIRIES)]
    assert not any(re.search(r"(^|&)page=4(&|$)", query) for query in pages)
    assert _readers() == []
    # Every request of the round is in its report, whichever thread sent it.
    assert report.requests == proxy.count

    proxy.clear()
    assert fixtures.sync_until_quiet(account).outcome == "ok"
    assert_converged(account.cache, site_view)
    assert len(account.cache.outbox.known_versions("inquiry")) == len(site_view.inquiries())
    assert _readers() == []
