"""A post body in a QTextDocument and back, without changing what the user did not touch.

Loading (:meth:`BodyMapping.load`) puts each top-level segment of the body
(:class:`~clinicdesk.domain.blocks.BlockDocument`) into the document:

- supported blocks become ordinary text: paragraphs, headings (``headingLevel``), lists
  (``QTextList``, nested by indent), quotes (blocks marked with a quote group id) and images
  (an image character carrying the block's fields);
- every other block becomes one *object character* drawn as a read-only box ("Custom HTML —
  kept as is"). Being a single character, it cannot be half-edited: it can only be kept,
  moved or deleted as a whole.

Every document block remembers the segment it came from (a block-format property Qt copies
to the new block when the user presses Enter). Right after loading, the document is read back
(:func:`extract`) and that reading is the *baseline*. Saving reads the document again: a block
that still reads exactly like its segment's baseline is written as the segment's original
text, byte for byte; only the others are written anew
(:func:`~clinicdesk.domain.blocks.assemble`). So opening and closing a post changes nothing,
and Qt's own normalisations (spaces, line breaks) never count as edits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QPointF, QRect, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPalette,
    QPen,
    QPyTextObject,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextImageFormat,
    QTextList,
    QTextListFormat,
)

from clinicdesk.domain.blocks import (
    LOCAL_MEDIA_SCHEME,
    BlockDocument,
    Edited,
    Heading,
    Image,
    Inline,
    Kept,
    LinkAttrs,
    ListItem,
    Paragraph,
    Piece,
    Quote,
    RichBlock,
    RichList,
    Segment,
    Span,
    assemble,
    normalize_inline,
)
from clinicdesk.ui.plaintext import plain

logger = logging.getLogger(__name__)

_USER = int(QTextFormat.Property.UserProperty)
#: Block format: the segment a document block came from.
P_SEGMENT = _USER + 1
#: Block format: the quote a block belongs to (a group id; 0 or absent for none).
P_QUOTE = _USER + 2
#: Block format: the block is a quote's citation.
P_CITE = _USER + 3
#: Object character: the opaque segment it stands for.
P_OPAQUE = _USER + 4
#: Character format: a link's attributes as JSON (href first), beyond what Qt keeps.
P_LINK = _USER + 5
#: Image character: the image block's fields as JSON.
P_IMAGE = _USER + 6
#: Object character: the text drawn in the box (label, then a glimpse of the content).
P_LABEL = _USER + 7
P_SUMMARY = _USER + 8

#: The object type of an opaque block's character.
OPAQUE_OBJECT = int(QTextFormat.ObjectTypes.UserObject) + 1
OBJECT_CHAR = "\ufffc"
LINE_SEPARATOR = "\u2028"

#: Heading sizes (QTextCharFormat's FontSizeAdjustment) per level, as Qt's own HTML import.
_HEADING_SIZE = {1: 3, 2: 2, 3: 1, 4: 0, 5: -1, 6: -1}
#: A heading's weight: visibly strong, yet below Bold, so bold words inside it stay bold.
HEADING_WEIGHT = QFont.Weight.DemiBold
QUOTE_MARGIN = 24.0
#: Space under each block, so paragraphs read as paragraphs (not part of the markup).
BLOCK_SPACING = 6.0
QUOTE_BACKGROUND = QColor(127, 127, 127, 36)
LINK_COLOR = QColor(30, 90, 200)


# -- what the document reads as ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadRich:
    """A supported block read from the document, and the segment it started as."""

    block: RichBlock
    origin: int | None


@dataclass(frozen=True, slots=True)
class ReadOpaque:
    """An opaque block's character, standing for segment ``segment``."""

    segment: int


Read = ReadRich | ReadOpaque


