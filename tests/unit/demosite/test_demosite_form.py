"""The reference site's copy of the form's rules: the timing token and the shared check."""

from __future__ import annotations

from clinicdesk.demosite.consultation import TOKEN_LIFETIME, check_form, form_token, token_problem

KEY = b"k" * 32
NOW = 1_800_000_000


def test_a_token_is_good_from_the_minimum_time_until_its_lifetime_ends() -> None:
    assert token_problem(KEY, form_token(KEY, NOW - 1), NOW, 3) == "too_fast"
    assert token_problem(KEY, form_token(KEY, NOW - 3), NOW, 3) == ""
    assert token_problem(KEY, form_token(KEY, NOW - TOKEN_LIFETIME), NOW, 3) == ""
    assert token_problem(KEY, form_token(KEY, NOW - TOKEN_LIFETIME - 1), NOW, 3) == "expired"


def test_a_forged_future_or_garbled_token_reads_as_expired() -> None:
    good = form_token(KEY, NOW - 10)
    assert token_problem(b"x" * 32, good, NOW, 3) == "expired"  # another site's key
    assert token_problem(KEY, good[:-1] + ("0" if good[-1] != "0" else "1"), NOW, 3) == "expired"
    assert token_problem(KEY, form_token(KEY, NOW + 120), NOW, 0) == "expired"
    for garbled in ("", "123", None, 5, ["a"], f"{NOW}.zz"):
        assert token_problem(KEY, garbled, NOW, 3) == "expired"


def test_the_check_sanitises_and_names_each_problem_with_a_code() -> None:
    result = check_form(
        {
            "first_name": " Ana\nMaría\x00 ",
            "email": "ana@example.com",
            "message": "line one\r\nline two\x07",
            "consent": "1",
        }
    )
    assert result.ok
    assert result.values["first_name"] == "Ana María"
    assert result.values["message"] == "line one\nline two"
    assert result.values["preferred_contact"] == "email"
    bad = check_form(
        {
            "first_name": " ",
            "email": ["x"],
            "phone": "",
            "preferred_contact": "text",
            "state": "ZZ",
            "consent": "no",
        }
    )
    assert bad.errors == {
        "first_name": "required",
        "email": "invalid",
        "phone": "phone_required",
        "state": "choice",
        "consent": "consent",
    }
    assert check_form({}).missing == ["first_name", "email", "consent"]
