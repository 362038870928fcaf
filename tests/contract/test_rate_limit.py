"""The consultation form's rate limit holds under parallel submissions and behind a proxy.

Both test sites trust one loopback address, ``TRUSTED_PROXY``, as their reverse proxy (see
tests/fixtures/site.py): its ``X-Forwarded-For`` names the visitor; anyone else's is ignored.
The limit is the test sites' 5 submissions per 10 minutes.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.fixtures.contract import Api, assert_error, form
from tests.fixtures.site import TRUSTED_PROXY, SiteUnderTest, random_loopback

pytestmark = pytest.mark.contract

LIMIT = 5


@pytest.fixture
def cleanup(api: Api) -> Iterator[list[int]]:
    """Inquiry ids to delete for good after the test."""
    created: list[int] = []
    yield created
    for inquiry_id in created:
        api.delete(f"wp/v2/inquiries/{inquiry_id}", "administrator", force="true")


def _post(session: requests.Session, site: SiteUnderTest, **headers: str) -> requests.Response:
    # An empty body: every POST counts before the form is validated, and none creates anything.
    return session.post(site.rest + "clinicdesk/v1/consultation", json={}, headers=headers)


def test_parallel_submissions_from_one_address_get_exactly_the_limit(
    site: SiteUnderTest, cleanup: list[int]
) -> None:
    address = random_loopback()
    count = 24
    barrier = threading.Barrier(count)
    answers: list[int] = []
    lock = threading.Lock()

    def send() -> None:
        with site.source_session(address) as session:
            barrier.wait()
            response = session.post(
                site.rest + "clinicdesk/v1/consultation", json=form(), timeout=60
            )
        with lock:
            answers.append(response.status_code)
            if response.status_code == 201:
                cleanup.append(int(response.json()["id"]))

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201] * LIMIT + [429] * (count - LIMIT)


def test_a_trusted_proxy_forwards_each_visitors_own_address(site: SiteUnderTest) -> None:
    visitor = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    other = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    with site.source_session(TRUSTED_PROXY) as proxy:
        for _ in range(LIMIT):
            assert _post(proxy, site, **{"X-Forwarded-For": visitor}).status_code == 400
        limited = _post(proxy, site, **{"X-Forwarded-For": visitor})
        assert_error(limited, 429, "clinicdesk_rate_limited")
        # Another visitor behind the same proxy has an allowance of their own...
        assert _post(proxy, site, **{"X-Forwarded-For": other}).status_code == 400
        # ...and the visitor cannot escape by prepending an address: the proxy appends the one
        # it saw, and that one (the nearest untrusted hop) is counted.
        spoofed = _post(proxy, site, **{"X-Forwarded-For": f"192.0.2.1, {visitor}"})
        assert spoofed.status_code == 429


def test_an_untrusted_client_cannot_choose_its_address(site: SiteUnderTest) -> None:
    with site.source_session() as client:
        for number in range(LIMIT):
            forwarded = {"X-Forwarded-For": f"198.51.100.{number + 1}"}
            assert _post(client, site, **forwarded).status_code == 400
        for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
            assert _post(client, site, **{header: "198.51.100.200"}).status_code == 429


def test_ipv6_visitors_are_counted_per_64_network(site: SiteUnderTest) -> None:
    group, subnet = uuid.uuid4().int % 65535, uuid.uuid4().int % 65534
    network = f"2001:db8:{group:x}:{subnet:x}"
    neighbour = f"2001:db8:{group:x}:{subnet + 1:x}"
    with site.source_session(TRUSTED_PROXY) as proxy:
        for host in range(1, LIMIT + 1):
            forwarded = {"X-Forwarded-For": f"{network}::{host:x}"}
            assert _post(proxy, site, **forwarded).status_code == 400
        # Another address of the same /64: the same household, the same count.
        hopped = _post(proxy, site, **{"X-Forwarded-For": f"{network}:ffff:ffff:ffff:ffff"})
        assert_error(hopped, 429, "clinicdesk_rate_limited")
        # The neighbouring /64 is somebody else.
        assert _post(proxy, site, **{"X-Forwarded-For": f"{neighbour}::1"}).status_code == 400
