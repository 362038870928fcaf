"""The plugin on the site is one this app works fully with, and says so truthfully."""

from __future__ import annotations

import pytest

from clinicdesk import about
from clinicdesk.site import SiteClient
from tests.fixtures.contract import Api
from tests.fixtures.plugin import shipped_plugin_version
from tests.fixtures.site import SiteUnderTest

pytestmark = pytest.mark.contract


def test_the_sites_plugin_is_recent_enough_and_declares_the_shipped_version(
    api: Api, site: SiteUnderTest
) -> None:
    user, password = site.auth("administrator")
    with SiteClient(site.url, user, password) as client:
        info = client.discover()
    assert info.has_plugin
    assert not about.plugin_outdated(info.plugin_version), info.plugin_version
    declared = api.get("").json().get("clinicdesk_plugin_version")
    # A plugin from before the declaration says nothing (taken as 1.0.0); one that declares
    # must declare its own header's version.
    if declared is not None:
        assert declared == shipped_plugin_version()
