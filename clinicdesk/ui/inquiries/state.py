"""What the Inquiries tab and its parts (loader, triage actions, lock guard) share about the
inbox shown: whether it is locked, which inquiry is open, which read is current.

One small object owned by the tab and handed to its parts, so none of them reaches into
another's private attributes, and a reader sees in one place everything they agree on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clinicdesk.services.triage import Action


@dataclass(slots=True)
class InboxState:
    """The inbox's shared state (UI thread only).

    Attributes:
        locked: inquiries are hidden until the unlock passphrase is typed.
        generation: bumped when what is shown is emptied (a lock, shutting down): a read that
            started before is dropped when it comes back.
        shown_id: the local id of the inquiry open in the detail pane, or None.
        duplicates_key: (inquiry, email key, phone key) of the last look-up of the same
            person, so a change to the shown inquiry does not look again; None to look again.
        arrival_mark: the highest local id announced as arrived, or None before the first read.
        unread: the unread count last told to the shell, or None before the first read.
        announce: whether the next read announces new arrivals (False while a round is still
            storing them: their crisis check comes at its end).
        wanted_selection: the inquiry to select at the first read that has it (the one open
            at the last close), or None.
        last_action: the last triage change made here (what Ctrl+Z undoes), or None.
        staff_names: the staff's names by site user id (assignee column, export, dialogs).
        choices_due: the next read also reads the filters' choices and the staff's names (at
            start, and after each sync round).
    """

    locked: bool = True
    generation: int = 0
    shown_id: int | None = None
    duplicates_key: tuple[int, str, str] | None = None
    arrival_mark: int | None = None
    unread: int | None = None
    announce: bool = True
    wanted_selection: int | None = None
    last_action: Action | None = None
    staff_names: dict[int, str] = field(default_factory=dict)
    choices_due: bool = True
