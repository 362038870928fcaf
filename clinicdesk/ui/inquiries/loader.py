"""The Inquiries tab's reads: ids, counts and arrivals off the UI thread, and what they show.

The tab's :class:`~clinicdesk.ui.reader.CoalescingReader` runs :meth:`InboxLoader.prepare_load`'s
work and hands the result to :meth:`InboxLoader.loaded`; a read made for another query, or before
the tab locked, is not shown. New arrivals are announced by count only (never a field). The
filters' choices (the reasons given, the staff's names) come with the first read and with the
first after each sync round: the reasons are a DISTINCT over every inquiry, too slow for the UI
thread at 50,000 inquiries and needless on a keystroke.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinicdesk.store.inbox import Arrivals, TriageView
from clinicdesk.ui.inquiries.models import (
    InboxQuery,
)
from clinicdesk.ui.inquiries.options import (
    count_text,
)
from clinicdesk.ui.reader import READ_AGAIN, SHOWN, STALE, Shown

if TYPE_CHECKING:
    from clinicdesk.ui.inquiries.tab import InquiriesTab

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Choices:
    """What the filters offer, and whom an assignee id names."""

    #: The reasons the cache's inquiries give, in alphabetical order.
    reasons: list[str]
    #: The staff's names by site user id.
    staff_names: dict[int, str]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one background read brings back."""

    query: InboxQuery
    #: None when the tab was locked: no inquiry is read then.
    ids: array[int] | None
    counts: dict[TriageView, int]
    arrivals: Arrivals
    #: Whether new arrivals are announced (and the arrivals mark moves) with this read.
    announce: bool = True
    #: The filters' choices read again with this read, or None (unchanged since the last).
    choices: Choices | None = None


class InboxLoader:
    """Reads the inbox for one tab.

    Args:
        tab: the Inquiries tab.
    """

    def __init__(self, tab: InquiriesTab) -> None:
        self._t = tab

    def prepare_load(self) -> Callable[[], tuple[int, Snapshot]]:
        """On the UI thread: take what the read needs; return the read (run off the UI thread)."""
        generation = self._t.state.generation
        query = self._t.model.query
        locked = self._t.state.locked
        mark = self._t.state.arrival_mark
        announce = self._t.state.announce
        read_choices, self._t.state.choices_due = self._t.state.choices_due, False
        store, catalog, user_id = self._t.store, self._t.cache.catalog, self._t.user_id

        def work() -> tuple[int, Snapshot]:
            choices = None
            if read_choices:
                staff = {user.id: user.name or user.slug for user in catalog.users()}
                choices = Choices(store.reasons(), staff)
            ids = None
            if not locked:
                ids = store.inbox_ids(
                    query.view,
                    user_id=user_id,
                    sort=query.sort,
                    descending=query.descending,
                    text=query.text,
                    reason=query.reason,
                    assignee=query.assignee,
                )
            counts = store.triage_counts(user_id=user_id)
            arrivals = store.arrivals(mark if mark is not None else 2**62)
            return generation, Snapshot(query, ids, counts, arrivals, announce, choices)

        return work

    def load_failed(self, error: BaseException) -> None:
        """The offline copy could not be read: say so in the tab (the filters' choices are
        read again with the next read, if this one was to bring them)."""
        self._t.state.choices_due = True
        self._t.message_label.setText(
            self._t.tr("The offline copy could not be read: %1").replace("%1", str(error))
        )

    def loaded(self, read: tuple[int, Snapshot]) -> Shown:
        """Show a read: counts and arrivals always, the inbox only if it is still current."""
        generation, snapshot = read
        if snapshot.choices is not None:
            # Before the rows: the assignee column names them. A filter whose choice is gone
            # goes back to "any" and asks for a read, which "fresh" below then sees.
            self._t.state.staff_names = snapshot.choices.staff_names
            self._t.model.set_staff(snapshot.choices.staff_names)
            self._t.filters.set_choices(snapshot.choices.reasons, snapshot.choices.staff_names)
        self._t.views_model.set_counts(snapshot.counts)
        unread = snapshot.counts.get("unread", 0)
        if unread != self._t.state.unread:
            self._t.state.unread = unread
            self._t.unreadCountChanged.emit(unread)
        if snapshot.announce:
            self.notify_arrivals(snapshot.arrivals)
        fresh = (
            generation == self._t.state.generation
            and not self._t.state.locked
            and snapshot.ids is not None
            and snapshot.query == self._t.model.query
        )
        if not fresh:
            # Locked meanwhile: nothing to read until it opens; else the query moved on.
            return STALE if self._t.state.locked else READ_AGAIN
        current = self._t.current_id()
        current_row = self._t.table.currentIndex().row()
        shown = self._t.state.shown_id
        assert snapshot.ids is not None
        if self._t.model.set_ids(snapshot.ids):
            self._t.restore_current(current, current_row)
        if self._t.state.shown_id == shown:  # else restoring the selection just opened another
            self._t.opener.show_current(force=True)
        self._select_remembered()
        return SHOWN

    def _select_remembered(self) -> None:
        """Select the inquiry open when the app last closed (once, if it is in the view and
        nothing is selected yet), without marking it read again: it was read then, or marked
        unread on purpose."""
        wanted, self._t.state.wanted_selection = self._t.state.wanted_selection, None
        if wanted is None or self._t.current_id() is not None:
            return
        row = self._t.model.row_of(wanted)
        if row is None:
            return
        self._t.state.shown_id = wanted  # selecting it below then opens nothing by itself
        self._t.restore_current(wanted, row)
        self._t.opener.open_inquiry(wanted, mark_read=False)

    def notify_arrivals(self, arrivals: Arrivals) -> None:
        """Announce new arrivals by count (never a field) and move the arrivals mark."""
        if self._t.state.arrival_mark is not None and arrivals.count:
            message = count_text(
                arrivals.count, self._t.tr("1 new inquiry"), self._t.tr("%1 new inquiries")
            )
            if arrivals.urgent:
                message += " — " + count_text(
                    arrivals.urgent, self._t.tr("1 urgent"), self._t.tr("%1 urgent")
                )
            self._t.notify_desktop(self._t.tr("ClinicDesk"), message)
        self._t.state.arrival_mark = max(arrivals.last_id, self._t.state.arrival_mark or 0)
