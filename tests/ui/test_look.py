"""A look that helps the eye (issue 16, item 11), on the real main window and the demo site:
icons beside the words of toolbar and detail actions, painted in the palette's colours in light
and dark mode; the app's own icon; urgent rows and the Urgent view readable (WCAG AA) in both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QToolBar, QToolButton
from pytestqt.qtbot import QtBot

from clinicdesk.model.resources import resource_path
from clinicdesk.ui.icon import ACTION_ICONS, LUCIDE_PARTS, app_icon
from clinicdesk.ui.inquiries import InquiriesTab
from clinicdesk.ui.inquiries.models import COLUMN_INDEX
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.theme import AA_TEXT, composite, contrast_ratio, use_scheme
from tests.fixtures.demo_window import demo_window, open_inbox, urgent_rows
from tests.fixtures.desktop import MakeController
from tests.fixtures.site import SiteUnderTest


@pytest.fixture
def light_again() -> Iterator[QApplication]:
    """The application, put back in the light palette whatever the test switched to."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    yield app
    use_scheme(app, Qt.ColorScheme.Light)


def _window(qtbot: QtBot, make_controller: MakeController, site: SiteUnderTest) -> MainWindow:
    window = demo_window(qtbot, make_controller, site)
    window.resize(1366, 768)
    tab = window.inquiries_tab
    assert isinstance(tab, InquiriesTab)
    window.show_tab(window.tabs.indexOf(tab))
    open_inbox(qtbot, tab)
    return window


def _ink(action: QAction) -> QColor:
    """The colour an icon is drawn in: the average of its opaque pixels at 32 px."""
    image = action.icon().pixmap(32, 32).toImage()
    found = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert found, f"{action.objectName()}'s icon draws nothing"
    return QColor(
        sum(c.red() for c in found) // len(found),
        sum(c.green() for c in found) // len(found),
        sum(c.blue() for c in found) // len(found),
    )


def test_actions_show_icons_beside_their_words_in_the_palettes_colours(
    qtbot: QtBot, make_controller: MakeController, site: SiteUnderTest, light_again: QApplication
) -> None:
    window = _window(qtbot, make_controller, site)
    # Every named action and button of the window carries its icon, and toolbars show both.
    named: list[QAction | QAbstractButton] = [
        *window.findChildren(QAction),
        *window.findChildren(QAbstractButton),
    ]
    given = {widget.objectName() for widget in named if widget.objectName() in ACTION_ICONS}
    assert {"syncNowAction", "inquiryLockAction", "inquiryEmailButton", "newPostButton"} <= given
    for widget in named:
        if widget.objectName() in ACTION_ICONS:
            assert not widget.icon().isNull(), widget.objectName()
    for toolbar in window.findChildren(QToolBar):
        if toolbar.objectName() in ("mainToolbar", "inquiriesToolbar"):
            style = toolbar.toolButtonStyle()
            assert style == Qt.ToolButtonStyle.ToolButtonTextBesideIcon, toolbar.objectName()
    button = window.findChild(QToolButton, "syncNowButton")
    assert button is not None and button.text() and not button.icon().isNull()

    # Drawn in the palette's button-text colour: dark on light, light on dark.
    light_ink = _ink(window.sync_action)
    light_text = light_again.palette().color(QPalette.ColorRole.ButtonText)
    assert abs(light_ink.lightness() - light_text.lightness()) < 40, light_ink.name()
    use_scheme(light_again, Qt.ColorScheme.Dark)
    dark_ink = _ink(window.sync_action)
    dark_text = light_again.palette().color(QPalette.ColorRole.ButtonText)
    assert abs(dark_ink.lightness() - dark_text.lightness()) < 40, dark_ink.name()
    assert dark_ink.lightness() - light_ink.lightness() > 120
    # The app's own icon is the window's.
    assert not app_icon().isNull()
    assert window.windowIcon().cacheKey() == app_icon().cacheKey()


def test_the_icons_and_their_license_are_shipped() -> None:
    folder = resource_path(*LUCIDE_PARTS)
    assert "ISC License" in (folder / "LICENSE").read_text(encoding="utf-8")
    for name in set(ACTION_ICONS.values()):
        assert 'stroke="currentColor"' in (folder / f"{name}.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", [Qt.ColorScheme.Light, Qt.ColorScheme.Dark], ids=str)
def test_urgent_rows_and_the_urgent_view_have_aa_contrast(
    qtbot: QtBot,
    make_controller: MakeController,
    site: SiteUnderTest,
    light_again: QApplication,
    scheme: Qt.ColorScheme,
) -> None:
    window = _window(qtbot, make_controller, site)
    use_scheme(light_again, scheme)
    tab = window.inquiries_tab
    assert isinstance(tab, InquiriesTab)
    # Widgets take the new palette as its change event reaches them.
    wanted = light_again.palette().color(QPalette.ColorRole.Base)
    qtbot.waitUntil(lambda: tab.views_list.palette().color(QPalette.ColorRole.Base) == wanted)
    palette = tab.table.palette()
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    rows = urgent_rows(tab)
    assert rows
    for row in rows:
        index = tab.model.index(row, COLUMN_INDEX["name"])
        tint = index.data(Qt.ItemDataRole.BackgroundRole)
        behind = composite(tint.color(), base) if tint is not None else base
        ratio = contrast_ratio(text, behind)
        assert ratio >= AA_TEXT, f"row {row}: {text.name()} on {behind.name()} is {ratio:.2f}"
    views = tab.views_model
    urgent = views.index(views.row_of("urgent"))
    foreground = urgent.data(Qt.ItemDataRole.ForegroundRole)
    assert foreground is not None, "the Urgent view is marked while it holds inquiries"
    view_base = tab.views_list.palette().color(QPalette.ColorRole.Base)
    ratio = contrast_ratio(foreground.color(), view_base)
    assert ratio >= AA_TEXT, f"Urgent view: {foreground.color().name()} on {view_base.name()}"
