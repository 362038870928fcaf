"""What only a real WordPress can show: inquiries leak through none of its other doors.

The contract suite checks the REST routes the app uses. These tests look where WordPress itself
could publish an inquiry: the public pages, feeds, search, comments, oEmbed, and how an inquiry's
title is rendered. They run only against a real WordPress (``CLINICDESK_TEST_SITE`` with
``"kind": "wordpress"``, see ``tests/wordpress/README.md``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests

from tests.fixtures.site import SiteUnderTest


@pytest.fixture
def inquiry(wordpress: SiteUnderTest) -> Iterator[tuple[int, str]]:
    """An inquiry sent through the public form, with a name no other record has; deleted after.

    Its message and reason hold the same word with "Find" before it: searches look for that, so
    that a page which repeats the search terms does not count as showing the inquiry.
    """
    marker = "Leak" + uuid.uuid4().hex[:12]
    body = {
        "first_name": marker,
        "last_name": "<b>Bold</b>",
        "email": f"{marker.lower()}@example.com",
        "preferred_contact": "email",
        "message": f"Find{marker} <script>alert(1)</script>",
        "reason": f"Find{marker}",
        "consent": True,
    }
    with wordpress.source_session() as session:
        url = wordpress.rest + "clinicdesk/v1/consultation"
        response = session.post(url, json=body, timeout=30)
    assert response.status_code == 201, response.text
    inquiry_id = int(response.json()["id"])
    yield inquiry_id, marker
    requests.delete(
        f"{wordpress.rest}wp/v2/inquiries/{inquiry_id}",
        params={"force": "true"},
        auth=wordpress.auth("administrator"),
        timeout=30,
    )


def _get(site: SiteUnderTest, path: str, role: str | None = None) -> requests.Response:
    auth = site.auth(role) if role else None
    return requests.get(site.url + path, auth=auth, timeout=30)


def test_the_public_site_never_shows_an_inquiry(
    wordpress: SiteUnderTest, inquiry: tuple[int, str]
) -> None:
    inquiry_id, marker = inquiry
    paths = [
        f"/?p={inquiry_id}",
        f"/?post_type=clinicdesk_inquiry&p={inquiry_id}",
        f"/?clinicdesk_inquiry=inquiry-{inquiry_id}",
        f"/inquiry-{inquiry_id}/",
        f"/?s=Find{marker}",
        "/feed/",
        "/?feed=rss2&post_type=clinicdesk_inquiry",
        f"/?feed=rss2&s=Find{marker}",
        "/comments/feed/",
        "/wp-sitemap.xml",
        "/wp-json/oembed/1.0/embed?url="
        + quote(f"{wordpress.url}/?post_type=clinicdesk_inquiry&p={inquiry_id}", safe=""),
    ]
    for path in paths:
        response = _get(wordpress, path)
        text = response.text.replace(f"Find{marker}", "")  # the search terms, repeated
        assert marker not in text, path
        assert marker.lower() not in text, path


@pytest.mark.parametrize("role", [None, "author", "contributor"])
def test_no_other_route_lists_or_counts_inquiries(
    wordpress: SiteUnderTest, inquiry: tuple[int, str], role: str | None
) -> None:
    inquiry_id, marker = inquiry
    for path in (
        f"/wp-json/wp/v2/search?search=Find{marker}",
        f"/wp-json/wp/v2/posts?search=Find{marker}",
        f"/wp-json/wp/v2/pages?search=Find{marker}",
        f"/wp-json/wp/v2/comments?post={inquiry_id}",
        f"/wp-json/wp/v2/media?parent={inquiry_id}",
        f"/wp-json/wp/v2/users?search={marker}",
    ):
        response = _get(wordpress, path, role)
        assert marker not in response.text, (path, response.text[:200])
        if response.status_code == 200:
            assert response.json() == [], path
            assert response.headers.get("X-WP-Total", "0") == "0", path
    for path in ("/wp-json/wp/v2/inquiries", f"/wp-json/wp/v2/inquiries/{inquiry_id}"):
        response = _get(wordpress, path, role)
        assert response.status_code == (401 if role is None else 403), path
        assert "X-WP-Total" not in response.headers, path


def test_an_inquiry_is_text_to_wordpress(
    wordpress: SiteUnderTest, inquiry: tuple[int, str]
) -> None:
    inquiry_id, marker = inquiry
    response = _get(wordpress, f"/wp-json/wp/v2/inquiries/{inquiry_id}?context=edit", "intake")
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["title"]["raw"] == f"{marker} <b>Bold</b>"
    assert "<b>" not in record["title"]["rendered"]
    assert "&lt;b&gt;Bold&lt;/b&gt;" in record["title"]["rendered"]
    assert record["meta"]["message"] == f"Find{marker} <script>alert(1)</script>"
    assert record["content"]["raw"] == "" and record["content"]["rendered"] == ""
    # No name in the slug (nor so in any URL WordPress makes from it).
    assert record["slug"] == f"inquiry-{inquiry_id}"
    assert marker.lower() not in record["link"].lower()
