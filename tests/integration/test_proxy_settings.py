"""Transport hygiene: the site's credentials never go to a proxy from the environment or to
``~/.netrc`` lookups; the proxy the clinic sets explicitly is the only one used.

A real loopback "proxy" (:class:`~tests.fixtures.recording_proxy.RecordingProxy`) records every
request head that reaches it.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from clinicdesk.site import InsecureURLError, SiteClient, SiteError
from clinicdesk.site.transport import check_proxy_url
from tests.fixtures.recording_proxy import RecordingProxy
from tests.fixtures.site import SiteUnderTest

_PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture
def recorder() -> RecordingProxy:
    with RecordingProxy() as running:
        yield running  # type: ignore[misc]


def test_a_proxy_from_the_environment_never_sees_the_site_or_its_password(
    site: SiteUnderTest, recorder: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in _PROXY_VARIABLES:
        monkeypatch.setenv(name, recorder.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    user, password = site.auth("administrator")
    with SiteClient(site.url, user, password) as client:
        assert client.me().username == user
        client.discover()
        # A fork (the read-ahead thread's client) follows the same rule.
        with client.fork() as fork:
            assert fork.me().username == user
    assert recorder.heads == []


def test_netrc_credentials_are_never_sent(
    recorder: RecordingProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The recorder plays the site here: what does an anonymous request carry on its own?
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password from-netrc\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".netrc").write_text(netrc.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".netrc").chmod(0o600)
    with SiteClient(recorder.url, None, None) as anonymous:
        with pytest.raises(SiteError):
            anonymous.discover()
    assert len(recorder.heads) == 1
    assert "authorization:" not in recorder.heads[0].lower()
    secret = base64.b64encode(b"someone:from-netrc").decode()
    assert secret not in recorder.heads[0]


def test_the_proxy_the_clinic_sets_is_used(site: SiteUnderTest, recorder: RecordingProxy) -> None:
    user, password = site.auth("administrator")
    with SiteClient(site.url, user, password, proxy=recorder.url) as client:
        assert client.me().username == user
        with client.fork() as fork:
            assert fork.me().username == user
    requests_lines = recorder.seen_paths()
    assert len(requests_lines) == 2
    assert all(line.startswith(f"GET {site.url}/wp-json/wp/v2/users/me") for line in requests_lines)


@pytest.mark.parametrize(
    ("proxy", "site_url"),
    [
        ("http://proxy.clinic.example:3128", "http://127.0.0.1:8080"),  # password in clear
        ("http://someone:secret@127.0.0.1:3128", "https://clinic.example"),  # a stored password
        ("socks5://127.0.0.1:1080", "https://clinic.example"),
        ("proxy.clinic.example", "https://clinic.example"),
        ("http://proxy.clinic.example", "https://clinic.example"),  # no port
    ],
)
def test_unsafe_or_malformed_proxy_settings_are_refused(proxy: str, site_url: str) -> None:
    with pytest.raises(InsecureURLError):
        check_proxy_url(proxy, site_url)
    with pytest.raises(InsecureURLError):
        SiteClient(site_url, "editor", "abcd efgh ijkl mnop", proxy=proxy)


@pytest.mark.parametrize(
    ("proxy", "site_url"),
    [
        # An https site goes through the proxy in a tunnel: certificate checked, password
        # encrypted end to end.
        ("http://proxy.clinic.example:3128", "https://clinic.example"),
        ("https://proxy.clinic.example:3129", "https://clinic.example"),
        ("http://127.0.0.1:3128", "http://127.0.0.1:8080"),
    ],
)
def test_safe_proxy_settings_are_accepted(proxy: str, site_url: str) -> None:
    assert check_proxy_url(proxy, site_url) == proxy
