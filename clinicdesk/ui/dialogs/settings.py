"""The settings dialog: sync interval, proxy and the account; for the Inquiries tab the states the
clinic serves, the first-response target, the idle lock and the crisis protocol."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimeZone, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.model.states import US_STATES
from clinicdesk.session.accounts import (
    MAX_IDLE_LOCK_MINUTES,
    MAX_PROTOCOL_CHARS,
    MAX_PROXY_CHARS,
    MAX_RESPONSE_HOURS,
    MAX_SYNC_MINUTES,
    MIN_RESPONSE_HOURS,
    MIN_SYNC_MINUTES,
    Account,
    Settings,
    service_states,
)
from clinicdesk.site import InsecureURLError
from clinicdesk.site.transport import check_proxy_url
from clinicdesk.ui.inquiries.options import default_crisis_protocol


class SettingsDialog(QDialog):
    """Edits the preferences in a copy of :class:`Settings`; the caller saves on ``accepted``.

    Args:
        settings: the current settings (not changed by the dialog).
        account: the signed-in account.
        password_place: where the password is kept ("GNOME Keyring", or why nowhere).
        parent: the parent widget.
        passphrase_problem: why the unlock passphrase cannot be changed now ("" when it can).

    Signals:
        signOutRequested(): the user clicked "Sign out…" (the dialog closes first).
        changePassphraseRequested(): the user clicked "Change unlock passphrase…" (the dialog
            is accepted first, so what was changed in it is saved).
    """

    signOutRequested = Signal()
    changePassphraseRequested = Signal()

    def __init__(
        self,
        settings: Settings,
        account: Account,
        password_place: str,
        parent: QWidget | None = None,
        *,
        passphrase_problem: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setAccessibleName(self.tr("Settings"))
        self.setWindowTitle(self.tr("ClinicDesk settings"))
        layout = QVBoxLayout(self)
        self.pages = QTabWidget(self)
        self.pages.setObjectName("settingsPages")
        self.pages.setAccessibleName(self.tr("Settings pages"))
        layout.addWidget(self.pages, 1)
        self._build_general(settings, account, password_place)
        self._build_inquiries(settings, account, passphrase_problem)
        self._build_protocol(settings)

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
        self.resize(520, 600)

    def _page(self, name: str, title: str) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget(self.pages)
        page.setObjectName(name)
        page.setAccessibleName(title.replace("&", ""))
        self.pages.addTab(page, title)
        return page, QVBoxLayout(page)

    def _build_general(self, settings: Settings, account: Account, password_place: str) -> None:
        page, layout = self._page("generalSettingsPage", self.tr("&General"))
        sync_box = QGroupBox(self.tr("Sync"), page)
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
        self._site_url = account.site_url
        self.proxy_edit = QLineEdit(settings.proxy, sync_box)
        self.proxy_edit.setObjectName("proxyEdit")
        self.proxy_edit.setAccessibleName(self.tr("Proxy server address"))
        self.proxy_edit.setMaxLength(MAX_PROXY_CHARS)
        self.proxy_edit.setPlaceholderText(self.tr("None: connect directly"))
        self.proxy_edit.setToolTip(
            self.tr(
                "Only if the clinic's network requires one, for example "
                "http://proxy.clinic.example:3128. Proxies set elsewhere on this computer are "
                "not used."
            )
        )
        proxy_label = QLabel(self.tr("&Proxy server:"), sync_box)
        proxy_label.setBuddy(self.proxy_edit)
        sync_form.addRow(proxy_label, self.proxy_edit)
        self.proxy_problem = QLabel("", sync_box)
        self.proxy_problem.setObjectName("proxyProblem")
        self.proxy_problem.setAccessibleName(self.tr("Proxy problem"))
        self.proxy_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.proxy_problem.setWordWrap(True)
        self.proxy_problem.hide()
        sync_form.addRow("", self.proxy_problem)
        layout.addWidget(sync_box)

        time_box = QGroupBox(self.tr("Dates and times"), page)
        time_form = QFormLayout(time_box)
        self.time_zone_combo = QComboBox(time_box)
        self.time_zone_combo.setObjectName("timeZoneCombo")
        self.time_zone_combo.setAccessibleName(self.tr("Time zone dates are shown in"))
        self.time_zone_combo.addItem(self.tr("The clinic's (as the website says)"), "")
        for zone_id in QTimeZone.availableTimeZoneIds():
            name = bytes(zone_id.data()).decode("ascii", "replace")
            if "/" in name:  # the named zones (not "UTC+05:30" aliases)
                self.time_zone_combo.addItem(name, name)
        self.time_zone_combo.setCurrentIndex(
            max(0, self.time_zone_combo.findData(settings.time_zone))
        )
        zone_label = QLabel(self.tr("&Time zone:"), time_box)
        zone_label.setBuddy(self.time_zone_combo)
        time_form.addRow(zone_label, self.time_zone_combo)
        layout.addWidget(time_box)

        account_box = QGroupBox(self.tr("Account"), page)
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
        layout.addStretch(1)

    def time_zone(self) -> str:
        """The zone chosen for dates ("" for the clinic's, from its website)."""
        data = self.time_zone_combo.currentData()
        return data if isinstance(data, str) else ""

    def _build_inquiries(
        self, settings: Settings, account: Account, passphrase_problem: str
    ) -> None:
        page, layout = self._page("inquirySettingsPage", self.tr("&Inquiries"))
        triage_box = QGroupBox(self.tr("Triage"), page)
        form = QFormLayout(triage_box)
        self.response_spin = QSpinBox(triage_box)
        self.response_spin.setObjectName("responseTargetSpin")
        self.response_spin.setAccessibleName(self.tr("First-response target in business hours"))
        self.response_spin.setRange(MIN_RESPONSE_HOURS, MAX_RESPONSE_HOURS)
        self.response_spin.setSuffix(self.tr(" business hours"))
        self.response_spin.setValue(round(settings.response_target_hours))
        response_label = QLabel(self.tr("&First response within:"), triage_box)
        response_label.setBuddy(self.response_spin)
        form.addRow(response_label, self.response_spin)
        self.idle_spin = QSpinBox(triage_box)
        self.idle_spin.setObjectName("idleLockSpin")
        self.idle_spin.setAccessibleName(self.tr("Minutes idle before inquiries lock"))
        # No "Never": unattended inquiries always lock (the clinic's policy sets the maximum).
        self.idle_spin.setRange(1, MAX_IDLE_LOCK_MINUTES)
        self.idle_spin.setSuffix(self.tr(" min idle"))
        self.idle_spin.setToolTip(
            self.tr(
                "At most %n minutes: inquiries always lock when no one is at the computer.",
                "",
                MAX_IDLE_LOCK_MINUTES,
            )
        )
        self.idle_spin.setValue(settings.idle_lock_minutes)
        idle_label = QLabel(self.tr("&Lock inquiries after:"), triage_box)
        idle_label.setBuddy(self.idle_spin)
        form.addRow(idle_label, self.idle_spin)
        self.passphrase_button = QPushButton(self.tr("Change unlock &passphrase…"), triage_box)
        self.passphrase_button.setObjectName("changePassphraseButton")
        self.passphrase_button.setAccessibleName(self.tr("Change unlock passphrase"))
        self.passphrase_button.setEnabled(not passphrase_problem)
        self.passphrase_button.clicked.connect(self._change_passphrase)
        self.passphrase_note = QLabel(passphrase_problem, triage_box)
        self.passphrase_note.setObjectName("passphraseNote")
        self.passphrase_note.setAccessibleName(self.tr("Unlock passphrase note"))
        self.passphrase_note.setTextFormat(Qt.TextFormat.PlainText)
        self.passphrase_note.setWordWrap(True)
        self.passphrase_note.setVisible(bool(passphrase_problem))
        form.addRow("", self.passphrase_button)
        form.addRow("", self.passphrase_note)
        layout.addWidget(triage_box)

        states_box = QGroupBox(self.tr("States the clinic serves"), page)
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
        if account.site_states:
            site_note = QLabel(
                self.tr(
                    "The clinic's website lists %1 (Settings > ClinicDesk on the website). "
                    "Choosing other states here overrides it on this computer; choosing the "
                    "same ones follows the website again."
                ).replace("%1", ", ".join(US_STATES.get(c, c) for c in account.site_states)),
                states_box,
            )
            site_note.setObjectName("siteStatesNote")
            site_note.setWordWrap(True)
            site_note.setTextFormat(Qt.TextFormat.PlainText)
            states_layout.addWidget(site_note)
        self.states_filter = QLineEdit(states_box)
        self.states_filter.setObjectName("statesFilter")
        self.states_filter.setAccessibleName(self.tr("Find a state"))
        self.states_filter.setPlaceholderText(self.tr("Find a state"))
        self.states_filter.setClearButtonEnabled(True)
        states_layout.addWidget(self.states_filter)
        self.states_model = QStandardItemModel(self)
        chosen = set(service_states(settings, account))
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

    def _build_protocol(self, settings: Settings) -> None:
        page, layout = self._page("protocolSettingsPage", self.tr("C&risis protocol"))
        hint = QLabel(
            self.tr(
                "Shown with every urgent inquiry, and when someone closes one: what staff do "
                "when a person writing in may be in crisis. Write the clinic's own steps."
            ),
            page,
        )
        hint.setObjectName("protocolHint")
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(hint)
        self._default_protocol = default_crisis_protocol()
        self.protocol_edit = QPlainTextEdit(page)
        self.protocol_edit.setObjectName("crisisProtocolEdit")
        self.protocol_edit.setAccessibleName(self.tr("Crisis protocol"))
        self.protocol_edit.setTabChangesFocus(True)
        self.protocol_edit.setPlainText(settings.crisis_protocol.strip() or self._default_protocol)
        layout.addWidget(self.protocol_edit, 1)
        row = QHBoxLayout()
        self.protocol_default_button = QPushButton(self.tr("&Use ClinicDesk's protocol"), page)
        self.protocol_default_button.setObjectName("protocolDefaultButton")
        self.protocol_default_button.setAccessibleName(self.tr("Use ClinicDesk's protocol"))
        self.protocol_default_button.clicked.connect(
            lambda: self.protocol_edit.setPlainText(self._default_protocol)
        )
        row.addWidget(self.protocol_default_button)
        row.addStretch(1)
        layout.addLayout(row)

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

    def _change_passphrase(self) -> None:
        self.accept()
        self.changePassphraseRequested.emit()

    def accept(self) -> None:
        """Save, unless the proxy address would be unsafe or is malformed (then say why)."""
        text = self.proxy_edit.text().strip()
        if text:
            try:
                check_proxy_url(text, self._site_url)
            except InsecureURLError as error:
                self.proxy_problem.setText(error.message)
                self.proxy_problem.show()
                self.pages.setCurrentIndex(0)
                self.proxy_edit.setFocus()
                return
        self.proxy_problem.hide()
        super().accept()

    def proxy(self) -> str:
        """The chosen proxy address ("" for none), checked by :meth:`accept`."""
        text = self.proxy_edit.text().strip()
        return check_proxy_url(text, self._site_url) if text else ""

    def interval_minutes(self) -> int:
        """The chosen sync interval."""
        return self.interval_spin.value()

    def response_target_hours(self) -> float:
        """The chosen first-response target, in business hours."""
        return float(self.response_spin.value())

    def idle_lock_minutes(self) -> int:
        """Minutes idle before the Inquiries tab locks (1 to the maximum)."""
        return self.idle_spin.value()

    def crisis_protocol(self) -> str:
        """The protocol as written, or "" when it is ClinicDesk's own (so that a later
        version's wording reaches clinics that never wrote theirs)."""
        text = self.protocol_edit.toPlainText().strip()[:MAX_PROTOCOL_CHARS]
        return "" if text == self._default_protocol.strip() else text

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
