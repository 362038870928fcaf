"""The site address rules: what is accepted, what is refused, and where credentials may go."""

from __future__ import annotations

import pytest

from clinicdesk.site.errors import InsecureURLError
from clinicdesk.site.url import check_request_url, is_loopback_host, normalize_site_url


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("clinic.example", "https://clinic.example"),
        ("  clinic.example  ", "https://clinic.example"),
        ("https://clinic.example/", "https://clinic.example"),
        ("https://clinic.example/wp-json/", "https://clinic.example"),
        ("https://clinic.example/wp-json", "https://clinic.example"),
        ("HTTPS://Clinic.Example/WP-JSON/", "https://clinic.example"),
        ("https://clinic.example:443/", "https://clinic.example"),
        ("https://clinic.example:8443/", "https://clinic.example:8443"),
        ("https://clinic.example/blog/", "https://clinic.example/blog"),
        ("https://clinic.example/blog/wp-json/", "https://clinic.example/blog"),
        ("https://clinic.example/wp-admin/", "https://clinic.example"),
        ("clinic.example/wp-login.php", "https://clinic.example"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("http://127.0.0.1:5000/wp-json/", "http://127.0.0.1:5000"),
        ("http://127.3.4.5", "http://127.3.4.5"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("localhost:8080", "https://localhost:8080"),  # no scheme: https, even for loopback
    ],
)
def test_accepted_addresses_are_normalized(typed: str, expected: str) -> None:
    assert normalize_site_url(typed) == expected


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "Type the address"),
        ("   ", "Type the address"),
        ("http://clinic.example", "unencrypted"),
        ("http://127.0.0.1.evil.example", "unencrypted"),
        ("http://10.0.0.5", "unencrypted"),
        ("ftp://clinic.example", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("javascript:alert(1)", "not"),
        ("https://", "no website name"),
        ("https:///wp-json", "no website name"),
        ("https://clinic.example:99999/", "not a valid web address"),
        ("https://clinic.example:abc/", "not a valid web address"),
        ("https://clinic .example", "spaces"),
        ("https://clinic.example/?p=1", "“?” or “#”"),
        ("https://clinic.example/#top", "“?” or “#”"),
    ],
)
def test_refused_addresses_say_why(typed: str, words: str) -> None:
    with pytest.raises(InsecureURLError) as caught:
        normalize_site_url(typed)
    assert words in caught.value.message


@pytest.mark.parametrize(
    "typed",
    [
        "https://admin:s3cret-pw@clinic.example",
        "admin:s3cret-pw@clinic.example",
        "ftp://admin:s3cret-pw@clinic.example",
        "https://admin:s3cret-pw@clinic.example:bad/",
        "http://admin:s3cret-pw@clinic.example/",
    ],
)
def test_userinfo_is_refused_without_repeating_the_password(typed: str) -> None:
    with pytest.raises(InsecureURLError) as caught:
        normalize_site_url(typed)
    assert "user name or password" in caught.value.message
    assert "s3cret" not in caught.value.message


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("128.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - a host name, not a bind
        ("10.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("foo.localhost", False),
        ("localhost.example", False),
        ("127.0.0.1.nip.io", False),
        ("", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


SITE = "https://clinic.example"


@pytest.mark.parametrize(
    "url",
    [
        "https://clinic.example/wp-json/wp/v2/posts",
        "https://clinic.example:443/wp-json/?a=b",
        "https://CLINIC.example/wp-json/",
    ],
)
def test_requests_to_the_site_itself_are_allowed(url: str) -> None:
    check_request_url(url, SITE)


@pytest.mark.parametrize(
    "url",
    [
        "http://clinic.example/wp-json/",  # downgrade
        "https://www.clinic.example/wp-json/",  # another host
        "https://clinic.example.evil.example/wp-json/",
        "https://clinic.example:8443/wp-json/",  # another port
        "https://user:pw@clinic.example/wp-json/",
        "ftp://clinic.example/wp-json/",
    ],
)
def test_requests_elsewhere_are_refused(url: str) -> None:
    with pytest.raises(InsecureURLError):
        check_request_url(url, SITE)


def test_loopback_site_may_upgrade_to_https_but_not_move() -> None:
    site = "http://127.0.0.1:8080"
    check_request_url("http://127.0.0.1:8080/wp-json/", site)
    check_request_url("https://127.0.0.1:8080/wp-json/", site)
    check_request_url("https://127.0.0.1/wp-json/", site)
    with pytest.raises(InsecureURLError):
        check_request_url("http://127.0.0.1:9090/wp-json/", site)
    with pytest.raises(InsecureURLError):
        check_request_url("http://localhost:8080/wp-json/", site)


def test_refusal_message_does_not_repeat_the_query() -> None:
    with pytest.raises(InsecureURLError) as caught:
        check_request_url("https://other.example/wp-json/wp/v2/posts?search=Jane+Doe", SITE)
    assert "Jane" not in caught.value.message
    assert "other.example" in caught.value.message
