"""Reading and checking the crisis-language list: the file clinicians edit
(``resources/crisis-language.txt``, whose header explains the syntax), compiled into phrases
the matcher (:mod:`clinicdesk.domain.crisis`) looks for.

A line is a phrase: words (each matching its regular inflections), ``a|b`` alternatives,
``word*`` for any word starting with it, and ``...`` for a long gap. Up to :data:`MAX_GAP`
other words may stand between two words of a phrase ("end my own life"). ``[category]``
headings group the lines (``[not crisis]`` holds idioms and non-personal mentions whose words
are not read as crisis language); ``@version`` and ``@language`` directives name the list's
version and each section's language. A line the matcher cannot read is refused with its
number, so whoever edits the list can find it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from clinicdesk.domain.crisis_words import inflections, words

#: The clinic's list, shipped with the app (in ``resources/``).
DEFAULT_LIST_NAME = "crisis-language.txt"

#: Other words allowed between two words of a phrase.
MAX_GAP = 3
#: Other words allowed where a phrase has ``...`` between two words ("calm ... decided").
LONG_GAP = 12
LONG_GAP_MARK = "..."
# Compact forms shorter than this are too likely to appear by chance across word boundaries.
MIN_COMPACT = 6


@dataclass(frozen=True, slots=True)
class Slot:
    """One word position of a phrase: exact forms, or prefixes."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    #: Other words allowed before this one (after the previous word of the phrase).
    gap: int = 0

    def matches(self, word: str) -> bool:
        """Whether ``word`` (as :func:`words` reads it) fills this position."""
        return word in self.exact or (bool(self.prefixes) and word.startswith(self.prefixes))


@dataclass(frozen=True, slots=True)
class Phrase:
    """One line of the list, compiled.

    Attributes:
        line: the line as written.
        slots: its words, in order.
        compact: every spelling of the phrase with its words run together, and whether it may
            end inside a word (a ``word*`` at the end).
    """

    line: str
    slots: tuple[Slot, ...]
    compact: tuple[tuple[str, bool], ...]


def parse_phrase(line: str) -> Phrase:
    """Compile one line of the list.

    Raises:
        ValueError: the line is not a phrase the matcher can read (an alternative of more than
            one word, a ``...`` not between two words).
    """
    parts = line.split()
    special = any(c in line for c in "*|") or LONG_GAP_MARK in parts
    if not special:
        parts = words(line)
    slots: list[Slot] = []
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
        slots.append(Slot(frozenset(exact), tuple(prefixes), gap))
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
            if sum(len(word) for word, _ in combo) >= MIN_COMPACT
        )
    )
    return Phrase(line, tuple(slots), compact)


#: The category of lines written before any ``[heading]``.
DEFAULT_CATEGORY = "crisis language"
#: The heading of the section whose lines are *not* crisis language (idioms, prevention work).
NOT_CRISIS = "not crisis"
_HEADING = re.compile(r"^\[(.+)\]$")
_DIRECTIVE = re.compile(r"^@(\w+)\s+(.+)$")


@dataclass(frozen=True, slots=True)
class Entry:
    """A phrase of the list with the category and language it is listed under."""

    phrase: Phrase
    category: str
    language: str


@dataclass(frozen=True, slots=True)
class CrisisList:
    """The list as read: its phrases by category and language, its idioms, its version.

    Attributes:
        entries: the crisis phrases, in the list's order.
        exceptions: the ``[not crisis]`` phrases.
        version: the ``@version`` line's text ("" when it has none).
    """

    entries: tuple[Entry, ...]
    exceptions: tuple[Phrase, ...]
    version: str


def read_list(lines: Iterable[str]) -> CrisisList:
    """Read the list, one line per item: phrases; blank lines and ``#`` comments (skipped);
    ``[category]`` headings (the lines below belong to it); ``@version TEXT`` and
    ``@language CODE`` directives.

    Raises:
        ValueError: a line the matcher cannot read (the message gives its number), or a list
            without any crisis phrase.
    """
    entries: list[Entry] = []
    exceptions: list[Phrase] = []
    category, language, version = DEFAULT_CATEGORY, "", ""
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            category, language, version = _read_line(
                line, category, language, version, entries, exceptions
            )
        except ValueError as error:
            # Whoever edits the list needs to find the line.
            raise ValueError(f"line {number}: {error}") from None
    if not entries:
        raise ValueError("the crisis-language list is empty")
    return CrisisList(tuple(entries), tuple(exceptions), version)


def _read_line(
    line: str,
    category: str,
    language: str,
    version: str,
    entries: list[Entry],
    exceptions: list[Phrase],
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
        exceptions.append(parse_phrase(line))
    else:
        entries.append(Entry(parse_phrase(line), category, language))
    return category, language, version
