"""Asks for the passphrase of an offline copy, when no keyring can hold its key."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.store.keys import MIN_PASSPHRASE_LENGTH
from clinicdesk.ui.dialogs import fit_height


class PassphraseDialog(QDialog):
    """Choose a passphrase for a new offline copy, or type the one that unlocks it.

    Args:
        new: True to choose one (asked twice, at least ``MIN_PASSPHRASE_LENGTH`` characters).
        reason: why no keyring is used (shown as is), or "".
        site: the site, to say which copy this is.
        parent: the parent widget.

    Signals:
        submitted(str): the passphrase typed (checked for length and repetition when new).
    """

    submitted = Signal(str)

    def __init__(self, *, new: bool, reason: str, site: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setAccessibleName(self.tr("Offline copy passphrase"))
        self.setModal(True)
        self.new = new
        self.setWindowTitle(
            self.tr("Choose a passphrase") if new else self.tr("Unlock the offline copy")
        )
        layout = QVBoxLayout(self)
        if new:
            text = self.tr(
                "%1\n\nClinicDesk keeps an encrypted copy of %2 on this computer so you can work "
                "offline. Without a keyring to hold its key, it is protected by a passphrase "
                "you choose now and type each time ClinicDesk starts. If you forget it, the copy "
                "is replaced by a fresh one from the site; changes not yet sent are lost."
            )
        else:
            text = self.tr("%1\n\nType the passphrase of the offline copy of %2.")
        explain = QLabel(text.replace("%1", reason).replace("%2", site).strip(), self)
        explain.setObjectName("passphraseExplanation")
        explain.setAccessibleName(self.tr("Explanation"))
        explain.setTextFormat(Qt.TextFormat.PlainText)
        explain.setWordWrap(True)
        layout.addWidget(explain)

        form = QFormLayout()
        self.passphrase_edit = QLineEdit(self)
        self.passphrase_edit.setObjectName("passphraseEdit")
        self.passphrase_edit.setAccessibleName(self.tr("Passphrase"))
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        label = QLabel(self.tr("&Passphrase:"), self)
        label.setBuddy(self.passphrase_edit)
        form.addRow(label, self.passphrase_edit)
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setObjectName("passphraseConfirmEdit")
        self.confirm_edit.setAccessibleName(self.tr("Passphrase again"))
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        if new:
            again = QLabel(self.tr("&Again:"), self)
            again.setBuddy(self.confirm_edit)
            form.addRow(again, self.confirm_edit)
        else:
            self.confirm_edit.hide()
        layout.addLayout(form)

        self.error = QLabel(self)
        self.error.setObjectName("passphraseError")
        self.error.setAccessibleName(self.tr("Passphrase problem"))
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("passphraseProgress")
        self.busy.setAccessibleName(self.tr("Opening the offline copy"))
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.hide()
        layout.addWidget(self.busy)

        buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(self.tr("Open"), self)
        self.ok_button.setObjectName("passphraseOkButton")
        self.ok_button.setAccessibleName(self.tr("Open"))
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Quit"), self)
        self.cancel_button.setObjectName("passphraseCancelButton")
        self.cancel_button.setAccessibleName(self.tr("Quit"))
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.passphrase_edit.setFocus()
        self.setMinimumWidth(500)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def _submit(self) -> None:
        text = self.passphrase_edit.text()
        if self.new and len(text) < MIN_PASSPHRASE_LENGTH:
            self.show_error(
                self.tr("Choose a passphrase of at least %1 characters.").replace(
                    "%1", str(MIN_PASSPHRASE_LENGTH)
                )
            )
            return
        if self.new and text != self.confirm_edit.text():
            self.show_error(self.tr("The two passphrases are not the same."))
            return
        if not text:
            self.show_error(self.tr("Type the passphrase."))
            return
        self.set_busy(True)
        self.error.hide()
        self.submitted.emit(text)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.passphrase_edit, self.confirm_edit, self.ok_button):
            widget.setEnabled(not busy)
        self.busy.setVisible(busy)

    def show_error(self, text: str) -> None:
        """Say what is wrong and let the user type again."""
        self.set_busy(False)
        self.error.setText(text)
        self.error.show()
        fit_height(self)
        self.passphrase_edit.selectAll()
        self.passphrase_edit.setFocus()
