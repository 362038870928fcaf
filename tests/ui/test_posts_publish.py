"""Publishing follows capabilities, is checked first, works offline; trash and delete for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QAbstractButton, QMessageBox
from pytestqt.qtbot import QtBot

from clinicdesk.store import Cache, RecordNotFoundError
from clinicdesk.ui.clinic_time import set_clinic_zone, to_clinic, zone_from
from clinicdesk.ui.posts.dialogs import PrepublishDialog
from clinicdesk.ui.posts.listmodel import PostListModel
from clinicdesk.ui.posts.tab import PostsTab
from tests.fixtures import posts_tab as support
from tests.fixtures.posts_tab import CONTRIBUTOR, make_tab, outbox_posts

cache = support.cache
seeded = support.seeded

CONTRIBUTOR_ID = 5  # shollis
GROUNDING = "Grounding Techniques for When Anxiety Hits"


def _dialog(tab: PostsTab) -> PrepublishDialog:
    [dialog] = [d for d in tab.open_dialogs if isinstance(d, PrepublishDialog)]
    assert dialog.isVisible() and dialog.isModal()  # open(), not exec(): the test goes on
    return dialog


def _row_text(tab: PostsTab, post_id: int, column: int) -> str:
    row = tab.model.row_of(post_id)
    assert row is not None
    return str(tab.model.index(row, column).data())


def test_a_contributor_submits_for_review_and_is_never_offered_publish(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, capabilities=CONTRIBUTOR, user_id=CONTRIBUTOR_ID)
    editor = tab.editor
    tab.select_post(seeded["Self-Care Isn't Selfish: Five Small Habits for Busy Weeks"])
    assert editor.publish_button.text() == "Submitted for review"
    assert not editor.publish_button.isEnabled()
    tab.new_post()
    assert editor.publish_button.text() == "Submit for review…"
    statuses = [editor.status_combo.itemData(i) for i in range(editor.status_combo.count())]
    assert statuses == ["draft", "pending"]
    qtbot.keyClicks(editor.title_edit, "Small habits")
    editor.body.setFocus()
    qtbot.keyClicks(editor.body, "Drink water.")
    qtbot.keyClick(
        editor.body,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = _dialog(tab)
    assert dialog.anyway.text() == "Submit anyway"
    assert dialog.items.text() == (
        "• The post has no category (it would be filed under Uncategorized).\n"
        "• The post has no excerpt (search engines and the blog list show one)."
    )
    dialog.anyway.click()
    assert editor.post_id is not None
    detail = cache.posts.get(editor.post_id)
    assert (detail.fields.status, detail.fields.author) == ("pending", CONTRIBUTOR_ID)
    assert editor.sync_label.text() == "Will be submitted for review at next sync."
    assert editor.publish_button.text() == "Submitted for review"
    every_text = " ".join(b.text() for b in tab.findChildren(QAbstractButton))
    assert "Publish" not in every_text.replace("Publish &immediately", "")


def test_publishing_offline_is_queued_and_said_so(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    editor = tab.editor
    post_id = seeded[GROUNDING]
    tab.select_post(post_id)
    assert editor.publish_button.text() == "Publish…"
    assert editor.prepublish_findings() == []  # a complete post: no question asked
    changes: list[None] = []
    tab.changesMade.connect(lambda: changes.append(None))
    editor.publish_button.click()
    assert [d for d in tab.open_dialogs if isinstance(d, PrepublishDialog)] == []
    assert cache.posts.get(post_id).fields.status == "publish"
    assert outbox_posts(cache) == [("update", post_id)]
    assert cache.outbox.entries()[0].payload == {"status": "publish"}
    assert editor.sync_label.text() == "Will publish at next sync."
    assert _row_text(tab, post_id, PostListModel.STATUS) == "Published"
    assert _row_text(tab, post_id, PostListModel.SYNC) == "Local changes"
    assert changes  # the shell is asked for a sync
    assert editor.publish_button.text() == "Update"


def test_the_checks_warn_and_publish_anyway_publishes(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache, autosave_ms=60_000)
    editor = tab.editor
    tab.new_post()
    editor.html_edit.setPlainText("")
    editor.body_tabs.setCurrentIndex(1)
    editor.html_edit.setPlainText(
        '<!-- wp:paragraph -->\n<p>See <a href="www.example.org">our page</a>.</p>\n'
        "<!-- /wp:paragraph -->\n\n"
        '<!-- wp:image {"id":9,"sizeSlug":"large","linkDestination":"none"} -->\n'
        '<figure class="wp-block-image size-large"><img src="https://clinic.example.org/x.jpg"'
        ' alt="" class="wp-image-9"/></figure>\n<!-- /wp:image -->'
    )
    editor.save_now()
    post_id = editor.post_id
    assert post_id is not None
    editor.request_publish()
    dialog = _dialog(tab)
    assert dialog.items.text().splitlines() == [
        "• The post has no title.",
        "• The post has no category (it would be filed under Uncategorized).",
        "• The post has no excerpt (search engines and the blog list show one).",
        "• An image has no alternative text: x.jpg",
        "• A link looks wrong: www.example.org",
    ]
    dialog.go_back.click()
    assert cache.posts.get(post_id).fields.status == "draft"
    editor.request_publish()
    _dialog(tab).anyway.click()
    assert cache.posts.get(post_id).fields.status == "publish"


def test_a_future_date_schedules(qtbot: QtBot, cache: Cache, seeded: dict[str, int]) -> None:
    tab = make_tab(qtbot, cache)
    editor = tab.editor
    post_id = seeded[GROUNDING]
    tab.select_post(post_id)
    editor.immediately.setChecked(False)
    when = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=3)
    editor.date_edit.setDateTime(to_clinic(when))
    assert editor.publish_button.text() == "Schedule…"
    editor.publish_button.click()
    detail = cache.posts.get(post_id)
    assert (detail.fields.status, detail.fields.date_gmt) == ("future", when)
    assert editor.sync_label.text() == "Will be scheduled at next sync."


def test_the_schedule_is_on_the_clinics_clock_not_the_computers(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    # A therapist on a laptop set to another zone schedules "9:00": the clinic's 9:00 is meant.
    set_clinic_zone(zone_from("Asia/Kolkata", 0))  # +5:30, the computer here is not
    try:
        tab = make_tab(qtbot, cache)
        editor = tab.editor
        post_id = seeded[GROUNDING]
        tab.select_post(post_id)
        editor.immediately.setChecked(False)
        editor.date_edit.setDate(QDate(2030, 1, 4))
        editor.date_edit.setTime(QTime(9, 0))
        editor.publish_button.click()
        expected = datetime(2030, 1, 4, 3, 30, tzinfo=UTC)
        assert cache.posts.get(post_id).fields.date_gmt == expected
        tab.select_post(next(i for i in seeded.values() if i != post_id))
        tab.select_post(post_id)
        assert editor.date_edit.text() == "2030-01-04 09:00", "shown as it was typed"
        zone = editor.publish_panel.zone_label.text()
        assert "India" in zone or "Kolkata" in zone, f"the editor says whose clock it is: {zone}"
    finally:
        set_clinic_zone(None)


def test_trash_restore_and_delete_for_good_with_confirmation(
    qtbot: QtBot, cache: Cache, seeded: dict[str, int]
) -> None:
    tab = make_tab(qtbot, cache)
    post_id = seeded[GROUNDING]
    tab.select_post(post_id)
    tab.trash_button.click()
    assert tab.model.row_of(post_id) is None
    assert cache.posts.get(post_id).fields.status == "trash"
    assert outbox_posts(cache) == [("trash", post_id)]
    tab.set_status_filter("trash")
    assert tab.select_post(post_id)
    editor = tab.editor
    assert editor.trash_banner.isVisible()
    assert not editor.title_edit.isEnabled() and not editor.body.isEnabled()
    tab.restore_button.click()
    assert cache.posts.get(post_id).fields.status == "draft"
    assert tab.status_filter.currentData() == "draft"
    assert tab.editor.post_id == post_id and tab.editor.title_edit.isEnabled()

    tab.trash_button.click()
    tab.set_status_filter("trash")
    tab.select_post(post_id)
    tab.delete_button.click()
    [box] = [d for d in tab.open_dialogs if isinstance(d, QMessageBox)]
    assert box.objectName() == "deletePermanentlyBox"
    assert "cannot be restored" in box.text()
    box.findChild(QAbstractButton, "deletePermanentlyBoxCancelButton").click()
    assert cache.posts.get(post_id).fields.status == "trash"  # nothing happened
    tab.delete_button.click()
    [box] = [d for d in tab.open_dialogs if isinstance(d, QMessageBox)]
    box.findChild(QAbstractButton, "deletePermanentlyBoxYesButton").click()
    assert tab.model.row_of(post_id) is None
    assert [op for op, local in outbox_posts(cache) if local == post_id][-1] == "delete"
    assert cache.posts.query("trash").total == 0
    try:
        cache.posts.edit(post_id, title="x")
    except RecordNotFoundError:
        pass
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("a post deleted for good can still be edited")
