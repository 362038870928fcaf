"""The Qt models of the Inquiries detail pane: an inquiry's timeline (its notes and triage
changes, each worded for the reader, with the changes not sent yet) and the likely duplicates
(other inquiries from the same email or phone).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from clinicdesk.model.cached import NoteInfo
from clinicdesk.model.records import NoteKind, is_system_note
from clinicdesk.store.inbox import InboxRow
from clinicdesk.ui.inquiries.models import IdRole
from clinicdesk.ui.inquiries.options import local_time, note_kind_label, short_time, status_label

AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class TimelineModel(QAbstractListModel):
    """An inquiry's timeline: each entry with who and when, as plain text.

    Triage changes made here appear at the end as "waiting to be sent" until sync sends them
    (the entry recording a change is written when the site accepts it).

    Args:
        parent: the owner.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notes: list[NoteInfo] = []
        self._pending: list[tuple[NoteKind, str]] = []
        self._staff: Mapping[int, str] = {}
        self._me = ""
        self._automatic_flag = False
        #: How each kind of entry is worded (a note, or a kind not listed, is shown as it is).
        self._wordings: dict[str, Callable[[str], str]] = {
            "status": self._status_text,
            "assign": self._assign_text,
            "urgent": self._urgent_text,
            "acknowledge": self._acknowledge_text,
        }

    def set_notes(
        self,
        notes: Sequence[NoteInfo],
        staff: Mapping[int, str],
        pending: Sequence[tuple[NoteKind, str]] = (),
        me: str = "",
        *,
        automatic_flag: bool = False,
    ) -> None:
        """Show these entries (oldest first), then the changes not yet sent.

        Args:
            notes: the timeline.
            staff: site user id -> name.
            pending: triage changes made here and not yet on the site, as (kind, content).
            me: the signed-in user's name (who made the pending changes).
            automatic_flag: the pending urgent flag is ClinicDesk's own (its crisis check),
                not the signed-in user's.
        """
        self.beginResetModel()
        self._notes = list(notes)
        self._pending = list(pending)
        self._staff = dict(staff)
        self._me = me
        self._automatic_flag = automatic_flag
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.set_notes([], {})

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._notes) + len(self._pending)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row = index.row()
        if row >= len(self._notes):
            kind, content = self._pending[row - len(self._notes)]
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                who = self._me
                if self._automatic_flag and (kind, content) == ("urgent", "on"):
                    who = self.tr("ClinicDesk, automatically: crisis language")
                head = f"{self.tr('Not sent yet')} · {who} · {note_kind_label(kind)}"
                body = self._body(kind, content)
                return f"{head}\n{body}\n{self.tr('(waiting to be sent)')}"
            return None
        note = self._notes[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(note)
        if role == Qt.ItemDataRole.ToolTipRole:
            return local_time(note.date_gmt)
        return None

    def _text(self, note: NoteInfo) -> str:
        if is_system_note(note.author, note.kind):
            # ClinicDesk's own automatic crisis flag: never any person's decision.
            who = self.tr("ClinicDesk, automatically: crisis language")
        else:
            who = note.author_name or self._staff.get(note.author) or self.tr("Someone")
        head = f"{short_time(note.date_gmt)} · {who} · {note_kind_label(note.kind)}"
        body = self._body(note.kind, note.content)
        if note.rejected_message is not None:
            body += "\n" + self.tr("Refused by the site: %1").replace("%1", note.rejected_message)
        elif note.pending:
            body += "\n" + self.tr("(waiting to be sent)")
        return f"{head}\n{body}"

    def _body(self, kind: NoteKind, content: str) -> str:
        """An entry's content in words: each kind of entry has its wording (a status, an
        assignment, the urgent flag, an acknowledgement); a note is its own text."""
        wording = self._wordings.get(kind)
        return wording(content) if wording is not None else content

    def _status_text(self, content: str) -> str:
        return self.tr("Status set to %1").replace("%1", status_label(content))

    def _assign_text(self, content: str) -> str:
        try:
            user = int(content)
        except ValueError:
            return content
        if user == 0:
            return self.tr("Unassigned")
        name = self._staff.get(user) or self.tr("user %1").replace("%1", content)
        return self.tr("Assigned to %1").replace("%1", name)

    def _urgent_text(self, content: str) -> str:
        word = content.strip().lower()
        if word == "off":
            return self.tr("Urgent flag removed")
        if word == "on":
            return self.tr("Flagged urgent")
        return content

    def _acknowledge_text(self, content: str) -> str:
        return self.tr("Crisis protocol acknowledged: %1").replace("%1", content)


class DuplicatesModel(QAbstractListModel):
    """Other inquiries from the same email or phone, to open from the detail pane.

    Args:
        parent: the owner.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[InboxRow, str]] = []

    def set_rows(self, rows: Sequence[tuple[InboxRow, str]]) -> None:
        """Show these inquiries, each with why it is a likely duplicate."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.set_rows([])

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, why = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            name = f"{row.first_name} {row.last_name}".strip()
            when, status = short_time(row.received_gmt), status_label(row.triage_status)
            return f"{name} · {when} · {status} · {why}"
        if role == IdRole:
            return row.id
        return None
