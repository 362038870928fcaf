"""The consultation form in a real browser (headless Chromium), with JavaScript on and off,
against the site under test: the reference site's /consultation/ by default, or a real WordPress
with the plugin (a page holding the shortcode, one holding the block, one the Spanish block).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from tests.fixtures.browser import VisitorProxy
from tests.fixtures.site import TRUSTED_PROXY, SiteUnderTest
from tests.fixtures.webform import FormPage, FormPages, delete_inquiries, find_inquiries, visitor

pytestmark = [pytest.mark.contract, pytest.mark.slow]

CONTROLS = ("first_name", "last_name", "email", "phone", "state", "insurance", "reason", "message")


def _path(pages: FormPages, where: str) -> str:
    return str(getattr(pages, where))


def _assert_no_violations(violations: list[dict[str, Any]]) -> None:
    assert violations == [], "axe-core found: " + "; ".join(
        f"{v['id']} ({v.get('help')}): {v['nodes']}" for v in violations
    )


@pytest.mark.parametrize("where", ["shortcode", "block"])
def test_the_empty_form_is_labelled_marked_and_accessible(
    form_page: FormPage, form_pages: FormPages, axe: str, where: str
) -> None:
    form_page.open(_path(form_pages, where))
    driver = form_page.driver
    crisis = driver.find_element("css selector", ".clinicdesk-form .cdf-crisis").text
    for words in ("not for emergencies", "988", "oprima 2", "AYUDA", "911"):
        assert words in crisis
    # The crisis notice comes before the form, so it is read first.
    assert driver.execute_script(
        "const c = document.querySelector('.cdf-crisis'), f = document.querySelector('form.cdf');"
        "return !!(c.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING);"
    )
    for name in CONTROLS:
        labels = driver.execute_script(
            "return Array.from(document.getElementById(arguments[0]).labels)"
            ".map(l => l.textContent);",
            f"cdf-{name}",
        )
        assert labels, f"{name} has no label"
    for name in ("first_name", "email"):
        label = driver.find_element("css selector", f"label[for='cdf-{name}']").text
        assert "(required)" in label
    legends = [e.text for e in driver.find_elements("css selector", "form.cdf fieldset legend")]
    assert any("contact you" in legend for legend in legends)
    assert any("Consent" in legend and "(required)" in legend for legend in legends)
    radios = driver.find_elements("css selector", "fieldset input[name='preferred_contact']")
    assert len(radios) == 3
    # Focus is visible: a thick outline on whatever has it.
    for target in ("cdf-first_name", "cdf-contact-phone", "cdf-consent", "cdf-submit"):
        outline = driver.execute_script(
            "const e = document.getElementById(arguments[0]); e.focus();"
            "const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth)];",
            target,
        )
        assert outline[0] == "solid" and outline[1] >= 2, (target, outline)
    _assert_no_violations(form_page.axe(axe))


def test_a_complete_request_is_confirmed_and_stored_once(
    form_page: FormPage, form_pages: FormPages, site: SiteUnderTest, axe: str
) -> None:
    answers = visitor(state="TX", reason="Anxiety", insurance="Aetna")
    form_page.open(form_pages.shortcode)
    form_page.fill(**answers)
    form_page.wait_min_time()
    form_page.submit()
    form_page.wait_for_answer()
    driver = form_page.driver
    try:
        confirmation = driver.find_element("css selector", ".cdf-confirmation").text
        assert "Your request was sent" in confirmation
        assert "one business day" in confirmation
        assert "988" in confirmation and "911" in confirmation
        if form_page.javascript:
            assert form_page.same_page(), "the page was reloaded"
            assert driver.switch_to.active_element.get_attribute("class") == "cdf-confirmation"
        else:
            assert "clinicdesk_sent=1" in driver.current_url  # redirect-after-POST
            driver.refresh()  # reloading the confirmation sends nothing again
            form_page.wait(lambda: driver.find_elements("css selector", ".cdf-confirmation"))
        _assert_no_violations(form_page.axe(axe))
        found = find_inquiries(site, answers["last_name"])
        assert len(found) == 1
        meta = found[0]["meta"]
        assert meta["email"] == answers["email"]
        assert meta["state"] == "TX" and meta["reason"] == "Anxiety"
        assert meta["insurance"] == "Aetna" and meta["message"] == answers["message"]
        assert meta["consent"] is True and meta["triage_status"] == "new"
    finally:
        delete_inquiries(site, find_inquiries(site, answers["last_name"]))


def _exhaust_rate_limit(site: SiteUnderTest, proxy: VisitorProxy) -> None:
    """Use up the visitor's allowance, as the same visitor coming through the same proxy."""
    with site.source_session(TRUSTED_PROXY) as session:
        for _ in range(100):
            response = session.post(
                site.rest + "clinicdesk/v1/consultation",
                json={},
                headers={"X-Forwarded-For": proxy.visitor},
                timeout=30,
            )
            if response.status_code == 429:
                return
    pytest.fail("the rate limit never answered 429")


