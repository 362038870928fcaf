"""Sync when things go wrong: offline, lost answers, a fault at every request, signed out, refused.

The client talks to the site through :class:`~tests.fixtures.faults.FaultProxy`, which drops
connections, answers errors or stalls by rule: the same faults a clinic's flaky Wi-Fi or a
struggling host produce, injected at exact points of a round.
"""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path

import pytest

from clinicdesk.site import Timeouts, TriageStatus
from tests.fixtures import sync as fixtures
from tests.fixtures.client import tiny_png
from tests.fixtures.faults import FaultProxy, Rule
from tests.fixtures.sync import Account, Accounts, SiteView, assert_converged, sync_until_quiet
from tests.fixtures.waiting import wait_until

accounts = fixtures.accounts
proxy = fixtures.proxy
site_view = fixtures.site_view

CREATE = r"/wp/v2/posts$"
UPLOAD = r"/wp/v2/media$"


@pytest.fixture
def account(accounts: Accounts, proxy: FaultProxy) -> Account:
    """The administrator, synced once, talking to the site through the proxy."""
    made = accounts(url=proxy.url)
    assert made.sync().ok
    return made


def titles_on_site(view: SiteView) -> list[str]:
    return [p["title"]["raw"] for p in view.posts()]


# -- offline -----------------------------------------------------------------------------------


