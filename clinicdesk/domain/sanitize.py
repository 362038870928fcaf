"""Turn a post into preview HTML through an allow-list: no scripts, no handlers, no fetching.

The preview shows a post as it will read on the site, in a Qt text browser. Its HTML comes from
the site or from a writer's paste, so it is rebuilt tag by tag from an allow-list rather than
cleaned of known bad things:

- only the tags in :data:`ALLOWED_TAGS` are kept (others are dropped, their text kept);
  :data:`DROPPED_WITH_CONTENT` (``script``, ``style``, ``iframe``…) go with everything inside;
  embedded content (``iframe``, ``object``, ``video``…) leaves a plain-text placeholder;
- only the attributes in :data:`ALLOWED_ATTRIBUTES` are kept; never ``on*``, ``style``,
  ``class``, ``id`` or ``srcset``;
- a link keeps its address only when it is http(s), mailto, tel or relative;
- an image's address is replaced by a local placeholder name (:func:`placeholder_name`), so
  nothing is ever requested from the network (the browser widget turns that name into a grey
  box; the original address is not in the output at all);
- every text and attribute value is escaped again on the way out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "s",
        "sub", "sup", "code", "pre", "kbd", "mark", "small", "blockquote", "cite", "q",
        "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption", "hr",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "div", "span",
    }
)  # fmt: skip
#: Tags removed together with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "object", "embed", "video",
        "audio", "canvas", "svg", "math", "form", "textarea", "select", "button", "head",
        "title", "frameset", "frame", "applet", "link", "meta", "base",
    }
)  # fmt: skip
#: Of those, the ones a reader would see on the site as embedded content.
EMBEDDED = frozenset({"iframe", "object", "embed", "video", "audio", "canvas", "svg"})
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"alt", "width", "height"}),
    "ol": frozenset({"start", "reversed"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan"}),
}
_VOID = frozenset({"br", "hr", "img"})
_SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: The scheme of the names given to images in the preview (resolved locally, never fetched).
PLACEHOLDER_SCHEME = "clinicdesk-preview"


def placeholder_name(index: int) -> str:
    """The local name the preview gives its ``index``-th image."""
    return f"{PLACEHOLDER_SCHEME}:image/{index}"


def safe_href(href: str) -> str | None:
    """The link address if a reader may follow it (http, https, mailto, tel, relative)."""
    href = href.strip()
    if not href or any(ord(c) < 32 for c in href):
        return None
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    return href if not scheme or scheme in _SAFE_LINK_SCHEMES else None


@dataclass
class Preview:
    """The preview HTML and what it replaced.

    Attributes:
        html: the sanitised HTML.
        images: the original address of each image, by placeholder index (never fetched).
        embeds: how many embedded items were replaced by a placeholder.
    """

    html: str
    images: list[str] = field(default_factory=list)
    embeds: int = 0


class _Sanitizer(HTMLParser):
    def __init__(self, embed_text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.images: list[str] = []
        self.embeds = 0
        self._dropping: list[str] = []
        self._open: list[str] = []
        self._embed_text = embed_text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._dropping:
            if tag in DROPPED_WITH_CONTENT and tag not in _VOID:
                self._dropping.append(tag)
            return
        if tag in DROPPED_WITH_CONTENT:
            if tag in EMBEDDED:
                self.embeds += 1
                self.out.append(f'<p class="placeholder">{escape(self._embed_text)}</p>')
            if tag not in ("link", "meta", "base", "embed"):  # void in HTML: nothing to skip
                self._dropping.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            return
        kept: list[str] = []
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            if name not in allowed or value is None:
                continue
            if name == "href":
                href = safe_href(value)
                if href is None:
                    continue
                value = href
            kept.append(f' {name}="{escape(value, quote=True)}"')
        if tag == "img":
            original = dict(attrs).get("src") or ""
            kept.append(f' src="{placeholder_name(len(self.images))}"')
            self.images.append(original)
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self._open and self._open[-1] == tag:
            self.handle_endtag(tag)
        elif tag in DROPPED_WITH_CONTENT and self._dropping and self._dropping[-1] == tag:
            self._dropping.pop()

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag == self._dropping[-1]:
                self._dropping.pop()
            return
        if tag in self._open:
            while self._open:
                top = self._open.pop()
                self.out.append(f"</{top}>")
                if top == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.out.append(escape(data, quote=False))

    def close(self) -> None:
        super().close()
        while self._open:
            self.out.append(f"</{self._open.pop()}>")


def sanitize(
    content: str, *, embed_text: str = "Embedded content (not loaded in the preview)"
) -> Preview:
    """A post body as safe preview HTML (see the module's rules)."""
    sanitizer = _Sanitizer(embed_text)
    sanitizer.feed(content)
    sanitizer.close()
    return Preview("".join(sanitizer.out), sanitizer.images, sanitizer.embeds)


def preview_document(
    title: str, content: str, *, embed_text: str = "Embedded content (not loaded in the preview)"
) -> Preview:
    """A whole preview: the title (plain text) as a heading over the sanitised body."""
    body = sanitize(content, embed_text=embed_text)
    html = f"<h1>{escape(title, quote=False)}</h1>\n{body.html}"
    return Preview(html, body.images, body.embeds)
