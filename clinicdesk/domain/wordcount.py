"""Words and reading time of a post body, counted on the text a reader sees."""

from __future__ import annotations

import math
import re
from html import unescape
from html.parser import HTMLParser

#: Words per minute of an unhurried reader (the common estimate for web articles).
WORDS_PER_MINUTE = 200

# A word holds at least one letter or digit; apostrophes and hyphens inside it do not split it.
_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_SKIPPED = frozenset({"script", "style", "template", "noscript"})
_BREAKS = frozenset(
    {"p", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "figcaption", "cite", "td", "th"}
)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(content: str) -> str:
    """The readable text of a body: no block delimiters, tags, scripts or styles."""
    parser = _TextParser()
    parser.feed(content)
    parser.close()
    return unescape(" ".join("".join(parser.parts).split()))


def count_words(text: str) -> int:
    """Words in plain text."""
    return len(_WORD.findall(text))


def reading_minutes(words: int, per_minute: int = WORDS_PER_MINUTE) -> int:
    """Minutes to read ``words`` words (at least 1 for any text, 0 for none)."""
    return 0 if words <= 0 else max(1, math.ceil(words / per_minute))
