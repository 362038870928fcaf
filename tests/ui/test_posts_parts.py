"""The Posts tab's parts on their own: the categories offered again after a round keep what the
user ticked, a post that may not be changed locks every setting, and the list's filters keep
what was chosen while it is still offered.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from clinicdesk.model.cached import TermInfo, UserInfo
from clinicdesk.ui.posts.filters import FilterChoices, PostFilters
from clinicdesk.ui.posts.listmodel import PostFilter
from clinicdesk.ui.posts.parts.sidebar import PostSettings
from clinicdesk.ui.posts.parts.terms import CategoriesPanel


def _category(term_id: int, name: str) -> TermInfo:
    return TermInfo(term_id, None, "category", name, "", "", None, 0, "synced", None)


def test_categories_offered_again_keep_the_ticks_and_refill_only_when_they_changed(
    qtbot: QtBot,
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    panel = CategoriesPanel(parent, may_create=True)
    panel.fill([_category(1, "Grief"), _category(2, "Sleep")], [2])

    assert not panel.offer([_category(1, "Grief"), _category(2, "Sleep")])
    assert panel.offer([_category(1, "Grief"), _category(2, "Sleep"), _category(3, "Anxiety")])

    names = [panel.categories.item(row).text() for row in range(panel.categories.rowCount())]
    assert names == ["Grief", "Sleep", "Anxiety"]
    assert panel.selected() == [2], "what the user ticked stays ticked"


def test_a_post_that_may_not_be_changed_locks_every_setting(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    settings = PostSettings(parent, may_create_categories=True, may_upload=True)
    controls = [
        settings.publish.status_combo,
        settings.publish.immediately,
        settings.categories.category_list,
        settings.categories.new_category_button,
        settings.tags.tags_edit,
        settings.excerpt_edit,
        settings.slug_edit,
        settings.featured.featured_combo,
        settings.featured.upload_featured_button,
    ]

    settings.set_editable(False)
    assert [c.objectName() for c in controls if c.isEnabled()] == []
    assert not settings.publish.date_edit.isEnabled()

    settings.set_editable(True)
    assert [c.objectName() for c in controls if not c.isEnabled()] == []
    settings.publish.immediately.setChecked(True)
    settings.set_editable(True)
    assert not settings.publish.date_edit.isEnabled(), "no date while 'immediately' is ticked"
    settings.publish.immediately.setChecked(False)
    settings.set_editable(True)
    assert settings.publish.date_edit.isEnabled()


def test_the_filters_keep_what_was_chosen_while_it_is_still_offered(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    filters = PostFilters(parent)
    zoe = UserInfo(1, "Zoe Author", "zoe", ("author",), False)
    choices = FilterChoices({"all": 3, "draft": 2}, (_category(1, "Grief"),), (zoe,))
    filters.show_choices(choices)
    assert filters.status_filter.itemText(1) == "Drafts (2)"
    filters.choose_status("draft")
    filters.category_filter.setCurrentIndex(1)

    filters.show_choices(FilterChoices({"all": 4, "draft": 3}, choices.categories, (zoe,)))
    assert filters.current("sleep") == PostFilter(status="draft", category=1, words="sleep")
    assert filters.status_filter.currentText() == "Drafts (3)"

    filters.show_choices(FilterChoices({"all": 4}, (), (zoe,)))
    assert filters.current("") == PostFilter(status="draft"), "a category gone is no filter"
