"""The rich-text body editor and its formatting toolbar.

The editor edits a :class:`~clinicdesk.ui.posts.richtext.BodyMapping`: what it can represent
as text, and read-only boxes for the blocks it cannot (kept byte for byte). Formatting follows
the block editor's model: a block is a paragraph, a heading (H2-H4 offered), a list item or a
quote paragraph; text is bold, italic or a link; images are blocks of their own.

Nothing is ever fetched from the network: images show the local file of an upload waiting to
be sent, or a grey placeholder with their address.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QPainter,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QTextEdit, QWidget

from clinicdesk.domain.blocks import LOCAL_MEDIA_SCHEME, Image, Segment, block_label, opaque_summary
from clinicdesk.domain.sanitize import sanitize
from clinicdesk.ui.posts.richformats import (
    BLOCK_SPACING,
    HEADING_WEIGHT,
    P_QUOTE,
    OpaqueBlockObject,
    heading_format,
    image_format,
    image_of,
    is_ordered,
    link_of,
    list_format,
    paragraph_block_format,
    quote_block_format,
    segment_of,
    set_link,
)
from clinicdesk.ui.posts.richtext import BodyMapping, insert_rich_block

logger = logging.getLogger(__name__)

#: Largest width an image is shown at in the editor.
IMAGE_WIDTH = 480
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)


def placeholder_image(text: str, size: QSize | None = None) -> QImage:
    """A grey box naming an image that is not loaded (its address, or alternative text)."""
    size = size or QSize(360, 120)
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(QColor(200, 200, 200))
    painter = QPainter(image)
    painter.setPen(QColor(60, 60, 60))
    metrics = painter.fontMetrics()
    elided = metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, size.width() - 16)
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, elided)
    painter.end()
    return image


class BodyEditor(QTextEdit):
    """The post body: rich text for supported blocks, read-only boxes for the rest.

    Tab moves the focus on (keyboard users must be able to leave the editor), except in a list,
    where it nests the item (Shift+Tab lifts it).

    Signals:
        imageActivated(): the user double-clicked an image (to edit its text).
        pasteNotice(str): something pasted could not be kept (said to the user).
    """

    imageActivated = Signal()
    pasteNotice = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bodyEditor")
        self.setAccessibleName(self.tr("Post body"))
        self.setTabChangesFocus(True)
        self.setAcceptRichText(True)
        #: The file of an image waiting to be uploaded, by local media id.
        self.media_path: Callable[[int], str | None] = lambda media_id: None
        #: Every resource name the document asked for (the tests check nothing was fetched).
        self.requested: list[str] = []
        self._opaque = OpaqueBlockObject(self)
        self._opaque.install(self.document())
        self._mapping = BodyMapping("", self._labels)
        self._mapping.load(self.document())
        self._quote_groups = 1000

    # -- content ----------------------------------------------------------------------------

    def set_content(self, content: str) -> None:
        """Show a body (undo history starts afresh)."""
        self._mapping = BodyMapping(content, self._labels)
        self._mapping.load(self.document())
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def content(self) -> str:
        """The body as block markup: untouched blocks byte for byte as they were loaded."""
        return self._mapping.content(self.document())

    @property
    def loaded_content(self) -> str:
        """The body as it was when last loaded."""
        return self._mapping.original

    def images(self) -> list[Image]:
        """The image blocks in the body."""
        return self._mapping.images(self.document())

    def _labels(self, segment: Segment) -> tuple[str, str]:
        name = segment.block.name
        text = self.block_labels().get(name) or block_label(name)
        box = self.tr("%1 block \u2014 kept as is").replace("%1", text)
        if name is None:
            box = self.tr("Classic content \u2014 kept as is (edit it in the HTML view)")
        return box, opaque_summary(segment.source)

    def block_labels(self) -> dict[str | None, str]:
        """Readers' names of the block kinds shown as kept-as-is boxes (translated)."""
        return {
            "core/html": self.tr("Custom HTML"),
            "core/shortcode": self.tr("Shortcode"),
            "core/embed": self.tr("Embed"),
            "core/separator": self.tr("Separator"),
            "core/columns": self.tr("Columns"),
            "core/group": self.tr("Group"),
            "core/buttons": self.tr("Buttons"),
            "core/image": self.tr("Image"),
            "core/gallery": self.tr("Gallery"),
            "core/table": self.tr("Table"),
            "core/code": self.tr("Code"),
            "core/preformatted": self.tr("Preformatted"),
            "core/pullquote": self.tr("Pull quote"),
            "core/spacer": self.tr("Spacer"),
            "core/video": self.tr("Video"),
            "core/audio": self.tr("Audio"),
            "core/file": self.tr("File"),
            "core/cover": self.tr("Cover"),
            "core/more": self.tr("More"),
            "core/paragraph": self.tr("Paragraph"),
            "core/heading": self.tr("Heading"),
            "core/list": self.tr("List"),
            "core/quote": self.tr("Quote"),
        }

    # -- resources: never from the network ---------------------------------------------------

    def loadResource(self, type: int, name: QUrl | str) -> object:
        """Images for the document: a waiting upload's local file, else a placeholder."""
        text = name.toString() if isinstance(name, QUrl) else name
        self.requested.append(text)
        if type != int(QTextDocument.ResourceType.ImageResource):
            return None
        if text.startswith(LOCAL_MEDIA_SCHEME):
            try:
                path = self.media_path(int(text.removeprefix(LOCAL_MEDIA_SCHEME)))
            except ValueError:
                path = None
            if path and Path(path).is_file():
                image = QImage(path)
                if not image.isNull():
                    if image.width() > IMAGE_WIDTH:
                        image = image.scaledToWidth(
                            IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation
                        )
                    return image
            return placeholder_image(self.tr("Image waiting to be uploaded"))
        return placeholder_image(text.rsplit("/", 1)[-1] or self.tr("Image"))

    # -- pasting: only what a post can hold ---------------------------------------------------

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Paste HTML through the preview's allow-list (no images, styles or scripts)."""
        if source.hasHtml():
            html = source.html()
            cleaned = sanitize(html).html
            if _IMG_TAG.search(cleaned):
                cleaned = _IMG_TAG.sub("", cleaned)
                self.pasteNotice.emit(
                    self.tr("Pictures are not pasted: use Insert image to upload them.")
                )
            cursor = self.textCursor()
            cursor.beginEditBlock()
            start = cursor.selectionStart()
            cursor.insertHtml(cleaned)
            # Qt shows pasted headings in bold type: that is the heading's look, not bold text.
            block = self.document().findBlock(start)
            while block.isValid() and block.position() <= cursor.position():
                level = block.blockFormat().headingLevel()
                if level:
                    _restyle_text(QTextCursor(block), block, level, whole=True)
                block = block.next()
            cursor.endEditBlock()
            self.ensureCursorVisible()
            return
        if source.hasText():
            self.textCursor().insertText(source.text())
            self.ensureCursorVisible()
            return
        if source.hasImage():
            self.pasteNotice.emit(
                self.tr("Pictures are not pasted: use Insert image to upload them.")
            )

    # -- keys ---------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter after a heading starts a paragraph; Enter on an empty list item or quote line
        leaves the list or quote; Tab / Shift+Tab nest and lift list items."""
        cursor = self.textCursor()
        block = cursor.block()
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and modifiers in (
            Qt.KeyboardModifier.NoModifier,
        ):
            if block.textList() is not None and not block.text():
                self._lift(block)
                return
            fmt = block.blockFormat()
            if fmt.property(P_QUOTE) and not block.text():
                self._unquote(cursor)
                return
            if fmt.headingLevel() and cursor.atBlockEnd():
                cursor.insertBlock(paragraph_block_format(None), QTextCharFormat())
                self.setTextCursor(cursor)
                return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab nests a list item and Shift+Tab lifts it; elsewhere they move the focus."""
        block = self.textCursor().block()
        if block.textList() is None:
            return super().focusNextPrevChild(next)
        if next:
            self._nest(block)
        else:
            self._lift(block)
        return True

    def mouseDoubleClickEvent(self, event: object) -> None:
        """Double-clicking an image opens its text (alternative text and caption)."""
        super().mouseDoubleClickEvent(event)  # type: ignore[arg-type]
        if self.current_image() is not None:
            self.imageActivated.emit()

    # -- formatting ------------------------------------------------------------------------------

    def _selected_blocks(self) -> list[QTextBlock]:
        cursor = self.textCursor()
        document = self.document()
        first = document.findBlock(cursor.selectionStart())
        last = document.findBlock(cursor.selectionEnd())
        blocks = [first]
        while blocks[-1] != last and blocks[-1].isValid():
            blocks.append(blocks[-1].next())
        return [b for b in blocks if b.isValid()]

    def _each_block(self, change: Callable[[QTextCursor, QTextBlock], None]) -> None:
        cursor = self.textCursor()
        cursor.beginEditBlock()
        for block in self._selected_blocks():
            block_cursor = QTextCursor(block)
            change(block_cursor, block)
        cursor.endEditBlock()

    def block_style(self) -> int:
        """The heading level of the cursor's block (0 for a paragraph)."""
        return self.textCursor().blockFormat().headingLevel()

    def set_block_style(self, level: int) -> None:
        """Make the selected blocks paragraphs (0) or headings of ``level``."""

        def change(cursor: QTextCursor, block: QTextBlock) -> None:
            if block.textList() is not None:
                block.textList().remove(block)
            fmt = paragraph_block_format(segment_of(block))
            fmt.setHeadingLevel(level)
            if level:
                fmt.setTopMargin(BLOCK_SPACING * 2)
            cursor.setBlockFormat(fmt)
            _restyle_text(cursor, block, level)

        self._each_block(change)

    def is_bold(self) -> bool:
        """Whether the text at the cursor is bold."""
        return self.currentCharFormat().fontWeight() >= int(QFont.Weight.Bold)

    def toggle_bold(self) -> None:
        """Bold on or off for the selection (or what is typed next)."""
        fmt = QTextCharFormat()
        if self.is_bold():
            heading = self.textCursor().blockFormat().headingLevel()
            fmt.setFontWeight(HEADING_WEIGHT if heading else QFont.Weight.Normal)
        else:
            fmt.setFontWeight(QFont.Weight.Bold)
        self.mergeCurrentCharFormat(fmt)

    def toggle_italic(self) -> None:
        """Italic on or off for the selection (or what is typed next)."""
        fmt = QTextCharFormat()
        fmt.setFontItalic(not self.currentCharFormat().fontItalic())
        self.mergeCurrentCharFormat(fmt)

    def current_link(self) -> str:
        """The address of the link at the cursor ("" for none)."""
        link = link_of(self.currentCharFormat())
        return "" if link is None else link[0][1]

    def set_link(self, href: str) -> None:
        """Link the selection (or the word at the cursor) to ``href``; "" removes the link."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        if not cursor.hasSelection():
            return
        href = href.strip()
        cursor.beginEditBlock()
        if href:
            current = link_of(cursor.charFormat())
            keep = current[1:] if current is not None else ()
            fmt = QTextCharFormat()
            set_link(fmt, (("href", href), *keep))
            cursor.mergeCharFormat(fmt)
        else:
            # Merging cannot take properties away: each character's format is replaced.
            start, end = cursor.selectionStart(), cursor.selectionEnd()
            for position in range(start, end):
                piece = QTextCursor(self.document())
                piece.setPosition(position)
                piece.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
                char = piece.charFormat()
                if char.isImageFormat() or char.objectType():
                    continue
                set_link(char, None)
                piece.setCharFormat(char)
        cursor.endEditBlock()
        self.setTextCursor(cursor)

    def list_kind(self) -> bool | None:
        """Whether the cursor is in a numbered (True) or bulleted (False) list, or None."""
        text_list = self.textCursor().block().textList()
        return None if text_list is None else is_ordered(text_list)

    def toggle_list(self, ordered: bool) -> None:
        """Make the selected blocks a bulleted or numbered list, or plain paragraphs again."""
        blocks = self._selected_blocks()
        cursor = self.textCursor()
        cursor.beginEditBlock()
        if all(b.textList() is not None and is_ordered(b.textList()) == ordered for b in blocks):
            for block in blocks:
                _remove_from_list(block)
        else:
            existing = next((b.textList() for b in blocks if b.textList() is not None), None)
            if existing is not None and existing.format().indent() >= 1:
                fmt = existing.format()
                fmt.setStyle(list_format(ordered, fmt.indent()).style())
                existing.setFormat(fmt)
                target = existing
            else:
                first = QTextCursor(blocks[0])
                self._make_plain(first, blocks[0])
                target = first.createList(list_format(ordered, 1))
            for block in blocks:
                if block.textList() is None:
                    self._make_plain(QTextCursor(block), block)
                    target.add(block)
        cursor.endEditBlock()

    def is_quote(self) -> bool:
        """Whether the cursor is in a quote."""
        return bool(self.textCursor().blockFormat().property(P_QUOTE))

    def toggle_quote(self) -> None:
        """Make the selected blocks a quote, or take them out of it."""
        if self.is_quote():
            self._unquote(self.textCursor())
            return
        self._quote_groups += 1
        group = self._quote_groups

        def change(cursor: QTextCursor, block: QTextBlock) -> None:
            self._make_plain(cursor, block)
            cursor.setBlockFormat(quote_block_format(segment_of(block), group))

        self._each_block(change)

    def _unquote(self, cursor: QTextCursor) -> None:
        def change(block_cursor: QTextCursor, block: QTextBlock) -> None:
            fmt = paragraph_block_format(segment_of(block))
            block_cursor.setBlockFormat(fmt)

        self._each_block(change)
        del cursor

    def _make_plain(self, cursor: QTextCursor, block: QTextBlock) -> None:
        """A block becomes a plain paragraph (out of any heading, quote or list)."""
        if block.textList() is not None:
            block.textList().remove(block)
        if block.blockFormat().headingLevel():
            _restyle_text(cursor, block, 0)
        cursor.setBlockFormat(paragraph_block_format(segment_of(block)))

    def _nest(self, block: QTextBlock) -> None:
        text_list = block.textList()
        assert text_list is not None
        indent = text_list.format().indent() + 1
        cursor = QTextCursor(block)
        cursor.beginEditBlock()
        previous = block.previous()
        sibling = previous.textList() if previous.isValid() else None
        if sibling is not None and sibling.format().indent() == indent:
            text_list.remove(block)
            sibling.add(block)
        elif previous.isValid() and previous.textList() is not None:
            text_list.remove(block)
            cursor.createList(list_format(is_ordered(text_list), indent))
        cursor.endEditBlock()

    def _lift(self, block: QTextBlock) -> None:
        text_list = block.textList()
        assert text_list is not None
        indent = text_list.format().indent()
        cursor = QTextCursor(block)
        cursor.beginEditBlock()
        if indent <= 1:
            _remove_from_list(block)
        else:
            parent = block.previous()
            while parent.isValid() and (
                parent.textList() is None or parent.textList().format().indent() >= indent
            ):
                if parent.textList() is None:
                    break
                parent = parent.previous()
            text_list.remove(block)
            if parent.isValid() and parent.textList() is not None:
                parent.textList().add(block)
            else:
                cursor.createList(list_format(is_ordered(text_list), indent - 1))
        cursor.endEditBlock()

    # -- images -----------------------------------------------------------------------------------

    def current_image(self) -> Image | None:
        """The image at the cursor (just before or after it), if any."""
        cursor = self._image_cursor()
        return None if cursor is None else image_of(cursor.charFormat())

    def _image_cursor(self) -> QTextCursor | None:
        base = self.textCursor()
        for start in (base.position() - 1, base.position()):
            if start < 0:
                continue
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            if not cursor.movePosition(
                QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor
            ):
                continue
            if cursor.charFormat().isImageFormat():
                return cursor
        return None

    def insert_image(self, image: Image) -> None:
        """Insert an image block after the cursor's block."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        insert_rich_block(cursor, image)
        if cursor.atEnd():
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        cursor.endEditBlock()
        self.setTextCursor(cursor)

    def update_image(self, image: Image) -> None:
        """Change the image at the cursor (its alternative text or caption)."""
        cursor = self._image_cursor()
        if cursor is not None:
            cursor.setCharFormat(image_format(image))


