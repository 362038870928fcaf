"""Helpers for the contract tests: a small REST client and self-cleaning record factories.

Everything goes through plain ``requests`` against the ``site`` fixture, so the same tests run
against the reference site and against a real WordPress with the plugin. Records are created
with unique names and deleted for good afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.fixtures.site import SiteUnderTest


def unique(prefix: str = "ct") -> str:
    """A short unique token for titles, names and emails."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


class Api:
    """Requests against the site's REST API, optionally signed in as a role."""

    def __init__(self, site: SiteUnderTest, session: requests.Session) -> None:
        self.site = site
        self.session = session

    def url(self, route: str) -> str:
        """The absolute URL of ``route`` (relative to ``/wp-json/``)."""
        return self.site.rest + route.lstrip("/")

    def request(
        self, method: str, route: str, role: str | None = None, **kwargs: Any
    ) -> requests.Response:
        """Send ``method`` to ``route``; ``role`` signs in with that role's app password."""
        if role is not None:
            kwargs.setdefault("auth", self.site.auth(role))
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.url(route), **kwargs)

    def get(self, route: str, role: str | None = None, **params: Any) -> requests.Response:
        """GET with query parameters."""
        return self.request("GET", route, role, params=params)

    def post(
        self, route: str, role: str | None = None, body: Any = None, **kw: Any
    ) -> requests.Response:
        """POST a JSON body."""
        return self.request("POST", route, role, json=body, **kw)

    def delete(self, route: str, role: str | None = None, **params: Any) -> requests.Response:
        """DELETE with query parameters."""
        return self.request("DELETE", route, role, params=params)


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    """One keep-alive session for the whole run (proxies from the environment ignored)."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


@pytest.fixture
def api(site: SiteUnderTest, http: requests.Session) -> Api:
    """A REST client for the site under test."""
    return Api(site, http)


def assert_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """Check a WordPress-shaped error answer and return its JSON."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert body["data"]["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    return dict(body)


@pytest.fixture
def make_post(api: Api) -> Iterator[Callable[..., dict[str, Any]]]:
    """Create posts (as ``role``, default administrator); all are deleted for good afterwards."""
    created: list[int] = []

    def make(role: str = "administrator", **fields: Any) -> dict[str, Any]:
        fields.setdefault("title", unique("Contract post "))
        response = api.post("wp/v2/posts", role, fields)
        assert response.status_code == 201, response.text
        post = dict(response.json())
        created.append(post["id"])
        return post

    yield make
    for post_id in created:
        api.delete(f"wp/v2/posts/{post_id}", "administrator", force="true")


def form(**overrides: Any) -> dict[str, Any]:
    """A valid consultation form with a unique name and email (an override of None drops it)."""
    token = unique()
    data: dict[str, Any] = {
        "first_name": f"Cf{token}",
        "last_name": f"Tester{token}",
        "email": f"{token}@example.com",
        "phone": "512-555-0199",
        "preferred_contact": "email",
        "state": "TX",
        "insurance": "Aetna",
        "reason": "Anxiety",
        "message": "I would like to find a therapist for anxiety.",
        "consent": True,
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submit(site: SiteUnderTest, body: Any) -> requests.Response:
    """POST the consultation form from a fresh client address (its own rate-limit bucket)."""
    with site.source_session() as session:
        return session.post(site.rest + "clinicdesk/v1/consultation", json=body, timeout=30)


def find_inquiries(api: Api, text: str, status: str = "any") -> list[dict[str, Any]]:
    """Inquiries whose title contains ``text`` (searched as an administrator)."""
    response = api.get(
        "wp/v2/inquiries", "administrator", search=text, status=status, context="edit", per_page=100
    )
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.fixture
def make_inquiry(api: Api, site: SiteUnderTest) -> Iterator[Callable[..., int]]:
    """Create inquiries through the public form; all are deleted for good afterwards."""
    created: list[int] = []

    def make(**overrides: Any) -> int:
        response = submit(site, form(**overrides))
        assert response.status_code == 201, response.text
        inquiry_id = int(response.json()["id"])
        created.append(inquiry_id)
        return inquiry_id

    yield make
    for inquiry_id in created:
        api.delete(f"wp/v2/inquiries/{inquiry_id}", "administrator", force="true")
