"""Every screen whole at a laptop's size (issue 16, item 1): the real main window on the demo
site, resized to 1024x700 and 1366x768, with the system font at 100% and 125%.

For every urgent inquiry of the demo the crisis protocol and the detail's buttons (Email, Call,
Copy, Assign, Flag urgent, Mark unread, Add note) lie inside the detail's visible width with no
horizontal scrolling, and selecting another inquiry shows its top (name, URGENT, crisis header)
whatever the previous one's scroll position was.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from clinicdesk.ui.inquiries import InquiriesTab
from clinicdesk.ui.inquiries.models import COLUMN_INDEX
from clinicdesk.ui.main_window import NoticePage
from clinicdesk.ui.posts import PostsTab
from clinicdesk.ui.posts.parts.formatting import FormattingBar
from tests.fixtures.demo_window import demo_window, open_inbox, urgent_rows
from tests.fixtures.desktop import MakeController
from tests.fixtures.site import SiteUnderTest

SIZES = [(1024, 700), (1366, 768)]


@pytest.fixture(params=[1.0, 1.25], ids=["font100", "font125"])
def font_scale(request: pytest.FixtureRequest) -> Iterator[float]:
    """The system font at 100% or 125%, as a user's desktop setting makes it."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    scale = float(request.param)
    font = app.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    app.setFont(font)
    yield scale
    app.setFont(before)


def _rect_in(area: QScrollArea, widget: QWidget) -> QRect:
    """Where ``widget`` lies in the scroll area's viewport coordinates."""
    top_left = widget.mapTo(area.viewport(), QPoint(0, 0))
    return QRect(top_left, widget.size())


def _assert_whole_across(area: QScrollArea, widgets: list[QWidget], what: str) -> None:
    viewport = area.viewport().rect()
    assert area.horizontalScrollBar().maximum() == 0, f"{what}: the detail scrolls sideways"
    for widget in widgets:
        if not widget.isVisible():
            continue
        rect = _rect_in(area, widget)
        assert rect.left() >= viewport.left() and rect.right() <= viewport.right(), (
            f"{what}: {widget.objectName()} {rect} lies outside the visible width {viewport}"
        )


def _too_wide(top: QWidget, width: int) -> list[tuple[str, int]]:
    """The named parts of ``top`` that ask for more than ``width`` (for the failure message)."""
    return [
        (child.objectName(), child.minimumSizeHint().width())
        for child in top.findChildren(QWidget)
        if child.objectName() and child.minimumSizeHint().width() > width
    ]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_urgent_inquiry_is_whole_and_shown_from_its_top(
    qtbot: QtBot,
    make_controller: MakeController,
    site: SiteUnderTest,
    font_scale: float,
    size: tuple[int, int],
) -> None:
    window = demo_window(qtbot, make_controller, site)
    window.resize(*size)
    tab = window.inquiries_tab
    assert isinstance(tab, InquiriesTab)
    window.show_tab(window.tabs.indexOf(tab))
    open_inbox(qtbot, tab)
    detail = tab.detail
    urgent = urgent_rows(tab)
    assert len(urgent) >= 2, "the demo has several urgent inquiries"
    buttons: list[QWidget] = [
        detail.email_button,
        detail.copy_email_button,
        detail.call_button,
        detail.copy_phone_button,
        detail.assign_button,
        detail.urgent_button,
        detail.unread_button,
        detail.note_button,
    ]
    panel_labels: list[QWidget] = [
        detail.crisis_panel,
        detail.protocol_label,
        detail.lifeline_label,
        detail.crisis_reason,
    ]
    for row in urgent:
        # Leave the previous inquiry scrolled to its end, as after reading its timeline.
        bar = detail.verticalScrollBar()
        bar.setValue(bar.maximum())
        name = str(tab.model.index(row, COLUMN_INDEX["name"]).data())
        tab.table.selectRow(row)

        def shown(name: str = name) -> bool:
            return detail.name_label.text() == name and detail.crisis_panel.isVisible()

        qtbot.waitUntil(shown)
        QApplication.processEvents()
        what = f"{name} at {size[0]}x{size[1]}, font {font_scale:.0%}"
        # Its top is shown: the name, the URGENT badge and the crisis header.
        assert bar.value() == 0, f"{what}: shown scrolled to {bar.value()}"
        viewport = detail.viewport().rect()
        for top in (detail.name_label, detail.urgent_badge):
            assert viewport.contains(_rect_in(detail, top)), f"{what}: {top.objectName()}"
        title = _rect_in(detail, detail.crisis_panel)
        assert viewport.top() <= title.top() < viewport.bottom(), f"{what}: crisis header"
        _assert_whole_across(detail, [*panel_labels, *buttons], what)
        # Each button can be brought into view whole (none taller or wider than the pane);
        # the pane's lines settle as the new inquiry's texts wrap, so scroll until it holds.
        for button in buttons:

            def in_view(button: QWidget = button, viewport: QRect = viewport) -> bool:
                detail.ensureWidgetVisible(button)
                return viewport.contains(_rect_in(detail, button))

            qtbot.waitUntil(in_view, timeout=2_000)
        # Every line of the protocol fits the pane's width (it wraps, nothing cut off).
        for label in (detail.protocol_label, detail.lifeline_label):
            assert label.width() >= label.minimumSizeHint().width(), f"{what}: {label.text()!r}"


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_window_fits_and_the_post_side_panel_scrolls_only_down(
    qtbot: QtBot,
    make_controller: MakeController,
    site: SiteUnderTest,
    font_scale: float,
    size: tuple[int, int],
) -> None:
    window = demo_window(qtbot, make_controller, site)
    window.resize(*size)
    posts = window.posts_tab
    assert isinstance(posts, PostsTab)
    first = window.session.cache.posts.search("Vulnerability")[0]
    qtbot.waitUntil(lambda: not posts.loading and posts.select_post(first.id), timeout=30_000)
    QApplication.processEvents()
    what = f"{size[0]}x{size[1]}, font {font_scale:.0%}"
    # Nothing in the window is wider than the window: no part is cut off at the right.
    # The window fits the screen: no page (Posts, the inbox, the lock and setup pages) asks
    # for more width than the laptop has, so nothing is cut off at the right.
    assert window.minimumSizeHint().width() <= size[0], (
        f"{what}: the window needs {window.minimumSizeHint().width()} px; "
        f"{_too_wide(window, size[0])}"
    )
    # The formatting bar stays usable: Bold, Italic and Link in sight, the rest behind the
    # bar's extension button (never cut off out of reach).
    bar = window.findChild(FormattingBar, "formattingBar")
    assert bar is not None and bar.isVisible()
    for action in (bar.bold, bar.italic, bar.link):
        button = bar.widgetForAction(action)
        assert button is not None and button.isVisible(), f"{what}: {action.text()}"
        assert bar.rect().contains(QRect(button.mapTo(bar, QPoint(0, 0)), button.size()))
    extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    for action in bar.actions():
        shown = bar.widgetForAction(action)
        if action.isSeparator() or shown is None or shown.isVisible():
            continue
        assert extension is not None and extension.isVisible(), f"{what}: {action.text()} lost"
    for area in window.findChildren(QScrollArea):
        inner = area.widget()
        if area.isVisible() and inner is not None:
            assert area.horizontalScrollBar().maximum() == 0, (
                f"{what}: {area.objectName()} scrolls sideways; "
                f"{_too_wide(inner, area.viewport().width())}"
            )


