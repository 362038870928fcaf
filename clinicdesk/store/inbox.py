"""The inbox's queries: views, triage steps, sort orders, pinned rows, and what a row shows.

Built once and used by :class:`clinicdesk.store.inquiries.InquiryStore` (which re-exports the
public names). Nothing here logs a field of an inquiry.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, cast

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    case,
    func,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import ClauseAdapter

from clinicdesk.model import records
from clinicdesk.model.cached import (
    INBOX_VIEWS,
    InboxView,
    SyncState,
)
from clinicdesk.store import search
from clinicdesk.store.common import (
    AnySelect,
)
from clinicdesk.store.models import (
    Inquiry,
    InquiryCount,
    InquiryMessage,
    Note,
    User,
)

ApplyOutcome = Literal["inserted", "updated", "unchanged", "kept_local"]

_CLOSED = ("closed", "spam")
#: The ``inquiries`` columns a pull rewrites even on a row with local triage changes: what the
#: person sent (the message has a table of its own) and the site's dates.
FORM_FIELDS = (
    "date_gmt",
    "modified_gmt",
    *(name for name in records.CONSULTATION_FIELDS if name != "message"),
    "received_gmt",
)


@dataclass(frozen=True, slots=True)
class NotesApplied:
    """What :meth:`InquiryStore.upsert_notes` did.

    Attributes:
        stored: notes inserted or adopted.
        unknown_inquiries: site ids of inquiries the cache does not have; their notes were not
            stored. Pull those inquiries, then apply the notes again, before moving the notes
            cursor past them.
    """

    stored: int
    unknown_inquiries: tuple[int, ...]


def view_condition(view: InboxView, user_id: int | None = None) -> ColumnElement[bool]:
    """The filter of an inbox view.

    Args:
        view: the view.
        user_id: the signed-in user's site id (for "mine").
    """
    live = Inquiry.pending_delete.is_(False)
    inbox = live & (Inquiry.status == "private")
    is_open = inbox & Inquiry.triage_status.not_in(_CLOSED)
    conditions: dict[str, ColumnElement[bool]] = {
        "open": is_open,
        "mine": is_open & (Inquiry.assignee == (user_id if user_id is not None else -1)),
        "unassigned": is_open & (Inquiry.assignee == 0),
        "urgent": is_open & Inquiry.urgent.is_(True),
        "unread": inbox & Inquiry.unread.is_(True),
        "closed": inbox & (Inquiry.triage_status == "closed"),
        "spam": inbox & (Inquiry.triage_status == "spam"),
        "all": inbox,
        "trash": live & (Inquiry.status == "trash"),
    }
    if view not in conditions:
        raise ValueError(f"unknown inbox view {view!r}")
    return conditions[view]


#: The triage inbox's views: the store's :data:`InboxView` plus one per step of the workflow.
#: "new", "waiting" (contacted, not yet scheduled), "scheduled" and "referred" hold inquiries of
#: that triage status in the inbox (not the trash).
TriageView = InboxView | Literal["new", "waiting", "scheduled", "referred"]
TRIAGE_VIEWS: tuple[TriageView, ...] = (
    *INBOX_VIEWS,
    "new",
    "waiting",
    "scheduled",
    "referred",
)
_STEP_VIEWS: dict[str, str] = {
    "new": "new",
    "waiting": "contacted",
    "scheduled": "scheduled",
    "referred": "referred",
}

#: What the triage inbox can be sorted by (one per column of its table).
InboxSort = Literal[
    "received",
    "name",
    "reason",
    "insurance",
    "state",
    "contact",
    "status",
    "assignee",
    "unread",
    "urgent",
]


def triage_view_condition(view: TriageView, user_id: int | None = None) -> ColumnElement[bool]:
    """The filter of a triage inbox view (see :data:`TriageView`).

    Args:
        view: the view.
        user_id: the signed-in user's site id (for "mine").
    """
    step = _STEP_VIEWS.get(view)
    if step is None:
        return view_condition(cast(InboxView, view), user_id)
    inbox = Inquiry.pending_delete.is_(False) & (Inquiry.status == "private")
    return inbox & (Inquiry.triage_status == step)


def pinned_condition() -> ColumnElement[bool]:
    """Urgent inquiries still being handled: the triage inbox lists them above everything."""
    return Inquiry.urgent.is_(True) & Inquiry.triage_status.not_in(_CLOSED)


@dataclass(frozen=True, slots=True)
class InboxRow:
    """An inquiry as the triage inbox's table shows it: every column, no message."""

    id: int
    remote_id: int | None
    first_name: str
    last_name: str
    email: str
    phone: str
    preferred_contact: records.ContactMethod
    state: str
    insurance: str
    reason: str
    received_gmt: datetime
    status: Literal["private", "trash"]
    triage_status: records.TriageStatus
    assignee: int
    urgent: bool
    unread: bool
    sync_state: SyncState
    sync_message: str | None


