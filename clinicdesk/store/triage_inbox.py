"""The triage inbox: a view's ids in order (pinned, sorted, searched, filtered), its rows a page at
a time, its counts, the reasons to filter by, and other inquiries from the same person.

Part of :class:`clinicdesk.store.inquiries.InquiryStore`; the queries themselves are
:mod:`clinicdesk.store.inbox`'s and :mod:`clinicdesk.store.search`'s. Nothing here logs a field
of an inquiry.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, case, func, select

from clinicdesk.store.entity import CacheJob
from clinicdesk.store.inbox import (
    CHUNK,
    SIGNED_ID,
    TRIAGE_VIEWS,
    InboxRow,
    InboxSort,
    TriageView,
    hidden_condition,
    inbox_order,
    phone_digits,
    pinned_first,
    search_ids_query,
    triage_view_condition,
    view_counts_query,
)
from clinicdesk.store.inquiry_rows import ROW_COLUMNS, inbox_rows_of
from clinicdesk.store.models import Inquiry


class TriageInbox(CacheJob):
    """The triage inbox of one cache."""

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
                query = select(*ROW_COLUMNS).where(
                    Inquiry.id.in_(chunk), Inquiry.pending_delete.is_(False)
                )
                found.update((row.id, row) for row in inbox_rows_of(session, query))
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
            select(*ROW_COLUMNS)
            .where(condition & any_match)
            .order_by(Inquiry.received_gmt.desc(), Inquiry.id.desc())
            .limit(limit)
        )
        with self._cache.read() as session:
            return inbox_rows_of(session, query)
