"""An inquiry sent without a message says so in the detail (issue 16, item 7), instead of an
empty box that looks like a loading or display fault."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.fixtures import inquiries_tab as support
from tests.fixtures.store import site_inquiry


def test_an_empty_message_shows_no_message(qtbot: QtBot, tmp_path: Path) -> None:
    with support.demo_cache(tmp_path / "cache.db") as cache:
        silent = site_inquiry(
            950, first_name="Quiet", last_name="Person", received=support.NOW, message=""
        )
        cache.inquiries.upsert_from_site([dataclasses.replace(silent, message="")])
        tab = support.make_tab(qtbot, cache)
        support.select(qtbot, tab, "Quiet Person")
        edit = tab.detail.message_edit
        assert edit.toPlainText() == ""  # nothing is made up in the message itself
        assert edit.placeholderText() == "(no message)"
        # Another inquiry's message replaces it, and the empty one says so again after.
        other = support.names_in_table(tab)[0]
        if other == "Quiet Person":
            other = support.names_in_table(tab)[1]
        support.select(qtbot, tab, other)
        assert edit.toPlainText() != ""
        support.select(qtbot, tab, "Quiet Person")
        assert edit.toPlainText() == "" and edit.placeholderText() == "(no message)"
