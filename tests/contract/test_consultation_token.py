"""The consultation form's timing token and the error codes its script reads (both sites)."""

from __future__ import annotations

import pytest
import requests

from tests.fixtures.contract import Api, assert_error, find_inquiries, form, submit
from tests.fixtures.site import SiteUnderTest

pytestmark = pytest.mark.contract


def _token(site: SiteUnderTest) -> dict[str, object]:
    with requests.Session() as session:
        session.trust_env = False
        response = session.get(site.rest + "clinicdesk/v1/consultation/token", timeout=30)
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers.get("Cache-Control", "")
    return dict(response.json())


def test_a_request_sent_as_soon_as_the_form_opened_is_refused(
    api: Api, site: SiteUnderTest
) -> None:
    token = _token(site)
    assert isinstance(token["min_seconds"], int) and token["min_seconds"] >= 1
    body = form(token=token["token"])
    assert_error(submit(site, body), 400, "clinicdesk_too_fast")
    assert find_inquiries(api, body["last_name"]) == []


@pytest.mark.parametrize("bad", ["1700000000.00000000000000000000000000000000", "garbage", "1"])
def test_a_forged_or_stale_token_is_refused(api: Api, site: SiteUnderTest, bad: str) -> None:
    body = form(token=bad)
    assert_error(submit(site, body), 400, "clinicdesk_form_expired")
    assert find_inquiries(api, body["last_name"]) == []


def test_each_invalid_field_carries_a_code_for_the_form(site: SiteUnderTest) -> None:
    body = form(email="no-at-sign", consent=False, message="m" * 5001, first_name=" ")
    data = assert_error(submit(site, body), 400, "rest_invalid_param")["data"]
    assert data["fields"] == {
        "email": "email",
        "consent": "consent",
        "message": "too_long",
        "first_name": "required",
    }
    missing = assert_error(submit(site, form(email=None)), 400, "rest_missing_callback_param")
    assert missing["data"]["fields"] == {"email": "required"}
