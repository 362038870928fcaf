"""The Inquiries tab's actions: triage keys, navigation, undo, export, lock and find.

Single keys (J, K, C, E…) act only in the inbox table, so typing in the search box never
triages; Ctrl shortcuts act anywhere in the tab. Each action is also a toolbar button unless
it is navigation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from clinicdesk.ui.icon import give_icon

if TYPE_CHECKING:
    from clinicdesk.ui.inquiries.tab import InquiriesTab


class InboxCommands:
    """The tab's actions, made once its table and toolbar exist.

    Args:
        tab: the Inquiries tab.
    """

    def __init__(self, tab: InquiriesTab) -> None:
        self._t = tab

    def _action(
        self,
        name: str,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Callable[[], None],
        *,
        table_only: bool = True,
        toolbar: bool = True,
    ) -> QAction:
        action = QAction(text, self._t)
        action.setObjectName(name)
        give_icon(action)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(
                f"{text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        # Single keys act only in the table (typing in the search box must not triage);
        # Ctrl shortcuts act anywhere in the tab.
        if table_only:
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self._t.table.addAction(action)
        else:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self._t.addAction(action)
        action.triggered.connect(lambda _checked=False: slot())
        if toolbar:
            self._t.toolbar.addAction(action)
            button = self._t.toolbar.widgetForAction(action)
            if button is not None:
                button.setObjectName(f"{name}Button")
                button.setAccessibleName(text)
        return action

    def build(self) -> None:
        """Make every action (called once the inbox's table and toolbar exist)."""
        ids = self._t.selected_ids
        self.next_action = self._action(
            "inquiryNextAction",
            self._t.tr("Next"),
            "J",
            lambda: self._t.move_selection(1),
            toolbar=False,
        )
        self.previous_action = self._action(
            "inquiryPreviousAction",
            self._t.tr("Previous"),
            "K",
            lambda: self._t.move_selection(-1),
            toolbar=False,
        )
        self.contacted_action = self._action(
            "inquiryContactedAction",
            self._t.tr("Contacted"),
            "C",
            lambda: self._t.triage.set_status("contacted", ids()),
        )
        self.scheduled_action = self._action(
            "inquiryScheduledAction",
            self._t.tr("Scheduled"),
            None,
            lambda: self._t.triage.set_status("scheduled", ids()),
        )
        self.referred_action = self._action(
            "inquiryReferredAction",
            self._t.tr("Referred"),
            None,
            lambda: self._t.triage.set_status("referred", ids()),
        )
        self.close_action = self._action(
            "inquiryCloseAction",
            self._t.tr("Close"),
            "E",
            lambda: self._t.triage.set_status("closed", ids()),
        )
        self.spam_action = self._action(
            "inquirySpamAction",
            self._t.tr("Spam"),
            "S",
            lambda: self._t.triage.set_status("spam", ids()),
        )
        self.assign_action = self._action(
            "inquiryAssignAction", self._t.tr("Assign…"), "A", lambda: self._t.triage.assign(ids())
        )
        self.note_action = self._action(
            "inquiryNoteAction", self._t.tr("Note…"), "N", lambda: self._t.triage.note(ids())
        )
        self.unread_action = self._action(
            "inquiryUnreadAction",
            self._t.tr("Mark read/unread"),
            "U",
            lambda: self._t.triage.toggle_unread(ids()),
        )
        self.urgent_action = self._action(
            "inquiryUrgentAction",
            self._t.tr("Urgent"),
            "!",
            lambda: self._t.triage.toggle_urgent(ids()),
        )
        self._t.toolbar.addSeparator()
        self.undo_action = self._action(
            "inquiryUndoAction",
            self._t.tr("Undo"),
            QKeySequence.StandardKey.Undo,
            self._t.undo,
            table_only=False,
        )
        self.undo_action.setEnabled(False)
        self.export_action = self._action(
            "inquiryExportAction",
            self._t.tr("Export…"),
            None,
            lambda: self._t.export.export(ids()),
            table_only=False,
        )
        self.lock_action = self._action(
            "inquiryLockAction", self._t.tr("Lock"), "Ctrl+L", self._t.lock, table_only=False
        )
        self.find_action = self._action(
            "inquiryFindAction",
            self._t.tr("Find"),
            QKeySequence.StandardKey.Find,
            self._t.focus_search,
            table_only=False,
            toolbar=False,
        )
