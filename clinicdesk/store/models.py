"""The cache's tables, as typed SQLAlchemy 2.0 models.

They mirror :mod:`clinicdesk.model.records`, plus the bookkeeping that local-first editing and
sync need. Every record has a local primary key (``id``) that never changes; ``remote_id`` is the
site's id, unknown until a local create has been sent. Links between records (a post's categories,
its featured image, a note's inquiry) use local ids, so a post can use a category created offline;
the site's ids appear only at the site boundary (:mod:`clinicdesk.store.outbox` translates).

Sync bookkeeping, per record (the :class:`Synced` mixin):

``server_modified_gmt``
    the site's version (``modified_gmt``) the local copy is based on.
``dirty`` / ``base``
    the record has local changes not yet on the site; ``base`` holds the editable fields as they
    were on the site when the first of those changes was made (the common ancestor of a
    three-way merge).
``server_copy``
    the site's newer version (editable fields + ``modified_gmt``), kept when it arrived while the
    record was dirty: local fields are never overwritten by a pull.
``conflict``
    a merge failed; local fields and ``server_copy`` are both kept until the user chooses.
``rejected_message``
    the site refused the change (400/403); its message, for the user.
``deleted_on_site``
    deleted on the site while it had local changes: kept and surfaced, never dropped.
``pending_delete``
    deleted locally for good; hidden from lists until the site confirms.

Plain rows never leave the store: queries return the frozen DTOs of :mod:`clinicdesk.model.cached`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Constraint names Alembic's batch mode (table rebuilds on SQLite) can refer to.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime, stored as naive UTC text (sortable as text).

    Naive datetimes are refused: every datetime in the app is aware (see ``site.records``).
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to naive UTC for storage."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the cache; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Mark the stored value as UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


JsonDict = dict[str, Any]


class Base(DeclarativeBase):
    """The declarative base of every cache table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        datetime: UTCDateTime(),
        JsonDict: JSON(none_as_null=True),
        list[int]: JSON(none_as_null=True),
        list[str]: JSON(none_as_null=True),
    }


def utcnow() -> datetime:
    """The current time, aware UTC, to the second (the site's resolution)."""
    return datetime.now(UTC).replace(microsecond=0)


class Synced:
    """Sync bookkeeping shared by every record that can be edited locally (see module doc)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    remote_id: Mapped[int | None] = mapped_column(unique=True)
    server_modified_gmt: Mapped[datetime | None]
    dirty: Mapped[bool] = mapped_column(default=False, server_default=text("0"))
    base: Mapped[JsonDict | None]
    server_copy: Mapped[JsonDict | None]
    conflict: Mapped[bool] = mapped_column(default=False, server_default=text("0"))
    rejected_message: Mapped[str | None] = mapped_column(Text)
    deleted_on_site: Mapped[bool] = mapped_column(default=False, server_default=text("0"))
    pending_delete: Mapped[bool] = mapped_column(default=False, server_default=text("0"))


class Creatable(Synced):
    """Bookkeeping of records the app can create: the idempotency UUID and the "new" flag."""

    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    is_new: Mapped[bool] = mapped_column(default=False, server_default=text("0"))


class Meta(Base):
    """Key/value facts about the cache: the app version that wrote it, the signed-in user...."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    """A site user: a post author (``wp/v2/users``) and/or a staff member (``clinicdesk/v1/staff``).

    Users are never created by the app, so the site's id is the primary key.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(250), default="")
    slug: Mapped[str] = mapped_column(String(250), default="")
    roles: Mapped[list[str]] = mapped_column(default=list)
    is_staff: Mapped[bool] = mapped_column(default=False, server_default=text("0"))


class Term(Creatable, Base):
    """A category or a tag. A row with ``name == ""`` and a remote id is a placeholder for a term
    a post referred to before the term itself was pulled."""

    __tablename__ = "terms"
    __table_args__ = (Index("ix_terms_taxonomy_name", "taxonomy", "name"),)

    taxonomy: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    slug: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id", ondelete="SET NULL"))
    count: Mapped[int] = mapped_column(default=0)


