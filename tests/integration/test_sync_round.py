"""A sync round against the reference site over real HTTP: first sync, incremental rounds,
the sweep, scheduled posts, progress, cancellation, the lock, and a UI thread reading meanwhile."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from clinicdesk.demosite.routing import SiteConfig
from clinicdesk.demosite.server import start
from clinicdesk.site import CAP_MANAGE_INQUIRIES, SiteClient
from clinicdesk.store import Cache
from clinicdesk.sync import AccountLock, SyncOptions, SyncProgress, run_round
from tests.fixtures import sync as fixtures
from tests.fixtures.faults import FaultProxy, Rule, Seen
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import Account, Accounts, SiteView, make_client

accounts = fixtures.accounts
proxy = fixtures.proxy
site_view = fixtures.site_view


def cache_counts(cache: Cache) -> dict[str, int]:
    """What the cache holds, counted the way a user would see it."""
    posts = cache.posts.counts()
    views = cache.inquiries.counts()
    inquiries = [*cache.inquiries.page("all", limit=10_000).items]
    inquiries += cache.inquiries.page("trash", limit=10_000).items
    return {
        "posts": posts["all"] + posts.get("trash", 0),
        "inquiries": views["all"] + views["trash"],
        "notes": sum(len(cache.inquiries.notes(i.id)) for i in inquiries),
        "categories": len(cache.catalog.terms("category")),
        "tags": len(cache.catalog.terms("post_tag")),
        "staff": len(cache.catalog.users(staff_only=True)),
    }


def site_counts(client: SiteClient) -> dict[str, int]:
    """The same, as the site shows them to the client's user."""
    me = client.me()
    staff = me.can(CAP_MANAGE_INQUIRIES)
    return {
        "posts": len(client.list_posts(status="any,trash")) if me.can("edit_posts") else 0,
        "inquiries": sum(len(page.items) for page in client.iter_inquiries(status="private,trash"))
        if staff
        else 0,
        "notes": sum(len(page.items) for page in client.iter_notes()) if staff else 0,
        "categories": len(client.list_terms("category")),
        "tags": len(client.list_terms("post_tag")),
        "staff": len(client.list_staff()) if staff else 0,
    }


# -- first sync and incremental rounds ----------------------------------------------------------


@pytest.mark.parametrize("role", ["administrator", "contributor", "intake"])
def test_first_sync_brings_everything_the_user_may_see(
    accounts: Accounts, fresh_site: SiteUnderTest, site_view: SiteView, role: str
) -> None:
    account = accounts(role)
    report = account.sync()
    assert report.outcome == "ok" and report.full and not report.errors
    with make_client(fresh_site.url, fresh_site.auth(role)) as check:
        expected = site_counts(check)
    assert cache_counts(account.cache) == expected
    if role == "administrator":
        # What the site holds, read without the client under test.
        raw = (len(site_view.posts()), len(site_view.inquiries()), len(site_view.notes()))
        assert (expected["posts"], expected["inquiries"], expected["notes"]) == raw
        if fresh_site.kind == "demosite":
            # The seeded demo site: 12 posts, 42 inquiries with their timelines. (A shared
            # WordPress also holds what earlier tests made.)
            assert (expected["posts"], expected["inquiries"]) == (12, 42)
        assert expected["notes"] > 0 and expected["staff"] > 0
    assert report.pulled == sum(report.pulled_by_kind.values()) > 0


