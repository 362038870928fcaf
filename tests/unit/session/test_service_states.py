"""The out-of-service-area flag follows the website's states; this computer's choice overrides."""

from __future__ import annotations

import pytest

from clinicdesk.session.accounts import Account, Settings, choose_states, service_states
from clinicdesk.site import InvalidResponseError
from clinicdesk.site.parse import clinic_states

SITE = Account("https://clinic.example", "robin", site_states=("OK", "TX"))


def test_the_websites_states_apply_unless_this_computer_overrides_them() -> None:
    settings = Settings()
    assert service_states(settings, SITE) == ("OK", "TX")
    assert service_states(settings, Account("https://clinic.example", "robin")) == ("TX",)
    settings.clinic_states, settings.clinic_states_override = ["NM"], True
    assert service_states(settings, SITE) == ("NM",)


def test_choosing_the_websites_states_follows_the_website_again() -> None:
    settings = Settings()
    choose_states(settings, SITE, ["NM"])
    assert settings.clinic_states_override and service_states(settings, SITE) == ("NM",)
    choose_states(settings, SITE, ["TX", "OK"])
    assert not settings.clinic_states_override
    # Later, the clinic adds a state on its website: this computer follows.
    grown = Account("https://clinic.example", "robin", site_states=("OK", "TX", "NM"))
    assert service_states(settings, grown) == ("OK", "TX", "NM")


def test_a_choice_saved_before_the_website_said_stays_in_force() -> None:
    older = Settings.from_json({"clinic_states": ["TX", "LA"]})
    assert older.clinic_states_override
    assert service_states(older, SITE) == ("TX", "LA")
    untouched = Settings.from_json({"clinic_states": ["TX"]})
    assert not untouched.clinic_states_override
    again = Settings.from_json(Settings(clinic_states_override=True).to_json())
    assert again.clinic_states_override


def test_the_sites_states_are_kept_with_the_account_and_bad_values_dropped() -> None:
    assert Account.from_json(SITE.to_json()) == SITE
    damaged = {**SITE.to_json(), "site_states": ["TX", 7, "ZZ", "TX", None]}
    assert Account.from_json(damaged) == Account(
        "https://clinic.example", "robin", site_states=("TX",)
    )
    assert SITE.with_site_states(None) is SITE


@pytest.mark.parametrize(
    "answer",
    [[], {"states": "TX"}, {"states": ["Texas"]}, {"states": ["TX", 1]}, {"states": ["TX"] * 101}],
)
def test_a_malformed_settings_answer_is_refused_clearly(answer: object) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        clinic_states(answer)
    assert "states" in str(caught.value) or "settings answer" in str(caught.value)
    assert "The site sent" in str(caught.value)


def test_a_settings_answer_gives_each_state_once_in_order() -> None:
    assert clinic_states({"states": ["OK", "TX", "OK"], "reasons": []}) == ("OK", "TX")
