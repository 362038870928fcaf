"""Arrivals: inquiries stored since a mark (the new-inquiry notice), and the queue the
crisis-language check reads (every inquiry stored unchecked, marked checked once read).

Part of :class:`clinicdesk.store.inquiries.InquiryStore`; the check itself is
:mod:`clinicdesk.services.arrivals`. Nothing here logs a field of an inquiry.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import false, func, select, update

from clinicdesk.store.entity import CacheJob
from clinicdesk.store.inbox import (
    ARRIVAL_TEXTS,
    ARRIVAL_TEXTS_TO_CHECK,
    CHUNK,
    Arrivals,
    ArrivalText,
    arrival_text,
)
from clinicdesk.store.models import Inquiry


class ArrivalQueue(CacheJob):
    """The arrivals of one cache, and what the crisis check has read."""

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
