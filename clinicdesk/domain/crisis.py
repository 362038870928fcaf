"""Crisis language: words of suicide or self-harm in an inquiry (flagging new arrivals with it is
:mod:`clinicdesk.services.arrivals`).

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

The list is organised by **category** (headings such as ``[plan / means]``, following the
Columbia scale's ideation and behaviour questions and the 988 Lifeline's warning signs) and
by language (English and Spanish; every message is read against every line). Lines under
``[not crisis]`` name idioms and non-personal mentions ("suicide prevention", "I'm not
suicidal"): their words are not read as crisis language, while any other crisis words in the
same message still are. :meth:`CrisisLanguage.explain` says which category and which words
matched, so staff can judge quickly; the list's ``@version`` goes into the timeline note of
each automatic flag.

Reading is indexed (by each line's first word and by the first letters of its words run
together), so a message is read once whatever the length of the list.

Nothing here logs or keeps the text it reads.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from clinicdesk.model.resources import resource_path

logger = logging.getLogger(__name__)

#: The clinic's list, shipped with the app (in ``resources/``).
DEFAULT_LIST_NAME = "crisis-language.txt"

#: Other words allowed between two words of a phrase.
MAX_GAP = 3
#: Other words allowed where a phrase has ``...`` between two words ("calm ... decided").
LONG_GAP = 12
LONG_GAP_MARK = "..."

#: How the timeline note written when an arrival is flagged automatically begins (then come
#: the list's version and why: :func:`auto_flag_note`). It is a "note": the
#: "urgent" entry itself ("on") is written by the push once the site accepted the flag.
AUTO_FLAG_NOTE = "Flagged automatically: crisis language"

#: Who the automatic flag is written as on this computer (author 0: ClinicDesk itself, never the
#: signed-in user); the site writes it as "ClinicDesk (automatic)" (``by: "system"``).
AUTO_FLAG_AUTHOR = "ClinicDesk, automatically: crisis language"

_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4\u02bc\u2032]")
_WORD = re.compile(r"[^\W_]+")
# A letter next to a digit or symbol people use for a letter: worth a second, de-obfuscated pass.
# Written to start with the symbol (the letter before it is looked behind for) so that the regex
# engine skips quickly to the next symbol: most text has few, and a pattern starting with "a
# letter" tried at every letter cost a sixth of reading a message.
_LEET_HINT = re.compile("[0-9@$!|\u20ac](?:(?<=[^\\W\\d_].)|(?=[^\\W\\d_]))")
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
#: How far around a look-alike symbol the de-obfuscated reading goes (in characters): more
#: than the longest phrase with its gaps.
_LEET_REACH = 160


_SPACES = " \t\n\r"


def _token_at(text: str, at: int) -> tuple[int, int]:
    """Where the run of non-space characters around ``at`` begins and ends."""
    start = max(text.rfind(space, 0, at) for space in _SPACES) + 1
    ends = [end for space in _SPACES if (end := text.find(space, at)) != -1]
    return start, min(ends, default=len(text))


def _leet_stretches(text: str, known: Callable[[str], bool]) -> list[str]:
    """The stretches of ``text`` around words that, de-obfuscated, are words of the list
    (``known``): "k!ll" is "kill", while "Thanks!" ("thanksi") or "3pm" ("epm") are nothing.
    Overlapping stretches are joined, each cut at spaces so that no word is split."""
    spans: list[list[int]] = []
    token_end = -1
    for found in _LEET_HINT.finditer(text):
        if found.start() < token_end:
            continue  # the same word again ("su1c1de")
        token_start, token_end = _token_at(text, found.start())
        token = text[token_start:token_end]
        if not any(known(word) for word in words(token.translate(_LEET))):
            continue
        start = max(0, token_start - _LEET_REACH)
        end = min(len(text), token_end + _LEET_REACH)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    stretches = []
    for start, end in spans:
        if start > 0:
            space = text.find(" ", start)
            start = space if space != -1 and space < end else start
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        stretches.append(text[start:end])
    return stretches


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
    ("my", "self"): "myself",
    ("him", "self"): "himself",
    ("her", "self"): "herself",
    ("them", "self"): "themself",
    ("them", "selves"): "themselves",
    ("your", "self"): "yourself",
}
#: One word read as others.
_SPLIT: dict[str, tuple[str, ...]] = {
    "cannot": ("cant",),
    # "I've" is "I have" (and not the other way round, so "have the pills" reads in both).
    "ive": ("i", "have"),
    "couldnt": ("cant",),
    "doesnt": ("dont",),
    "didnt": ("dont",),
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
    "gotta": ("got", "to"),
}
_SPLITS = frozenset(_SPLIT)
#: Two words of :data:`_JOIN` side by side, in the words joined by single spaces with one more
#: space in front (a pattern starting with a plain space is skipped along quickly by the regex
#: engine). No second word of a pair is the first of another, so replacing every such pair at
#: once reads as the pairs joined one after the other from the left.
_PAIR = re.compile(
    " ({}) ({})(?![^ ])".format(
        "|".join(sorted({first for first, _ in _JOIN}, key=len, reverse=True)),
        "|".join(sorted({second for _, second in _JOIN}, key=len, reverse=True)),
    )
)
#: Three one-letter words in a row, in the words joined by single spaces with one more at each
#: end ("s u i c i d e").
_SPACED_OUT = re.compile(r" \S \S \S ")
_VOWELS = frozenset("aeiou")
# Compact forms shorter than this are too likely to appear by chance across word boundaries.
_MIN_COMPACT = 6


def _clean(text: str) -> str:
    """Case-folded text without accents, format characters or apostrophes."""
    if not text.isascii():
        # Only the characters outside ASCII are looked at one by one (most text is ASCII).
        text = _NON_ASCII.sub(_drop_marks, unicodedata.normalize("NFKD", text))
    return _APOSTROPHES.sub("", text.casefold())


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _drop_marks(found: re.Match[str]) -> str:
    """An accent (combining mark) or an invisible format character is dropped."""
    c = found.group()
    return "" if unicodedata.combining(c) or unicodedata.category(c) == "Cf" else c


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
    spaced = " ".join(raw)
    # Each step is done word by word only when the message needs it: most messages hold no
    # letters spaced out and none of the few words read as others.
    if _SPACED_OUT.search(f" {spaced} "):
        joined = _spaced_out_joined(raw)
        spaced = " ".join(joined)
    elif not _SPLITS.isdisjoint(raw):
        joined = [part for word in raw for part in _SPLIT.get(word, (word,))]
        spaced = " ".join(joined)
    else:
        joined = raw
    if not _PAIR.search(f" {spaced}"):
        return joined
    return _PAIR.sub(_joined_pair, f" {spaced}")[1:].split(" ")


def _spaced_out_joined(raw: Sequence[str]) -> list[str]:
    """``raw`` with runs of three or more one-letter words joined and :data:`_SPLIT` applied."""
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
    return joined


def _joined_pair(found: re.Match[str]) -> str:
    """Two words found by :data:`_PAIR` as one, when :data:`_JOIN` joins them."""
    pair = (found.group(1), found.group(2))
    return f" {_JOIN[pair]}" if pair in _JOIN else found.group()


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
    #: Other words allowed before this one (after the previous word of the phrase).
    gap: int = 0

    def matches(self, word: str) -> bool:
        return word in self.exact or (bool(self.prefixes) and word.startswith(self.prefixes))


@dataclass(frozen=True, slots=True)
class _Phrase:
    line: str
    slots: tuple[_Slot, ...]
    #: Every spelling of the phrase with its words run together, and whether it may end
    #: inside a word (a ``word*`` at the end).
    compact: tuple[tuple[str, bool], ...]


def _parse(line: str) -> _Phrase:
    parts = line.split()
    special = any(c in line for c in "*|") or LONG_GAP_MARK in parts
    if not special:
        parts = words(line)
    slots: list[_Slot] = []
    spellings: list[list[tuple[str, bool]]] = []
    gap = MAX_GAP
    for n, part in enumerate(parts):
        if part == LONG_GAP_MARK:
            if not slots or n == len(parts) - 1:
                raise ValueError(f"{LONG_GAP_MARK} must stand between two words: {line!r}")
            gap = LONG_GAP
            continue
        exact: set[str] = set()
        prefixes: list[str] = []
        spelled: list[tuple[str, bool]] = []
        for alternative in part.split("|"):
            is_prefix = alternative.endswith("*")
            found = words(alternative.rstrip("*"))
            if len(found) != 1:
                raise ValueError(f"not one word: {alternative!r} in {line!r}")
            word = found[0]
            if is_prefix:
                prefixes.append(word)
            else:
                exact |= inflections(word)
            spelled.append((word, is_prefix))
        slots.append(_Slot(frozenset(exact), tuple(prefixes), gap))
        spellings.append(spelled)
        gap = MAX_GAP
    # Words run together only make sense for words that stand next to each other, and a
    # prefix can only be looked for at the end of the run.
    compact = (
        ()
        if any(slot.gap > MAX_GAP for slot in slots)
        or any(is_prefix for spelled in spellings[:-1] for _, is_prefix in spelled)
        else tuple(
            ("".join(word for word, _ in combo), combo[-1][1])
            for combo in itertools.product(*spellings)
            if sum(len(word) for word, _ in combo) >= _MIN_COMPACT
        )
    )
    return _Phrase(line, tuple(slots), compact)


def _follows(text: Sequence[str], start: int, slots: Sequence[_Slot]) -> list[int] | None:
    """The positions where ``slots`` match ``text`` from ``start`` on (each slot allows its
    ``gap`` of other words before it), or None."""
    if not slots:
        return []
    for position in range(start, min(start + slots[0].gap + 1, len(text))):
        if slots[0].matches(text[position]):
            rest = _follows(text, position + 1, slots[1:])
            if rest is not None:
                return [position, *rest]
    return None


#: The category of lines written before any ``[heading]``.
DEFAULT_CATEGORY = "crisis language"
#: The heading of the section whose lines are *not* crisis language (idioms, prevention work).
NOT_CRISIS = "not crisis"
_HEADING = re.compile(r"^\[(.+)\]$")
_DIRECTIVE = re.compile(r"^@(\w+)\s+(.+)$")


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


@dataclass(frozen=True, slots=True)
class _Entry:
    phrase: _Phrase
    category: str
    language: str


class CrisisLanguage:
    """A compiled list of crisis phrases, by category and language.

    Args:
        lines: the list, one line per item, in the syntax of ``resources/crisis-language.txt``:
            phrases; blank lines and ``#`` comments (skipped); ``[category]`` headings (the
            lines below belong to it; ``[not crisis]`` holds idioms and non-personal
            mentions whose words are not read as crisis language); ``@version TEXT`` and
            ``@language CODE`` directives.

    Raises:
        ValueError: a line the matcher cannot read.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        entries: list[_Entry] = []
        exceptions: list[_Phrase] = []
        category, language, version = DEFAULT_CATEGORY, "", ""
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            try:
                category, language, version = self._read_line(
                    line, category, language, version, entries, exceptions
                )
            except ValueError as error:
                # Whoever edits the list needs to find the line.
                raise ValueError(f"line {number}: {error}") from None
        if not entries:
            raise ValueError("the crisis-language list is empty")
        self._entries = tuple(entries)
        self._exceptions = tuple(exceptions)
        self._index = _PhraseIndex([entry.phrase for entry in entries])
        self._exception_index = _PhraseIndex(exceptions)
        self._version = version

    @staticmethod
    def _read_line(
        line: str,
        category: str,
        language: str,
        version: str,
        entries: list[_Entry],
        exceptions: list[_Phrase],
    ) -> tuple[str, str, str]:
        """Read one line of the list into ``entries`` or ``exceptions``.

        Returns:
            The category, language and version in force after it.
        """
        if heading := _HEADING.match(line):
            return " ".join(heading.group(1).split()), language, version
        if directive := _DIRECTIVE.match(line):
            name, value = directive.group(1).casefold(), directive.group(2).strip()
            if name == "version":
                return category, language, value
            if name == "language":
                return category, value.casefold(), version
            raise ValueError(f"unknown directive: {line!r}")
        if category.casefold() == NOT_CRISIS:
            exceptions.append(_parse(line))
        else:
            entries.append(_Entry(_parse(line), category, language))
        return category, language, version

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
    def version(self) -> str:
        """The list's version (its ``@version`` line; "" when it has none)."""
        return self._version

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every phrase, as written in the list (not the ``[not crisis]`` ones)."""
        return tuple(entry.phrase.line for entry in self._entries)

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category, in the list's order."""
        return tuple(dict.fromkeys(entry.category for entry in self._entries))

    def find(self, *texts: str) -> tuple[str, ...]:
        """The phrases found in any of ``texts``, in the list's order.

        Args:
            texts: e.g. an inquiry's reason and message.
        """
        return tuple(match.phrase for match in self.explain(*texts))

    def explain(self, *texts: str) -> tuple[Match, ...]:
        """Why ``texts`` would be flagged: each phrase found (once), in the list's order."""
        found: dict[int, Match] = {}
        for n, match in self._found(texts):
            found.setdefault(n, match)
        return tuple(found[n] for n in sorted(found))

    def matches(self, *texts: str) -> bool:
        """Whether any phrase is found in any of ``texts`` (stops at the first)."""
        return next(self._found(texts), None) is not None

    def _found(self, texts: Sequence[str]) -> Iterator[tuple[int, Match]]:
        for number, text in enumerate(texts):
            yield from self._found_in(self._masked(words(text)), number)
            # Look-alike symbols ("k!ll", "mys3lf"): read again, de-obfuscated, only the
            # stretches around them ("Thanks!" or "I'm 19" are common; reading the whole
            # message twice for them would double the cost of most messages).
            for stretch in _leet_stretches(text, self._index.known):
                yield from self._found_in(self._masked(words(stretch.translate(_LEET))), number)

    def _masked(self, text: list[str]) -> list[str]:
        """``text`` with the words of ``[not crisis]`` phrases replaced by a word no phrase
        matches (it still counts as a word between two others)."""
        masked = list(text)
        for index, positions in self._exception_index.candidates(text, set(text)):
            later = self._exceptions[index].slots[1:]
            for start in positions:
                rest = _follows(text, start + 1, later)
                if rest is not None:
                    for position in (start, *rest):
                        masked[position] = _MASK
        return masked

    def _found_in(self, text: list[str], number: int) -> Iterator[tuple[int, Match]]:
        spans: dict[int, tuple[int, int]] = {}
        vocabulary = set(text)
        for index, positions in self._index.candidates(text, vocabulary):
            later = self._entries[index].phrase.slots[1:]
            for start in positions:  # the first place the phrase follows from
                rest = _follows(text, start + 1, later)
                if rest is not None:
                    spans[index] = (start, rest[-1] if rest else start)
                    break
        spans = self._index.compact_spans(text, vocabulary, spans)
        for index in sorted(spans):
            entry = self._entries[index]
            first, last = spans[index]
            said = " ".join(w for w in text[first : last + 1] if w != _MASK)
            yield (
                index,
                Match(
                    entry.category,
                    entry.phrase.line,
                    said,
                    entry.language,
                    (number, first, last),
                ),
            )


