"""The status bar's sync part: online or not, changes waiting, last sync, progress, next step."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from clinicdesk.ui.clinic_time import format_moment
from clinicdesk.ui.plaintext import plain
from clinicdesk.ui.sync_worker import SyncState, SyncStatus
from clinicdesk.ui.theme import SPACE_L


def _label(name: str, accessible: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    # Messages may quote the site (an error's text): never let Qt guess they are rich text.
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class SyncStatusPanel(QWidget):
    """Shows a :class:`SyncStatus`: connection, message, progress, waiting changes, last sync.

    Signals:
        signInRequested(): the user clicked "Sign in again" (shown when signed out).
    """

    signInRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatusPanel")
        self.setAccessibleName(self.tr("Sync status"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.connection = _label("connectionStatus", self.tr("Connection"), self)
        self.message = _label("syncMessage", self.tr("Sync message"), self)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("syncProgress")
        self.progress.setAccessibleName(self.tr("Sync progress"))
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.sign_in_again = QPushButton(self.tr("Sign in again…"), self)
        self.sign_in_again.setObjectName("signInAgainButton")
        self.sign_in_again.setAccessibleName(self.tr("Sign in again"))
        self.sign_in_again.hide()
        self.sign_in_again.clicked.connect(self.signInRequested)
        self.pending = _label("pendingChanges", self.tr("Changes waiting to sync"), self)
        self.last_sync = _label("lastSync", self.tr("Last successful sync"), self)
        for widget in (
            self.connection,
            self.message,
            self.progress,
            self.sign_in_again,
            self.pending,
            self.last_sync,
        ):
            layout.addWidget(widget)
        layout.setSpacing(SPACE_L)
        # A long error message is cut (its tooltip has it all) rather than widening the window.
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message.setMinimumWidth(120)
        layout.setStretchFactor(self.message, 1)

    def show_status(self, status: SyncStatus) -> None:
        """Show ``status``."""
        online = status.online
        if status.state is SyncState.SIGNED_OUT:
            connection = self.tr("Signed out")
        elif online is True:
            connection = self.tr("Online")
        elif online is False:
            connection = self.tr("Offline")
        else:
            connection = self.tr("Not connected yet")
        self.connection.setText(connection)
        message = self._message(status)
        if status.unreadable and status.state in (SyncState.SYNCED, SyncState.FAILED):
            # Everything else synced; the user must know what did not, and why (the sentences
            # name a kind, an id and a field: never what an inquiry says).
            message = " ".join([message.rstrip(".") + ".", *status.unreadable])
        self.message.setText(message)
        self.message.setToolTip(plain(message))  # may quote the site's error message
        self.sign_in_again.setVisible(status.state is SyncState.SIGNED_OUT)

        step = status.progress
        if status.state is SyncState.SYNCING and step is not None:
            if step.total:
                self.progress.setRange(0, step.total)
                self.progress.setValue(min(step.done or 0, step.total))
            else:
                self.progress.setRange(0, 0)  # busy
            self.progress.show()
        else:
            self.progress.hide()

        if status.pending == 0:
            self.pending.setText(self.tr("No changes waiting"))
        elif status.pending == 1:
            self.pending.setText(self.tr("1 change waiting to sync"))
        else:
            self.pending.setText(
                self.tr("%1 changes waiting to sync").replace("%1", str(status.pending))
            )

        if status.last_success is None:
            self.last_sync.setText(self.tr("Not synced yet"))
        else:
            self.last_sync.setText(
                self.tr("Last synced %1").replace("%1", _when(status.last_success))
            )

    def _message(self, status: SyncStatus) -> str:
        state = status.state
        if state is SyncState.SYNCING:
            step = status.progress
            return (
                self.tr("Syncing: %1").replace("%1", step.message)
                if step is not None and step.message
                else self.tr("Syncing…")
            )
        if state is SyncState.SYNCED:
            return self.tr("Synced")
        if state is SyncState.OFFLINE:
            return self.tr("Site unreachable: working offline")
        if state is SyncState.SIGNED_OUT:
            return self.tr("Signed out: sign in again")
        if state is SyncState.UNAVAILABLE:
            return self.tr("Sync not available in this version")
        if state is SyncState.FAILED:
            if status.retry_after:
                return self.tr("The site asked ClinicDesk to slow down: trying again later")
            return self.tr("Sync failed: %1 Trying again at the next sync.").replace(
                "%1", status.detail
            )
        return self.tr("Waiting for the first sync")


def _when(moment: datetime) -> str:
    """``moment`` in the clinic's time zone and the user's locale: the time today, else the
    date (by name) and time."""
    return format_moment(moment, today=datetime.now(UTC))
