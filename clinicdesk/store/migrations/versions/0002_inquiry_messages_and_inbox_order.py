"""Inquiry messages in their own table; the inbox's order as an index, its counts as a table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Each inquiry's message (300 to 3,000 characters) moves from ``inquiries.message`` to
``inquiry_messages`` (one row per inquiry, keyed by its local id, deleted with it). The inbox
scans ``inquiries`` for every view, count and sort; with the messages in it, a scan of 20,000
inquiries read and decrypted about 34 MB (more than SQLCipher's page cache) and took ~200 ms.

The full-text index ``inquiries_fts`` keeps its columns and its tokenizer; its content is now the
view ``inquiry_search`` (names and email from ``inquiries``, the message from
``inquiry_messages``), and its triggers follow both tables (``FTS_DDL``). It is rebuilt once from
the moved data. Copied here, not imported: a migration must not change after it shipped.

``inquiries.arrival_checked`` (and the partial index ``ix_inquiries_unchecked``) marks the
inquiries the crisis-language check of new arrivals has not read yet: stored with the inquiry,
so a crash between storing and checking cannot skip one.

``ix_inquiries_inbox_order`` (arrival, local id, and every column an inbox view filters on)
lets the inbox read a whole view in order from the index alone.

``inquiry_counts`` holds how many inquiries share each combination of the columns the views
filter on, kept by triggers on ``inquiries`` (``INQUIRY_COUNT_DDL``): the view counts add up a
few hundred rows instead of counting every inquiry on each load of the inbox.

A later migration that rebuilds ``inquiries`` (batch mode) drops the triggers on it, those of
``FTS_DDL`` and ``INQUIRY_COUNT_DDL`` alike: it must create them again.

The migration runs in one transaction (see ``clinicdesk.store.migrate``): the pages the messages
leave behind stay in the file as free pages, reused by the next inserts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Unicode-aware tokens, case-folded, diacritics removed ("José" matches "jose"), as in 0001.
_TOKENIZE = "unicode61 remove_diacritics 2"

#: The triggers keep the index equal to the view ``inquiry_search``, which lists an inquiry only
#: once it has its message row (the store writes both in one transaction). A 'delete' must give
#: exactly the values indexed, so each trigger reads the other table's values as they stand:
#: - a message row inserted: index the inquiry (its names are already stored);
#: - a message changed: re-index with the old, then the new message;
#: - names or email changed: re-index with the old, then the new values (only when they changed:
#:   a pull rewrites every form field of a changed inquiry);
#: - an inquiry deleted: BEFORE the delete, while its message row still exists (the cascade that
#:   deletes the message row runs after the inquiry's row is gone, so the message row's own
#:   delete trigger finds no inquiry and does nothing then);
#: - a message row deleted on its own: un-index the inquiry.
FTS_DDL = [
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

#: The triggers keeping ``inquiry_counts`` equal to ``SELECT <its key>, count(*) FROM inquiries
#: GROUP BY <its key>`` (a row may drop to 0; rows are never removed).
INQUIRY_COUNT_DDL = [
    """CREATE TRIGGER inquiry_counts_insert AFTER INSERT ON inquiries BEGIN
        INSERT INTO inquiry_counts
            (status, pending_delete, triage_status, assignee, urgent, unread, n)
        VALUES (new.status, new.pending_delete, new.triage_status, new.assignee, new.urgent,
            new.unread, 1)
        ON CONFLICT (status, pending_delete, triage_status, assignee, urgent, unread)
        DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER inquiry_counts_delete AFTER DELETE ON inquiries BEGIN
        UPDATE inquiry_counts SET n = n - 1
        WHERE status = old.status AND pending_delete = old.pending_delete
            AND triage_status = old.triage_status AND assignee = old.assignee
            AND urgent = old.urgent AND unread = old.unread;
    END""",
    """CREATE TRIGGER inquiry_counts_update
    AFTER UPDATE OF status, pending_delete, triage_status, assignee, urgent, unread ON inquiries
    WHEN old.status IS NOT new.status OR old.pending_delete IS NOT new.pending_delete
        OR old.triage_status IS NOT new.triage_status OR old.assignee IS NOT new.assignee
        OR old.urgent IS NOT new.urgent OR old.unread IS NOT new.unread
    BEGIN
        UPDATE inquiry_counts SET n = n - 1
        WHERE status = old.status AND pending_delete = old.pending_delete
            AND triage_status = old.triage_status AND assignee = old.assignee
            AND urgent = old.urgent AND unread = old.unread;
        INSERT INTO inquiry_counts
            (status, pending_delete, triage_status, assignee, urgent, unread, n)
        VALUES (new.status, new.pending_delete, new.triage_status, new.assignee, new.urgent,
            new.unread, 1)
        ON CONFLICT (status, pending_delete, triage_status, assignee, urgent, unread)
        DO UPDATE SET n = n + 1;
    END""",
]

#: 0001's index over ``inquiries`` alone, for the downgrade.
_OLD_FTS_DDL = [
    f"""CREATE VIRTUAL TABLE inquiries_fts USING fts5(
        first_name, last_name, email, message,
        content='inquiries', content_rowid='id', tokenize='{_TOKENIZE}')""",
    """CREATE TRIGGER inquiries_fts_insert AFTER INSERT ON inquiries BEGIN
        INSERT INTO inquiries_fts (rowid, first_name, last_name, email, message)
        VALUES (new.id, new.first_name, new.last_name, new.email, new.message);
    END""",
    """CREATE TRIGGER inquiries_fts_delete AFTER DELETE ON inquiries BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, first_name, last_name, email, message)
        VALUES ('delete', old.id, old.first_name, old.last_name, old.email, old.message);
    END""",
    """CREATE TRIGGER inquiries_fts_update
    AFTER UPDATE OF first_name, last_name, email, message ON inquiries BEGIN
        INSERT INTO inquiries_fts (inquiries_fts, rowid, first_name, last_name, email, message)
        VALUES ('delete', old.id, old.first_name, old.last_name, old.email, old.message);
        INSERT INTO inquiries_fts (rowid, first_name, last_name, email, message)
        VALUES (new.id, new.first_name, new.last_name, new.email, new.message);
    END""",
]


def upgrade() -> None:
    """Upgrade the schema."""
    # The old index and its triggers read inquiries.message: gone before the column is.
    for trigger in ("inquiries_fts_insert", "inquiries_fts_delete", "inquiries_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE inquiries_fts")

    op.create_table(
        "inquiry_messages",
        sa.Column("inquiry_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_inquiry_messages_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inquiry_id", name=op.f("pk_inquiry_messages")),
    )
    op.execute(
        "INSERT INTO inquiry_messages (inquiry_id, message)"
        " SELECT id, coalesce(message, '') FROM inquiries ORDER BY id"
    )
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_column("message")
        # Every inquiry already stored is checked once more for crisis language after the
        # upgrade (only those still "new" and not decided about can be flagged).
        batch_op.add_column(
            sa.Column("arrival_checked", sa.Boolean(), server_default=sa.text("0"), nullable=False)
        )

    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inquiries_unchecked",
            ["id"],
            unique=False,
            sqlite_where=sa.text("arrival_checked = 0"),
        )
        batch_op.create_index(
            "ix_inquiries_inbox_order",
            [
                "received_gmt",
                "id",
                "status",
                "pending_delete",
                "triage_status",
                "assignee",
                "urgent",
                "unread",
            ],
            unique=False,
        )

    for statement in FTS_DDL:
        op.execute(statement)
    op.execute("INSERT INTO inquiries_fts (inquiries_fts) VALUES ('rebuild')")

    op.create_table(
        "inquiry_counts",
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pending_delete", sa.Boolean(), nullable=False),
        sa.Column("triage_status", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("unread", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "status",
            "pending_delete",
            "triage_status",
            "assignee",
            "urgent",
            "unread",
            name=op.f("pk_inquiry_counts"),
        ),
    )
    op.execute(
        "INSERT INTO inquiry_counts"
        " (status, pending_delete, triage_status, assignee, urgent, unread, n)"
        " SELECT status, pending_delete, triage_status, assignee, urgent, unread, count(*)"
        " FROM inquiries"
        " GROUP BY status, pending_delete, triage_status, assignee, urgent, unread"
    )
    for statement in INQUIRY_COUNT_DDL:
        op.execute(statement)


def downgrade() -> None:
    """Downgrade the schema (never run by the app: it refuses newer files instead)."""
    for trigger in ("inquiry_counts_update", "inquiry_counts_delete", "inquiry_counts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table("inquiry_counts")
    for trigger in (
        "inquiries_fts_update",
        "inquiries_fts_delete",
        "inquiry_messages_fts_delete",
        "inquiry_messages_fts_update",
        "inquiry_messages_fts_insert",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE inquiries_fts")
    op.execute("DROP VIEW inquiry_search")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiries_inbox_order")
        batch_op.drop_index("ix_inquiries_unchecked")
        batch_op.drop_column("arrival_checked")

    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("message", sa.Text(), server_default=sa.text("''"), nullable=False)
        )
    op.execute(
        "UPDATE inquiries SET message = coalesce("
        "(SELECT m.message FROM inquiry_messages AS m WHERE m.inquiry_id = inquiries.id), '')"
    )
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.alter_column("message", server_default=None)  # as 0001 made it
    op.drop_table("inquiry_messages")

    for statement in _OLD_FTS_DDL:
        op.execute(statement)
    op.execute("INSERT INTO inquiries_fts (inquiries_fts) VALUES ('rebuild')")
