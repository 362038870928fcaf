"""The detail pane: every field of one inquiry, its flags, the crisis protocol when it may be
needed, contact actions, likely duplicates and the timeline.

Everything from the form is shown as plain text: labels are ``PlainText`` with no link
activation, the message is a read-only ``QPlainTextEdit`` (which cannot render HTML or load
anything), so ``<script>``, ``<img src=...>`` or ``<b>`` appear as the characters typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.inquiry_rules import (
    ResponseWait,
    ServiceArea,
    dial_number,
)
from clinicdesk.model.cached import InquiryDetail, NoteInfo
from clinicdesk.model.records import TRIAGE_STATUSES, NoteKind, is_system_note
from clinicdesk.store.inbox import InboxRow
from clinicdesk.ui.icon import give_icon
from clinicdesk.ui.inquiries.crisis_panel import CrisisPanel
from clinicdesk.ui.inquiries.models import IdRole
from clinicdesk.ui.inquiries.options import (
    ago,
    contact_label,
    duration,
    local_time,
    short_time,
    status_label,
)
from clinicdesk.ui.inquiries.plain_labels import value_label
from clinicdesk.ui.inquiries.timeline import DuplicatesModel, TimelineModel
from clinicdesk.ui.layouts import FlowLayout
from clinicdesk.ui.theme import SPACE_XS, TYPE_TITLE


@dataclass(frozen=True, slots=True)
class DetailFacts:
    """What the tab worked out about an inquiry for the pane.

    Attributes:
        crisis_reasons: why its reason and message read as crisis language, one line per
            category ("plan / means: “have the pills”"); empty when they do not.
        spanish: whether it is written in Spanish (the Lifeline's Spanish options are shown).
        area: whether its state is one the clinic serves.
        wait: how it stands against the first-response target (None unless "new").
        staff: site user id -> name.
        me: the signed-in user's name.
    """

    crisis_reasons: tuple[str, ...]
    area: ServiceArea
    wait: ResponseWait | None
    staff: Mapping[int, str]
    me: str = ""
    spanish: bool = False


def _unsent_events(detail: InquiryDetail) -> list[tuple[NoteKind, str]]:
    """The triage changes made here and not yet on the site, as timeline events (the push
    records them on the site once accepted)."""
    if detail.base is None:
        return []
    base, now = detail.base, detail.triage
    events: list[tuple[NoteKind, str]] = []
    if now.triage_status != base.triage_status:
        events.append(("status", now.triage_status))
    if now.assignee != base.assignee:
        events.append(("assign", str(now.assignee)))
    if now.urgent != base.urgent:
        events.append(("urgent", "on" if now.urgent else "off"))
    return events


def _button(text: str, name: str, accessible: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    give_icon(button)
    return button


def mailto_url(email: str) -> QUrl | None:
    """A ``mailto:`` URL for ``email``, percent-encoded by QUrl; None when it is not a plain
    address (spaces, control characters, no ``@``): nothing from a form is opened unchecked."""
    address = email.strip()
    if (
        address.count("@") != 1
        or any(c.isspace() or ord(c) < 32 or c in "?#&" for c in address)
        or address.startswith("@")
        or address.endswith("@")
    ):
        return None
    url = QUrl()
    url.setScheme("mailto")
    url.setPath(address, QUrl.ParsingMode.DecodedMode)
    return url if url.isValid() else None


def tel_url(phone: str) -> QUrl | None:
    """A ``tel:`` URL with the number's digits only (and a leading +), or None."""
    number = dial_number(phone)
    if not number:
        return None
    url = QUrl()
    url.setScheme("tel")
    url.setPath(number, QUrl.ParsingMode.DecodedMode)
    return url


class DetailPane(QScrollArea):
    """One inquiry in full.

    Args:
        parent: the tab.

    Signals:
        statusChosen(str): a triage status was picked in the status box.
        assignRequested(): "Assign…" was clicked.
        noteRequested(): "Add note…" was clicked.
        urgentRequested(bool): the urgent flag should be set (True) or removed.
        unreadRequested(): "Mark unread" was clicked.
        readRequested(): "Mark read" was clicked.
        duplicateActivated(int): a likely duplicate was opened (its local id).
    """

    statusChosen = Signal(str)
    assignRequested = Signal()
    noteRequested = Signal()
    urgentRequested = Signal(bool)
    unreadRequested = Signal()
    readRequested = Signal()
    duplicateActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inquiryDetail")
        self.setAccessibleName(self.tr("Inquiry details"))
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Everything wraps or flows to the pane's width: it scrolls down, never sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inquiry_id: int | None = None
        self.copied: str | None = None
        self._email = ""
        self._phone = ""
        self._urgent = False

        body = QWidget(self)
        body.setObjectName("inquiryDetailBody")
        body.setAccessibleName(self.tr("Inquiry details"))
        layout = QVBoxLayout(body)
        self.empty = QLabel(self.tr("Select an inquiry to see it here."), body)
        self.empty.setObjectName("inquiryDetailEmpty")
        self.empty.setAccessibleName(self.tr("No inquiry selected"))
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)

        self.content = QWidget(body)
        self.content.setObjectName("inquiryDetailContent")
        self.content.setAccessibleName(self.tr("Inquiry"))
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.content)
        layout.addStretch(1)

        self.name_label = value_label("inquiryName", self.tr("Name"), self.content)
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * TYPE_TITLE)
        font.setBold(True)
        self.name_label.setFont(font)
        content.addWidget(self.name_label)

        # Badges and buttons flow onto further lines in a narrow pane (a laptop's 1024 px
        # leaves the detail ~340 px): nothing is cut off and nothing scrolls sideways.
        flags_holder = QWidget(self.content)
        flags_holder.setObjectName("inquiryFlags")
        flags = FlowLayout(flags_holder)
        self.urgent_badge = value_label("inquiryUrgentBadge", self.tr("Urgent"), self.content)
        self.urgent_badge.setStyleSheet(
            "QLabel { background: #c62828; color: white; padding: 2px 8px; border-radius: 3px;"
            " font-weight: bold; }"
        )
        self.urgent_badge.setWordWrap(False)
        self.urgent_badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        flags.addWidget(self.urgent_badge)
        self.area_badge = value_label("inquiryAreaBadge", self.tr("Service area"), self.content)
        self.area_badge.setStyleSheet(
            "QLabel { background: #fff3cd; color: #5c4400; padding: 2px 8px; border-radius: 3px; }"
        )
        self.area_badge.setWordWrap(False)
        self.area_badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        flags.addWidget(self.area_badge)
        self.wait_badge = value_label("inquiryWaitBadge", self.tr("Waiting"), self.content)
        self.wait_badge.setWordWrap(False)
        self.wait_badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        flags.addWidget(self.wait_badge)
        content.addWidget(flags_holder)

        self.crisis_panel = CrisisPanel(self.content)
        # The panel's labels, as the pane's (the window, the tests and screen shots read them).
        self.crisis_reason = self.crisis_panel.reason
        self.protocol_label = self.crisis_panel.protocol_label
        self.lifeline_label = self.crisis_panel.lifeline_label
        self.spanish_label = self.crisis_panel.spanish_label
        content.addWidget(self.crisis_panel)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # In a narrow pane a field that does not fit beside its caption goes below it.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.received_label = value_label("inquiryReceived", self.tr("Received"), self.content)
        form.addRow(self.tr("Received:"), self.received_label)

        self.email_label = value_label("inquiryEmail", self.tr("Email"), self.content)
        self.email_button = _button(
            self.tr("&Email"), "inquiryEmailButton", self.tr("Write an email"), self.content
        )
        self.email_button.clicked.connect(self._send_email)
        self.copy_email_button = _button(
            self.tr("Cop&y"), "inquiryCopyEmailButton", self.tr("Copy the email"), self.content
        )
        self.copy_email_button.clicked.connect(lambda: self._copy(self._email))
        form.addRow(
            self.tr("Email:"),
            self._row(self.email_label, self.email_button, self.copy_email_button),
        )

        self.phone_label = value_label("inquiryPhone", self.tr("Phone"), self.content)
        self.call_button = _button(
            self.tr("&Call"), "inquiryCallButton", self.tr("Call"), self.content
        )
        self.call_button.clicked.connect(self._call)
        self.copy_phone_button = _button(
            self.tr("Co&py"), "inquiryCopyPhoneButton", self.tr("Copy the phone"), self.content
        )
        self.copy_phone_button.clicked.connect(lambda: self._copy(self._phone))
        form.addRow(
            self.tr("Phone:"), self._row(self.phone_label, self.call_button, self.copy_phone_button)
        )

        self.contact_label = value_label(
            "inquiryPreferredContact", self.tr("Preferred contact"), self.content
        )
        form.addRow(self.tr("Prefers:"), self.contact_label)
        self.state_label = value_label("inquiryState", self.tr("State"), self.content)
        form.addRow(self.tr("State:"), self.state_label)
        self.insurance_label = value_label("inquiryInsurance", self.tr("Insurance"), self.content)
        form.addRow(self.tr("Insurance:"), self.insurance_label)
        self.reason_label = value_label("inquiryReason", self.tr("Reason"), self.content)
        form.addRow(self.tr("Reason:"), self.reason_label)
        self.consent_label = value_label("inquiryConsent", self.tr("Consent"), self.content)
        form.addRow(self.tr("Consent:"), self.consent_label)

        self.status_combo = QComboBox(self.content)
        self.status_combo.setObjectName("inquiryStatusCombo")
        self.status_combo.setAccessibleName(self.tr("Status"))
        for status in TRIAGE_STATUSES:
            self.status_combo.addItem(status_label(status), status)
        self.status_combo.activated.connect(
            lambda index: self.statusChosen.emit(self.status_combo.itemData(index))
        )
        status_caption = QLabel(self.tr("S&tatus:"), self.content)
        status_caption.setObjectName("inquiryStatusCaption")
        status_caption.setBuddy(self.status_combo)
        form.addRow(status_caption, self.status_combo)

        self.assignee_label = value_label("inquiryAssignee", self.tr("Assigned to"), self.content)
        self.assign_button = _button(
            self.tr("Assi&gn…"), "inquiryAssignButton", self.tr("Assign"), self.content
        )
        self.assign_button.clicked.connect(self.assignRequested)
        form.addRow(self.tr("Assigned to:"), self._row(self.assignee_label, self.assign_button))
        self.sync_label = value_label("inquirySyncState", self.tr("Sync state"), self.content)
        form.addRow(self.tr("Sync:"), self.sync_label)
        content.addLayout(form)

        actions_holder = QWidget(self.content)
        actions_holder.setObjectName("inquiryActions")
        actions = FlowLayout(actions_holder)
        self.urgent_button = _button(
            self.tr("Flag &urgent"), "inquiryUrgentButton", self.tr("Flag urgent"), self.content
        )
        self.urgent_button.clicked.connect(lambda: self.urgentRequested.emit(not self._urgent))
        actions.addWidget(self.urgent_button)
        self.unread_button = _button(
            self.tr("Mark u&nread"), "inquiryUnreadButton", self.tr("Mark unread"), self.content
        )
        self.unread_button.clicked.connect(self.unreadRequested)
        actions.addWidget(self.unread_button)
        # Both, each saying what it does (a toggle left staff guessing which state it shows).
        self.read_button = _button(
            self.tr("Mark &read"), "inquiryReadButton", self.tr("Mark read"), self.content
        )
        self.read_button.clicked.connect(self.readRequested)
        actions.addWidget(self.read_button)
        self.note_button = _button(
            self.tr("Add n&ote…"), "inquiryNoteButton", self.tr("Add a note"), self.content
        )
        self.note_button.clicked.connect(self.noteRequested)
        actions.addWidget(self.note_button)
        content.addWidget(actions_holder)

        message_caption = QLabel(self.tr("&Message:"), self.content)
        message_caption.setObjectName("inquiryMessageCaption")
        content.addWidget(message_caption)
        self.message_edit = QPlainTextEdit(self.content)
        self.message_edit.setObjectName("inquiryMessage")
        self.message_edit.setAccessibleName(self.tr("Message"))
        self.message_edit.setReadOnly(True)
        self.message_edit.setTabChangesFocus(True)
        self.message_edit.setUndoRedoEnabled(False)  # nothing of a message kept after clear()
        self.message_edit.setMinimumHeight(120)
        self.message_edit.setMaximumHeight(160)  # the timeline below stays in sight
        # The form allows an empty message: say so, rather than an empty box (a placeholder,
        # so copying the message never copies these words).
        self.message_edit.setPlaceholderText(self.tr("(no message)"))
        message_caption.setBuddy(self.message_edit)
        content.addWidget(self.message_edit)

        self.duplicates_caption = QLabel(self.tr("&Likely the same person:"), self.content)
        self.duplicates_caption.setObjectName("inquiryDuplicatesCaption")
        content.addWidget(self.duplicates_caption)
        self.duplicates_model = DuplicatesModel(self)
        self.duplicates_view = QListView(self.content)
        self.duplicates_view.setObjectName("inquiryDuplicates")
        self.duplicates_view.setAccessibleName(self.tr("Likely duplicates"))
        self.duplicates_view.setModel(self.duplicates_model)
        self.duplicates_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.duplicates_view.setMaximumHeight(80)
        self.duplicates_view.activated.connect(self._open_duplicate)
        self.duplicates_view.clicked.connect(self._open_duplicate)
        self.duplicates_caption.setBuddy(self.duplicates_view)
        content.addWidget(self.duplicates_view)

        timeline_caption = QLabel(self.tr("T&imeline:"), self.content)
        timeline_caption.setObjectName("inquiryTimelineCaption")
        content.addWidget(timeline_caption)
        self.timeline_model = TimelineModel(self)
        self.timeline_view = QListView(self.content)
        self.timeline_view.setObjectName("inquiryTimeline")
        self.timeline_view.setAccessibleName(self.tr("Timeline"))
        self.timeline_view.setModel(self.timeline_model)
        self.timeline_view.setWordWrap(True)
        self.timeline_view.setAlternatingRowColors(True)  # entries span lines: tell them apart
        self.timeline_view.setSpacing(SPACE_XS)
        self.timeline_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.timeline_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.timeline_view.setMinimumHeight(160)
        timeline_caption.setBuddy(self.timeline_view)
        content.addWidget(self.timeline_view)

        self.setWidget(body)
        self.clear()

    # -- showing ----------------------------------------------------------------------------------

    def show_times(self, received_gmt: datetime, wait: ResponseWait | None, now: datetime) -> None:
        """Show what moves with the clock: when it arrived ("… ago") and how long it has
        waited. Called on opening and on each tick of the tab's clock, as the list's columns."""
        self.received_label.setText(f"{local_time(received_gmt)} ({ago(received_gmt, now)})")
        if wait is not None:
            waited = duration(wait.waited)
            self.wait_badge.setText(
                self.tr("Waiting %1 (overdue)").replace("%1", waited)
                if wait.overdue
                else self.tr("Waiting %1").replace("%1", waited)
            )
            self.wait_badge.setToolTip(
                self.tr("First response due by %1").replace("%1", short_time(wait.due))
            )
            self.wait_badge.setStyleSheet(
                "QLabel { background: #ffe0b2; color: #5c2b00; padding: 2px 8px;"
                " border-radius: 3px; font-weight: bold; }"
                if wait.overdue
                else ""
            )
        self.wait_badge.setVisible(wait is not None)

    def show_inquiry(
        self,
        detail: InquiryDetail,
        notes: Sequence[NoteInfo],
        facts: DetailFacts,
        protocol: str,
        now: datetime,
    ) -> None:
        """Show an inquiry (the duplicates come separately: :meth:`set_duplicates`)."""
        same = self.inquiry_id == detail.id
        self.inquiry_id = detail.id
        self._email, self._phone = detail.email, detail.phone
        self._urgent = detail.triage.urgent
        self.empty.hide()
        self.content.show()
        self.name_label.setText(f"{detail.first_name} {detail.last_name}".strip())

        self.urgent_badge.setText(self.tr("URGENT"))
        self.urgent_badge.setVisible(detail.triage.urgent)
        if facts.area == "outside":
            self.area_badge.setText(
                self.tr("Outside service area (%1)").replace("%1", detail.state)
            )
        else:
            self.area_badge.setText(self.tr("State not given: ask where they live"))
        self.area_badge.setVisible(facts.area != "inside")
        self.show_times(detail.received_gmt, facts.wait, now)

        self.crisis_panel.show_for(
            urgent=detail.triage.urgent,
            crisis_reasons=facts.crisis_reasons,
            spanish=facts.spanish,
            protocol=protocol,
        )

        self.email_label.setText(detail.email)
        self.email_button.setEnabled(mailto_url(detail.email) is not None)
        self.copy_email_button.setEnabled(bool(detail.email.strip()))
        self.phone_label.setText(detail.phone or self.tr("not given"))
        self.call_button.setEnabled(tel_url(detail.phone) is not None)
        self.copy_phone_button.setEnabled(bool(detail.phone.strip()))
        self.contact_label.setText(contact_label(detail.preferred_contact))
        self.state_label.setText(detail.state or self.tr("not given"))
        self.insurance_label.setText(detail.insurance or self.tr("not given"))
        self.reason_label.setText(detail.reason)
        self.consent_label.setText(self.tr("Given") if detail.consent else self.tr("Not given"))
        self.status_combo.setCurrentIndex(self.status_combo.findData(detail.triage.triage_status))
        assignee = detail.triage.assignee
        self.assignee_label.setText(
            (facts.staff.get(assignee) or self.tr("user %1").replace("%1", str(assignee)))
            if assignee
            else self.tr("Nobody")
        )
        self.sync_label.setText(self._sync_text(detail))
        self.urgent_button.setText(
            self.tr("Remove &urgent flag") if detail.triage.urgent else self.tr("Flag &urgent")
        )
        self.urgent_button.setAccessibleName(
            self.tr("Remove urgent flag") if detail.triage.urgent else self.tr("Flag urgent")
        )
        self.unread_button.setEnabled(not detail.triage.unread)
        self.read_button.setEnabled(detail.triage.unread)

        if not same or self.message_edit.toPlainText() != detail.message:
            self.message_edit.setPlainText(detail.message)
        if not same:
            self.duplicates_model.clear()
            # Another inquiry is read from its top (name, URGENT, the crisis header), never
            # from where the previous one was left scrolled.
            self.verticalScrollBar().setValue(0)
        self._update_duplicates_visibility()
        # The crisis check's flag waits with its note (ClinicDesk's own): the flag is not "me".
        automatic = any(n.pending and is_system_note(n.author, n.kind) for n in notes)
        self.timeline_model.set_notes(
            notes, facts.staff, _unsent_events(detail), facts.me, automatic_flag=automatic
        )
        self.timeline_view.scrollToBottom()

    def set_duplicates(self, inquiry_id: int, rows: Sequence[tuple[InboxRow, str]]) -> None:
        """The likely duplicates of ``inquiry_id`` (ignored if another inquiry is shown now)."""
        if inquiry_id != self.inquiry_id:
            return
        self.duplicates_model.set_rows(rows)
        self._update_duplicates_visibility()

    def clear(self) -> None:
        """Show nothing: every field emptied (the tab locked, or nothing is selected)."""
        self.inquiry_id = None
        self._email = self._phone = ""
        self._urgent = False
        for label in (
            self.name_label,
            self.urgent_badge,
            self.area_badge,
            self.wait_badge,
            self.crisis_reason,
            self.received_label,
            self.email_label,
            self.phone_label,
            self.contact_label,
            self.state_label,
            self.insurance_label,
            self.reason_label,
            self.consent_label,
            self.assignee_label,
            self.sync_label,
        ):
            label.clear()
        self.message_edit.clear()
        self.duplicates_model.clear()
        self.timeline_model.clear()
        self.content.hide()
        self.empty.show()

    # -- actions ----------------------------------------------------------------------------------

    def _send_email(self) -> None:
        url = mailto_url(self._email)
        if url is not None:
            QDesktopServices.openUrl(url)

    def _call(self) -> None:
        url = tel_url(self._phone)
        if url is not None:
            QDesktopServices.openUrl(url)

    def _copy(self, value: str) -> None:
        if value.strip():
            QGuiApplication.clipboard().setText(value.strip())
            self.copied = value.strip()

    def _open_duplicate(self, index: QModelIndex) -> None:
        inquiry_id = self.duplicates_model.data(index, IdRole)
        if isinstance(inquiry_id, int):
            self.duplicateActivated.emit(inquiry_id)

    # -- helpers ----------------------------------------------------------------------------------

    def _update_duplicates_visibility(self) -> None:
        has = self.duplicates_model.rowCount() > 0
        self.duplicates_caption.setVisible(has)
        self.duplicates_view.setVisible(has)

    def _row(self, label: QLabel, *buttons: QPushButton) -> QWidget:
        holder = QWidget(self.content)
        holder.setObjectName(f"{label.objectName()}Row")
        holder.setAccessibleName(label.accessibleName())
        # The value, then its buttons: beside it when there is room, on the next line if not.
        row = FlowLayout(holder)
        label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        row.addWidget(label)
        for button in buttons:
            row.addWidget(button)
        return holder

    def _sync_text(self, detail: InquiryDetail) -> str:
        texts = {
            "synced": self.tr("Up to date with the site"),
            "modified": self.tr("Changes waiting to be sent"),
            "new": self.tr("Not on the site yet"),
            "conflict": self.tr("Changed here and on the site: needs a choice"),
            "rejected": self.tr("Refused by the site"),
            "deleted_on_site": self.tr("Deleted on the site"),
        }
        text = texts.get(detail.sync_state, detail.sync_state)
        if detail.sync_message:
            text = f"{text}: {detail.sync_message}"
        return text
