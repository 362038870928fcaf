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

import uuid

import pytest

from tests.fixtures import sync as fixtures
from tests.fixtures.faults import FaultProxy, Rule, Seen
from tests.fixtures.sync import Account, Accounts, SiteView

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
