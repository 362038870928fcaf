"""What sync applies to inquiries and notes: the site's pages stored (form fields always the
site's, triage kept when changed here), a change's outcome, a note's write body, what a deletion
on the site drops, and the outbox adapters of both kinds; with the triage and note forms every
inquiry module shares.

:class:`InquiriesFromSite` is the part of :class:`clinicdesk.store.inquiries.InquiryStore` that
stores the site's pages; :mod:`clinicdesk.store.triage_edits` is the local side. Nothing here
logs a field of an inquiry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, cast

from sqlalchemy import (
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from clinicdesk.model import records
from clinicdesk.model.cached import (
    NoteInfo,
    Triage,
)
from clinicdesk.store.common import (
    JsonDict,
    drop_entries,
    dt_from_json,
    dt_to_json,
    pending_count,
)
from clinicdesk.store.entity import CacheJob, EntityAdapter
from clinicdesk.store.errors import RecordNotFoundError
from clinicdesk.store.inbox import (
    FORM_FIELDS,
    ApplyOutcome,
    NotesApplied,
)
from clinicdesk.store.models import (
    Inquiry,
    InquiryMessage,
    Note,
    OutboxEntry,
)

logger = logging.getLogger(__name__)

#: The tables themselves, for Core inserts of a page (no ORM bookkeeping per row).
_INQUIRIES = cast(Table, Inquiry.__table__)
_NOTES = cast(Table, Note.__table__)


class Triaged(Protocol):
    """What has an inquiry's trash status and triage fields: a cached row (ORM or selected),
    or the site's record."""

    @property
    def status(self) -> str: ...
    @property
    def triage_status(self) -> str: ...
    @property
    def assignee(self) -> int: ...
    @property
    def urgent(self) -> bool: ...
    @property
    def unread(self) -> bool: ...


def row_triage(row: Triaged) -> JsonDict:
    """The trash status and triage fields of ``row`` (a cached row or the site's inquiry), in
    the JSON form of ``base`` and ``server_copy``."""
    return {
        "status": row.status,
        "triage_status": row.triage_status,
        "assignee": row.assignee,
        "urgent": row.urgent,
        "unread": row.unread,
    }


def triage_of(data: JsonDict) -> Triage:
    return Triage(
        status="trash" if data.get("status") == "trash" else "private",
        triage_status=cast(records.TriageStatus, data.get("triage_status", "new")),
        assignee=int(data.get("assignee") or 0),
        urgent=bool(data.get("urgent")),
        unread=bool(data.get("unread")),
        modified_gmt=dt_from_json(data.get("modified_gmt")),
    )


def _record_values(record: records.Inquiry) -> dict[str, Any]:
    """The site's inquiry as ``inquiries`` columns (the message goes to :func:`_store_messages`)."""
    return {
        "status": record.status,
        "date_gmt": record.date_gmt,
        "modified_gmt": record.modified_gmt,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "phone": record.phone,
        "preferred_contact": record.preferred_contact,
        "state": record.state,
        "insurance": record.insurance,
        "reason": record.reason,
        "consent": record.consent,
        "received_gmt": record.received_gmt,
        "triage_status": record.triage_status,
        "assignee": record.assignee,
        "urgent": record.urgent,
        "unread": record.unread,
    }


def _store_messages(session: Session, messages: Sequence[tuple[int, str]]) -> None:
    """Store inquiries' messages: (local id, message) pairs, inserted or replaced.

    A message equal to the stored one is not written again (a pull re-applies every form field
    of an inquiry whose triage changed on the site), so neither the row nor the full-text index
    is touched for it.
    """
    if not messages:
        return
    statement = sqlite_insert(InquiryMessage)
    statement = statement.on_conflict_do_update(
        index_elements=[InquiryMessage.inquiry_id],
        set_={"message": statement.excluded.message},
        where=InquiryMessage.message.is_distinct_from(statement.excluded.message),
    )
    session.execute(
        statement, [{"inquiry_id": local_id, "message": text} for local_id, text in messages]
    )


