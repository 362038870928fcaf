"""Through the editor and back: random bodies come out byte for byte, edits stay local.

The block-level round trips are in ``tests/unit/domain/test_blocks.py``; these put the bodies
through the real QTextDocument mapping (load, read back, assemble).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from clinicdesk.domain.blocks import BlockDocument, RichBlock, serialize
from clinicdesk.ui.posts.body import BodyEditor
from tests.fixtures.blocks import ALL_SAMPLES, ARBITRARY_MARKUP, RICH_BLOCKS
from tests.fixtures.posts_tab import SEED_POSTS

_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def editor(qtbot: QtBot) -> Iterator[BodyEditor]:
    body = BodyEditor()
    qtbot.addWidget(body)
    body.resize(700, 500)
    yield body


@pytest.mark.parametrize(
    "text",
    [*ALL_SAMPLES.values(), *(p["content"] for p in SEED_POSTS)],
    ids=[*ALL_SAMPLES, *(p["title"][:30] for p in SEED_POSTS)],
)
def test_samples_and_seed_posts_come_back_byte_for_byte(editor: BodyEditor, text: str) -> None:
    editor.set_content(text)
    assert editor.content() == text


@_SETTINGS
@given(ARBITRARY_MARKUP)
def test_any_text_comes_back_byte_for_byte(editor: BodyEditor, text: str) -> None:
    editor.set_content(text)
    assert editor.content() == text


@_SETTINGS
@given(st.lists(RICH_BLOCKS, min_size=1, max_size=5))
def test_supported_blocks_come_back_and_an_edit_touches_only_its_block(
    editor: BodyEditor, blocks: list[RichBlock]
) -> None:
    text = "\n\n".join(serialize(b) for b in blocks)
    editor.set_content(text)
    assert editor.content() == text
    # Type at the very end: every block but the last one keeps its bytes.
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText("Z")
    edited = BlockDocument.from_text(editor.content())
    sources = [s.source for s in edited.segments]
    original = [serialize(b) for b in blocks]
    if sources[: len(original) - 1] != original[:-1]:
        pytest.fail(f"a block that was not edited changed:\n{sources}\n{original}")
    assert "Z" in editor.content()