@dataclass(frozen=True, slots=True)
class ArrivalText:
    """What the crisis-language check reads of an inquiry that has just arrived.

    Attributes:
        message: its message ("" from ``unchecked_arrivals`` when ``to_check`` is False: the
            check does not read it, and reading every message of a first sync cost a fifth of
            the check).
        urgent_noted: its timeline already has an "urgent" entry: someone (or another copy of
            the app) already decided about the flag, so it is not set again.
        to_check: the check reads it (:data:`TO_CHECK`): still "new", not urgent, and no
            "urgent" entry.
    """

    id: int
    remote_id: int | None
    reason: str
    message: str
    triage_status: records.TriageStatus
    urgent: bool
    urgent_noted: bool
    to_check: bool


@dataclass(frozen=True, slots=True)
class Arrivals:
    """New inquiries (triage "new", unread, in the inbox) with a local id above a mark.

    Attributes:
        count: how many.
        urgent: how many of them are flagged urgent.
        last_id: the highest local id of any inquiry in the cache (the next mark).
    """

    count: int
    urgent: int
    last_id: int


#: Ids per ``IN (...)`` list: well under SQLite's limit on bound values.
CHUNK = 500

_URGENT_NOTES = (
    select(func.count())
    .select_from(Note)
    .where(Note.inquiry_id == Inquiry.id, Note.kind == "urgent")
    .scalar_subquery()
)
#: The inquiries the crisis-language check reads: still "new" (a first download of an old inbox
#: does not flag inquiries handled long ago), not urgent already, and with no "urgent" entry
#: in their timeline (someone, or another copy of the app, already decided: a flag removed by
#: hand stays removed).
TO_CHECK = (Inquiry.triage_status == "new") & Inquiry.urgent.is_(False) & (_URGENT_NOTES == 0)
_MESSAGE = func.coalesce(
    select(InquiryMessage.message).where(InquiryMessage.inquiry_id == Inquiry.id).scalar_subquery(),
    "",
)
_ARRIVAL_COLUMNS = (Inquiry.id, Inquiry.remote_id, Inquiry.reason)
_ARRIVAL_STATE = (Inquiry.triage_status, Inquiry.urgent, _URGENT_NOTES, TO_CHECK)

#: What the crisis-language check reads of an inquiry (see :class:`ArrivalText`), its message
#: included; callers add which inquiries.
ARRIVAL_TEXTS = select(*_ARRIVAL_COLUMNS, _MESSAGE, *_ARRIVAL_STATE)
#: The same, with the message read only for an inquiry the check reads (:data:`TO_CHECK`): a
#: first sync stores thousands of inquiries of which most are already handled, and decrypting
#: all their messages took a fifth of the check at 20,000 (more than its share as the inbox
#: grew past the page cache).
ARRIVAL_TEXTS_TO_CHECK = select(
    *_ARRIVAL_COLUMNS, case((TO_CHECK, _MESSAGE), else_=""), *_ARRIVAL_STATE
)


def arrival_text(row: Sequence[Any]) -> ArrivalText:
    """An :class:`ArrivalText` from a row of :data:`ARRIVAL_TEXTS` or
    :data:`ARRIVAL_TEXTS_TO_CHECK`."""
    return ArrivalText(
        id=row[0],
        remote_id=row[1],
        reason=row[2],
        message=row[3],
        triage_status=row[4],
        urgent=row[5],
        urgent_noted=bool(row[6]),
        to_check=bool(row[7]),
    )


_STATUS_ORDER = {status: n for n, status in enumerate(records.TRIAGE_STATUSES)}


def phone_digits(phone: SQLColumnExpression[str]) -> SQLColumnExpression[str]:
    """``phone`` without the separators people type, in SQL (SQLite has no regex)."""
    expression = phone
    for separator in (" ", "-", ".", "(", ")", "+", "/"):
        expression = func.replace(expression, separator, "")
    return expression


def _sort_keys(sort: InboxSort) -> list[SQLColumnExpression[Any]]:
    if sort == "name":
        return [func.lower(Inquiry.first_name), func.lower(Inquiry.last_name)]
    if sort == "status":
        return [case(_STATUS_ORDER, value=Inquiry.triage_status, else_=len(_STATUS_ORDER))]
    if sort == "assignee":
        # By the staff member's name, as the column shows it; nobody sorts first.
        name = select(User.name).where(User.id == Inquiry.assignee).scalar_subquery()
        return [func.lower(func.coalesce(name, ""))]
    columns: dict[str, SQLColumnExpression[Any]] = {
        "reason": func.lower(Inquiry.reason),
        "insurance": func.lower(Inquiry.insurance),
        "state": Inquiry.state,
        "contact": Inquiry.preferred_contact,
        "unread": Inquiry.unread,
        "urgent": Inquiry.urgent,
    }
    if sort not in columns:
        raise ValueError(f"unknown inbox sort {sort!r}")
    return [columns[sort]]


