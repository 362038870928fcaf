"""Creating, updating, trashing and deleting posts, and who may do what."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.fixtures.contract import Api, assert_error, unique
from tests.fixtures.waiting import wait_until

pytestmark = pytest.mark.contract

MakePost = Callable[..., dict[str, Any]]


def listed_ids(api: Api, **params: Any) -> list[int]:
    response = api.get("wp/v2/posts", "administrator", context="edit", **params)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()]


def test_a_new_post_answers_201_in_edit_context(make_post: MakePost) -> None:
    post = make_post(status="draft", content="<p>Hello</p>")
    assert post["status"] == "draft"
    assert post["content"]["raw"] == "<p>Hello</p>"
    assert post["type"] == "post"


def test_a_draft_has_an_empty_slug_and_a_generated_one(make_post: MakePost) -> None:
    token = unique("d")
    post = make_post(status="draft", title=f"Draft Title {token}")
    assert post["slug"] == ""
    assert post["generated_slug"] == f"draft-title-{token}"


def test_publishing_without_a_category_gives_uncategorized(make_post: MakePost) -> None:
    post = make_post(status="publish")
    assert post["status"] == "publish"
    assert post["categories"] == [1]
    assert post["slug"]


def test_unknown_term_ids_are_dropped(make_post: MakePost) -> None:
    post = make_post(status="draft", categories=[987654321], tags=[987654320])
    assert post["categories"] == []
    assert post["tags"] == []


def test_a_non_integer_term_id_is_refused(api: Api) -> None:
    response = api.post("wp/v2/posts", "administrator", {"title": unique(), "categories": ["x"]})
    body = assert_error(response, 400, "rest_invalid_param")
    assert "categories" in body["data"]["params"]


def test_unknown_body_fields_are_ignored(make_post: MakePost) -> None:
    post = make_post(status="draft", not_a_field="ignored", colour=3)
    assert "not_a_field" not in post


def test_bad_json_is_refused(api: Api) -> None:
    response = api.request(
        "POST",
        "wp/v2/posts",
        "administrator",
        data="{not json",
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, "rest_invalid_json")


def test_updates_are_partial_with_post_put_and_patch(api: Api, make_post: MakePost) -> None:
    post = make_post(status="draft", content="<p>Body</p>", excerpt="Summary")
    route = f"wp/v2/posts/{post['id']}"
    for method, field, value in (
        ("POST", "title", "New title"),
        ("PUT", "excerpt", "Changed"),
        ("PATCH", "slug", "patched-slug"),
    ):
        response = api.request(method, route, "administrator", json={field: value})
        assert response.status_code == 200, response.text
    got = api.get(route, "administrator", context="edit").json()
    assert got["title"]["raw"] == "New title"
    assert got["excerpt"]["raw"] == "Changed"
    assert got["slug"] == "patched-slug"
    assert got["content"]["raw"] == "<p>Body</p>"
    assert got["status"] == "draft"


def test_every_update_bumps_modified_gmt(api: Api, make_post: MakePost) -> None:
    post = make_post(status="draft")
    # modified_gmt has one-second resolution: the update must come in a later second (the site
    # is on this machine's clock).
    created = datetime.fromisoformat(post["modified_gmt"]).replace(tzinfo=UTC)
    wait_until(lambda: datetime.now(UTC).replace(microsecond=0) > created, "the next second")
    response = api.post(f"wp/v2/posts/{post['id']}", "administrator", {"content": "later"})
    assert response.json()["modified_gmt"] > post["modified_gmt"]


def test_trash_then_410_then_force_delete_leaves_no_trace(api: Api, make_post: MakePost) -> None:
    post = make_post(status="publish")
    route = f"wp/v2/posts/{post['id']}"
    trashed = api.delete(route, "administrator")
    assert trashed.status_code == 200
    assert trashed.json()["status"] == "trash"
    assert trashed.json()["slug"] == post["slug"] + "__trashed"
    assert trashed.json()["modified_gmt"] >= post["modified_gmt"]
    assert_error(api.delete(route, "administrator"), 410, "rest_already_trashed")
    assert api.get(route, "administrator", context="edit").json()["status"] == "trash"
    assert post["id"] in listed_ids(api, status="trash", include=post["id"])
    assert post["id"] not in listed_ids(api, status="any", include=post["id"])
    gone = api.delete(route, "administrator", force="true")
    assert gone.status_code == 200
    assert gone.json()["deleted"] is True
    assert gone.json()["previous"]["id"] == post["id"]
    assert_error(api.get(route, "administrator", context="edit"), 404, "rest_post_invalid_id")
    for status in ("any", "trash"):
        assert post["id"] not in listed_ids(api, status=status, include=post["id"])


def test_a_trashed_post_can_be_restored(api: Api, make_post: MakePost) -> None:
    post = make_post(status="publish")
    route = f"wp/v2/posts/{post['id']}"
    assert api.delete(route, "administrator").status_code == 200
    restored = api.post(route, "administrator", {"status": "draft", "slug": post["slug"]})
    assert restored.status_code == 200
    assert restored.json()["status"] == "draft"
    assert restored.json()["slug"] == post["slug"]


def test_method_override_by_query_and_header(api: Api, make_post: MakePost) -> None:
    post = make_post(status="draft")
    route = f"wp/v2/posts/{post['id']}"
    response = api.request("POST", route, "administrator", params={"_method": "DELETE"})
    assert response.status_code == 200 and response.json()["status"] == "trash"
    response = api.request(
        "POST", route, "administrator", headers={"X-HTTP-Method-Override": "DELETE"}
    )
    assert_error(response, 410, "rest_already_trashed")


def test_publish_with_a_future_date_is_scheduled(api: Api, make_post: MakePost) -> None:
    when = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    post = make_post(status="publish", date_gmt=when)
    assert post["status"] == "future"
    assert post["date_gmt"] == when
    assert post["id"] in listed_ids(api, status="future", include=post["id"])
    response = api.get(f"wp/v2/posts/{post['id']}")
    assert response.status_code == 401  # not public yet


@pytest.mark.parametrize("days", [-400, 3])
def test_a_new_post_is_modified_at_its_own_date(api: Api, make_post: MakePost, days: int) -> None:
    # wp_insert_post gives a new post modified = date: a back-dated post is invisible to
    # modified_after (the id sweep must find it) and a scheduled one is "modified" in the future.
    when = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")
    post = make_post(status="publish", date_gmt=when)
    assert post["modified_gmt"] == when
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = listed_ids(api, status="any", modified_after=yesterday, include=post["id"])
    assert (post["id"] in recent) == (days > 0)
    updated = api.post(f"wp/v2/posts/{post['id']}", "administrator", {"excerpt": "x"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["modified_gmt"] != when  # an update takes the current time


def test_client_id_finds_the_post_it_created(api: Api, make_post: MakePost) -> None:
    client_id = str(uuid.uuid4())
    post = make_post(status="draft", meta={"clinicdesk_client_id": client_id})
    assert post["meta"]["clinicdesk_client_id"] == client_id
    assert listed_ids(api, clinicdesk_client_id=client_id, status="any") == [post["id"]]
    assert listed_ids(api, clinicdesk_client_id=client_id) == [post["id"]]
    assert listed_ids(api, clinicdesk_client_id=str(uuid.uuid4()), status="any") == []
    assert api.delete(f"wp/v2/posts/{post['id']}", "administrator").status_code == 200
    assert listed_ids(api, clinicdesk_client_id=client_id, status="any") == []
    assert listed_ids(api, clinicdesk_client_id=client_id, status="trash") == [post["id"]]


@pytest.mark.parametrize("status", ["publish", "future", "private"])
def test_a_contributor_cannot_publish(api: Api, status: str) -> None:
    body: dict[str, Any] = {"title": unique(), "status": status}
    if status == "future":
        body["date_gmt"] = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    assert_error(api.post("wp/v2/posts", "contributor", body), 403, "rest_cannot_publish")


def test_a_contributor_writes_drafts_and_submits_for_review(api: Api, make_post: MakePost) -> None:
    post = make_post("contributor", status="draft")
    response = api.post(f"wp/v2/posts/{post['id']}", "contributor", {"status": "pending"})
    assert response.status_code == 200 and response.json()["status"] == "pending"
    response = api.post(f"wp/v2/posts/{post['id']}", "contributor", {"status": "publish"})
    assert_error(response, 403, "rest_cannot_publish")


def test_a_contributor_cannot_edit_published_posts(api: Api, make_post: MakePost) -> None:
    published = make_post(status="publish")
    response = api.post(f"wp/v2/posts/{published['id']}", "contributor", {"title": "mine now"})
    assert_error(response, 403, "rest_cannot_edit")


def test_an_author_publishes_own_posts_but_not_others(api: Api, make_post: MakePost) -> None:
    own = make_post("author", status="publish")
    assert own["status"] == "publish"
    others = make_post(status="publish")
    route = f"wp/v2/posts/{others['id']}"
    assert_error(api.post(route, "author", {"title": "x"}), 403, "rest_cannot_edit")
    assert_error(api.delete(route, "author"), 403, "rest_cannot_delete")
    assert api.delete(f"wp/v2/posts/{own['id']}", "author").status_code == 200


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("intake", 403)])
def test_creating_posts_needs_edit_posts(api: Api, role: str | None, status: int) -> None:
    response = api.post("wp/v2/posts", role, {"title": unique()})
    assert_error(response, status, "rest_cannot_create")


def test_an_editor_edits_others_posts(api: Api, make_post: MakePost) -> None:
    post = make_post("author", status="publish")
    response = api.post(f"wp/v2/posts/{post['id']}", "editor", {"title": "Edited"})
    assert response.status_code == 200
    assert response.json()["author"] == post["author"]


def test_an_unknown_post_is_404(api: Api) -> None:
    assert_error(api.get("wp/v2/posts/987654321"), 404, "rest_post_invalid_id")
    assert_error(
        api.post("wp/v2/posts/987654321", "administrator", {"title": "x"}),
        404,
        "rest_post_invalid_id",
    )
