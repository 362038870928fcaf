"""The plugin's Spanish translation: complete, compiled, and compiled right (tools/po.py)."""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from tools.po import LANGUAGES, POT, Entry, compile_mo, format_po, parse_po, update_po

PO = LANGUAGES / "clinicdesk-es_ES.po"
MO = LANGUAGES / "clinicdesk-es_ES.mo"


def test_every_text_of_the_plugin_has_a_spanish_translation(tmp_path: Path) -> None:
    copy = tmp_path / PO.name
    copy.write_text(PO.read_text(encoding="utf-8"), encoding="utf-8")
    assert update_po(copy, POT) == []
    # Up to date with the .pot: merging changes nothing.
    assert copy.read_text(encoding="utf-8") == PO.read_text(encoding="utf-8")


def test_the_committed_mo_is_the_compiled_po() -> None:
    assert MO.read_bytes() == compile_mo(parse_po(PO.read_text(encoding="utf-8")))


def test_the_form_reads_in_spanish_through_pythons_gettext() -> None:
    catalog = gettext.GNUTranslations(io.BytesIO(MO.read_bytes()))
    assert catalog.gettext("Send my request") == "Enviar mi solicitud"
    crisis = catalog.gettext(
        "This form is not for emergencies. If you are in crisis, call or text 988 (the Suicide "
        "and Crisis Lifeline). En español, llame al 988 y oprima 2, o envíe AYUDA al 988. If you "
        "or someone else is in danger right now, call 911."
    )
    assert "988" in crisis and "AYUDA" in crisis and "911" in crisis and "emergencias" in crisis
    assert catalog.gettext("Not a text of the plugin") == "Not a text of the plugin"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt not installed")
def test_our_compiler_agrees_with_gnu_msgfmt(tmp_path: Path) -> None:
    gnu = tmp_path / "gnu.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(gnu), str(PO)], check=True)
    ours = gettext.GNUTranslations(io.BytesIO(MO.read_bytes()))
    theirs = gettext.GNUTranslations(io.BytesIO(gnu.read_bytes()))
    for entry in parse_po(PO.read_text(encoding="utf-8")):
        if entry.msgid:
            assert ours.gettext(entry.msgid) == theirs.gettext(entry.msgid) == entry.msgstr


def test_escapes_contexts_plurals_and_fuzzy_entries_survive_a_round_trip() -> None:
    entries = [
        Entry(msgid="", msgstr="Content-Type: text/plain; charset=UTF-8\n"),
        Entry(msgid='Say "hi"\tnow\\', msgstr='Diga "hola"\tya\\'),
        Entry(msgid="Post", msgstr="Entrada", msgctxt="noun"),
        Entry(msgid="%d note", msgid_plural="%d notes", plurals={0: "%d nota", 1: "%d notas"}),
        Entry(msgid="Draft", msgstr="Borrador", fuzzy=True, comments=["#, fuzzy"]),
        Entry(msgid="Untranslated"),
    ]
    again = parse_po(format_po(entries))
    assert [(e.msgid, e.msgstr, e.msgctxt, e.plurals) for e in again] == [
        (e.msgid, e.msgstr, e.msgctxt, e.plurals) for e in entries
    ]
    catalog = gettext.GNUTranslations(io.BytesIO(compile_mo(again)))
    assert catalog.gettext('Say "hi"\tnow\\') == 'Diga "hola"\tya\\'
    assert catalog.pgettext("noun", "Post") == "Entrada"
    assert catalog.ngettext("%d note", "%d notes", 2) == "%d notas"
    assert catalog.gettext("Draft") == "Draft"  # fuzzy: not compiled
    assert catalog.gettext("Untranslated") == "Untranslated"