def upsert_inquiries(session: Session, items: Sequence[records.Inquiry]) -> list[ApplyOutcome]:
    """Store a page of inquiries from the site with a few bulk statements.

    Inquiries with local triage changes keep their triage fields and status; the site's values
    are stored beside them (``server_copy``) when the site's version is newer. Form fields always
    take the site's values.
    """
    existing = {
        row.remote_id: row
        for row in session.execute(
            select(
                Inquiry.id,
                Inquiry.remote_id,
                Inquiry.dirty,
                Inquiry.pending_delete,
                Inquiry.server_modified_gmt,
                Inquiry.status,
                Inquiry.triage_status,
                Inquiry.assignee,
                Inquiry.urgent,
                Inquiry.unread,
                Inquiry.deleted_on_site,
                Inquiry.base,
            ).where(Inquiry.remote_id.in_([r.id for r in items]))
        )
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    messages: dict[int, str] = {}  # site id -> message, of every inserted or updated inquiry
    outcomes: list[ApplyOutcome] = []
    for record in items:
        values = _record_values(record)
        row = existing.get(record.id)
        if row is None:
            inserts.append(
                {**values, "remote_id": record.id, "server_modified_gmt": record.modified_gmt}
            )
            messages[record.id] = record.message
            outcomes.append("inserted")
            continue
        site_triage = row_triage(record)
        if row.dirty or row.pending_delete:
            change = {"id": row.id, "deleted_on_site": False}
            change.update({name: values[name] for name in FORM_FIELDS})
            # modified_gmt has whole seconds: a change in the same second as the base shows
            # only in the values.
            if record.modified_gmt != row.server_modified_gmt or (
                row.base is not None and row.base != site_triage
            ):
                change["server_copy"] = {
                    **site_triage,
                    "modified_gmt": dt_to_json(record.modified_gmt),
                }
            updates.append(change)
            messages[record.id] = record.message
            outcomes.append("kept_local")
            continue
        if (
            row.server_modified_gmt == record.modified_gmt
            and row_triage(row) == site_triage
            and not row.deleted_on_site
        ):
            outcomes.append("unchanged")
            continue
        updates.append(
            {
                **values,
                "id": row.id,
                "server_modified_gmt": record.modified_gmt,
                "deleted_on_site": False,
                "server_copy": None,
            }
        )
        messages[record.id] = record.message
        outcomes.append("updated")
    local_ids = {remote: row.id for remote, row in existing.items()}
    if inserts:
        # One executemany on the table, then the new ids by remote id (indexed): RETURNING in
        # parameter order made SQLAlchemy send one INSERT per row.
        session.execute(insert(_INQUIRIES), inserts)
        new_ids = session.execute(
            select(Inquiry.remote_id, Inquiry.id).where(
                Inquiry.remote_id.in_([row["remote_id"] for row in inserts])
            )
        )
        local_ids.update((remote, local) for remote, local in new_ids if remote is not None)
    # Bulk UPDATE by primary key groups the rows by the set of keys they carry.
    if updates:
        session.execute(update(Inquiry), updates)
    _store_messages(session, [(local_ids[remote], text) for remote, text in messages.items()])
    return outcomes


def unsent_note_ids(session: Session, inquiry_id: int) -> list[int]:
    """Local ids of the inquiry's notes not yet accepted by the site."""
    return list(session.scalars(select(Note.id).where(Note.inquiry_id == inquiry_id, Note.pending)))


def drop_inquiry(session: Session, row: Inquiry) -> None:
    """Delete an inquiry with its notes and every outbox entry of both (none left orphaned)."""
    for note_id in unsent_note_ids(session, row.id):
        drop_entries(session, "note", note_id)
    drop_entries(session, "inquiry", row.id)
    session.delete(row)


#: An inquiry's stored message, by local id (built once: each outcome a push stores reads it).
_MESSAGE = select(InquiryMessage.message).where(
    InquiryMessage.inquiry_id == bindparam("inquiry_id")
)


def apply_inquiry_pushed(
    session: Session, entry: OutboxEntry, record: records.Inquiry | None
) -> None:
    """A triage change, trash or delete was accepted; ``record`` is the site's inquiry after it."""
    row = session.get(Inquiry, entry.local_id)
    op = entry.op
    session.delete(entry)
    session.flush()
    if row is None:
        return
    if op == "delete" or record is None:
        if pending_count(session, "inquiry", row.id) == 0:
            drop_inquiry(session, row)
        return
    # Both reads come before the first change: a query flushes the changes made before it,
    # and the row is then written by one UPDATE (of the columns whose value changed) instead
    # of one per query.
    settled = pending_count(session, "inquiry", row.id) == 0 and not row.conflict
    # A triage change leaves the message as it was: it is rewritten (and re-indexed for the
    # search) only when the site's differs.
    message_changed = settled and session.scalar(_MESSAGE, {"inquiry_id": row.id}) != record.message
    row.server_modified_gmt = record.modified_gmt
    row.rejected_message = None
    if settled:
        for name, value in _record_values(record).items():
            setattr(row, name, value)
        row.dirty = False
        row.base = None
        row.server_copy = None
        if message_changed:
            _store_messages(session, [(row.id, record.message)])
    else:
        row.base = row_triage(record)


def _adopt_note(note: Note, record: records.Note) -> None:
    note.remote_id = record.id
    note.author = record.author
    note.author_name = record.author_name
    note.date_gmt = record.date_gmt
    note.content = record.content
    note.pending = False
    note.rejected_message = None


def apply_note_pushed(session: Session, entry: OutboxEntry, record: records.Note) -> None:
    """A note was accepted (201, or 200 for a ``client_id`` the site had already seen)."""
    note = session.get(Note, entry.local_id)
    session.delete(entry)
    if note is not None:
        other = session.scalar(select(Note).where(Note.remote_id == record.id, Note.id != note.id))
        if other is not None:
            session.delete(other)  # pulled before the answer came: one copy is enough
            session.flush()
        _adopt_note(note, record)


def note_site_fields(session: Session, entry: OutboxEntry) -> dict[str, Any]:
    """A queued note as the body of ``POST clinicdesk/v1/notes``."""
    note = session.get(Note, entry.local_id)
    if note is None:
        raise RecordNotFoundError("This note is no longer in the offline copy.")
    inquiry = session.get(Inquiry, note.inquiry_id)
    if inquiry is None or inquiry.remote_id is None:
        raise RecordNotFoundError("The inquiry of this note is no longer in the offline copy.")
    return {
        "inquiry": inquiry.remote_id,
        "kind": note.kind,
        "content": note.content,
        "client_id": note.client_id,
        "by_system": records.is_system_note(note.author, note.kind),
    }


def note_info(note: Note) -> NoteInfo:
    return NoteInfo(
        id=note.id,
        remote_id=note.remote_id,
        client_id=note.client_id,
        inquiry_id=note.inquiry_id,
        author=note.author,
        author_name=note.author_name,
        date_gmt=note.date_gmt,
        kind=cast(records.NoteKind, note.kind),
        content=note.content,
        pending=note.pending,
        rejected_message=note.rejected_message,
    )


# The lookups of ``upsert_notes``, built once (a push stores notes with nearly every change).
_KNOWN_NOTES = select(Note.remote_id).where(Note.remote_id.in_(bindparam("ids", expanding=True)))
_MY_NOTES = select(Note).where(Note.client_id.in_(bindparam("ids", expanding=True)))
_LOCAL_IDS = select(Inquiry.remote_id, Inquiry.id).where(
    Inquiry.remote_id.in_(bindparam("ids", expanding=True))
)


class InquiriesFromSite(CacheJob):
    """Storing the site's inquiries and notes in one cache."""

    def upsert_from_site(self, items: Sequence[records.Inquiry]) -> list[ApplyOutcome]:
        """Store a page of inquiries from the site in one transaction."""
        with self._cache.write() as session:
            return upsert_inquiries(session, items)

    def upsert_notes(self, items: Sequence[records.Note]) -> NotesApplied:
        """Store notes from the site in one transaction (de-duplicated by id and client_id).

        A page of notes costs three lookups and one insert, not several statements per note:
        a first sync of a busy clinic pulls tens of thousands of them.
        """
        stored = 0
        unknown: list[int] = []
        with self._cache.write() as session:
            remote_ids = list({record.id for record in items})
            known = set(session.scalars(_KNOWN_NOTES, {"ids": remote_ids}))
            client_ids = list({r.client_id for r in items if r.client_id and r.id not in known})
            mine = (
                {note.client_id: note for note in session.scalars(_MY_NOTES, {"ids": client_ids})}
                if client_ids
                else {}
            )
            inquiry_ids: dict[int, int] = {
                remote: local
                for remote, local in session.execute(
                    _LOCAL_IDS, {"ids": list({record.inquiry for record in items})}
                )
                if remote is not None
            }
            rows: list[dict[str, Any]] = []
            for record in items:
                if record.id in known:
                    continue
                known.add(record.id)
                adopted = mine.pop(record.client_id, None) if record.client_id else None
                if adopted is not None:
                    _adopt_note(adopted, record)
                    stored += 1
                    continue
                inquiry_id = inquiry_ids.get(record.inquiry)
                if inquiry_id is None:
                    unknown.append(record.inquiry)
                    continue
                rows.append(
                    {
                        "remote_id": record.id,
                        "client_id": record.client_id,
                        "inquiry_id": inquiry_id,
                        "author": record.author,
                        "author_name": record.author_name,
                        "date_gmt": record.date_gmt,
                        "kind": record.kind,
                        "content": record.content,
                    }
                )
                stored += 1
            if rows:
                session.execute(insert(_NOTES), rows)  # Core: no per-row ORM bookkeeping
        return NotesApplied(stored, tuple(dict.fromkeys(unknown)))


def _keep_inquiry_copy(session: Session, server: records.Inquiry) -> None:
    upsert_inquiries(session, [server])


def _note_body(
    session: Session, entry: OutboxEntry | None, _payload: Mapping[str, Any]
) -> dict[str, Any]:
    if entry is None:
        raise RecordNotFoundError("This change is no longer waiting to be sent.")
    return note_site_fields(session, entry)


#: How the outbox finishes an inquiry's changes (registered by :mod:`clinicdesk.store.engine`).
INQUIRY_ADAPTER = EntityAdapter(
    entity="inquiry",
    model=Inquiry,
    record_type=records.Inquiry,
    apply_pushed=apply_inquiry_pushed,
    answers_delete=True,
    keep_server_copy=_keep_inquiry_copy,
    unsent_children=unsent_note_ids,
    drop=drop_inquiry,
)

#: How the outbox finishes a triage note.
NOTE_ADAPTER = EntityAdapter(
    entity="note",
    model=Note,
    record_type=records.Note,
    apply_pushed=apply_note_pushed,
    site_fields=_note_body,
)
