"""A half-written note survives a lock as a draft, kept only in the encrypted cache (issue 16,
item 6): the idle lock must not throw away what someone was writing about a person."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinicdesk.ui.inquiries.dialogs import NoteDialog
from tests.fixtures import inquiries_tab as support

DRAFT = "Spoke with her mother; she will call back after 5 pm (half-written"


def _note_dialog() -> NoteDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, NoteDialog)]
    visible = [w for w in found if w.isVisible()]
    return visible[0] if visible else None


def _file_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_a_half_written_note_comes_back_after_the_lock(qtbot: QtBot, tmp_path: Path) -> None:
    with support.demo_cache(tmp_path / "cache.db") as cache:
        tab = support.make_tab(qtbot, cache)
        name = support.names_in_table(tab)[0]
        support.select(qtbot, tab, name)
        tab.detail.noteRequested.emit()
        qtbot.waitUntil(lambda: _note_dialog() is not None)
        dialog = _note_dialog()
        assert dialog is not None
        dialog.text_edit.setPlainText(DRAFT)

        tab.lock()  # as the idle lock does
        assert _note_dialog() is None
        assert DRAFT not in support.visible_texts(tab)
        # Kept in the encrypted cache only: no file in the folder holds it in plain text.
        assert DRAFT.encode() not in _file_bytes(tmp_path)

        tab.lock_page.passphrase_edit.setText(support.PASSPHRASE)
        tab.lock_page.unlock_button.click()
        qtbot.waitUntil(lambda: _note_dialog() is not None)
        again = _note_dialog()
        assert again is not None and again.text_edit.toPlainText() == DRAFT
        again.accept()
        support.wait_loaded(qtbot, tab)
        local = support.local_id(cache, name)
        assert DRAFT in [n.content for n in cache.inquiries.notes(local)]
        # Sent: the draft is gone, and the next unlock opens nothing.
        tab.lock()
        tab.lock_page.passphrase_edit.setText(support.PASSPHRASE)
        tab.lock_page.unlock_button.click()
        support.wait_loaded(qtbot, tab)
        assert _note_dialog() is None