#: What a word of a ``[not crisis]`` phrase is read as (it holds no letter, so it matches no
#: phrase, and in the words run together it separates what stood on either side).
_MASK = "\x00"
#: How many first letters of a run-together spelling the index keys on (the shortest is
#: :data:`_MIN_COMPACT` letters long).
_KEY = 4


class _PhraseIndex:
    """Phrases by their first word and by the first letters of their run-together spellings,
    so that a message is read once, whatever the length of the list (a 3,000-character
    message takes well under a millisecond against hundreds of lines)."""

    def __init__(self, phrases: Sequence[_Phrase]) -> None:
        self._exact: dict[str, list[int]] = {}
        self._prefixes: dict[str, list[int]] = {}
        self._compact: dict[str, list[tuple[int, str, bool]]] = {}
        for index, phrase in enumerate(phrases):
            first = phrase.slots[0]
            for word in first.exact:
                self._exact.setdefault(word, []).append(index)
            for prefix in first.prefixes:
                self._prefixes.setdefault(prefix, []).append(index)
            for spelling, open_end in phrase.compact:
                self._compact.setdefault(spelling[:_KEY], []).append((index, spelling, open_end))
        self._lengths = sorted({len(prefix) for prefix in self._prefixes})
        self._first_words = frozenset(self._exact)
        # The forms of each phrase's other words, where one of them must be in a text (a
        # ``word*`` is not checked).
        self._needs = [
            tuple(slot.exact for slot in phrase.slots[1:] if not slot.prefixes)
            for phrase in phrases
        ]
        # The first one to three letters of each key (a short word may begin a spelling).
        self._key_starts = frozenset(key[:n] for key in self._compact for n in range(1, _KEY))
        # Every word and prefix of every phrase, to tell whether a de-obfuscated word matters.
        self._words = frozenset(w for p in phrases for slot in p.slots for w in slot.exact)
        self._all_prefixes = tuple(
            sorted({x for p in phrases for slot in p.slots for x in slot.prefixes})
        )
        # The first letters of every prefix: most words start like none of them.
        self._shortest = self._lengths[0] if self._lengths else 0
        self._heads = frozenset(prefix[: self._shortest] for prefix in self._prefixes)

    def known(self, word: str) -> bool:
        """Whether ``word`` is, or starts, a word of some phrase (or a run-together spelling:
        "killmyself")."""
        return (
            word in self._words
            or word.startswith(self._all_prefixes)
            or word[:_KEY] in self._compact
        )

    def candidates(
        self, text: Sequence[str], vocabulary: Set[str]
    ) -> Iterator[tuple[int, list[int]]]:
        """The phrases that may be in ``text``, each with the positions its first word matches
        (in the text's order).

        A phrase may be there when a word of the text matches its first word and, for each of
        its other words, some word of the text is one of its forms (a ``word*`` is not
        checked). A message repeats most of its words and holds common first words ("me",
        "not", "have") hundreds of times but the rest of a phrase rarely, so the words are
        looked up once each (``vocabulary``) and the places of a first word only for the
        phrases that pass.

        Args:
            text: the words.
            vocabulary: the set of them.
        """
        exact, prefixes = self._exact, self._prefixes
        by_phrase: dict[int, list[str]] = {}
        for word in vocabulary & self._first_words:
            for index in exact[word]:
                by_phrase.setdefault(index, []).append(word)
        if self._heads:
            shortest, heads, lengths = self._shortest, self._heads, self._lengths
            for word in vocabulary:
                if word[:shortest] not in heads:
                    continue
                for length in lengths:
                    if length > len(word):
                        break
                    for index in prefixes.get(word[:length], ()):
                        by_phrase.setdefault(index, []).append(word)
        needs = self._needs
        for index, first_words in by_phrase.items():
            for forms in needs[index]:
                if forms.isdisjoint(vocabulary):
                    break
            else:
                yield index, sorted({p for word in first_words for p in _positions(text, word)})

    def compact_spans(
        self, text: Sequence[str], vocabulary: Set[str], spans: dict[int, tuple[int, int]]
    ) -> dict[int, tuple[int, int]]:
        """``spans`` with the phrases found in ``text``'s words run together added (words
        split, joined or spaced out): a match must begin where a word begins and, unless the
        phrase ends with ``word*``, end where a word ends."""
        compact = "".join(text)
        offsets = list(itertools.accumulate(map(len, text), initial=0))
        starts = offsets[:-1]
        table = self._compact
        # Only where a word could begin a spelling (a word of 4 letters or more begins with a
        # key; a shorter one begins a key): a message repeats most of its words, so each is
        # looked at once, and most are no such word.
        short = self._key_starts
        could = {w for w in vocabulary if (w[:_KEY] in table if len(w) >= _KEY else w in short)}
        hits = [
            (first, key)
            for first, word in enumerate(text)
            if word in could and (key := compact[starts[first] : starts[first] + _KEY]) in table
        ]
        if not hits:
            return spans
        for first, key in hits:
            at = starts[first]
            for index, spelling, open_end in table[key]:
                if index in spans or not compact.startswith(spelling, at):
                    continue
                stop = at + len(spelling)
                # The word ending where the spelling ends (words are never empty), if any.
                after = bisect.bisect_left(offsets, stop)
                last = after - 1 if after < len(offsets) and offsets[after] == stop else None
                if last is None and open_end:  # ends inside a word (``word*``): that word
                    last = bisect.bisect_right(starts, stop - 1) - 1
                if last is not None:
                    spans[index] = (first, last)
        return spans


