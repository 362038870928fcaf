"""No single record or listing stops the inbox: record-by-record reading, kinds pulled on their
own, inquiries first, a looping or shrinking listing noticed.

Over real HTTP against the reference site (and, unless marked, a real WordPress in CI); the
faults a real site cannot be told to produce (a broken character in an answer, a page cache that
ignores ``?page=``, a deletion at an exact point of a listing) come from the fault proxy.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from clinicdesk.site import TriageStatus
from clinicdesk.sync import SyncOptions, SyncProgress, unreadable_lines
from tests.fixtures import sync as fixtures
from tests.fixtures.client import tiny_png
from tests.fixtures.faults import FaultProxy, Rule, Seen, break_record
from tests.fixtures.sync import Account, Accounts, SiteView

accounts = fixtures.accounts
proxy = fixtures.proxy
site_view = fixtures.site_view

POSTS = r"/wp/v2/posts$"
_NEXT: dict[str, TriageStatus] = {"new": "contacted", "contacted": "scheduled"}


def _triage_locally(account: Account) -> tuple[int, TriageStatus]:
    """Change an inquiry's status here (an outbox entry); returns (its site id, the status)."""
    inquiry = account.cache.inquiries.page("open").items[0]
    status = _NEXT.get(inquiry.triage_status, "contacted")
    assert account.cache.inquiries.set_triage(inquiry.id, triage_status=status)
    remote_id = account.cache.inquiries.get(inquiry.id).remote_id
    assert remote_id is not None
    return remote_id, status


def _has_inquiry(account: Account, remote_id: int) -> bool:
    return account.cache.inquiries.local_id(remote_id) is not None


def _post_title(account: Account, remote_id: int) -> str | None:
    local_id = account.cache.posts.local_id(remote_id)
    return None if local_id is None else account.cache.posts.get(local_id).fields.title


# -- 1a: one record the app cannot read ---------------------------------------------------------


def test_an_overlong_contributor_title_neither_stops_the_inbox_nor_the_push(
    accounts: Accounts, site_view: SiteView
) -> None:
    editor = accounts("editor")
    assert editor.sync().ok
    # WordPress keeps a title in a TEXT column: a contributor can save 10,001 characters.
    title = "A very long draft title " + "x" * (10_001 - 24)
    draft = site_view.request(
        "POST", "wp/v2/posts", role="contributor", json={"title": title, "status": "draft"}
    )
    arrival = site_view.make_inquiry("I need to talk to someone soon.")
    triaged, status = _triage_locally(editor)

    report = editor.sync()

    assert report.outcome == "ok", report.summary()
    assert _has_inquiry(editor, arrival["id"])  # the new inquiry arrived
    assert site_view.inquiry(triaged)["meta"]["triage_status"] == status  # triage went out
    assert _post_title(editor, draft["id"]) == title  # and the draft is read whole
    assert report.unreadable == ()


