"""A sync round against the reference site over real HTTP: first sync, incremental rounds,
the sweep, scheduled posts, progress, cancellation, the lock, and a UI thread reading meanwhile."""

from __future__ import annotations

import threading
import time
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
    accounts: Accounts, fresh_site: SiteUnderTest, role: str
) -> None:
    account = accounts(role)
    report = account.sync()
    assert report.outcome == "ok" and report.full and not report.errors
    with make_client(fresh_site.url, fresh_site.auth(role)) as check:
        expected = site_counts(check)
    assert cache_counts(account.cache) == expected
    if role == "administrator":
        # The seeded demo site: 12 posts, 42 inquiries with their timelines.
        assert (expected["posts"], expected["inquiries"]) == (12, 42)
        assert expected["notes"] > 0 and expected["staff"] > 0
    assert report.pulled == sum(report.pulled_by_kind.values()) > 0


def test_a_round_with_nothing_changed_costs_four_requests(
    accounts: Accounts, proxy: FaultProxy
) -> None:
    account = accounts(url=proxy.url)
    first = account.sync()
    assert first.requests == proxy.count <= 10
    before = proxy.count
    quiet = account.sync()
    assert quiet.outcome == "ok" and quiet.pulled == 0 and quiet.pushed == 0
    assert quiet.requests == proxy.count - before == 4
    routes = [(s.method, s.path.removeprefix("/wp-json/")) for s in proxy.log[before:]]
    assert routes == [
        ("GET", "wp/v2/users/me"),
        ("GET", "wp/v2/posts"),
        ("GET", "wp/v2/inquiries"),
        ("GET", "clinicdesk/v1/notes"),
    ]
    # Incremental: the windows start where the first round ended (minus the overlaps).
    queries = [s.query for s in proxy.log[before:]]
    assert "modified_after=" in queries[1] and "modified_after=" in queries[2]
    assert "after_id=" in queries[3] and "after_id=0" not in queries[3]


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
    account = accounts()
    account.sync()
    post = site_view.posts()[0]
    site_view.request("POST", f"wp/v2/posts/{post['id']}", json={"title": "Edited on the site"})
    inquiry = site_view.inquiries()[0]
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
    account = accounts()
    account.sync()
    post = site_view.posts()[0]
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
    account = accounts(url=proxy.url)
    account.sync()
    post, inquiry = site_view.posts()[0], site_view.inquiries()[0]
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
    oldest = site_view._all("wp/v2/posts", status="any,trash", orderby="modified", order="asc")
    moved = oldest[0]["id"]
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
    assert account.sync(options=SyncOptions(per_page=5)).ok and done
    assert account.cache.posts.counts()["all"] + account.cache.posts.counts().get("trash", 0) == 12
    local_id = account.cache.posts.local_id(moved)
    assert local_id is not None and account.cache.posts.get(local_id).fields.title == "Moved"
    assert len(proxy.seen("GET", r"/wp/v2/posts$")) > 3  # the window was read a second time


def test_the_sweep_catches_a_change_the_incremental_pull_missed(
    accounts: Accounts, site_view: SiteView
) -> None:
    account = accounts()
    account.sync()
    # A post last changed long ago: versions have whole seconds, so the sweep can only see a
    # change whose second differs from the version held (posts seeded "now" may not).
    post = min(site_view.posts(), key=lambda p: str(p["modified_gmt"]))
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
    account.sync(progress=seen.append)
    phases = list(dict.fromkeys(p.phase for p in seen))
    assert phases == [
        "sign_in",
        "terms",
        "users",
        "posts",
        "inquiries",
        "notes",
        "push",
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

    def stop_after_posts(progress: SyncProgress) -> None:
        if progress.phase == "posts":
            cancel.set()

    report = account.sync(progress=stop_after_posts, cancel=cancel)
    assert report.outcome == "cancelled" and report.pushed == 0
    assert [e.state for e in account.cache.outbox.entries()] == ["pending"]
    assert account.cache.posts.counts()["all"] > 1  # the posts page was kept
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
    accounts: Accounts, fresh_site: SiteUnderTest
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
    assert result["report"].outcome == "ok"
    assert seen_counts == sorted(seen_counts)  # never a half-applied page going backwards
    assert seen_counts[-1] == 12 and reads > 1


def test_an_intake_specialist_syncs_inquiries_only(accounts: Accounts) -> None:
    account: Account = accounts("intake")
    report = account.sync()
    assert report.outcome == "ok" and not report.errors
    assert account.cache.posts.counts()["all"] == 0
    assert account.cache.inquiries.counts()["all"] > 0
