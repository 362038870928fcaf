"""Text helpers that imitate WordPress's formatting functions closely enough for the contract.

``sanitize_title`` decides slugs, so it follows ``sanitize_title_with_dashes`` carefully (an
apostrophe disappears, it does not become a dash). The ``rendered`` variants are approximations
of ``the_content``/``the_title`` filters: the app never relies on their exact markup.
"""

from __future__ import annotations

import html
import re
import unicodedata

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*?-->\s*")
_TAG = re.compile(r"<[^>]*>")
_EXCERPT_WORDS = 55


def sanitize_title(title: str) -> str:
    """A slug like ``sanitize_title_with_dashes`` makes: ``Women's Health`` -> ``womens-health``."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    # WordPress cuts the text to 200 bytes here (``utf8_uri_encode($title, 200)``): a slug fits
    # its VARCHAR(200) column whatever the title's length.
    text = _TAG.sub("", text).lower()[:200]
    text = re.sub(r"&.+?;", "", text)
    text = text.replace(".", "-")
    text = re.sub(r"[^%a-z0-9 _-]", "", text)
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"-+", "-", text)
    return text.strip("-")


def sanitize_file_name(name: str) -> str:
    """A safe upload file name, like ``sanitize_file_name`` (no path, no special characters)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"[?\[\]/\\=<>:;,'\"&$#*()|~`!{}%+\x00-\x1f]", "", name)
    name = re.sub(r"[\s-]+", "-", name)
    name = name.strip(".-_")
    return name or "unnamed-file"


def has_blocks(content: str) -> bool:
    """Whether ``content`` uses block markup (``<!-- wp:...``)."""
    return "<!-- wp:" in content


def autop(text: str) -> str:
    """A small ``wpautop``: blank-line separated chunks become paragraphs."""
    text = text.strip()
    if not text:
        return ""
    block_start = re.compile(r"^<(p|h[1-6]|ul|ol|li|figure|blockquote|div|pre|table|hr)\b", re.I)
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text) if c.strip()]
    out = []
    for chunk in chunks:
        if block_start.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br />\n") + "</p>")
    return "\n".join(out) + "\n"


def render_content(raw: str) -> str:
    """``content.rendered``: block delimiters removed, classic text turned into paragraphs."""
    if has_blocks(raw):
        rendered = _BLOCK_COMMENT.sub("", raw).strip()
        return rendered + "\n" if rendered else ""
    return autop(raw)


def strip_tags(markup: str) -> str:
    """Text without tags or block comments, entities decoded, whitespace collapsed."""
    text = _TAG.sub(" ", _BLOCK_COMMENT.sub(" ", markup))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def texturize(text: str) -> str:
    """A little of ``wptexturize`` (curly apostrophes, dashes, ellipses) for ``title.rendered``."""
    text = text.replace("&", "&#038;") if "&" in text and not re.search(r"&\w+;", text) else text
    text = re.sub(r"(\w)'(\w)", "\\1&#8217;\\2", text)
    text = text.replace(" -- ", " &#8212; ").replace(" - ", " &#8211; ")
    return text.replace("...", "&#8230;")


def render_excerpt(raw_excerpt: str, raw_content: str) -> str:
    """``excerpt.rendered``: the excerpt, or the first 55 words of the content and ``[…]``."""
    if raw_excerpt.strip():
        return autop(raw_excerpt)
    words = strip_tags(raw_content).split()
    if not words:
        return ""
    text = " ".join(words[:_EXCERPT_WORDS])
    if len(words) > _EXCERPT_WORDS:
        text += " [&hellip;]"
    return f"<p>{html.escape(text, quote=False)}</p>\n"
