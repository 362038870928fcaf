"""A sync process killed with SIGKILL at a random moment loses nothing and duplicates nothing.

A child process runs sync rounds against the site (through a proxy that slows every answer, so
a round spans many steps); the test kills it at a random point, then reopens the cache in this
process, runs clean rounds and checks that every local change is on the site exactly once.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.fixtures import sync as fixtures
from tests.fixtures.client import tiny_png
from tests.fixtures.faults import FaultProxy, Rule, Seen
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import KEY_BYTES, Account, Accounts, SiteView, cache_is_sound

accounts = fixtures.accounts
site_view = fixtures.site_view

REPO = Path(__file__).resolve().parents[2]

_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from clinicdesk.store import CacheKey, open_cache
    from clinicdesk.sync import run_round
    from tests.fixtures.sync import make_client

    config = json.loads(sys.stdin.readline())
    cache = open_cache(Path(config["cache"]), CacheKey.from_bytes(bytes.fromhex(config["key"])))
    client = make_client(config["url"], tuple(config["credentials"]))
    print("ready", flush=True)
    n = 0
    while True:
        report = run_round(client, cache)
        print("round", n, report.outcome, report.pushed, flush=True)
        n += 1
    """
)


def _spawn_child() -> subprocess.Popen[str]:
    """The child process running sync rounds until it is killed (it first waits for its config)."""
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        text=True,
    )


