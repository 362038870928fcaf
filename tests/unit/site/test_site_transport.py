"""The wire rules: retries and their waits, creates never repeated, errors mapped, credentials kept
to the site. Failures that real servers rarely produce on demand are faked with ``responses``."""

from __future__ import annotations

import base64
import email.utils
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from clinicdesk import __version__
from clinicdesk.site import SiteClient
from clinicdesk.site.errors import (
    CertificateError,
    ForbiddenError,
    GoneError,
    InsecureURLError,
    InvalidResponseError,
    NotFoundError,
    NotWordPressError,
    OutcomeUnknownError,
    PluginMissingError,
    RateLimitedError,
    RejectedError,
    ServerError,
    SignedOutError,
    SiteError,
    TimedOutError,
    UnreachableError,
)
from clinicdesk.site.timing import RetryPolicy, parse_retry_after
from clinicdesk.site.transport import Transport
from tests.fixtures.site_samples import note_json, post_json, wp_error

SITE = "https://clinic.example"
API = SITE + "/wp-json/"
POSTS = API + "wp/v2/posts"
POST_12 = POSTS + "/12"
NOTES = API + "clinicdesk/v1/notes"
USERNAME = "editor"
PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"
TOKEN = base64.b64encode(f"{USERNAME}:{PASSWORD.replace(' ', '')}".encode()).decode()
CLIENT_ID = "0b5c7d3e-8f4a-4c7e-9d2b-1a2b3c4d5e6f"
NOW = 1_700_000_000.0


class Recorder:
    """Stands in for ``time.sleep``: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def sleeps() -> Recorder:
    return Recorder()


@pytest.fixture
def client(sleeps: Recorder) -> Iterator[SiteClient]:
    with SiteClient(
        SITE,
        USERNAME,
        PASSWORD,
        sleep=sleeps,
        clock=lambda: NOW,
        rand=lambda: 0.5,
        retry=RetryPolicy(attempts=4, backoff=0.5, max_backoff=8.0, jitter=0.5),
    ) as site_client:
        yield site_client


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``responses`` answering ``body`` as JSON."""
    return {"status": status, "json": body, "headers": headers or {}}


def _error(
    status: int,
    code: str,
    message: str = "Nope.",
    headers: dict[str, str] | None = None,
    **data: Any,
) -> dict[str, Any]:
    """Keyword arguments for ``responses`` answering WordPress's error shape."""
    return _json(status, wp_error(code, message, status, **data), headers)


def _calls(mock: responses.RequestsMock, method: str, url_prefix: str) -> int:
    return sum(
        1
        for call in mock.calls
        if call.request.method == method and str(call.request.url).startswith(url_prefix)
    )


# ---- the retry policy -------------------------------------------------------------------------


def test_backoff_doubles_up_to_its_cap_without_jitter() -> None:
    policy = RetryPolicy(backoff=1.0, max_backoff=5.0, jitter=0.0)
    assert [policy.delay(n, 0.99) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert policy.delay(10_000, 0.5) == 5.0  # no overflow however long it goes


def test_jitter_spreads_each_wait_below_its_backoff() -> None:
    policy = RetryPolicy(backoff=2.0, max_backoff=60.0, jitter=0.5)
    assert policy.delay(2, 0.0) == 2.0  # half of 4 is fixed...
    assert policy.delay(2, 0.999) == pytest.approx(3.998)  # ...the other half random
    full = RetryPolicy(backoff=2.0, jitter=1.0)
    assert full.delay(1, 0.0) == 0.0


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=1.5)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("7", 7.0),
        ("0", 0.0),
        (" 12 ", 12.0),
        (email.utils.formatdate(NOW + 90, usegmt=True), 90.0),
        (email.utils.formatdate(NOW - 90, usegmt=True), 0.0),  # a date in the past: now
        ("soon", None),
        ("-5", None),
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_reads_are_retried_on_server_trouble(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder, status: int
) -> None:
    mock.get(POST_12, **_json(status, {}))
    mock.get(POST_12, **_json(status, {}))
    mock.get(POST_12, **_json(200, post_json()))
    assert client.get_post(12).id == 12
    assert client.requests_made == 3
    # backoff 0.5 then 1.0, each with half of it jittered (rand=0.5 -> 3/4 of the backoff)
    assert sleeps.waits == [0.375, 0.75]


