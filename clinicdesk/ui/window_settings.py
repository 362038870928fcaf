"""The settings as one window uses them: the settings dialog (open it, save what it chose),
applying them to sync and the Inquiries tab, the tab's options, and the time zone dates are
shown in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from clinicdesk.session.accounts import Settings, choose_states, service_states
from clinicdesk.store import CacheError
from clinicdesk.ui.clinic_time import set_clinic_zone, zone_from
from clinicdesk.ui.dialogs.settings import SettingsDialog
from clinicdesk.ui.inquiries import InquiryOptions

if TYPE_CHECKING:
    from clinicdesk.ui.main_window import MainWindow


class WindowSettings:
    """The settings of one window.

    Args:
        window: the main window (its session, settings file, sync and tabs).
        keyring: where the password is kept, in words (for the dialog's account page).

    Attributes:
        dialog: the settings dialog last opened, or None.
    """

    def __init__(self, window: MainWindow, keyring: str) -> None:
        self._w = window
        self._keyring = keyring
        self.dialog: SettingsDialog | None = None

    def follow_clinic_zone(self, settings: Settings | None = None) -> None:
        """Show dates in the zone chosen in the settings, else the clinic's, as the site's
        index last gave it.

        Args:
            settings: the settings as the caller just read or saved them (None: read the
                file now).
        """
        chosen = (settings or self._w.settings.load()).time_zone
        if chosen:
            zone = zone_from(chosen, 0)
            if bytes(zone.id().data()).decode("ascii", "replace") == chosen:
                set_clinic_zone(zone)
                return
        try:
            found = self._w.session.cache.site_time_zone()
        except CacheError:
            found = None
        set_clinic_zone(zone_from(*found) if found is not None else None)

    def inquiry_options(self, settings: Settings) -> InquiryOptions:
        """What the Inquiries tab uses of ``settings`` for this account."""
        return InquiryOptions(
            clinic_states=service_states(settings, self._w.session.account),
            crisis_protocol=settings.crisis_protocol,
            response_target_hours=settings.response_target_hours,
            idle_lock_minutes=settings.idle_lock_minutes,
            unlock_hash=settings.unlock_hash(self._w.session.account),
        )

    def open_dialog(self) -> SettingsDialog:
        """Open the settings dialog (non-blocking); saved when the user clicks OK."""
        session = self._w.session
        place = (
            self._keyring
            if session.password_saved
            else self._w.tr("nowhere: %1 You are asked for it at each start.").replace(
                "%1", session.keyring_problem or ""
            )
        )
        if session.demo:
            place = self._w.tr("memory only (demo)")
        tab = self._w.inquiries_tab
        if tab is None:
            problem = self._w.tr("Your account has no Inquiries tab on this site.")
        elif tab.is_locked():
            problem = self._w.tr("Unlock the Inquiries tab first (or choose a passphrase there).")
        else:
            problem = ""
        dialog = SettingsDialog(
            self._w.settings.load(), session.account, place, self._w, passphrase_problem=problem
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save(dialog))
        dialog.signOutRequested.connect(self._w.signOutRequested)
        dialog.changePassphraseRequested.connect(self._w.change_passphrase)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _save(self, dialog: SettingsDialog) -> None:
        minutes, states = dialog.interval_minutes(), dialog.clinic_states()
        protocol = dialog.crisis_protocol()
        hours, idle = dialog.response_target_hours(), dialog.idle_lock_minutes()
        proxy = dialog.proxy()
        time_zone = dialog.time_zone()

        account = self._w.session.account

        def change(settings: Settings) -> None:
            settings.proxy = proxy  # the next request uses it (the client is made per round)
            settings.sync_interval_minutes = minutes
            choose_states(settings, account, states)
            settings.crisis_protocol = protocol
            settings.response_target_hours = hours
            settings.idle_lock_minutes = idle
            settings.time_zone = time_zone

        # One read of the file for the three: what was saved is what the window follows.
        saved = self._w.settings.update(change)
        self.follow_clinic_zone(saved)
        self.apply(saved)

    def apply(self, settings: Settings | None = None) -> None:
        """Use the settings file as it is now (after the settings dialog saved it).

        Args:
            settings: the settings just saved (None: read the file now).
        """
        if settings is None:
            settings = self._w.settings.load()
        self._w.sync.set_interval(settings.sync_interval_minutes)
        if self._w.inquiries_tab is not None and not self._w.closing.tabs_stopped:
            self._w.inquiries_tab.apply_options(self.inquiry_options(settings))
