"""Site and user text is shown as typed, never as HTML (issue 16, item 8).

A contributor's title ``<img src="file://host/share/x.png">`` shown as rich text in a tooltip makes
the app read that file when hovered (on Windows, a network share: the user's NTLM hash leaks).
Each test fills a real tab with hostile text in every field the site or a user controls, and scans
every surface of the widget tree (tooltips, labels, cells' tooltips, editor tooltips).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinicdesk.domain.blocks import Image
from clinicdesk.model import records
from clinicdesk.store import Cache
from clinicdesk.ui.plaintext import plain
from clinicdesk.ui.posts.richformats import image_format, opaque_format
from clinicdesk.ui.posts.versiondialogs import DifferenceModel, FieldDifference
from tests.fixtures import inquiries_tab as inquiries_support
from tests.fixtures import posts_tab as posts_support
from tests.fixtures.richtext_scan import might_be_rich, rich_surfaces
from tests.fixtures.store import site_inquiry, site_note, site_post

HOSTILE = '<img src="file://host/share/x.png">'
ENTITY = "&lt;b&gt;bold&lt;/b&gt;"

cache = posts_support.cache


@pytest.mark.parametrize(
    "text", [HOSTILE, ENTITY, "<b>bold</b> & more", "<!DOCTYPE html><p>x</p>", "a < b"]
)
def test_the_helper_keeps_the_words_and_is_never_rich(text: str) -> None:
    shown = plain(text)
    assert not might_be_rich(shown)
    assert shown.replace("\u2060", "") == text  # the same words, nothing lost


def test_a_hostile_post_is_plain_everywhere_in_the_posts_tab(qtbot: QtBot, cache: Cache) -> None:
    cache.catalog.replace_users([records.User(1, HOSTILE, "admin")])
    content = (
        f'<!-- wp:image {{"sizeSlug":"large"}} -->\n<figure class="wp-block-image size-large">'
        f'<img src="https://clinic.example/a.png" alt="{HOSTILE.replace(chr(34), "&quot;")}"/>'
        "</figure>\n<!-- /wp:image -->\n\n"
        f"<!-- wp:html -->\n{HOSTILE}\n<!-- /wp:html -->"
    )
    post = dataclasses.replace(site_post(7, title=HOSTILE, content=content), author=1)
    cache.posts.upsert_from_site([post])
    tab = posts_support.make_tab(qtbot, cache)
    local = cache.posts.local_id(7)
    assert local is not None
    assert tab.select_post(local)
    qtbot.waitUntil(lambda: tab.editor.isEnabled())
    found = rich_surfaces([tab])
    assert found == [], "\n".join(found)


def test_a_hostile_inquiry_is_plain_everywhere_in_the_inquiries_tab(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with inquiries_support.demo_cache(tmp_path / "cache.db") as demo:
        hostile = site_inquiry(
            900,
            first_name=HOSTILE,
            last_name=ENTITY,
            message=HOSTILE,
            received=inquiries_support.NOW,
        )
        hostile = dataclasses.replace(
            hostile, insurance=HOSTILE, reason=HOSTILE, state=HOSTILE, phone=HOSTILE
        )
        demo.inquiries.upsert_from_site([hostile])
        note = dataclasses.replace(site_note(901, 900, content=HOSTILE), author_name=HOSTILE)
        demo.inquiries.upsert_notes([note])
        tab = inquiries_support.make_tab(qtbot, demo)
        name = f"{HOSTILE} {ENTITY}"
        inquiries_support.select(qtbot, tab, name)
        found = rich_surfaces([tab])
    assert found == [], "\n".join(found)


def _as_typed(tip: str) -> str:
    """A tooltip's words without the invisible joiners ``plain`` adds."""
    return tip.replace("\u2060", "")


def test_the_compare_table_shows_conflict_values_as_typed(qtbot: QtBot) -> None:
    model = DifferenceModel([FieldDifference("title", HOSTILE, HOSTILE, ENTITY)])
    assert model.rowCount() == 1 and model.columnCount() == 3
    for column in range(model.columnCount()):
        index = model.index(0, column)
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        assert isinstance(tip, str) and not might_be_rich(tip), tip
        assert _as_typed(tip) == index.data(Qt.ItemDataRole.DisplayRole), "the same words"
    assert _as_typed(model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)) == ENTITY


def test_the_editor_shows_image_text_and_opaque_blocks_as_typed(qtbot: QtBot) -> None:
    image = Image(None, None, "https://clinic.example/a.png", HOSTILE, (), None, None)
    image_tip = image_format(image).toolTip()
    assert not might_be_rich(image_tip) and _as_typed(image_tip) == HOSTILE
    opaque_tip = opaque_format(0, HOSTILE, HOSTILE).toolTip()
    assert not might_be_rich(opaque_tip) and _as_typed(opaque_tip) == f"{HOSTILE}\n{HOSTILE}"
