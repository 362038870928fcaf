"""The app's own icon (``resources/icons/clinicdesk.svg``): window, tray, About box, dialogs."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtGui import QIcon

from clinicdesk.model.resources import resource_path

logger = logging.getLogger(__name__)

#: The icon's file in ``resources/`` (the same file the Linux menu entry installs).
ICON_PARTS = ("icons", "clinicdesk.svg")


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
