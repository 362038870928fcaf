"""Inquiry search covers every field staff see: reason, insurance, state, preferred contact, notes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

``inquiries_fts`` gains the columns ``reason``, ``insurance``, ``state`` and
``preferred_contact`` (its content, the view ``inquiry_search``, gives them from ``inquiries``),
and its triggers follow those columns too. ``notes_fts`` indexes each timeline entry's text and
author (external content: the table ``notes``, kept by triggers on it; a note deleted with its
inquiry by the cascade fires them too). Both are built once from the data already stored.

Matching these with ``LIKE`` instead read every inquiry for each word typed: the inbox search
figure of the benchmark went from a p50 of 11.6 ms to 18.8 ms at 2,000 inquiries, and a scan
grows with the inbox; an index lookup does not.

Same tokenizer as before. Copied here, not imported: a migration must not change after it
shipped. A later migration that rebuilds ``inquiries`` or ``notes`` (batch mode) drops the
triggers on it and must create those of ``FTS_DDL`` again.
"""

# ruff: noqa: S608 (the statements are built from this file's fixed column names only)
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOKENIZE = "unicode61 remove_diacritics 2"

#: The indexed columns of ``inquiries_fts``, in order; the short ones come from ``inquiries``.
_COLUMNS = "first_name, last_name, email, reason, insurance, state, preferred_contact, message"


def _values(prefix: str) -> str:
    """The short columns' values read from ``prefix`` (``i``, ``old``, ``new``)."""
    return ", ".join(
        f"{prefix}.{name}"
        for name in (
            "first_name",
            "last_name",
            "email",
            "reason",
            "insurance",
            "state",
            "preferred_contact",
        )
    )


#: As in 0002, the triggers give a 'delete' exactly the values indexed (see its notes).
FTS_DDL = [
    f"""CREATE VIEW inquiry_search AS
    SELECT i.id AS id, {_values("i")}, m.message AS message
    FROM inquiries AS i JOIN inquiry_messages AS m ON m.inquiry_id = i.id""",
    f"""CREATE VIRTUAL TABLE inquiries_fts USING fts5({_COLUMNS},
        content='inquiry_search', content_rowid='id', tokenize='{_TOKENIZE}')""",
    f"""CREATE TRIGGER inquiry_messages_fts_insert AFTER INSERT ON inquiry_messages BEGIN
        INSERT INTO inquiries_fts (rowid, {_COLUMNS})
        SELECT i.id, {_values("i")}, new.message FROM inquiries AS i WHERE i.id = new.inquiry_id;
    END""",
    f"""CREATE TRIGGER inquiry_messages_fts_update
    AFTER UPDATE OF message ON inquiry_messages WHEN old.message IS NOT new.message BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, {_COLUMNS})
        SELECT 'delete', i.id, {_values("i")}, old.message
        FROM inquiries AS i WHERE i.id = old.inquiry_id;
        INSERT INTO inquiries_fts (rowid, {_COLUMNS})
        SELECT i.id, {_values("i")}, new.message FROM inquiries AS i WHERE i.id = new.inquiry_id;
    END""",
    f"""CREATE TRIGGER inquiry_messages_fts_delete AFTER DELETE ON inquiry_messages BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, {_COLUMNS})
        SELECT 'delete', i.id, {_values("i")}, old.message
        FROM inquiries AS i WHERE i.id = old.inquiry_id;
    END""",
    f"""CREATE TRIGGER inquiries_fts_delete BEFORE DELETE ON inquiries BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, {_COLUMNS})
        SELECT 'delete', old.id, {_values("old")}, m.message
        FROM inquiry_messages AS m WHERE m.inquiry_id = old.id;
    END""",
    f"""CREATE TRIGGER inquiries_fts_update
    AFTER UPDATE OF first_name, last_name, email, reason, insurance, state, preferred_contact
    ON inquiries
    WHEN old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
        OR old.email IS NOT new.email OR old.reason IS NOT new.reason
        OR old.insurance IS NOT new.insurance OR old.state IS NOT new.state
        OR old.preferred_contact IS NOT new.preferred_contact
    BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, {_COLUMNS})
        SELECT 'delete', old.id, {_values("old")}, m.message
        FROM inquiry_messages AS m WHERE m.inquiry_id = old.id;
        INSERT INTO inquiries_fts (rowid, {_COLUMNS})
        SELECT new.id, {_values("new")}, m.message
        FROM inquiry_messages AS m WHERE m.inquiry_id = new.id;
    END""",
    f"""CREATE VIRTUAL TABLE notes_fts USING fts5(content, author_name,
        content='notes', content_rowid='id', tokenize='{_TOKENIZE}')""",
    """CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
        INSERT INTO notes_fts (rowid, content, author_name)
        VALUES (new.id, new.content, new.author_name);
    END""",
    """CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
        INSERT INTO notes_fts (notes_fts, rowid, content, author_name)
        VALUES ('delete', old.id, old.content, old.author_name);
    END""",
    """CREATE TRIGGER notes_fts_update AFTER UPDATE OF content, author_name ON notes
    WHEN old.content IS NOT new.content OR old.author_name IS NOT new.author_name BEGIN
        INSERT INTO notes_fts (notes_fts, rowid, content, author_name)
        VALUES ('delete', old.id, old.content, old.author_name);
        INSERT INTO notes_fts (rowid, content, author_name)
        VALUES (new.id, new.content, new.author_name);
    END""",
]

