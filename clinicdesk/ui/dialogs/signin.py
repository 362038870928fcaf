"""The sign-in dialog: site address, username and Application Password.

The dialog only collects and explains; the caller checks the credentials off the UI thread and
calls back :meth:`SignInDialog.show_problem` or closes it. While a check runs, the fields are
disabled and a busy bar shows.
"""

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

from clinicdesk.session.signin import SignInProblem
from clinicdesk.ui.dialogs import fit_height


class SignInDialog(QDialog):
    """Asks for the site, the username and an Application Password.

    Args:
        site: the address to prefill (the last account's), or "".
        username: the username to prefill, or "".
        note: a sentence shown above the fields (why the password is asked again), or "".
        keyring_warning: why the password cannot be remembered (no keyring), or "".
        quit_label: True when cancelling quits the app (no account is open).
        parent: the parent widget.

    Signals:
        submitted(str, str, str): the user asked to sign in with (site, username, password).
    """

    submitted = Signal(str, str, str)

    def __init__(
        self,
        *,
        site: str = "",
        username: str = "",
        note: str = "",
        keyring_warning: str = "",
        quit_label: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle(self.tr("Sign in to the clinic's website"))
        self.setAccessibleName(self.tr("Sign in"))
        self.setModal(True)
        layout = QVBoxLayout(self)

        intro = QLabel(
            self.tr(
                "ClinicDesk signs in with an Application Password, not the password you use on "
                "the WordPress login page.\n\n"
                "To create one, sign in to your site's dashboard in a web browser, go to "
                "Users > Profile, scroll to “Application Passwords”, type a name such as "
                "“ClinicDesk” and click “Add New Application Password”. Copy the password "
                "WordPress shows (it is shown only once) and paste it below."
            ),
            self,
        )
        intro.setObjectName("signInHelp")
        intro.setAccessibleName(self.tr("How to create an Application Password"))
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.note = self._text_label("signInNote", self.tr("Note"), note)
        layout.addWidget(self.note)
        self.keyring_warning = self._text_label(
            "keyringWarning",
            self.tr("Keyring warning"),
            self.tr(
                "%1 ClinicDesk cannot remember your password on this computer: it will ask for "
                "it each time it starts."
            ).replace("%1", keyring_warning)
            if keyring_warning
            else "",
        )
        layout.addWidget(self.keyring_warning)

        form = QFormLayout()
        self.site_edit = self._edit("siteEdit", self.tr("Site address"), site)
        self.site_edit.setPlaceholderText(self.tr("https://clinic.example"))
        self.user_edit = self._edit("userEdit", self.tr("Username"), username)
        self.password_edit = self._edit("passwordEdit", self.tr("Application Password"), "")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("xxxx xxxx xxxx xxxx xxxx xxxx"))
        form.addRow(self._buddy(self.tr("Site &address:"), self.site_edit), self.site_edit)
        form.addRow(self._buddy(self.tr("&Username:"), self.user_edit), self.user_edit)
        form.addRow(
            self._buddy(self.tr("Application &Password:"), self.password_edit), self.password_edit
        )
        layout.addLayout(form)

        self.error = self._text_label("signInError", self.tr("Sign-in problem"), "")
        self.error.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.error)

        self.busy = QProgressBar(self)
        self.busy.setObjectName("signInProgress")
        self.busy.setAccessibleName(self.tr("Checking with the site"))
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.hide()
        layout.addWidget(self.busy)

        buttons = QDialogButtonBox(self)
        self.sign_in_button = QPushButton(self.tr("Sign in"), self)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setAccessibleName(self.tr("Sign in"))
        self.sign_in_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Quit") if quit_label else self.tr("Cancel"), self)
        self.cancel_button.setObjectName("signInCancelButton")
        self.cancel_button.setAccessibleName(self.cancel_button.text())
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        for edit in (self.site_edit, self.user_edit, self.password_edit):
            edit.textChanged.connect(self._update_button)
        self._update_button()
        first_empty = next(
            (e for e in (self.site_edit, self.user_edit) if not e.text()), self.password_edit
        )
        first_empty.setFocus()
        self.setMinimumWidth(540)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    # -- building ---------------------------------------------------------------------------

    def _text_label(self, name: str, accessible: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setTextFormat(Qt.TextFormat.PlainText)  # may quote the site or an address
        label.setWordWrap(True)
        label.setVisible(bool(text))
        return label

    def _edit(self, name: str, accessible: str, text: str) -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        return edit

    def _buddy(self, text: str, edit: QLineEdit) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(edit)
        return label

    # -- behaviour --------------------------------------------------------------------------

    def _update_button(self) -> None:
        self.sign_in_button.setEnabled(
            bool(
                self.site_edit.text().strip()
                and self.user_edit.text().strip()
                and self.password_edit.text().strip()
            )
        )

    def _submit(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        self.set_busy(True)
        self.error.hide()
        self.submitted.emit(
            self.site_edit.text().strip(), self.user_edit.text().strip(), self.password_edit.text()
        )

    def set_busy(self, busy: bool) -> None:
        """Disable the fields while the site is asked."""
        for widget in (self.site_edit, self.user_edit, self.password_edit, self.sign_in_button):
            widget.setEnabled(not busy)
        self.busy.setVisible(busy)
        if not busy:
            self._update_button()

    def show_problem(self, problem: SignInProblem, detail: str = "") -> None:
        """Explain why the sign-in failed, and put the cursor where the fix goes."""
        self.set_busy(False)
        self.error.setText(self.problem_text(problem, detail))
        self.error.show()
        fit_height(self)
        field = {
            SignInProblem.WRONG_PASSWORD: self.password_edit,
        }.get(problem, self.site_edit)
        field.setFocus()
        if field is self.password_edit:
            field.selectAll()

    def show_message(self, text: str) -> None:
        """Show another problem (not about the site), e.g. a missing username."""
        self.set_busy(False)
        self.error.setText(text)
        self.error.show()
        fit_height(self)

    def problem_text(self, problem: SignInProblem, detail: str = "") -> str:
        """The sentence shown for ``problem``."""
        if problem is SignInProblem.INSECURE_HTTP:
            return self.tr(
                "ClinicDesk does not use plain http:// addresses of other computers: your "
                "password would travel over the internet unencrypted. Use the site's https:// "
                "address."
            )
        if problem is SignInProblem.BAD_ADDRESS:
            return self.tr("That address cannot be used. %1").replace("%1", detail)
        if problem is SignInProblem.UNREACHABLE:
            return self.tr(
                "The site could not be reached. Check the address and your internet "
                "connection, then try again."
            )
        if problem is SignInProblem.NOT_WORDPRESS:
            return self.tr(
                "This address does not answer like a WordPress site, or the site's REST API "
                "is turned off. Check the address (the one you see in your browser on the "
                "site's home page)."
            )
        if problem is SignInProblem.WRONG_PASSWORD:
            return self.tr(
                "The username or Application Password is wrong. Use an Application Password "
                "(Users > Profile > Application Passwords), not your WordPress login password."
            )
        if problem is SignInProblem.CERTIFICATE:
            return self.tr(
                "The site's security certificate could not be verified, so your password was "
                "not sent. Check the address; if it is right, whoever runs the website needs "
                "to fix its certificate."
            )
        return self.tr("The site refused the sign-in: %1").replace("%1", detail)
