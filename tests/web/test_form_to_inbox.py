"""The whole loop: a visitor sends the form in a browser, the app's next sync brings it into the
inbox, and a message in crisis is flagged there (and on the site)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from clinicdesk.services import syncround as syncbridge
from clinicdesk.services.syncround import RoundResult
from tests.fixtures.browser import VisitorProxy
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import Accounts, SiteView, accounts, site_view
from tests.fixtures.webform import FormPage, FormPages, delete_inquiries, find_inquiries, visitor

__all__ = ["accounts", "site_view"]

pytestmark = [pytest.mark.contract, pytest.mark.slow]


@pytest.fixture
def fresh_proxy(fresh_site: SiteUnderTest) -> Iterator[VisitorProxy]:
    """A visitor's proxy in front of the test's own site."""
    proxy = VisitorProxy(fresh_site.url)
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_request_from_the_page_reaches_the_inbox_and_crisis_is_flagged(
    fresh_site: SiteUnderTest,
    fresh_proxy: VisitorProxy,
    accounts: Accounts,
    site_view: SiteView,
    chrome_js: Any,
    chrome_nojs: Any,
    min_seconds: int,
    form_pages: FormPages,
    javascript: bool,
) -> None:
    account = accounts("intake")
    assert account.sync().outcome == "ok"
    path = form_pages.shortcode if fresh_site.kind == "wordpress" else "/consultation/"
    page = FormPage(chrome_js if javascript else chrome_nojs, fresh_proxy, javascript, min_seconds)
    answers = visitor(message="Some nights I just want to die. Can someone call me?")
    page.open(path)
    page.fill(**answers)
    page.wait_min_time()
    page.submit()
    page.wait_for_answer()
    try:
        assert page.driver.find_elements("css selector", ".cdf-confirmation")
        [on_site] = find_inquiries(fresh_site, answers["last_name"])

        def bridge_round() -> RoundResult:
            return syncbridge.run_round(
                account.client, account.cache, progress=lambda _step: None, cancel=threading.Event()
            )

        result = bridge_round()
        assert result.outcome == "ok", result
        assert result.flagged >= 1
        local_id = account.cache.inquiries.local_id(on_site["id"])
        assert local_id is not None, "the inquiry did not reach the inbox"
        inquiry = account.cache.inquiries.get(local_id)
        assert inquiry.triage.urgent, "a message in crisis was not flagged"
        # The next round pushes the flag to the site, as for any arrival.
        assert bridge_round().outcome == "ok"
        assert site_view.inquiry(on_site["id"])["meta"]["urgent"] is True
    finally:
        delete_inquiries(fresh_site, find_inquiries(fresh_site, answers["last_name"]))
