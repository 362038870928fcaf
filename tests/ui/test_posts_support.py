"""Helpers for the Posts tab tests: a cache holding the demo site's posts, and the tab (no tests).

The posts, categories, tags and users are the reference site's seed (``resources/demo``), stored
the way a sync round would store them, so the tab is tested on real block markup.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinicdesk.model import records
from clinicdesk.store import Cache
from clinicdesk.ui.posts import PostsTab
from tests.unit.test_store_support import opened

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
SEED_POSTS: list[dict[str, Any]] = json.loads((DEMO / "posts.json").read_text("utf-8"))
SEED_TERMS: dict[str, list[dict[str, str]]] = json.loads((DEMO / "terms.json").read_text("utf-8"))
SEED_USERS: list[dict[str, str]] = json.loads((DEMO / "users.json").read_text("utf-8"))

ADMIN = frozenset(
    {
        "edit_posts",
        "edit_others_posts",
        "publish_posts",
        "delete_posts",
        "upload_files",
        "manage_categories",
    }
)
CONTRIBUTOR = frozenset({"edit_posts", "delete_posts"})
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def user_ids() -> dict[str, int]:
    """Seed usernames -> site user ids (1 is the administrator)."""
    return {user["username"]: index + 1 for index, user in enumerate(SEED_USERS)}


def seed(cache: Cache) -> dict[str, int]:
    """Store the demo site's users, terms and posts; returns title -> local post id."""
    users = user_ids()
    cache.catalog.replace_users(
        [records.User(users[u["username"]], u["name"], u["username"]) for u in SEED_USERS]
    )
    terms: list[records.Term] = [
        records.Term(1, "category", "Uncategorized", "uncategorized", "", 0, 0)
    ]
    ids: dict[tuple[str, str], int] = {}
    next_id = 2
    for taxonomy, key in (("category", "categories"), ("post_tag", "tags")):
        for term in SEED_TERMS[key]:
            terms.append(
                records.Term(next_id, taxonomy, term["name"], term["slug"], "", 0, 0)  # type: ignore[arg-type]
            )
            ids[(taxonomy, term["slug"])] = next_id
            next_id += 1
    cache.catalog.upsert_terms(terms)
    posts = []
    for index, post in enumerate(SEED_POSTS, start=1):
        date = post["date_gmt"]
        posts.append(
            records.Post(
                id=100 + index,
                status=post["status"],
                slug=post["slug"],
                generated_slug=post["slug"] or f"post-{index}",
                title=post["title"],
                content=post["content"],
                excerpt=post["excerpt"],
                author=users[post["author"]],
                featured_media=0,
                categories=tuple(ids[("category", c)] for c in post["categories"]),
                tags=tuple(ids[("post_tag", t)] for t in post["tags"]),
                date_gmt=None if date is None else datetime.fromisoformat(date).replace(tzinfo=UTC),
                modified_gmt=T0 + timedelta(minutes=index),
                link=f"https://clinic.example.org/?p={100 + index}",
                client_id=None,
            )
        )
    cache.posts.upsert_from_site(posts)
    return {p.title: cache.posts.local_id(p.id) or 0 for p in posts}


def many_posts(cache: Cache, count: int) -> None:
    """Store ``count`` simple published posts from the site (one transaction)."""
    cache.posts.upsert_from_site(
        [
            records.Post(
                id=10_000 + i,
                status="publish",
                slug=f"post-{i}",
                generated_slug=f"post-{i}",
                title=f"Post number {i:05d}",
                content=f"<!-- wp:paragraph -->\n<p>Body {i}</p>\n<!-- /wp:paragraph -->",
                excerpt="",
                author=1,
                featured_media=0,
                categories=(),
                tags=(),
                date_gmt=T0 - timedelta(hours=i),
                modified_gmt=T0 - timedelta(minutes=i),
                link="",
                client_id=None,
            )
            for i in range(count)
        ]
    )


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    """An empty cache in the test's folder."""
    with opened(tmp_path / "cache.db") as opened_cache:
        yield opened_cache


@pytest.fixture
def seeded(cache: Cache) -> dict[str, int]:
    """The demo posts in ``cache``: title -> local id."""
    return seed(cache)


def make_tab(
    qtbot: QtBot,
    cache: Cache,
    capabilities: frozenset[str] = ADMIN,
    user_id: int = 1,
    autosave_ms: int = 700,
) -> PostsTab:
    """The tab, shown (closed by qtbot at the end)."""
    tab = PostsTab(cache, capabilities, user_id, autosave_ms=autosave_ms)
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.show()
    qtbot.waitExposed(tab)
    tab.activateWindow()
    # Shortcuts and focus then work as on a desktop.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab)
    return tab


def refreshed(qtbot: QtBot, tab: PostsTab) -> None:
    """What the shell does after a sync round: the tab reads the cache again (on its worker
    thread); returns once the list, the filters and the editor show what was read."""
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.refresh()


def outbox_posts(cache: Cache) -> list[tuple[str, int]]:
    """The post entries waiting in the outbox: (operation, local id)."""
    return [(e.op, e.local_id) for e in cache.outbox.entries() if e.entity == "post"]
