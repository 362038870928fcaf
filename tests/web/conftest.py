"""Fixtures of the consultation-form browser tests (tests/web).

They run against the site under test (``site``: the reference site by default, a real WordPress
with ``CLINICDESK_TEST_SITE``) through a :class:`~tests.fixtures.browser.VisitorProxy`, in
headless Chromium with JavaScript on and off. On WordPress the pages are made by the tests (one
holding the shortcode, one the block, one the Spanish shortcode) and deleted afterwards; the
reference site serves its form at /consultation/ (?lang=es).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fixtures.browser import (
    VisitorProxy,
    axe_source,
    browser_available,
    new_chrome,
    visitor_proxy,
)
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.webform import FormPage, FormPages

__all__ = ["visitor_proxy"]

if not browser_available():
    if os.environ.get("CI"):
        raise RuntimeError("tests/web need chromium, chromium-driver and selenium (.ci/run)")
    pytest.skip("chromium, chromium-driver or selenium is not installed", allow_module_level=True)


def _make_page(site: SiteUnderTest, title: str, content: str) -> dict[str, Any]:
    with requests.Session() as session:
        session.trust_env = False
        response = session.post(
            site.rest + "wp/v2/pages",
            json={"title": title, "content": content, "status": "publish"},
            auth=site.auth("administrator"),
            timeout=30,
        )
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture(scope="session")
def form_pages(site: SiteUnderTest) -> Iterator[FormPages]:
    """The pages that hold the form on the site under test."""
    if site.kind != "wordpress":
        yield FormPages("/consultation/", "/consultation/", "/consultation/?lang=es")
        return
    token = uuid.uuid4().hex[:8]
    made = [
        _make_page(
            site,
            f"Consultation shortcode {token}",
            "<!-- wp:shortcode -->[clinicdesk_consultation_form]<!-- /wp:shortcode -->",
        ),
        _make_page(
            site,
            f"Consultation block {token}",
            "<!-- wp:clinicdesk/consultation-form /-->",
        ),
        _make_page(
            site,
            f"Consulta {token}",
            '<!-- wp:clinicdesk/consultation-form {"lang":"es"} /-->',
        ),
    ]
    try:
        paths = ["/" + page["link"].split("/", 3)[3] for page in made]
        yield FormPages(*paths)
    finally:
        with requests.Session() as session:
            session.trust_env = False
            for page in made:
                session.delete(
                    f"{site.rest}wp/v2/pages/{page['id']}",
                    params={"force": "true"},
                    auth=site.auth("administrator"),
                    timeout=30,
                )


@pytest.fixture(scope="session")
def min_seconds(site: SiteUnderTest) -> int:
    """The site's minimum time between opening the form and sending it."""
    with requests.Session() as session:
        session.trust_env = False
        response = session.get(site.rest + "clinicdesk/v1/consultation/token", timeout=30)
    assert response.status_code == 200, response.text
    return int(response.json()["min_seconds"])


@pytest.fixture(scope="session")
def axe() -> str:
    """axe-core's script (installed by .ci/run with npm into .ci/node)."""
    source = axe_source()
    if source is None:
        if os.environ.get("CI"):
            raise RuntimeError("axe-core is not installed (.ci/run installs it)")
        pytest.skip("axe-core is not installed: npm install --prefix .ci/node axe-core@4.14.1")
    return source


@pytest.fixture(scope="session")
def chrome_js() -> Iterator[Any]:
    """Headless Chromium with JavaScript (one for the session; cookies cleared per test)."""
    driver = new_chrome(javascript=True)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def chrome_nojs() -> Iterator[Any]:
    """Headless Chromium with JavaScript turned off."""
    driver = new_chrome(javascript=False)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def javascript(request: pytest.FixtureRequest) -> bool:
    """Each test that takes it runs with JavaScript on and off."""
    return bool(request.param)


@pytest.fixture
def form_page(
    javascript: bool,
    chrome_js: Any,
    chrome_nojs: Any,
    visitor_proxy: VisitorProxy,
    min_seconds: int,
) -> FormPage:
    """The form in a browser with JavaScript on or off, for a new visitor."""
    driver = chrome_js if javascript else chrome_nojs
    return FormPage(driver, visitor_proxy, javascript, min_seconds, axe_driver=chrome_js)
