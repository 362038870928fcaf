"""The outbox and the sync bookkeeping: what the sync engine reads and marks.

The engine replays the outbox in order::

    cache.outbox.requeue_in_flight()          # at start: entries a crash left mid-send
    while (item := cache.outbox.claim_next()) is not None:
        body = cache.outbox.post_fields(item)  # site ids; raises UnsyncedDependencyError
        ...send...
        cache.outbox.mark_pushed(item.id, site_record)      # or:
        cache.outbox.mark_failed(item.id, "timed out")      # retry later
        cache.outbox.mark_rejected(item.id, site_message)   # 400/403: the user must act
        cache.outbox.unclaim(item.id)                       # or: claimed, never sent

An entry being sent is ``in_flight``: local edits made meanwhile go into a new entry instead of
changing what is on the wire. Entries of a record in conflict, rejected, or deleted on the site
are ``held`` and skipped until the user settles it; other records go on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, TypedDict, cast

from sqlalchemy import bindparam, delete, exists, func, null, select
from sqlalchemy.orm import Session, aliased

from clinicdesk.model import records
from clinicdesk.model.cached import CursorInfo, EntityKind, OutboxItem, OutboxOp, OutboxState
from clinicdesk.store.common import AnySelect, drop_entries, pending_count, set_held
from clinicdesk.store.entity import EntityAdapter, Transactions
from clinicdesk.store.errors import InvalidEditError, RecordNotFoundError
from clinicdesk.store.models import (
    Inquiry,
    Media,
    Note,
    OutboxEntry,
    Post,
    SyncCursor,
    Term,
    utcnow,
)

logger = logging.getLogger(__name__)


SiteRecord = records.Post | records.Inquiry | records.Term | records.Media | records.Note
DeletedOutcome = Literal["dropped", "kept", "unknown"]


_BLOCKER = aliased(OutboxEntry)
#: The oldest pending entry of a record with nothing held or in flight. Built once: a push
#: claims an entry per change, and building the statement cost more than running it.
_NEXT_SENDABLE = (
    select(OutboxEntry)
    .where(
        OutboxEntry.state == "pending",
        ~exists().where(
            _BLOCKER.entity == OutboxEntry.entity,
            _BLOCKER.local_id == OutboxEntry.local_id,
            _BLOCKER.state.in_(("held", "in_flight")),
        ),
    )
    .order_by(OutboxEntry.id)
    .limit(1)
)


class InquiryChange(TypedDict):
    """A queued inquiry change as the site's write: triage meta, and the status to restore."""

    triage: records.InquiryTriage
    status: Literal["private"] | None


#: A record's site id and client id, by entity and local id. Built once: a push reads them for
#: every change it claims, and a whole row (an inquiry's form) is not needed for them.
_SITE_KEYS: dict[str, AnySelect] = {
    "post": select(Post.remote_id, Post.client_id).where(Post.id == bindparam("local_id")),
    "inquiry": select(Inquiry.remote_id, null()).where(Inquiry.id == bindparam("local_id")),
    "term": select(Term.remote_id, Term.client_id).where(Term.id == bindparam("local_id")),
    "media": select(Media.remote_id, Media.client_id).where(Media.id == bindparam("local_id")),
    "note": select(Note.remote_id, Note.client_id).where(Note.id == bindparam("local_id")),
}


def _item(session: Session, entry: OutboxEntry) -> OutboxItem:
    remote_id: int | None = None
    client_id: str | None = None
    keys = session.execute(_SITE_KEYS[entry.entity], {"local_id": entry.local_id}).first()
    if keys is not None:
        remote_id, client_id = keys
    return OutboxItem(
        id=entry.id,
        entity=cast(EntityKind, entry.entity),
        local_id=entry.local_id,
        op=cast(OutboxOp, entry.op),
        payload=dict(entry.payload),
        state=cast(OutboxState, entry.state),
        attempts=entry.attempts,
        last_error=entry.last_error,
        remote_id=remote_id,
        client_id=client_id,
        created_at=entry.created_at,
    )


