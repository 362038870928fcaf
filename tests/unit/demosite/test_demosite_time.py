"""Time-dependent behaviour of the reference site, driven by a fake clock.

These cannot be contract tests: a real site's clock cannot be moved. Scheduling and one-second
resolution are exactly what the app's sync depends on, so they are pinned down here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from clinicdesk.demosite.routing import SiteConfig
from clinicdesk.demosite.server import Credentials, SiteApp, make_app


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Site:
    """A Werkzeug test client on a seeded app, signed in as the administrator."""

    def __init__(self, app: SiteApp, users: dict[str, Credentials], clock: FakeClock) -> None:
        self.client = Client(app)
        self.admin = tuple(users["administrator"])
        self.clock = clock

    def call(
        self, method: str, route: str, body: Any = None, auth: bool = True, **query: Any
    ) -> TestResponse:
        response = self.client.open(
            "/wp-json/" + route,
            method=method,
            json=body,
            query_string=query,
            auth=self.admin if auth else None,
        )
        response.close()
        return response


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    clock = FakeClock(datetime(2025, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC))
    app, users = make_app(SiteConfig(data_dir=tmp_path, clock=clock))
    yield Site(app, users, clock)
    app.engine.dispose()


def test_a_scheduled_post_publishes_when_due_without_a_new_modified(site: Site) -> None:
    due = (site.clock.now + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    created = site.call(
        "POST", "wp/v2/posts", {"title": "Later", "status": "publish", "date_gmt": due}
    )
    post = created.get_json()
    assert post["status"] == "future"
    assert site.call("GET", f"wp/v2/posts/{post['id']}", auth=False).status_code == 401
    site.clock.advance(4 * 60)
    assert site.call("GET", f"wp/v2/posts/{post['id']}").get_json()["status"] == "future"
    site.clock.advance(61)
    public = site.call("GET", f"wp/v2/posts/{post['id']}", auth=False)
    assert public.status_code == 200
    assert public.get_json()["status"] == "publish"
    assert public.get_json()["modified_gmt"] == post["modified_gmt"]
    assert public.get_json()["categories"] == [1]
    # ...so a modified_after sweep from after the create does not see it: the app re-reads.
    since = post["modified_gmt"] + "Z"
    assert (
        site.call("GET", "wp/v2/posts", modified_after=since, include=post["id"]).get_json() == []
    )


def test_publish_less_than_a_minute_ahead_is_published_at_once(site: Site) -> None:
    soon = (site.clock.now + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%S")
    post = site.call(
        "POST", "wp/v2/posts", {"title": "Soon", "status": "publish", "date_gmt": soon}
    ).get_json()
    assert post["status"] == "publish"
    assert post["date_gmt"] == soon


def test_modified_keeps_whole_seconds_like_wordpress(site: Site) -> None:
    post = site.call("POST", "wp/v2/posts", {"title": "Tick", "status": "draft"}).get_json()
    assert post["modified_gmt"] == "2025-03-01T12:00:00"
    site.clock.advance(0.5)  # same second
    same = site.call("POST", f"wp/v2/posts/{post['id']}", {"title": "Tock"}).get_json()
    assert same["modified_gmt"] == post["modified_gmt"]
    site.clock.advance(0.5)
    later = site.call("POST", f"wp/v2/posts/{post['id']}", {"title": "Tack"}).get_json()
    assert later["modified_gmt"] == "2025-03-01T12:00:01"


def test_local_dates_follow_the_site_offset(site: Site) -> None:
    index = site.call("GET", "").get_json()
    assert index["gmt_offset"] == -6
    post = site.call("POST", "wp/v2/posts", {"title": "Zone", "status": "draft"}).get_json()
    assert post["date_gmt"] == "2025-03-01T12:00:00"
    assert post["date"] == "2025-03-01T06:00:00"
    # A value without a zone is site-local, as on WordPress.
    local = site.call(
        "GET", "wp/v2/posts", modified_after="2025-03-01T05:59:59", include=post["id"], status="any"
    ).get_json()
    assert [p["id"] for p in local] == [post["id"]]


def test_a_draft_without_a_date_takes_the_time_of_each_save(site: Site) -> None:
    post = site.call("POST", "wp/v2/posts", {"title": "Float", "status": "draft"}).get_json()
    site.clock.advance(3600)
    saved = site.call("POST", f"wp/v2/posts/{post['id']}", {"content": "more"}).get_json()
    assert saved["date_gmt"] == "2025-03-01T13:00:00"
    dated = site.call(
        "POST", f"wp/v2/posts/{post['id']}", {"date_gmt": "2025-01-01T08:00:00"}
    ).get_json()
    site.clock.advance(3600)
    kept = site.call("POST", f"wp/v2/posts/{post['id']}", {"content": "again"}).get_json()
    assert dated["date_gmt"] == kept["date_gmt"] == "2025-01-01T08:00:00"


def test_the_rate_limit_window_reopens(site: Site) -> None:
    form = {"first_name": "Ann", "email": "ann@example.com", "consent": True}
    statuses = [
        site.call("POST", "clinicdesk/v1/consultation", form, auth=False).status_code
        for _ in range(6)
    ]
    assert statuses == [201] * 5 + [429]
    limited = site.call("POST", "clinicdesk/v1/consultation", form, auth=False)
    assert limited.headers["Retry-After"] == "600"
    site.clock.advance(600)
    assert site.call("POST", "clinicdesk/v1/consultation", form, auth=False).status_code == 201
