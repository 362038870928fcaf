"""The crisis protocol panel of the Inquiries detail pane: shown for an inquiry flagged urgent
or holding crisis language, with why, the clinic's own protocol, and the 988 Suicide and Crisis
Lifeline (its Spanish options too, for a message written in Spanish).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from clinicdesk.ui.inquiries.options import lifeline_spanish_text, lifeline_text
from clinicdesk.ui.inquiries.plain_labels import value_label


class CrisisPanel(QFrame):
    """The crisis protocol panel.

    Args:
        parent: the detail pane's content.

    Attributes:
        reason: why it shows (the crisis language found, or a staff member's flag).
        protocol_label: the clinic's crisis protocol (the settings' text).
        lifeline_label: the 988 Lifeline.
        spanish_label: the Lifeline's Spanish options (shown for a message in Spanish).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crisisPanel")
        self.setAccessibleName(self.tr("Crisis protocol"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "QFrame#crisisPanel { border: 2px solid #c62828; border-radius: 4px;"
            " background: rgba(198, 40, 40, 24); }"
        )
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("This person may be in crisis"), self)
        title.setObjectName("crisisTitle")
        title.setAccessibleName(self.tr("This person may be in crisis"))
        title.setTextFormat(Qt.TextFormat.PlainText)
        title_font = title.font()
        title_font.setBold(True)
        title.setFont(title_font)
        layout.addWidget(title)
        self.reason = value_label("crisisReason", self.tr("Why it was flagged"), self)
        layout.addWidget(self.reason)
        self.protocol_label = value_label("crisisProtocol", self.tr("Crisis protocol"), self)
        layout.addWidget(self.protocol_label)
        self.lifeline_label = value_label(
            "crisisLifeline", self.tr("988 Suicide and Crisis Lifeline"), self
        )
        self.lifeline_label.setText(lifeline_text())
        self.lifeline_label.setFont(title_font)
        layout.addWidget(self.lifeline_label)
        self.spanish_label = value_label(
            "crisisLifelineSpanish", self.tr("988 Lifeline in Spanish"), self
        )
        self.spanish_label.setText(lifeline_spanish_text())
        self.spanish_label.setFont(title_font)
        layout.addWidget(self.spanish_label)

    def show_for(
        self, *, urgent: bool, crisis_reasons: tuple[str, ...], spanish: bool, protocol: str
    ) -> None:
        """Show the panel for an inquiry flagged ``urgent`` or holding crisis language (hide
        it otherwise), saying why, with the clinic's ``protocol``."""
        self.setVisible(urgent or bool(crisis_reasons))
        # Hidden with the panel, and shown only for a message written in Spanish.
        self.spanish_label.setVisible(spanish)
        if crisis_reasons:
            self.reason.setText(
                self.tr("Crisis language in the inquiry:")
                + "".join(f"\n\u2022 {reason}" for reason in crisis_reasons)
            )
        else:
            self.reason.setText(self.tr("Flagged urgent by a staff member."))
        self.protocol_label.setText(protocol)
