"""WordPress block markup: parsed without losing a byte, written the way the block editor writes it.

A post body is a sequence of blocks (``<!-- wp:paragraph -->…<!-- /wp:paragraph -->``) with
whitespace or plain HTML between them. Three layers, each checked by round-trip tests:

1. :func:`parse_blocks` mirrors WordPress's own ``WP_Block_Parser`` (same delimiter grammar,
   same handling of missing closers) and keeps every block's exact source text, so joining the
   top-level sources gives back the input byte for byte, whatever the input.
2. :class:`BlockDocument` splits a body into the prefix, the top-level *segments* and the
   whitespace between them. :func:`assemble` writes a body back from a list of pieces: a
   :class:`Kept` segment is its original text, unchanged; an :class:`Edited` block is written
   canonically. Opening and closing a post therefore changes nothing.
3. :func:`to_rich` maps the blocks the rich editor supports (paragraph, heading, list with list
   items, quote, image) to small immutable models, and :func:`serialize` writes those models
   exactly as WordPress 6.1+ saves them. A block is only called supported when the model keeps
   everything it says: any other tag, attribute, class or block option makes it *opaque*, and an
   opaque block is only ever written back as its original text.

An image still waiting to be uploaded is written with the attribute ``clinicdeskLocalMedia``
(the local media id) and ``src="clinicdesk-media:<id>"``; :func:`resolve_local_images` turns it
into a real image block once the upload has a site id and address (the push does that).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any, ClassVar, TypeAlias

__all__ = [
    "LOCAL_MEDIA_ATTR",
    "LOCAL_MEDIA_SCHEME",
    "Block",
    "BlockDocument",
    "Edited",
    "Heading",
    "Image",
    "Inline",
    "Kept",
    "ListItem",
    "Paragraph",
    "Piece",
    "Quote",
    "RichBlock",
    "RichList",
    "Span",
    "assemble",
    "block_label",
    "inline_text",
    "local_image_ids",
    "normalize_inline",
    "opaque_summary",
    "parse_blocks",
    "parse_inline",
    "resolve_local_images",
    "serialize",
    "serialize_inline",
    "to_rich",
]

#: The block attribute naming the local media id of an image not uploaded yet.
LOCAL_MEDIA_ATTR = "clinicdeskLocalMedia"
#: The ``src`` scheme of an image not uploaded yet (never fetched: it is no network address).
LOCAL_MEDIA_SCHEME = "clinicdesk-media:"

# WordPress's delimiter grammar (wp-includes/class-wp-block-parser.php, ``next_token``).
_TOKEN = re.compile(
    r"<!--\s+(?P<closer>/)?wp:(?P<namespace>[a-z][a-z0-9_-]*/)?(?P<name>[a-z][a-z0-9_-]*)\s+"
    r"(?P<attrs>\{(?:(?:[^}]+|\}+(?=\})|(?!\}\s+/?-->).)*+)?\}\s+)?(?P<void>/)?-->",
    re.DOTALL,
)


# -- 1. the lossless parser --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    """One parsed block (or a run of HTML between blocks: ``name`` None, "freeform").

    Attributes:
        name: the full block name (``core/paragraph``); None for freeform HTML.
        attrs: the comment's JSON attributes; None when they are not valid JSON (such a
            block is never treated as supported).
        inner_blocks: nested blocks.
        inner_html: the block's HTML without its nested blocks.
        inner_content: ``inner_html`` pieces with None where each nested block sits.
        source: the block's exact text, delimiters included.
        closed: False when the closing delimiter was missing (the block runs to the end).
    """

    name: str | None
    attrs: Mapping[str, Any] | None
    inner_blocks: tuple[Block, ...]
    inner_html: str
    inner_content: tuple[str | None, ...]
    source: str
    closed: bool = True


@dataclass
class _Frame:
    name: str
    attrs: Mapping[str, Any] | None
    start: int
    prev_offset: int
    leading_html_start: int | None
    inner_blocks: list[Block] = field(default_factory=list)
    inner_content: list[str | None] = field(default_factory=list)

    def add_html(self, html: str) -> None:
        if html:
            self.inner_content.append(html)

    def build(self, document: str, end: int, *, closed: bool) -> Block:
        return Block(
            name=self.name,
            attrs=self.attrs,
            inner_blocks=tuple(self.inner_blocks),
            inner_html="".join(p for p in self.inner_content if p is not None),
            inner_content=tuple(self.inner_content),
            source=document[self.start : end],
            closed=closed,
        )


def _freeform(text: str) -> Block:
    return Block(None, {}, (), text, (text,), text)


def _attrs(text: str | None) -> Mapping[str, Any] | None:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _full_name(match: re.Match[str]) -> str:
    return (match.group("namespace") or "core/") + match.group("name")


def parse_blocks(document: str) -> list[Block]:
    """The top-level blocks of ``document``, as WordPress's ``parse_blocks`` sees them.

    Joining the ``source`` of the returned blocks gives back ``document`` exactly, for any
    input (freeform runs cover the text between blocks).
    """
    output: list[Block] = []
    stack: list[_Frame] = []
    offset = 0

    def emit_top(frame: _Frame, end: int, *, closed: bool) -> None:
        if frame.leading_html_start is not None:
            output.append(_freeform(document[frame.leading_html_start : frame.start]))
        output.append(frame.build(document, end, closed=closed))

    for match in _TOKEN.finditer(document):
        start, end = match.span()
        name = _full_name(match)
        if match.group("closer"):
            if not stack:
                # A closer with no opener: WordPress gives up and keeps the rest as HTML.
                break
            frame = stack.pop()
            frame.add_html(document[frame.prev_offset : start])
            if not stack:
                emit_top(frame, end, closed=True)
                offset = end
            else:
                parent = stack[-1]
                parent.add_html(document[parent.prev_offset : frame.start])
                parent.inner_blocks.append(frame.build(document, end, closed=True))
                parent.inner_content.append(None)
                parent.prev_offset = end
            continue
        attrs = _attrs(match.group("attrs"))
        if match.group("void"):
            block = Block(name, attrs, (), "", (), document[start:end])
            if not stack:
                if start > offset:
                    output.append(_freeform(document[offset:start]))
                output.append(block)
                offset = end
            else:
                parent = stack[-1]
                parent.add_html(document[parent.prev_offset : start])
                parent.inner_blocks.append(block)
                parent.inner_content.append(None)
                parent.prev_offset = end
            continue
        leading = offset if not stack and start > offset else None
        stack.append(_Frame(name, attrs, start, end, leading))

    if stack:
        # Missing closers: every open block runs to the end of the document.
        while len(stack) > 1:
            frame = stack.pop()
            frame.add_html(document[frame.prev_offset :])
            parent = stack[-1]
            parent.add_html(document[parent.prev_offset : frame.start])
            parent.inner_blocks.append(frame.build(document, len(document), closed=False))
            parent.inner_content.append(None)
            parent.prev_offset = len(document)
        frame = stack.pop()
        frame.add_html(document[frame.prev_offset :])
        emit_top(frame, len(document), closed=False)
        offset = len(document)
    if offset < len(document):
        output.append(_freeform(document[offset:]))
    return output


# -- 3. the rich models --------------------------------------------------------------------------

#: Attributes of a link, in the order they are written (``href`` first).
LinkAttrs: TypeAlias = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with one formatting. A ``"\\n"`` in ``text`` is a line break (``<br>``)."""

    text: str
    bold: bool = False
    italic: bool = False
    link: LinkAttrs | None = None

    def same_format(self, other: Span) -> bool:
        """Whether both runs have the same formatting."""
        return (self.bold, self.italic, self.link) == (other.bold, other.italic, other.link)


