"""Inquiries and their append-only notes: the inbox, triage, and what sync applies.

Only ``status`` (trash) and the triage fields are ever changed here; the form fields always follow
the site. Inquiries are health information: nothing in this module logs a field of one.
"""

from __future__ import annotations

import json
import logging
import uuid
from array import array
from collections.abc import Mapping, Sequence
from typing import Any, Unpack, cast

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    false,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from clinicdesk.model import records
from clinicdesk.model.cached import (
    INBOX_VIEWS,
    InboxView,
    InquiryDetail,
    InquirySummary,
    NoteInfo,
    Page,
    Triage,
    TriageEdit,
    TriageMerge,
)
from clinicdesk.store import search
from clinicdesk.store.common import (
    AnySelect,
    JsonDict,
    drop_entries,
    dt_from_json,
    enqueue,
    set_held,
    state_of,
    sync_state,
)
from clinicdesk.store.entity import EntityAdapter, Transactions
from clinicdesk.store.errors import InvalidEditError, RecordNotFoundError
from clinicdesk.store.inbox import (
    ARRIVAL_TEXTS,
    ARRIVAL_TEXTS_TO_CHECK,
    CHUNK,
    SIGNED_ID,
    TRIAGE_FIELDS,
    ApplyOutcome,
    NotesApplied,
    arrival_text,
    hidden_condition,
    inbox_order,
    phone_digits,
    pinned_first,
    search_ids_query,
    triage_view_condition,
    view_condition,
    view_counts_query,
)
from clinicdesk.store.inbox import (
    TRIAGE_VIEWS as TRIAGE_VIEWS,
)
from clinicdesk.store.inbox import (
    Arrivals as Arrivals,
)
from clinicdesk.store.inbox import (
    ArrivalText as ArrivalText,
)
from clinicdesk.store.inbox import (
    InboxRow as InboxRow,
)
from clinicdesk.store.inbox import (
    InboxSort as InboxSort,
)
from clinicdesk.store.inbox import (
    TriageView as TriageView,
)
from clinicdesk.store.inquiry_sync import (
    _adopt_note,
    _note_info,
    _row_triage,
    _triage,
    _triage_json,
    apply_inquiry_pushed,
    apply_note_pushed,
    drop_inquiry,
    note_site_fields,
    unsent_note_ids,
    upsert_inquiries,
)
from clinicdesk.store.inquiry_sync import (
    is_system_note as is_system_note,
)
from clinicdesk.store.inquiry_sync import (
    upsert_note as upsert_note,
)
from clinicdesk.store.models import (
    Inquiry,
    InquiryMessage,
    Note,
    OutboxEntry,
    UTCDateTime,
    utcnow,
)

logger = logging.getLogger(__name__)
# Where a half-written note waits while the Inquiries tab is locked (the meta table of the
# encrypted cache).
_NOTE_DRAFT_KEY = "inquiries.note_draft"


_SYNC_COLUMNS = (
    Inquiry.conflict,
    Inquiry.rejected_message,
    Inquiry.deleted_on_site,
    Inquiry.dirty,
)

_SUMMARY_FIELDS = (
    Inquiry.id,
    Inquiry.remote_id,
    Inquiry.first_name,
    Inquiry.last_name,
    Inquiry.email,
    Inquiry.reason,
    Inquiry.received_gmt,
    Inquiry.status,
    Inquiry.triage_status,
    Inquiry.assignee,
    Inquiry.urgent,
    Inquiry.unread,
)
_SUMMARY_COLUMNS = (*_SUMMARY_FIELDS, *_SYNC_COLUMNS)

_ROW_FIELDS = (
    *_SUMMARY_FIELDS,
    Inquiry.phone,
    Inquiry.preferred_contact,
    Inquiry.state,
    Inquiry.insurance,
)
_ROW_COLUMNS = (*_ROW_FIELDS, *_SYNC_COLUMNS)


