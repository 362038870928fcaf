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

How each block is marked and drawn in the document (the custom format properties, the formats,
the opaque block's box) is :mod:`clinicdesk.ui.posts.richformats`; this module is the loading and
the reading back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtGui import (
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextList,
)

from clinicdesk.domain.blocks import (
    BlockDocument,
    Edited,
    Heading,
    Image,
    Inline,
    Kept,
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
from clinicdesk.ui.posts.richformats import (
    BLOCK_SPACING,
    OBJECT_CHAR,
    OPAQUE_OBJECT,
    P_CITE,
    P_OPAQUE,
    P_QUOTE,
    heading_format,
    image_format,
    image_of,
    insert_inline,
    int_property,
    is_ordered,
    list_format,
    opaque_format,
    paragraph_block_format,
    quote_block_format,
    segment_of,
    span_of,
)

logger = logging.getLogger(__name__)

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
                segment = int_property(fmt, P_OPAQUE)
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
    group = int_property(first.blockFormat(), P_QUOTE)
    paragraphs: list[Inline] = []
    citation: list[Span] | None = None
    after: list[Read] = []
    block = first
    while (
        block.isValid()
        and block.textList() is None
        and int_property(block.blockFormat(), P_QUOTE) == group
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
        elif int_property(block.blockFormat(), P_QUOTE):
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
