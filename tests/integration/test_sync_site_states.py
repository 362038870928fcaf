"""A sync round brings the website's service area (GET clinicdesk/v1/settings) to the account."""

from __future__ import annotations

import threading

import pytest

from clinicdesk.services import syncround as syncbridge
from clinicdesk.services.syncround import RoundResult, account_after
from clinicdesk.session.accounts import Account
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import Accounts, accounts

__all__ = ["accounts"]


def _round(account: object) -> RoundResult:
    return syncbridge.run_round(
        account.client,  # type: ignore[attr-defined]
        account.cache,  # type: ignore[attr-defined]
        progress=lambda _step: None,
        cancel=threading.Event(),
    )


def test_a_round_brings_the_sites_states_to_the_account(
    accounts: Accounts, fresh_site: SiteUnderTest
) -> None:
    result = _round(accounts("intake"))
    assert result.ok, result
    assert result.site_states == ("TX",)  # the plugin's default
    kept = account_after(Account(fresh_site.url, "intake"), result)
    assert kept.site_states == ("TX",)


@pytest.mark.parametrize("fresh_site", [{"served_states": ("OK", "TX")}], indirect=True)
def test_the_states_the_clinic_set_on_its_website_arrive(
    accounts: Accounts, fresh_site: SiteUnderTest
) -> None:
    assert _round(accounts("intake")).site_states == ("OK", "TX")


def test_a_user_who_does_not_handle_inquiries_is_not_told(
    accounts: Accounts, fresh_site: SiteUnderTest
) -> None:
    result = _round(accounts("author"))
    assert result.ok, result
    assert result.site_states is None
    before = Account(fresh_site.url, "author", site_states=("NM",))
    assert account_after(before, result).site_states == ("NM",)  # what was known stays
