"""The checks run before a post is published: warnings, never a refusal (the user may go on).

Each finding names what is wrong in words a writer understands; the UI translates the kind and
shows the detail (a link address, an image's address) as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urlsplit

FindingKind = Literal[
    "empty_title", "no_category", "no_excerpt", "image_without_alt", "malformed_link"
]

#: Link schemes a reader's browser can follow.
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_HOST = re.compile(
    r"\A(?:localhost|\[[0-9a-f:.]+\]|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})|\d{1,3}(?:\.\d{1,3}){3})\Z",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\A[^@\s/]+@[^@\s/]+\.[^@\s/]+\Z")
_PHONE = re.compile(r"\A\+?[0-9().\- ]{3,}\Z")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to look at before publishing.

    Attributes:
        kind: what the check found.
        detail: the link or image address concerned ("" when the kind says it all).
    """

    kind: FindingKind
    detail: str = ""


@dataclass(frozen=True, slots=True)
class FoundImage:
    """An image in a body: its address and alternative text (None when it has none)."""

    src: str
    alt: str | None


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[FoundImage] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and "href" in values:
            self.links.append(values["href"] or "")
        elif tag == "img":
            self.images.append(FoundImage(values.get("src") or "", values.get("alt")))

    handle_startendtag = handle_starttag


def links_and_images(content: str) -> tuple[list[str], list[FoundImage]]:
    """Every link address and every image of a body, in order."""
    collector = _Collector()
    collector.feed(content)
    collector.close()
    return collector.links, collector.images


def link_problem(href: str) -> bool:
    """Whether a link address is malformed (a reader's click would go nowhere useful).

    Relative addresses (``/fees/``, ``#top``, ``?page=2``) are fine; so are http(s) addresses
    with a real host name, ``mailto:`` with an address and ``tel:`` with a number. An empty
    address, spaces, an unknown or unsafe scheme (``javascript:``), ``http:/x``, ``http//x``
    or ``www.x.org`` without a scheme are not.
    """
    href = href.strip()
    if not href or any(c.isspace() for c in href):
        return True
    if href.startswith(("#", "?")) or (href.startswith("/") and not href.startswith("//")):
        return False
    lowered = href.lower()
    if lowered.startswith(("www.", "http//", "https//", "http:/", "https:/")) and not (
        lowered.startswith(("http://", "https://"))
    ):
        return True
    try:
        parts = urlsplit(href if not href.startswith("//") else "https:" + href)
    except ValueError:
        return True
    scheme = parts.scheme.lower()
    if not scheme:
        # A relative path such as "fees/": fine unless it looks like a host without a scheme.
        first = href.split("/", 1)[0]
        return bool(_HOST.match(first)) and "." in first
    if scheme not in SAFE_SCHEMES:
        return True
    if scheme in ("http", "https"):
        try:
            host = parts.hostname or ""
            parts.port  # noqa: B018 (raises ValueError on a bad port)
        except ValueError:
            return True
        return not _HOST.match(host)
    if scheme == "mailto":
        return not _EMAIL.match(parts.path.split("?")[0])
    return not _PHONE.match(parts.path)


def check(
    *,
    title: str,
    content: str,
    excerpt: str,
    categories: Sequence[int],
    uncategorized: Collection[int] = (),
    featured_alt: str | None = None,
) -> list[Finding]:
    """What to warn about before publishing a post.

    Args:
        title: the post's title.
        content: its body (block markup).
        excerpt: its excerpt.
        categories: its category ids.
        uncategorized: ids meaning "no category" (WordPress's "Uncategorized").
        featured_alt: the featured image's alternative text, None when it has no featured
            image.

    Returns:
        The findings, in the order the fields appear (empty when all is well).
    """
    findings: list[Finding] = []
    if not title.strip():
        findings.append(Finding("empty_title"))
    if not [c for c in categories if c not in uncategorized]:
        findings.append(Finding("no_category"))
    if not excerpt.strip():
        findings.append(Finding("no_excerpt"))
    links, images = links_and_images(content)
    if featured_alt is not None and not featured_alt.strip():
        findings.append(Finding("image_without_alt", "featured"))
    for image in images:
        if image.alt is None or not image.alt.strip():
            findings.append(Finding("image_without_alt", image.src))
    seen: set[str] = set()
    for href in links:
        if href not in seen and link_problem(href):
            findings.append(Finding("malformed_link", href))
        seen.add(href)
    return findings
