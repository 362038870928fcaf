"""How a post's blocks are marked in a QTextDocument: the formats and what they carry.

The body editor keeps more than Qt's rich text can say: which segment of the stored body a
document block came from, which quote it belongs to, a link's attributes, an image block's
fields, an opaque block's place. Each is a custom format property (``P_*``), set and read only
through the functions here; they also give headings, quotes, lists, links and images their look,
and :class:`OpaqueBlockObject` draws an opaque block as a read-only box.
:mod:`clinicdesk.ui.posts.richtext` loads a body with them and reads it back;
:mod:`clinicdesk.ui.posts.body` uses them to edit.
"""

from __future__ import annotations

import json
import logging
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
    Image,
    Inline,
    LinkAttrs,
    Span,
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


def int_property(fmt: QTextFormat, name: int) -> int | None:
    """A custom property's integer value (None when unset or not a number)."""
    if not fmt.hasProperty(name):
        return None
    value = fmt.property(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def segment_of(block: QTextBlock) -> int | None:
    """The segment a document block came from, or None for a block the user added."""
    return int_property(block.blockFormat(), P_SEGMENT)


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


# -- blocks --------------------------------------------------------------------------------------


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