def _listed(session: Session, query: AnySelect) -> list[dict[str, Any]]:
    """Run a select of fields + the sync columns: each row's fields by name, plus its state.

    Each row is zipped with the result's column names once (a row's ``_mapping`` costs a lookup
    per field: a page of the inbox is read on every paint of new rows).
    """
    out = []
    result = session.execute(query)
    names = list(result.keys())
    for row in result:
        item = dict(zip(names, row, strict=True))
        state, message = state_of(
            item.pop("conflict"),
            item.pop("rejected_message"),
            item.pop("deleted_on_site"),
            False,
            item.pop("dirty"),
        )
        item.update(sync_state=state, sync_message=message)
        out.append(item)
    return out


#: An inquiry's triage columns and base, by local id (built once: a push reads it per change).
_TRIAGE_STATE = select(
    Inquiry.status,
    Inquiry.triage_status,
    Inquiry.assignee,
    Inquiry.urgent,
    Inquiry.unread,
    Inquiry.base,
).where(Inquiry.id == bindparam("local_id"))


# The lookups of ``upsert_notes``, built once (a push stores notes with nearly every change).
_KNOWN_NOTES = select(Note.remote_id).where(Note.remote_id.in_(bindparam("ids", expanding=True)))
_MY_NOTES = select(Note).where(Note.client_id.in_(bindparam("ids", expanding=True)))
_LOCAL_IDS = select(Inquiry.remote_id, Inquiry.id).where(
    Inquiry.remote_id.in_(bindparam("ids", expanding=True))
)


def _summaries(session: Session, query: AnySelect) -> list[InquirySummary]:
    return [InquirySummary(**item) for item in _listed(session, query)]


def _inbox_rows(session: Session, query: AnySelect) -> list[InboxRow]:
    rows = []
    for item in _listed(session, query):
        item["status"] = "trash" if item["status"] == "trash" else "private"
        rows.append(InboxRow(**item))
    return rows


