"""How well the crisis-language list does on a labelled corpus: recall per category and kind,
and the false-positive rate on the messages that must not be flagged.

Run from the project's root::

    python -m clinicdesk.domain.crisis_report tests/fixtures/crisis_corpus.txt [--misses]

``--misses`` also prints each missed message and each false positive with what matched; the
corpus is made-up text written for this purpose, never an inquiry, so printing it is safe.
The corpus format is explained at the top of ``tests/fixtures/crisis_corpus.txt``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from clinicdesk.domain.crisis import CrisisLanguage, default_language

#: The label of a message that must not be flagged.
NEGATIVE = "negative"
_SEPARATOR = " | "


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    """One message of the corpus.

    Attributes:
        category: the warning sign it shows (``plan``...), or :data:`NEGATIVE`.
        language: ``en`` or ``es``.
        kind: ``explicit``, ``indirect``, or ``-`` for negatives.
        text: the message.
        line: its line number in the corpus file (to find it again).
    """

    category: str
    language: str
    kind: str
    text: str
    line: int

    @property
    def negative(self) -> bool:
        """Whether it must not be flagged."""
        return self.category == NEGATIVE


def read_corpus(lines: Iterable[str]) -> list[LabelledMessage]:
    """The messages of a corpus file's lines.

    Raises:
        ValueError: a line without its four fields, or with an unknown kind.
    """
    messages = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(_SEPARATOR, 3)
        if len(fields) != 4 or not all(field.strip() for field in fields):
            raise ValueError(f"line {number}: expected 'category | language | kind | message'")
        category, language, kind, text = (field.strip() for field in fields)
        expected = ("-",) if category == NEGATIVE else ("explicit", "indirect")
        if kind not in expected:
            raise ValueError(f"line {number}: kind {kind!r} is not one of {expected}")
        messages.append(LabelledMessage(category, language, kind, text, number))
    return messages


def load_corpus(path: Path) -> list[LabelledMessage]:
    """The messages of a corpus file (UTF-8)."""
    return read_corpus(path.read_text(encoding="utf-8").splitlines())


@dataclass(frozen=True, slots=True)
class Tally:
    """How many messages of a group were flagged.

    Attributes:
        name: the group ("plan / indirect / es").
        flagged: how many were flagged.
        total: how many there are.
    """

    name: str
    flagged: int
    total: int

    @property
    def rate(self) -> float:
        """``flagged / total`` (0 for an empty group)."""
        return self.flagged / self.total if self.total else 0.0


def tallies(
    messages: Sequence[LabelledMessage], language: CrisisLanguage
) -> tuple[list[Tally], Tally]:
    """Recall per group of positives, and the negatives flagged (the false positives).

    Returns:
        (recall groups: per category, per category and kind, per kind, per language and kind,
        and all positives), the negatives' tally.
    """
    groups: dict[str, list[bool]] = {}
    negatives: list[bool] = []
    for message in messages:
        hit = language.matches(message.text)
        if message.negative:
            negatives.append(hit)
            continue
        for name in (
            message.category,
            f"{message.category} / {message.kind}",
            f"all {message.kind}",
            f"all {message.kind} / {message.language}",
            "all positives",
        ):
            groups.setdefault(name, []).append(hit)
    recall = [Tally(name, sum(hits), len(hits)) for name, hits in sorted(groups.items())]
    return recall, Tally("negatives flagged", sum(negatives), len(negatives))


def report(
    messages: Sequence[LabelledMessage],
    language: CrisisLanguage,
    out: TextIO,
    *,
    misses: bool = False,
) -> None:
    """Print recall per group and the false-positive rate (and, with ``misses``, each miss)."""
    recall, false_positives = tallies(messages, language)
    out.write(f"crisis-language list version: {language.version or '(none)'}\n")
    out.write(f"{'group':<32} {'flagged':>8} {'total':>6} {'rate':>7}\n")
    for tally in recall:
        out.write(f"{tally.name:<32} {tally.flagged:>8} {tally.total:>6} {tally.rate:>7.1%}\n")
    out.write(
        f"{'false positives (negatives)':<32} {false_positives.flagged:>8} "
        f"{false_positives.total:>6} {false_positives.rate:>7.1%}\n"
    )
    if not misses:
        return
    for message in messages:
        found = language.explain(message.text)
        if message.negative and found:
            matched = "; ".join(match.describe() for match in found)
            out.write(f"FALSE POSITIVE line {message.line}: {message.text}  <- {matched}\n")
        elif not message.negative and not found:
            out.write(
                f"MISSED line {message.line} ({message.category}/{message.kind}/"
                f"{message.language}): {message.text}\n"
            )


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m clinicdesk.domain.crisis_report",
        description="Recall per category and false-positive rate of the crisis-language list.",
    )
    parser.add_argument("corpus", type=Path, help="the labelled corpus file")
    parser.add_argument("--list", type=Path, help="a crisis-language list (the shipped one)")
    parser.add_argument("--misses", action="store_true", help="print each miss and false positive")
    args = parser.parse_args(argv)
    language = CrisisLanguage.load(args.list) if args.list else default_language()
    report(load_corpus(args.corpus), language, sys.stdout, misses=args.misses)
    return 0


if __name__ == "__main__":  # pragma: no cover - the command line
    sys.exit(main())
