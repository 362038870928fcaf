"""What an inquiry list reads: the columns of a summary and of an inbox row, and how a query's
result becomes them (with each row's sync state).

Shared by :mod:`clinicdesk.store.inquiry_reads` (the plain inbox pages) and
:mod:`clinicdesk.store.triage_inbox` (the triage inbox). Nothing here logs a field of an inquiry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from clinicdesk.model.cached import InquirySummary
from clinicdesk.store.common import AnySelect, state_of
from clinicdesk.store.inbox import InboxRow
from clinicdesk.store.models import Inquiry

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
SUMMARY_COLUMNS = (*_SUMMARY_FIELDS, *_SYNC_COLUMNS)

_ROW_FIELDS = (
    *_SUMMARY_FIELDS,
    Inquiry.phone,
    Inquiry.preferred_contact,
    Inquiry.state,
    Inquiry.insurance,
)
ROW_COLUMNS = (*_ROW_FIELDS, *_SYNC_COLUMNS)


def listed(session: Session, query: AnySelect) -> list[dict[str, Any]]:
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


def summaries(session: Session, query: AnySelect) -> list[InquirySummary]:
    return [InquirySummary(**item) for item in listed(session, query)]


def inbox_rows_of(session: Session, query: AnySelect) -> list[InboxRow]:
    rows = []
    for item in listed(session, query):
        item["status"] = "trash" if item["status"] == "trash" else "private"
        rows.append(InboxRow(**item))
    return rows
