"""Discovery and transport: the REST index, JSON errors, unknown routes, the home page."""

from __future__ import annotations

import pytest
import requests

from tests.fixtures.contract import Api, assert_error
from tests.fixtures.site import SiteUnderTest

pytestmark = pytest.mark.contract


def test_index_describes_the_site_and_its_namespaces(api: Api, site: SiteUnderTest) -> None:
    response = api.get("")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    body = response.json()
    for key in ("name", "description", "url", "home", "gmt_offset", "timezone_string", "routes"):
        assert key in body, key
    assert "wp/v2" in body["namespaces"]
    assert "clinicdesk/v1" in body["namespaces"]
    assert "application-passwords" in body["authentication"]
    assert body["url"].rstrip("/") == site.url
    assert "/wp/v2/posts" in body["routes"]


def test_unknown_route_is_a_json_404(api: Api) -> None:
    assert_error(api.get("wp/v2/no-such-thing"), 404, "rest_no_route")
    assert_error(api.get("no-such-namespace/v1/x", "administrator"), 404, "rest_no_route")


def test_a_method_the_route_lacks_is_no_route(api: Api) -> None:
    assert_error(api.request("PUT", "wp/v2/posts", "administrator", json={}), 404, "rest_no_route")


def test_rest_answers_carry_no_cookies_or_html(api: Api) -> None:
    response = api.get("wp/v2/posts", per_page=1)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert isinstance(response.json(), list)


def test_home_page_is_html_and_points_at_the_api(
    site: SiteUnderTest, http: requests.Session
) -> None:
    response = http.get(site.url + "/", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert f'<{site.rest}>; rel="https://api.w.org/"' in response.headers.get("Link", "")