class Media(Creatable, Base):
    """An uploaded file, or one queued for upload (``local_path`` set, ``is_new``)."""

    __tablename__ = "media"

    source_url: Mapped[str] = mapped_column(Text, default="")
    mime_type: Mapped[str] = mapped_column(String(100), default="")
    media_type: Mapped[str] = mapped_column(String(16), default="")
    alt_text: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    date_gmt: Mapped[datetime | None]
    modified_gmt: Mapped[datetime | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
    local_path: Mapped[str | None] = mapped_column(Text)


class Post(Creatable, Base):
    """A blog post (``records.Post``), with its categories and tags in :class:`PostTerm`."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_status_modified_gmt", "status", "modified_gmt"),
        Index("ix_posts_modified_gmt", "modified_gmt"),
        Index("ix_posts_dirty", "dirty"),
    )

    status: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(200), default="")
    generated_slug: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[int] = mapped_column(default=0)
    featured_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL")
    )
    date_gmt: Mapped[datetime | None]
    #: The last change, local or on the site: what lists sort by.
    modified_gmt: Mapped[datetime]
    link: Mapped[str] = mapped_column(Text, default="")


class PostTerm(Base):
    """A post's category or tag (local ids on both sides)."""

    __tablename__ = "post_terms"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    term_id: Mapped[int] = mapped_column(
        ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PostRevision(Base):
    """A saved version of a post's editable fields, for "restore" (bounded per post)."""

    __tablename__ = "post_revisions"
    __table_args__ = (Index("ix_post_revisions_post_id_id", "post_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    #: "local" (before a local edit session) or "site" (before the site's version replaced it).
    origin: Mapped[str] = mapped_column(String(8))
    fields: Mapped[JsonDict]


class Inquiry(Synced, Base):
    """A consultation inquiry (``records.Inquiry``). Only ``status`` and the triage fields are
    edited locally; the form fields always follow the site.

    The message is kept apart, in :class:`InquiryMessage`: at 300 to 3,000 characters it is most
    of an inquiry's bytes, and every list, count and sort reads whole rows of this table.
    """

    __tablename__ = "inquiries"
    __table_args__ = (
        # The inbox views: each filters on one column and sorts by arrival, newest first.
        Index("ix_inquiries_status_received_gmt", "status", "received_gmt"),
        Index("ix_inquiries_triage_status_received_gmt", "triage_status", "received_gmt"),
        Index("ix_inquiries_assignee_received_gmt", "assignee", "received_gmt"),
        Index("ix_inquiries_urgent_received_gmt", "urgent", "received_gmt"),
        Index("ix_inquiries_unread_received_gmt", "unread", "received_gmt"),
        Index("ix_inquiries_dirty", "dirty"),
        # Covers every view's filter, so the view counts never read the rows themselves.
        Index(
            "ix_inquiries_view_counts",
            "status",
            "pending_delete",
            "triage_status",
            "assignee",
            "urgent",
            "unread",
        ),
        # The arrivals still to check for crisis language (few, and read after every round).
        Index("ix_inquiries_unchecked", "id", sqlite_where=text("arrival_checked = 0")),
        # The inbox's order (arrival, then local id) with every view's filter: a whole view
        # is read in that order from the index alone (no sort, no rows).
        Index(
            "ix_inquiries_inbox_order",
            "received_gmt",
            "id",
            "status",
            "pending_delete",
            "triage_status",
            "assignee",
            "urgent",
            "unread",
        ),
    )

    status: Mapped[str] = mapped_column(String(16))
    date_gmt: Mapped[datetime]
    modified_gmt: Mapped[datetime]
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_contact: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(2), default="")
    insurance: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    consent: Mapped[bool]
    received_gmt: Mapped[datetime]
    triage_status: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[int] = mapped_column(default=0)
    urgent: Mapped[bool]
    unread: Mapped[bool]
    #: False until the crisis-language check of new arrivals has read this inquiry. Stored
    #: False with the inquiry itself, so a crash between storing and checking cannot skip it.
    arrival_checked: Mapped[bool] = mapped_column(default=False, server_default=text("0"))


class InquiryMessage(Base):
    """An inquiry's message, one row per inquiry (every inquiry has one), keyed by its local id.

    Apart from :class:`Inquiry` so that scanning the inbox (views, counts, sorts) reads a few
    hundred bytes per inquiry instead of kilobytes of text, all of which SQLCipher would decrypt.
    Deleted with its inquiry (``ON DELETE CASCADE``).
    """

    __tablename__ = "inquiry_messages"

    inquiry_id: Mapped[int] = mapped_column(
        ForeignKey("inquiries.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    message: Mapped[str] = mapped_column(Text, default="")


class InquiryCount(Base):
    """How many inquiries share one combination of the columns the inbox views filter on.

    Kept by triggers on ``inquiries`` (created by the migrations, see ``INQUIRY_COUNT_DDL`` in
    0002), so the nine view counts the inbox shows on every load (each keystroke of a search)
    add up a few hundred rows instead of counting every inquiry. A migration that rebuilds
    ``inquiries`` drops those triggers and must create them again.
    """

    __tablename__ = "inquiry_counts"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    pending_delete: Mapped[bool] = mapped_column(primary_key=True)
    triage_status: Mapped[str] = mapped_column(String(16), primary_key=True)
    assignee: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    urgent: Mapped[bool] = mapped_column(primary_key=True)
    unread: Mapped[bool] = mapped_column(primary_key=True)
    n: Mapped[int]


class Note(Base):
    """One entry of an inquiry's append-only timeline. A note written here and not yet sent has
    no ``remote_id``; its ``client_id`` makes the site's create idempotent."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_inquiry_id_date_gmt", "inquiry_id", "date_gmt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    remote_id: Mapped[int | None] = mapped_column(unique=True)
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    author: Mapped[int] = mapped_column(default=0)
    author_name: Mapped[str] = mapped_column(String(250), default="")
    date_gmt: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    pending: Mapped[bool] = mapped_column(default=False, server_default=text("0"))
    rejected_message: Mapped[str | None] = mapped_column(Text)


class OutboxEntry(Base):
    """One local change waiting to be sent, replayed in ``id`` order.

    ``sqlite_autoincrement`` keeps ids increasing forever (never reused after a delete), so the
    order of entries is the order of the user's actions.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_entity_local_id", "entity", "local_id"),
        Index("ix_outbox_state_id", "state", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: "post", "term", "media", "inquiry" or "note".
    entity: Mapped[str] = mapped_column(String(16))
    local_id: Mapped[int]
    #: "create", "update", "trash", "delete", "upload" or "note".
    op: Mapped[str] = mapped_column(String(16))
    #: The changed fields (local ids), coalesced while the entry waits.
    payload: Mapped[JsonDict]
    #: "pending", "in_flight" (being sent; after a crash: outcome unknown) or "held" (its record
    #: is in conflict, rejected or deleted on the site: waits for the user), or "staged" (an edit
    #: of a post live on the site, kept off it until the user clicks Update).
    state: Mapped[str] = mapped_column(String(16), default="pending")
    #: Times a send was started. Above zero, the site may already have the change.
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SyncCursor(Base):
    """How far a pull of one resource ("posts", "inquiries", "notes", ...) has come."""

    __tablename__ = "sync_cursors"

    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The highest ``modified_gmt`` seen (next pull: ``modified_after`` this, minus overlap).
    modified_after: Mapped[datetime | None]
    #: When the last full id sweep (finding permanent deletions) finished.
    last_full_sweep: Mapped[datetime | None]
    #: For notes: the highest note id seen.
    after_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


#: The full-text indexes: FTS5 table -> (content table or view, indexed columns). Created, with
#: the triggers keeping them current, by the migrations (see ``search``). ``inquiry_search`` is a
#: view joining each inquiry's fields shown in the inbox with its message (:class:`InquiryMessage`).
FTS_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "posts_fts": ("posts", ("title", "content")),
    "inquiries_fts": (
        "inquiry_search",
        (
            "first_name",
            "last_name",
            "email",
            "reason",
            "insurance",
            "state",
            "preferred_contact",
            "message",
        ),
    ),
    "notes_fts": ("notes", ("content", "author_name")),
}
