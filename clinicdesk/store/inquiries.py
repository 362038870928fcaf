"""Inquiries and their append-only notes: one store, the sum of its jobs.

:class:`InquiryStore` is what ``cache.inquiries`` hands out. Each job lives in its own module,
a class holding only the cache it works on; none reaches into another's private names:

- :mod:`~clinicdesk.store.inquiry_reads`: the plain inbox pages, one inquiry, its timeline;
- :mod:`~clinicdesk.store.triage_inbox`: the triage inbox (ids in order, rows, counts);
- :mod:`~clinicdesk.store.arrival_queue`: arrivals, and what the crisis check has read;
- :mod:`~clinicdesk.store.triage_edits`: local edits, each queued for the site;
- :mod:`~clinicdesk.store.note_drafts`: a half-written note kept across a lock;
- :mod:`~clinicdesk.store.inquiry_sync`: the site's pages stored, and the outbox adapters;
- :mod:`~clinicdesk.store.inquiry_removal`: every inquiry removed from this computer.

The inbox's names (``InboxRow``, ``TriageView``...) are :mod:`clinicdesk.store.inbox`'s.
"""

from __future__ import annotations

from clinicdesk.store.arrival_queue import ArrivalQueue
from clinicdesk.store.inquiry_reads import InquiryReads
from clinicdesk.store.inquiry_removal import InquiryRemoval
from clinicdesk.store.inquiry_sync import InquiriesFromSite
from clinicdesk.store.note_drafts import NoteDrafts
from clinicdesk.store.triage_edits import TriageEdits
from clinicdesk.store.triage_inbox import TriageInbox


class InquiryStore(
    InquiryReads,
    TriageInbox,
    ArrivalQueue,
    TriageEdits,
    NoteDrafts,
    InquiriesFromSite,
    InquiryRemoval,
):
    """The inquiries of one cache, with their notes: every job's methods on one object.

    Args:
        cache: the open cache.
    """
