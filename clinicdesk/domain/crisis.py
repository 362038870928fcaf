"""Crisis language: words of suicide or self-harm in an inquiry, and flagging new arrivals.

The list of phrases lives in ``resources/crisis-language.txt`` so that clinicians can read and
extend it without reading code; its header explains the syntax. Missing a person in crisis is
the failure that matters, so the matcher leans towards false positives (a person reads every
flagged inquiry) and tolerates the ways people really write:

- **Case, accents, apostrophes, invisible characters.** Text is NFKD-normalised, accents and
  format characters (zero-width spaces) dropped, case folded, and apostrophes removed inside
  words, so "DON'T", "don't" (with any apostrophe) and "dont" are one word.
- **Contractions and spelling variants.** "do not" reads as "dont", "cannot" as "cant",
  "wanna" as "want to", "my self" as "myself" (:data:`_JOIN`, :data:`_SPLIT`).
- **Inflection.** A word of the list also matches its regular inflections ("cut": cuts,
  cutting; "die": dies, died, dying), and ``word*`` matches any word starting with it.
- **Small gaps.** Up to :data:`MAX_GAP` other words may stand between two words of a phrase
  ("end my own life", "no reason at all to live").
- **Spacing and obfuscation.** Letters spaced out ("s u i c i d e"), words split or joined
  ("self-harm", "selfharm", "sui cide") and look-alike symbols ("k!ll mys3lf") are caught by
  a second pass over the words run together, which only accepts matches that begin (and, for
  whole words, end) on a word boundary, so "want to diet" is not "want to die".

Nothing here logs or keeps the text it reads.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from clinicdesk.resource_files import resource_path
from clinicdesk.store import Cache
from clinicdesk.store.inquiries import ArrivalText

logger = logging.getLogger(__name__)

#: The clinic's list, shipped with the app (in ``resources/``).
DEFAULT_LIST_NAME = "crisis-language.txt"

#: Other words allowed between two words of a phrase.
MAX_GAP = 3

#: The timeline note written when an arrival is flagged automatically. It is a "note": the
#: "urgent" entry itself ("on") is written by the push once the site accepted the flag.
AUTO_FLAG_NOTE = "Flagged automatically: crisis language"

#: Who the automatic flag is written as, until the site's answer names the signed-in user.
AUTO_FLAG_AUTHOR = "ClinicDesk"

_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4\u02bc\u2032]")
_WORD = re.compile(r"[^\W_]+")
# A letter next to a digit or symbol people use for a letter: worth a second, de-obfuscated pass.
_LEET_HINT = re.compile(r"[^\W\d_][0-9@$!|\u20ac]|[0-9@$!|\u20ac][^\W\d_]")
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "i",
        "\u20ac": "e",
    }
)
#: Two words read as one.
_JOIN: dict[tuple[str, str], str] = {
    ("do", "not"): "dont",
    ("does", "not"): "dont",
    ("did", "not"): "dont",
    ("can", "not"): "cant",
    ("could", "not"): "cant",
    ("will", "not"): "wont",
    ("is", "not"): "isnt",
    ("i", "am"): "im",
    ("i", "have"): "ive",
    ("my", "self"): "myself",
}
#: One word read as others.
_SPLIT: dict[str, tuple[str, ...]] = {
    "cannot": ("cant",),
    "couldnt": ("cant",),
    "doesnt": ("dont",),
    "didnt": ("dont",),
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
    "gotta": ("got", "to"),
}
_VOWELS = frozenset("aeiou")
# Compact forms shorter than this are too likely to appear by chance across word boundaries.
_MIN_COMPACT = 6


def _clean(text: str) -> str:
    """Case-folded text without accents, format characters or apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    return _APOSTROPHES.sub("", kept.casefold())


