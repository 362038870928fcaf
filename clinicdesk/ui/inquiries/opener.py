"""Opening an inquiry in the Inquiries tab's detail pane: what the pane shows of it.

The pane shows the table's current inquiry (or a duplicate opened from the pane): its fields and
timeline, the facts the clinic reads from it (crisis language, Spanish, the service area, the
wait against the first-response target), and the likely duplicates, looked up off the UI thread
once per inquiry shown. Opening an unread inquiry marks it read for the team. The wait moves
with the clock (:meth:`InquiryOpener.tick_times`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from clinicdesk.domain.crisis import CrisisLanguage
from clinicdesk.domain.crisis_why import reasons
from clinicdesk.domain.crisis_words import looks_spanish
from clinicdesk.domain.inquiry_rules import (
    ResponseWait,
    email_key,
    phone_key,
    response_wait,
    service_area,
)
from clinicdesk.store import CacheError
from clinicdesk.store.inbox import InboxRow
from clinicdesk.ui.inquiries.detail import DetailFacts
from clinicdesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from clinicdesk.ui.inquiries.tab import InquiriesTab


class InquiryOpener:
    """Shows inquiries in one tab's detail pane.

    Args:
        tab: the Inquiries tab (its pane, table, shared state and triage).
        clock: the current time, aware UTC.
        crisis: the crisis-language list the pane's crisis panel reads with.
        user_name: the signed-in user's name (their changes not sent yet, in the timeline).
        runner: the tab's worker, for the duplicates look-up.
    """

    def __init__(
        self,
        tab: InquiriesTab,
        *,
        clock: Callable[[], datetime],
        crisis: CrisisLanguage,
        user_name: str,
        runner: TaskRunner,
    ) -> None:
        self._t = tab
        self._clock = clock
        self._crisis = crisis
        self._user_name = user_name
        self._runner = runner
        self._closed = False
        #: The shown inquiry's (received, status), for its times as the minutes pass.
        self._shown_times: tuple[datetime, str] | None = None

    def close(self) -> None:
        """Look nothing up any more (the tab is shutting down)."""
        self._closed = True

    def show_nothing(self) -> None:
        """Empty the pane and forget what it showed (the next inquiry opened is looked up
        afresh, its duplicates too)."""
        self._t.detail.clear()
        self._t.state.shown_id = None
        self._t.state.duplicates_key = None

    def show_current(self, *, force: bool = False) -> None:
        """Show the table's current inquiry; ``force`` shows it again even if already shown
        (after a change or a refresh), keeping a duplicate opened from the pane."""
        current = self._t.current_id()
        target = current if current is not None else (self._t.state.shown_id if force else None)
        if target is None:
            self.show_nothing()
            return
        if target == self._t.state.shown_id and not force:
            return
        self.open_inquiry(target, mark_read=target != self._t.state.shown_id)

    def _wait(self, received_gmt: datetime, status: str, now: datetime) -> ResponseWait | None:
        """How a "new" inquiry stands against the first-response target (else None)."""
        if status != "new":
            return None
        return response_wait(
            received_gmt, now, self._t.options.response_target_hours, self._t.options.business_hours
        )

    def tick_times(self) -> None:
        """The minute moved on: the open inquiry's times move with it."""
        if self._t.state.shown_id is not None and self._shown_times is not None:
            received, status = self._shown_times
            now = self._clock()
            self._t.detail.show_times(received, self._wait(received, status, now), now)

    def open_inquiry(self, inquiry_id: int, *, mark_read: bool = True) -> None:
        """Show an inquiry in the pane (from the table, or a duplicate's link)."""
        if self._t.state.locked:
            return
        try:
            detail = self._t.store.get(inquiry_id)
            notes = self._t.store.notes(inquiry_id)
        except CacheError:
            self.show_nothing()
            return
        now = self._clock()
        self._shown_times = (detail.received_gmt, detail.triage.triage_status)
        wait = self._wait(detail.received_gmt, detail.triage.triage_status, now)
        facts = DetailFacts(
            crisis_reasons=reasons(self._crisis.explain(detail.reason, detail.message)),
            spanish=looks_spanish(detail.reason, detail.message),
            area=service_area(detail.state, self._t.options.clinic_states),
            wait=wait,
            staff=self._t.state.staff_names,
            me=self._user_name,
        )
        self._t.state.shown_id = inquiry_id
        self._t.detail.show_inquiry(detail, notes, facts, self._t.options.protocol_text, now)
        self._find_duplicates(inquiry_id, detail.email, detail.phone)
        if mark_read and detail.triage.unread:
            # Opening an inquiry marks it read for the team (not an undoable action).
            if (
                self._t.triage.write(lambda: self._t.desk.set_unread([inquiry_id], False))
                is not None
            ):
                self._t.model.reload_rows()
                self._t.load()  # the unread count in the tab's title

    def _find_duplicates(self, inquiry_id: int, email: str, phone: str) -> None:
        keys = (email_key(email), phone_key(phone))
        # One look-up per inquiry shown (it reads every row at 50,000 inquiries), not one per
        # change made to it; a refresh after sync looks again.
        if self._closed or self._t.state.duplicates_key == (inquiry_id, *keys):
            return
        self._t.state.duplicates_key = (inquiry_id, *keys)
        store = self._t.store
        generation = self._t.state.generation
        same_email, same_phone = self._t.tr("same email"), self._t.tr("same phone")

        def work() -> list[tuple[InboxRow, str]]:
            rows = store.same_contact(inquiry_id, email_key=keys[0], phone_key=keys[1])
            return [
                (row, same_email if keys[0] and email_key(row.email) == keys[0] else same_phone)
                for row in rows
            ]

        def done(rows: list[tuple[InboxRow, str]]) -> None:
            if generation == self._t.state.generation and not self._t.state.locked:
                self._t.detail.set_duplicates(inquiry_id, rows)

        self._runner.run(work, done, lambda _error: None, known=(CacheError,))