def _int_property(fmt: QTextFormat, name: int) -> int | None:
    if not fmt.hasProperty(name):
        return None
    value = fmt.property(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def segment_of(block: QTextBlock) -> int | None:
    """The segment a document block came from, or None for a block the user added."""
    return _int_property(block.blockFormat(), P_SEGMENT)


# -- inline text ------------------------------------------------------------------------------


def span_format(span: Span, base: QTextCharFormat) -> QTextCharFormat:
    """The character format showing ``span`` (over a block's base format)."""
    fmt = QTextCharFormat(base)
    if span.bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    if span.italic:
        fmt.setFontItalic(True)
    if span.link is not None:
        set_link(fmt, span.link)
    return fmt


def set_link(fmt: QTextCharFormat, link: LinkAttrs | None) -> None:
    """Make ``fmt`` a link (or no link, for None)."""
    if link is None:
        for name in (
            QTextFormat.Property.IsAnchor,
            QTextFormat.Property.AnchorHref,
            QTextFormat.Property.TextUnderlineStyle,
            QTextFormat.Property.ForegroundBrush,
        ):
            fmt.clearProperty(name)
        fmt.clearProperty(P_LINK)
        return
    fmt.setAnchor(True)
    fmt.setAnchorHref(link[0][1])
    fmt.setProperty(P_LINK, json.dumps([list(pair) for pair in link]))
    fmt.setFontUnderline(True)
    fmt.setForeground(LINK_COLOR)


def link_of(fmt: QTextCharFormat) -> LinkAttrs | None:
    """The link a character format shows, with the attributes it was loaded with."""
    if not fmt.isAnchor() or not fmt.anchorHref():
        return None
    href = fmt.anchorHref()
    raw = fmt.property(P_LINK) if fmt.hasProperty(P_LINK) else None
    if isinstance(raw, str):
        try:
            pairs = tuple((str(name), str(value)) for name, value in json.loads(raw))
        except (ValueError, TypeError):
            pairs = ()
        if pairs and pairs[0] == ("href", href):
            return pairs
        if pairs and pairs[0][0] == "href":
            # The address was changed through Qt: keep the other attributes with the new one.
            return (("href", href), *pairs[1:])
    return (("href", href),)


def span_of(text: str, fmt: QTextCharFormat) -> Span:
    """A run of document text as a span."""
    return Span(
        text.replace(LINE_SEPARATOR, "\n"),
        bold=fmt.fontWeight() >= int(QFont.Weight.Bold),
        italic=fmt.fontItalic(),
        link=link_of(fmt),
    )


def insert_inline(cursor: QTextCursor, inline: Inline, base: QTextCharFormat) -> None:
    """Insert formatted text at the cursor."""
    for span in inline:
        # A source line break inside a paragraph is only HTML whitespace; "\n" is a <br>.
        cursor.insertText(span.text.replace("\n", LINE_SEPARATOR), span_format(span, base))


def heading_format(level: int) -> QTextCharFormat:
    """The base character format of a heading's text."""
    fmt = QTextCharFormat()
    fmt.setProperty(QTextFormat.Property.FontSizeAdjustment, _HEADING_SIZE.get(level, 0))
    fmt.setFontWeight(HEADING_WEIGHT)
    return fmt


# -- images and opaque blocks -------------------------------------------------------------------


def _spans_json(inline: Inline) -> list[list[Any]]:
    return [
        [s.text, s.bold, s.italic, None if s.link is None else [list(p) for p in s.link]]
        for s in inline
    ]


def _spans_from_json(data: Any) -> Inline:
    spans: list[Span] = []
    for text, bold, italic, link in data:
        attrs = None if link is None else tuple((str(n), str(v)) for n, v in link)
        spans.append(Span(str(text), bool(bold), bool(italic), attrs))
    return normalize_inline(spans)


def image_resource_name(image: Image) -> str:
    """The name the document loads an image by (never fetched from the network)."""
    if image.local_media is not None:
        return f"{LOCAL_MEDIA_SCHEME}{image.local_media}"
    return image.src


def image_format(image: Image) -> QTextImageFormat:
    """The character format of an image block's character."""
    fmt = QTextImageFormat()
    fmt.setName(image_resource_name(image))
    fmt.setProperty(
        P_IMAGE,
        json.dumps(
            {
                "media_id": image.media_id,
                "local_media": image.local_media,
                "src": image.src,
                "alt": image.alt,
                "caption": _spans_json(image.caption),
                "size_slug": image.size_slug,
                "link_destination": image.link_destination,
            }
        ),
    )
    fmt.setToolTip(plain(image.alt))  # the alt text comes from the site
    return fmt


def image_of(fmt: QTextCharFormat) -> Image:
    """The image block an image character stands for."""
    image_fmt = QTextImageFormat(fmt)
    raw = fmt.property(P_IMAGE) if fmt.hasProperty(P_IMAGE) else None
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
            return Image(
                media_id=data["media_id"],
                local_media=data["local_media"],
                src=str(data["src"]),
                alt=str(data["alt"]),
                caption=_spans_from_json(data["caption"]),
                size_slug=data["size_slug"],
                link_destination=data["link_destination"],
            )
        except (ValueError, KeyError, TypeError):
            logger.debug("an image character's fields could not be read")
    # An image that came in without its fields (pasted): keep its address, no text.
    return Image(None, None, image_fmt.name(), "")


def opaque_format(segment: int, label: str, summary: str) -> QTextCharFormat:
    """The character format of an opaque block's character."""
    fmt = QTextCharFormat()
    fmt.setObjectType(OPAQUE_OBJECT)
    fmt.setProperty(P_OPAQUE, segment)
    fmt.setProperty(P_LABEL, label)
    fmt.setProperty(P_SUMMARY, summary)
    fmt.setToolTip(plain(f"{label}\n{summary}"))  # the summary quotes the block's markup
    return fmt


class OpaqueBlockObject(QPyTextObject):
    """Draws an opaque block's character as a box naming the block and what it holds.

    Register it on a document's layout with :meth:`install`.
    """

    HEIGHT = 46.0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def install(self, document: QTextDocument) -> None:
        """Draw ``document``'s opaque characters with this object."""
        layout = document.documentLayout()
        layout.registerHandler(OPAQUE_OBJECT, self)

    def intrinsicSize(self, doc: QTextDocument, posInDocument: int, format: QTextFormat) -> QSizeF:
        width = max(200.0, doc.textWidth() - 2 * doc.documentMargin() - 8)
        return QSizeF(width, self.HEIGHT)

    def drawObject(
        self,
        painter: QPainter,
        rect: QRectF | QRect,
        doc: QTextDocument,
        posInDocument: int,
        format: QTextFormat,
    ) -> None:
        palette = QPalette()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(rect).adjusted(1, 2, -1, -2)
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
        pen = QPen(palette.color(QPalette.ColorRole.Mid))
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        label = str(format.property(P_LABEL) or "")
        summary = str(format.property(P_SUMMARY) or "")
        font = painter.font()
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        metrics = painter.fontMetrics()
        painter.drawText(QPointF(box.left() + 8, box.top() + 4 + metrics.ascent()), label)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        elided = metrics.elidedText(summary, Qt.TextElideMode.ElideRight, int(box.width() - 16))
        painter.drawText(
            QPointF(box.left() + 8, box.top() + 6 + metrics.height() + metrics.ascent()), elided
        )
        painter.restore()


# -- loading --------------------------------------------------------------------------------------


def paragraph_block_format(segment: int | None) -> QTextBlockFormat:
    """A plain paragraph's block format (from ``segment``)."""
    fmt = QTextBlockFormat()
    fmt.setBottomMargin(BLOCK_SPACING)
    if segment is not None:
        fmt.setProperty(P_SEGMENT, segment)
    return fmt


def quote_block_format(segment: int | None, group: int, *, cite: bool = False) -> QTextBlockFormat:
    """A quote paragraph's (or citation's) block format."""
    fmt = paragraph_block_format(segment)
    fmt.setProperty(P_QUOTE, group)
    fmt.setLeftMargin(QUOTE_MARGIN)
    fmt.setBackground(QUOTE_BACKGROUND)
    if cite:
        fmt.setProperty(P_CITE, True)
        fmt.setAlignment(Qt.AlignmentFlag.AlignRight)
    return fmt


def list_format(ordered: bool, indent: int) -> QTextListFormat:
    """The list format of a (nested) bulleted or numbered list."""
    fmt = QTextListFormat()
    if ordered:
        fmt.setStyle(QTextListFormat.Style.ListDecimal)
    else:
        styles = (
            QTextListFormat.Style.ListDisc,
            QTextListFormat.Style.ListCircle,
            QTextListFormat.Style.ListSquare,
        )
        fmt.setStyle(styles[(indent - 1) % 3])
    fmt.setIndent(indent)
    return fmt


def is_ordered(text_list: QTextList) -> bool:
    """Whether a list is numbered."""
    return text_list.format().style() not in (
        QTextListFormat.Style.ListDisc,
        QTextListFormat.Style.ListCircle,
        QTextListFormat.Style.ListSquare,
    )


class _Loader:
    def __init__(self, cursor: QTextCursor, labels: Callable[[Segment], tuple[str, str]]) -> None:
        self.cursor = cursor
        self.labels = labels
        self.quote_groups = 0
        self.first = True

    def new_block(self, fmt: QTextBlockFormat, char: QTextCharFormat | None = None) -> None:
        if self.first:
            self.cursor.setBlockFormat(fmt)
            self.cursor.setBlockCharFormat(char or QTextCharFormat())
            self.first = False
        else:
            self.cursor.insertBlock(fmt, char or QTextCharFormat())

    def segment(self, index: int, segment: Segment) -> None:
        rich = segment.rich
        if rich is None:
            label, summary = self.labels(segment)
            self.new_block(paragraph_block_format(index))
            self.cursor.insertText(OBJECT_CHAR, opaque_format(index, label, summary))
            self.cursor.setCharFormat(QTextCharFormat())
        else:
            self.rich(rich, index)

    def rich(self, rich: RichBlock, index: int | None) -> None:
        if isinstance(rich, Paragraph):
            self.new_block(paragraph_block_format(index))
            insert_inline(self.cursor, rich.inline, QTextCharFormat())
        elif isinstance(rich, Heading):
            fmt = paragraph_block_format(index)
            fmt.setHeadingLevel(rich.level)
            fmt.setTopMargin(BLOCK_SPACING * 2)
            base = heading_format(rich.level)
            self.new_block(fmt, base)
            insert_inline(self.cursor, rich.inline, base)
        elif isinstance(rich, RichList):
            self.list(rich, index, 1)
        elif isinstance(rich, Quote):
            self.quote_groups += 1
            group = self.quote_groups
            for paragraph in rich.paragraphs:
                self.new_block(quote_block_format(index, group))
                insert_inline(self.cursor, paragraph, QTextCharFormat())
            if rich.citation is not None:
                self.new_block(quote_block_format(index, group, cite=True))
                insert_inline(self.cursor, rich.citation, QTextCharFormat())
        else:
            self.new_block(paragraph_block_format(index))
            self.cursor.insertImage(image_format(rich))
            self.cursor.setCharFormat(QTextCharFormat())

    def list(self, rich: RichList, index: int | None, indent: int) -> None:
        text_list: QTextList | None = None
        for item in rich.items:
            self.new_block(paragraph_block_format(index))
            if text_list is None:
                text_list = self.cursor.createList(list_format(rich.ordered, indent))
            else:
                text_list.add(self.cursor.block())
            insert_inline(self.cursor, item.inline, QTextCharFormat())
            if item.children is not None:
                self.list(item.children, index, indent + 1)


# -- reading ------------------------------------------------------------------------------------


@dataclass
class _ItemBuilder:
    spans: list[Span]
    children: _ListBuilder | None = None

    def build(self) -> ListItem:
        children = None if self.children is None else self.children.build()
        return ListItem(normalize_inline(self.spans), children)


@dataclass
class _ListBuilder:
    ordered: bool
    indent: int
    text_list: QTextList
    items: list[_ItemBuilder] = field(default_factory=list)

    def build(self) -> RichList:
        return RichList(self.ordered, tuple(item.build() for item in self.items))


def _block_parts(block: QTextBlock) -> list[list[Span] | Read]:
    """A block's content: runs of spans, and the objects (images, opaque blocks) between them."""
    parts: list[list[Span] | Read] = [[]]
    iterator = block.begin()
    while not iterator.atEnd():
        fragment = iterator.fragment()
        iterator += 1
        if not fragment.isValid():
            continue
        fmt = fragment.charFormat()
        text = fragment.text()
        if OBJECT_CHAR not in text:
            current = parts[-1]
            assert isinstance(current, list)
            current.append(span_of(text, fmt))
            continue
        for piece in text.split(OBJECT_CHAR)[:-1]:
            current = parts[-1]
            assert isinstance(current, list)
            if piece:
                current.append(span_of(piece, fmt))
            if fmt.isImageFormat():
                parts.append(ReadRich(image_of(fmt), segment_of(block)))
            elif fmt.objectType() == OPAQUE_OBJECT:
                segment = _int_property(fmt, P_OPAQUE)
                if segment is not None:
                    parts.append(ReadOpaque(segment))
            # Any other object character (a stray one pasted in) carries nothing: skipped.
            parts.append([])
        tail = text.split(OBJECT_CHAR)[-1]
        if tail:
            current = parts[-1]
            assert isinstance(current, list)
            current.append(span_of(tail, fmt))
    return parts


def _split(block: QTextBlock) -> tuple[Inline, list[Read]]:
    """A block's text, and the objects in it (read after it)."""
    spans: list[Span] = []
    objects: list[Read] = []
    for part in _block_parts(block):
        if isinstance(part, list):
            spans.extend(part)
        else:
            objects.append(part)
    return normalize_inline(spans), objects


def _read_plain(block: QTextBlock, out: list[Read]) -> None:
    origin = segment_of(block)
    level = block.blockFormat().headingLevel()
    parts = _block_parts(block)
    texts = [p for p in parts if isinstance(p, list)]
    only_objects = all(not p for p in texts) and len(parts) > 1
    for part in parts:
        if not isinstance(part, list):
            out.append(part)
            continue
        if not part and only_objects:
            continue  # the empty text around an image or opaque block is not a paragraph
        inline = normalize_inline(part)
        block_model: RichBlock = Heading(level, inline) if level else Paragraph(inline)
        out.append(ReadRich(block_model, origin))


def _read_list(first: QTextBlock, out: list[Read]) -> QTextBlock:
    top = first.textList()
    assert top is not None
    root = _ListBuilder(is_ordered(top), top.format().indent(), top)
    stack = [root]
    after: list[Read] = []
    block = first
    while block.isValid():
        text_list = block.textList()
        if text_list is None:
            break
        indent = text_list.format().indent()
        if indent < root.indent or (indent == root.indent and text_list is not top):
            break
        while len(stack) > 1 and indent < stack[-1].indent:
            stack.pop()
        current = stack[-1]
        if indent > current.indent or text_list is not current.text_list:
            if indent > current.indent:
                parent = current
            else:
                # A second list at the same depth under the same item: attach it there too.
                stack.pop()
                parent = stack[-1]
            if not parent.items:
                parent.items.append(_ItemBuilder([]))
            child = _ListBuilder(is_ordered(text_list), indent, text_list)
            owner = parent.items[-1]
            if owner.children is None:
                owner.children = child
            else:
                # Only one nested list per item: later ones join it.
                child = owner.children
            stack.append(child)
            current = child
        inline, objects = _split(block)
        current.items.append(_ItemBuilder(list(inline)))
        after.extend(objects)
        block = block.next()
    out.append(ReadRich(root.build(), segment_of(first)))
    out.extend(after)
    return block


def _read_quote(first: QTextBlock, out: list[Read]) -> QTextBlock:
    group = _int_property(first.blockFormat(), P_QUOTE)
    paragraphs: list[Inline] = []
    citation: list[Span] | None = None
    after: list[Read] = []
    block = first
    while (
        block.isValid()
        and block.textList() is None
        and _int_property(block.blockFormat(), P_QUOTE) == group
    ):
        inline, objects = _split(block)
        after.extend(objects)
        if block.blockFormat().property(P_CITE) is True:
            if citation is None:
                citation = list(inline)
            elif inline:
                citation.extend([Span("\n"), *inline])
        elif inline:
            paragraphs.append(inline)
        block = block.next()
    if paragraphs or citation:
        cite = None if not citation else normalize_inline(citation)
        out.append(ReadRich(Quote(tuple(paragraphs) or ((),), cite), segment_of(first)))
    out.extend(after)
    return block


def extract(document: QTextDocument) -> list[Read]:
    """What the document holds, block by block, with where each block came from."""
    out: list[Read] = []
    block = document.begin()
    while block.isValid():
        if block.textList() is not None:
            block = _read_list(block, out)
        elif _int_property(block.blockFormat(), P_QUOTE):
            block = _read_quote(block, out)
        else:
            _read_plain(block, out)
            block = block.next()
    return out


# -- the mapping ------------------------------------------------------------------------------


class BodyMapping:
    """One body loaded into a document: its segments and their baseline readings.

    Args:
        content: the body as stored.
        labels: (label, glimpse) shown in an opaque block's box, for a segment.
    """

    def __init__(self, content: str, labels: Callable[[Segment], tuple[str, str]]) -> None:
        self.original = content
        self.source = BlockDocument.from_text(content)
        self._labels = labels
        self._baseline: dict[int, RichBlock] = {}

    def load(self, document: QTextDocument) -> None:
        """Fill ``document`` with the body (its undo history is cleared)."""
        document.clear()
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        loader = _Loader(cursor, self._labels)
        for index, segment in enumerate(self.source.segments):
            loader.segment(index, segment)
        cursor.endEditBlock()
        document.clearUndoRedoStacks()
        document.setModified(False)
        self._baseline = {}
        for read in extract(document):
            if isinstance(read, ReadRich) and read.origin is not None:
                self._baseline.setdefault(read.origin, read.block)

    def pieces(self, document: QTextDocument) -> list[Piece]:
        """The document as pieces for :func:`assemble` (untouched segments kept)."""
        count = len(self.source.segments)
        used: set[int] = set()
        pieces: list[Piece] = []
        for read in extract(document):
            if isinstance(read, ReadOpaque):
                if 0 <= read.segment < count and read.segment not in used:
                    used.add(read.segment)
                    pieces.append(Kept(read.segment))
                continue
            origin = read.origin if read.origin is not None and 0 <= read.origin < count else None
            if (
                origin is not None
                and origin not in used
                and self.source.segments[origin].rich is not None
                and self._baseline.get(origin) == read.block
            ):
                used.add(origin)
                pieces.append(Kept(origin))
            else:
                pieces.append(Edited(read.block, origin))
        return pieces

    def content(self, document: QTextDocument) -> str:
        """The body the document now holds, in block markup."""
        return assemble(self.source, self.pieces(document))

    def images(self, document: QTextDocument) -> list[Image]:
        """The images the document holds (for the checks before publishing)."""
        return [
            r.block
            for r in extract(document)
            if isinstance(r, ReadRich) and isinstance(r.block, Image)
        ]


def insert_rich_block(cursor: QTextCursor, rich: RichBlock) -> None:
    """Insert a new block (an image) after the cursor's block, as a block of its own."""
    loader = _Loader(cursor, lambda segment: ("", ""))
    loader.first = False
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    loader.rich(rich, None)
