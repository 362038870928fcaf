"""The post editor's decisions, without Qt: what is saved, which banner, what the button does."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clinicdesk.model.cached import PostDetail, PostSnapshot
from clinicdesk.ui.posts.presenter import CAP_PUBLISH, DraftPresenter, PublishButton

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
AUTHOR = 7
EDITOR_CAPS = frozenset({CAP_PUBLISH, "upload_files"})
CONTRIBUTOR_CAPS = frozenset({"edit_posts"})


def fields(**changes: Any) -> PostSnapshot:
    base = PostSnapshot(
        title="Sleep and worry",
        content="<!-- wp:paragraph --><p>Text</p><!-- /wp:paragraph -->",
        excerpt="",
        slug="",
        status="draft",
        date_gmt=None,
        categories=(),
        tags=(),
        featured_media=None,
        author=AUTHOR,
    )
    return replace(base, **changes)


def detail(
    state: str = "synced", *, base: PostSnapshot | None = None, **changes: Any
) -> PostDetail:
    unpublished = bool(changes.pop("unpublished_changes", False))
    message = changes.pop("sync_message", None)
    return PostDetail(
        id=3,
        remote_id=40,
        client_id=None,
        fields=fields(**changes),
        generated_slug="",
        link="",
        modified_gmt=NOW,
        server_modified_gmt=NOW,
        sync_state=state,  # type: ignore[arg-type]
        sync_message=message,
        base=base,
        server=None,
        unpublished_changes=unpublished,
    )


def values(**changes: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "title": "",
        "content": "",
        "excerpt": "",
        "slug": "",
        "status": "draft",
        "date_gmt": None,
        "categories": [],
        "tags": [],
        "featured_media": None,
    }
    shown.update(changes)
    return shown


def opened(post: PostDetail, caps: frozenset[str] = EDITOR_CAPS) -> DraftPresenter:
    presenter = DraftPresenter(caps, user_id=AUTHOR)
    presenter.opened(post.id, post)
    presenter.shown(values(title=post.fields.title, status=post.fields.status))
    return presenter


def test_a_new_empty_post_is_not_created_until_something_is_typed() -> None:
    presenter = DraftPresenter(EDITOR_CAPS, user_id=AUTHOR)
    presenter.start_new()
    presenter.shown(values())
    assert presenter.save_step(values()) == "nothing"
    assert presenter.save_step(values(slug="only-a-slug")) == "empty"
    assert presenter.save_step(values(title="  ")) == "empty"
    assert presenter.save_step(values(excerpt="A line")) == "create"
    assert presenter.author_for_create() == AUTHOR


def test_only_the_fields_that_changed_are_written() -> None:
    presenter = opened(detail())
    typed = values(title="Sleep and worry", status="draft", tags=[4])
    assert presenter.changes(typed) == {"tags": [4]}
    assert presenter.save_step(typed) == "edit"
    presenter.save_succeeded(typed, 3)
    assert presenter.changes(typed) == {}
    assert not presenter.has_unsaved_changes(typed)


def test_typing_starts_the_pause_and_saving_ends_it() -> None:
    presenter = opened(detail())
    same = values(title="Sleep and worry")
    assert presenter.typed()  # the autosave pause (re)starts
    assert presenter.has_unsaved_changes(same)  # waiting for the pause, even if unchanged
    presenter.save_step(same)
    assert not presenter.has_unsaved_changes(same)


def test_filling_the_fields_is_not_typing() -> None:
    presenter = opened(detail())
    presenter.loading = True
    assert not presenter.typed()
    assert not presenter.editing


def test_typing_while_the_fields_are_filled_is_not_typing_and_filling_nests() -> None:
    presenter = opened(detail())
    with presenter.filling():
        with presenter.filling():
            assert not presenter.typed()
        assert not presenter.typed(), "the outer filling goes on after the inner one"
    assert presenter.typed()


def test_filling_ends_even_when_filling_fails() -> None:
    presenter = opened(detail())
    with pytest.raises(RuntimeError), presenter.filling():
        raise RuntimeError("a widget could not be filled")
    assert presenter.typed()


def test_a_drafts_floating_date_shows_as_immediately() -> None:
    floating = detail(date_gmt=NOW + timedelta(seconds=1))
    assert opened(floating).date_to_show(floating.fields) is None
    chosen = detail(date_gmt=NOW + timedelta(days=2))
    assert opened(chosen).date_to_show(chosen.fields) == NOW + timedelta(days=2)
    published = detail(date_gmt=NOW, status="publish")
    assert opened(published).date_to_show(published.fields) == NOW, "a live post keeps its date"
    edited_here = detail(date_gmt=NOW, base=fields(date_gmt=NOW - timedelta(days=1)))
    assert opened(edited_here).date_to_show(edited_here.fields) == NOW, "a date chosen here"


def test_a_post_in_the_trash_is_read_only_and_says_so() -> None:
    presenter = opened(detail(status="trash"))
    assert presenter.read_only
    assert not presenter.typed()
    assert presenter.banners().trash
    assert not presenter.publish_button(None, NOW).enabled


def test_a_failed_save_is_remembered_until_one_succeeds() -> None:
    presenter = opened(detail())
    presenter.save_failed_now()
    assert presenter.save_failed
    typed = values(title="New title", status="draft")
    presenter.save_succeeded(typed, 3)
    assert not presenter.save_failed


@pytest.mark.parametrize(
    ("state", "extra", "shown"),
    [
        ("conflict", {}, "conflict"),
        ("rejected", {"sync_message": "Slug taken."}, "rejected"),
        ("deleted_on_site", {}, "deleted"),
        ("modified", {"status": "publish", "unpublished_changes": True}, "unpublished"),
    ],
)
def test_one_banner_per_state(state: str, extra: dict[str, Any], shown: str) -> None:
    banners = opened(detail(state, **extra)).banners()
    flags = {
        name: getattr(banners, name)
        for name in ("trash", "conflict", "rejected", "deleted", "unpublished")
    }
    assert [name for name, on in flags.items() if on] == [shown]
    if shown == "rejected":
        assert banners.rejected_message == "Slug taken."


def test_a_synced_post_shows_no_banner() -> None:
    banners = opened(detail("synced", status="publish")).banners()
    assert not any((banners.conflict, banners.rejected, banners.deleted, banners.unpublished))


def test_the_main_button_follows_the_status_and_the_right_to_publish() -> None:
    later = NOW + timedelta(days=2)
    editor = opened(detail(status="draft"))
    assert editor.publish_button(None, NOW) == PublishButton("publish", True)
    assert editor.publish_button(later, NOW) == PublishButton("schedule", True)
    live = opened(detail(status="publish"))
    assert live.publish_button(None, NOW) == PublishButton("update", True)
    contributor = opened(detail(status="draft"), CONTRIBUTOR_CAPS)
    assert contributor.publish_button(later, NOW) == PublishButton("submit", True)
    submitted = opened(detail(status="pending"), CONTRIBUTOR_CAPS)
    assert submitted.publish_button(None, NOW) == PublishButton("submitted", False)


def test_what_publish_does() -> None:
    later = NOW + timedelta(hours=1)
    new = DraftPresenter(EDITOR_CAPS, user_id=AUTHOR)
    new.start_new()
    assert new.publish_plan(None, NOW) == "empty"
    draft = opened(detail(status="draft"))
    assert draft.publish_plan(None, NOW) == "publish"
    assert draft.publish_plan(later, NOW) == "future"
    assert draft.publish_plan(NOW - timedelta(days=1), NOW) == "publish"
    assert opened(detail(status="private")).publish_plan(None, NOW) == "update"
    contributor = opened(detail(status="draft"), CONTRIBUTOR_CAPS)
    assert contributor.publish_plan(None, NOW) == "pending"
    pending = opened(detail(status="pending"), CONTRIBUTOR_CAPS)
    assert pending.publish_plan(None, NOW) == "nothing"


def test_choosing_a_publishing_status_goes_through_the_checks() -> None:
    draft = opened(detail(status="draft"))
    assert draft.status_needs_checks("publish")
    assert draft.status_needs_checks("future")
    assert not draft.status_needs_checks("private")
    assert not opened(detail(status="publish")).status_needs_checks("future")


def test_statuses_offered_follow_the_right_to_publish() -> None:
    assert opened(detail()).statuses_offered("draft") == [
        "draft",
        "pending",
        "private",
        "publish",
        "future",
    ]
    contributor = opened(detail(), CONTRIBUTOR_CAPS)
    assert contributor.statuses_offered("draft") == ["draft", "pending"]
    # The post's own status is always offered, so it is shown as it is.
    assert contributor.statuses_offered("publish") == ["draft", "pending", "publish"]


@pytest.mark.parametrize(
    ("state", "status", "before", "unpublished", "key"),
    [
        ("new", "draft", None, False, "not_on_site"),
        ("new", "publish", None, False, "will_publish"),
        ("modified", "publish", "draft", False, "will_publish"),
        ("modified", "publish", "publish", False, "changes_waiting"),
        ("modified", "publish", "publish", True, "unpublished"),
        ("modified", "future", "draft", False, "will_schedule"),
        ("modified", "pending", "draft", False, "will_submit"),
        ("modified", "trash", "draft", False, "will_trash"),
        ("synced", "private", None, False, "private"),
        ("conflict", "draft", "draft", False, "conflict"),
    ],
)
def test_where_the_post_stands(
    state: str, status: str, before: str | None, unpublished: bool, key: str
) -> None:
    base = None if before is None else fields(status=before)
    post = detail(state, base=base, status=status, unpublished_changes=unpublished)
    assert opened(post).state_key() == key


def test_a_new_post_stands_nowhere_yet() -> None:
    presenter = DraftPresenter(EDITOR_CAPS, user_id=AUTHOR)
    presenter.start_new()
    assert presenter.state_key() == "new_post"


def test_the_author_is_named_when_known() -> None:
    mine = opened(detail())
    assert mine.author_shown({}) == ("you", "")
    assert mine.author_shown({AUTHOR: "Sam"}) == ("name", "Sam")
    other = opened(detail(author=12))
    assert other.author_shown({}) == ("id", "12")


def test_the_presenter_does_not_load_qt() -> None:
    code = (
        "import sys, clinicdesk.ui.posts.presenter; "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
