"""The public consultation form: validation, the honeypot, and the per-address rate limit."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.fixtures.contract import Api, assert_error, find_inquiries, form, submit
from tests.fixtures.site import SiteUnderTest

pytestmark = pytest.mark.contract


def test_a_valid_request_creates_a_new_inquiry_for_intake(api: Api, site: SiteUnderTest) -> None:
    body = form(preferred_contact="text", state="", insurance="Self-pay")
    response = submit(site, body)
    assert response.status_code == 201, response.text
    inquiry_id = response.json()["id"]
    try:
        got = api.get(f"wp/v2/inquiries/{inquiry_id}", "intake", context="edit")
        assert got.status_code == 200
        inquiry = got.json()
        assert inquiry["status"] == "private"
        assert inquiry["title"]["raw"] == f"{body['first_name']} {body['last_name']}"
        meta = inquiry["meta"]
        for key in (
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
        ):
            assert meta[key] == body[key], key
        assert meta["triage_status"] == "new"
        assert meta["unread"] is True and meta["urgent"] is False and meta["assignee"] == 0
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", meta["received_gmt"])
        listed = api.get("wp/v2/inquiries", "intake", include=inquiry_id, context="edit")
        assert [i["id"] for i in listed.json()] == [inquiry_id]
    finally:
        api.delete(f"wp/v2/inquiries/{inquiry_id}", "administrator", force="true")


@pytest.mark.parametrize("missing", [["email"], ["first_name", "consent"]])
def test_missing_required_fields_create_nothing(
    api: Api, site: SiteUnderTest, missing: list[str]
) -> None:
    body = form()
    for name in missing:
        del body[name]
    response = assert_error(submit(site, body), 400, "rest_missing_callback_param")
    assert sorted(response["data"]["params"]) == sorted(missing)
    assert find_inquiries(api, body["last_name"]) == []


def test_each_invalid_field_is_named(api: Api, site: SiteUnderTest) -> None:
    body = form(
        email="not-an-email",
        consent=False,
        preferred_contact="fax",
        state="ZZ",
        reason="r" * 201,
        last_name="L" * 101,
    )
    response = assert_error(submit(site, body), 400, "rest_invalid_param")
    params = response["data"]["params"]
    assert {"email", "consent", "preferred_contact", "state", "reason", "last_name"} <= set(params)
    assert "first_name" not in params
    assert find_inquiries(api, body["first_name"]) == []


@pytest.mark.parametrize("contact", ["phone", "text"])
def test_phone_is_required_for_phone_and_text(site: SiteUnderTest, contact: str) -> None:
    response = assert_error(
        submit(site, form(preferred_contact=contact, phone="")), 400, "rest_invalid_param"
    )
    assert list(response["data"]["params"]) == ["phone"]


def test_a_filled_honeypot_is_rejected_and_creates_nothing(api: Api, site: SiteUnderTest) -> None:
    body = form(website="http://spam.example")
    response = assert_error(submit(site, body), 400, "clinicdesk_rejected")
    assert response["message"] == "Your request could not be accepted."
    assert find_inquiries(api, body["first_name"]) == []


def test_one_address_is_limited_and_forwarded_headers_do_not_help(
    site: SiteUnderTest, make_inquiry: Callable[..., int], api: Api
) -> None:
    created = []
    with site.source_session() as session:
        url = site.rest + "clinicdesk/v1/consultation"
        try:
            for _ in range(5):  # the default limit: 5 per 10 minutes
                response = session.post(url, json=form(), timeout=30)
                assert response.status_code == 201, response.text
                created.append(response.json()["id"])
            limited = session.post(url, json=form(), timeout=30)
            body = assert_error(limited, 429, "clinicdesk_rate_limited")
            assert body["code"] == "clinicdesk_rate_limited"
            assert int(limited.headers["Retry-After"]) > 0
            spoofed = session.post(
                url, json=form(), timeout=30, headers={"X-Forwarded-For": "203.0.113.7"}
            )
            assert spoofed.status_code == 429
        finally:
            for inquiry_id in created:
                api.delete(f"wp/v2/inquiries/{inquiry_id}", "administrator", force="true")
    # Another address has its own allowance.
    assert make_inquiry() > 0


def test_preferred_contact_defaults_to_email(api: Api, make_inquiry: Callable[..., int]) -> None:
    inquiry_id = make_inquiry(preferred_contact=None)
    got = api.get(f"wp/v2/inquiries/{inquiry_id}", "intake", context="edit").json()
    assert got["meta"]["preferred_contact"] == "email"


def test_the_form_route_only_accepts_post(api: Api) -> None:
    assert_error(api.get("clinicdesk/v1/consultation"), 404, "rest_no_route")
