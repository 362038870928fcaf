"""Why a message was flagged, as staff read it: the matches, the reasons quoted from the
message by category, and the timeline note of an automatic flag.

The words quoted are the inquiry's own; they go where the inquiry already is (the cache and the
clinic's site). Nothing here logs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: How the timeline note written when an arrival is flagged automatically begins (then come
#: the list's version and why: :func:`auto_flag_note`). It is a "note": the
#: "urgent" entry itself ("on") is written by the push once the site accepted the flag.
AUTO_FLAG_NOTE = "Flagged automatically: crisis language"

#: Who the automatic flag is written as on this computer (author 0: ClinicDesk itself, never the
#: signed-in user); the site writes it as "ClinicDesk (automatic)" (``by: "system"``).
AUTO_FLAG_AUTHOR = "ClinicDesk, automatically: crisis language"


@dataclass(frozen=True, slots=True)
class Match:
    """Why a message was flagged: one line of the list found in it.

    Attributes:
        category: the list's heading the line is under ("plan / means").
        phrase: the line as written in the list.
        words: the message's words that matched, as the matcher read them (lower case,
            without accents; words between the matched ones included): "have the pills".
        language: the language section the line is in ("en", "es"; "" before any).
        at: where: (which of the texts read, first word, last word), to join matches that
            overlap (not compared).
    """

    category: str
    phrase: str
    words: str
    language: str
    at: tuple[int, int, int] = field(default=(0, 0, 0), compare=False)

    def describe(self) -> str:
        """The match as staff read it: ``plan / means: “have the pills”``."""
        return f"{self.category}: \u201c{self.words}\u201d"


def reasons(matches: Iterable[Match], limit: int = 4) -> tuple[str, ...]:
    """Why a message was flagged, as staff read it, one reason per category:
    ``plan / means: “have the pills”, “gun”``.

    Matches of a category that overlap in the message are quoted as one ("estarian mejor sin
    mi", not "estarian mejor sin" and "mejor sin mi"), and the same words once.

    Args:
        matches: what :meth:`CrisisLanguage.explain` found.
        limit: the most quotes per category (the first ones in the message).
    """
    by_category: dict[str, list[Match]] = {}
    for match in matches:
        by_category.setdefault(match.category, []).append(match)
    out = []
    for category, found in by_category.items():
        # (text, first word, last word, words) of each stretch of the message quoted.
        stretches: list[tuple[int, int, int, list[str]]] = []
        for match in sorted(found, key=lambda m: m.at):
            number, first, last = match.at
            said = match.words.split()
            if stretches and stretches[-1][0] == number and first <= stretches[-1][2]:
                _, start, end, quoted = stretches[-1]
                if last > end:  # overlaps the previous one: add the words past its end
                    quoted = quoted + said[-(last - end) :]
                stretches[-1] = (number, start, max(end, last), quoted)
            else:
                stretches.append((number, first, last, said))
        quotes = dict.fromkeys(_shortened(quoted) for *_, quoted in stretches)
        out.append(f"{category}: " + ", ".join(f"\u201c{q}\u201d" for q in list(quotes)[:limit]))
    return tuple(out)


#: The longest quote of a reason, in characters (a phrase with a long gap can quote a dozen
#: words; staff need the gist, and the note must stay short).
MAX_QUOTE = 80


def _shortened(words_said: Sequence[str]) -> str:
    """The words as one quote of at most :data:`MAX_QUOTE` characters (cut at a word, with an
    ellipsis)."""
    quote = " ".join(words_said)
    if len(quote) <= MAX_QUOTE:
        return quote
    return quote[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "\u2026"


def auto_flag_note(matches: Iterable[Match], version: str) -> str:
    """The timeline note of an automatic flag: :data:`AUTO_FLAG_NOTE`, the list's version and
    why ("Flagged automatically: crisis language (list 2026-12-06.1). plan / means: “have
    the pills”.").

    The words quoted are the inquiry's own, and the note goes where the inquiry already is (the
    cache and the clinic's site); nothing here is logged.
    """
    head = f"{AUTO_FLAG_NOTE} (list {version})" if version else AUTO_FLAG_NOTE
    why = "; ".join(reasons(matches))
    return f"{head}. {why}." if why else f"{head}."