def words(text: str) -> list[str]:
    """The normalised words of ``text`` as the matcher reads them.

    Args:
        text: any text.

    Returns:
        Lower-case words without accents, with contractions joined ("do not" -> "dont"),
        a few spellings expanded ("wanna" -> "want", "to") and runs of three or more single
        letters joined ("s u i c i d e" -> "suicide").
    """
    raw = _WORD.findall(_clean(text))
    joined: list[str] = []
    run: list[str] = []
    for word in [*raw, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if len(run) >= 3:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        if word:
            joined.extend(_SPLIT.get(word, (word,)))
    out: list[str] = []
    for word in joined:
        if out and (out[-1], word) in _JOIN:
            out[-1] = _JOIN[(out[-1], word)]
        else:
            out.append(word)
    return out


def inflections(word: str) -> frozenset[str]:
    """``word`` and its regular inflections (plural or third person, past, -ing).

    Irregular forms ("took", "lives") are written as alternatives in the list instead.
    """
    forms = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing"}
    if word.endswith("e"):
        forms.add(word[:-1] + "ing")
    if word.endswith("ie"):
        forms.add(word[:-2] + "ying")
    if word.endswith("y") and len(word) > 2:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if (
        len(word) >= 3
        and word[-1] not in _VOWELS
        and word[-1] not in "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        # cut -> cutting, stop -> stopped
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
    return frozenset(forms)


@dataclass(frozen=True, slots=True)
class _Slot:
    """One word position of a phrase: exact forms, or prefixes."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def matches(self, word: str) -> bool:
        return word in self.exact or (bool(self.prefixes) and word.startswith(self.prefixes))

    def any_in(self, vocabulary: frozenset[str]) -> bool:
        if self.exact & vocabulary:
            return True
        return bool(self.prefixes) and any(w.startswith(self.prefixes) for w in vocabulary)


@dataclass(frozen=True, slots=True)
class _Phrase:
    line: str
    slots: tuple[_Slot, ...]
    #: Every spelling of the phrase with its words run together, and whether it may end
    #: inside a word (a ``word*`` at the end).
    compact: tuple[tuple[str, bool], ...]


def _parse(line: str) -> _Phrase:
    parts = line.split()
    special = any(c in line for c in "*|")
    if not special:
        parts = words(line)
    slots: list[_Slot] = []
    spellings: list[list[tuple[str, bool]]] = []
    for n, part in enumerate(parts):
        exact: set[str] = set()
        prefixes: list[str] = []
        spelled: list[tuple[str, bool]] = []
        for alternative in part.split("|"):
            is_prefix = alternative.endswith("*")
            found = words(alternative.rstrip("*"))
            if len(found) != 1:
                raise ValueError(f"not one word: {alternative!r} in {line!r}")
            word = found[0]
            if is_prefix and n != len(parts) - 1:
                raise ValueError(f"only the last word may end with *: {line!r}")
            if is_prefix:
                prefixes.append(word)
            else:
                exact |= inflections(word)
            spelled.append((word, is_prefix))
        slots.append(_Slot(frozenset(exact), tuple(prefixes)))
        spellings.append(spelled)
    compact = tuple(
        ("".join(word for word, _ in combo), combo[-1][1])
        for combo in itertools.product(*spellings)
        if sum(len(word) for word, _ in combo) >= _MIN_COMPACT
    )
    return _Phrase(line, tuple(slots), compact)


def _follows(text: Sequence[str], start: int, slots: Sequence[_Slot]) -> bool:
    """Whether ``slots`` match ``text`` from ``start`` on, with up to MAX_GAP words between."""
    if not slots:
        return True
    for position in range(start, min(start + MAX_GAP + 1, len(text))):
        if slots[0].matches(text[position]) and _follows(text, position + 1, slots[1:]):
            return True
    return False


class CrisisLanguage:
    """A compiled list of crisis phrases.

    Args:
        lines: the phrases, one per item, in the syntax of ``resources/crisis-language.txt``
            (blank lines and ``#`` comments are skipped).

    Raises:
        ValueError: a line the matcher cannot read.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        phrases = []
        for raw in lines:
            line = raw.strip()
            if line and not line.startswith("#"):
                phrases.append(_parse(line))
        if not phrases:
            raise ValueError("the crisis-language list is empty")
        self._phrases = tuple(phrases)

    @classmethod
    def load(cls, path: Path | None = None) -> CrisisLanguage:
        """The list in a file (UTF-8); the shipped list by default.

        Raises:
            FileNotFoundError: the shipped list is missing (a broken install): the app must not
                run without it.
        """
        path = resource_path(DEFAULT_LIST_NAME) if path is None else path
        return cls(path.read_text(encoding="utf-8").splitlines())

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every phrase, as written in the list."""
        return tuple(phrase.line for phrase in self._phrases)

    def find(self, *texts: str) -> tuple[str, ...]:
        """The phrases found in any of ``texts``, in the list's order.

        Args:
            texts: e.g. an inquiry's reason and message.
        """
        found = set(self._found(texts))
        return tuple(phrase.line for phrase in self._phrases if phrase.line in found)

    def matches(self, *texts: str) -> bool:
        """Whether any phrase is found in any of ``texts`` (stops at the first)."""
        return next(self._found(texts), None) is not None

    def _found(self, texts: Sequence[str]) -> Iterator[str]:
        for text in texts:
            variants = [text]
            if _LEET_HINT.search(text):
                variants.append(text.translate(_LEET))
            for variant in variants:
                yield from self._found_in(words(variant))

    def _found_in(self, text: list[str]) -> Iterator[str]:
        vocabulary = frozenset(text)
        compact = "".join(text)
        starts: set[int] = set()
        ends: set[int] = set()
        offset = 0
        for word in text:
            starts.add(offset)
            offset += len(word)
            ends.add(offset)
        for phrase in self._phrases:
            slots = phrase.slots
            if slots[0].any_in(vocabulary) and any(
                slots[0].matches(word) and _follows(text, n + 1, slots[1:])
                for n, word in enumerate(text)
            ):
                yield phrase.line
                continue
            if any(
                _compact_match(compact, spelling, open_end, starts, ends)
                for spelling, open_end in phrase.compact
            ):
                yield phrase.line


def _compact_match(
    compact: str, spelling: str, open_end: bool, starts: set[int], ends: set[int]
) -> bool:
    at = compact.find(spelling)
    while at != -1:
        if at in starts and (open_end or at + len(spelling) in ends):
            return True
        at = compact.find(spelling, at + 1)
    return False


@cache
def default_language() -> CrisisLanguage:
    """The shipped list (read once)."""
    return CrisisLanguage.load()


def flag_new_arrivals(
    cache: Cache,
    inquiry_ids: Iterable[int],
    *,
    language: CrisisLanguage | None = None,
    author: int = 0,
    author_name: str = AUTO_FLAG_AUTHOR,
) -> int:
    """Flag urgent the inquiries just pulled whose reason or message holds crisis language.

    Meant for the sync engine, after a pull stored new inquiries (and, in the same round, the
    notes). Each match is flagged urgent locally, with a timeline note reading
    :data:`AUTO_FLAG_NOTE` saying why, in one transaction; the next push sends the flag, and the
    push itself records the ``urgent``/``on`` entry the contract asks for once the site has
    accepted it (so the event is never written twice). Every other copy of the app then sees
    the flag.

    An inquiry is left alone when it is already urgent, when its timeline already has an
    "urgent" entry (someone, or another copy of the app, already decided: a flag removed by hand
    stays removed), or when it is no longer "new" (a first download of an old inbox does not
    flag inquiries that were handled long ago). So calling it twice flags nothing twice.

    Args:
        cache: the open cache.
        inquiry_ids: **site** ids of the inquiries the pull inserted (what
            ``InquiryStore.upsert_from_site`` reported "inserted"); unknown ids are skipped.
        language: the list to use (the shipped one by default).
        author: the signed-in user's site id, shown on the note until the site's answer
            names its author.
        author_name: their name.

    Returns:
        How many inquiries were flagged.
    """
    arrivals = cache.inquiries.arrival_texts(list(inquiry_ids))
    flagged = _flag(cache, arrivals, language or default_language(), author, author_name)
    if flagged:
        logger.info("%d new inquiries flagged urgent for crisis language", flagged)  # a count
    return flagged


def check_arrivals(
    cache: Cache,
    *,
    language: CrisisLanguage | None = None,
    author: int = 0,
    author_name: str = AUTO_FLAG_AUTHOR,
    batch: int = 500,
) -> int:
    """Check every inquiry stored since the last check, and flag those in crisis (as
    :func:`flag_new_arrivals` does).

    What to check is kept in the cache with each inquiry (stored "unchecked" in the same
    transaction as the inquiry itself), so the app quitting or crashing between a sync storing
    an inquiry and this check never leaves it unread: the next call reads it. Meant to run
    after every sync round; it costs one indexed read when nothing arrived.

    Returns:
        How many inquiries were flagged.
    """
    language = language or default_language()
    flagged = 0
    while arrivals := cache.inquiries.unchecked_arrivals(batch):
        flagged += _flag(cache, arrivals, language, author, author_name)
        # After the flags: a crash in between reads these again (flagging twice is a no-op).
        cache.inquiries.mark_arrivals_checked([arrival.id for arrival in arrivals])
    if flagged:
        logger.info("%d new inquiries flagged urgent for crisis language", flagged)  # a count
    return flagged


def _flag(
    cache: Cache,
    arrivals: Iterable[ArrivalText],
    language: CrisisLanguage,
    author: int,
    author_name: str,
) -> int:
    flagged = 0
    for arrival in arrivals:
        if arrival.urgent or arrival.urgent_noted or arrival.triage_status != "new":
            continue
        if not language.matches(arrival.reason, arrival.message):
            continue
        cache.inquiries.record_triage(
            arrival.id,
            {"urgent": True},
            [("note", AUTO_FLAG_NOTE)],
            author=author,
            author_name=author_name,
        )
        flagged += 1
    return flagged
