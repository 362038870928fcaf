"""A crisis inquiry is flagged as soon as its page is stored, not when the whole round ends.

At a first sign-in the inbox fills in while the post catalogue is still downloading; an inquiry
on screen for those minutes without its URGENT flag would be read as an ordinary one. The flag
also leaves for the site in the same round (the push runs after the inquiries), so colleagues see
it at their next sync instead of one round later.
"""

from __future__ import annotations

import threading

from clinicdesk.model.records import SYSTEM_AUTHOR
from clinicdesk.services.syncround import RoundProgress, run_round
from clinicdesk.site import SiteClient
from tests.fixtures import sync as fixtures
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import FAST_RETRY, FAST_TIMEOUTS, Accounts, SiteView

accounts = fixtures.accounts
site_view = fixtures.site_view

CRISIS_FORM = {
    "first_name": "Rosa",
    "last_name": "Menéndez",
    "email": "rosa.menendez@example.com",
    "phone": "(210) 555-0143",
    "preferred_contact": "phone",
    "state": "TX",
    "insurance": "Aetna",
    "reason": "Depression",
    "message": "I have been saving up my pills and I think this weekend is when I end it.",
    "consent": True,
}


def test_a_crisis_arrival_is_flagged_before_the_posts_are_read_and_sent_in_the_same_round(
    accounts: Accounts, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    with SiteClient(fresh_site.url, None, None, retry=FAST_RETRY, timeouts=FAST_TIMEOUTS) as public:
        remote_id = public.submit_consultation(CRISIS_FORM)  # type: ignore[arg-type]
    account = accounts("administrator")
    urgent_when_posts_started: list[bool] = []

    def progress(step: RoundProgress) -> None:
        # Called on the round's thread: what the inbox would show while the posts download.
        if step.phase == "posts" and not urgent_when_posts_started:
            local = account.cache.inquiries.local_id(remote_id)
            urgent = local is not None and account.cache.inquiries.get(local).triage.urgent
            urgent_when_posts_started.append(urgent)

    result = run_round(account.client, account.cache, progress=progress, cancel=threading.Event())
    assert result.outcome == "ok", result
    assert urgent_when_posts_started == [True]
    # The flag (and its reason) reached the site in this very round.
    assert site_view.inquiry(remote_id)["meta"]["urgent"] is True
    assert result.pending == 0


def test_an_automatic_flag_is_the_systems_on_the_site_and_in_the_app(
    accounts: Accounts, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    # Whoever's app happens to sync first did not decide this flag: the timeline of every copy,
    # and the site's, says ClinicDesk did, automatically.
    with SiteClient(fresh_site.url, None, None, retry=FAST_RETRY, timeouts=FAST_TIMEOUTS) as public:
        remote_id = public.submit_consultation(CRISIS_FORM)  # type: ignore[arg-type]
    account = accounts("editor")
    result = run_round(
        account.client,
        account.cache,
        progress=lambda _step: None,
        cancel=threading.Event(),
        author=3,  # a real staff member's id: the old code wrote the flag as theirs
        author_name="Somebody Who Synced First",
    )
    assert result.outcome == "ok", result
    on_site = [n for n in site_view.notes() if n["inquiry"] == remote_id]
    assert sorted(n["kind"] for n in on_site) == ["note", "urgent"]
    for note in on_site:
        assert note["by"] == "system"
        assert note["author"] == 0
        assert note["author_name"] == "ClinicDesk (automatic)"
    local = account.cache.inquiries.local_id(remote_id)
    assert local is not None
    timeline = account.cache.inquiries.notes(local)
    assert sorted(n.kind for n in timeline) == ["note", "urgent"]
    assert all(n.author == SYSTEM_AUTHOR and "Somebody" not in n.author_name for n in timeline)
