"""The Inquiries tab's triage actions: status, assignment, notes, unread, urgent, and undo.

Every change goes through the :class:`~clinicdesk.services.triage.TriageDesk` (a row, an outbox
entry and a timeline entry in one transaction); the last one can be undone. Closing or
referring someone in crisis asks for an acknowledgement first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from clinicdesk.model.records import TRIAGE_STATUSES, TriageStatus
from clinicdesk.services.triage import (
    AcknowledgementRequiredError,
    Action,
)
from clinicdesk.store import CacheError
from clinicdesk.ui.inquiries.dialogs import (
    AcknowledgeDialog,
    AssignDialog,
    NoteDialog,
)
from clinicdesk.ui.inquiries.options import (
    MAX_BULK,
    count_text,
    status_label,
)

if TYPE_CHECKING:
    from clinicdesk.ui.inquiries.tab import InquiriesTab

logger = logging.getLogger(__name__)


class TriageActions:
    """Triage for one tab.

    Args:
        tab: the Inquiries tab.
    """

    def __init__(self, tab: InquiriesTab) -> None:
        self._t = tab

    def write(self, change: Callable[[], Action | None]) -> Action | None:
        """Run a change; say so when the cache refuses it. Returns the action, or None."""
        try:
            action = change()
        except CacheError as error:  # the store's messages name no field of an inquiry
            self._t.message_label.setText(
                self._t.tr("The change was not saved: %1").replace("%1", str(error))
            )
            return None
        if action is not None:
            self._t.changesMade.emit()
        return action

    def run(self, change: Callable[[list[int]], Action | None], ids: Sequence[int]) -> None:
        """Apply a change to ``ids`` (at most MAX_BULK), then show it."""
        ids = list(ids)
        if not ids or self._t.state.locked:
            return
        if len(ids) > MAX_BULK:
            self._t.message_label.setText(
                self._t.tr("Select at most %1 inquiries at a time.").replace("%1", str(MAX_BULK))
            )
            return
        action = self.write(lambda: change(ids))
        if action is None:
            return
        self.done(action)

    def done(self, action: Action) -> None:
        """A change was made: it can be undone; sync follows."""
        self._t.state.last_action = action
        self._t.undo_action.setEnabled(True)
        self._t.message_label.setText(self.describe(action) + " " + self._t.tr("(Ctrl+Z to undo)"))
        self.after_change()

    def after_change(self) -> None:
        """Show the change: counts, the inbox and the shown inquiry are read again."""
        self._t.model.reload_rows()
        self._t.opener.show_current(force=True)
        self._t.load()

    def set_status(self, status: str, ids: Sequence[int]) -> None:
        """Set a triage status (closing or marking as spam an urgent one asks to acknowledge)."""
        chosen = next((s for s in TRIAGE_STATUSES if s == status), None)
        ids = list(ids)
        if chosen is None or not ids or self._t.state.locked:
            return
        try:
            urgent = self._t.desk.urgent_among(ids)
        except CacheError:
            urgent = ()
        if chosen in ("closed", "spam") and urgent:
            self.acknowledge(chosen, ids, len(urgent))
            return
        self.run(lambda items: self._t.desk.set_status(items, chosen), ids)

    def acknowledge(self, status: TriageStatus, ids: list[int], urgent: int) -> None:
        """Ask to acknowledge the crisis protocol before closing or marking as spam."""
        verb = self._t.tr("close") if status == "closed" else self._t.tr("mark as spam")
        dialog = AcknowledgeDialog(urgent, verb, self._t.options.protocol_text, self._t)

        def accepted() -> None:
            text = dialog.text

            def change(items: list[int]) -> Action | None:
                try:
                    return self._t.desk.set_status(items, status, acknowledgement=text)
                except AcknowledgementRequiredError:
                    return None

            self.run(change, ids)

        dialog.accepted.connect(accepted)
        self._t.open_dialog(dialog)
        dialog.text_edit.setFocus()

    def assign(self, ids: Sequence[int]) -> None:
        """Ask whom to assign ``ids`` to (non-blocking)."""
        ids = list(ids)
        if not ids or self._t.state.locked:
            return
        staff = self._t.cache.catalog.users(staff_only=True)
        current = 0
        if len(ids) == 1:
            rows = self._t.store.inbox_rows(ids)
            current = rows[0].assignee if rows and rows[0] is not None else 0
        dialog = AssignDialog(staff, current, self._t)
        dialog.accepted.connect(
            lambda: self.run(lambda items: self._t.desk.assign(items, dialog.assignee), ids)
        )
        self._t.open_dialog(dialog)
        dialog.combo.setFocus()

    def note(self, ids: Sequence[int], draft: str = "") -> None:
        """Ask for a note to add to ``ids`` (non-blocking), starting from ``draft`` (a note
        kept when the tab locked while it was being written)."""
        ids = list(ids)
        if not ids or self._t.state.locked:
            return
        dialog = NoteDialog(len(ids), self._t, ids)
        if draft:
            dialog.text_edit.setPlainText(draft)

        def rejected() -> None:
            if not self._t.state.locked:  # given up (a lock keeps it: see LockGuard.lock)
                self._forget_draft()

        def accepted() -> None:
            self._forget_draft()
            text = dialog.text
            actions = []
            for inquiry_id in ids:
                action = self.write(partial(self._t.desk.add_note, inquiry_id, text))
                if action is not None:
                    actions.append(action)
            if actions:
                steps = tuple(step for action in actions for step in action.steps)
                self.done(Action("note", steps))

        dialog.accepted.connect(accepted)
        dialog.rejected.connect(rejected)
        self._t.open_dialog(dialog)
        dialog.text_edit.setFocus()

    def keep_drafts(self) -> None:
        """Keep the note being written in an open note dialog (before a lock closes it), in the
        encrypted cache: the next unlock gives it back."""
        for dialog in self._t.dialogs:
            if isinstance(dialog, NoteDialog) and dialog.text:
                try:
                    self._t.store.keep_note_draft(dialog.inquiry_ids, dialog.full_text)
                except CacheError:
                    logger.exception("a half-written note could not be kept")  # never its text

    def reopen_draft(self) -> None:
        """After an unlock: open the note kept at the lock again, as it was."""
        try:
            draft = self._t.store.note_draft()
        except CacheError:
            logger.exception("the kept note draft could not be read")
            return
        if draft is None:
            return
        ids, text = draft
        rows = self._t.store.inbox_rows(list(ids))
        still_here = [i for i, row in zip(ids, rows, strict=True) if row is not None]
        if still_here:
            self.note(still_here, draft=text)
        else:
            self._forget_draft()

    def _forget_draft(self) -> None:
        try:
            self._t.store.drop_note_draft()
        except CacheError:
            logger.exception("the kept note draft could not be dropped")

    def toggle_unread(self, ids: Sequence[int]) -> None:
        """Mark ``ids`` unread, or read if they all are."""
        rows = [r for r in self._t.store.inbox_rows(list(ids)) if r is not None]
        if rows:
            unread = not all(r.unread for r in rows)
            self.run(lambda items: self._t.desk.set_unread(items, unread), ids)

    def toggle_urgent(self, ids: Sequence[int]) -> None:
        """Mark ``ids`` urgent, or not urgent if they all are."""
        rows = [r for r in self._t.store.inbox_rows(list(ids)) if r is not None]
        if rows:
            urgent = not all(r.urgent for r in rows)
            self.run(lambda items: self._t.desk.set_urgent(items, urgent), ids)

    def undo(self) -> None:
        """Take back the last action (Ctrl+Z)."""
        action = self._t.state.last_action
        if action is None or self._t.state.locked:
            return
        self._t.state.last_action = None
        self._t.undo_action.setEnabled(False)
        try:
            result = self._t.desk.undo(action)
        except CacheError as error:
            self._t.message_label.setText(
                self._t.tr("The change could not be undone: %1").replace("%1", str(error))
            )
            return
        message = self._t.tr("Undone.")
        if result.kept_notes:
            message += " " + count_text(
                result.kept_notes,
                self._t.tr("A note had already reached the site and stays in the timeline."),
                self._t.tr("%1 notes had already reached the site and stay in the timeline."),
            )
        self._t.message_label.setText(message)
        self._t.changesMade.emit()
        self.after_change()

    def describe(self, action: Action) -> str:
        """What a change did, in words (for the message line and Undo)."""
        n = action.count
        if action.kind == "status":
            rows = [r for r in self._t.store.inbox_rows(action.inquiry_ids[:1]) if r is not None]
            status = status_label(rows[0].triage_status) if rows else ""
            return count_text(
                n, self._t.tr("1 inquiry marked %2."), self._t.tr("%1 inquiries marked %2.")
            ).replace("%2", status.lower())
        if action.kind == "assign":
            return count_text(
                n, self._t.tr("1 inquiry assigned."), self._t.tr("%1 inquiries assigned.")
            )
        if action.kind == "urgent":
            return count_text(
                n,
                self._t.tr("Urgent flag changed on 1 inquiry."),
                self._t.tr("Urgent flag changed on %1 inquiries."),
            )
        if action.kind == "unread":
            return count_text(
                n,
                self._t.tr("1 inquiry marked read/unread."),
                self._t.tr("%1 inquiries marked read/unread."),
            )
        return count_text(n, self._t.tr("Note added."), self._t.tr("Note added to %1 inquiries."))
