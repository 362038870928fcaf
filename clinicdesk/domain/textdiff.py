"""Side-by-side differences of two texts, line by line, with the changed words marked."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

RowKind = Literal["equal", "replace", "delete", "insert"]


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One row of a side-by-side comparison.

    Attributes:
        kind: how the two sides relate.
        left: the left line (None where the right side has a line the left lacks).
        right: the right line (None likewise).
        left_changes: ``(start, end)`` character ranges of ``left`` that differ.
        right_changes: the same for ``right``.
    """

    kind: RowKind
    left: str | None
    right: str | None
    left_changes: tuple[tuple[int, int], ...] = ()
    right_changes: tuple[tuple[int, int], ...] = ()


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def _char_changes(
    left: str, right: str
) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """The character ranges that differ, compared word by word (what a reader sees)."""
    a, b = _TOKEN.findall(left), _TOKEN.findall(right)
    starts_a = [0]
    for token in a:
        starts_a.append(starts_a[-1] + len(token))
    starts_b = [0]
    for token in b:
        starts_b.append(starts_b[-1] + len(token))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    lefts: list[tuple[int, int]] = []
    rights: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            lefts.append((starts_a[i1], starts_a[i2]))
        if j2 > j1:
            rights.append((starts_b[j1], starts_b[j2]))
    return tuple(lefts), tuple(rights)


def side_by_side(left: str, right: str) -> list[DiffRow]:
    """The rows comparing ``left`` with ``right`` (lines paired where they were changed)."""
    a, b = left.splitlines(), right.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(DiffRow("equal", line, line) for line in a[i1:i2])
        elif tag == "delete":
            rows.extend(DiffRow("delete", line, None, ((0, len(line)),)) for line in a[i1:i2])
        elif tag == "insert":
            rows.extend(DiffRow("insert", None, line, (), ((0, len(line)),)) for line in b[j1:j2])
        else:
            pairs = max(i2 - i1, j2 - j1)
            for k in range(pairs):
                old = a[i1 + k] if i1 + k < i2 else None
                new = b[j1 + k] if j1 + k < j2 else None
                if old is not None and new is not None:
                    lefts, rights = _char_changes(old, new)
                    rows.append(DiffRow("replace", old, new, lefts, rights))
                elif old is not None:
                    rows.append(DiffRow("delete", old, None, ((0, len(old)),)))
                elif new is not None:
                    rows.append(DiffRow("insert", None, new, (), ((0, len(new)),)))
    return rows
