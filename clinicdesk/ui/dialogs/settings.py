"""The settings dialog: sync interval, the account, and the states the clinic serves."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.ui.core.accounts import (
    MAX_SYNC_MINUTES,
    MIN_SYNC_MINUTES,
    US_STATES,
    Account,
    Settings,
)


class SettingsDialog(QDialog):
    """Edits the preferences in a copy of :class:`Settings`; the caller saves on ``accepted``.

    Args:
        settings: the current settings (not changed by the dialog).
        account: the signed-in account.
        password_place: where the password is kept ("GNOME Keyring", or why nowhere).
        parent: the parent widget.

    Signals:
        signOutRequested(): the user clicked "Sign out…" (the dialog closes first).
    """

    signOutRequested = Signal()

    def __init__(
        self,
        settings: Settings,
        account: Account,
        password_place: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setAccessibleName(self.tr("Settings"))
        self.setWindowTitle(self.tr("ClinicDesk settings"))
        layout = QVBoxLayout(self)

        sync_box = QGroupBox(self.tr("Sync"), self)
        sync_form = QFormLayout(sync_box)
        self.interval_spin = QSpinBox(sync_box)
        self.interval_spin.setObjectName("syncIntervalSpin")
        self.interval_spin.setAccessibleName(self.tr("Minutes between syncs"))
        self.interval_spin.setRange(MIN_SYNC_MINUTES, MAX_SYNC_MINUTES)
        self.interval_spin.setSuffix(self.tr(" min"))
        self.interval_spin.setValue(settings.sync_interval_minutes)
        interval_label = QLabel(self.tr("Sync &every:"), sync_box)
        interval_label.setBuddy(self.interval_spin)
        sync_form.addRow(interval_label, self.interval_spin)
        layout.addWidget(sync_box)

        account_box = QGroupBox(self.tr("Account"), self)
        account_form = QFormLayout(account_box)
        for name, caption, value in (
            ("accountSite", self.tr("Site:"), account.site_url),
            ("accountUser", self.tr("Signed in as:"), account.display_name or account.username),
            ("accountPasswordPlace", self.tr("Password kept in:"), password_place),
        ):
            label = QLabel(value, account_box)
            label.setObjectName(name)
            label.setAccessibleName(caption.rstrip(":"))
            label.setTextFormat(Qt.TextFormat.PlainText)  # names come from the site
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            account_form.addRow(caption, label)
        self.sign_out_button = QPushButton(self.tr("Sign out…"), account_box)
        self.sign_out_button.setObjectName("settingsSignOutButton")
        self.sign_out_button.setAccessibleName(self.tr("Sign out"))
        self.sign_out_button.clicked.connect(self._sign_out)
        account_form.addRow("", self.sign_out_button)
        layout.addWidget(account_box)

        states_box = QGroupBox(self.tr("States the clinic serves"), self)
        states_layout = QVBoxLayout(states_box)
        hint = QLabel(
            self.tr(
                "Inquiries from other states are flagged, since the clinic's therapists are "
                "licensed only in these."
            ),
            states_box,
        )
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        states_layout.addWidget(hint)
        self.states_filter = QLineEdit(states_box)
        self.states_filter.setObjectName("statesFilter")
        self.states_filter.setAccessibleName(self.tr("Find a state"))
        self.states_filter.setPlaceholderText(self.tr("Find a state"))
        self.states_filter.setClearButtonEnabled(True)
        states_layout.addWidget(self.states_filter)
        self.states_model = QStandardItemModel(self)
        chosen = set(settings.clinic_states)
        for code, name in sorted(US_STATES.items(), key=lambda item: item[1]):
            item = QStandardItem(f"{name} ({code})")
            item.setData(code, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)
            self.states_model.appendRow(item)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.states_model)
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.states_filter.textChanged.connect(proxy.setFilterFixedString)
        self.states_view = QListView(states_box)
        self.states_view.setObjectName("clinicStatesList")
        self.states_view.setAccessibleName(self.tr("States the clinic serves"))
        self.states_view.setModel(proxy)
        states_layout.addWidget(self.states_view)
        self.chosen_states = QLabel(states_box)
        self.chosen_states.setObjectName("chosenStates")
        self.chosen_states.setAccessibleName(self.tr("Chosen states"))
        self.chosen_states.setTextFormat(Qt.TextFormat.PlainText)
        self.chosen_states.setWordWrap(True)
        states_layout.addWidget(self.chosen_states)
        self.states_model.itemChanged.connect(self._show_chosen)
        self._show_chosen()
        layout.addWidget(states_box, 1)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.setObjectName("settingsButtons")
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("settingsOkButton")
        ok.setAccessibleName(self.tr("Save settings"))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("settingsCancelButton")
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 560)

    def _show_chosen(self) -> None:
        names = [US_STATES[code] for code in self.clinic_states()]
        self.chosen_states.setText(
            self.tr("Chosen: %1").replace("%1", ", ".join(names))
            if names
            else self.tr("None chosen: no inquiry will be flagged for its state.")
        )

    def _sign_out(self) -> None:
        self.reject()
        self.signOutRequested.emit()

    def interval_minutes(self) -> int:
        """The chosen sync interval."""
        return self.interval_spin.value()

    def clinic_states(self) -> list[str]:
        """The chosen states' USPS codes, in alphabetical order of code."""
        codes = []
        for row in range(self.states_model.rowCount()):
            item = self.states_model.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                codes.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return sorted(codes)

    def set_state_checked(self, code: str, checked: bool) -> None:
        """Tick or untick a state (keyboard users and tests)."""
        for row in range(self.states_model.rowCount()):
            item = self.states_model.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
