"""A listing whose pages the site thins out is read to its last page.

WordPress drops from each page, after the query, the records the user may not see (in edit
context: may not edit), while ``X-WP-Total`` still counts them. A contributor on a site with more
posts than one page holds sees a first page with nothing of theirs on it (the posts are read
oldest change first, and their own draft is the newest): an empty page is not the end of the
list. The reference site thins pages the same way, so this runs on both.
"""

from __future__ import annotations

import uuid

from clinicdesk.sync import SyncOptions
from tests.fixtures import sync as fixtures
from tests.fixtures.sync import Accounts, SiteView

accounts = fixtures.accounts
site_view = fixtures.site_view


def test_a_contributors_newest_draft_comes_down_past_pages_of_others_posts(
    accounts: Accounts, site_view: SiteView
) -> None:
    title = f"A contributor's draft {uuid.uuid4().hex[:8]}"
    draft = site_view.request("POST", "wp/v2/posts", role="contributor", json={"title": title})
    try:
        account = accounts("contributor")
        # Two posts a page: the site's older posts by others fill the first pages, and the
        # contributor's draft (changed last) is on the last one.
        report = account.sync(options=SyncOptions(per_page=2))
        assert report.ok, report
        cached = {post.remote_id for post in account.cache.posts.page(limit=1000).items}
        assert draft["id"] in cached
    finally:
        site_view.request("DELETE", f"wp/v2/posts/{draft['id']}", params={"force": "true"})