#: Formatted text: runs, normalised by :func:`normalize_inline`.
Inline: TypeAlias = tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """``core/paragraph``."""

    inline: Inline


@dataclass(frozen=True, slots=True)
class Heading:
    """``core/heading`` (level 1 to 6; the editor offers 2 to 4)."""

    level: int
    inline: Inline


@dataclass(frozen=True, slots=True)
class ListItem:
    """``core/list-item``: its text and, optionally, a nested list after it."""

    inline: Inline
    children: RichList | None = None


@dataclass(frozen=True, slots=True)
class RichList:
    """``core/list`` (bulleted, or numbered when ``ordered``)."""

    ordered: bool
    items: tuple[ListItem, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    """``core/quote``: paragraphs and an optional citation."""

    paragraphs: tuple[Inline, ...]
    citation: Inline | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """``core/image`` with an optional caption.

    Attributes:
        media_id: the site's media id (``wp-image-<id>``), or None.
        local_media: the local media id of an image waiting to be uploaded, or None.
        src: the image address (``clinicdesk-media:<id>`` while waiting).
        alt: the alternative text.
        caption: the caption (empty for none).
        size_slug: ``large``, ``full``…, or None.
        link_destination: ``none``, ``media``…, or None.
    """

    media_id: int | None
    local_media: int | None
    src: str
    alt: str
    caption: Inline = ()
    size_slug: str | None = "large"
    link_destination: str | None = "none"


RichBlock: TypeAlias = Paragraph | Heading | RichList | Quote | Image


def normalize_inline(spans: Iterable[Span]) -> Inline:
    """Join neighbouring runs of the same formatting and drop empty ones."""
    out: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        if out and out[-1].same_format(span):
            last = out[-1]
            out[-1] = Span(last.text + span.text, last.bold, last.italic, last.link)
        else:
            out.append(span)
    return tuple(out)


def inline_text(inline: Inline) -> str:
    """The plain text of formatted text."""
    return "".join(span.text for span in inline)


class _InlineParser(HTMLParser):
    """Strict: anything but strong/b, em/i, a and br (or an unbalanced tag) fails."""

    _FORMATS: ClassVar[dict[str, str]] = {
        "strong": "bold",
        "b": "bold",
        "em": "italic",
        "i": "italic",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.spans: list[Span] = []
        self.stack: list[tuple[str, LinkAttrs | None]] = []
        self.failed = False

    def _state(self) -> tuple[bool, bool, LinkAttrs | None]:
        bold = any(self._FORMATS.get(tag) == "bold" for tag, _ in self.stack)
        italic = any(self._FORMATS.get(tag) == "italic" for tag, _ in self.stack)
        link = next((attrs for tag, attrs in self.stack if tag == "a"), None)
        return bold, italic, link

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not attrs:
            self.handle_data("\n", raw=False)
            return
        if tag in self._FORMATS and not attrs:
            self.stack.append((tag, None))
            return
        if tag == "a" and not any(t == "a" for t, _ in self.stack):
            names = [name for name, _ in attrs]
            safe = all(
                value is not None and not name.startswith("on") and name != "style"
                for name, value in attrs
            )
            if names and names[0] == "href" and len(set(names)) == len(names) and safe:
                self.stack.append(("a", tuple((n, v or "") for n, v in attrs)))
                return
        self.failed = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not attrs:
            self.handle_data("\n", raw=False)
        else:
            self.failed = True

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.failed = True
            return
        self.stack.pop()

    def handle_data(self, data: str, raw: bool = True) -> None:
        if raw:
            # Source line breaks are HTML whitespace; "\n" in a span means <br>.
            data = data.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        bold, italic, link = self._state()
        self.spans.append(Span(data, bold, italic, link))

    def handle_comment(self, data: str) -> None:
        self.failed = True

    def handle_decl(self, decl: str) -> None:
        self.failed = True

    def handle_pi(self, data: str) -> None:
        self.failed = True

    def unknown_decl(self, data: str) -> None:
        self.failed = True


def parse_inline(html: str) -> Inline | None:
    """Formatted text from inline HTML, or None when it holds anything the model cannot keep."""
    if "<!--" in html or "<![" in html:
        return None
    parser = _InlineParser()
    parser.feed(html)
    parser.close()
    if parser.failed or parser.stack or parser.rawdata:
        return None
    return normalize_inline(parser.spans)


def _escape_text(text: str) -> str:
    # As the block editor's RichText writes text: only "&" and "<" are escaped.
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _escape_attr(value: str) -> str:
    # As the block editor writes attributes ("&", '"' and ">" escaped), and "<" too, which it
    # leaves as it is: escaping it keeps such an attribute readable by the strict parser.
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def serialize_inline(inline: Inline) -> str:
    """Formatted text as the block editor writes it (link outside bold outside italic)."""
    out: list[str] = []
    open_tags: list[tuple[str, LinkAttrs | None]] = []
    for span in normalize_inline(inline):
        wanted: list[tuple[str, LinkAttrs | None]] = []
        if span.link is not None:
            wanted.append(("a", span.link))
        if span.bold:
            wanted.append(("strong", None))
        if span.italic:
            wanted.append(("em", None))
        keep = 0
        while keep < min(len(open_tags), len(wanted)) and open_tags[keep] == wanted[keep]:
            keep += 1
        for tag, _ in reversed(open_tags[keep:]):
            out.append(f"</{tag}>")
        del open_tags[keep:]
        for tag, attrs in wanted[keep:]:
            if attrs is None:
                out.append(f"<{tag}>")
            else:
                text = "".join(f' {name}="{_escape_attr(value)}"' for name, value in attrs)
                out.append(f"<{tag}{text}>")
            open_tags.append((tag, attrs))
        out.append("<br>".join(_escape_text(part) for part in span.text.split("\n")))
    for tag, _ in reversed(open_tags):
        out.append(f"</{tag}>")
    return "".join(out)


# -- mapping parsed blocks to rich models --------------------------------------------------------

_P = re.compile(r"\A\n?<p>(.*)</p>\n?\Z", re.DOTALL)
_H = re.compile(r'\A\n?<h([1-6])(?: class="wp-block-heading")?>(.*)</h\1>\n?\Z', re.DOTALL)
_LI_HEAD = re.compile(r"\A\n?<li>(.*)\Z", re.DOTALL)
_LI = re.compile(r"\A\n?<li>(.*)</li>\n?\Z", re.DOTALL)
_QUOTE_TAIL = re.compile(r"\A(?:<cite>(.*)</cite>)?</blockquote>\n?\Z", re.DOTALL)
_IMAGE = re.compile(
    r'\A\n?<figure class="wp-block-image(?: size-(?P<size>[a-z0-9_-]+))?">'
    r'<img src="(?P<src>[^"<>]*)" alt="(?P<alt>[^"<>]*)"'
    r'(?: class="wp-image-(?P<class_id>\d+)")?/>'
    r'(?:<figcaption class="wp-element-caption">(?P<caption>.*)</figcaption>)?'
    r"</figure>\n?\Z",
    re.DOTALL,
)


def _unescape_attr(value: str) -> str | None:
    parsed = parse_inline(value)
    if parsed is None:
        return None
    return inline_text(parsed) if "\n" not in inline_text(parsed) else None


def _only(attrs: Mapping[str, Any] | None, allowed: dict[str, type]) -> bool:
    if attrs is None:
        return False
    return all(
        key in allowed and type(value) is allowed[key]  # bool is not int here
        for key, value in attrs.items()
    )


def _paragraph(block: Block) -> Paragraph | None:
    if block.inner_blocks or not _only(block.attrs, {}):
        return None
    match = _P.match(block.inner_html)
    inline = parse_inline(match.group(1)) if match else None
    return None if inline is None else Paragraph(inline)


def _heading(block: Block) -> Heading | None:
    if block.inner_blocks or not _only(block.attrs, {"level": int}):
        return None
    assert block.attrs is not None
    level = block.attrs.get("level", 2)
    match = _H.match(block.inner_html)
    if match is None or int(match.group(1)) != level:
        return None
    inline = parse_inline(match.group(2))
    return None if inline is None else Heading(level, inline)


def _list(block: Block) -> RichList | None:
    if not _only(block.attrs, {"ordered": bool}) or not block.inner_blocks:
        return None
    assert block.attrs is not None
    ordered = bool(block.attrs.get("ordered", False))
    tag = "ol" if ordered else "ul"
    pieces = block.inner_content
    if not (
        isinstance(pieces[0], str)
        and pieces[0].strip() == f"<{tag}>"
        and isinstance(pieces[-1], str)
        and pieces[-1].strip() == f"</{tag}>"
        and pieces[0].lstrip("\n") == f"<{tag}>"
        and pieces[-1].rstrip("\n") == f"</{tag}>"
    ):
        return None
    if any(isinstance(p, str) and p.strip() for p in pieces[1:-1]):
        return None
    items: list[ListItem] = []
    for inner in block.inner_blocks:
        item = _list_item(inner)
        if item is None:
            return None
        items.append(item)
    return RichList(ordered, tuple(items))


def _list_item(block: Block) -> ListItem | None:
    if block.name != "core/list-item" or not _only(block.attrs, {}):
        return None
    if not block.inner_blocks:
        match = _LI.match(block.inner_html)
        inline = parse_inline(match.group(1)) if match else None
        return None if inline is None else ListItem(inline)
    pieces = block.inner_content
    if len(block.inner_blocks) != 1 or len(pieces) != 3 or pieces[1] is not None:
        return None
    head, tail = pieces[0], pieces[2]
    if not isinstance(head, str) or tail not in ("</li>", "</li>\n"):
        return None
    match = _LI_HEAD.match(head)
    inline = parse_inline(match.group(1)) if match else None
    child = block.inner_blocks[0]
    children = _list(child) if child.name == "core/list" else None
    if inline is None or children is None:
        return None
    return ListItem(inline, children)


def _quote(block: Block) -> Quote | None:
    if not _only(block.attrs, {}) or not block.inner_blocks:
        return None
    pieces = block.inner_content
    if not isinstance(pieces[0], str) or pieces[0].lstrip("\n") != (
        '<blockquote class="wp-block-quote">'
    ):
        return None
    tail = pieces[-1]
    if not isinstance(tail, str) or any(isinstance(p, str) and p.strip() for p in pieces[1:-1]):
        return None
    match = _QUOTE_TAIL.match(tail)
    if match is None:
        return None
    citation: Inline | None = None
    if match.group(1) is not None:
        citation = parse_inline(match.group(1))
        if citation is None:
            return None
    paragraphs: list[Inline] = []
    for inner in block.inner_blocks:
        paragraph = _paragraph(inner) if inner.name == "core/paragraph" else None
        if paragraph is None:
            return None
        paragraphs.append(paragraph.inline)
    return Quote(tuple(paragraphs), citation)


def _image(block: Block) -> Image | None:
    allowed = {"id": int, "sizeSlug": str, "linkDestination": str, LOCAL_MEDIA_ATTR: int}
    if block.inner_blocks or not _only(block.attrs, allowed):
        return None
    assert block.attrs is not None
    match = _IMAGE.match(block.inner_html)
    if match is None:
        return None
    media_id = block.attrs.get("id")
    local_media = block.attrs.get(LOCAL_MEDIA_ATTR)
    class_id = match.group("class_id")
    if (int(class_id) if class_id else None) != media_id:
        return None
    if media_id is not None and local_media is not None:
        return None
    size_slug = block.attrs.get("sizeSlug")
    if match.group("size") != size_slug:
        return None
    src, alt = _unescape_attr(match.group("src")), _unescape_attr(match.group("alt"))
    caption: Inline = ()
    if match.group("caption") is not None:
        parsed = parse_inline(match.group("caption"))
        if parsed is None or not parsed:
            return None
        caption = parsed
    if src is None or alt is None:
        return None
    image = Image(
        media_id=media_id,
        local_media=local_media,
        src=src,
        alt=alt,
        caption=caption,
        size_slug=size_slug,
        link_destination=block.attrs.get("linkDestination"),
    )
    # Attribute order and escaping must be the editor's own: otherwise keep it opaque.
    return image if serialize(image) == block.source else None


_CONVERTERS: dict[str, Callable[[Block], RichBlock | None]] = {
    "core/paragraph": _paragraph,
    "core/heading": _heading,
    "core/list": _list,
    "core/quote": _quote,
    "core/image": _image,
}


def to_rich(block: Block) -> RichBlock | None:
    """The rich model of a block, or None when the editor cannot represent all of it."""
    if block.name is None or not block.closed:
        return None
    converter = _CONVERTERS.get(block.name)
    return None if converter is None else converter(block)


# -- writing rich models -------------------------------------------------------------------------


def _comment(name: str, attrs: Mapping[str, Any], body: str) -> str:
    short = name.removeprefix("core/")
    text = ""
    if attrs:
        # As the block editor's serializer: compact JSON, with "--", "<", ">", "&" escaped.
        dumped = json.dumps(attrs, separators=(",", ":"), ensure_ascii=False)
        dumped = (
            dumped.replace("--", "\\u002d\\u002d")
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
        )
        text = " " + dumped
    return f"<!-- wp:{short}{text} -->\n{body}\n<!-- /wp:{short} -->"


def _serialize_list(rich: RichList) -> str:
    tag = "ol" if rich.ordered else "ul"
    items = "\n\n".join(_serialize_item(item) for item in rich.items)
    return _comment(
        "core/list", {"ordered": True} if rich.ordered else {}, f"<{tag}>{items}</{tag}>"
    )


def _serialize_item(item: ListItem) -> str:
    nested = "" if item.children is None else _serialize_list(item.children)
    return _comment("core/list-item", {}, f"<li>{serialize_inline(item.inline)}{nested}</li>")


def serialize(block: RichBlock) -> str:
    """A rich model as WordPress 6.1+ block markup."""
    if isinstance(block, Paragraph):
        return _comment("core/paragraph", {}, f"<p>{serialize_inline(block.inline)}</p>")
    if isinstance(block, Heading):
        attrs = {} if block.level == 2 else {"level": block.level}
        text = serialize_inline(block.inline)
        return _comment(
            "core/heading",
            attrs,
            f'<h{block.level} class="wp-block-heading">{text}</h{block.level}>',
        )
    if isinstance(block, RichList):
        return _serialize_list(block)
    if isinstance(block, Quote):
        paragraphs = "\n\n".join(
            _comment("core/paragraph", {}, f"<p>{serialize_inline(p)}</p>")
            for p in block.paragraphs
        )
        cite = "" if block.citation is None else f"<cite>{serialize_inline(block.citation)}</cite>"
        return _comment(
            "core/quote", {}, f'<blockquote class="wp-block-quote">{paragraphs}{cite}</blockquote>'
        )
    return _serialize_image(block)


def _serialize_image(image: Image) -> str:
    attrs: dict[str, Any] = {}
    if image.media_id is not None:
        attrs["id"] = image.media_id
    if image.local_media is not None:
        attrs[LOCAL_MEDIA_ATTR] = image.local_media
    if image.size_slug is not None:
        attrs["sizeSlug"] = image.size_slug
    if image.link_destination is not None:
        attrs["linkDestination"] = image.link_destination
    size = "" if image.size_slug is None else f" size-{image.size_slug}"
    id_class = "" if image.media_id is None else f' class="wp-image-{image.media_id}"'
    caption = (
        f'<figcaption class="wp-element-caption">{serialize_inline(image.caption)}</figcaption>'
        if image.caption
        else ""
    )
    body = (
        f'<figure class="wp-block-image{size}">'
        f'<img src="{_escape_attr(image.src)}" alt="{_escape_attr(image.alt)}"{id_class}/>'
        f"{caption}</figure>"
    )
    return _comment("core/image", attrs, body)


# -- 2. documents, segments, assembly --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A top-level block (or a run of non-blank HTML between blocks) of a body.

    Attributes:
        block: the parsed block.
        rich: its rich model, or None when it is opaque (kept exactly as it is).
    """

    block: Block
    rich: RichBlock | None

    @property
    def source(self) -> str:
        """The segment's exact text."""
        return self.block.source


@dataclass(frozen=True, slots=True)
class BlockDocument:
    """A post body cut into segments, keeping every byte between them.

    ``prefix + segments[0] + separators[0] + segments[1] + … + suffix`` is the body.
    """

    prefix: str
    segments: tuple[Segment, ...]
    separators: tuple[str, ...]
    suffix: str

    @classmethod
    def from_text(cls, text: str) -> BlockDocument:
        """Cut a body into segments (blank runs between blocks become separators)."""
        prefix, suffix = "", ""
        segments: list[Segment] = []
        separators: list[str] = []
        pending = ""  # blank text since the last segment
        for block in parse_blocks(text):
            if block.name is None and not block.source.strip():
                pending += block.source
                continue
            if segments:
                separators.append(pending)
            else:
                prefix = pending
            pending = ""
            segments.append(Segment(block, to_rich(block)))
        if segments:
            suffix = pending
        else:
            prefix = pending
        return cls(prefix, tuple(segments), tuple(separators), suffix)

    def source(self) -> str:
        """The body, byte for byte."""
        parts = [self.prefix]
        for index, segment in enumerate(self.segments):
            if index:
                parts.append(self.separators[index - 1])
            parts.append(segment.source)
        parts.append(self.suffix)
        return "".join(parts)


@dataclass(frozen=True, slots=True)
class Kept:
    """A segment written back exactly as it was."""

    segment: int


@dataclass(frozen=True, slots=True)
class Edited:
    """A block the user changed or added, written canonically.

    Attributes:
        block: the block.
        origin: the segment it came from (for the whitespace around it), or None.
    """

    block: RichBlock
    origin: int | None = None


Piece: TypeAlias = Kept | Edited

#: How the block editor separates top-level blocks.
BLOCK_SEPARATOR = "\n\n"


def _is_empty(block: RichBlock) -> bool:
    return isinstance(block, Paragraph) and not inline_text(block.inline).strip()


def assemble(document: BlockDocument, pieces: Sequence[Piece]) -> str:
    """Write a body from the original document and the editor's pieces.

    Kept segments are their original text; edited blocks are written canonically; the
    whitespace between two segments that are still neighbours is the original whitespace.
    Empty new paragraphs are left out (the block editor drops a trailing empty one too).
    """
    parts: list[str] = []
    previous: int | None = None
    wrote = False
    for piece in pieces:
        origin: int | None
        if isinstance(piece, Kept):
            text, origin = document.segments[piece.segment].source, piece.segment
        else:
            if _is_empty(piece.block):
                continue
            text, origin = serialize(piece.block), piece.origin
        if wrote:
            if previous is not None and origin is not None and origin == previous + 1:
                parts.append(document.separators[previous])
            else:
                parts.append(BLOCK_SEPARATOR)
        parts.append(text)
        wrote = True
        previous = origin
    if not wrote:
        # Nothing left: an empty body, unless there never was a block (blank text is kept).
        return "" if document.segments else document.source()
    return document.prefix + "".join(parts) + document.suffix


# -- helpers for the editor ---------------------------------------------------------------------

_LABELS = {
    None: "Classic content",
    "core/html": "Custom HTML",
    "core/shortcode": "Shortcode",
    "core/embed": "Embed",
    "core/separator": "Separator",
    "core/columns": "Columns",
    "core/column": "Column",
    "core/group": "Group",
    "core/buttons": "Buttons",
    "core/button": "Button",
    "core/image": "Image",
    "core/gallery": "Gallery",
    "core/table": "Table",
    "core/code": "Code",
    "core/preformatted": "Preformatted",
    "core/pullquote": "Pull quote",
    "core/spacer": "Spacer",
    "core/video": "Video",
    "core/audio": "Audio",
    "core/file": "File",
    "core/cover": "Cover",
    "core/media-text": "Media & text",
    "core/paragraph": "Paragraph",
    "core/heading": "Heading",
    "core/list": "List",
    "core/quote": "Quote",
    "core/more": "More",
    "core/freeform": "Classic",
}


def block_label(name: str | None) -> str:
    """A reader's name for a block kind (English; the UI translates the known ones)."""
    if name in _LABELS:
        return _LABELS[name]
    assert name is not None
    return name.removeprefix("core/").replace("-", " ").replace("/", ": ").capitalize()


_TAGS = re.compile(r"<[^>]*>")
_DELIMITERS = re.compile(r"<!--.*?-->", re.DOTALL)


def opaque_summary(source: str, limit: int = 80) -> str:
    """A short plain-text glimpse of an opaque segment (its text, else its markup)."""
    text = " ".join(unescape(_TAGS.sub(" ", _DELIMITERS.sub(" ", source))).split())
    if not text:
        text = " ".join(_DELIMITERS.sub(" ", source).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def local_image_ids(content: str) -> list[int]:
    """The local media ids of images in ``content`` still waiting to be uploaded."""
    found: list[int] = []

    def walk(blocks: Iterable[Block]) -> None:
        for block in blocks:
            if block.name == "core/image" and block.attrs:
                value = block.attrs.get(LOCAL_MEDIA_ATTR)
                if type(value) is int and value not in found:
                    found.append(value)
            walk(block.inner_blocks)

    if LOCAL_MEDIA_ATTR in content:
        walk(parse_blocks(content))
    return found


def resolve_local_images(content: str, lookup: Callable[[int], tuple[int, str] | None]) -> str:
    """Give images waiting for upload their site id and address.

    Args:
        content: a post body.
        lookup: local media id -> (site media id, address), or None while it is not uploaded.

    Returns:
        The body with every top-level waiting image block rewritten; everything else unchanged.

    Raises:
        LookupError: an image is not uploaded yet (the caller keeps the post waiting).
    """
    if LOCAL_MEDIA_ATTR not in content:
        return content
    document = BlockDocument.from_text(content)
    pieces: list[Piece] = []
    for index, segment in enumerate(document.segments):
        rich = segment.rich
        if isinstance(rich, Image) and rich.local_media is not None:
            found = lookup(rich.local_media)
            if found is None:
                raise LookupError(rich.local_media)
            media_id, url = found
            resolved = Image(
                media_id=media_id,
                local_media=None,
                src=url,
                alt=rich.alt,
                caption=rich.caption,
                size_slug=rich.size_slug,
                link_destination=rich.link_destination,
            )
            pieces.append(Edited(resolved, index))
        else:
            pieces.append(Kept(index))
    return assemble(document, pieces)
