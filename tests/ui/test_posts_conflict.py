"""Conflicts: mine and the site's side by side; keep mine, take the site's, or merge by hand.

Whatever is chosen, the version given up stays in the post's history and can be restored.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from clinicdesk.model import records
from clinicdesk.store import Cache
from clinicdesk.ui.posts.dialogs import ConflictDialog, HistoryDialog
from clinicdesk.ui.posts.listmodel import PostListModel
from clinicdesk.ui.posts.tab import PostsTab
from tests.fixtures import posts_tab as support
from tests.fixtures.posts_tab import SEED_POSTS, T0, make_tab, outbox_posts

cache = support.cache
seeded = support.seeded

TITLE = "Men, Depression, and the Stigma of Asking for Help"
REMOTE_ID = 100 + next(i for i, p in enumerate(SEED_POSTS, start=1) if p["title"] == TITLE)
ORIGINAL = next(p["content"] for p in SEED_POSTS if p["title"] == TITLE)
MINE_BODY = ORIGINAL.replace("November is the month", "November, for me, is the month", 1)
SITE_BODY = ORIGINAL.replace("November is the month", "November is always the month", 1)


@pytest.fixture
def conflicted(cache: Cache, seeded: dict[str, int]) -> int:
    """The post, changed here (title, body) and on the site (title, body, excerpt)."""
    post_id = seeded[TITLE]
    cache.posts.edit(post_id, title="Mine: men and depression", content=MINE_BODY)
    cache.posts.publish_changes(post_id)  # Update: a published post's edits wait for it
    detail = cache.posts.get(post_id)
    fields = detail.fields
    site = records.Post(
        id=REMOTE_ID,
        status="publish",
        slug=fields.slug,
        generated_slug=fields.slug,
        title="Theirs: men and depression",
        content=SITE_BODY,
        excerpt="A new excerpt from the site.",
        author=fields.author,
        featured_media=0,
        categories=(),
        tags=(),
        date_gmt=fields.date_gmt,
        modified_gmt=T0 + timedelta(days=2),
        link="",
        client_id=None,
    )
    # Keep the terms as they are (site ids): only title, body and excerpt differ.
    site = dataclasses.replace(site, categories=_remote_terms(cache, fields.categories))
    site = dataclasses.replace(site, tags=_remote_terms(cache, fields.tags))
    cache.outbox.mark_conflict("post", post_id, site)
    assert cache.posts.get(post_id).sync_state == "conflict"
    return post_id


def _remote_terms(cache: Cache, local: tuple[int, ...]) -> tuple[int, ...]:
    remote = {
        t.id: t.remote_id for tax in ("category", "post_tag") for t in cache.catalog.terms(tax)
    }
    return tuple(remote[i] for i in local if remote[i] is not None)  # type: ignore[misc]


def _open_compare(qtbot: QtBot, cache: Cache, post_id: int) -> tuple[PostsTab, ConflictDialog]:
    tab = make_tab(qtbot, cache)
    assert tab.model.index(tab.model.row_of(post_id) or 0, PostListModel.SYNC).data() == (
        "Conflict"
    )
    tab.select_post(post_id)
    assert tab.editor.conflict_banner.isVisible()
    assert tab.editor.sync_label.text() == "Changed here and on the site: compare the versions."
    tab.editor.compare_button.click()
    [dialog] = [d for d in tab.open_dialogs if isinstance(d, ConflictDialog)]
    assert dialog.isVisible()
    return tab, dialog


def _history(cache: Cache, post_id: int) -> list[tuple[str, str]]:
    return [(r.origin, r.fields.title) for r in cache.posts.revisions(post_id)]


def test_the_compare_shows_each_field_and_the_body_differences(
    qtbot: QtBot, cache: Cache, conflicted: int
) -> None:
    _tab, dialog = _open_compare(qtbot, cache, conflicted)
    rows = [
        (row.label, row.mine, row.site) for row in dialog.differences.rows if row.field != "content"
    ]
    assert rows == [
        ("Title", "Mine: men and depression", "Theirs: men and depression"),
        ("Excerpt", SEED_POSTS[4]["excerpt"], "A new excerpt from the site."),
    ]
    assert dialog.differences.rows[-1].label == "Body"
    mine_html, site_html = dialog.mine_body.toHtml(), dialog.site_body.toHtml()
    assert "November, for me, is the month" in dialog.mine_body.toPlainText()
    assert "November is always the month" in dialog.site_body.toPlainText()
    assert "background-color:#f5b7b1" in mine_html  # the changed words, highlighted
    assert "background-color:#a9dfbf" in site_html
    dialog.reject()  # "Decide later" leaves everything as it was
    assert cache.posts.get(conflicted).sync_state == "conflict"


def test_keep_mine(qtbot: QtBot, cache: Cache, conflicted: int) -> None:
    tab, dialog = _open_compare(qtbot, cache, conflicted)
    dialog.keep_mine.click()
    detail = cache.posts.get(conflicted)
    assert (detail.sync_state, detail.fields.title) == ("modified", "Mine: men and depression")
    assert detail.fields.content == MINE_BODY
    assert outbox_posts(cache) == [("update", conflicted)]  # mine goes to the site
    assert ("site", "Theirs: men and depression") in _history(cache, conflicted)
    assert not tab.editor.conflict_banner.isVisible()
    assert tab.editor.title_edit.text() == "Mine: men and depression"


def test_take_the_sites_and_get_mine_back_from_the_history(
    qtbot: QtBot, cache: Cache, conflicted: int
) -> None:
    tab, dialog = _open_compare(qtbot, cache, conflicted)
    dialog.take_site.click()
    detail = cache.posts.get(conflicted)
    assert (detail.sync_state, detail.fields.title) == ("synced", "Theirs: men and depression")
    assert detail.fields.content == SITE_BODY
    assert outbox_posts(cache) == []
    assert tab.editor.title_edit.text() == "Theirs: men and depression"
    assert _history(cache, conflicted)[:2] == [
        ("site", "Theirs: men and depression"),
        ("local", "Mine: men and depression"),
    ]
    tab.editor.history_button.click()
    [history] = [d for d in tab.open_dialogs if isinstance(d, HistoryDialog)]
    history.select(1)
    assert history.view.toPlainText().startswith("Mine: men and depression")
    history.findChild(QAbstractButton, "historyRestoreButton").click()
    detail = cache.posts.get(conflicted)
    assert (detail.fields.title, detail.fields.content) == (
        "Mine: men and depression",
        MINE_BODY,
    )
    assert tab.editor.title_edit.text() == "Mine: men and depression"


def test_merge_by_hand(qtbot: QtBot, cache: Cache, conflicted: int) -> None:
    tab, dialog = _open_compare(qtbot, cache, conflicted)
    assert not dialog.merge.isVisible()
    dialog.edit_merge.click()
    assert dialog.merge.isVisible() and dialog.save_merge.isVisible()
    assert dialog.merge_body.toPlainText() == MINE_BODY  # starts from mine
    dialog.merge_title.setText("Merged: men and depression")
    merged_body = MINE_BODY.replace("for me,", "for many of us,")
    dialog.merge_body.setPlainText(merged_body)
    dialog.merge_excerpt.setPlainText("A new excerpt from the site.")
    dialog.save_merge.click()
    detail = cache.posts.get(conflicted)
    assert (detail.sync_state, detail.fields.title, detail.fields.excerpt) == (
        "modified",
        "Merged: men and depression",
        "A new excerpt from the site.",
    )
    assert detail.fields.content == merged_body
    assert outbox_posts(cache) == [("update", conflicted)]
    history = _history(cache, conflicted)
    assert ("site", "Theirs: men and depression") in history
    assert ("local", "Mine: men and depression") in history
    assert tab.editor.body.content() == merged_body


def test_a_post_deleted_on_the_site_while_edited_here_can_be_created_again(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    post_id = seeded[TITLE]
    cache.posts.edit(post_id, title="Still mine")
    assert cache.outbox.mark_deleted_on_site("post", REMOTE_ID) == "kept"
    tab = make_tab(qtbot, cache)
    tab.select_post(post_id)
    assert tab.editor.deleted_banner.isVisible()
    assert tab.editor.sync_label.text() == "Deleted on the site while it had changes here."
    tab.editor.recreate_button.click()
    detail = cache.posts.get(post_id)
    assert (detail.sync_state, detail.fields.title) == ("new", "Still mine")
    assert outbox_posts(cache) == [("create", post_id)]
    assert not tab.editor.deleted_banner.isVisible()
