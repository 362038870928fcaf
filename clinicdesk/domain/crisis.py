"""Crisis language: finding words of suicide or self-harm in an inquiry (flagging new arrivals
with it is :mod:`clinicdesk.services.arrivals`).

This module matches a message against the compiled list (:class:`CrisisLanguage`). Its
neighbours: :mod:`~clinicdesk.domain.crisis_list` reads and checks the list's file,
:mod:`~clinicdesk.domain.crisis_words` reads a message's words, and
:mod:`~clinicdesk.domain.crisis_why` says why a message was flagged.

The list of phrases lives in ``resources/crisis-language.txt`` so that clinicians can read and
extend it without reading code; its header explains the syntax. Missing a person in crisis is
the failure that matters, so the matcher leans towards false positives (a person reads every
flagged inquiry) and tolerates the ways people really write:

- **Case, accents, apostrophes, invisible characters.** Text is NFKD-normalised, accents and
  format characters (zero-width spaces) dropped, case folded, and apostrophes removed inside
  words, so "DON'T", "don't" (with any apostrophe) and "dont" are one word.
- **Contractions and spelling variants.** "do not" reads as "dont", "cannot" as "cant",
  "wanna" as "want to", "my self" as "myself".
- **Inflection.** A word of the list also matches its regular inflections ("cut": cuts,
  cutting; "die": dies, died, dying), and ``word*`` matches any word starting with it.
- **Small gaps.** Up to three other words may stand between two words of a phrase
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
together), so a message is read once whatever the length of the list; the words of a message
are looked up once each (a message repeats most of its words), and a phrase's places only when
all its words are in the message.

Nothing here logs or keeps the text it reads.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator, Sequence, Set
from functools import cache
from pathlib import Path

from clinicdesk.domain.crisis_list import DEFAULT_LIST_NAME, Phrase, Slot, read_list
from clinicdesk.domain.crisis_why import Match
from clinicdesk.domain.crisis_words import LEET, leet_stretches, words
from clinicdesk.model.resources import resource_path


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
        read = read_list(lines)
        self._entries = read.entries
        self._exceptions = read.exceptions
        self._index = _PhraseIndex([entry.phrase for entry in read.entries])
        self._exception_index = _PhraseIndex(read.exceptions)
        self._version = read.version

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
            for stretch in leet_stretches(text, self._index.known):
                yield from self._found_in(self._masked(words(stretch.translate(LEET))), number)

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


def _follows(text: Sequence[str], start: int, slots: Sequence[Slot]) -> list[int] | None:
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


#: What a word of a ``[not crisis]`` phrase is read as (it holds no letter, so it matches no
#: phrase, and in the words run together it separates what stood on either side).
_MASK = "\x00"
#: How many first letters of a run-together spelling the index keys on (the shortest is
#: :data:`~clinicdesk.domain.crisis_list.MIN_COMPACT` letters long).
_KEY = 4


class _PhraseIndex:
    """Phrases by their first word and by the first letters of their run-together spellings,
    so that a message is read once, whatever the length of the list (a 3,000-character
    message takes well under a millisecond against hundreds of lines)."""

    def __init__(self, phrases: Sequence[Phrase]) -> None:
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
        # Every spelling under a key at once: most places a key occurs begin none of them,
        # and one ``str.startswith`` with the tuple says so without a loop over the spellings.
        self._any_spelling = {
            key: tuple(spelling for _index, spelling, _open in entries)
            for key, entries in self._compact.items()
        }
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
        table = self._compact
        # Only where a word could begin a spelling (a word of 4 letters or more begins with a
        # key; a shorter one begins a key): a message repeats most of its words, so each is
        # looked at once, and most are no such word.
        short = self._key_starts
        could = {w for w in vocabulary if (w[:_KEY] in table if len(w) >= _KEY else w in short)}
        if not could:
            return spans
        compact = "".join(text)
        offsets = list(itertools.accumulate(map(len, text), initial=0))
        starts = offsets[:-1]
        hits = [
            (first, key)
            for first, word in enumerate(text)
            if word in could and (key := compact[starts[first] : starts[first] + _KEY]) in table
        ]
        if not hits:
            return spans
        any_spelling = self._any_spelling
        for first, key in hits:
            at = starts[first]
            if not compact.startswith(any_spelling[key], at):
                continue
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


@cache
def default_language() -> CrisisLanguage:
    """The shipped list (read once)."""
    return CrisisLanguage.load()