@pytest.mark.demosite_only(reason="rewrites the site's answers (WordPress may send them chunked)")
def test_a_record_that_cannot_be_read_is_put_aside_until_it_reads(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts("editor", url=proxy.url)
    assert account.sync().ok
    broken = site_view.make_post("Will arrive broken")
    other = site_view.make_post("Arrives fine")
    arrival = site_view.make_inquiry()
    triaged, status = _triage_locally(account)
    proxy.add(
        Rule(
            "rewrite",
            method="GET",
            path=POSTS,
            times=None,
            answer=break_record(broken["id"], "title.raw", "Broken \udc00 title"),
        )
    )

    report = account.sync()

    # The rest of the round went as usual.
    assert report.outcome == "ok", report.summary()
    assert _has_inquiry(account, arrival["id"])
    assert site_view.inquiry(triaged)["meta"]["triage_status"] == status
    assert _post_title(account, other["id"]) == other["title"]["raw"]
    # The broken post is put aside, said so, and never stored.
    assert [(r.kind, r.remote_id) for r in report.unreadable] == [("post", broken["id"])]
    assert "title.raw" in report.unreadable[0].reason
    (line,) = unreadable_lines(report.unreadable)
    assert line.startswith(f"1 post could not be read (id {broken['id']}): its field “title.raw”")
    assert line in report.summary()
    assert _post_title(account, broken["id"]) is None
    # The cursor moved past it: the next round does not stop at it either.
    cursor = account.cache.outbox.cursor("posts").modified_after
    assert cursor is not None and cursor.strftime("%Y-%m-%dT%H:%M:%S") >= broken["modified_gmt"]

    # Kept in the cache: a restart still tells the user.
    accounts.reopen(account)
    again = account.sync()
    assert again.ok and [r.remote_id for r in again.unreadable] == [broken["id"]]

    # Fixed on the site: read at last, and no longer put aside.
    proxy.clear()
    site_view.request("POST", f"wp/v2/posts/{broken['id']}", json={"title": "Fixed title"})
    fixed = account.sync()
    assert fixed.ok and fixed.unreadable == ()
    assert _post_title(account, broken["id"]) == "Fixed title"


@pytest.mark.demosite_only(reason="rewrites the site's answers (WordPress may send them chunked)")
def test_the_sweep_never_takes_a_record_it_cannot_read_for_deleted(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    post = site_view.make_post("Read once, then broken")
    account = accounts(url=proxy.url)
    assert account.sync().ok
    before = _post_title(account, post["id"])
    assert before == post["title"]["raw"]
    # From now on its version cannot be read anywhere: in the listing, the sweep, by id.
    proxy.add(
        Rule(
            "rewrite",
            method="GET",
            path=rf"/wp/v2/posts(/{post['id']})?$",
            times=None,
            answer=break_record(post["id"], "modified_gmt", "yesterday"),
        )
    )

    report = account.sync(full=True)  # the sweep runs

    assert report.ok and report.swept, report.summary()
    assert [(r.kind, r.remote_id) for r in report.unreadable] == [("post", post["id"])]
    assert _post_title(account, post["id"]) == before  # kept, not deleted


@pytest.mark.demosite_only(reason="rewrites the site's answers (WordPress may send them chunked)")
def test_a_category_that_cannot_be_read_is_put_aside_not_deleted(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts(url=proxy.url)
    assert account.sync().ok
    known = {t.remote_id for t in account.cache.catalog.terms("category")}
    victim = site_view.categories()[0]
    assert victim["id"] in known
    proxy.add(
        Rule(
            "rewrite",
            method="GET",
            path=r"/wp/v2/categories$",
            times=None,
            answer=break_record(victim["id"], "name", "x" * 201),  # VARCHAR(200) in WordPress
        )
    )

    report = account.sync(full=True)  # the catalogue is read on sweep rounds

    assert report.ok, report.summary()
    assert [(r.kind, r.remote_id) for r in report.unreadable] == [("category", victim["id"])]
    assert unreadable_lines(report.unreadable)[0].startswith("1 category could not be read")
    assert {t.remote_id for t in account.cache.catalog.terms("category")} == known


@pytest.mark.demosite_only(reason="rewrites the site's answers (WordPress may send them chunked)")
def test_an_image_that_cannot_be_read_does_not_stop_the_others(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts(url=proxy.url)
    assert account.sync().ok
    images = []
    for name in ("broken.png", "fine.png"):
        image = site_view.request(
            "POST",
            "wp/v2/media",
            data=tiny_png(),
            headers={
                "Content-Type": "image/png",
                "Content-Disposition": f'attachment; filename="{name}"',
            },
        )
        post = site_view.make_post(f"Shows {name}")
        site_view.request("POST", f"wp/v2/posts/{post['id']}", json={"featured_media": image["id"]})
        images.append(image)
    broken, fine = images
    proxy.add(
        Rule(
            "rewrite",
            method="GET",
            path=rf"/wp/v2/media/{broken['id']}$",
            times=None,
            answer=break_record(broken["id"], "mime_type", "image/" + "x" * 200),
        )
    )

    report = account.sync()

    assert report.ok, report.summary()
    assert fine["id"] in {m.remote_id for m in account.cache.catalog.media()}
    assert [(r.kind, r.remote_id) for r in report.unreadable] == [("media item", broken["id"])]
    assert "mime_type" in report.unreadable[0].reason


# -- 1b: each kind on its own; inquiries first --------------------------------------------------


def test_a_failing_posts_listing_stops_neither_the_inquiries_nor_the_push(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    account = accounts("editor", url=proxy.url)
    assert account.sync().ok
    arrival = site_view.make_inquiry()
    triaged, status = _triage_locally(account)
    proxy.add(Rule("status", method="GET", path=POSTS, times=None, status=500))

    report = account.sync()

    assert _has_inquiry(account, arrival["id"])
    assert site_view.inquiry(triaged)["meta"]["triage_status"] == status
    assert report.pushed == 1
    # The round says what failed.
    assert report.outcome == "failed"
    assert [e.kind for e in report.errors] == ["server"]
    proxy.clear()
    assert account.sync().ok


def test_inquiries_and_the_push_go_before_the_post_catalogue(
    accounts: Accounts, proxy: FaultProxy
) -> None:
    account = accounts(url=proxy.url)
    assert account.sync().ok
    _triage_locally(account)
    before = proxy.count
    assert account.sync().ok
    routes = [(s.method, s.path.removeprefix("/wp-json/")) for s in proxy.log[before:]]
    assert routes.index(("GET", "wp/v2/inquiries")) < routes.index(("GET", "wp/v2/posts"))
    assert routes.index(("GET", "clinicdesk/v1/notes")) < routes.index(("GET", "wp/v2/posts"))
    pushed = next(i for i, (method, _path) in enumerate(routes) if method == "POST")
    assert pushed < routes.index(("GET", "wp/v2/posts"))


# -- 3c: a site that ignores ?page= -------------------------------------------------------------


def _without_page(target: str) -> str:
    path, _, query = target.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "page"]
    return f"{path}?{urlencode(kept)}"


def test_a_site_that_ignores_the_page_number_fails_that_listing_only(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    options = SyncOptions(per_page=2)
    assert site_view.pages("wp/v2/posts", per_page=2, status="any,trash", context="edit") > 2
    account = accounts(url=proxy.url)
    proxy.add(Rule("rewrite", method="GET", path=POSTS, times=None, target=_without_page))

    report = account.sync(options=options)

    assert report.outcome == "failed"
    assert any("ignores the page number" in e.message for e in report.errors)
    # Stopped at the second page of each listing of posts (the changes, then the sweep's
    # versions), not at the last one the site announces.
    assert len(proxy.seen("GET", POSTS)) <= 4
    # The inbox synced whole all the same.
    assert {i["id"] for i in site_view.inquiries()} == set(
        account.cache.outbox.known_versions("inquiry")
    )


# -- 5a: a post deleted for good while a listing is paged ---------------------------------------


def test_a_post_deleted_mid_listing_does_not_hide_a_changed_post(
    accounts: Accounts, proxy: FaultProxy, site_view: SiteView
) -> None:
    options = SyncOptions(per_page=2)
    account = accounts(url=proxy.url)
    assert account.sync(options=options).ok
    # Changed on the site after that round, in this order (ties are ordered by id).
    doomed = site_view.make_post("Deleted while the list is read")
    made = {p["id"]: p for p in (site_view.make_post(f"Changed {n}") for n in range(5))}
    shifted: list[int] = []

    def delete_one_already_read(seen: Seen) -> bool:
        """At the first page of the changes listing that starts with one of ours and comes
        after the page holding ``doomed``: ``doomed`` is deleted for good, so ours moves onto
        the page before, already read."""
        query = dict(parse_qsl(seen.query, keep_blank_values=True))
        page = int(query.get("page", "1"))
        if page < 2 or "modified_after" not in query:
            return False
        upto = (page - 1) * int(query["per_page"]) + 1
        window = site_view.request(
            "GET", "wp/v2/posts", params={**query, "page": 1, "per_page": upto}
        )
        read = [p["id"] for p in window[:-1]]
        if len(window) < upto or window[-1]["id"] not in made or doomed["id"] not in read:
            return False
        site_view.request("DELETE", f"wp/v2/posts/{doomed['id']}", params={"force": "true"})
        shifted.append(window[-1]["id"])
        return True

    # A rule that rewrites nothing: it only acts on the site at that exact point.
    proxy.add(Rule("rewrite", method="GET", path=POSTS, when=delete_one_already_read))

    report = account.sync(options=options)

    assert report.ok, report.summary()
    assert len(shifted) == 1  # the deletion happened mid-listing
    for post_id, post in made.items():  # and no change was skipped
        assert _post_title(account, post_id) == post["title"]["raw"]


# -- 8: the newest inquiries first --------------------------------------------------------------


@pytest.mark.demosite_only(reason="needs 250 inquiries bulk-seeded on a private site")
@pytest.mark.parametrize("fresh_site", [{"bulk_inquiries": 250}], indirect=True)
def test_a_first_sign_in_stores_the_newest_inquiries_first(
    accounts: Accounts, site_view: SiteView
) -> None:
    account = accounts()
    first_page: list[set[int]] = []
    posts_then: list[int] = []

    def watch(step: SyncProgress) -> None:
        if step.phase == "inquiries" and not first_page:
            # The first page of the inbox is stored before anything else.
            first_page.append(set(account.cache.outbox.known_versions("inquiry")))
            posts_then.append(account.cache.posts.counts()["all"])

    report = account.sync(options=SyncOptions(per_page=50), progress=watch)

    assert report.ok
    everything = site_view.inquiries()
    newest = sorted(everything, key=lambda i: (i["date_gmt"], i["id"]), reverse=True)[:50]
    assert first_page == [{i["id"] for i in newest}]
    assert posts_then == [0]  # before the post catalogue
    assert len(report.new_inquiries) == len(everything)
    # The crisis check reads them in the order stored: the newest first.
    assert list(report.new_inquiries[:50]) == [i["id"] for i in newest]