def _cursor_info(row: SyncCursor | None, resource: str) -> CursorInfo:
    if row is None:
        return CursorInfo(resource, None, None, 0)
    return CursorInfo(row.resource, row.modified_after, row.last_full_sweep, row.after_id)


class OutboxStore:
    """The outbox and sync cursors of one cache.

    Args:
        cache: the open cache.
    """

    def __init__(self, cache: Transactions, adapters: Mapping[str, EntityAdapter]) -> None:
        self._cache = cache
        # One per kind of record, registered by the engine: the outbox never names an entity.
        self._adapters = adapters

    # -- reading the queue -----------------------------------------------------------------------

    def entries(self) -> list[OutboxItem]:
        """Every entry, in replay order (for a "waiting changes" view)."""
        with self._cache.read() as session:
            return [
                _item(session, e)
                for e in session.scalars(select(OutboxEntry).order_by(OutboxEntry.id))
            ]

    def count(self) -> int:
        """How many changes wait to reach the site (pending, being sent, or held).

        Edits to a published post that are staged until the user clicks Update are not counted:
        they will not go at the next sync, so "N changes waiting to sync" must not promise it.
        """
        with self._cache.read() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(OutboxEntry)
                    .where(OutboxEntry.state != "staged")
                )
                or 0
            )

    def claim_next(self) -> OutboxItem | None:
        """Take the oldest sendable entry and mark it in flight (its ``attempts`` go up by one).

        Entries of a record that has an entry held or already in flight are skipped, so one
        record's changes go out in order and a stuck record does not stop the others.
        """
        with self._cache.write() as session:
            entry = session.scalars(_NEXT_SENDABLE).first()
            if entry is None:
                return None
            entry.state = "in_flight"
            entry.attempts += 1
            entry.updated_at = utcnow()
            session.flush()
            return _item(session, entry)

    def unclaim(self, entry_id: int) -> None:
        """Put back an entry claimed but never sent (the push stopped before its turn) as it
        was: waiting, its ``attempts`` down by one, since nothing of it reached the site.

        An entry no longer in flight (or gone) is left alone.
        """
        with self._cache.write() as session:
            entry = session.get(OutboxEntry, entry_id)
            if entry is None or entry.state != "in_flight":
                return
            entry.state = "pending"
            entry.attempts = max(0, entry.attempts - 1)
            entry.updated_at = utcnow()

    def requeue_in_flight(self) -> int:
        """Put entries left in flight (by a crash or a stopped sync) back in the queue.

        Their ``attempts`` stay above zero: the site may have them already, so a create is
        looked up by its ``client_id`` before it is sent again.

        Returns:
            How many entries were put back.
        """
        with self._cache.write() as session:
            entries = session.scalars(
                select(OutboxEntry).where(OutboxEntry.state == "in_flight")
            ).all()
            for entry in entries:
                entry.state = "pending"
            return len(entries)

    # -- marking outcomes ------------------------------------------------------------------------

    def mark_pushed(
        self, entry_id: int, record: SiteRecord | None, *, adopted: bool = False
    ) -> None:
        """The site accepted an entry.

        Args:
            entry_id: the entry.
            record: the site's record after the change (the created or updated post, the
                note...), or None after a permanent delete. When more local changes of the
                record wait, its fields are kept and the record becomes their new base.
            adopted: a post create's ``record`` was found by its client id after a lost
                answer: its base is what the create sent (``posts.adopt_post``).
        """
        with self._cache.write() as session:
            entry = self._entry(session, entry_id)
            adapter = self._adapter(entry.entity)
            if not adapter.answers(record):
                raise TypeError(f"a {type(record).__name__} does not answer a {entry.entity}")
            apply = adapter.apply_adopted if adopted else adapter.apply_pushed
            if apply is None:
                raise TypeError(f"a {entry.entity} create is never adopted")
            apply(session, entry, record)

    def record_sent(self, entry_id: int, payload: Mapping[str, Any]) -> None:
        """Keep in a create entry what is about to be sent (the post as it is now), before it
        goes: if its answer is lost, the post found later by its client id is merged from this
        (``posts.adopt_post``), not from whatever the site holds by then."""
        with self._cache.write() as session:
            entry = self._entry(session, entry_id)
            entry.payload = dict(payload)
            entry.updated_at = utcnow()

    def mark_failed(self, entry_id: int, error: str) -> None:
        """Sending failed in a way worth retrying (offline, timeout, 5xx, 429): queue it again.

        Args:
            entry_id: the entry.
            error: a short description for a "waiting changes" view (no record content).
        """
        with self._cache.write() as session:
            entry = self._entry(session, entry_id)
            entry.state = "pending"
            entry.last_error = error
            entry.updated_at = utcnow()

    def mark_rejected(self, entry_id: int, message: str) -> None:
        """The site refused the change (400/403): mark the record rejected and hold its entries.

        The record keeps its local fields; editing it again (or discarding the changes) is what
        releases it. Other records' entries go on.

        Args:
            entry_id: the entry.
            message: the site's message, shown to the user with the record.
        """
        with self._cache.write() as session:
            entry = self._entry(session, entry_id)
            entry.state = "held"
            entry.last_error = message
            entry.updated_at = utcnow()
            row = session.get(self._adapter(entry.entity).model, entry.local_id)
            if row is not None:
                row.rejected_message = message
            set_held(session, cast(EntityKind, entry.entity), entry.local_id, held=True)

    def mark_conflict(
        self,
        entity: Literal["post", "inquiry"],
        local_id: int,
        server: records.Post | records.Inquiry | None = None,
    ) -> None:
        """A merge of local changes with the site's version failed: keep both, hold the record.

        Args:
            entity: "post" or "inquiry".
            local_id: the record.
            server: the site's current version; when None, the copy already stored by a pull
                (``upsert_from_site``) is the one kept.
        """
        adapter = self._adapter(entity)
        with self._cache.write() as session:
            row = session.get(adapter.model, local_id)
            if row is None:
                raise RecordNotFoundError("This record is no longer in the offline copy.")
            if server is not None:
                if adapter.keep_server_copy is None or not adapter.answers(server):
                    raise TypeError(f"a {type(server).__name__} is no version of a {entity}")
                adapter.keep_server_copy(session, server)
                session.flush()
                session.refresh(row)
            if row.server_copy is None:
                raise InvalidEditError("There is no version from the site to keep beside it.")
            row.conflict = True
            set_held(session, entity, local_id, held=True)

    def mark_deleted_on_site(
        self, entity: Literal["post", "inquiry", "term", "media"], remote_id: int
    ) -> DeletedOutcome:
        """The site no longer has a record (found by a sweep, or a 404/410 answer).

        A record without local changes is dropped. One with local changes is kept, flagged and
        surfaced, its entries held: the user decides (``recreate`` or ``discard_changes``).
        A record the user had deleted here is simply dropped. An inquiry with notes not yet
        sent counts as changed: the notes are kept with it.

        Returns:
            "dropped", "kept", or "unknown" when the cache did not have it.
        """
        adapter = self._adapter(entity)
        model = adapter.model
        with self._cache.write() as session:
            row = session.scalar(select(model).where(model.remote_id == remote_id))
            if row is None:
                return "unknown"
            waiting = pending_count(session, entity, row.id)
            children = adapter.unsent_children
            unsent_notes = children(session, row.id) if children is not None else []
            if row.pending_delete or (not row.dirty and waiting == 0 and not unsent_notes):
                if adapter.drop is not None:
                    adapter.drop(session, row)
                else:
                    drop_entries(session, entity, row.id)
                    session.delete(row)
                return "dropped"
            row.deleted_on_site = True
            set_held(session, entity, row.id, held=True)
            for note_id in unsent_notes:  # they could only be refused now
                set_held(session, "note", note_id, held=True)
            return "kept"

    # -- site bodies (local ids -> site ids) -----------------------------------------------------

    def post_fields(self, item: OutboxItem) -> records.PostFields:
        """A post entry's payload as the site's write fields.

        Raises:
            UnsyncedDependencyError: a term or image it uses is not on the site yet.
        """
        return cast(records.PostFields, self.site_fields(item))

    def inquiry_change(self, item: OutboxItem) -> InquiryChange:
        """An inquiry update's payload as triage meta (and a status when restoring)."""
        payload: Mapping[str, Any] = item.payload
        triage = cast(
            records.InquiryTriage,
            {k: payload[k] for k in records.TRIAGE_FIELDS if k in payload},
        )
        status: Literal["private"] | None = (
            "private" if payload.get("status") == "private" else None
        )
        return InquiryChange(triage=triage, status=status)

    def note_fields(self, item: OutboxItem) -> dict[str, Any]:
        """A note entry as the body of ``POST clinicdesk/v1/notes``."""
        return cast(dict[str, Any], self.site_fields(item))

    def term_fields(self, item: OutboxItem) -> dict[str, object]:
        """A term create as its body (``name``, ``parent``)."""
        return cast(dict[str, object], self.site_fields(item))

    def site_fields(self, item: OutboxItem) -> object:
        """An entry's write body, local ids made the site's (its kind's adapter builds it).

        Raises:
            UnsyncedDependencyError: a record it refers to is not on the site yet.
        """
        build = self._adapter(item.entity).site_fields
        if build is None:
            raise TypeError(f"a {item.entity} change has no body of its own")
        with self._cache.read() as session:
            return build(session, session.get(OutboxEntry, item.id), item.payload)

    def upload_file(self, item: OutboxItem) -> tuple[str, str] | None:
        """The local file and MIME type of an upload entry (None if the item is gone)."""
        with self._cache.read() as session:
            row = session.get(Media, item.local_id)
            if row is None or row.local_path is None:
                return None
            return row.local_path, row.mime_type

    # -- what the cache knows (for the deletion sweeps) -------------------------------------------

    def known_versions(
        self, entity: Literal["post", "inquiry", "term", "media"]
    ) -> dict[int, datetime | None]:
        """Site id -> the site version the cache holds, for every record that is on the site."""
        model = self._adapter(entity).model
        with self._cache.read() as session:
            rows = session.execute(
                select(model.remote_id, model.server_modified_gmt).where(
                    model.remote_id.is_not(None)
                )
            )
            return {int(remote_id): version for remote_id, version in rows if remote_id}

    # -- cursors ---------------------------------------------------------------------------------

    def cursor(self, resource: str) -> CursorInfo:
        """Where the pull of ``resource`` ("posts", "inquiries", "notes"...) stands."""
        with self._cache.read() as session:
            return _cursor_info(session.get(SyncCursor, resource), resource)

    def set_cursor(
        self,
        resource: str,
        *,
        modified_after: datetime | None = None,
        last_full_sweep: datetime | None = None,
        after_id: int | None = None,
    ) -> CursorInfo:
        """Move a pull cursor; arguments left None keep their value.

        Call it in the same spirit as the data: after the page it covers was stored.
        """
        with self._cache.write() as session:
            row = session.get(SyncCursor, resource)
            if row is None:
                row = SyncCursor(resource=resource, after_id=0, updated_at=utcnow())
                session.add(row)
            if modified_after is not None:
                row.modified_after = modified_after
            if last_full_sweep is not None:
                row.last_full_sweep = last_full_sweep
            if after_id is not None:
                row.after_id = after_id
            row.updated_at = utcnow()
            session.flush()
            return _cursor_info(row, resource)

    def reset_cursors(self, *resources: str) -> None:
        """Forget where the pulls of ``resources`` stand: the next pull of each reads it all
        again (what a user may see changed: their role did)."""
        with self._cache.write() as session:
            session.execute(delete(SyncCursor).where(SyncCursor.resource.in_(resources)))

    # -- helpers ---------------------------------------------------------------------------------

    def _adapter(self, entity: str) -> EntityAdapter:
        adapter = self._adapters.get(entity)
        if adapter is None:
            raise TypeError(f"no outbox adapter is registered for {entity!r}")
        return adapter

    @staticmethod
    def _entry(session: Session, entry_id: int) -> OutboxEntry:
        entry = session.get(OutboxEntry, entry_id)
        if entry is None:
            raise RecordNotFoundError("This change is no longer waiting to be sent.")
        return entry
