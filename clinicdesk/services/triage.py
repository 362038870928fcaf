"""Triage as staff do it: changes made offline-first, the acknowledgement rule, undo.

Every change goes to the cache (the row and an outbox entry, in one transaction) and sync sends
it. The contract (``docs/site-api.md``) has the app record each triage change with a timeline
entry *after the site accepted it* (``status``, ``assign``, ``urgent``): the sync engine's push
does that, with a client id derived from the change so a retry never writes it twice. So this
module writes only what staff write themselves: internal notes, and the ``acknowledge`` entry
required before an urgent inquiry is closed or marked spam, stored in the same transaction as
the status change it allows.

Undo takes back the last action: the fields go back (if the change was already sent, sending the
way back records its own entries), and notes not yet sent are dropped. The timeline is
append-only on the site, so a note already sent stays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, cast

from clinicdesk.model.cached import TriageEdit
from clinicdesk.model.records import TRIAGE_FIELDS, NoteKind, TriageStatus
from clinicdesk.store import Cache, InvalidEditError
from clinicdesk.store.inbox import InboxRow

logger = logging.getLogger(__name__)

#: Statuses an urgent inquiry cannot be given without an acknowledgement.
NEEDS_ACKNOWLEDGEMENT: frozenset[TriageStatus] = frozenset({"closed", "spam"})

#: What an acknowledgement must at least say (a few words, not a keystroke).
MIN_ACKNOWLEDGEMENT_LENGTH = 10

ActionKind = Literal["status", "assign", "urgent", "unread", "note"]


class AcknowledgementRequiredError(Exception):
    """Closing or marking spam an urgent inquiry needs an acknowledgement first.

    Attributes:
        urgent_ids: the urgent inquiries among those the change was for.
    """

    def __init__(self, urgent_ids: Sequence[int]) -> None:
        super().__init__("an urgent inquiry needs an acknowledgement before it is closed")
        self.urgent_ids = tuple(urgent_ids)


@dataclass(frozen=True, slots=True)
class _Step:
    """What one inquiry looked like before an action, and the notes the action wrote."""

    inquiry_id: int
    before: TriageEdit
    note_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Action:
    """One action as the user took it (on one or several inquiries), enough to undo it.

    Attributes:
        kind: what was done.
        steps: per inquiry, its values before and the notes written.
    """

    kind: ActionKind
    steps: tuple[_Step, ...]

    @property
    def count(self) -> int:
        """How many inquiries it changed."""
        return len(self.steps)

    @property
    def inquiry_ids(self) -> tuple[int, ...]:
        """The inquiries the action changed."""
        return tuple(step.inquiry_id for step in self.steps)


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What undoing did.

    Attributes:
        restored: inquiries whose triage fields went back.
        kept_notes: notes (free text or acknowledgements) already on the site, which stay in
            the timeline.
    """

    restored: int
    kept_notes: int


def _before(row: InboxRow, fields: Sequence[str]) -> TriageEdit:
    """The row's values of the triage ``fields`` a change sets (an inbox row names them as
    :data:`~clinicdesk.model.records.TRIAGE_FIELDS` does)."""
    return cast(TriageEdit, {name: getattr(row, name) for name in fields if name in TRIAGE_FIELDS})