def test_retries_stop_after_the_policy_s_attempts(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    mock.get(POST_12, **_error(503, "overloaded"))
    with pytest.raises(ServerError) as caught:
        client.get_post(12)
    assert caught.value.status == 503
    assert client.requests_made == 4
    assert len(sleeps.waits) == 3


def test_429_waits_what_retry_after_says(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    mock.get(POST_12, **_error(429, "clinicdesk_rate_limited", headers={"Retry-After": "7"}))
    mock.get(POST_12, json=post_json())
    assert client.get_post(12).id == 12
    assert sleeps.waits == [7.0]


def test_429_with_an_http_date(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    date = email.utils.formatdate(NOW + 30, usegmt=True)
    mock.get(POST_12, status=429, json={}, headers={"Retry-After": date})
    mock.get(POST_12, json=post_json())
    client.get_post(12)
    assert sleeps.waits == [30.0]


def test_429_without_retry_after_backs_off(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    mock.get(POST_12, status=429, json={})
    mock.get(POST_12, json=post_json())
    client.get_post(12)
    assert sleeps.waits == [0.375]


def test_429_asking_for_too_long_is_handed_to_the_caller(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    mock.get(POST_12, status=429, json={}, headers={"Retry-After": "600"})
    with pytest.raises(RateLimitedError) as caught:
        client.get_post(12)
    assert caught.value.retry_after == 600.0
    assert "10 minutes" in caught.value.message
    assert sleeps.waits == []
    assert client.requests_made == 1


def test_429_until_the_attempts_run_out(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    mock.get(POST_12, status=429, json={}, headers={"Retry-After": "2"})
    with pytest.raises(RateLimitedError) as caught:
        client.get_post(12)
    assert caught.value.retry_after == 2.0
    assert caught.value.status == 429
    assert sleeps.waits == [2.0, 2.0, 2.0]


def test_connection_failures_and_timeouts_of_reads_are_retried(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    mock.get(POST_12, body=requests.exceptions.ReadTimeout("slow"))
    mock.get(POST_12, body=requests.exceptions.ConnectionError(ProtocolError("reset")))
    mock.get(POST_12, body=requests.exceptions.ConnectTimeout("slow"))
    mock.get(POST_12, json=post_json())
    assert client.get_post(12).id == 12
    assert len(sleeps.waits) == 3


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (requests.exceptions.ReadTimeout("slow"), TimedOutError),
        (requests.exceptions.ConnectTimeout("slow"), TimedOutError),
        (requests.exceptions.ConnectionError(ProtocolError("reset")), UnreachableError),
        (requests.exceptions.ChunkedEncodingError("cut"), UnreachableError),
        (requests.exceptions.ProxyError("proxy"), UnreachableError),
    ],
)
def test_network_failures_become_typed_errors(
    mock: responses.RequestsMock, client: SiteClient, exc: Exception, error: type[SiteError]
) -> None:
    mock.get(POST_12, body=exc)
    with pytest.raises(error) as caught:
        client.get_post(12)
    assert caught.value.message
    assert client.requests_made == 4
    # requests' exception (its request holds the Authorization header) is not kept alive.
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_certificate_errors_are_not_retried(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    mock.get(POST_12, body=requests.exceptions.SSLError("CERTIFICATE_VERIFY_FAILED"))
    with pytest.raises(CertificateError) as caught:
        client.get_post(12)
    assert "certificate" in caught.value.message
    assert client.requests_made == 1
    assert sleeps.waits == []


# ---- creates are never repeated ---------------------------------------------------------------


def _connect_refused() -> requests.exceptions.ConnectionError:
    reason = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(MaxRetryError(None, POSTS, reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "failure",
    [
        {"body": requests.exceptions.ReadTimeout("slow")},
        {"body": requests.exceptions.ConnectionError(ProtocolError("Connection aborted."))},
        {"body": requests.exceptions.ChunkedEncodingError("cut")},
        {"status": 500, "json": wp_error("internal", "Oops", 500)},
        {"status": 502, "body": "<html>Bad gateway</html>", "content_type": "text/html"},
        {"status": 503, "json": {}},
        {"status": 504, "json": {}},
        {"status": 201, "body": "<html>cached page</html>", "content_type": "text/html"},
        {"status": 201, "json": {"id": 99}},  # created, but the answer is not a post
    ],
)
def test_a_create_whose_outcome_is_unknown_is_not_sent_again(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder, failure: dict[str, Any]
) -> None:
    mock.post(POSTS, **failure)
    with pytest.raises(OutcomeUnknownError) as caught:
        client.create_post({"title": "Hello", "status": "draft"}, CLIENT_ID)
    assert caught.value.client_id == CLIENT_ID
    assert caught.value.cause is not None
    assert _calls(mock, "POST", POSTS) == 1
    assert sleeps.waits == []


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, "rest_invalid_param", RejectedError),
        (401, "rest_cannot_create", SignedOutError),
        (403, "rest_cannot_publish", ForbiddenError),
        (429, "clinicdesk_rate_limited", RateLimitedError),
    ],
)
def test_a_refused_create_raises_its_error_once(
    mock: responses.RequestsMock,
    client: SiteClient,
    status: int,
    code: str,
    error: type[SiteError],
) -> None:
    mock.post(POSTS, **_error(status, code, headers={"Retry-After": "1"}))
    with pytest.raises(error) as caught:
        client.create_post({"title": "Hello", "status": "publish"}, CLIENT_ID)
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.code == code
    assert _calls(mock, "POST", POSTS) == 1


def test_a_create_that_never_left_is_tried_again(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(POSTS, body=_connect_refused())
    mock.post(POSTS, status=201, json=post_json(status="draft"))
    assert client.create_post({"title": "Hello"}, CLIENT_ID).id == 12
    assert _calls(mock, "POST", POSTS) == 2


def test_a_create_that_can_never_connect_is_unreachable_not_unknown(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(POSTS, body=_connect_refused())
    with pytest.raises(UnreachableError) as caught:
        client.create_post({"title": "Hello"}, CLIENT_ID)
    assert not isinstance(caught.value, OutcomeUnknownError)


def test_updates_are_retried(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    mock.post(POST_12, body=requests.exceptions.ReadTimeout("slow"))
    mock.post(POST_12, status=503, json={})
    mock.post(POST_12, json=post_json(title={"raw": "New", "rendered": "New"}))
    assert client.update_post(12, {"title": "New"}).title == "New"
    assert _calls(mock, "POST", POST_12) == 3


def test_notes_are_retried_because_the_site_deduplicates_them(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(NOTES, body=requests.exceptions.ConnectionError(ProtocolError("aborted")))
    mock.post(NOTES, status=200, json=note_json())  # the site: "I already have that one"
    note = client.add_note(40, "note", "Left a voicemail.", note_json()["client_id"])
    assert note.id == 7
    bodies = [json.loads(c.request.body or b"") for c in mock.calls]
    assert bodies[0] == bodies[1]  # the same client_id both times


def test_deletes_are_retried(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.delete(POST_12, status=502, json={})
    mock.delete(POST_12, json=post_json(status="trash"))
    assert client.trash_post(12).status == "trash"


def test_a_failing_consultation_is_not_repeated(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    url = API + "clinicdesk/v1/consultation"
    mock.post(url, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(OutcomeUnknownError):
        client.submit_consultation({"first_name": "Jane", "email": "j@x.org", "consent": True})
    assert _calls(mock, "POST", url) == 1


# ---- every status -> its error ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, "rest_invalid_json", RejectedError),
        (400, "rest_post_invalid_page_number", RejectedError),
        (401, "rest_not_logged_in", SignedOutError),
        (401, "rest_forbidden", SignedOutError),
        (403, "rest_cannot_edit", ForbiddenError),
        (403, "rest_forbidden_context", ForbiddenError),
        (404, "rest_post_invalid_id", NotFoundError),
        (404, "rest_no_route", NotFoundError),
        (405, "rest_no_route", RejectedError),
        (409, "conflict", RejectedError),
        (410, "rest_already_trashed", GoneError),
        (413, "too_big", RejectedError),
        (429, "clinicdesk_rate_limited", RateLimitedError),
        (500, "internal", ServerError),
        (501, "rest_trash_not_supported", ServerError),
        (503, "down", ServerError),
        (508, "loop", ServerError),
    ],
)
def test_each_status_maps_to_its_error(
    mock: responses.RequestsMock,
    client: SiteClient,
    status: int,
    code: str,
    error: type[SiteError],
) -> None:
    mock.get(POST_12, **_error(status, code, "The site's own words.", {"Retry-After": "1"}))
    with pytest.raises(error) as caught:
        client.get_post(12)
    assert type(caught.value) is error
    assert (caught.value.code, caught.value.status) == (code, status)
    assert caught.value.message


def test_invalid_params_are_named(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.post(
        POST_12,
        **_error(
            400,
            "rest_invalid_param",
            "Invalid parameter(s): status",
            params={"status": "status is not one of publish, future, draft."},
            details={"status": {"code": "rest_not_in_enum"}},
        ),
    )
    with pytest.raises(RejectedError) as caught:
        client.update_post(12, {"status": "draft"})
    assert caught.value.params == {"status": "status is not one of publish, future, draft."}
    assert "details" in caught.value.data
    assert "Invalid parameter(s): status" in caught.value.message


def test_missing_params_are_named(mock: responses.RequestsMock, client: SiteClient) -> None:
    url = API + "clinicdesk/v1/consultation"
    mock.post(
        url,
        **_error(
            400,
            "rest_missing_callback_param",
            "Missing parameter(s): email, consent",
            params=["email", "consent"],
        ),
    )
    with pytest.raises(RejectedError) as caught:
        client.submit_consultation({"first_name": "Jane"})
    assert caught.value.params == {"email": "", "consent": ""}


def test_a_404_web_page_means_no_rest_api(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(POST_12, status=404, body="<html>Not found</html>", content_type="text/html")
    with pytest.raises(NotWordPressError):
        client.get_post(12)


def test_a_missing_plugin_route_is_reported_as_such(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.get(API + "wp/v2/inquiries/40", **_error(404, "rest_no_route"))
    mock.get(API + "wp/v2/inquiries/41", **_error(404, "rest_post_invalid_id"))
    with pytest.raises(PluginMissingError):
        client.get_inquiry(40)
    with pytest.raises(NotFoundError) as caught:
        client.get_inquiry(41)
    assert not isinstance(caught.value, PluginMissingError)


def test_error_pages_of_proxies_map_by_status(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.get(POST_12, status=403, body="<html>Firewall</html>", content_type="text/html")
    with pytest.raises(ForbiddenError) as caught:
        client.get_post(12)
    assert caught.value.code is None


def test_unexpected_statuses_are_invalid(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(POST_12, status=304)
    with pytest.raises(InvalidResponseError):
        client.get_post(12)


# ---- credentials, TLS, headers ----------------------------------------------------------------


def test_requests_carry_the_user_agent_and_basic_auth(
    mock: responses.RequestsMock, client: SiteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    mock.get(POST_12, json=post_json())
    client.get_post(12)
    request = mock.calls[0].request
    assert request.headers["User-Agent"] == f"ClinicDesk/{__version__}"
    # The spaces WordPress shows the password with are not part of it.
    assert request.headers["Authorization"] == f"Basic {TOKEN}"
    assert request.req_kwargs["verify"] is True  # type: ignore[attr-defined]


def test_verification_cannot_be_turned_off(
    mock: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setenv("CURL_CA_BUNDLE", "")
    monkeypatch.setenv("PYTHONHTTPSVERIFY", "0")
    session = requests.Session()
    session.verify = False
    mock.get(POST_12, json=post_json())
    with session, SiteClient(SITE, USERNAME, PASSWORD, session=session) as site_client:
        site_client.get_post(12)
        assert mock.calls[0].request.req_kwargs["verify"] is True  # type: ignore[attr-defined]
        # A CA bundle named in the environment replaces the roots; it cannot switch checks off.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/clinic/ca.pem")
        site_client.get_post(12)
        assert mock.calls[1].request.req_kwargs["verify"] == "/etc/clinic/ca.pem"  # type: ignore[attr-defined]


def test_a_clinic_ca_bundle_is_used(mock: responses.RequestsMock, tmp_path: Any) -> None:
    bundle = tmp_path / "clinic-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    mock.get(POST_12, json=post_json())
    with SiteClient(SITE, USERNAME, PASSWORD, ca_bundle=str(bundle)) as site_client:
        site_client.get_post(12)
    assert mock.calls[0].request.req_kwargs["verify"] == str(bundle)  # type: ignore[attr-defined]
    with pytest.raises(CertificateError, match="does not exist"):
        SiteClient(SITE, USERNAME, PASSWORD, ca_bundle=str(tmp_path / "missing.pem"))


def test_an_injected_session_is_left_open_and_an_own_one_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed: list[requests.Session] = []
    real_close = requests.Session.close

    def close(self: requests.Session) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(requests.Session, "close", close)
    injected = requests.Session()
    SiteClient(SITE, USERNAME, PASSWORD, session=injected).close()
    assert closed == []
    own = SiteClient(SITE, USERNAME, PASSWORD)
    own.close()
    assert len(closed) == 1
    assert closed[0] is not injected
    injected.close()


def test_a_fork_keeps_the_settings_uses_its_own_session_and_counts_in_the_parent(
    mock: responses.RequestsMock, client: SiteClient, sleeps: Recorder
) -> None:
    mock.get(POST_12, **_json(503, {}))
    mock.get(POST_12, **_json(200, post_json()))
    fork = client.fork()
    try:
        assert fork._transport._session is not client._transport._session
        assert fork.get_post(12).id == 12
    finally:
        fork.close()
    # The same credentials, retry policy and sleep as the client it was forked from...
    assert mock.calls[1].request.headers["Authorization"] == f"Basic {TOKEN}"
    assert sleeps.waits == [0.375]
    # ...and its two requests count in the parent's total (a round reports every request).
    assert client.requests_made == 2 and fork.requests_made == 2
    mock.get(POST_12, **_json(200, post_json()))
    client.get_post(12)
    assert client.requests_made == 3


def test_a_fork_closes_the_session_its_factory_made_and_only_that_one() -> None:
    made: list[requests.Session] = []
    closed: list[requests.Session] = []

    class Tracked(requests.Session):
        def close(self) -> None:
            closed.append(self)
            super().close()

    def factory() -> requests.Session:
        made.append(Tracked())
        return made[-1]

    with Tracked() as injected:
        client = SiteClient(SITE, USERNAME, PASSWORD, session=injected, session_factory=factory)
        client.fork().close()
        client.close()
        assert closed == made and len(made) == 1  # the caller's own session stays open


def test_the_password_never_shows_in_repr() -> None:
    with SiteClient(SITE, USERNAME, PASSWORD) as site_client:
        assert PASSWORD.replace(" ", "") not in repr(site_client)
        assert PASSWORD.replace(" ", "") not in repr(vars(site_client))


def test_an_anonymous_client_does_not_send_signed_in_requests(
    mock: responses.RequestsMock,
) -> None:
    with SiteClient(SITE, None, None) as anonymous:
        with pytest.raises(SignedOutError):
            anonymous.get_post(12)
    assert len(mock.calls) == 0
    with pytest.raises(ValueError):
        SiteClient(SITE, USERNAME, None)


def test_plain_http_is_refused_before_anything_is_sent(mock: responses.RequestsMock) -> None:
    with pytest.raises(InsecureURLError):
        SiteClient("http://clinic.example", USERNAME, PASSWORD)
    assert len(mock.calls) == 0


# ---- redirects ---------------------------------------------------------------------------------


def test_a_redirect_within_the_site_is_followed_for_reads(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.get(POST_12, status=301, headers={"Location": "/wp-json/wp/v2/posts/12/?context=edit"})
    mock.get(POST_12 + "/", json=post_json())
    assert client.get_post(12).id == 12
    assert mock.calls[1].request.headers["Authorization"] == f"Basic {TOKEN}"


@pytest.mark.parametrize(
    "location",
    [
        "http://clinic.example/wp-json/wp/v2/posts/12",
        "https://www.clinic.example/wp-json/wp/v2/posts/12",
        "https://evil.example/collect",
        "//evil.example/collect",
        "https://clinic.example:8443/wp-json/wp/v2/posts/12",
    ],
)
def test_a_redirect_away_from_the_site_is_refused_before_sending(
    mock: responses.RequestsMock, client: SiteClient, location: str
) -> None:
    mock.get(POST_12, status=302, headers={"Location": location})
    with pytest.raises(InsecureURLError) as caught:
        client.get_post(12)
    assert "password was not sent" in caught.value.message or "unencrypted" in caught.value.message
    assert len(mock.calls) == 1  # nothing went to the target


def test_a_redirected_change_is_not_resent(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.post(POST_12, status=307, headers={"Location": "/wp-json/wp/v2/posts/12/"})
    with pytest.raises(InvalidResponseError, match="not saved"):
        client.update_post(12, {"title": "x"})
    assert len(mock.calls) == 1


def test_redirect_loops_end(mock: responses.RequestsMock, client: SiteClient) -> None:
    mock.get(POST_12, status=302, headers={"Location": "/wp-json/wp/v2/posts/12"})
    with pytest.raises(InvalidResponseError, match="too many"):
        client.get_post(12)
    assert len(mock.calls) == 6


def test_a_redirect_without_location_is_invalid(
    mock: responses.RequestsMock, client: SiteClient
) -> None:
    mock.get(POST_12, status=302)
    with pytest.raises(InvalidResponseError):
        client.get_post(12)


# ---- huge answers ------------------------------------------------------------------------------


def test_an_answer_declared_too_large_is_not_read(mock: responses.RequestsMock) -> None:
    mock.get(POST_12, body=b"[" + b" " * 2000 + b"]", content_type="application/json")
    with Transport(SITE, (USERNAME, PASSWORD), max_body=1000) as transport:
        with pytest.raises(InvalidResponseError, match="larger than"):
            transport.request("GET", "wp/v2/posts/12")
        assert transport.requests_made == 1  # not retried: it would be as large again


def test_a_streamed_answer_is_cut_at_the_limit(mock: responses.RequestsMock) -> None:
    # No Content-Length: only counting while reading can stop it.
    mock.get(POST_12, body=b" " * 10_000, content_type="application/json")
    with Transport(SITE, (USERNAME, PASSWORD), max_body=4096) as transport:
        with pytest.raises(InvalidResponseError, match="larger than"):
            transport.request("GET", "wp/v2/posts/12")
