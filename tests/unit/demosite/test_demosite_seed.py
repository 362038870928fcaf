"""Seeding: the demo content and the bulk generator, and list speed on a large site."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from werkzeug.test import Client

from clinicdesk.demosite.db import InquiryMeta, Note, Post, PostTerm
from clinicdesk.demosite.routing import SiteConfig
from clinicdesk.demosite.seed import seed_bulk
from clinicdesk.demosite.server import make_app
from tests.fixtures.site import SiteUnderTest


def _count(db: Session, query: object) -> int:
    return int(db.scalar(query) or 0)  # type: ignore[call-overload]


def test_bulk_records_are_complete_and_reproducible(tmp_path: Path) -> None:
    app, _ = make_app(SiteConfig(data_dir=tmp_path / "a"))
    now = datetime(2025, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    with Session(app.engine) as db:
        before = _count(db, select(func.count()).select_from(Post))
        seed_bulk(db, inquiries=300, posts=40, rng_seed=7, now=now)
        db.commit()
        inquiries = db.scalars(
            select(Post)
            .where(Post.type == "clinicdesk_inquiry")
            .order_by(Post.id.desc())
            .limit(300)
        ).all()
        bulk_ids = [p.id for p in inquiries]
        metas = _count(
            db,
            select(func.count())
            .select_from(InquiryMeta)
            .where(InquiryMeta.post_id.in_(bulk_ids), InquiryMeta.consent.is_(True)),
        )
        assert _count(db, select(func.count()).select_from(Post)) == before + 340
        # Each of the 300 has its meta row, with the consent the form requires (the old check,
        # 300 meta rows in the whole site, let the 42 demo inquiries hide missing ones).
        assert metas == 300
        lengths = [
            len(m)
            for m in db.scalars(
                select(InquiryMeta.message).where(InquiryMeta.post_id.in_(bulk_ids))
            )
        ]
        assert min(lengths) >= 300 and max(lengths) <= 5000
        posts = db.scalars(
            select(Post.id).where(Post.type == "post").order_by(Post.id.desc()).limit(40)
        ).all()
        assert (
            _count(
                db, select(func.count()).select_from(PostTerm).where(PostTerm.post_id.in_(posts))
            )
            >= 40
        )
        assert _count(db, select(func.count()).select_from(Note)) > 0
        first_titles = [p.title for p in inquiries]
    app.engine.dispose()
    other, _ = make_app(SiteConfig(data_dir=tmp_path / "b"))
    with Session(other.engine) as db:
        seed_bulk(db, inquiries=300, posts=40, rng_seed=7, now=now)
        db.commit()
        again = db.scalars(
            select(Post.title)
            .where(Post.type == "clinicdesk_inquiry")
            .order_by(Post.id.desc())
            .limit(300)
        ).all()
    other.engine.dispose()
    assert list(again) == first_titles


@pytest.mark.slow
def test_a_page_of_100_reads_by_index_with_50000_records(tmp_path: Path) -> None:
    """A page deep in 50,000 records is found through indexes, in a few statements whatever the
    page size: no table scan, no sort of every inquiry, no statement per record. (How fast that
    is, is a benchmark figure; the timings are printed.)"""
    app, users = make_app(SiteConfig(data_dir=tmp_path))
    with Session(app.engine) as db:
        seed_bulk(db, inquiries=48_000, posts=2_000, rng_seed=1)
        db.commit()
    client = Client(app)
    auth = tuple(users["administrator"])
    executed: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        executed.append((statement, params))

    timings = {}
    for route, query in (
        ("wp/v2/inquiries", {"context": "edit", "page": "200"}),
        ("wp/v2/posts", {"context": "edit", "status": "any"}),
        (
            "wp/v2/inquiries",
            {"modified_after": "2020-01-01T00:00:00Z", "orderby": "modified", "context": "edit"},
        ),
    ):
        executed.clear()
        event.listen(app.engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = client.get(
            f"/wp-json/{route}", query_string={**query, "per_page": "100"}, auth=auth
        )
        timings[route + str(query)] = time.perf_counter() - started
        event.remove(app.engine, "before_cursor_execute", record)
        assert response.status_code == 200
        assert len(response.get_json()) == 100
        response.close()
        assert len(executed) < 20, f"{len(executed)} statements for a page of 100"
        with app.engine.connect() as connection:
            for statement, params in executed:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                plan = [
                    row[-1]
                    for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
                ]
                scans = [step for step in plan if step.startswith("SCAN")]
                assert not scans, (statement, plan)
                if route == "wp/v2/inquiries":
                    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, (statement, plan)
    app.engine.dispose()
    print(timings)


@pytest.mark.demosite_only(reason="the demo seed's timelines are the reference site's own content")
def test_the_demo_timelines_name_each_assignee_by_user_id(fresh_site: SiteUnderTest) -> None:
    """An ``assign`` entry holds the assignee's user id, "0" for nobody (docs/site-api.md): the
    app shows that staff member's name. The demo's entries must hold ids too, not login names
    (shown as a bare "mreyes" in the timeline)."""
    auth = fresh_site.auth("administrator")
    assigns: list[dict[str, Any]] = []
    with requests.Session() as http:
        http.trust_env = False
        staff = http.get(fresh_site.rest + "clinicdesk/v1/staff", auth=auth, timeout=30)
        assert staff.status_code == 200, staff.text
        staff_ids = {member["id"] for member in staff.json()}
        page, pages = 1, 1
        while page <= pages:
            answer = http.get(
                fresh_site.rest + "clinicdesk/v1/notes",
                params={"per_page": 100, "page": page},
                auth=auth,
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            pages = int(answer.headers["X-WP-TotalPages"])
            assigns += [note for note in answer.json() if note["kind"] == "assign"]
            page += 1
    assert assigns, "the demo seed has assignments on its timelines"
    for note in assigns:
        content = note["content"]
        assert content.isdigit(), (note["id"], content)
        assert int(content) == 0 or int(content) in staff_ids, (note["id"], content)
