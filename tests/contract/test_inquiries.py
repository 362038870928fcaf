"""Inquiries: who may see them, the private inbox, triage updates, trash and delete."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.contract import Api, assert_error, find_inquiries, unique

pytestmark = pytest.mark.contract

MakeInquiry = Callable[..., int]
STAFF = ("administrator", "editor", "intake")
META_KEYS = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "preferred_contact",
    "state",
    "insurance",
    "reason",
    "message",
    "consent",
    "received_gmt",
    "triage_status",
    "assignee",
    "urgent",
    "unread",
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def me(api: Api, role: str) -> int:
    return int(api.get("wp/v2/users/me", role).json()["id"])


@pytest.mark.parametrize("role", STAFF)
def test_staff_see_the_inbox(api: Api, role: str) -> None:
    response = api.get("wp/v2/inquiries", role, context="edit", per_page=100)
    assert response.status_code == 200, response.text
    assert int(response.headers["X-WP-Total"]) >= 30
    inquiries = response.json()
    assert inquiries
    for inquiry in inquiries:
        assert inquiry["status"] == "private"
        assert META_KEYS <= inquiry["meta"].keys()
        assert DATE.match(inquiry["meta"]["received_gmt"])
        assert inquiry["title"]["raw"].strip()


def _inquiry_routes(inquiry_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", "wp/v2/inquiries", None),
        ("GET", f"wp/v2/inquiries/{inquiry_id}", None),
        ("POST", f"wp/v2/inquiries/{inquiry_id}", {"meta": {"triage_status": "contacted"}}),
        ("DELETE", f"wp/v2/inquiries/{inquiry_id}", None),
        ("GET", "clinicdesk/v1/notes", None),
        ("POST", "clinicdesk/v1/notes", {"inquiry": inquiry_id, "kind": "note", "content": "x"}),
        ("GET", "clinicdesk/v1/staff", None),
    ]


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("author", 403), ("contributor", 403)])
def test_everyone_else_is_refused_on_every_inquiry_route(
    api: Api, make_inquiry: MakeInquiry, role: str | None, status: int
) -> None:
    inquiry_id = make_inquiry()
    for method, route, body in _inquiry_routes(inquiry_id):
        response = api.request(method, route, role, json=body)
        assert response.status_code == status, (method, route, response.text)
        assert response.json()["data"]["status"] == status
    # ...and nothing was changed or deleted by those attempts.
    got = api.get(f"wp/v2/inquiries/{inquiry_id}", "administrator", context="edit").json()
    assert got["status"] == "private" and got["meta"]["triage_status"] == "new"


def test_inquiries_appear_in_no_post_route(api: Api, make_inquiry: MakeInquiry) -> None:
    name = unique("Hidden")
    inquiry_id = make_inquiry(first_name=name)
    assert_error(
        api.get(f"wp/v2/posts/{inquiry_id}", "administrator", context="edit"),
        404,
        "rest_post_invalid_id",
    )
    for role in (None, "administrator"):
        params = {"search": name} if role is None else {"search": name, "status": "any"}
        response = api.get("wp/v2/posts", role, **params)
        assert response.status_code == 200 and response.json() == []
    assert [i["id"] for i in find_inquiries(api, name)] == [inquiry_id]


def test_triage_is_a_partial_meta_update(api: Api, make_inquiry: MakeInquiry) -> None:
    inquiry_id = make_inquiry()
    route = f"wp/v2/inquiries/{inquiry_id}"
    before = api.get(route, "intake", context="edit").json()
    response = api.post(route, "intake", {"meta": {"triage_status": "contacted"}})
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["meta"]["triage_status"] == "contacted"
    unchanged = {k: v for k, v in before["meta"].items() if k != "triage_status"}
    assert {k: after["meta"][k] for k in unchanged} == unchanged
    assert after["modified_gmt"] >= before["modified_gmt"]
    intake_id = me(api, "intake")
    response = api.post(route, "editor", {"meta": {"unread": False, "assignee": intake_id}})
    assert response.status_code == 200
    assert response.json()["meta"]["unread"] is False
    assert response.json()["meta"]["assignee"] == intake_id
    assert response.json()["meta"]["triage_status"] == "contacted"


@pytest.mark.parametrize(
    "meta",
    [
        {"triage_status": "maybe"},
        {"urgent": "very"},
        {"assignee": "someone"},
        {"unread": [1]},
        {"preferred_contact": "pigeon"},
    ],
)
def test_a_bad_meta_value_is_refused(
    api: Api, make_inquiry: MakeInquiry, meta: dict[str, Any]
) -> None:
    inquiry_id = make_inquiry()
    body = assert_error(
        api.post(f"wp/v2/inquiries/{inquiry_id}", "intake", {"meta": meta}),
        400,
        "rest_invalid_param",
    )
    assert "meta" in body["data"]["params"]


def test_intake_cannot_delete_an_inquiry(api: Api, make_inquiry: MakeInquiry) -> None:
    inquiry_id = make_inquiry()
    route = f"wp/v2/inquiries/{inquiry_id}"
    assert_error(api.delete(route, "intake"), 403, "rest_cannot_delete")
    assert_error(api.delete(route, "intake", force="true"), 403, "rest_cannot_delete")
    assert api.get(route, "intake", context="edit").json()["status"] == "private"


def test_trash_then_force_delete_an_inquiry(api: Api, make_inquiry: MakeInquiry) -> None:
    inquiry_id = make_inquiry()
    route = f"wp/v2/inquiries/{inquiry_id}"
    inbox = {"include": inquiry_id, "context": "edit"}
    assert [i["id"] for i in api.get("wp/v2/inquiries", "editor", **inbox).json()] == [inquiry_id]
    trashed = api.delete(route, "editor")
    assert trashed.status_code == 200 and trashed.json()["status"] == "trash"
    assert api.get("wp/v2/inquiries", "editor", **inbox).json() == []
    in_trash = api.get("wp/v2/inquiries", "intake", status="trash", **inbox).json()
    assert [i["id"] for i in in_trash] == [inquiry_id]
    assert_error(api.delete(route, "administrator"), 410, "rest_already_trashed")
    restored = api.post(route, "intake", {"status": "private"})
    assert restored.status_code == 200 and restored.json()["status"] == "private"
    gone = api.delete(route, "administrator", force="true")
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert_error(api.get(route, "administrator"), 404, "rest_post_invalid_id")


def test_modified_after_finds_a_triaged_inquiry(api: Api, make_inquiry: MakeInquiry) -> None:
    inquiry_id = make_inquiry()
    route = f"wp/v2/inquiries/{inquiry_id}"
    updated = api.post(route, "intake", {"meta": {"unread": False}}).json()
    stamp = updated["modified_gmt"] + "Z"
    window = {"include": inquiry_id, "context": "edit"}
    assert api.get("wp/v2/inquiries", "intake", modified_after=stamp, **window).json() == []
    assert api.get("wp/v2/inquiries", "intake", modified_before=stamp, **window).json() == []


def test_inquiries_page_in_modified_then_id_order(api: Api, make_inquiry: MakeInquiry) -> None:
    # Forms sent within a second tie on modified_gmt; ties go by id, so pages never overlap.
    made = [make_inquiry() for _ in range(4)]
    query = {"include": ",".join(map(str, made)), "context": "edit", "orderby": "modified"}
    whole = api.get("wp/v2/inquiries", "intake", **query, order="asc", per_page=100).json()
    expected = [i["id"] for i in sorted(whole, key=lambda i: (i["modified_gmt"], i["id"]))]
    assert sorted(expected) == sorted(made)
    for order, wanted in (("asc", expected), ("desc", expected[::-1])):
        paged = [
            item["id"]
            for page in (1, 2, 3, 4)
            for item in api.get(
                "wp/v2/inquiries", "intake", **query, order=order, per_page=1, page=page
            ).json()
        ]
        assert paged == wanted