BAD_INPUTS: dict[str, tuple[dict[str, Any], str, str]] = {
    # case: (answers changed, field whose error shows ('' for the form), expected words)
    "missing consent": ({"consent": False}, "consent", "Check the box to agree"),
    "missing consent, from another state": (
        {"consent": False, "state": "-"},
        "consent",
        "Check the box to agree",
    ),
    "invalid email": ({"email": "robin.example.com"}, "email", "like name@example.com"),
    "20,000-character message": ({"message": "x" * 20000}, "message", "5,000 characters"),
    "honeypot filled": ({"website": "http://spam.example"}, "", "could not be accepted"),
    "sent too fast": ({}, "", "very quickly"),
    "over the rate limit": ({}, "", "Too many requests"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_each_bad_input_shows_its_error_next_to_the_field_and_creates_nothing(
    form_page: FormPage,
    form_pages: FormPages,
    site: SiteUnderTest,
    visitor_proxy: VisitorProxy,
    axe: str,
    case: str,
) -> None:
    changes, field, words = BAD_INPUTS[case]
    answers = visitor(**changes)
    if case == "over the rate limit":
        _exhaust_rate_limit(site, visitor_proxy)
    form_page.open(form_pages.shortcode)
    form_page.fill(**answers)
    if case != "sent too fast":
        form_page.wait_min_time()
    form_page.submit()
    form_page.wait_for_answer()
    driver = form_page.driver
    try:
        assert not driver.find_elements("css selector", ".cdf-confirmation")
        if field:
            assert words in form_page.error_of(field)
            control = driver.find_element("id", f"cdf-{field}")
            assert control.get_attribute("aria-invalid") == "true"
            assert f"cdf-{field}-error" in (control.get_attribute("aria-describedby") or "")
            links = driver.find_elements("css selector", "#cdf-summary a")
            assert f"#cdf-{field}" in [
                link.get_attribute("href")[-len(field) - 5 :] for link in links
            ]
        else:
            assert words in form_page.form_error()
        summary = driver.find_element("id", "cdf-summary")
        assert summary.is_displayed() and words in summary.text
        assert driver.switch_to.active_element.get_attribute("id") == "cdf-summary"
        # Nothing the person typed is lost.
        assert driver.find_element("id", "cdf-first_name").get_attribute("value") == "Robin"
        assert driver.find_element("id", "cdf-email").get_attribute("value") == answers["email"]
        # The state list shows what was picked: "Another state" only if that was the choice.
        state = driver.find_element("id", "cdf-state").get_attribute("value")
        assert state == answers.get("state", ""), "the state list changed its answer"
        if form_page.javascript:
            assert form_page.same_page(), "the page was reloaded"
        _assert_no_violations(form_page.axe(axe))
        assert find_inquiries(site, answers["last_name"]) == []
    finally:
        delete_inquiries(site, find_inquiries(site, answers["last_name"]))


def test_the_spanish_form(
    form_page: FormPage, form_pages: FormPages, site: SiteUnderTest, axe: str
) -> None:
    form_page.open(form_pages.spanish)
    driver = form_page.driver
    container = driver.find_element("css selector", ".clinicdesk-form")
    assert container.get_attribute("lang") == "es"
    assert "Nombre" in driver.find_element("css selector", "label[for='cdf-first_name']").text
    assert "(obligatorio)" in driver.find_element("css selector", "label[for='cdf-email']").text
    crisis = driver.find_element("css selector", ".cdf-crisis").text
    assert "no es para emergencias" in crisis and "oprima 2" in crisis and "911" in crisis
    assert driver.find_element("id", "cdf-submit").text == "Enviar mi solicitud"
    _assert_no_violations(form_page.axe(axe))
    answers = visitor(first_name="", consent=False)
    form_page.fill(**answers)
    form_page.wait_min_time()
    form_page.submit()
    form_page.wait_for_answer()
    try:
        assert form_page.error_of("first_name") == "Escriba su nombre."
        assert "Marque la casilla" in form_page.error_of("consent")
        assert "Hay un problema" in driver.find_element("id", "cdf-summary").text
        _assert_no_violations(form_page.axe(axe))
        assert find_inquiries(site, answers["last_name"]) == []
    finally:
        delete_inquiries(site, find_inquiries(site, answers["last_name"]))


def test_the_form_fits_a_320_pixel_wide_screen(
    chrome_js: Any, visitor_proxy: VisitorProxy, form_pages: FormPages, min_seconds: int
) -> None:
    page = FormPage(chrome_js, visitor_proxy, True, min_seconds)
    size = chrome_js.get_window_size()
    chrome_js.set_window_size(320, 900)
    try:
        page.open(form_pages.shortcode)
        overflow = chrome_js.execute_script(
            "const c = document.querySelector('.clinicdesk-form');"
            "return Array.from(c.querySelectorAll('input:not([type=hidden]), select, textarea,"
            " button, label, legend, p')).filter(e => e.closest('.cdf-hp') === null)"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            ".map(e => e.id || e.tagName);"
        )
        assert overflow == [], f"wider than the screen: {overflow}"
        button = chrome_js.find_element("id", "cdf-submit")
        chrome_js.execute_script("arguments[0].scrollIntoView();", button)
        assert button.is_displayed() and button.size["width"] <= 320
    finally:
        chrome_js.set_window_size(size["width"], size["height"])


def test_the_settings_route_gives_staff_the_served_states(site: SiteUnderTest) -> None:
    with requests.Session() as session:
        session.trust_env = False
        staff = session.get(
            site.rest + "clinicdesk/v1/settings", auth=site.auth("intake"), timeout=30
        )
        anonymous = session.get(site.rest + "clinicdesk/v1/settings", timeout=30)
        author = session.get(
            site.rest + "clinicdesk/v1/settings", auth=site.auth("author"), timeout=30
        )
    assert staff.status_code == 200, staff.text
    body = staff.json()
    assert body["states"] == ["TX"]
    assert "Anxiety" in body["reasons"] and "Aetna" in body["insurers"]
    assert anonymous.status_code == 401
    assert author.status_code == 403


def test_the_page_holds_nothing_per_visitor(site: SiteUnderTest, form_pages: FormPages) -> None:
    # What a full-page cache needs: two visitors (other addresses, one with cookies) are sent
    # the same form, apart from the time in the timing token, and no cookie.
    token = re.compile(r'name="token" value="\d+\.[0-9a-f]{32}"')
    pages = []
    for cookies in ({}, {"returning_visitor": "1", "wp-settings-time-1": "1"}):
        with site.source_session() as session:
            response = session.get(site.url + form_pages.shortcode, cookies=cookies, timeout=30)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        start = response.text.index('<div class="clinicdesk-form"')
        end = response.text.index("</template></div>", start)
        form = response.text[start:end]
        assert len(token.findall(form)) == 1
        pages.append(token.sub('name="token" value=""', form))
    assert pages[0] == pages[1]
    assert "nonce" not in pages[0].lower()