class InquiryStore:
    """The inquiries of one cache, with their notes.

    Args:
        cache: the open cache.
    """

    def __init__(self, cache: Transactions) -> None:
        self._cache = cache

    # -- reads -----------------------------------------------------------------------------------

    def page(
        self,
        view: InboxView = "open",
        *,
        user_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
        after: InquirySummary | None = None,
    ) -> Page[InquirySummary]:
        """One page of an inbox view, newest arrival first.

        Args:
            view: which inquiries.
            user_id: the signed-in user's site id (for "mine").
            limit: rows in the page.
            offset: rows skipped (``after`` is cheaper deep in a long list).
            after: the last row of the previous page: the page starts right after it, read
                straight from the index however deep it is (the total is still the view's).
        """
        condition = view_condition(view, user_id)
        with self._cache.read() as session:
            total = session.scalar(select(func.count()).select_from(Inquiry).where(condition))
            query = select(*_SUMMARY_COLUMNS).where(condition)
            if after is not None:
                query = query.where(
                    tuple_(Inquiry.received_gmt, Inquiry.id)
                    < tuple_(literal(after.received_gmt, UTCDateTime()), literal(after.id))
                )
            query = (
                query.order_by(Inquiry.received_gmt.desc(), Inquiry.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return Page(tuple(_summaries(session, query)), total or 0, offset)

    def counts(self, *, user_id: int | None = None) -> dict[InboxView, int]:
        """How many inquiries each view holds, for the view list's badges (see ``InquiryCount``)."""
        with self._cache.read() as session:
            row = session.execute(view_counts_query(INBOX_VIEWS, user_id)).one()
        return {view: int(count) for view, count in zip(INBOX_VIEWS, row, strict=True)}

    def get(self, local_id: int) -> InquiryDetail:
        """Everything about one inquiry.

        Raises:
            RecordNotFoundError: no such inquiry.
        """
        with self._cache.read() as session:
            row = session.get(Inquiry, local_id)
            if row is None:
                raise RecordNotFoundError("This inquiry is no longer in the offline copy.")
            body = session.scalar(
                select(InquiryMessage.message).where(InquiryMessage.inquiry_id == local_id)
            )
            state, message = sync_state(row)
            return InquiryDetail(
                id=row.id,
                remote_id=row.remote_id,
                status="trash" if row.status == "trash" else "private",
                date_gmt=row.date_gmt,
                modified_gmt=row.modified_gmt,
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
                phone=row.phone,
                preferred_contact=cast(records.ContactMethod, row.preferred_contact),
                state=row.state,
                insurance=row.insurance,
                reason=row.reason,
                message=body or "",
                consent=row.consent,
                received_gmt=row.received_gmt,
                triage=_triage(_row_triage(row)),
                sync_state=state,
                sync_message=message,
                base=None if row.base is None else _triage(row.base),
                server=None if row.server_copy is None else _triage(row.server_copy),
            )

    def triage_state(self, local_id: int) -> tuple[Triage, Triage | None]:
        """An inquiry's triage here, and where its local edit started (None when it has none).

        What a push compares with the site's copy, for the price of one small read: neither
        the form fields nor the message are read (unlike :meth:`get`).

        Raises:
            RecordNotFoundError: no such inquiry.
        """
        with self._cache.read() as session:
            row = session.execute(_TRIAGE_STATE, {"local_id": local_id}).first()
        if row is None:
            raise RecordNotFoundError("This inquiry is no longer in the offline copy.")
        status, triage_status, assignee, urgent, unread, base = row
        triage = _triage(_triage_json(status, triage_status, assignee, urgent, unread))
        return triage, None if base is None else _triage(base)

    def search(
        self,
        text: str,
        view: InboxView = "all",
        *,
        user_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[InquirySummary]:
        """Inquiries of a view matching every word of ``text`` in some field shown to staff
        (see ``search.inquiry_text_condition``), newest first."""
        query = search.inquiry_matches(text, _SUMMARY_COLUMNS, view_condition(view, user_id))
        if query is None:
            return []
        with self._cache.read() as session:
            return _summaries(session, query.limit(limit).offset(offset))

    # -- a half-written note, kept across a lock ---------------------------------------------------

    def keep_note_draft(self, local_ids: Sequence[int], text: str) -> None:
        """Keep a note someone was writing when the Inquiries tab locked, to give it back at
        the next unlock. It lives in this (encrypted) cache only, never in a plain file; one
        draft at a time (a newer one replaces it)."""
        value = json.dumps({"ids": [int(i) for i in local_ids], "text": text})
        self._cache.set_meta(_NOTE_DRAFT_KEY, value)

    def note_draft(self) -> tuple[tuple[int, ...], str] | None:
        """The kept note draft: (the local ids of its inquiries, its text), or None."""
        raw = self._cache.get_meta(_NOTE_DRAFT_KEY)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            ids = tuple(int(i) for i in data["ids"])
            text = str(data["text"])
        except (ValueError, KeyError, TypeError):
            logger.warning("a kept note draft could not be read; dropped")
            return None
        return (ids, text) if ids and text.strip() else None

    def drop_note_draft(self) -> None:
        """Forget the kept note draft (sent, or given up)."""
        if self._cache.get_meta(_NOTE_DRAFT_KEY):
            self._cache.set_meta(_NOTE_DRAFT_KEY, "")

    def has_unsent_system_note(self, local_id: int) -> bool:
        """Whether the inquiry holds a note of ClinicDesk's own (its automatic crisis flag)
        not yet on the site: then the flag waiting with it is the system's too."""
        with self._cache.read() as session:
            found = session.scalar(
                select(Note.id)
                .where(
                    Note.inquiry_id == local_id, Note.pending, Note.author == records.SYSTEM_AUTHOR
                )
                .where(Note.kind.in_(("note", "urgent")))
                .limit(1)
            )
        return found is not None

    def notes(self, local_id: int) -> list[NoteInfo]:
        """The inquiry's timeline, oldest first (notes not yet sent at the end, in order)."""
        with self._cache.read() as session:
            rows = session.scalars(
                select(Note)
                .where(Note.inquiry_id == local_id)
                .order_by(Note.pending, Note.date_gmt, Note.remote_id, Note.id)
            )
            return [_note_info(row) for row in rows]

    def local_id(self, remote_id: int) -> int | None:
        """The local id of the site's inquiry, if the cache has it."""
        with self._cache.read() as session:
            return session.scalar(select(Inquiry.id).where(Inquiry.remote_id == remote_id))

    # -- the triage inbox ------------------------------------------------------------------------

    def inbox_ids(
        self,
        view: TriageView = "all",
        *,
        user_id: int | None = None,
        sort: InboxSort = "received",
        descending: bool = True,
        text: str = "",
        reason: str | None = None,
        assignee: int | None = None,
    ) -> array[int]:
        """The ids of a triage inbox view, in order: urgent inquiries being handled first.

        Urgent inquiries not yet closed or marked spam (:func:`pinned_condition`) come first
        whatever the sort, so someone in crisis is never scrolled out of sight. Within each
        part, rows follow ``sort``; ties go newest arrival first (sorted by arrival itself,
        inquiries received in the same second go in the order they were stored, or its reverse).

        Only ids (8 bytes each) are returned: a list shows the rows it needs with
        :meth:`inbox_rows`, a page at a time, so 50,000 inquiries never sit in memory at once,
        and any row, however deep, is one primary-key lookup away. Ordering needs every row of
        the view anyway (no index covers every sort), so paging by offset would read the
        whole view again for each page.

        Sorted by arrival (the inbox's default), a view is read straight off
        ``ix_inquiries_inbox_order``, which holds the arrival order and every column a view
        filters on, so nothing is sorted and no row of the table is read. A search starts from
        the full-text index's matches instead.

        Args:
            view: which inquiries.
            user_id: the signed-in user's site id (for "mine").
            sort: the column to sort by.
            descending: sort that column from high to low (newest, Z to A).
            text: only inquiries matching every one of these words in some field shown to
                staff (see ``search.inquiry_text_condition``); "" for no search. Text with no words
                gives no ids.
            reason: only inquiries giving exactly this reason; None for any.
            assignee: only inquiries assigned to this site user (0: to nobody); None for any.
        """
        condition = triage_view_condition(view, user_id)
        if reason is not None:
            condition = and_(condition, Inquiry.reason == reason)
        if assignee is not None:
            condition = and_(condition, Inquiry.assignee == assignee)
        order = inbox_order(sort, descending)
        if text.strip():
            query = search_ids_query(text, condition, sort, descending)
            if query is None:
                return array("q")
            with self._cache.read() as session:
                return pinned_first(session, query)
        with self._cache.read() as session:
            if sort == "received":
                # Whatever the view, walking the ordered index and skipping what it does not
                # hold beats sorting: the index has the columns of every view's filter.
                condition = hidden_condition(condition)
            else:
                in_view, everything = session.execute(
                    select(func.count().filter(condition), func.count()).select_from(Inquiry)
                ).one()
                if in_view * 10 > everything:
                    # A broad view: one pass over the table beats an index walk that looks up
                    # every row on its own (up to four times faster at 50,000).
                    condition = hidden_condition(condition)
            query = select(SIGNED_ID).where(condition).order_by(*order)
            return pinned_first(session, query)

    def reasons(self) -> list[str]:
        """The reasons the offline copy's inquiries give (for the inbox's reason filter), in
        alphabetical order; an empty reason is left out."""
        with self._cache.read() as session:
            found = session.scalars(
                select(Inquiry.reason).where(Inquiry.reason != "").distinct()
            ).all()
        return sorted(found, key=str.casefold)

    def inbox_rows(self, ids: Sequence[int]) -> list[InboxRow | None]:
        """The inbox rows of ``ids``, in the same order; None where an id is gone (deleted
        since the ids were read: the caller reads the ids again)."""
        found: dict[int, InboxRow] = {}
        with self._cache.read() as session:
            for start in range(0, len(ids), CHUNK):
                chunk = list(ids[start : start + CHUNK])
                query = select(*_ROW_COLUMNS).where(
                    Inquiry.id.in_(chunk), Inquiry.pending_delete.is_(False)
                )
                found.update((row.id, row) for row in _inbox_rows(session, query))
        return [found.get(local_id) for local_id in ids]

    def triage_counts(self, *, user_id: int | None = None) -> dict[TriageView, int]:
        """How many inquiries each triage inbox view holds (from ``InquiryCount``, not the rows)."""
        with self._cache.read() as session:
            row = session.execute(view_counts_query(TRIAGE_VIEWS, user_id)).one()
        return {view: int(count) for view, count in zip(TRIAGE_VIEWS, row, strict=True)}

    def same_contact(
        self, local_id: int, *, email_key: str, phone_key: str, limit: int = 20
    ) -> list[InboxRow]:
        """Other inquiries (inbox or trash) with the same email or phone, newest first.

        Args:
            local_id: the inquiry itself (left out).
            email_key: its address trimmed and lower-cased ("" to not match on email).
            phone_key: the last ten digits of its phone (all of them when fewer), "" to not
                match on phone. Stored phones are compared the same way after removing spaces,
                ``- . ( ) + /``: every way the form's phones are written.
            limit: at most this many.
        """
        matches: list[ColumnElement[bool]] = []
        if email_key:
            matches.append(func.lower(func.trim(Inquiry.email)) == email_key)
        if phone_key:
            digits = phone_digits(Inquiry.phone)
            matches.append(
                case((func.length(digits) > 10, func.substr(digits, -10)), else_=digits)
                == phone_key
            )
        if not matches:
            return []
        condition = Inquiry.pending_delete.is_(False) & (Inquiry.id != local_id)
        any_match = matches[0] if len(matches) == 1 else matches[0] | matches[1]
        query = (
            select(*_ROW_COLUMNS)
            .where(condition & any_match)
            .order_by(Inquiry.received_gmt.desc(), Inquiry.id.desc())
            .limit(limit)
        )
        with self._cache.read() as session:
            return _inbox_rows(session, query)

    def arrival_texts(self, remote_ids: Sequence[int]) -> list[ArrivalText]:
        """The reason and message of inquiries just pulled from the site, by their site ids.

        Inquiries the cache does not have are left out.
        """
        out: list[ArrivalText] = []
        ids = list(dict.fromkeys(remote_ids))
        with self._cache.read() as session:
            for start in range(0, len(ids), CHUNK):
                query = ARRIVAL_TEXTS.where(
                    Inquiry.remote_id.in_(ids[start : start + CHUNK]),
                    Inquiry.pending_delete.is_(False),
                )
                out.extend(arrival_text(row) for row in session.execute(query))
        return out

    def unchecked_arrivals(self, limit: int = 500) -> list[ArrivalText]:
        """Inquiries the crisis-language check has not read yet, oldest stored first.

        Every inquiry is stored unchecked (in the transaction that stores it), so one that
        arrived just before a crash is still here at the next call. Mark them with
        :meth:`mark_arrivals_checked` once read. Inquiries deleted here (waiting for the site)
        are left out. The message is read only for those ``to_check``.
        """
        query = (
            ARRIVAL_TEXTS_TO_CHECK.where(
                # "= 0", as the partial index ix_inquiries_unchecked says it ("IS 0" misses it)
                Inquiry.arrival_checked == false(),
                Inquiry.pending_delete.is_(False),
            )
            .order_by(Inquiry.id)
            .limit(max(1, limit))
        )
        with self._cache.read() as session:
            return [arrival_text(row) for row in session.execute(query)]

    def mark_arrivals_checked(self, ids: Sequence[int]) -> None:
        """The crisis-language check has read these inquiries (local ids)."""
        with self._cache.write() as session:
            for start in range(0, len(ids), CHUNK):
                session.execute(
                    update(Inquiry)
                    .where(Inquiry.id.in_(ids[start : start + CHUNK]))
                    .values(arrival_checked=True)
                    .execution_options(synchronize_session=False)
                )

    def arrivals(self, after_id: int) -> Arrivals:
        """New inquiries stored since the cache's highest local id was ``after_id``.

        Local ids only grow, so the highest id seen is a mark that survives any sort or view.
        Only the inquiries above the mark are read (a range of the primary key): usually none.
        """
        fresh = (
            Inquiry.pending_delete.is_(False)
            & (Inquiry.status == "private")
            & (Inquiry.triage_status == "new")
            & Inquiry.unread.is_(True)
        )
        last_id = select(func.max(Inquiry.id)).scalar_subquery()
        with self._cache.read() as session:
            row = session.execute(
                select(
                    func.count().filter(fresh),
                    func.count().filter(fresh & Inquiry.urgent.is_(True)),
                    last_id,
                )
                .select_from(Inquiry)
                .where(Inquiry.id > after_id)
            ).one()
        return Arrivals(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))

    # -- local writes ----------------------------------------------------------------------------

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
            current = _row_triage(row)
            self._apply_local(session, row, current, {"status": "trash"})
            enqueue(session, "inquiry", row.id, "trash", {})

    def restore(self, local_id: int) -> None:
        """Take an inquiry out of the trash."""
        with self._cache.write() as session:
            row = self._row(session, local_id)
            if row.status != "trash":
                return
            current = _row_triage(row)
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
            result = _row_triage(row)
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
            site = row.server_copy or row.base
            if site is not None:
                site = dict(site)
                version = dt_from_json(site.pop("modified_gmt", None))
                for name in ("status", *TRIAGE_FIELDS):
                    if name in site:
                        setattr(row, name, site[name])
                if version is not None:
                    row.server_modified_gmt = version
            row.pending_delete = False
            row.conflict = False
            row.rejected_message = None
            row.server_copy = None
            if not in_flight:
                row.dirty = False
                row.base = None

    # -- applying the site's data ----------------------------------------------------------------

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
                session.execute(insert(Note), rows)
        return NotesApplied(stored, tuple(dict.fromkeys(unknown)))

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
                session.execute(delete(Meta).where(Meta.key == _NOTE_DRAFT_KEY))
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

    # -- helpers ---------------------------------------------------------------------------------

    def _set_triage(self, session: Session, local_id: int, changes: JsonDict) -> bool:
        row = self._row(session, local_id)
        current = _row_triage(row)
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


def _validate_note(kind: str, content: object) -> None:
    if kind not in records.NOTE_KINDS:
        raise InvalidEditError("Unknown kind of note.")
    if not isinstance(content, str) or not content.strip():
        raise InvalidEditError("A note cannot be empty.")


def _validate_triage(triage: TriageEdit) -> JsonDict:
    raw = cast(dict[str, Any], triage)
    unknown = set(raw) - set(TRIAGE_FIELDS)
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


def _inquiry_pushed(
    session: Session, entry: OutboxEntry, record: records.Inquiry | None, _adopted: bool
) -> None:
    apply_inquiry_pushed(session, entry, record)


def _note_pushed(
    session: Session, entry: OutboxEntry, record: records.Note, _adopted: bool
) -> None:
    apply_note_pushed(session, entry, record)


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
    apply_pushed=_inquiry_pushed,
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
    apply_pushed=_note_pushed,
    site_fields=_note_body,
)
