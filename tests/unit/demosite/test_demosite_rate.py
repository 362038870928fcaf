"""The reference site finds the client address of the form's rate limit as the plugin does."""

from __future__ import annotations

import pytest

from clinicdesk.demosite.routes_inquiries import client_address, rate_bucket

PROXIES = ("127.0.0.77", "10.0.0.0/8")


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        # Anyone not a trusted proxy: the header is ignored.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # A trusted proxy: the nearest untrusted hop, read from the right.
        ("127.0.0.77", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.77", "192.0.2.1, 198.51.100.1", "198.51.100.1"),
        ("127.0.0.77", "198.51.100.1, 10.1.2.3", "198.51.100.1"),
        # Garbage ends the chain: the last good hop counts.
        ("127.0.0.77", "198.51.100.1, nonsense", "127.0.0.77"),
        ("10.9.9.9", "::ffff:198.51.100.4", "198.51.100.4"),
        ("127.0.0.77", "[2001:db8::1]", "2001:db8::1"),
    ],
)
def test_the_client_address(remote: str, forwarded: str | None, expected: str) -> None:
    assert client_address(remote, forwarded, PROXIES) == expected


def test_ipv6_is_counted_per_64_and_ipv4_per_address() -> None:
    assert rate_bucket("2001:db8:1:2::1") == rate_bucket("2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert rate_bucket("2001:db8:1:2::1") != rate_bucket("2001:db8:1:3::1")
    assert rate_bucket("192.0.2.1") != rate_bucket("192.0.2.2")
