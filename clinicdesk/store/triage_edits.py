"""Local edits of inquiries: triage fields, trash, restore, delete, timeline notes; settling them
against the site's newer copy, or dropping them. Each edit writes its row and queues its outbox
entry in one transaction.

Only ``status`` (trash) and the triage fields are ever changed here; the form fields always
follow the site. Part of :class:`clinicdesk.store.inquiries.InquiryStore`. Nothing here logs a
field of an inquiry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Unpack, cast

from sqlalchemy.orm import Session

from clinicdesk.model import records
from clinicdesk.model.cached import TriageEdit, TriageMerge
from clinicdesk.store.common import (
    JsonDict,
    back_to_site,
    drop_entries,
    dt_from_json,
    enqueue,
    set_held,
)
from clinicdesk.store.entity import CacheJob
from clinicdesk.store.errors import InvalidEditError, RecordNotFoundError
from clinicdesk.store.inquiry_sync import row_triage
from clinicdesk.store.models import Inquiry, Note, utcnow


class TriageEdits(CacheJob):
    """Local edits of the inquiries of one cache."""

    def set_triage(self, local_id: int, **triage: Unpack[TriageEdit]) -> bool:
        """Change triage fields locally and queue the change (one transaction).

        Returns:
            False when nothing changed.

        Raises:
            RecordNotFoundError: no such inquiry.
            InvalidEditError: an unknown field or value.
        """
        changes = _validate_triage(triage)
        with self._cache.write() as session:
            return self._set_triage(session, local_id, changes)

    def mark_read(self, local_id: int, read: bool = True) -> bool:
        """Mark an inquiry read (or unread again) for the whole team."""
        return self.set_triage(local_id, unread=not read)

    def trash(self, local_id: int) -> None:
        """Move an inquiry to the trash."""
        with self._cache.write() as session:
            row = self._row(session, local_id)
            if row.status == "trash":
                return
            current = row_triage(row)
            self._apply_local(session, row, current, {"status": "trash"})
            enqueue(session, "inquiry", row.id, "trash", {})

    def restore(self, local_id: int) -> None:
        """Take an inquiry out of the trash."""
        with self._cache.write() as session:
            row = self._row(session, local_id)
            if row.status != "trash":
                return
            current = row_triage(row)
            refused = row.rejected_message is not None
            self._apply_local(session, row, current, {"status": "private"})
            enqueue(
                session, "inquiry", row.id, "update", {"status": "private"}, fold_attempted=refused
            )

    def delete_permanently(self, local_id: int) -> None:
        """Delete an inquiry for good (hidden now, deleted on the site by sync)."""
        with self._cache.write() as session:
            row = self._row(session, local_id)
            row.pending_delete = True
            row.dirty = True
            enqueue(session, "inquiry", row.id, "delete", {})

    def add_note(
        self,
        inquiry_id: int,
        kind: records.NoteKind,
        content: str,
        *,
        author: int,
        author_name: str,
    ) -> int:
        """Append a note to an inquiry's timeline and queue it (one transaction).

        Args:
            inquiry_id: the inquiry's local id.
            kind: "note", "status", "assign", "urgent" or "acknowledge".
            content: the text (required).
            author: the signed-in user's site id (shown until the site's answer replaces it).
            author_name: their name.

        Returns:
            The note's local id.
        """
        _validate_note(kind, content)
        with self._cache.write() as session:
            return self._add_note(session, inquiry_id, kind, content, author, author_name)

    def record_triage(
        self,
        local_id: int,
        changes: TriageEdit,
        notes: Sequence[tuple[records.NoteKind, str]],
        *,
        author: int,
        author_name: str,
    ) -> tuple[int, ...] | None:
        """Change triage fields and append the timeline entries recording the change, in one
        transaction (the contract: the app records each triage change it makes with a note).

        Args:
            local_id: the inquiry's local id.
            changes: the triage fields to set; empty to only append ``notes``.
            notes: (kind, content) of each entry to append, in order.
            author: the signed-in user's site id.
            author_name: their name.

        Returns:
            The local ids of the notes, or None when ``changes`` changed nothing (then no note
            is written either: a timeline never records a change that did not happen).

        Raises:
            RecordNotFoundError: no such inquiry.
            InvalidEditError: an unknown field or value, or an empty note.
        """
        validated = _validate_triage(changes)
        for kind, content in notes:
            _validate_note(kind, content)
        with self._cache.write() as session:
            if validated and not self._set_triage(session, local_id, validated):
                return None
            self._row(session, local_id)
            return tuple(
                self._add_note(session, local_id, kind, content, author, author_name)
                for kind, content in notes
            )

    def discard_note(self, note_id: int) -> None:
        """Drop a note that was never accepted by the site (one it rejected)."""
        with self._cache.write() as session:
            note = session.get(Note, note_id)
            if note is None or not note.pending:
                raise InvalidEditError("Only a note not yet on the site can be discarded.")
            if drop_entries(session, "note", note.id):
                raise InvalidEditError("This note is being sent right now.")
            session.delete(note)

    def resolve(self, local_id: int, **merged: Unpack[TriageMerge]) -> None:
        """Settle local triage changes against the site's newer copy (see ``PostStore.resolve``).

        ``merged`` may also give the trash ``status`` (the site's, when a merge keeps it).

        Raises:
            InvalidEditError: there is no site copy, or the merge has bad values.
        """
        raw = cast(dict[str, Any], dict(merged))
        # The merge also settles the trash status (the site may have trashed or restored it).
        status = raw.pop("status", None)
        if status is not None and status not in ("private", "trash"):
            raise InvalidEditError("Unknown status.")
        changes = _validate_triage(cast(TriageEdit, raw))
        if status is not None:
            changes["status"] = status
        with self._cache.write() as session:
            row = session.get(Inquiry, local_id)
            if row is None:
                raise RecordNotFoundError("This inquiry is no longer in the offline copy.")
            if row.server_copy is None:
                raise InvalidEditError("There is no newer version from the site to merge with.")
            server = dict(row.server_copy)
            version = dt_from_json(server.pop("modified_gmt", None))
            for name, value in changes.items():
                setattr(row, name, value)
            result = row_triage(row)
            difference = {k: v for k, v in result.items() if server.get(k) != v}
            row.base = server
            row.server_copy = None
            row.server_modified_gmt = version
            row.conflict = False
            row.rejected_message = None
            in_flight = drop_entries(session, "inquiry", row.id)
            trash = difference.get("status") == "trash"
            if trash:
                del difference["status"]  # trashing is its own request
            if difference:
                enqueue(session, "inquiry", row.id, "update", difference)
            if trash:
                enqueue(session, "inquiry", row.id, "trash", {})
            row.dirty = bool(difference or trash or in_flight)
            if not row.dirty:
                row.base = None

    def discard_changes(self, local_id: int) -> None:
        """Drop waiting triage changes and go back to the site's values."""
        with self._cache.write() as session:
            row = session.get(Inquiry, local_id)
            if row is None:
                return
            in_flight = drop_entries(session, "inquiry", row.id)
            back_to_site(row, in_flight, lambda site: _restore_triage(row, site))

    def _set_triage(self, session: Session, local_id: int, changes: JsonDict) -> bool:
        row = self._row(session, local_id)
        current = row_triage(row)
        changed = {k: v for k, v in changes.items() if current[k] != v}
        if not changed:
            return False
        # Not folded into a change already sent once (its retry must know what it sent),
        # unless the site refused that one: nothing of it landed, and this edit corrects it.
        refused = row.rejected_message is not None
        self._apply_local(session, row, current, changed)
        enqueue(session, "inquiry", row.id, "update", changed, fold_attempted=refused)
        return True

    def _add_note(
        self,
        session: Session,
        inquiry_id: int,
        kind: records.NoteKind,
        content: str,
        author: int,
        author_name: str,
    ) -> int:
        self._row(session, inquiry_id)
        note = Note(
            client_id=str(uuid.uuid4()),
            inquiry_id=inquiry_id,
            author=author,
            author_name=author_name,
            date_gmt=utcnow(),
            kind=kind,
            content=content,
            pending=True,
        )
        session.add(note)
        session.flush()
        enqueue(session, "note", note.id, "note", {"kind": kind})
        return note.id

    @staticmethod
    def _row(session: Session, local_id: int) -> Inquiry:
        row = session.get(Inquiry, local_id)
        if row is None or row.pending_delete:
            raise RecordNotFoundError("This inquiry is no longer in the offline copy.")
        return row

    @staticmethod
    def _apply_local(session: Session, row: Inquiry, current: JsonDict, changed: JsonDict) -> None:
        if not row.dirty:
            row.base = current
        for name, value in changed.items():
            setattr(row, name, value)
        row.dirty = True
        if row.rejected_message is not None:
            row.rejected_message = None
            if not row.conflict and not row.deleted_on_site:
                set_held(session, "inquiry", row.id, held=False)


def _restore_triage(row: Inquiry, site: JsonDict) -> None:
    """Put back the site's trash status and triage fields (the only ones staff can edit)."""
    for name in ("status", *records.TRIAGE_FIELDS):
        if name in site:
            setattr(row, name, site[name])


def _validate_note(kind: str, content: object) -> None:
    if kind not in records.NOTE_KINDS:
        raise InvalidEditError("Unknown kind of note.")
    if not isinstance(content, str) or not content.strip():
        raise InvalidEditError("A note cannot be empty.")


def _validate_triage(triage: TriageEdit) -> JsonDict:
    raw = cast(dict[str, Any], triage)
    unknown = set(raw) - set(records.TRIAGE_FIELDS)
    if unknown:
        raise InvalidEditError(f"Unknown triage fields: {', '.join(sorted(unknown))}.")
    if "triage_status" in raw and raw["triage_status"] not in records.TRIAGE_STATUSES:
        raise InvalidEditError("Unknown triage status.")
    if "assignee" in raw and (
        not isinstance(raw["assignee"], int)
        or isinstance(raw["assignee"], bool)
        or raw["assignee"] < 0
    ):
        raise InvalidEditError("Unknown assignee.")
    for flag in ("urgent", "unread"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise InvalidEditError(f"{flag} must be true or false.")
    return dict(raw)
