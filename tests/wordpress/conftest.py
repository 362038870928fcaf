"""Fixtures of the tests that need a real WordPress (tests/wordpress/README.md)."""

from __future__ import annotations

import pytest

from tests.fixtures.site import SiteUnderTest


@pytest.fixture
def wordpress(site: SiteUnderTest) -> SiteUnderTest:
    """The site under test, when it is a real WordPress; the test skips against the reference
    site."""
    if site.kind != "wordpress":
        pytest.skip("needs a real WordPress (tests/wordpress/README.md)")
    return site