class TriageDesk:
    """Makes triage changes for the signed-in user.

    Args:
        cache: the open cache.
        user_id: the signed-in user's site id (the author of the notes).
        user_name: their name.
    """

    def __init__(self, cache: Cache, user_id: int, user_name: str) -> None:
        self._cache = cache
        self._user_id = user_id
        self._user_name = user_name

    def urgent_among(self, inquiry_ids: Sequence[int]) -> tuple[int, ...]:
        """Those of ``inquiry_ids`` flagged urgent."""
        rows = self._cache.inquiries.inbox_rows(inquiry_ids)
        return tuple(row.id for row in rows if row is not None and row.urgent)

    def set_status(
        self,
        inquiry_ids: Sequence[int],
        status: TriageStatus,
        *,
        acknowledgement: str = "",
    ) -> Action | None:
        """Give inquiries a triage status.

        Args:
            inquiry_ids: local ids.
            status: the new status.
            acknowledgement: required when an urgent inquiry is closed or marked spam: what
                was done about it. Recorded (kind "acknowledge") on each urgent one, in the
                same transaction as its status.

        Returns:
            The action (None when nothing changed).

        Raises:
            AcknowledgementRequiredError: an urgent inquiry would be closed or marked spam
                without an acknowledgement of at least MIN_ACKNOWLEDGEMENT_LENGTH characters.
                Nothing is changed then.
        """
        rows = self._rows(inquiry_ids)
        text = acknowledgement.strip()
        if status in NEEDS_ACKNOWLEDGEMENT:
            urgent = [r.id for r in rows if r.urgent and r.triage_status != status]
            if urgent and len(text) < MIN_ACKNOWLEDGEMENT_LENGTH:
                raise AcknowledgementRequiredError(urgent)

        def notes(row: InboxRow) -> list[tuple[NoteKind, str]]:
            if status in NEEDS_ACKNOWLEDGEMENT and row.urgent:
                return [("acknowledge", text)]
            return []

        return self._apply("status", rows, {"triage_status": status}, notes)

    def assign(self, inquiry_ids: Sequence[int], assignee: int) -> Action | None:
        """Assign inquiries to a staff member (0: nobody)."""
        return self._apply("assign", self._rows(inquiry_ids), {"assignee": assignee})

    def set_urgent(self, inquiry_ids: Sequence[int], urgent: bool) -> Action | None:
        """Flag or unflag inquiries urgent by hand."""
        return self._apply("urgent", self._rows(inquiry_ids), {"urgent": urgent})

    def set_unread(self, inquiry_ids: Sequence[int], unread: bool) -> Action | None:
        """Mark inquiries unread (or read) for the whole team."""
        return self._apply("unread", self._rows(inquiry_ids), {"unread": unread})

    def add_note(self, inquiry_id: int, text: str) -> Action:
        """Add an internal note to an inquiry's timeline.

        Raises:
            InvalidEditError: the note is empty.
        """
        note_ids = self._cache.inquiries.record_triage(
            inquiry_id,
            {},
            [("note", text.strip())],
            author=self._user_id,
            author_name=self._user_name,
        )
        return Action("note", (_Step(inquiry_id, {}, note_ids or ()),))

    def undo(self, action: Action) -> UndoResult:
        """Take back ``action``: its fields go back and its notes are dropped if not yet sent
        (notes already on the site stay: the timeline is append-only)."""
        restored = kept = 0
        for step in action.steps:
            for note_id in step.note_ids:
                try:
                    self._cache.inquiries.discard_note(note_id)
                except InvalidEditError:
                    kept += 1
            if step.before:
                done = self._cache.inquiries.record_triage(
                    step.inquiry_id,
                    step.before,
                    [],
                    author=self._user_id,
                    author_name=self._user_name,
                )
                restored += done is not None
        return UndoResult(restored, kept)

    # ------------------------------------------------------------------------------------------

    def _rows(self, inquiry_ids: Sequence[int]) -> list[InboxRow]:
        return [r for r in self._cache.inquiries.inbox_rows(inquiry_ids) if r is not None]

    def _apply(
        self,
        kind: ActionKind,
        rows: Sequence[InboxRow],
        change: TriageEdit,
        notes: Callable[[InboxRow], list[tuple[NoteKind, str]]] | None = None,
    ) -> Action | None:
        steps: list[_Step] = []
        for row in rows:
            before = _before(row, list(change))
            if before == change:
                continue
            note_ids = self._cache.inquiries.record_triage(
                row.id,
                change,
                notes(row) if notes is not None else [],
                author=self._user_id,
                author_name=self._user_name,
            )
            if note_ids is not None:
                steps.append(_Step(row.id, before, note_ids))
        if not steps:
            return None
        return Action(kind, tuple(steps))
