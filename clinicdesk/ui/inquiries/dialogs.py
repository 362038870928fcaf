"""The Inquiries tab's dialogs: acknowledge an urgent inquiry, add a note, assign, export.

Each is opened non-blocking (``open()``; the caller listens to ``accepted``/``finished``) so the
event loop, the idle lock and tests keep running while it shows. None of them shows text from a
form submission; the note and acknowledgement fields hold only what staff type.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.model.cached import UserInfo
from clinicdesk.services.triage import MIN_ACKNOWLEDGEMENT_LENGTH
from clinicdesk.ui.inquiries.options import lifeline_text


def plain_label(text: str, name: str, parent: QWidget) -> QLabel:
    """A word-wrapped plain-text label (never rich text), named for tests and screen readers."""
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setAccessibleName(text.split("\n", 1)[0][:80] or name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _buttons(dialog: QDialog, ok_text: str, name: str) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    box.setObjectName(f"{name}Buttons")
    box.setAccessibleName(dialog.tr("Dialog buttons"))
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setObjectName(f"{name}OkButton")
    ok.setAccessibleName(ok_text.replace("&", ""))
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    cancel.setObjectName(f"{name}CancelButton")
    cancel.setAccessibleName(dialog.tr("Cancel"))
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class AcknowledgeDialog(QDialog):
    """Before an urgent inquiry is closed or marked spam: what was done, in the person's words.

    The text is recorded in each urgent inquiry's timeline (kind "acknowledge") and synced.

    Args:
        count: how many urgent inquiries the change is for.
        action: what is about to happen, e.g. "close".
        protocol: the clinic's crisis protocol.
        parent: the parent widget.
    """

    def __init__(self, count: int, action: str, protocol: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("acknowledgeDialog")
        self.setAccessibleName(self.tr("Acknowledge an urgent inquiry"))
        self.setWindowTitle(self.tr("Urgent inquiry: acknowledge first"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        intro = (
            self.tr(
                "This inquiry was flagged urgent: the person may be in crisis. Before you %1 "
                "it, write what was done to follow the crisis protocol (for example who called "
                "them, when, and what was agreed). It is kept in its timeline."
            )
            if count == 1
            else self.tr(
                "%2 of these inquiries were flagged urgent: the people may be in crisis. "
                "Before you %1 them, write what was done to follow the crisis protocol. It is "
                "kept in each one's timeline."
            ).replace("%2", str(count))
        ).replace("%1", action)
        layout.addWidget(plain_label(intro, "acknowledgeExplanation", self))
        protocol_label = plain_label(protocol, "acknowledgeProtocol", self)
        protocol_label.setAccessibleName(self.tr("Crisis protocol"))
        layout.addWidget(protocol_label)
        layout.addWidget(plain_label(lifeline_text(), "acknowledgeLifeline", self))
        caption = QLabel(self.tr("&What was done:"), self)
        caption.setObjectName("acknowledgeCaption")
        layout.addWidget(caption)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("acknowledgeText")
        self.text_edit.setAccessibleName(self.tr("What was done"))
        self.text_edit.setTabChangesFocus(True)
        caption.setBuddy(self.text_edit)
        layout.addWidget(self.text_edit)
        self.hint = plain_label(
            self.tr("At least %1 characters.").replace("%1", str(MIN_ACKNOWLEDGEMENT_LENGTH)),
            "acknowledgeHint",
            self,
        )
        layout.addWidget(self.hint)
        self.buttons = _buttons(
            self, self.tr("&Acknowledge and %1").replace("%1", action), "acknowledge"
        )
        layout.addWidget(self.buttons)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.text_edit.textChanged.connect(self._check)
        self.resize(520, 460)

    @property
    def text(self) -> str:
        """What was typed, trimmed."""
        return self.text_edit.toPlainText().strip()

    def _check(self) -> None:
        self.ok_button.setEnabled(len(self.text) >= MIN_ACKNOWLEDGEMENT_LENGTH)


class NoteDialog(QDialog):
    """Write an internal note (staff only; it syncs to the inquiry's timeline on the site).

    Args:
        count: how many inquiries it is added to.
        parent: the parent widget.
        inquiry_ids: the local ids of those inquiries (kept with a draft across a lock).
    """

    def __init__(self, count: int, parent: QWidget | None, inquiry_ids: Sequence[int] = ()) -> None:
        super().__init__(parent)
        self.inquiry_ids = tuple(inquiry_ids)
        self.setObjectName("noteDialog")
        self.setAccessibleName(self.tr("Add a note"))
        self.setWindowTitle(
            self.tr("Add a note")
            if count == 1
            else self.tr("Add a note to %1 inquiries").replace("%1", str(count))
        )
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        caption = QLabel(self.tr("&Note (seen by staff only):"), self)
        caption.setObjectName("noteCaption")
        layout.addWidget(caption)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("noteText")
        self.text_edit.setAccessibleName(self.tr("Note"))
        self.text_edit.setTabChangesFocus(True)
        caption.setBuddy(self.text_edit)
        layout.addWidget(self.text_edit)
        self.buttons = _buttons(self, self.tr("&Add note"), "note")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        layout.addWidget(self.buttons)
        self.text_edit.textChanged.connect(lambda: self.ok_button.setEnabled(bool(self.text)))
        self.resize(460, 280)

    @property
    def text(self) -> str:
        """The note, trimmed."""
        return self.text_edit.toPlainText().strip()

    @property
    def full_text(self) -> str:
        """The note exactly as typed so far (a draft keeps its spacing)."""
        return self.text_edit.toPlainText()


class AssignDialog(QDialog):
    """Choose who handles the inquiries (staff from the site's staff list, or nobody).

    Args:
        staff: the people inquiries can be assigned to.
        current: the assignee now (0: nobody).
        parent: the parent widget.
    """

    def __init__(self, staff: Sequence[UserInfo], current: int, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("assignDialog")
        self.setAccessibleName(self.tr("Assign"))
        self.setWindowTitle(self.tr("Assign to"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.combo = QComboBox(self)
        self.combo.setObjectName("assignCombo")
        self.combo.setAccessibleName(self.tr("Staff member"))
        self.combo.addItem(self.tr("Nobody"), 0)
        for person in staff:
            self.combo.addItem(person.name or person.slug, person.id)
        found = self.combo.findData(current)
        self.combo.setCurrentIndex(max(found, 0))
        caption = QLabel(self.tr("&Staff member:"), self)
        caption.setObjectName("assignCaption")
        caption.setBuddy(self.combo)
        form.addRow(caption, self.combo)
        layout.addLayout(form)
        if not staff:
            layout.addWidget(
                plain_label(
                    self.tr("The staff list comes with the next sync."), "assignNoStaff", self
                )
            )
        layout.addWidget(_buttons(self, self.tr("&Assign"), "assign"))

    @property
    def assignee(self) -> int:
        """The chosen user id (0: nobody)."""
        return int(self.combo.currentData() or 0)


class ExportDialog(QDialog):
    """Confirm an export of inquiries to a CSV file, which is not encrypted, and choose where.

    Args:
        count: how many inquiries.
        folder: where to suggest saving.
        parent: the parent widget.
    """

    def __init__(self, count: int, folder: Path, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setAccessibleName(self.tr("Export inquiries"))
        self.setWindowTitle(self.tr("Export inquiries to a file"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        warning = (
            self.tr(
                "The file will hold this inquiry's health information (names, contact "
                "details, messages) and it is NOT encrypted: anyone who can open the file can "
                "read it. Save it only where the clinic's policy allows, and delete it when you "
                "are done."
            )
            if count == 1
            else self.tr(
                "The file will hold the health information of %1 inquiries (names, contact "
                "details, messages) and it is NOT encrypted: anyone who can open the file can "
                "read it. Save it only where the clinic's policy allows, and delete it when you "
                "are done."
            ).replace("%1", str(count))
        )
        layout.addWidget(plain_label(warning, "exportWarning", self))
        row = QHBoxLayout()
        caption = QLabel(self.tr("&File:"), self)
        caption.setObjectName("exportCaption")
        row.addWidget(caption)
        self.path_edit = QLineEdit(str(folder / "inquiries.csv"), self)
        self.path_edit.setObjectName("exportPath")
        self.path_edit.setAccessibleName(self.tr("File to write"))
        caption.setBuddy(self.path_edit)
        row.addWidget(self.path_edit, 1)
        self.browse_button = QPushButton(self.tr("C&hoose…"), self)
        self.browse_button.setObjectName("exportBrowseButton")
        self.browse_button.setAccessibleName(self.tr("Choose the file"))
        self.browse_button.clicked.connect(self._browse)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        self.buttons = _buttons(self, self.tr("&Export unencrypted file"), "export")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.path_edit.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text.strip()))
        )
        layout.addWidget(self.buttons)
        self.file_dialog: QFileDialog | None = None
        self.resize(560, 220)

    @property
    def path(self) -> Path:
        """The file to write."""
        return Path(self.path_edit.text().strip()).expanduser()

    def _browse(self) -> None:
        dialog = QFileDialog(self, self.tr("Export inquiries to"), str(self.path.parent))
        dialog.setObjectName("exportFileDialog")
        dialog.setAccessibleName(self.tr("Choose the file"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("CSV files (*.csv)"))
        dialog.setDefaultSuffix("csv")
        dialog.selectFile(self.path.name)
        dialog.fileSelected.connect(self.path_edit.setText)
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()
