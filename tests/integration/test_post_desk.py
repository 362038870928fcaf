"""The editor's writes through the services room reach the site (over real HTTP)."""

from __future__ import annotations

from clinicdesk.services.posts import PostDesk
from tests.fixtures import sync as fixtures
from tests.fixtures.sync import Accounts, SiteView

accounts = fixtures.accounts
site_view = fixtures.site_view


def test_a_post_written_offline_through_the_desk_reaches_the_site(
    accounts: Accounts, site_view: SiteView
) -> None:
    account = accounts("editor")
    account.sync()
    desk = PostDesk(account.cache)

    local_id = desk.create(title="Written offline", content="<p>First words</p>")
    assert desk.edit(local_id, title="Written offline, then edited")
    assert account.cache.outbox.count() == 1, "the create and its edit wait as one change"

    report = account.sync()
    assert report.pushed == 1
    remote_id = account.cache.posts.get(local_id).remote_id
    assert remote_id is not None
    on_site = site_view.post(remote_id)
    assert on_site["title"]["raw"] == "Written offline, then edited"
    assert on_site["status"] == "draft"

    desk.trash(local_id)
    account.sync()
    assert site_view.post(remote_id)["status"] == "trash"
    assert account.cache.outbox.count() == 0