def _start_rounds(child: subprocess.Popen[str], account: Account, url: str) -> None:
    """Give the child the account's cache and the site at ``url``; returns once its cache is
    open and its rounds are about to start."""
    assert child.stdin is not None and child.stdout is not None
    config = {
        "cache": str(account.folder / "cache.db"),
        "key": KEY_BYTES.hex(),
        "url": url,
        "credentials": list(account.credentials),
    }
    child.stdin.write(json.dumps(config) + "\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "ready"


def _reap(child: subprocess.Popen[str]) -> None:
    """Wait for the killed child and close its pipes."""
    child.wait(timeout=30)
    for pipe in (child.stdin, child.stdout):
        if pipe is not None:
            pipe.close()


def _local_changes(account: Account) -> tuple[list[str], list[str], tuple[int, str], str]:
    """A spread of waiting changes; returns the titles of new posts, the notes' texts, the
    site id and new title of the post retitled, and the name of the image uploaded.

    Every value is this test's own (the site may be shared with other tests and earlier runs),
    and every change really changes something.
    """
    cache = account.cache
    token = uuid.uuid4().hex[:8]
    posts = cache.posts.page(sort="title", descending=False).items  # the site's, synced
    titles = [f"Crash post {token} {n}" for n in range(4)]
    picture = account.folder / f"crash-{token}.png"
    picture.write_bytes(tiny_png())
    image = cache.catalog.queue_upload(picture, "image/png", alt_text=f"Crash image {token}")
    for n, title in enumerate(titles):
        featured = image if n == 0 else None  # the first post waits for the upload
        cache.posts.create(title=title, content=f"<p>{title}</p>", featured_media=featured)
    retitled = f"{posts[0].title} (edited {token})"
    cache.posts.edit(posts[0].id, title=retitled)
    cache.posts.edit(posts[1].id, excerpt=f"Edited before the crash {token}")
    for post in posts[:2]:
        # Update: the edits of a post that is live on the site wait for it (on a shared site
        # the first titles may be published posts); a no-op for the others.
        cache.posts.publish_changes(post.id)
    cache.posts.trash(posts[2].id)
    inquiries = cache.inquiries.page("open", limit=3).items
    status = "scheduled" if inquiries[0].triage_status == "contacted" else "contacted"
    cache.inquiries.set_triage(inquiries[0].id, triage_status=status)
    cache.inquiries.set_triage(
        inquiries[1].id, urgent=not inquiries[1].urgent, unread=not inquiries[1].unread
    )
    texts = [f"Crash note {token} {n}" for n in range(3)]
    for inquiry, text in zip(inquiries, texts, strict=True):
        cache.inquiries.add_note(inquiry.id, "note", text, author=0, author_name="Me")
    remote_id = posts[0].remote_id
    assert remote_id is not None
    return titles, texts, (remote_id, retitled), f"crash-{token}"


@pytest.mark.parametrize("seed", [11, 22, 33, 44])
def test_sigkill_at_a_random_point_then_a_clean_round_loses_and_duplicates_nothing(
    accounts: Accounts, fresh_site: SiteUnderTest, site_view: SiteView, seed: int
) -> None:
    account = accounts(name="crash")
    assert account.sync().ok
    titles, texts, (retitled_id, retitled), image = _local_changes(account)
    account.cache.close()  # the child owns the file now, as a worker process would

    with FaultProxy(fresh_site.url) as proxy:
        proxy.add(Rule("delay_after", delay=0.03, times=None))
        child = _spawn_child()
        try:
            _start_rounds(child, account, proxy.url)
            time.sleep(random.Random(seed).uniform(0.0, 1.5))
        finally:
            os.kill(child.pid, signal.SIGKILL)
            _reap(child)
        assert child.returncode == -signal.SIGKILL
        killed_after = proxy.count
    # The proxy is stopped: every request the child had on the wire has reached the site.

    accounts.reopen(account)
    cache_is_sound(account.cache)
    report = fixtures.sync_until_quiet(account)
    assert report.outcome == "ok", report.summary()
    fixtures.assert_converged(account.cache, site_view)
    on_site = [p["title"]["raw"] for p in site_view.posts()]
    for title in titles:
        assert on_site.count(title) == 1, f"{title} after {killed_after} requests"
    notes = [n["content"] for n in site_view.notes()]
    for text in texts:
        assert notes.count(text) == 1, f"{text} after {killed_after} requests"
    assert [p["id"] for p in site_view.posts() if p["title"]["raw"] == retitled] == [retitled_id]
    uploads = [m["id"] for m in site_view.media() if image in m["source_url"]]
    assert len(uploads) == 1, f"{image} after {killed_after} requests"  # stored once
    first = [p for p in site_view.posts() if p["title"]["raw"] == titles[0]]
    assert first[0]["featured_media"] == uploads[0]
    print(f"\n  killed after {killed_after} requests; converged in {len(account.reports)} rounds")


# -- SIGKILL inside the adopted-create path ------------------------------------------------------

#: Where the child is killed while it adopts a create whose answer was lost and merges it with a
#: colleague's change: (method, path pattern with {id} for the post's site id, the how-manieth
#: such request, "before" it reaches the site or "after" the site acted on it).
_ADOPTION_KILL_POINTS = [
    ("GET", r"/wp/v2/posts$", 1, "after"),  # listed, the adoption not stored yet
    ("GET", r"/wp/v2/posts/{id}$", 1, "before"),  # adopted; the push's re-read not sent
    ("GET", r"/wp/v2/posts/{id}$", 1, "after"),  # re-read, the merge not stored
    ("GET", r"/wp/v2/posts/{id}$", 2, "before"),  # merged; the merged change's re-read
    ("POST", r"/wp/v2/posts/{id}$", 1, "before"),  # the merged change about to go
    ("POST", r"/wp/v2/posts/{id}$", 1, "after"),  # written, its answer never read
]


@pytest.mark.parametrize(
    "kill_at", _ADOPTION_KILL_POINTS, ids=[f"{m}-{n}-{w}" for m, _, n, w in _ADOPTION_KILL_POINTS]
)
def test_sigkill_inside_an_adopted_create_never_undoes_a_colleague_nor_duplicates(
    accounts: Accounts,
    fresh_site: SiteUnderTest,
    site_view: SiteView,
    kill_at: tuple[str, str, int, str],
) -> None:
    method, pattern, nth, when = kill_at
    account = accounts(name="adopt")
    token = uuid.uuid4().hex[:8]
    with FaultProxy(fresh_site.url) as proxy:
        account.use(proxy.url)
        assert account.sync().ok
        # The create reaches the site; its answer and the look-up after it are lost.
        local_id = account.cache.posts.create(title=f"Adopted {token}", content="<p>Sent</p>")
        proxy.add(Rule("drop_after", method="POST", path=r"/wp/v2/posts$"))
        proxy.add(
            Rule(
                "drop_before",
                path=r"/wp/v2/posts$",
                when=lambda s: "clinicdesk_client_id" in s.query,
                times=None,
            )
        )
        assert account.sync().outcome != "ok"
    [created] = [p for p in site_view.posts() if p["title"]["raw"] == f"Adopted {token}"]
    post_id = int(created["id"])
    # Meanwhile a colleague retitles it on the site, and the author adds an excerpt here.
    site_view.request("POST", f"wp/v2/posts/{post_id}", json={"title": f"Theirs {token}"})
    account.cache.posts.edit(local_id, excerpt=f"Mine {token}")
    account.cache.close()

    killed = threading.Event()
    with FaultProxy(fresh_site.url) as proxy:
        child = _spawn_child()

        def kill(_seen: object = None) -> None:
            os.kill(child.pid, signal.SIGKILL)
            killed.set()

        count = itertools.count(1)
        path = pattern.format(id=post_id)

        def nth_match(seen: Seen) -> bool:
            return "clinicdesk_client_id" not in seen.query and next(count) == nth

        if when == "before":
            proxy.add(
                Rule(
                    "drop_before",
                    method=method,
                    path=path,
                    times=None,
                    when=lambda s: nth_match(s) and (kill() or True),
                )
            )
        else:
            proxy.add(Rule("drop_after", method=method, path=path, when=nth_match, after=kill))
        try:
            _start_rounds(child, account, proxy.url)
            reached = killed.wait(timeout=120)
        finally:
            if not killed.is_set():
                os.kill(child.pid, signal.SIGKILL)
            _reap(child)
        assert reached, f"the child never made request {nth} {method} {path}"
        assert child.returncode == -signal.SIGKILL

    accounts.reopen(account)
    cache_is_sound(account.cache)
    account.use(fresh_site.url)
    report = fixtures.sync_until_quiet(account)
    assert report.outcome == "ok" and report.conflicts == (), report.summary()
    fixtures.assert_converged(account.cache, site_view)
    mine = [p for p in site_view.posts() if p["excerpt"]["raw"] == f"Mine {token}"]
    assert [p["id"] for p in mine] == [post_id], "created once"
    assert mine[0]["title"]["raw"] == f"Theirs {token}", "the colleague's retitle was undone"
    assert mine[0]["content"]["raw"] == "<p>Sent</p>"
    fields = account.cache.posts.get(local_id).fields
    assert (fields.title, fields.excerpt) == (f"Theirs {token}", f"Mine {token}")
