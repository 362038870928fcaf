"""The push claims the next change while one is on the wire (see ``clinicdesk.sync.push``).

Whatever stops it, a change claimed ahead and never sent goes back to the queue untouched (its
attempt count too: it never reached the site), the changes sent are each on the site once, and
changes of one record waiting one behind another still all go in the same round.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from clinicdesk.site import TriageStatus
from clinicdesk.sync import SyncProgress
from tests.fixtures import sync as fixtures
from tests.fixtures.faults import FaultProxy, Rule
from tests.fixtures.sync import Account, Accounts, SiteView, assert_converged

accounts = fixtures.accounts
proxy = fixtures.proxy
site_view = fixtures.site_view

INQUIRY_WRITE = r"/wp/v2/inquiries/\d+$"
_NEXT: dict[str, TriageStatus] = {
    "new": "contacted",
    "contacted": "scheduled",
    "scheduled": "referred",
    "referred": "contacted",
    "closed": "contacted",
    "spam": "contacted",
}


@pytest.fixture
def account(accounts: Accounts, proxy: FaultProxy) -> Account:
    """The administrator, synced once, talking to the site through the proxy."""
    made = accounts(url=proxy.url)
    assert made.sync().ok
    return made


def _triage_edits(account: Account, count: int) -> dict[int, TriageStatus]:
    """Move ``count`` inquiries to their next triage status; returns site id -> new status."""
    wanted: dict[int, TriageStatus] = {}
    for summary in account.cache.inquiries.page("all", limit=count).items:
        assert summary.remote_id is not None
        status = _NEXT[summary.triage_status]
        account.cache.inquiries.set_triage(summary.id, triage_status=status)
        wanted[summary.remote_id] = status
    assert len(wanted) == count
    return wanted


def _status_notes(site_view: SiteView, wanted: dict[int, TriageStatus]) -> Counter[int]:
    """How many "status" notes for the wanted status each of those inquiries has on the site."""
    notes: list[dict[str, Any]] = site_view.notes()
    return Counter(
        n["inquiry"]
        for n in notes
        if n["inquiry"] in wanted and n["kind"] == "status" and n["content"] == wanted[n["inquiry"]]
    )


def _states(account: Account) -> list[tuple[str, int]]:
    return [(e.state, e.attempts) for e in account.cache.outbox.entries()]


def test_a_push_stopped_by_the_site_gives_the_change_claimed_ahead_back(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    wanted = _triage_edits(account, 3)
    before = _status_notes(site_view, wanted)
    proxy.add(Rule("status", method="POST", path=INQUIRY_WRITE, status=500, times=None))
    stopped = account.sync()
    assert stopped.outcome == "failed" and stopped.pushed == 0
    # The first change was tried; the second was claimed while it went, and given back as it
    # was; the third was never claimed.
    assert _states(account) == [("pending", 1), ("pending", 0), ("pending", 0)]
    proxy.clear()
    again = account.sync()
    assert again.ok and again.pushed == 3
    for remote_id, status in wanted.items():
        assert site_view.inquiry(remote_id)["meta"]["triage_status"] == status
    assert _status_notes(site_view, wanted) - before == Counter(dict.fromkeys(wanted, 1))
    assert_converged(account.cache, site_view)


def test_cancel_during_the_push_leaves_the_changes_not_sent_untried(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    wanted = _triage_edits(account, 3)
    before = _status_notes(site_view, wanted)
    cancel = threading.Event()

    def after_the_first_change(progress: SyncProgress) -> None:
        if progress.phase == "push" and (progress.done or 0) >= 1:
            cancel.set()

    report = account.sync(progress=after_the_first_change, cancel=cancel)
    assert report.outcome == "cancelled" and report.pushed == 1
    assert _states(account) == [("pending", 0), ("pending", 0)]
    writes = proxy.seen("POST", INQUIRY_WRITE)
    assert len(writes) == 1  # one change went; the one claimed ahead did not
    assert account.sync().pushed == 2
    assert _status_notes(site_view, wanted) - before == Counter(dict.fromkeys(wanted, 1))
    assert_converged(account.cache, site_view)


def test_changes_of_one_record_queued_one_behind_another_go_in_one_round(
    account: Account, site_view: SiteView
) -> None:
    # Nothing else waits: while the first change is sent, none can be claimed ahead.
    cache = account.cache
    wanted = _triage_edits(account, 1)
    [(remote_id, status)] = wanted.items()
    local_id = cache.inquiries.local_id(remote_id)
    assert local_id is not None
    cache.inquiries.trash(local_id)  # its own entry, behind the triage change
    assert [(e.entity, e.op) for e in cache.outbox.entries()] == [
        ("inquiry", "update"),
        ("inquiry", "trash"),
    ]
    report = account.sync()
    assert report.ok and report.pushed == 2 and cache.outbox.entries() == []
    on_site = site_view.inquiry(remote_id)
    assert on_site["status"] == "trash" and on_site["meta"]["triage_status"] == status

    post = cache.posts.create(title="Written and sent", content="<p>draft</p>")
    assert account.sync().pushed == 1
    cache.posts.edit(post, title="Written, sent, retitled, then thrown away")
    cache.posts.trash(post)  # its own entry, behind the edit
    assert [(e.entity, e.op) for e in cache.outbox.entries()] == [
        ("post", "update"),
        ("post", "trash"),
    ]
    report = account.sync()
    assert report.ok and report.pushed == 2 and cache.outbox.entries() == []
    post_id = cache.posts.get(post).remote_id
    assert post_id is not None
    on_site = site_view.post(post_id)
    assert on_site["status"] == "trash"
    assert on_site["title"]["raw"] == "Written, sent, retitled, then thrown away"
    assert_converged(cache, site_view)
