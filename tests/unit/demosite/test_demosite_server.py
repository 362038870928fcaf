"""Server-level behaviour of the reference site: errors, limits, logging, start-up options."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests

from clinicdesk.demosite import __main__ as cli
from clinicdesk.demosite import routes_users
from clinicdesk.demosite.server import start
from tests.fixtures.site import SiteUnderTest


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def test_an_unexpected_error_is_json_and_logged_without_the_body(
    fresh_site: SiteUnderTest, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(routes_users, "serialize_users", broken)
    with _session() as http:
        response = http.get(
            fresh_site.rest + "wp/v2/users/me",
            auth=fresh_site.auth("editor"),
            params={"secret": "query-value"},
            timeout=30,
        )
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert response.json()["code"] == "internal_server_error"
    assert "boom" not in response.text
    assert "RuntimeError: boom" in caplog.text
    assert "query-value" not in caplog.text


def test_the_access_log_leaves_out_query_strings_and_credentials(
    fresh_site: SiteUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user, password = fresh_site.auth("administrator")
    with _session() as http:
        http.get(
            fresh_site.rest + "wp/v2/posts",
            params={"search": "private words"},
            auth=(user, password),
            timeout=30,
        ).close()
        http.post(
            fresh_site.rest + "clinicdesk/v1/consultation",
            json={"first_name": "Zelda", "email": "zelda@example.com", "consent": True},
            timeout=30,
        ).close()
    assert '"GET /wp-json/wp/v2/posts" 200' in caplog.text
    for secret in ("private", "search=", password, "Zelda", "zelda@example.com"):
        assert secret not in caplog.text


@pytest.mark.parametrize("fresh_site", [{"consultation_rate": (2, 60)}], indirect=True)
def test_the_consultation_rate_is_configurable(fresh_site: SiteUnderTest) -> None:
    form = {"first_name": "Ann", "email": "ann@example.com", "consent": True}
    with fresh_site.source_session() as http:
        codes = [
            http.post(
                fresh_site.rest + "clinicdesk/v1/consultation", json=form, timeout=30
            ).status_code
            for _ in range(3)
        ]
    assert codes == [201, 201, 429]


def test_oversized_bodies_are_refused_before_reading(fresh_site: SiteUnderTest) -> None:
    with _session() as http:
        response = http.post(
            fresh_site.rest + "wp/v2/posts",
            data=b"x" * (1024 * 1024 + 1),
            headers={"Content-Type": "application/json"},
            auth=fresh_site.auth("administrator"),
            timeout=30,
        )
    assert response.status_code == 413
    assert response.json()["code"] == "rest_request_too_large"


def test_uploads_cannot_escape_their_folder(fresh_site: SiteUnderTest) -> None:
    with _session() as http:
        for path in (
            "/wp-content/uploads/../site.sqlite3",
            "/wp-content/uploads/%2e%2e/site.sqlite3",
        ):
            response = http.get(fresh_site.url + path, timeout=30)
            assert response.status_code == 404
            assert b"SQLite" not in response.content


def test_a_restart_keeps_the_data_and_replaces_the_passwords(tmp_path: Path) -> None:
    first = start(tmp_path)
    try:
        with _session() as http:
            created = http.post(
                first.rest + "wp/v2/posts",
                json={"title": "Kept"},
                auth=tuple(first.user),
                timeout=30,
            ).json()
    finally:
        first.stop()
    second = start(tmp_path)
    try:
        with _session() as http:
            kept = http.get(
                second.rest + f"wp/v2/posts/{created['id']}",
                params={"context": "edit"},
                auth=tuple(second.user),
                timeout=30,
            )
            old = http.get(second.rest + "wp/v2/users/me", auth=tuple(first.user), timeout=30)
        assert kept.status_code == 200 and kept.json()["title"]["raw"] == "Kept"
        assert old.status_code == 401
    finally:
        second.stop()


def test_non_loopback_hosts_are_refused_without_allow_remote(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args(["--host", "192.0.2.10"])
    assert exit_info.value.code == 2
    assert "--allow-remote" in capsys.readouterr().err
    assert cli.parse_args(["--host", "192.0.2.10", "--allow-remote"]).allow_remote
    assert cli.parse_args(["--host", "::1"]).host == "::1"
    with pytest.raises(ValueError, match="non-loopback"):
        start(host="192.0.2.1")


def test_the_rate_option_is_parsed() -> None:
    assert cli.parse_args(["--consultation-rate", "3/60"]).consultation_rate == (3, 60)
    with pytest.raises(SystemExit):
        cli.parse_args(["--consultation-rate", "lots"])