def _child_label(page: QWidget, name: str) -> QLabel:
    label = page.findChild(QLabel, name)
    assert isinstance(label, QLabel), name
    return label


def _assert_whole_and_centred(page: QWidget, parts: list[QWidget], what: str) -> None:
    """Every part lies inside ``page``, wrapped text is tall enough for all its lines, and the
    fields sit in a centred column of a readable width (not stretched across the window)."""
    readable = page.fontMetrics().averageCharWidth() * 70
    inside = page.rect()
    for part in parts:
        rect = QRect(part.mapTo(page, QPoint(0, 0)), part.size())
        assert inside.contains(rect), f"{what}: {part.objectName()} {rect} outside {inside}"
        if isinstance(part, QLabel) and part.wordWrap():
            assert part.height() >= part.heightForWidth(part.width()), (
                f"{what}: {part.objectName()} cut off: {part.text()!r}"
            )
        if isinstance(part, QLineEdit):
            assert part.width() <= readable, f"{what}: {part.objectName()} is {part.width()} px"
            left, right = rect.left(), inside.width() - rect.right()
            assert abs(left - right) <= inside.width() // 4, (
                f"{what}: not centred ({left}, {right})"
            )


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_passphrase_screens_are_whole_and_centred(
    qtbot: QtBot,
    make_controller: MakeController,
    site: SiteUnderTest,
    font_scale: float,
    size: tuple[int, int],
) -> None:
    window = demo_window(qtbot, make_controller, site)
    window.resize(*size)
    tab = window.inquiries_tab
    assert isinstance(tab, InquiriesTab)
    window.show_tab(window.tabs.indexOf(tab))
    what = f"{size[0]}x{size[1]}, font {font_scale:.0%}"
    setup = tab.setup_page
    qtbot.waitUntil(setup.isVisible)
    QApplication.processEvents()
    _assert_whole_and_centred(
        setup,
        [
            _child_label(setup, "setupExplanation"),
            setup.passphrase_edit,
            setup.confirm_edit,
            setup.choose_button,
        ],
        f"setup at {what}",
    )
    open_inbox(qtbot, tab)
    tab.lock()
    page = tab.lock_page
    qtbot.waitUntil(page.isVisible)
    QApplication.processEvents()
    _assert_whole_and_centred(
        page,
        [_child_label(page, "lockExplanation"), page.passphrase_edit, page.unlock_button],
        f"unlock at {what}",
    )


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_intake_roles_explanation_is_whole(
    qtbot: QtBot,
    make_controller: MakeController,
    site: SiteUnderTest,
    font_scale: float,
    size: tuple[int, int],
) -> None:
    window = demo_window(qtbot, make_controller, site, "intake")
    window.resize(*size)
    page = window.posts_page
    assert isinstance(page, NoticePage)
    window.show_tab(window.tabs.indexOf(page))
    qtbot.waitUntil(page.isVisible)
    QApplication.processEvents()
    what = f"intake's Posts notice at {size[0]}x{size[1]}, font {font_scale:.0%}"
    _assert_whole_and_centred(page, [page.title, page.text], what)
