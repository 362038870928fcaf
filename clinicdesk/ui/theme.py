"""Light and dark, following the operating system.

Qt reports the desktop's colour scheme (``QStyleHints.colorScheme``) and signals when it changes.
The Fusion style is used everywhere (it draws every palette faithfully on every platform) with a
palette for each scheme; "unknown" (no desktop preference, e.g. offscreen) means light.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

_DARK = {
    QPalette.ColorRole.Window: "#2b2b2b",
    QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1f1f1f",
    QPalette.ColorRole.AlternateBase: "#2a2a2a",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    QPalette.ColorRole.Text: "#e8e8e8",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e8e8e8",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Link: "#7ab7ff",
    QPalette.ColorRole.Highlight: "#3d7bd9",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}
_DISABLED_DARK = "#7a7a7a"


def is_dark(scheme: Qt.ColorScheme) -> bool:
    return scheme == Qt.ColorScheme.Dark


def palette_for(scheme: Qt.ColorScheme, style_palette: QPalette) -> QPalette:
    """The palette for ``scheme``: the style's own for light, ours for dark."""
    if not is_dark(scheme):
        return QPalette(style_palette)
    palette = QPalette(style_palette)
    for role, color in _DARK.items():
        palette.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_DARK))
    return palette


def use_scheme(app: QApplication, scheme: Qt.ColorScheme) -> None:
    """Switch the running app to ``scheme``'s palette.

    Widgets inside a panel with a style sheet of its own (the Inquiries tab's crisis panel)
    keep the palette they were polished with when the application palette changes; applying
    their style sheets again makes them take the new one.
    """
    app.setPalette(palette_for(scheme, app.style().standardPalette()))
    app.setProperty("clinicdeskDark", is_dark(scheme))
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet(sheet)


def apply_theme(app: QApplication) -> None:
    """Use Fusion, pick the palette for the OS scheme now, and follow it when it changes."""
    app.setStyle("Fusion")
    hints = QGuiApplication.styleHints()
    use_scheme(app, hints.colorScheme())
    hints.colorSchemeChanged.connect(lambda scheme: use_scheme(app, scheme))
