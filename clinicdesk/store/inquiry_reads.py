"""Reading inquiries: the plain inbox pages and counts, one inquiry whole, its triage state, its
timeline, and a search of a view.

Part of :class:`clinicdesk.store.inquiries.InquiryStore`. Nothing here logs a field of an
inquiry.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import bindparam, func, literal, select, tuple_

from clinicdesk.model import records
from clinicdesk.model.cached import (
    INBOX_VIEWS,
    InboxView,
    InquiryDetail,
    InquirySummary,
    NoteInfo,
    Page,
    Triage,
)
from clinicdesk.store import search
from clinicdesk.store.common import sync_state
from clinicdesk.store.entity import CacheJob
from clinicdesk.store.errors import RecordNotFoundError
from clinicdesk.store.inbox import view_condition, view_counts_query
from clinicdesk.store.inquiry_rows import SUMMARY_COLUMNS, summaries
from clinicdesk.store.inquiry_sync import note_info, row_triage, triage_of
from clinicdesk.store.models import Inquiry, InquiryMessage, Note, UTCDateTime

#: An inquiry's triage columns and base, by local id (built once: a push reads it per change).
_TRIAGE_STATE = select(
    Inquiry.status,
    Inquiry.triage_status,
    Inquiry.assignee,
    Inquiry.urgent,
    Inquiry.unread,
    Inquiry.base,
).where(Inquiry.id == bindparam("local_id"))


class InquiryReads(CacheJob):
    """Reading the inquiries of one cache and their timelines."""

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
            query = select(*SUMMARY_COLUMNS).where(condition)
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
            return Page(tuple(summaries(session, query)), total or 0, offset)

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
                triage=triage_of(row_triage(row)),
                sync_state=state,
                sync_message=message,
                base=None if row.base is None else triage_of(row.base),
                server=None if row.server_copy is None else triage_of(row.server_copy),
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
        return triage_of(row_triage(row)), None if row.base is None else triage_of(row.base)

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
        query = search.inquiry_matches(text, SUMMARY_COLUMNS, view_condition(view, user_id))
        if query is None:
            return []
        with self._cache.read() as session:
            return summaries(session, query.limit(limit).offset(offset))

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
            return [note_info(row) for row in rows]

    def local_id(self, remote_id: int) -> int | None:
        """The local id of the site's inquiry, if the cache has it."""
        with self._cache.read() as session:
            return session.scalar(select(Inquiry.id).where(Inquiry.remote_id == remote_id))
