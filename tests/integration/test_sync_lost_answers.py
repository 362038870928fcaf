"""Lost answers and races around the push, over real HTTP: never undo a colleague, never lose a
change, never write a timeline event twice.

* a post deleted on the site between the push's re-read and its write ends that one change as
  "deleted on the site" (the user's version kept), and the round's other changes still go;
* a create whose answer was lost is adopted with what the create *sent* as its merge base: a
  colleague's retitle or trash made in between stays, the fields changed here since go, and a
  post published offline keeps its publication date;
* a triage change whose write landed but whose answer was lost is noted on the timeline exactly
  once, even when a colleague changed another field in between.

The client talks to the site through :class:`~tests.fixtures.faults.FaultProxy`; a colleague is
the administrator writing to the site directly (:class:`~tests.fixtures.sync.SiteView`).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from tests.fixtures import sync as fixtures
from tests.fixtures.faults import FaultProxy, Rule, Seen
from tests.fixtures.sync import Account, Accounts, SiteView, assert_converged
from tests.fixtures.waiting import wait_until

accounts = fixtures.accounts
proxy = fixtures.proxy
site_view = fixtures.site_view

CREATE = r"/wp/v2/posts$"


def lookup(seen: Seen) -> bool:
    """A look-up of a post by its client id (what follows a lost create)."""
    return "clinicdesk_client_id" in seen.query


@pytest.fixture
def account(accounts: Accounts, proxy: FaultProxy) -> Account:
    """An editor, synced once, talking to the site through the proxy."""
    made = accounts("editor", url=proxy.url)
    assert made.sync().ok
    return made


def local_post(account: Account, remote_id: int) -> int:
    local_id = account.cache.posts.local_id(remote_id)
    assert local_id is not None
    return local_id


# -- 404 on a write --------------------------------------------------------------------------------


def test_a_post_deleted_on_the_site_before_its_write_ends_that_change_and_the_rest_go(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    token = uuid.uuid4().hex[:8]
    doomed = site_view.make_post(f"Doomed {token}")
    other = site_view.make_post(f"Other {token}")
    assert account.sync().ok
    doomed_local, other_local = local_post(account, doomed["id"]), local_post(account, other["id"])
    account.cache.posts.edit(doomed_local, title=f"My careful rewrite {token}")
    account.cache.posts.edit(other_local, title=f"Other, retitled {token}")

    def delete_first(seen: Seen) -> bool:
        # A colleague deletes the post for good after the push re-read it, before its write.
        site_view.request("DELETE", f"wp/v2/posts/{doomed['id']}", params={"force": "true"})
        return True

    write = rf"/wp/v2/posts/{doomed['id']}$"
    proxy.add(Rule("delay", method="POST", path=write, when=delete_first))
    report = account.sync()

    assert report.outcome == "ok", report.summary()
    assert [(i.entity, i.local_id) for i in report.deleted_on_site] == [("post", doomed_local)]
    assert site_view.post(other["id"])["title"]["raw"] == f"Other, retitled {token}"
    kept = account.cache.posts.get(doomed_local)
    assert kept.sync_state == "deleted_on_site"
    assert kept.fields.title == f"My careful rewrite {token}"  # nothing the user wrote is lost
    assert account.sync().outcome == "ok"  # and the next round is not stopped by it either


def test_an_inquiry_deleted_on_the_site_before_its_triage_write_ends_that_change_only(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts("administrator", url=proxy.url)
    doomed, other = site_view.make_inquiry(), site_view.make_inquiry()
    assert account.sync().ok
    doomed_local = account.cache.inquiries.local_id(int(doomed["id"]))
    other_local = account.cache.inquiries.local_id(int(other["id"]))
    assert doomed_local is not None and other_local is not None
    account.cache.inquiries.set_triage(doomed_local, triage_status="contacted")
    account.cache.inquiries.set_triage(other_local, triage_status="contacted")

    def delete_first(seen: Seen) -> bool:
        site_view.request("DELETE", f"wp/v2/inquiries/{doomed['id']}", params={"force": "true"})
        return True

    write = rf"/wp/v2/inquiries/{doomed['id']}$"
    proxy.add(Rule("delay", method="POST", path=write, when=delete_first))
    report = account.sync()

    assert report.outcome == "ok", report.summary()
    assert [(i.entity, i.local_id) for i in report.deleted_on_site] == [("inquiry", doomed_local)]
    assert site_view.inquiry(int(other["id"]))["meta"]["triage_status"] == "contacted"
    kept = account.cache.inquiries.get(doomed_local)
    assert kept.sync_state == "deleted_on_site" and kept.triage.triage_status == "contacted"


# -- adopted creates -----------------------------------------------------------------------------


def create_with_lost_answer(account: Account, proxy: FaultProxy, **fields: object) -> int:
    """Create a post here and sync it so that the create reaches the site but neither its answer
    nor the look-up that follows comes back; returns its local id."""
    local_id = account.cache.posts.create(**fields)  # type: ignore[arg-type]
    proxy.add(Rule("drop_after", method="POST", path=CREATE))
    proxy.add(Rule("drop_before", method="GET", path=CREATE, when=lookup, times=None))
    report = account.sync()
    assert report.outcome != "ok" and report.pending >= 1
    proxy.clear()
    return local_id


def on_site_by_title(view: SiteView, title: str) -> dict[str, object]:
    [post] = [p for p in view.posts() if p["title"]["raw"] == title]
    return post


def test_an_adopted_create_keeps_a_colleagues_retitle_and_sends_what_changed_here(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    token = uuid.uuid4().hex[:8]
    title = f"Sleep and anxiety {token}"
    local_id = create_with_lost_answer(account, proxy, title=title, content="<p>Draft</p>")
    created = on_site_by_title(site_view, title)
    # In between: a colleague retitles it on the site, and the author adds an excerpt here.
    site_view.request("POST", f"wp/v2/posts/{created['id']}", json={"title": f"Retitled {token}"})
    account.cache.posts.edit(local_id, excerpt=f"Written here {token}")

    report = fixtures.sync_until_quiet(account)

    assert report.outcome == "ok" and report.conflicts == ()
    assert sum(r.merged for r in account.reports[-2:]) <= 1
    site = site_view.post(int(str(created["id"])))
    assert site["title"]["raw"] == f"Retitled {token}", "the colleague's retitle was undone"
    assert site["excerpt"]["raw"] == f"Written here {token}"
    fields = account.cache.posts.get(local_id).fields
    assert (fields.title, fields.excerpt) == (f"Retitled {token}", f"Written here {token}")
    assert len(proxy.seen("POST", CREATE)) == 1
    assert_converged(account.cache, site_view)


def test_an_adopted_create_a_colleague_trashed_stays_in_the_trash(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    title = f"Trashed by a colleague {uuid.uuid4().hex[:8]}"
    local_id = create_with_lost_answer(account, proxy, title=title)
    created = on_site_by_title(site_view, title)
    site_view.request("DELETE", f"wp/v2/posts/{created['id']}")  # to the trash

    report = fixtures.sync_until_quiet(account)

    assert report.outcome == "ok" and report.conflicts == ()
    assert site_view.post(int(str(created["id"])))["status"] == "trash"
    assert account.cache.posts.get(local_id).fields.status == "trash"
    assert_converged(account.cache, site_view)


def test_an_adopted_create_of_a_post_published_offline_keeps_its_publication_date(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    title = f"Published offline {uuid.uuid4().hex[:8]}"
    local_id = create_with_lost_answer(account, proxy, title=title, status="publish")
    created = on_site_by_title(site_view, title)
    published = str(created["date_gmt"])
    # The retry must come in a later second than the create for a moved date to show.
    start = datetime.fromisoformat(published).replace(tzinfo=UTC)
    wait_until(lambda: datetime.now(UTC).replace(microsecond=0) > start, "the next second")

    report = fixtures.sync_until_quiet(account)

    assert report.outcome == "ok" and report.conflicts == ()
    assert site_view.post(int(str(created["id"])))["date_gmt"] == published
    detail = account.cache.posts.get(local_id)
    assert detail.fields.date_gmt is not None
    assert detail.fields.date_gmt.strftime("%Y-%m-%dT%H:%M:%S") == published
    assert_converged(account.cache, site_view)


def test_an_adopted_create_with_the_same_field_changed_on_both_sides_is_a_conflict(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    token = uuid.uuid4().hex[:8]
    title = f"Both retitled {token}"
    local_id = create_with_lost_answer(account, proxy, title=title)
    created = on_site_by_title(site_view, title)
    site_view.request("POST", f"wp/v2/posts/{created['id']}", json={"title": f"Theirs {token}"})
    account.cache.posts.edit(local_id, title=f"Mine {token}")

    report = fixtures.sync_until_quiet(account)

    assert [c.local_id for c in report.conflicts] == [local_id]
    assert "title" in report.conflicts[0].message
    detail = account.cache.posts.get(local_id)
    assert detail.sync_state == "conflict" and detail.fields.title == f"Mine {token}"
    assert detail.server is not None and detail.server.title == f"Theirs {token}"
    assert site_view.post(int(str(created["id"])))["title"]["raw"] == f"Theirs {token}"


# -- triage notes exactly once ---------------------------------------------------------------------


def test_a_landed_triage_change_whose_answer_was_lost_is_noted_once_despite_a_colleague(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts("administrator", url=proxy.url)
    inquiry = site_view.make_inquiry()
    assert account.sync().ok
    local_id = account.cache.inquiries.local_id(int(inquiry["id"]))
    assert local_id is not None
    account.cache.inquiries.set_triage(local_id, triage_status="contacted")
    # The write lands on the site, every answer to it is lost.
    proxy.add(
        Rule("drop_after", method="POST", path=rf"/wp/v2/inquiries/{inquiry['id']}$", times=None)
    )
    assert account.sync().outcome != "ok"
    proxy.clear()
    assert site_view.inquiry(int(inquiry["id"]))["meta"]["triage_status"] == "contacted"
    # A colleague assigns it to themselves meanwhile.
    me = site_view.request("GET", "wp/v2/users/me")
    site_view.request(
        "POST", f"wp/v2/inquiries/{inquiry['id']}", json={"meta": {"assignee": me["id"]}}
    )

    report = fixtures.sync_until_quiet(account)

    assert report.outcome == "ok" and report.conflicts == ()
    events = [(n["kind"], n["content"]) for n in site_view.notes() if n["inquiry"] == inquiry["id"]]
    assert events.count(("status", "contacted")) == 1, events
    triage = account.cache.inquiries.get(local_id).triage
    assert (triage.triage_status, triage.assignee) == ("contacted", me["id"])
    assert_converged(account.cache, site_view)


def test_triage_noted_once_when_every_answer_of_a_round_is_lost(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts("administrator", url=proxy.url)
    inquiry = site_view.make_inquiry()
    assert account.sync().ok
    local_id = account.cache.inquiries.local_id(int(inquiry["id"]))
    assert local_id is not None
    account.cache.inquiries.set_triage(local_id, triage_status="contacted", urgent=True)
    # Every write of the round lands, no answer comes back: the update and its notes.
    proxy.add(Rule("drop_after", method="POST", times=None))
    assert account.sync().outcome != "ok"
    proxy.clear()
    account.cache.inquiries.set_triage(local_id, assignee=0)  # nothing new: already 0

    assert fixtures.sync_until_quiet(account).outcome == "ok"
    events = [(n["kind"], n["content"]) for n in site_view.notes() if n["inquiry"] == inquiry["id"]]
    assert events.count(("status", "contacted")) == 1, events
    assert events.count(("urgent", "on")) == 1, events
    assert not [e for e in events if re.match("assign", e[0])]
    assert_converged(account.cache, site_view)


def test_a_landed_triage_change_then_another_here_is_no_conflict_and_both_are_noted(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts("administrator", url=proxy.url)
    inquiry = site_view.make_inquiry()
    assert account.sync().ok
    local_id = account.cache.inquiries.local_id(int(inquiry["id"]))
    assert local_id is not None
    account.cache.inquiries.set_triage(local_id, triage_status="contacted")
    proxy.add(
        Rule("drop_after", method="POST", path=rf"/wp/v2/inquiries/{inquiry['id']}$", times=None)
    )
    assert account.sync().outcome != "ok"  # "contacted" is on the site, its answer lost
    proxy.clear()
    # The user moves on before the next round: the call is booked.
    account.cache.inquiries.set_triage(local_id, triage_status="scheduled")

    report = fixtures.sync_until_quiet(account)

    assert report.outcome == "ok" and report.conflicts == (), report.summary()
    assert site_view.inquiry(int(inquiry["id"]))["meta"]["triage_status"] == "scheduled"
    events = [(n["kind"], n["content"]) for n in site_view.notes() if n["inquiry"] == inquiry["id"]]
    assert [e for e in events if e[0] == "status"] == [
        ("status", "contacted"),
        ("status", "scheduled"),
    ]
    assert account.cache.inquiries.get(local_id).triage.triage_status == "scheduled"
    assert_converged(account.cache, site_view)
