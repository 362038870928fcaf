"""Translations of the WordPress plugin, in pure Python (nothing to install).

::

    python -m tools.po update     # bring every languages/*.po up to date with clinicdesk.pot
    python -m tools.po compile    # write each languages/*.po's compiled .mo next to it

``update`` is a small ``msgmerge``: entries keep their translation while their text is unchanged,
new texts get an empty one (shown untranslated), texts that left the .pot are dropped.
``compile`` is a small ``msgfmt``: GNU .mo format, revision 0, little-endian, untranslated and
fuzzy entries left out (WordPress then shows the English). Both .po and .mo are committed, so
building the plugin needs neither GNU gettext nor this tool.
"""

from __future__ import annotations

import argparse
import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools.build_plugin_zip import SOURCE

LANGUAGES = SOURCE / "languages"
POT = LANGUAGES / "clinicdesk.pot"


@dataclass
class Entry:
    """One message of a .po/.pot file.

    Attributes:
        msgid: the English text ('' for the header).
        msgstr: the translation ('' when untranslated).
        msgctxt: the context, if any.
        msgid_plural: the plural English text, if any.
        plurals: the plural translations, by index.
        comments: the comment lines before it, kept as they are.
        fuzzy: whether it is marked fuzzy (not compiled).
    """

    msgid: str = ""
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    plurals: dict[int, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def key(self) -> str:
        """What the .mo looks a message up by: context EOT text (NUL plural)."""
        key = self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"
        return key if self.msgid_plural is None else f"{key}\x00{self.msgid_plural}"


def _unquote(text: str) -> str:
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a quoted string: {text!r}")
    # PO strings use C escapes, which Python's string literal syntax reads the same way.
    return str(ast.literal_eval(text))


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po/.pot file, in order.

    Args:
        text: the file's text.

    Raises:
        ValueError: the text is not a .po file.
    """
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if started and target is not None:
                finish()
            if line.startswith("#,") and "fuzzy" in line:
                current.fuzzy = True
            current.comments.append(raw)
            continue
        try:
            if line.startswith('"'):
                if target is None:
                    raise ValueError("a string outside an entry")
                name, index = target
                value = _unquote(line)
                if name == "msgstr[]":
                    current.plurals[index] += value
                else:
                    setattr(current, name, (getattr(current, name) or "") + value)
                continue
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and started and target is not None:
                if target[0] in ("msgstr", "msgstr[]"):
                    finish()
            started = True
            if keyword.startswith("msgstr["):
                index = int(keyword[len("msgstr[") : -1])
                current.plurals[index] = _unquote(rest)
                target = ("msgstr[]", index)
            elif keyword in ("msgid", "msgstr", "msgctxt", "msgid_plural"):
                setattr(current, keyword, _unquote(rest))
                target = (keyword, 0)
            else:
                raise ValueError(f"unknown keyword {keyword!r}")
        except (ValueError, SyntaxError) as exc:
            raise ValueError(f"line {number}: {exc}") from exc
    finish()
    return entries


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def format_po(entries: list[Entry]) -> str:
    """The .po text of ``entries`` (one line per string, as ``xgettext --no-wrap`` writes)."""
    blocks = []
    for entry in entries:
        lines = list(entry.comments)
        if entry.msgctxt is not None:
            lines.append(f"msgctxt {_quote(entry.msgctxt)}")
        lines.append(f"msgid {_quote(entry.msgid)}")
        if entry.msgid_plural is not None:
            lines.append(f"msgid_plural {_quote(entry.msgid_plural)}")
            for index in sorted(entry.plurals) or [0, 1]:
                lines.append(f"msgstr[{index}] {_quote(entry.plurals.get(index, ''))}")
        else:
            lines.append(f"msgstr {_quote(entry.msgstr)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def compile_mo(entries: list[Entry]) -> bytes:
    """The GNU .mo bytes of the translated, non-fuzzy ``entries`` (and the header)."""
    messages: dict[bytes, bytes] = {}
    for entry in entries:
        if entry.fuzzy and entry.msgid:
            continue
        if entry.msgid_plural is not None:
            translated = [entry.plurals[i] for i in sorted(entry.plurals)]
            if not all(translated):
                continue
            value = "\x00".join(translated)
        else:
            if not entry.msgstr:
                continue
            value = entry.msgstr
        messages[entry.key.encode("utf-8")] = value.encode("utf-8")
    keys = sorted(messages)  # the format wants the originals sorted (binary search)
    count = len(keys)
    header_size = 7 * 4
    originals_at = header_size
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    data = bytearray()
    originals = []
    translations = []
    for key in keys:
        originals.append((len(key), data_at + len(data)))
        data += key + b"\x00"
    for key in keys:
        encoded = messages[key]
        translations.append((len(encoded), data_at + len(data)))
        data += encoded + b"\x00"
    out = bytearray(
        struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, data_at)
    )
    for length, offset in originals + translations:
        out += struct.pack("<2I", length, offset)
    return bytes(out + data)


def update_po(po_path: Path, pot_path: Path = POT) -> list[str]:
    """Merges the .pot into the .po; answers the texts that have no translation yet."""
    template = parse_po(pot_path.read_text(encoding="utf-8"))
    existing = {e.key: e for e in parse_po(po_path.read_text(encoding="utf-8"))}
    merged = []
    missing = []
    for entry in template:
        old = existing.get(entry.key)
        if entry.msgid == "" and old is not None:
            merged.append(old)  # the .po's own header (language, plural forms)
            continue
        if old is not None:
            entry.msgstr, entry.plurals, entry.fuzzy = old.msgstr, dict(old.plurals), old.fuzzy
        if not entry.msgstr and not any(entry.plurals.values()):
            missing.append(entry.msgid)
        merged.append(entry)
    po_path.write_text(format_po(merged), encoding="utf-8")
    return missing


def compile_all(folder: Path = LANGUAGES) -> list[Path]:
    """Compiles every .po in ``folder``; answers the .mo files written."""
    written = []
    for po_path in sorted(folder.glob("*.po")):
        mo_path = po_path.with_suffix(".mo")
        mo_path.write_bytes(compile_mo(parse_po(po_path.read_text(encoding="utf-8"))))
        written.append(mo_path)
    return written


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m tools.po", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("update", "compile"))
    args = parser.parse_args(argv)
    if args.command == "update":
        for po_path in sorted(LANGUAGES.glob("*.po")):
            for text in update_po(po_path):
                print(f"{po_path.name}: untranslated: {text}")
        return 0
    for mo_path in compile_all():
        print(mo_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
