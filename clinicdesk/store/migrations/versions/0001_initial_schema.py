"""The initial schema: records, sync bookkeeping, the outbox, and full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Dates are naive UTC text (``UTCDateTime`` in the models). The FTS5 tables are external-content
tables over ``posts`` and ``inquiries``, kept current by triggers; rebuilding either table in a
later migration (batch mode) drops those triggers, so such a migration must create them again
(``FTS_DDL`` below, copied, not imported: a migration must not change after it shipped).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: Unicode-aware tokens, case-folded, diacritics removed ("José" matches "jose").
_TOKENIZE = "unicode61 remove_diacritics 2"

FTS_DDL = [
    f"""CREATE VIRTUAL TABLE posts_fts USING fts5(
        title, content, content='posts', content_rowid='id', tokenize='{_TOKENIZE}')""",
    """CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
        INSERT INTO posts_fts (rowid, title, content) VALUES (new.id, new.title, new.content);
    END""",
    """CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
        INSERT INTO posts_fts (posts_fts, rowid, title, content)
        VALUES ('delete', old.id, old.title, old.content);
    END""",
    """CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, content ON posts BEGIN
        INSERT INTO posts_fts (posts_fts, rowid, title, content)
        VALUES ('delete', old.id, old.title, old.content);
        INSERT INTO posts_fts (rowid, title, content) VALUES (new.id, new.title, new.content);
    END""",
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
    op.create_table(
        "inquiries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("date_gmt", sa.DateTime(), nullable=False),
        sa.Column("modified_gmt", sa.DateTime(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("preferred_contact", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("insurance", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("received_gmt", sa.DateTime(), nullable=False),
        sa.Column("triage_status", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.Integer(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("unread", sa.Boolean(), nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=True),
        sa.Column("server_modified_gmt", sa.DateTime(), nullable=True),
        sa.Column("dirty", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("base", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("server_copy", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("conflict", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("rejected_message", sa.Text(), nullable=True),
        sa.Column("deleted_on_site", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("pending_delete", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
        sa.UniqueConstraint("remote_id", name=op.f("uq_inquiries_remote_id")),
    )
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inquiries_assignee_received_gmt", ["assignee", "received_gmt"], unique=False
        )
        batch_op.create_index("ix_inquiries_dirty", ["dirty"], unique=False)
        batch_op.create_index(
            "ix_inquiries_status_received_gmt", ["status", "received_gmt"], unique=False
        )
        batch_op.create_index(
            "ix_inquiries_triage_status_received_gmt",
            ["triage_status", "received_gmt"],
            unique=False,
        )
        batch_op.create_index(
            "ix_inquiries_unread_received_gmt", ["unread", "received_gmt"], unique=False
        )
        batch_op.create_index(
            "ix_inquiries_urgent_received_gmt", ["urgent", "received_gmt"], unique=False
        )
        batch_op.create_index(
            "ix_inquiries_view_counts",
            ["status", "pending_delete", "triage_status", "assignee", "urgent", "unread"],
            unique=False,
        )

    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("media_type", sa.String(length=16), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("date_gmt", sa.DateTime(), nullable=True),
        sa.Column("modified_gmt", sa.DateTime(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("local_path", sa.Text(), nullable=True),
        sa.Column("client_id", sa.String(length=36), nullable=True),
        sa.Column("is_new", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=True),
        sa.Column("server_modified_gmt", sa.DateTime(), nullable=True),
        sa.Column("dirty", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("base", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("server_copy", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("conflict", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("rejected_message", sa.Text(), nullable=True),
        sa.Column("deleted_on_site", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("pending_delete", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint("client_id", name=op.f("uq_media_client_id")),
        sa.UniqueConstraint("remote_id", name=op.f("uq_media_remote_id")),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_entity_local_id", ["entity", "local_id"], unique=False)
        batch_op.create_index("ix_outbox_state_id", ["state", "id"], unique=False)

    op.create_table(
        "sync_cursors",
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("modified_after", sa.DateTime(), nullable=True),
        sa.Column("last_full_sweep", sa.DateTime(), nullable=True),
        sa.Column("after_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("resource", name=op.f("pk_sync_cursors")),
    )
    op.create_table(
        "terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taxonomy", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=True),
        sa.Column("is_new", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=True),
        sa.Column("server_modified_gmt", sa.DateTime(), nullable=True),
        sa.Column("dirty", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("base", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("server_copy", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("conflict", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("rejected_message", sa.Text(), nullable=True),
        sa.Column("deleted_on_site", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("pending_delete", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["terms.id"], name=op.f("fk_terms_parent_id_terms"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terms")),
        sa.UniqueConstraint("client_id", name=op.f("uq_terms_client_id")),
        sa.UniqueConstraint("remote_id", name=op.f("uq_terms_remote_id")),
    )
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.create_index("ix_terms_taxonomy_name", ["taxonomy", "name"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("slug", sa.String(length=250), nullable=False),
        sa.Column("roles", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("is_staff", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=36), nullable=True),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(length=250), nullable=False),
        sa.Column("date_gmt", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("pending", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("rejected_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_notes_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
        sa.UniqueConstraint("client_id", name=op.f("uq_notes_client_id")),
        sa.UniqueConstraint("remote_id", name=op.f("uq_notes_remote_id")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notes_inquiry_id_date_gmt", ["inquiry_id", "date_gmt"], unique=False
        )

    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("generated_slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("author", sa.Integer(), nullable=False),
        sa.Column("featured_media_id", sa.Integer(), nullable=True),
        sa.Column("date_gmt", sa.DateTime(), nullable=True),
        sa.Column("modified_gmt", sa.DateTime(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=True),
        sa.Column("is_new", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=True),
        sa.Column("server_modified_gmt", sa.DateTime(), nullable=True),
        sa.Column("dirty", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("base", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("server_copy", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("conflict", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("rejected_message", sa.Text(), nullable=True),
        sa.Column("deleted_on_site", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("pending_delete", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["featured_media_id"],
            ["media.id"],
            name=op.f("fk_posts_featured_media_id_media"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("client_id", name=op.f("uq_posts_client_id")),
        sa.UniqueConstraint("remote_id", name=op.f("uq_posts_remote_id")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_dirty", ["dirty"], unique=False)
        batch_op.create_index("ix_posts_modified_gmt", ["modified_gmt"], unique=False)
        batch_op.create_index(
            "ix_posts_status_modified_gmt", ["status", "modified_gmt"], unique=False
        )

    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("fields", sa.JSON(none_as_null=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_revisions_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_revisions")),
    )
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.create_index("ix_post_revisions_post_id_id", ["post_id", "id"], unique=False)

    op.create_table(
        "post_terms",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_terms_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["term_id"], ["terms.id"], name=op.f("fk_post_terms_term_id_terms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "term_id", name=op.f("pk_post_terms")),
    )
    with op.batch_alter_table("post_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_terms_term_id"), ["term_id"], unique=False)

    for statement in FTS_DDL:
        op.execute(statement)


def downgrade() -> None:
    """Downgrade the schema (never run by the app: it refuses newer files instead)."""
    op.execute("DROP TABLE inquiries_fts")
    op.execute("DROP TABLE posts_fts")
    with op.batch_alter_table("post_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_terms_term_id"))

    op.drop_table("post_terms")
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_post_revisions_post_id_id")

    op.drop_table("post_revisions")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_status_modified_gmt")
        batch_op.drop_index("ix_posts_modified_gmt")
        batch_op.drop_index("ix_posts_dirty")

    op.drop_table("posts")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index("ix_notes_inquiry_id_date_gmt")

    op.drop_table("notes")
    op.drop_table("users")
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.drop_index("ix_terms_taxonomy_name")

    op.drop_table("terms")
    op.drop_table("sync_cursors")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_state_id")
        batch_op.drop_index("ix_outbox_entity_local_id")

    op.drop_table("outbox")
    op.drop_table("meta")
    op.drop_table("media")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiries_urgent_received_gmt")
        batch_op.drop_index("ix_inquiries_view_counts")
        batch_op.drop_index("ix_inquiries_unread_received_gmt")
        batch_op.drop_index("ix_inquiries_triage_status_received_gmt")
        batch_op.drop_index("ix_inquiries_status_received_gmt")
        batch_op.drop_index("ix_inquiries_dirty")
        batch_op.drop_index("ix_inquiries_assignee_received_gmt")

    op.drop_table("inquiries")