def _positions(text: Sequence[str], word: str) -> list[int]:
    """Where ``word`` stands in ``text`` (found by ``list.index``, not a loop over the words)."""
    found: list[int] = []
    at = -1
    try:
        while True:
            at = text.index(word, at + 1)
            found.append(at)
    except ValueError:
        return found


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


#: Common words of each language, to tell a Spanish message from an English one (words that
#: are common in both, like "a", "me", "no", are in neither).
_SPANISH_WORDS = frozenset(
    "de la que el en y los se del las por un para con una su al lo como mas pero sus le ya "
    "o este porque esta entre cuando muy sin sobre tambien hasta hay donde quien desde todo "
    "nos durante todos uno les ni contra otros ese eso ante ellos esto mi antes algunos unos "
    "yo otro otras otra tanto esa estos mucho nada muchos cual poco ella estar estas algo "
    "mis tu te ti tus estoy tengo quiero necesito puedo soy hijo hija esposo esposa mama "
    "papa ayuda vida gracias hola buenas tiene tienen estado siento pienso creo".split()
)
_ENGLISH_WORDS = frozenset(
    "the and to of i is in my it that for have with be this was not but are im dont you "
    "he she we they what just been about want so do at on or if would can an from "
    "your our their her his him them there here feel need help am will has had".split()
)


def looks_spanish(*texts: str) -> bool:
    """Whether ``texts`` read as Spanish rather than English (more common Spanish words than
    English ones), e.g. to give the 988 Lifeline's Spanish options."""
    spanish = english = 0
    for text in texts:
        for word in words(text):
            spanish += word in _SPANISH_WORDS
            english += word in _ENGLISH_WORDS
    return spanish > english


@cache
def default_language() -> CrisisLanguage:
    """The shipped list (read once)."""
    return CrisisLanguage.load()
