"""What posts refer to: categories, tags and images made offline go out before the posts that
use them; one the site refuses holds only the posts that need it; images are fetched as needed."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.fixtures import sync as fixtures
from tests.fixtures.client import tiny_png
from tests.fixtures.sync import Accounts, SiteView, assert_converged

accounts = fixtures.accounts
site_view = fixtures.site_view


def test_a_tag_and_an_image_made_offline_go_out_before_the_post_using_them(
    accounts: Accounts, site_view: SiteView, tmp_path: Path
) -> None:
    erin = accounts("editor")
    assert erin.sync().ok
    picture = tmp_path / "waiting-room.png"
    picture.write_bytes(tiny_png())
    cache = erin.cache
    token = uuid.uuid4().hex[:8]  # the site may be shared: names of this test's own
    tag = cache.catalog.create_term("post_tag", f"Offline tag {token}")
    image = cache.catalog.queue_upload(picture, "image/png", alt_text=f"Our waiting room {token}")
    post = cache.posts.create(
        title=f"Uses new things {token}", tags=[tag], featured_media=image, status="publish"
    )
    report = erin.sync()
    assert report.outcome == "ok" and report.pushed == 3 and not report.waiting
    remote = cache.posts.get(post).remote_id
    assert remote is not None
    site = site_view.post(remote)
    [tag_id] = site["tags"]
    assert site_view.request("GET", f"wp/v2/tags/{tag_id}")["name"] == f"Offline tag {token}"
    media = site_view.request("GET", f"wp/v2/media/{site['featured_media']}")
    assert media["alt_text"] == f"Our waiting room {token}"
    # The upload is held once, under its site id (other images posts use may be held too).
    mine = [m for m in cache.catalog.media() if m.alt_text == f"Our waiting room {token}"]
    assert [m.remote_id for m in mine] == [media["id"]]
    assert_converged(cache, site_view)


def test_a_refused_category_holds_only_the_post_that_needs_it(
    accounts: Accounts, site_view: SiteView
) -> None:
    casey = accounts("contributor")
    assert casey.sync().ok
    cache = casey.cache
    token = uuid.uuid4().hex[:8]
    category = cache.catalog.create_term("category", f"Casey's own category {token}")
    needs_it = cache.posts.create(title=f"Needs the category {token}", categories=[category])
    independent = cache.posts.create(title=f"Needs nothing {token}")
    report = casey.sync()
    assert [(r.entity, r.local_id) for r in report.rejected] == [("term", category)]
    assert [(w.entity, w.local_id) for w in report.waiting] == [("post", needs_it)]
    assert cache.posts.get(independent).sync_state == "synced"
    assert cache.posts.get(needs_it).remote_id is None
    again = casey.sync()
    assert again.pushed == 0 and len(again.waiting) == 1
    assert again.requests == 2  # users/me and the posts page: nothing sent, nothing looked up
    # The user drops the category: the post goes out as it is now.
    cache.posts.edit(needs_it, categories=[])
    assert casey.sync().outcome == "ok"
    remote = cache.posts.get(needs_it).remote_id
    assert remote is not None
    assert site_view.post(remote)["title"]["raw"] == f"Needs the category {token}"
    titles = [p["title"]["raw"] for p in site_view.posts()]
    assert titles.count(f"Needs the category {token}") == 1


def test_images_posts_use_are_fetched_once(accounts: Accounts, site_view: SiteView) -> None:
    post = site_view.request(
        "POST", "wp/v2/posts", json={"title": f"Gets an image {uuid.uuid4().hex[:8]}"}
    )
    admin = accounts()
    assert admin.sync().ok
    media = site_view.request(
        "POST",
        "wp/v2/media",
        data=tiny_png(),
        headers={
            "Content-Type": "image/png",
            "Content-Disposition": 'attachment; filename="logo.png"',
        },
    )
    site_view.request("POST", f"wp/v2/posts/{post['id']}", json={"featured_media": media["id"]})
    held = {m.remote_id for m in admin.cache.catalog.media()}  # images other posts use
    assert media["id"] not in held
    report = admin.sync()
    assert report.pulled_by_kind.get("media") == 1
    [image] = [m for m in admin.cache.catalog.media() if m.remote_id not in held]
    assert image.remote_id == media["id"] and image.source_url == media["source_url"]
    local_id = admin.cache.posts.local_id(post["id"])
    assert local_id is not None
    assert admin.cache.posts.get(local_id).fields.featured_media == image.id
    assert "media" not in admin.sync().pulled_by_kind


def test_a_sub_category_made_offline_is_created_under_its_parent(
    accounts: Accounts, site_view: SiteView
) -> None:
    erin = accounts("editor")
    token = uuid.uuid4().hex[:8]
    # On the site already: the same name at the top level, and a sibling-to-be under the
    # parent that exists there.
    top_level = site_view.request("POST", "wp/v2/categories", json={"name": f"Grief {token}"})
    existing_parent = site_view.request(
        "POST", "wp/v2/categories", json={"name": f"Adults {token}"}
    )
    existing_child = site_view.request(
        "POST",
        "wp/v2/categories",
        json={"name": f"Anxiety {token}", "parent": existing_parent["id"]},
    )
    assert erin.sync().ok
    cache = erin.cache
    [adults] = [t for t in cache.catalog.terms("category") if t.remote_id == existing_parent["id"]]
    parent = cache.catalog.create_term("category", f"Teens {token}")  # new, offline
    child = cache.catalog.create_term("category", f"Grief {token}", parent_id=parent)
    # The same name under the same parent as a category on the site: that one is adopted.
    twin = cache.catalog.create_term("category", f"anxiety {token}", parent_id=adults.id)
    post = cache.posts.create(title=f"Filed deep {token}", categories=[child, twin])
    report = erin.sync()
    assert report.outcome == "ok" and not report.waiting and not report.rejected

    on_site = {c["id"]: c for c in site_view.categories() if token in c["name"]}
    by_local = {t.id: t for t in cache.catalog.terms("category")}
    site_parent = on_site[by_local[parent].remote_id or 0]
    site_child = on_site[by_local[child].remote_id or 0]
    assert site_parent["parent"] == 0
    assert site_child["parent"] == site_parent["id"]  # not at the top level
    assert site_child["id"] != top_level["id"]  # a new category, not the top-level one
    assert twin not in by_local  # folded into the site's own
    assert len(on_site) == 5  # Grief, Adults, Anxiety, Teens, Teens > Grief: nothing twice
    remote = cache.posts.get(post).remote_id
    assert remote is not None
    assert sorted(site_view.post(remote)["categories"]) == sorted(
        [site_child["id"], existing_child["id"]]
    )
    # The offline copy matches the site, and stays so after a pull of the categories.
    for _ in range(2):
        by_local = {t.id: t for t in cache.catalog.terms("category")}
        assert by_local[child].parent_id == parent and by_local[parent].parent_id is None
        assert by_local[child].sync_state == by_local[parent].sync_state == "synced"
        assert erin.sync().ok
    assert_converged(cache, site_view)