def test_a_round_with_nothing_changed_costs_four_requests(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts(url=proxy.url)
    first = account.sync()
    # The first round: users/me, the site index and the staff list, one request per page of
    # each listing, and one per image posts use; nothing per post, inquiry or note.
    pages = (
        site_view.pages("wp/v2/categories")
        + site_view.pages("wp/v2/tags")
        + site_view.pages("wp/v2/users")
        + site_view.pages("wp/v2/posts", status="any,trash", context="edit")
        + site_view.pages("wp/v2/inquiries", status="private,trash", context="edit")
        + site_view.pages("clinicdesk/v1/notes", after_id=0)
    )
    images = proxy.seen("GET", r"/wp/v2/media/\d+$")
    assert len(images) == len({s.path for s in images}) == first.pulled_by_kind.get("media", 0)
    assert first.requests == proxy.count == 3 + pages + len(images)
    if site_view.site.kind == "demosite":
        assert first.requests <= 10  # the seeded demo site: one page of everything
    before = proxy.count
    quiet = account.sync()
    assert quiet.outcome == "ok" and quiet.pulled == 0 and quiet.pushed == 0
    assert quiet.requests == proxy.count - before == 4
    routes = [(s.method, s.path.removeprefix("/wp-json/")) for s in proxy.log[before:]]
    assert routes == [
        ("GET", "wp/v2/users/me"),
        # The inbox first, in every round; the post catalogue after.
        ("GET", "wp/v2/inquiries"),
        ("GET", "clinicdesk/v1/notes"),
        ("GET", "wp/v2/posts"),
    ]
    # Incremental: the windows start where the first round ended (minus the overlaps).
    queries = [s.query for s in proxy.log[before:]]
    assert "modified_after=" in queries[1] and "modified_after=" in queries[3]
    assert "after_id=" in queries[2] and "after_id=0" not in queries[2]


@pytest.mark.demosite_only(reason="needs 400 posts and 400 inquiries bulk-seeded on a private site")
@pytest.mark.parametrize("fresh_site", [{"bulk_posts": 400, "bulk_inquiries": 400}], indirect=True)
def test_request_counts_do_not_grow_with_the_site(accounts: Accounts, proxy: FaultProxy) -> None:
    account = accounts(url=proxy.url)
    first = account.sync()
    pages = {
        route: len(proxy.seen("GET", route + "$"))
        for route in ("wp/v2/posts", "wp/v2/inquiries", "clinicdesk/v1/notes")
    }
    assert pages == {"wp/v2/posts": 5, "wp/v2/inquiries": 5, "clinicdesk/v1/notes": 5}
    # Raw: those pages plus categories, tags, users and staff. The engine adds users/me and
    # the site index, nothing per record.
    raw = sum(pages.values()) + 4
    assert first.requests == raw + 2 <= 1.5 * raw
    assert account.sync().requests == 4


def test_site_changes_arrive_in_the_next_round(accounts: Accounts, site_view: SiteView) -> None:
    post, inquiry = site_view.make_post(), site_view.make_inquiry()
    account = accounts()
    account.sync()
    site_view.request("POST", f"wp/v2/posts/{post['id']}", json={"title": "Edited on the site"})
    site_view.request(
        "POST", f"wp/v2/inquiries/{inquiry['id']}", json={"meta": {"triage_status": "closed"}}
    )
    site_view.request(
        "POST",
        "clinicdesk/v1/notes",
        json={"inquiry": inquiry["id"], "kind": "note", "content": "Called back"},
    )
    report = account.sync()
    assert report.pulled_by_kind == {"posts": 1, "inquiries": 1, "notes": 1}
    local_post = account.cache.posts.local_id(post["id"])
    assert local_post is not None
    assert account.cache.posts.get(local_post).fields.title == "Edited on the site"
    local_inquiry = account.cache.inquiries.local_id(inquiry["id"])
    assert local_inquiry is not None
    assert account.cache.inquiries.get(local_inquiry).triage.triage_status == "closed"
    assert account.cache.inquiries.notes(local_inquiry)[-1].content == "Called back"


def test_trash_and_restore_on_the_site_propagate(accounts: Accounts, site_view: SiteView) -> None:
    post = site_view.make_post(status="publish")
    account = accounts()
    account.sync()
    site_view.request("DELETE", f"wp/v2/posts/{post['id']}")
    account.sync()
    local_id = account.cache.posts.local_id(post["id"])
    assert local_id is not None
    assert account.cache.posts.get(local_id).fields.status == "trash"
    site_view.request("POST", f"wp/v2/posts/{post['id']}", json={"status": "draft"})
    account.sync()
    assert account.cache.posts.get(local_id).fields.status == "draft"


def test_the_sweep_finds_permanent_deletions_and_confirms_them(
    accounts: Accounts, site_view: SiteView, proxy: FaultProxy
) -> None:
    post, inquiry = site_view.make_post(), site_view.make_inquiry()
    account = accounts(url=proxy.url)
    account.sync()
    site_view.request("DELETE", f"wp/v2/posts/{post['id']}", params={"force": "true"})
    site_view.request("DELETE", f"wp/v2/inquiries/{inquiry['id']}", params={"force": "true"})
    # An incremental round cannot see a permanent deletion...
    assert not account.sync().swept
    assert account.cache.posts.local_id(post["id"]) is not None
    # ...the sweep does, and reads each missing id again before dropping it.
    before = proxy.count
    report = account.sync(full=True)
    assert report.swept and report.outcome == "ok"
    assert account.cache.posts.local_id(post["id"]) is None
    assert account.cache.inquiries.local_id(inquiry["id"]) is None
    sweeps = [s for s in proxy.log[before:] if "_fields=id%2Cmodified_gmt" in s.query]
    assert {s.path.removeprefix("/wp-json/") for s in sweeps} == {
        "wp/v2/posts",
        "wp/v2/inquiries",
    }
    # Each missing id was confirmed by id (a 404) before being dropped.
    assert proxy.seen("GET", f"wp/v2/inquiries/{inquiry['id']}$")
    assert proxy.seen("GET", f"wp/v2/posts/{post['id']}$")


def test_a_record_moving_while_pages_are_read_is_not_missed(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    # The first post of the listing: WordPress gives a new post its own date as modified_gmt.
    moved = site_view.make_post(status="publish", date_gmt="2001-01-01T00:00:00")["id"]
    oldest = site_view._all("wp/v2/posts", status="any,trash", orderby="modified", order="asc")
    assert oldest[0]["id"] == moved
    done: list[bool] = []

    def edit_between_pages(seen: Seen) -> bool:
        # Someone saves the first post while page 2 is being asked for: it jumps to the end
        # of the list, and every later post shifts back by one onto a page already read.
        if seen.path.endswith("/wp/v2/posts") and "page=2" in seen.query and not done:
            done.append(True)
            site_view.request("POST", f"wp/v2/posts/{moved}", json={"title": "Moved"})
        return False  # only a hook: never misbehaves

    proxy.add(Rule("delay", when=edit_between_pages, times=None))
    account = accounts(url=proxy.url)
    one_pass = site_view.pages("wp/v2/posts", per_page=5, status="any,trash", context="edit")
    assert account.sync(options=SyncOptions(per_page=5)).ok and done
    on_site = len(site_view.posts())  # 12 on the seeded demo site
    assert account.cache.posts.counts()["all"] + account.cache.posts.counts().get("trash", 0) == (
        on_site
    )
    local_id = account.cache.posts.local_id(moved)
    assert local_id is not None and account.cache.posts.get(local_id).fields.title == "Moved"
    # The window was read a second time.
    assert len(proxy.seen("GET", r"/wp/v2/posts$")) > one_pass


def test_the_sweep_catches_a_change_the_incremental_pull_missed(
    accounts: Accounts, site_view: SiteView
) -> None:
    # A post last changed long ago: versions have whole seconds, so the sweep can only see a
    # change whose second differs from the version held (posts seeded "now" may not). Written
    # with an old date, a new post is "modified" then (as WordPress does).
    post = site_view.make_post(status="publish", date_gmt="2002-02-02T02:02:02")
    assert post["modified_gmt"] == "2002-02-02T02:02:02"
    account = accounts()
    account.sync()
    site_view.request("POST", f"wp/v2/posts/{post['id']}", json={"title": "Behind the cursor"})
    # As if the change had been saved with an older modified_gmt than the newest one seen
    # (a long transaction on the site, a clock step): the incremental window misses it.
    account.cache.outbox.set_cursor("posts", modified_after=datetime(2099, 1, 1, tzinfo=UTC))
    assert account.sync().pulled == 0
    local_id = account.cache.posts.local_id(post["id"])
    assert local_id is not None
    assert account.cache.posts.get(local_id).fields.title != "Behind the cursor"
    report = account.sync(full=True)
    assert report.swept and report.pulled_by_kind == {"posts": 1}
    assert account.cache.posts.get(local_id).fields.title == "Behind the cursor"


def _site_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def test_a_post_scheduled_on_the_site_does_not_hide_later_changes(
    accounts: Accounts, site_view: SiteView
) -> None:
    token = uuid.uuid4().hex[:8]
    other = site_view.request("POST", "wp/v2/posts", json={"title": f"Plain {token}"})
    account = accounts()
    account.sync()
    # WordPress gives a new post its own date as modified_gmt: a post scheduled three days
    # ahead is "modified" three days from now, and comes last in a modified-ordered listing.
    when = _site_time(datetime.now(UTC) + timedelta(days=3))
    scheduled = site_view.request(
        "POST",
        "wp/v2/posts",
        json={"title": f"Scheduled {token}", "status": "publish", "date_gmt": when},
    )
    try:
        assert (scheduled["status"], scheduled["modified_gmt"]) == ("future", when)
        account.sync()
        assert account.cache.posts.local_id(scheduled["id"]) is not None
        # The window must not jump to that date: a change made now still arrives next round.
        site_view.request("POST", f"wp/v2/posts/{other['id']}", json={"title": f"Now {token}"})
        assert account.sync().pulled_by_kind == {"posts": 1}
        local_id = account.cache.posts.local_id(other["id"])
        assert local_id is not None
        assert account.cache.posts.get(local_id).fields.title == f"Now {token}"
        assert account.sync().pulled == 0  # and the scheduled post is not counted every round
    finally:
        site_view.request("DELETE", f"wp/v2/posts/{scheduled['id']}", params={"force": "true"})


def test_a_back_dated_post_made_on_the_site_is_found_by_the_sweep(
    accounts: Accounts, site_view: SiteView
) -> None:
    account = accounts()
    account.sync()
    # Created with a date long past, it is "modified" then too: no modified_after window that
    # starts after the first round can list it. Only the sweep compares every id.
    when = _site_time(datetime.now(UTC) - timedelta(days=400))
    old = site_view.request(
        "POST",
        "wp/v2/posts",
        json={"title": f"Back-dated {uuid.uuid4().hex[:8]}", "status": "publish", "date_gmt": when},
    )
    assert old["modified_gmt"] == when
    assert account.sync().pulled == 0
    assert account.cache.posts.local_id(old["id"]) is None
    report = account.sync(full=True)
    assert report.swept and report.pulled_by_kind["posts"] == 1
    local_id = account.cache.posts.local_id(old["id"])
    assert local_id is not None
    assert account.cache.posts.get(local_id).fields.title == old["title"]["raw"]


def test_sweep_cadence_is_kept_in_the_cursor_table(accounts: Accounts) -> None:
    account = accounts()
    clock = [datetime(2030, 1, 1, tzinfo=UTC)]
    options = SyncOptions(sweep_every_rounds=3)
    swept = [account.sync(options=options, clock=lambda: clock[0]).swept for _ in range(7)]
    # The first (full) round stands for a sweep; then every third round.
    assert swept == [True, False, False, True, False, False, True]
    assert account.cache.outbox.cursor("sweep").last_full_sweep == clock[0]
    clock[0] += options.sweep_interval
    assert account.sync(options=options, clock=lambda: clock[0]).swept  # time is up too


# -- scheduled posts ------------------------------------------------------------------------------


class FakeClock:
    """A clock the test moves by hand (the site's and the engine's)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clocked_site(tmp_path: Path) -> Iterator[tuple[SiteUnderTest, FakeClock]]:
    clock = FakeClock()
    demo = start(config=SiteConfig(data_dir=tmp_path / "clocked", clock=clock))
    try:
        users = {role: (c.user, c.app_password) for role, c in demo.users.items()}
        yield SiteUnderTest(url=demo.url, users=users, handle=demo), clock
    finally:
        demo.stop()


@pytest.mark.demosite_only(reason="moves the site's clock past a post's scheduled date")
def test_a_scheduled_post_published_without_a_new_version_is_reread(
    clocked_site: tuple[SiteUnderTest, FakeClock], tmp_path: Path
) -> None:
    site, clock = clocked_site
    made = Accounts(site, tmp_path / "accounts")
    try:
        account = made()
        view = SiteView(site)
        created = view.request(
            "POST",
            "wp/v2/posts",
            json={
                "title": "Scheduled",
                "status": "publish",
                "date_gmt": (clock.now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
            },
        )
        assert created["status"] == "future"
        account.sync(clock=clock)
        local_id = account.cache.posts.local_id(created["id"])
        assert local_id is not None
        assert account.cache.posts.get(local_id).fields.status == "future"
        clock.now += timedelta(hours=3)
        published = view.post(created["id"])
        assert published["status"] == "publish"
        assert published["modified_gmt"] == created["modified_gmt"]  # no new version
        account.sync(clock=clock)
        assert account.cache.posts.get(local_id).fields.status == "publish"
    finally:
        made.close()


# -- progress, cancellation, the lock, threads ---------------------------------------------------


def test_progress_is_reported_step_by_step(accounts: Accounts) -> None:
    account = accounts()
    account.cache.posts.create(title="New here")
    seen: list[SyncProgress] = []
    report = account.sync(progress=seen.append)
    phases = list(dict.fromkeys(p.phase for p in seen))
    # Images are fetched when posts use some (none on the seeded demo site).
    images = ["media"] if report.pulled_by_kind.get("media") else []
    assert phases == [
        "sign_in",
        # The inbox and the triage changes first; the post catalogue after.
        "inquiries",
        "notes",
        "push",
        "terms",
        "users",
        "posts",
        *images,
        "done",
    ]
    assert all(p.message for p in seen)
    pushes = [p for p in seen if p.phase == "push"]
    assert (pushes[0].done, pushes[-1].done, pushes[-1].total) == (0, 1, 1)


def test_a_failing_progress_callback_does_not_stop_the_round(accounts: Accounts) -> None:
    account = accounts()

    def broken(progress: SyncProgress) -> None:
        raise RuntimeError("display went away")

    assert account.sync(progress=broken).outcome == "ok"


def test_cancel_stops_between_steps_and_the_next_round_completes(
    accounts: Accounts, site_view: SiteView
) -> None:
    account = accounts()
    local_id = account.cache.posts.create(title="Waiting to go")
    cancel = threading.Event()

    def stop_after_notes(progress: SyncProgress) -> None:
        if progress.phase == "notes":
            cancel.set()

    report = account.sync(progress=stop_after_notes, cancel=cancel)
    assert report.outcome == "cancelled" and report.pushed == 0
    assert [e.state for e in account.cache.outbox.entries()] == ["pending"]
    assert account.cache.inquiries.page("open").items  # the inquiries page was kept
    assert account.sync().outcome == "ok"
    remote_id = account.cache.posts.get(local_id).remote_id
    assert remote_id is not None and site_view.post(remote_id)["title"]["raw"] == "Waiting to go"
    fixtures.assert_converged(account.cache, site_view)


def test_two_engines_on_one_account_never_run_at_once(accounts: Accounts) -> None:
    account = accounts()
    with AccountLock(account.folder):
        report = account.sync()
    assert report.outcome == "busy" and report.requests == 0
    assert account.sync().outcome == "ok"  # released


def test_the_ui_thread_reads_while_a_round_runs(
    accounts: Accounts, fresh_site: SiteUnderTest, site_view: SiteView
) -> None:
    account = accounts()
    result: dict[str, Any] = {}

    def worker() -> None:
        # Its own client: a SiteClient belongs to one thread.
        with make_client(fresh_site.url, fresh_site.auth("administrator")) as client:
            result["report"] = run_round(client, account.cache)

    thread = threading.Thread(target=worker)
    thread.start()
    reads = 0
    seen_counts: list[int] = []
    while thread.is_alive() or reads == 0:
        seen_counts.append(account.cache.posts.counts()["all"])
        account.cache.inquiries.page("open", limit=50)
        account.cache.inquiries.counts()
        reads += 1
        time.sleep(0.001)
    thread.join()
    # The loop's last read may come just before the round stores its last page (posts are pulled
    # after inquiries): read once more now that the round is over.
    seen_counts.append(account.cache.posts.counts()["all"])
    assert result["report"].outcome == "ok"
    assert seen_counts == sorted(seen_counts)  # never a half-applied page going backwards
    outside_trash = sum(1 for p in site_view.posts() if p["status"] != "trash")  # 12 in the demo
    assert seen_counts[-1] == outside_trash and reads > 1


def test_an_intake_specialist_syncs_inquiries_only(accounts: Accounts) -> None:
    account: Account = accounts("intake")
    report = account.sync()
    assert report.outcome == "ok" and not report.errors
    assert account.cache.posts.counts()["all"] == 0
    assert account.cache.inquiries.counts()["all"] > 0


# -- a post published here before its first sync ---------------------------------------------


def test_edits_after_publish_wait_for_update_even_before_the_first_sync(
    accounts: Accounts, site_view: SiteView
) -> None:
    account = accounts()
    local_id = account.cache.posts.create(title="Finding calm", content="<p>Published words.</p>")
    account.cache.posts.edit(local_id, status="publish")  # Publish, offline
    account.cache.posts.edit(local_id, title="Finding calm (draft 2)", content="<p>Not yet.</p>")
    assert account.cache.posts.get(local_id).unpublished_changes

    assert account.sync().ok
    detail = account.cache.posts.get(local_id)
    assert detail.remote_id is not None
    live = site_view.post(detail.remote_id)
    assert live["status"] == "publish"
    assert (live["title"]["raw"], live["content"]["raw"]) == (
        "Finding calm",
        "<p>Published words.</p>",
    ), "the words typed after Publish are not live before Update"
    assert detail.fields.title == "Finding calm (draft 2)", "they stay on this computer"
    assert detail.unpublished_changes

    assert account.cache.posts.publish_changes(local_id)  # Update
    assert account.sync().ok
    live = site_view.post(detail.remote_id)
    assert (live["title"]["raw"], live["content"]["raw"]) == (
        "Finding calm (draft 2)",
        "<p>Not yet.</p>",
    )
    assert not account.cache.posts.get(local_id).unpublished_changes
    fixtures.assert_converged(account.cache, site_view)
