"""A role changed on the site, over real HTTP: the round's report carries what the site now says
about the user, and the shell's sync bridge removes cached inquiries the user may no longer see.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from clinicdesk.services.syncround import INQUIRIES_REMOVED_MESSAGE, RoundResult
from clinicdesk.services.syncround import run_round as bridge_round
from clinicdesk.site import CAP_MANAGE_INQUIRIES
from clinicdesk.store import Cache
from tests.fixtures import site as site_fixtures
from tests.fixtures import sync as fixtures
from tests.fixtures.site import SiteRoles
from tests.fixtures.sync import Account, Accounts, SiteView, make_client

accounts = fixtures.accounts
site_view = fixtures.site_view
site_roles = site_fixtures.site_roles


@pytest.fixture
def crisis(site_view: SiteView) -> Iterator[dict[str, Any]]:
    """An inquiry in crisis, sent through the consultation form (deleted for good afterwards:
    the site may be a shared WordPress)."""
    inquiry = site_view.make_inquiry("Some nights I just want to die. Can someone call me?")
    yield inquiry
    site_view.request("DELETE", f"wp/v2/inquiries/{inquiry['id']}", params={"force": "true"})


def cached_inquiries(cache: Cache) -> int:
    counts = cache.inquiries.counts()
    return counts["all"] + counts["trash"]


def site_user_id(accounts: Accounts, role: str) -> int:
    with make_client(accounts.site.url, accounts.site.auth(role)) as client:
        return client.me().id


def shell_round(account: Account) -> RoundResult:
    """A round as the window and ``main.py sync`` run it (through the sync bridge)."""
    return bridge_round(
        account.client, account.cache, progress=lambda _step: None, cancel=threading.Event()
    )


def test_the_report_carries_the_capabilities_the_site_gives_now(
    accounts: Accounts, site_roles: SiteRoles, site_view: SiteView
) -> None:
    account = accounts("intake")
    first = account.sync()
    assert first.ok and first.access is not None
    assert first.access.user_id == site_user_id(accounts, "intake")
    assert first.access.can(CAP_MANAGE_INQUIRIES) and not first.access.can("edit_posts")
    assert first.access.has_plugin is True, "a first round asks the site about the plugin"
    assert cached_inquiries(account.cache) > 0
    again = account.sync()
    assert again.access is not None and again.access.has_plugin is None, "remembered, not asked"
    assert account.cache.posts.counts()["all"] == 0, "no posts to edit: none kept"

    site_roles.set("intake", "contributor")
    # A contributor now, the user starts a draft on the site (they may not publish).
    title = f"A first draft {uuid.uuid4().hex[:8]}"
    draft = site_view.request("POST", "wp/v2/posts", role="intake", json={"title": title})
    try:
        after = account.sync()
        assert after.ok and after.access is not None
        assert after.access.user_id == first.access.user_id
        assert not after.access.can(CAP_MANAGE_INQUIRIES)
        assert after.access.can("edit_posts")
        # The engine pulls by the fresh answer: the posts the user may now edit came down in
        # the same round, their own draft among them, and no one else's (WordPress lists a
        # contributor only the posts they may edit).
        posts = account.cache.posts.page(limit=1000).items
        assert draft["id"] in {post.remote_id for post in posts}
        assert {post.author for post in posts} == {after.access.user_id}
        assert after.pulled_by_kind.get("posts", 0) == len(posts)
        # It leaves what was cached to its caller (the shell's policy: see the bridge below).
        assert cached_inquiries(account.cache) > 0
    finally:
        site_view.request("DELETE", f"wp/v2/posts/{draft['id']}", params={"force": "true"})


def test_a_capability_gained_on_the_site_is_reported_and_pulled_in_the_same_round(
    accounts: Accounts, site_roles: SiteRoles, site_view: SiteView
) -> None:
    account = accounts("contributor")
    first = account.sync()
    assert first.ok and first.access is not None
    assert not first.access.can(CAP_MANAGE_INQUIRIES) and first.access.has_plugin is None
    assert cached_inquiries(account.cache) == 0

    site_roles.set("contributor", "editor")
    after = account.sync()
    assert after.ok and after.access is not None
    assert after.access.can(CAP_MANAGE_INQUIRIES) and after.access.can("publish_posts")
    assert after.access.has_plugin is True
    assert cached_inquiries(account.cache) == len(site_view.inquiries())


def test_the_shell_round_removes_the_inquiries_of_a_user_who_may_no_longer_see_them(
    accounts: Accounts, site_roles: SiteRoles, site_view: SiteView, crisis: dict[str, Any]
) -> None:
    account = accounts("intake")
    first = shell_round(account)
    assert first.ok and first.inquiries_removed == 0 and first.flagged >= 1
    local_id = account.cache.inquiries.local_id(crisis["id"])
    assert local_id is not None and account.cache.inquiries.get(local_id).triage.urgent
    assert shell_round(account).pending == 0  # the crisis flags sent, as the app does
    cache = account.cache.inquiries
    total = cached_inquiries(account.cache)
    assert total == len(site_view.inquiries())
    inbox = cache.page("all").items
    names = {f"{i.first_name} {i.last_name}" for i in inbox[:5]}
    # Local changes the site will now refuse: a triage edit and a note.
    assert cache.mark_read(inbox[0].id, inbox[0].unread)
    cache.add_note(inbox[1].id, "note", "Called back, no answer", author=0, author_name="Test")
    assert account.cache.outbox.count() == 2

    site_roles.set("intake", "subscriber")
    result = shell_round(account)
    assert result.access is not None and not result.access.can(CAP_MANAGE_INQUIRIES)
    assert result.inquiries_removed == total
    assert cached_inquiries(account.cache) == 0
    assert cache.search(inbox[0].email) == [] and cache.search(inbox[0].first_name) == []
    assert account.cache.outbox.count() == 0 and result.pending == 0
    assert result.problems == (), "nothing is left to look at: the records are gone"
    assert INQUIRIES_REMOVED_MESSAGE in result.lines
    text = "\n".join(result.lines)
    assert not any(name in text for name in names), "counts and reasons only, never who"
    # Nothing more to remove, nothing more said.
    quiet = shell_round(account)
    assert quiet.inquiries_removed == 0 and INQUIRIES_REMOVED_MESSAGE not in quiet.lines

    # The role given back: the whole inbox comes down again (the cursors went with it).
    site_roles.set("intake", "clinicdesk_intake")
    back = shell_round(account)
    assert back.ok and back.inquiries_removed == 0
    assert cached_inquiries(account.cache) == total


def test_a_contributor_promoted_to_editor_gets_every_post_they_may_now_edit_at_once(
    accounts: Accounts, site_roles: SiteRoles, site_view: SiteView
) -> None:
    account = accounts("contributor")
    first = account.sync()
    assert first.ok and first.access is not None and not first.access.can("edit_others_posts")
    before = {post.remote_id for post in account.cache.posts.page(limit=100_000).items}
    everything = {int(post["id"]) for post in site_view.posts() if post["status"] != "trash"}
    assert before < everything, "a contributor holds only their own posts"

    site_roles.set("contributor", "editor")
    after = account.sync()

    assert after.ok and after.access is not None and after.access.can("edit_others_posts")
    held = {post.remote_id for post in account.cache.posts.page(limit=100_000).items}
    assert held >= everything, f"{len(everything - held)} posts the editor may edit are missing"
    assert after.full, "the round says it read everything again"
