"""Least privilege on inquiries: staff change the triage, never what the person wrote.

What a person sent through the consultation form (name, email, phone, message, reason,
insurance, state, consent, received time) is written once, by the form. Through the REST API
nobody (intake, editor, administrator) may rewrite it, nor the record's title or dates, nor create
an inquiry by hand; the triage fields and the client id stay writable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.contract import Api, assert_error

pytestmark = pytest.mark.contract

MakeInquiry = Callable[..., int]

SUBMITTED = {
    "first_name": "Mallory",
    "last_name": "Rewritten",
    "email": "rewritten@example.com",
    "phone": "512-555-0000",
    "preferred_contact": "phone",
    "state": "CA",
    "insurance": "None",
    "reason": "Rewritten reason",
    "message": "Rewritten message",
    "consent": False,
    "received_gmt": "2001-01-01T00:00:00",
}


@pytest.mark.parametrize("role", ["intake", "editor", "administrator"])
@pytest.mark.parametrize("key", sorted(SUBMITTED))
def test_nobody_rewrites_a_submitted_field(
    api: Api, make_inquiry: MakeInquiry, role: str, key: str
) -> None:
    inquiry_id = make_inquiry()
    route = f"wp/v2/inquiries/{inquiry_id}"
    before = api.get(route, "administrator", context="edit").json()
    body = assert_error(
        api.post(route, role, {"meta": {key: SUBMITTED[key]}}), 400, "rest_invalid_param"
    )
    assert "meta" in body["data"]["params"]
    after = api.get(route, "administrator", context="edit").json()
    assert after["meta"] == before["meta"]
    assert after["title"] == before["title"]
    assert after["modified_gmt"] == before["modified_gmt"]


def test_a_triage_change_with_a_submitted_field_changes_nothing(
    api: Api, make_inquiry: MakeInquiry
) -> None:
    inquiry_id = make_inquiry()
    route = f"wp/v2/inquiries/{inquiry_id}"
    before = api.get(route, "intake", context="edit").json()
    meta = {"triage_status": "contacted", "message": "x", "received_gmt": "2001-01-01T00:00:00"}
    assert_error(api.post(route, "intake", {"meta": meta}), 400, "rest_invalid_param")
    after = api.get(route, "intake", context="edit").json()
    assert after["meta"] == before["meta"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date_gmt", "2001-01-01T00:00:00"),
        ("date", "2001-01-01T00:00:00"),
        ("title", "Someone else"),
        ("content", "Words the person never wrote"),
        ("slug", "jane-doe"),
        ("password", "secret"),
    ],
)
def test_the_record_fields_of_an_inquiry_are_not_writable(
    api: Api, make_inquiry: MakeInquiry, field: str, value: Any
) -> None:
    inquiry_id = make_inquiry()
    route = f"wp/v2/inquiries/{inquiry_id}"
    before = api.get(route, "administrator", context="edit").json()
    body = assert_error(api.post(route, "administrator", {field: value}), 400, "rest_invalid_param")
    assert field in body["data"]["params"]
    after = api.get(route, "administrator", context="edit").json()
    assert {k: after[k] for k in ("date_gmt", "title", "content", "slug", "meta")} == {
        k: before[k] for k in ("date_gmt", "title", "content", "slug", "meta")
    }


def test_the_triage_fields_and_the_client_id_stay_writable(
    api: Api, make_inquiry: MakeInquiry
) -> None:
    inquiry_id = make_inquiry()
    route = f"wp/v2/inquiries/{inquiry_id}"
    triage = {"triage_status": "scheduled", "urgent": True, "unread": False, "assignee": 0}
    response = api.post(route, "intake", {"meta": {**triage, "clinicdesk_client_id": "c-1"}})
    assert response.status_code == 200, response.text
    meta = response.json()["meta"]
    assert {k: meta[k] for k in triage} == triage
    assert meta["clinicdesk_client_id"] == "c-1"
    # Restoring from the trash (the app sends the status alone) still works.
    assert api.delete(route, "administrator").json()["status"] == "trash"
    restored = api.post(route, "intake", {"status": "private"})
    assert restored.status_code == 200, restored.text
    assert restored.json()["status"] == "private"


@pytest.mark.parametrize("role", ["intake", "editor", "administrator"])
def test_nobody_creates_an_inquiry_through_the_api(api: Api, role: str) -> None:
    response = api.post("wp/v2/inquiries", role, {"meta": {"triage_status": "new"}})
    assert_error(response, 403, "rest_cannot_create")
