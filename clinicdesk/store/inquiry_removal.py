"""Removing every inquiry from this computer, for a user the site no longer lets handle them.

Part of :class:`clinicdesk.store.inquiries.InquiryStore`. Nothing here logs a field of an
inquiry.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from clinicdesk.store.entity import CacheJob
from clinicdesk.store.models import Inquiry, InquiryMessage, Note, OutboxEntry
from clinicdesk.store.note_drafts import NOTE_DRAFT_KEY

logger = logging.getLogger(__name__)


class InquiryRemoval(CacheJob):
    """Removing the inquiries of one cache."""

    def remove_all(self) -> int:
        """Remove every inquiry from this computer, for a user the site no longer lets handle
        them (least privilege): with their messages, notes and search-index entries (cascades
        and triggers), every change to them waiting to be sent (the site would refuse it now),
        and the inquiry and note sync cursors (were the user allowed again, all of them would be
        fetched anew). One transaction, with SQLite's ``secure_delete`` on, so the freed pages
        are overwritten rather than left holding the text. The copies made before schema
        migrations (``backups/``) hold every inquiry too, readable with the key still in the
        keyring: they are deleted as well, every time (also when the cache itself held none, so
        a removal interrupted before it got to them is finished).

        Returns:
            How many inquiries were removed from the cache. Nothing is written to it when there
            was nothing to remove.
        """
        from sqlalchemy import delete, exists

        from clinicdesk.store.models import Meta, SyncCursor

        entities, resources = ("inquiry", "note"), ("inquiries", "notes")
        leftovers = select(
            exists().select_from(Inquiry)
            | exists().where(OutboxEntry.entity.in_(entities))
            | exists().where(SyncCursor.resource.in_(resources))
        )
        with self._cache.read() as session:
            if not session.scalar(leftovers):
                self._cache.prune_backups()
                return 0
        with self._cache.write() as session:
            connection = session.connection()
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
            try:
                removed = session.scalar(select(func.count()).select_from(Inquiry)) or 0
                session.execute(delete(OutboxEntry).where(OutboxEntry.entity.in_(entities)))
                session.execute(delete(Note))
                session.execute(delete(InquiryMessage))
                session.execute(delete(Inquiry))
                session.execute(delete(SyncCursor).where(SyncCursor.resource.in_(resources)))
                # A note half-written about one of them, kept across a lock, goes too.
                session.execute(delete(Meta).where(Meta.key == NOTE_DRAFT_KEY))
                # The index's deletes only add tombstones: rebuilt (empty), no segment of it
                # keeps a word of theirs.
                for fts in ("inquiries_fts", "notes_fts"):
                    session.execute(
                        sql_text(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")  # noqa: S608
                    )
            finally:
                # The connection goes back to the pool: other writes need not pay for it.
                connection.exec_driver_sql("PRAGMA secure_delete = OFF")
        logger.info("removed %d inquiries from the offline copy", removed)
        self._cache.prune_backups()
        return removed
