"""Read-only questions the engine asks the cache that the stores' public API does not answer.

Only reads live here, each one indexed or bounded; every write goes through the stores (their
methods keep the outbox and the records in one transaction).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from clinicdesk.store import Cache
from clinicdesk.store.models import Inquiry, Media, OutboxEntry, Post, Term


def has_term_placeholders(cache: Cache) -> bool:
    """Whether a post names a category or tag the cache has not pulled yet."""
    with cache.read() as session:
        found = session.scalar(
            select(Term.id).where(Term.name == "", Term.remote_id.is_not(None)).limit(1)
        )
        return found is not None


def media_placeholders(cache: Cache, limit: int) -> list[int]:
    """Site ids of images posts use that the cache has not fetched yet (at most ``limit``)."""
    with cache.read() as session:
        rows = session.scalars(
            select(Media.remote_id)
            .where(
                Media.remote_id.is_not(None),
                Media.source_url == "",
                Media.local_path.is_(None),
            )
            .order_by(Media.remote_id)
            .limit(limit)
        )
        return [int(remote_id) for remote_id in rows if remote_id]


def due_scheduled_posts(cache: Cache, now: datetime) -> list[int]:
    """Site ids of posts the cache holds as ``future`` whose date has come.

    WordPress publishes them without changing ``modified_gmt``, so ``modified_after`` never
    shows the change: the engine re-reads them.
    """
    with cache.read() as session:
        rows = session.scalars(
            select(Post.remote_id).where(
                Post.status == "future",
                Post.date_gmt <= now,
                Post.remote_id.is_not(None),
            )
        )
        return [int(remote_id) for remote_id in rows if remote_id]


def create_queued(cache: Cache, entity: str, local_id: int) -> bool:
    """Whether the record still has a create (or upload) waiting in the outbox."""
    with cache.read() as session:
        count = session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(
                OutboxEntry.entity == entity,
                OutboxEntry.local_id == local_id,
                OutboxEntry.op.in_(("create", "upload")),
            )
        )
        return bool(count)


def inquiry_version(cache: Cache, local_id: int) -> datetime | None:
    """The site version (``modified_gmt``) an inquiry's local changes started from."""
    with cache.read() as session:
        return session.scalar(select(Inquiry.server_modified_gmt).where(Inquiry.id == local_id))
