"""Exporting inquiries to a CSV file, safe to open in a spreadsheet.

The file is **not encrypted**: the UI asks for confirmation and says so before calling this.
It is created readable by its owner only, and every cell a spreadsheet would read as a formula
(one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with a
single quote, so a message such as ``=HYPERLINK("http://...")`` stays text (CSV injection).
Spreadsheets in many locales split a line on ``;`` as well, so each piece after a ``;`` that would
start a formula (after its leading blanks) gets the same quote. Every field is quoted
(``csv.QUOTE_ALL``), so no spreadsheet guesses a number or a date out of a phone number.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PRIVATE_FILE_MODE = 0o600
# A ";", any blanks, then a character that starts a formula: the quote goes before it.
_AFTER_SEMICOLON = re.compile(r"(;[ \t\r]*)(?=[=+\-@])")


def csv_cell(value: object) -> str:
    """``value`` as text a spreadsheet shows as it is (never runs as a formula)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return _AFTER_SEMICOLON.sub(r"\1'", text)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write ``rows`` under ``header`` to ``path`` (UTF-8 with a byte-order mark, which
    spreadsheets need to read accents), replacing the file, readable by its owner only.

    Returns:
        The number of rows written.

    Raises:
        OSError: the file could not be written.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(path, flags, _PRIVATE_FILE_MODE)
    if os.name == "posix":
        os.fchmod(descriptor, _PRIVATE_FILE_MODE)  # an existing file keeps its mode otherwise
    count = 0
    with open(descriptor, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow([csv_cell(cell) for cell in header])
        for row in rows:
            writer.writerow([csv_cell(cell) for cell in row])
            count += 1
    return count
