"""The reference site's database: a plain SQLite file, shaped like WordPress's tables.

Posts, inquiries and media share one ``posts`` table (and so one id sequence), as they share
``wp_posts`` in WordPress: an inquiry's id is never also a post's id, and ``wp/v2/posts/{id}`` of an
inquiry answers 404 as it does there. Type-specific data lives beside it (``inquiry_meta``,
``media``), keyed by the post id and deleted with it.

Times are naive UTC ``DATETIME`` values with whole seconds, like WordPress's ``*_gmt`` columns.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

logger = logging.getLogger(__name__)


class Base(DeclarativeBase):
    """Declarative base of the reference site's tables."""


class Option(Base):
    """A site setting (``wp_options``): ``blogname``, ``gmt_offset``, ``timezone_string``..."""

    __tablename__ = "options"

    name: Mapped[str] = mapped_column(String(191), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class User(Base):
    """A site user with exactly one role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(250))
    email: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    registered_gmt: Mapped[datetime] = mapped_column(DateTime)


class AppPassword(Base):
    """An application password; only a salted hash of it is stored."""

    __tablename__ = "app_passwords"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_gmt: Mapped[datetime] = mapped_column(DateTime)


class Post(Base):
    """A row of the shared posts table: a post, an inquiry or an attachment."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    slug: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[int] = mapped_column(Integer, default=0)
    date_gmt: Mapped[datetime] = mapped_column(DateTime)
    #: A draft whose date follows every save until someone sets one (WordPress's zero date_gmt).
    date_floating: Mapped[bool] = mapped_column(Boolean, default=False)
    modified_gmt: Mapped[datetime] = mapped_column(DateTime)
    featured_media: Mapped[int] = mapped_column(Integer, default=0)
    password: Mapped[str] = mapped_column(String(255), default="")
    comment_status: Mapped[str] = mapped_column(String(20), default="open")
    ping_status: Mapped[str] = mapped_column(String(20), default="open")
    sticky: Mapped[bool] = mapped_column(Boolean, default=False)
    format: Mapped[str] = mapped_column(String(20), default="standard")
    #: ``meta.clinicdesk_client_id``: the UUID the app sent when it created the record.
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    #: ``_wp_trash_meta_status``: the status before trashing (decides who may edit it).
    trashed_status: Mapped[str | None] = mapped_column(String(20), default=None)
    #: ``_wp_desired_post_slug``: the slug to give back when restored from the trash.
    desired_slug: Mapped[str | None] = mapped_column(String(200), default=None)

    __table_args__ = (
        Index("ix_posts_type_status_date", "type", "status", "date_gmt"),
        Index("ix_posts_type_modified", "type", "modified_gmt"),
        Index("ix_posts_type_slug", "type", "slug"),
        Index("ix_posts_status_date", "status", "date_gmt"),
        Index("ix_posts_client_id", "client_id"),
        Index("ix_posts_author", "author_id"),
    )


class Term(Base):
    """A category or a tag."""

    __tablename__ = "terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taxonomy: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    parent: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("taxonomy", "slug"),)


class PostTerm(Base):
    """A post's category or tag (``wp_term_relationships``)."""

    __tablename__ = "post_terms"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    term_id: Mapped[int] = mapped_column(
        ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class InquiryMeta(Base):
    """The registered meta of an inquiry, one column per key."""

    __tablename__ = "inquiry_meta"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_contact: Mapped[str] = mapped_column(String(10), default="email")
    state: Mapped[str] = mapped_column(String(2), default="")
    insurance: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    received_gmt: Mapped[datetime] = mapped_column(DateTime)
    triage_status: Mapped[str] = mapped_column(String(20), default="new")
    assignee: Mapped[int] = mapped_column(Integer, default=0)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    unread: Mapped[bool] = mapped_column(Boolean, default=True)


class Media(Base):
    """The file behind an attachment."""

    __tablename__ = "media"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    #: Path below the uploads folder, with forward slashes (``2024/05/photo.jpg``).
    file: Mapped[str] = mapped_column(String(400))
    mime_type: Mapped[str] = mapped_column(String(100))
    filesize: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    alt_text: Mapped[str] = mapped_column(Text, default="")
    caption: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")


class Note(Base):
    """One entry of an inquiry's append-only timeline."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(Integer)
    date_gmt: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)


class RateBucket(Base):
    """How many consultation requests one client address sent in the current window."""

    __tablename__ = "rate_buckets"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(Integer)


def open_database(path: Path) -> Engine:
    """Open (creating if needed) the site's SQLite file and its tables.

    WAL lets the threaded server read while a write is in progress; foreign keys make a permanent
    delete take a record's meta, terms and notes with it. Parameters are hidden from SQLAlchemy's
    error messages because they may hold inquiry fields, and errors get logged.
    """
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 30},
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    Base.metadata.create_all(engine)
    return engine


def get_option(session: Session, name: str, default: str = "") -> str:
    """The value of a site option, or ``default``."""
    value = session.scalar(select(Option.value).where(Option.name == name))
    return default if value is None else value


def set_option(session: Session, name: str, value: str) -> None:
    """Create or replace a site option."""
    session.merge(Option(name=name, value=value))
