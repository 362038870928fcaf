"""The body editor's formatting toolbar: every action with a shortcut."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QKeySequence,
)
from PySide6.QtWidgets import QToolBar, QWidget

from clinicdesk.ui.posts.body import BodyEditor

logger = logging.getLogger(__name__)


class FormattingBar(QToolBar):
    """The formatting toolbar of a :class:`BodyEditor`, every action with a shortcut.

    Signals:
        linkRequested(): the user asked to add or change a link.
        imageRequested(): the user asked to insert an image.
        imageEditRequested(): the user asked to change the image at the cursor.
    """

    linkRequested = Signal()
    imageRequested = Signal()
    imageEditRequested = Signal()

    def __init__(self, editor: BodyEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formattingBar")
        self.setAccessibleName(self.tr("Formatting"))
        self.setWindowTitle(self.tr("Formatting"))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.editor = editor
        self.styles = QActionGroup(self)
        self.styles.setExclusive(True)
        # The most used first: in a narrow window the bar's last buttons go behind its »
        # button, and Bold, Italic and Link stay in sight.
        self.bold = self._action("bold", self.tr("Bold"), "Ctrl+B", True)
        self.bold.triggered.connect(editor.toggle_bold)
        self.italic = self._action("italic", self.tr("Italic"), "Ctrl+I", True)
        self.italic.triggered.connect(editor.toggle_italic)
        self.link = self._action("link", self.tr("Link…"), "Ctrl+K")
        self.link.triggered.connect(self.linkRequested)
        self.addSeparator()
        self.paragraph = self._action("paragraph", self.tr("Paragraph"), "Ctrl+Alt+0", True)
        self.paragraph.triggered.connect(lambda: editor.set_block_style(0))
        self.headings: dict[int, QAction] = {}
        for level in (2, 3, 4):
            action = self._action(
                f"heading{level}",
                self.tr("H%1").replace("%1", str(level)),
                f"Ctrl+Alt+{level}",
                True,
            )
            action.setToolTip(
                self.tr("Heading %1 (%2)")
                .replace("%1", str(level))
                .replace("%2", action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
            )
            action.triggered.connect(lambda _=False, lv=level: editor.set_block_style(lv))
            self.headings[level] = action
        for action in (self.paragraph, *self.headings.values()):
            self.styles.addAction(action)
        self.addSeparator()
        self.bullets = self._action("bulletedList", self.tr("Bulleted list"), "Ctrl+Shift+8", True)
        self.bullets.triggered.connect(lambda: editor.toggle_list(False))
        self.numbers = self._action("numberedList", self.tr("Numbered list"), "Ctrl+Shift+7", True)
        self.numbers.triggered.connect(lambda: editor.toggle_list(True))
        self.quote = self._action("quote", self.tr("Quote"), "Ctrl+Shift+9", True)
        self.quote.triggered.connect(editor.toggle_quote)
        self.addSeparator()
        self.image = self._action("insertImage", self.tr("Image…"), "Ctrl+Shift+I")
        self.image.triggered.connect(self.imageRequested)
        self.image_text = self._action("imageText", self.tr("Image text…"), None)
        self.image_text.triggered.connect(self.imageEditRequested)
        editor.imageActivated.connect(self.imageEditRequested)
        editor.cursorPositionChanged.connect(self.update_state)
        editor.currentCharFormatChanged.connect(lambda _fmt: self.update_state())
        self.update_state()

    def _action(self, name: str, text: str, keys: str | None, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"{name}Action")
        action.setCheckable(checkable)
        if keys:
            action.setShortcut(QKeySequence(keys))
            # The shortcut works while the body has the focus, whatever else is on screen.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            native = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{text.rstrip('…')} ({native})")
        self.editor.addAction(action)
        self.addAction(action)
        button = self.widgetForAction(action)
        if button is not None:
            button.setObjectName(f"{name}Button")
            button.setAccessibleName(text.rstrip("…"))
        return action

    def update_state(self) -> None:
        """Show the formatting at the cursor."""
        editor = self.editor
        level = editor.block_style()
        self.paragraph.setChecked(level == 0)
        for heading_level, action in self.headings.items():
            action.setChecked(level == heading_level)
        self.bold.setChecked(editor.is_bold())
        self.italic.setChecked(editor.currentCharFormat().fontItalic())
        kind = editor.list_kind()
        self.bullets.setChecked(kind is False)
        self.numbers.setChecked(kind is True)
        self.quote.setChecked(editor.is_quote())
        self.image_text.setEnabled(editor.current_image() is not None)