def inbox_order(sort: InboxSort, descending: bool) -> list[ColumnElement[Any]]:
    """The ORDER BY of an inbox sort: its column, then ties newest arrival first.

    Sorted by arrival itself, inquiries received in the same second follow the sort's direction
    by local id (the order they were stored in): exactly the order of the index
    ``ix_inquiries_inbox_order``, which SQLite then reads forwards or backwards without sorting.
    """
    if sort == "received":
        if descending:
            return [Inquiry.received_gmt.desc(), Inquiry.id.desc()]
        return [Inquiry.received_gmt.asc(), Inquiry.id.asc()]
    keys = _sort_keys(sort)
    return [
        *(key.desc() if descending else key.asc() for key in keys),
        Inquiry.received_gmt.desc(),
        Inquiry.id.desc(),
    ]


def hidden_condition(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``condition``, wrapped in a function so SQLite cannot choose an index by it.

    For a filter matching most rows, an index on the filter's columns means one lookup per row;
    a pass over the table (or over an index giving the order) is several times faster.
    """
    return func.coalesce(condition, False).is_(True)


#: What :func:`pinned_first` reads of each inquiry: its id, negated when it is pinned (local
#: ids are positive: SQLite numbers rows from 1).
SIGNED_ID = case((pinned_condition(), -Inquiry.id), else_=Inquiry.id).label("signed_id")


def pinned_first(session: Session, query: AnySelect) -> array[int]:
    """The ids an ordered select of :data:`SIGNED_ID` gives, pinned ones first.

    One ordered pass, split in two afterwards by the sign, so a search's words are looked up
    once and a walk of an ordered index stays a walk (a column saying "pinned" beside the id
    cost SQLite 2 ms more at 20,000). SQLite hands the ids over as one JSON array
    (``json_group_array`` over the ordered select) rather than a row per id: 20,000 ids cost
    2-3 ms instead of 10-15 ms of work per row in Python. SQLite keeps a subquery's ORDER BY
    for an aggregate other than count, min or max over it, precisely so that such an aggregate
    sees the rows in that order.
    """
    ordered = query.subquery()
    signed: list[int] = json.loads(
        session.scalar(select(func.json_group_array(ordered.c.signed_id))) or "[]"
    )
    return array("q", [-local_id for local_id in signed if local_id < 0]) + array(
        "q", [local_id for local_id in signed if local_id > 0]
    )


def search_ids_query(
    text: str, condition: ColumnElement[bool], sort: InboxSort, descending: bool
) -> AnySelect | None:
    """The ordered select of :data:`SIGNED_ID` (for :func:`pinned_first`) of the inquiries
    matching every word of ``text`` within a view (see ``search.inquiry_text_condition``).

    Sorted by arrival (the inbox's default), SQLite walks ``ix_inquiries_inbox_order`` and tests
    each inquiry against the words' matches: nothing is sorted and no row of the table is read,
    so a word most messages hold costs what listing the view costs. Sorted by a column no index
    gives, it starts from the matches (one primary-key lookup each, then a sort): ten times
    faster for a name than testing every inquiry of the view, and the sort is needed anyway.

    Args:
        text: what the user typed, unchecked.
        condition: the view's filter (and any other the inbox adds).
        sort: the column to sort by.
        descending: sort that column from high to low.

    Returns:
        The select, or None when nothing searchable was typed (no results, not everything).
    """
    matching = search.inquiry_text_condition(text, walk_order=sort == "received")
    if matching is None:
        return None
    return (
        select(SIGNED_ID)
        .where(matching, hidden_condition(condition))
        .order_by(*inbox_order(sort, descending))
    )


@lru_cache(maxsize=16)
def view_counts_query(views: tuple[TriageView, ...], user_id: int | None) -> AnySelect:
    """A select of how many inquiries each view holds, in one row (built once per user).

    Each view adds up the rows of :class:`InquiryCount` (how many inquiries share each value
    of the columns views filter on) its filter matches: a few hundred rows, however many
    inquiries there are. Building the statement takes longer than running it, hence the cache
    (statements are immutable).
    """
    on_counts = ClauseAdapter(InquiryCount.__table__, adapt_on_names=True)
    return select(
        *(
            func.coalesce(
                func.sum(InquiryCount.n).filter(
                    on_counts.traverse(triage_view_condition(view, user_id))
                ),
                0,
            )
            for view in views
        )
    )