def _remove_from_list(block: QTextBlock) -> None:
    text_list = block.textList()
    if text_list is None:
        return
    text_list.remove(block)
    cursor = QTextCursor(block)
    fmt = block.blockFormat()
    fmt.setIndent(0)
    cursor.setBlockFormat(fmt)


def _restyle_text(
    cursor: QTextCursor, block: QTextBlock, level: int, *, whole: bool = False
) -> None:
    """Give a block's text the look of a heading of ``level`` (0: a paragraph's).

    Bold words stay bold, unless ``whole`` (all of the text takes the heading's weight).
    """
    base = heading_format(level) if level else QTextCharFormat()
    if not level:
        base.setProperty(QTextFormat.Property.FontSizeAdjustment, 0)
    cursor.setBlockCharFormat(base)
    iterator = block.begin()
    while not iterator.atEnd():
        fragment = iterator.fragment()
        iterator += 1
        if not fragment.isValid() or fragment.charFormat().isImageFormat():
            continue
        piece = QTextCursor(block.document())
        piece.setPosition(fragment.position())
        piece.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setProperty(
            QTextFormat.Property.FontSizeAdjustment,
            base.property(QTextFormat.Property.FontSizeAdjustment) or 0,
        )
        weight = fragment.charFormat().fontWeight()
        if whole or weight < int(QFont.Weight.Bold):
            fmt.setFontWeight(HEADING_WEIGHT if level else QFont.Weight.Normal)
        piece.mergeCharFormat(fmt)
