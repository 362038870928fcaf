"""Icons: the app's own (``resources/icons/clinicdesk.svg``: window, tray, About box, dialogs)
and the few Lucide icons (ISC License, ``resources/icons/lucide/``) shown beside the words of
toolbar and detail actions.

Lucide's SVGs draw with ``stroke="currentColor"``; :class:`TintedSvgEngine` paints them with the
palette's button-text colour at the moment they are drawn, so they follow light and dark mode
(and look greyed out when their action is disabled) with no second set of files.
"""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QToolBar

from clinicdesk.model.resources import resource_path

logger = logging.getLogger(__name__)

#: The icon's file in ``resources/`` (the same file the Linux menu entry installs).
ICON_PARTS = ("icons", "clinicdesk.svg")
#: Where the Lucide icons are, in ``resources/``.
LUCIDE_PARTS = ("icons", "lucide")

#: What each action shows, by the Lucide icon's name (every one is a file in LUCIDE_PARTS).
ACTION_ICONS: dict[str, str] = {
    # the main toolbar
    "syncNowAction": "refresh-cw",
    "settingsAction": "settings",
    # the inbox's toolbar
    "inquiryContactedAction": "phone-outgoing",
    "inquiryScheduledAction": "calendar-check",
    "inquiryReferredAction": "forward",
    "inquiryCloseAction": "archive",
    "inquirySpamAction": "ban",
    "inquiryAssignAction": "user-plus",
    "inquiryNoteAction": "sticky-note",
    "inquiryUnreadAction": "mail-open",
    "inquiryUrgentAction": "flag",
    "inquiryUndoAction": "undo-2",
    "inquiryExportAction": "file-down",
    "inquiryLockAction": "lock",
    # the inquiry's detail
    "inquiryEmailButton": "mail",
    "inquiryCopyEmailButton": "copy",
    "inquiryCallButton": "phone",
    "inquiryCopyPhoneButton": "copy",
    "inquiryAssignButton": "user-plus",
    "inquiryUrgentButton": "flag",
    "inquiryUnreadButton": "mail-open",
    "inquiryReadButton": "mail-open",
    "inquiryNoteButton": "sticky-note",
    # posts
    "newPostButton": "square-pen",
    "trashButton": "trash-2",
    "restoreButton": "archive-restore",
    "deletePermanentlyButton": "circle-x",
    "publishButton": "send",
    "saveButton": "save",
    "historyButton": "history",
}


@cache
def app_icon() -> QIcon:
    """ClinicDesk's icon; an empty icon (Qt's default then) when the file cannot be read."""
    try:
        path = resource_path(*ICON_PARTS)
    except FileNotFoundError as error:
        logger.warning("no app icon: %s", error)
        return QIcon()
    icon = QIcon(str(path))
    if icon.isNull():
        logger.warning("the app icon could not be read: %s", path)
    return icon


@cache
def _svg_text(name: str) -> str | None:
    try:
        path = resource_path(*LUCIDE_PARTS, f"{name}.svg")
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError, UnicodeDecodeError) as error:
        logger.warning("icon %s cannot be read: %s", name, error)
        return None


class TintedSvgEngine(QIconEngine):
    """Paints a ``currentColor`` SVG in the application palette's button-text colour.

    Args:
        svg: the SVG's text.
    """

    def __init__(self, svg: str) -> None:
        super().__init__()
        self._svg = svg
        self._renderers: dict[str, QSvgRenderer] = {}

    def color_name(self, mode: QIcon.Mode) -> str:
        """The colour it paints in for ``mode`` (now: it follows the application's palette)."""
        palette = QGuiApplication.palette()
        group = (
            QPalette.ColorGroup.Disabled
            if mode == QIcon.Mode.Disabled
            else QPalette.ColorGroup.Active
        )
        return palette.color(group, QPalette.ColorRole.ButtonText).name()

    def _renderer(self, color: str) -> QSvgRenderer:
        renderer = self._renderers.get(color)
        if renderer is None:
            data = self._svg.replace("currentColor", color).encode("utf-8")
            renderer = QSvgRenderer(QByteArray(data))
            self._renderers[color] = renderer
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        self._renderer(self.color_name(mode)).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return TintedSvgEngine(self._svg)


def lucide_icon(name: str) -> QIcon:
    """The Lucide icon ``name`` in the palette's colours; an empty icon if it is missing."""
    svg = _svg_text(name)
    if svg is None:
        return QIcon()
    return QIcon(TintedSvgEngine(svg))


def fit_icons(toolbar: QToolBar) -> None:
    """Icons in ``toolbar`` as tall as a line of its text (they stay beside the words, not
    above them, and grow with the user's font size)."""
    side = toolbar.fontMetrics().height()
    toolbar.setIconSize(QSize(side, side))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)


def give_icon(target: QAction | QAbstractButton) -> None:
    """Put the icon :data:`ACTION_ICONS` names for ``target``'s object name beside its words."""
    name = ACTION_ICONS.get(target.objectName())
    if name is not None:
        target.setIcon(lucide_icon(name))
