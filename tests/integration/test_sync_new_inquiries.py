"""``SyncReport.new_inquiries``: the site ids of the inquiries a round stored for the first time
(the app reads them for crisis language), and no others."""

from __future__ import annotations

import threading

from clinicdesk.services import syncround as syncbridge
from clinicdesk.services.syncround import RoundResult
from clinicdesk.site import SiteClient
from tests.fixtures import sync as fixtures
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import FAST_RETRY, FAST_TIMEOUTS, Accounts, SiteView

accounts = fixtures.accounts
site_view = fixtures.site_view

FORM = {
    "first_name": "Noor",
    "last_name": "Haddad",
    "email": "noor.haddad@example.com",
    "phone": "(512) 555-0142",
    "preferred_contact": "email",
    "state": "TX",
    "insurance": "Aetna",
    "reason": "Anxiety",
    "message": "Looking for evening sessions, if you have any.",
    "consent": True,
}


def test_a_round_reports_the_inquiries_it_stored_for_the_first_time(
    accounts: Accounts, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    account = accounts("intake")
    first = account.sync()
    assert first.outcome == "ok", first
    on_site = {inquiry["id"] for inquiry in site_view.inquiries()}
    assert on_site and set(first.new_inquiries) == on_site, "a first download: every one"
    assert len(first.new_inquiries) == len(on_site), "each once"

    again = account.sync()
    assert again.outcome == "ok" and again.new_inquiries == ()

    with SiteClient(fresh_site.url, None, None, retry=FAST_RETRY, timeouts=FAST_TIMEOUTS) as public:
        remote_id = public.submit_consultation(FORM)  # type: ignore[arg-type]
    # Another inquiry changed on the site meanwhile is "updated", not new.
    changed = sorted(on_site)[0]
    site_view.request("POST", f"wp/v2/inquiries/{changed}", json={"meta": {"unread": False}})
    arrived = account.sync()
    assert arrived.outcome == "ok", arrived
    assert arrived.new_inquiries == (remote_id,)
    assert arrived.pulled_by_kind.get("inquiries", 0) >= 2


def test_an_arrival_stored_just_before_the_app_stopped_is_still_flagged(
    accounts: Accounts, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    # A round stores a crisis inquiry, then the app stops before reading it for crisis
    # language (the engine round alone, without the shell's check): the next round the shell
    # runs flags it all the same, and the flag reaches the site.
    account = accounts("intake")
    assert account.sync().outcome == "ok"
    with SiteClient(fresh_site.url, None, None, retry=FAST_RETRY, timeouts=FAST_TIMEOUTS) as public:
        remote_id = public.submit_consultation(  # type: ignore[arg-type]
            {**FORM, "message": "Some nights I just want to die. Can someone call me?"}
        )
    stored = account.sync()
    assert stored.new_inquiries == (remote_id,)

    def bridge_round() -> RoundResult:
        return syncbridge.run_round(
            account.client, account.cache, progress=lambda _step: None, cancel=threading.Event()
        )

    first = bridge_round()
    assert first.flagged >= 1  # this one (and any demo inquiry in crisis still "new")
    local_id = account.cache.inquiries.local_id(remote_id)
    assert local_id is not None and account.cache.inquiries.get(local_id).triage.urgent
    assert bridge_round().flagged == 0  # read once
    on_site = next(i for i in site_view.inquiries() if i["id"] == remote_id)
    assert on_site["meta"]["urgent"] is True