_OLD_TRIGGERS = (
    "inquiries_fts_update",
    "inquiries_fts_delete",
    "inquiry_messages_fts_delete",
    "inquiry_messages_fts_update",
    "inquiry_messages_fts_insert",
)

#: 0002's index, to go back to (names, email, message).
_OLD_FTS_DDL = [
    """CREATE VIEW inquiry_search AS
    SELECT i.id AS id, i.first_name AS first_name, i.last_name AS last_name, i.email AS email,
        m.message AS message
    FROM inquiries AS i JOIN inquiry_messages AS m ON m.inquiry_id = i.id""",
    f"""CREATE VIRTUAL TABLE inquiries_fts USING fts5(
        first_name, last_name, email, message,
        content='inquiry_search', content_rowid='id', tokenize='{_TOKENIZE}')""",
    """CREATE TRIGGER inquiry_messages_fts_insert AFTER INSERT ON inquiry_messages BEGIN
        INSERT INTO inquiries_fts (rowid, first_name, last_name, email, message)
        SELECT i.id, i.first_name, i.last_name, i.email, new.message
        FROM inquiries AS i WHERE i.id = new.inquiry_id;
    END""",
    """CREATE TRIGGER inquiry_messages_fts_update
    AFTER UPDATE OF message ON inquiry_messages WHEN old.message IS NOT new.message BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, first_name, last_name, email, message)
        SELECT 'delete', i.id, i.first_name, i.last_name, i.email, old.message
        FROM inquiries AS i WHERE i.id = old.inquiry_id;
        INSERT INTO inquiries_fts (rowid, first_name, last_name, email, message)
        SELECT i.id, i.first_name, i.last_name, i.email, new.message
        FROM inquiries AS i WHERE i.id = new.inquiry_id;
    END""",
    """CREATE TRIGGER inquiry_messages_fts_delete AFTER DELETE ON inquiry_messages BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, first_name, last_name, email, message)
        SELECT 'delete', i.id, i.first_name, i.last_name, i.email, old.message
        FROM inquiries AS i WHERE i.id = old.inquiry_id;
    END""",
    """CREATE TRIGGER inquiries_fts_delete BEFORE DELETE ON inquiries BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, first_name, last_name, email, message)
        SELECT 'delete', old.id, old.first_name, old.last_name, old.email, m.message
        FROM inquiry_messages AS m WHERE m.inquiry_id = old.id;
    END""",
    """CREATE TRIGGER inquiries_fts_update
    AFTER UPDATE OF first_name, last_name, email ON inquiries
    WHEN old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
        OR old.email IS NOT new.email
    BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, first_name, last_name, email, message)
        SELECT 'delete', old.id, old.first_name, old.last_name, old.email, m.message
        FROM inquiry_messages AS m WHERE m.inquiry_id = old.id;
        INSERT INTO inquiries_fts (rowid, first_name, last_name, email, message)
        SELECT new.id, new.first_name, new.last_name, new.email, m.message
        FROM inquiry_messages AS m WHERE m.inquiry_id = new.id;
    END""",
]


def _drop_inquiry_index() -> None:
    for trigger in _OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE inquiries_fts")
    op.execute("DROP VIEW inquiry_search")


def upgrade() -> None:
    """Upgrade the schema."""
    _drop_inquiry_index()
    for statement in FTS_DDL:
        op.execute(statement)
    op.execute("INSERT INTO inquiries_fts (inquiries_fts) VALUES ('rebuild')")
    op.execute("INSERT INTO notes_fts (notes_fts) VALUES ('rebuild')")


def downgrade() -> None:
    """Downgrade the schema (never run by the app: it refuses newer files instead)."""
    for trigger in ("notes_fts_update", "notes_fts_delete", "notes_fts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE notes_fts")
    _drop_inquiry_index()
    for statement in _OLD_FTS_DDL:
        op.execute(statement)
    op.execute("INSERT INTO inquiries_fts (inquiries_fts) VALUES ('rebuild')")