def test_changes_made_offline_go_out_once_each_in_order_when_back(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    cache = account.cache
    t = uuid.uuid4().hex[:8]  # the site may be shared: titles of this test's own
    some_post = cache.posts.page().items[0].id
    inquiry = cache.inquiries.page("open").items[0]
    proxy.pause()
    first = cache.posts.create(title=f"Offline first {t}", content="<p>draft</p>")
    cache.posts.edit(first, title=f"Offline first {t}, retitled")
    cache.posts.publish_changes(first)  # Update (a published post)
    cache.posts.edit(some_post, excerpt=f"Edited offline {t}")
    cache.posts.publish_changes(some_post)  # Update (a published post)
    second = cache.posts.create(title=f"Offline second {t}")
    status = "scheduled" if inquiry.triage_status == "contacted" else "contacted"
    cache.inquiries.set_triage(inquiry.id, triage_status=status)
    cache.inquiries.add_note(
        inquiry.id, "note", f"Left a voicemail {t}", author=0, author_name="Me"
    )
    waiting = cache.outbox.count()

    down = account.sync()
    assert down.outcome == "offline" and down.pushed == 0 and down.pending == waiting
    assert down.errors[0].kind == "offline" and down.retry_after is not None
    again = account.sync()
    assert again.outcome == "offline" and again.retry_after == 2 * down.retry_after  # backing off
    assert [e.state for e in cache.outbox.entries()] == ["pending"] * waiting

    proxy.resume()
    back = account.sync()
    assert back.outcome == "ok" and back.pushed == waiting and back.retry_after is None
    creates = proxy.seen("POST", CREATE)
    assert len(creates) == 2  # once each
    on_site = {p["title"]["raw"]: p["id"] for p in site_view.posts()}
    assert on_site[f"Offline first {t}, retitled"] < on_site[f"Offline second {t}"]  # in order
    assert titles_on_site(site_view).count(f"Offline first {t}, retitled") == 1
    assert cache.posts.get(first).remote_id == on_site[f"Offline first {t}, retitled"]
    assert cache.posts.get(second).remote_id == on_site[f"Offline second {t}"]
    assert_converged(cache, site_view)


def test_a_client_pointed_at_a_closed_port_keeps_everything(
    account: Account, fresh_site: fixtures.SiteUnderTest, site_view: SiteView
) -> None:
    closed = FaultProxy(fresh_site.url).start()
    url = closed.url
    closed.stop()  # nothing listens there any more
    account.use(url)
    t = uuid.uuid4().hex[:8]
    account.cache.posts.create(title=f"Written on the train {t}")
    report = account.sync()
    assert report.outcome == "offline" and report.pending == 1
    account.use(fresh_site.url)
    assert account.sync().pushed == 1
    assert titles_on_site(site_view).count(f"Written on the train {t}") == 1


# -- lost answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["drop_after", "status_after"])
def test_a_create_whose_answer_is_lost_is_adopted_not_duplicated(
    account: Account, proxy: FaultProxy, site_view: SiteView, fault: str
) -> None:
    proxy.add(Rule(fault, method="POST", path=CREATE))  # type: ignore[arg-type]
    title = f"Answer lost {uuid.uuid4().hex[:8]}"
    local_id = account.cache.posts.create(title=title, content="<p>once</p>")
    report = account.sync()
    assert report.outcome == "ok" and report.pushed == 1
    assert len(proxy.seen("POST", CREATE)) == 1
    assert titles_on_site(site_view).count(title) == 1
    detail = account.cache.posts.get(local_id)
    assert detail.sync_state == "synced" and detail.remote_id is not None
    assert_converged(account.cache, site_view)


def test_a_lost_answer_and_a_failed_lookup_wait_for_the_next_round(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    proxy.add(Rule("drop_after", method="POST", path=CREATE))
    proxy.add(
        Rule(
            "drop_before", path=CREATE, when=lambda s: "clinicdesk_client_id" in s.query, times=None
        )
    )
    t = uuid.uuid4().hex[:8]
    account.cache.posts.create(title=f"Lookup failed {t}")
    report = account.sync()
    assert report.outcome == "offline" and report.pending == 1
    assert titles_on_site(site_view).count(f"Lookup failed {t}") == 1  # it did reach the site
    proxy.clear()
    assert account.sync().outcome == "ok"
    assert len(proxy.seen("POST", CREATE)) == 1  # never sent twice
    assert titles_on_site(site_view).count(f"Lookup failed {t}") == 1
    assert_converged(account.cache, site_view)


def test_a_create_still_being_written_when_looked_up_is_not_sent_again(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    # The site takes longer than the client waits: the create times out, the lookup that
    # follows finds nothing (the create has not been written yet)... and still nothing is
    # created twice, because the next round asks again before sending.
    account.use(proxy.url, timeouts=Timeouts(connect=1.0, read=0.5, total=5.0))
    proxy.add(Rule("delay", method="POST", path=CREATE, delay=1.5))
    title = f"Slow site {uuid.uuid4().hex[:8]}"
    account.cache.posts.create(title=title)
    report = account.sync()
    assert report.outcome == "offline" and report.errors[0].kind == "timed_out"
    wait_until(lambda: title in titles_on_site(site_view), "the slow create to be written")
    assert account.sync().outcome == "ok"
    assert titles_on_site(site_view).count(title) == 1
    assert len(proxy.seen("POST", CREATE)) == 1
    assert_converged(account.cache, site_view)


def _queue_image(account: Account, folder: Path, token: str) -> tuple[int, int]:
    """An image queued for upload (a unique file name) and a published post featuring it;
    returns their local ids."""
    picture = folder / f"lost-{token}.png"
    picture.write_bytes(tiny_png())
    cache = account.cache
    image = cache.catalog.queue_upload(picture, "image/png", alt_text=f"Lost answer {token}")
    post = cache.posts.create(title=f"Uses {token}", featured_media=image, status="publish")
    return image, post


def _uploads_of(view: SiteView, token: str) -> list[dict[str, object]]:
    """The site's media items made from this test's file (WordPress keeps the name in the URL)."""
    return [m for m in view.media() if f"lost-{token}" in str(m["source_url"])]


@pytest.mark.parametrize("fault", ["drop_after", "status_after"])
def test_an_upload_whose_answer_is_lost_is_adopted_not_stored_twice(
    account: Account, proxy: FaultProxy, site_view: SiteView, fault: str, tmp_path: Path
) -> None:
    proxy.add(Rule(fault, method="POST", path=UPLOAD))  # type: ignore[arg-type]
    token = uuid.uuid4().hex[:8]
    image, post = _queue_image(account, tmp_path, token)
    report = account.sync()
    assert report.outcome == "ok" and report.pushed == 2, report.summary()
    assert len(proxy.seen("POST", UPLOAD)) == 1
    [media] = _uploads_of(site_view, token)
    assert media["alt_text"] == f"Lost answer {token}"  # set after the adoption
    [local] = [m for m in account.cache.catalog.media() if m.id == image]
    assert (local.remote_id, local.sync_state, local.local_path) == (media["id"], "synced", None)
    remote_post = account.cache.posts.get(post).remote_id
    assert remote_post is not None
    assert site_view.post(remote_post)["featured_media"] == media["id"]
    assert_converged(account.cache, site_view)


def test_a_lost_upload_answer_and_a_failed_lookup_wait_for_the_next_round(
    account: Account, proxy: FaultProxy, site_view: SiteView, tmp_path: Path
) -> None:
    proxy.add(Rule("drop_after", method="POST", path=UPLOAD))
    proxy.add(
        Rule(
            "drop_before",
            method="GET",
            path=UPLOAD,
            when=lambda s: "clinicdesk_client_id" in s.query,
            times=None,
        )
    )
    token = uuid.uuid4().hex[:8]
    image, post = _queue_image(account, tmp_path, token)
    report = account.sync()
    assert report.outcome == "offline" and report.pending == 2
    assert len(_uploads_of(site_view, token)) == 1  # it did reach the site
    assert account.cache.posts.get(post).remote_id is None  # the post waits for its image
    proxy.clear()
    assert account.sync().outcome == "ok"
    assert len(proxy.seen("POST", UPLOAD)) == 1  # never sent twice: found by its client id
    [media] = _uploads_of(site_view, token)
    [local] = [m for m in account.cache.catalog.media() if m.id == image]
    assert local.remote_id == media["id"] and local.sync_state == "synced"
    assert media["alt_text"] == f"Lost answer {token}"
    assert_converged(account.cache, site_view)


def test_a_file_type_the_site_refuses_is_rejected_and_the_rest_go(
    account: Account, site_view: SiteView, tmp_path: Path
) -> None:
    # WordPress answers a refused type with 500 rest_upload_sideload_error, having stored
    # nothing: a refusal, not a failing site, so it must not stop every later push.
    script = tmp_path / "notes.svg"
    script.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    image = account.cache.catalog.queue_upload(script, "image/svg+xml")
    title = f"After the refused file {uuid.uuid4().hex[:8]}"
    post = account.cache.posts.create(title=title)
    report = account.sync()
    assert [(r.entity, r.local_id) for r in report.rejected] == [("media", image)]
    assert "does not accept this type of file" in report.rejected[0].message
    assert account.cache.posts.get(post).remote_id is not None
    assert titles_on_site(site_view).count(title) == 1


# -- a fault at every step -----------------------------------------------------------------------

_STATUSES: list[TriageStatus] = ["contacted", "scheduled", "referred", "new"]


def _edits(account: Account, token: str, n: int) -> None:
    """One of each kind of change: a new post, a post edit, triage, a note (values unique to
    ``token``, and each one a real change, whatever the shared site held before)."""
    cache = account.cache
    cache.posts.create(title=f"Fault test {token} {n}", content=f"<p>{n}</p>")
    some_post = cache.posts.page(sort="title").items[0].id
    cache.posts.edit(some_post, excerpt=f"Excerpt {token} {n}")
    cache.posts.publish_changes(some_post)  # Update (a published post)
    inquiry = cache.inquiries.page("all", limit=1).items[0]
    statuses = _STATUSES[n % len(_STATUSES) :] + _STATUSES[: n % len(_STATUSES)]
    status = next(s for s in statuses if s != inquiry.triage_status)
    cache.inquiries.set_triage(inquiry.id, triage_status=status)
    cache.inquiries.add_note(inquiry.id, "note", f"Note {token} {n}", author=0, author_name="Me")


@pytest.mark.parametrize("fault", ["drop_after", "status"])
def test_a_fault_at_any_request_of_a_round_loses_and_duplicates_nothing(
    account: Account, proxy: FaultProxy, site_view: SiteView, fault: str
) -> None:
    counter = itertools.count()
    token = uuid.uuid4().hex[:8]
    _edits(account, token, next(counter))
    start = proxy.count
    assert account.sync().ok
    steps = proxy.count - start  # requests in a round with one change of each kind
    assert steps >= 10
    for k in range(steps):
        n = next(counter)
        _edits(account, token, n)
        proxy.add(Rule(fault, at=proxy.count + k))  # type: ignore[arg-type]
        account.sync()
        proxy.clear()
        assert sync_until_quiet(account).ok, f"request {k}"
        assert_converged(account.cache, site_view)
        assert titles_on_site(site_view).count(f"Fault test {token} {n}") == 1, f"request {k}"
    notes = [n["content"] for n in site_view.notes() if n["content"].startswith(f"Note {token} ")]
    assert sorted(notes) == sorted(f"Note {token} {n}" for n in range(steps + 1))


# -- signed out, refused -----------------------------------------------------------------------


def test_signed_out_mid_round_stops_and_keeps_the_outbox(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    t = uuid.uuid4().hex[:8]
    account.cache.posts.create(title=f"Before the password was revoked {t}")
    account.cache.posts.create(title="Also waiting")
    proxy.add(Rule("status", method="POST", path=CREATE, status=401, code="rest_not_logged_in"))
    report = account.sync()
    assert report.outcome == "signed_out" and report.signed_out
    assert report.errors[0].kind == "signed_out" and report.pushed == 0
    assert report.pending == 2 and report.retry_after is None
    assert "Signed out" in report.summary()
    assert len(proxy.seen("POST", CREATE)) == 1  # stopped at the first 401
    assert account.sync().pushed == 2
    assert_converged(account.cache, site_view)


def test_signed_out_at_the_start_sends_nothing(account: Account, proxy: FaultProxy) -> None:
    account.cache.posts.create(title="Kept")
    proxy.add(Rule("status", path=r"/users/me$", status=401, code="rest_not_logged_in"))
    report = account.sync()
    assert report.outcome == "signed_out" and report.requests == 1 and report.pending == 1


def test_a_refused_record_is_rejected_with_the_sites_message_and_the_rest_go(
    account: Account, site_view: SiteView
) -> None:
    cache = account.cache
    not_staff = next(u.id for u in cache.catalog.users() if not u.is_staff)
    [first, second] = cache.inquiries.page("open", limit=2).items
    cache.inquiries.set_triage(first.id, assignee=not_staff)
    status = "scheduled" if second.triage_status == "contacted" else "contacted"
    assert cache.inquiries.set_triage(second.id, triage_status=status)
    post = cache.posts.create(title=f"Goes through anyway {uuid.uuid4().hex[:8]}")
    report = account.sync()
    [rejected] = report.rejected
    assert (rejected.entity, rejected.local_id) == ("inquiry", first.id)
    assert "not a staff member" in rejected.message
    assert report.pushed == 2 and report.outcome == "ok"
    detail = cache.inquiries.get(first.id)
    assert detail.sync_state == "rejected" and detail.sync_message == rejected.message
    assert detail.triage.assignee == not_staff  # the user's value is kept to fix
    assert second.remote_id is not None
    assert site_view.inquiry(second.remote_id)["meta"]["triage_status"] == status
    assert cache.posts.get(post).sync_state == "synced"
    # Nothing more is sent for it until the user changes it.
    assert account.sync().pushed == 0
    cache.inquiries.set_triage(first.id, assignee=0)
    assert account.sync().pushed == 1
    assert cache.inquiries.get(first.id).sync_state == "synced"


def test_a_contributor_publishing_is_rejected_with_wordpress_message(
    accounts: Accounts, site_view: SiteView
) -> None:
    casey = accounts("contributor")
    assert casey.sync().ok
    t = uuid.uuid4().hex[:8]
    publish = casey.cache.posts.create(title=f"Casey wants this live {t}", status="publish")
    draft = casey.cache.posts.create(title=f"Casey's draft {t}")
    report = casey.sync()
    [rejected] = report.rejected
    assert rejected.local_id == publish
    assert "not allowed to publish posts" in rejected.message  # WordPress's own words
    assert casey.cache.posts.get(publish).sync_state == "rejected"
    assert casey.cache.posts.get(draft).sync_state == "synced"
    titles = titles_on_site(site_view)
    assert f"Casey's draft {t}" in titles and f"Casey wants this live {t}" not in titles
    # Submitting for review instead goes through.
    casey.cache.posts.edit(publish, status="pending")
    assert casey.sync().pushed == 1
    assert casey.cache.posts.get(publish).fields.status == "pending"


def test_a_failing_site_backs_off_then_recovers(
    account: Account, proxy: FaultProxy, site_view: SiteView
) -> None:
    post = account.cache.posts.page().items[0].id
    account.cache.posts.edit(post, title=f"Retitled while the site fails {uuid.uuid4().hex[:8]}")
    account.cache.posts.publish_changes(post)  # Update (a published post)
    proxy.add(Rule("status", method="POST", path=r"/wp/v2/posts/\d+$", times=None))
    report = account.sync()
    assert report.outcome == "failed" and report.errors[0].kind == "server"
    assert report.pending == 1 and report.retry_after == fixtures.SyncOptions().backoff
    proxy.clear()
    assert account.sync().pushed == 1
    assert_converged(account.cache, site_view)
