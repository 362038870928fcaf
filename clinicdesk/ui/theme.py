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


#: WCAG 2's AA minimum contrast for text of normal size.
AA_TEXT = 4.5

#: Urgent words (the Urgent view's name and count): a dark red on light, a light red on dark,
#: each at least AA against the list's base colour (6.6:1 on #ffffff, 7.2:1 on #1f1f1f).
_URGENT_TEXT_LIGHT = "#b71c1c"
_URGENT_TEXT_DARK = "#ff8a80"

#: The tint behind an urgent row, painted over the table's base colour: its alpha is low enough
#: that the row's text keeps AA contrast in both palettes (see tests/ui/test_look.py).
URGENT_TINT = QColor(220, 50, 47, 55)
#: The tint behind an inquiry waiting past its first-response target.
OVERDUE_TINT = QColor(255, 170, 0, 60)

#: One small spacing scale, in pixels: lines of one list, related items (a row of buttons),
#: groups, and sections (the status bar's parts).
SPACE_XS = 2
SPACE_S = 4
SPACE_M = 8
SPACE_L = 16

#: One small type scale: the system font's size (which follows the user's setting) for text,
#: bold at that size for headings (the crisis header), and this factor of it for titles.
TYPE_TITLE = 1.4  # a page's title, an inquiry's name, a post's title


def is_dark(scheme: Qt.ColorScheme) -> bool:
    return scheme == Qt.ColorScheme.Dark


def palette_is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` draws light text on a dark base (the dark scheme, ours or the OS's)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def urgent_text_color(palette: QPalette) -> QColor:
    """The colour of urgent words on ``palette``'s base: AA contrast in light and dark."""
    return QColor(_URGENT_TEXT_DARK if palette_is_dark(palette) else _URGENT_TEXT_LIGHT)


def composite(over: QColor, under: QColor) -> QColor:
    """``over`` (with its alpha) painted on the opaque ``under``: the colour the eye sees."""
    alpha = over.alphaF()
    return QColor.fromRgbF(
        over.redF() * alpha + under.redF() * (1 - alpha),
        over.greenF() * alpha + under.greenF() * (1 - alpha),
        over.blueF() * alpha + under.blueF() * (1 - alpha),
    )


def _luminance(color: QColor) -> float:
    """WCAG 2's relative luminance of an opaque colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2's contrast ratio of two opaque colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


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
