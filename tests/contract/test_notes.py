"""Inquiry notes: append-only, idempotent by client id, read with ``after_id``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.contract import Api, assert_error

pytestmark = pytest.mark.contract

MakeInquiry = Callable[..., int]


def add_note(api: Api, inquiry_id: int, role: str = "intake", **fields: Any) -> Any:
    body = {
        "inquiry": inquiry_id,
        "kind": "note",
        "content": "Left a voicemail.",
        "client_id": str(uuid.uuid4()),
        **fields,
    }
    return api.post("clinicdesk/v1/notes", role, body)


def test_a_note_is_created_with_its_author_and_date(api: Api, make_inquiry: MakeInquiry) -> None:
    inquiry_id = make_inquiry()
    response = add_note(api, inquiry_id, content="Called back, no answer.")
    assert response.status_code == 201, response.text
    note = response.json()
    me = api.get("wp/v2/users/me", "intake").json()
    assert note["inquiry"] == inquiry_id
    assert note["author"] == me["id"] and note["author_name"] == me["name"]
    assert note["kind"] == "note" and note["content"] == "Called back, no answer."
    assert {"id", "date_gmt", "client_id"} <= note.keys()


def test_resending_a_client_id_returns_the_same_note(api: Api, make_inquiry: MakeInquiry) -> None:
    inquiry_id = make_inquiry()
    client_id = str(uuid.uuid4())
    first = add_note(api, inquiry_id, client_id=client_id)
    again = add_note(api, inquiry_id, "editor", client_id=client_id)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    listed = api.get("clinicdesk/v1/notes", "intake", inquiry=inquiry_id, per_page=100).json()
    assert [n["id"] for n in listed] == [first.json()["id"]]


def test_after_id_lists_newer_notes_oldest_first_with_pages(
    api: Api, make_inquiry: MakeInquiry
) -> None:
    inquiry_id = make_inquiry()
    made = [
        add_note(api, inquiry_id, kind=kind, content=content).json()["id"]
        for kind, content in (("note", "one"), ("status", "contacted"), ("urgent", "on"))
    ]
    assert made == sorted(made)
    listed = api.get(
        "clinicdesk/v1/notes", "editor", inquiry=inquiry_id, after_id=made[0], per_page=100
    )
    assert [n["id"] for n in listed.json()] == made[1:]
    first_page = api.get("clinicdesk/v1/notes", "editor", inquiry=inquiry_id, per_page=1)
    assert first_page.headers["X-WP-Total"] == "3"
    assert first_page.headers["X-WP-TotalPages"] == "3"
    assert "page=2" in first_page.links["next"]["url"]
    everything = api.get("clinicdesk/v1/notes", "administrator", after_id=made[1], per_page=100)
    assert made[2] in [n["id"] for n in everything.json()]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_notes_cannot_be_edited_or_deleted(
    api: Api, make_inquiry: MakeInquiry, method: str
) -> None:
    note_id = add_note(api, make_inquiry()).json()["id"]
    for route in (f"clinicdesk/v1/notes/{note_id}", "clinicdesk/v1/notes"):
        response = api.request(method, route, "administrator", json={"content": "changed"})
        assert_error(response, 404, "rest_no_route")


def test_a_note_without_a_client_id_has_null(api: Api, make_inquiry: MakeInquiry) -> None:
    response = api.post(
        "clinicdesk/v1/notes",
        "intake",
        {"inquiry": make_inquiry(), "kind": "note", "content": "No id"},
    )
    assert response.status_code == 201
    assert response.json()["client_id"] is None


def test_a_note_needs_an_existing_inquiry(api: Api) -> None:
    assert_error(add_note(api, 987654321), 404, "rest_post_invalid_id")
    post_id = api.get("wp/v2/posts", per_page=1).json()[0]["id"]
    assert_error(add_note(api, post_id), 404, "rest_post_invalid_id")


@pytest.mark.parametrize("fields", [{"kind": "shout"}, {"content": ""}])
def test_a_bad_kind_or_empty_content_is_refused(
    api: Api, make_inquiry: MakeInquiry, fields: dict[str, str]
) -> None:
    assert_error(add_note(api, make_inquiry(), **fields), 400, "rest_invalid_param")


def test_notes_go_with_a_permanently_deleted_inquiry(api: Api, make_inquiry: MakeInquiry) -> None:
    inquiry_id = make_inquiry()
    assert add_note(api, inquiry_id).status_code == 201
    assert api.delete(f"wp/v2/inquiries/{inquiry_id}", "administrator", force="true").ok
    response = api.get("clinicdesk/v1/notes", "intake", inquiry=inquiry_id)
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize(("kind", "content"), [("urgent", "on"), ("note", "Flagged: crisis")])
def test_the_automatic_crisis_flag_is_written_as_the_systems(
    api: Api, make_inquiry: MakeInquiry, kind: str, content: str
) -> None:
    # Whoever's app sends the automatic flag, the timeline says ClinicDesk wrote it.
    inquiry_id = make_inquiry()
    response = add_note(api, inquiry_id, kind=kind, content=content, by="system")
    assert response.status_code == 201, response.text
    note = response.json()
    assert note["by"] == "system"
    assert note["author"] == 0 and note["author_name"] == "ClinicDesk (automatic)"
    listed = api.get("clinicdesk/v1/notes", "intake", inquiry=inquiry_id, per_page=100).json()
    assert [(n["by"], n["author"], n["author_name"]) for n in listed] == [
        ("system", 0, "ClinicDesk (automatic)")
    ]


def test_a_persons_note_says_so(api: Api, make_inquiry: MakeInquiry) -> None:
    note = add_note(api, make_inquiry()).json()
    assert note["by"] == "user" and note["author"] > 0


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "status", "content": "contacted", "by": "system"},
        {"kind": "assign", "content": "3", "by": "system"},
        {"kind": "urgent", "content": "off", "by": "system"},
        {"kind": "note", "by": "robot"},
    ],
)
def test_only_the_crisis_flag_may_be_the_systems(
    api: Api, make_inquiry: MakeInquiry, fields: dict[str, str]
) -> None:
    inquiry_id = make_inquiry()
    assert_error(add_note(api, inquiry_id, **fields), 400, "rest_invalid_param")
    assert api.get("clinicdesk/v1/notes", "intake", inquiry=inquiry_id).json() == []
