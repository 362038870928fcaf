"""The app's data folder, the accounts it remembers, and its settings file. No Qt, no secrets.

Layout of the data folder (the platform's app-data folder, or ``--data-dir DIR``)::

    settings.json                    accounts (site + user name, never a password), preferences,
                                     window geometry
    accounts/<account id>/...        each account's encrypted cache (see clinicdesk.store.paths)
    logs/clinicdesk.log              the rotating log (redacted; see clinicdesk.ui.core.logs)

Settings are a small JSON file rather than ``QSettings`` because the headless ``sign-in`` command
writes them too, without Qt. The file carries a ``version`` and is upgraded in steps keyed by
version (as MusicBrainz Picard does); an unreadable file is set aside and defaults are used, so a
damaged settings file never stops the app.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from clinicdesk.store.paths import (
    AccountPaths,
    account_id,
    create_private_file,
    default_data_dir,
    ensure_private_dir,
)

logger = logging.getLogger(__name__)

SETTINGS_VERSION = 1
DEFAULT_SYNC_MINUTES = 10
MIN_SYNC_MINUTES = 1
MAX_SYNC_MINUTES = 24 * 60
#: The clinic is licensed in Texas unless the settings say otherwise.
DEFAULT_CLINIC_STATES: tuple[str, ...] = ("TX",)

#: USPS codes and names of the states (and DC) the clinic may be licensed in.
US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DataDir:
    """Where every file of the app goes.

    Attributes:
        root: the folder (created ``0700`` when missing; an existing one keeps its mode).
    """

    root: Path

    @classmethod
    def resolve(cls, given: str | os.PathLike[str] | None) -> DataDir:
        """The ``--data-dir`` folder, or the platform's app-data folder when None."""
        root = Path(given).expanduser() if given is not None else default_data_dir()
        return cls(root.absolute())

    def ensure(self) -> DataDir:
        """Create the folder if needed; returns self."""
        ensure_private_dir(self.root)
        return self

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs_dir / "clinicdesk.log"

    def account_paths(self, account: Account) -> AccountPaths:
        """The files of ``account``'s cache under this folder."""
        return AccountPaths.for_account(self.root, account.id)


@dataclass(frozen=True, slots=True)
class Account:
    """One user on one site, as remembered between runs. Holds no secret.

    Attributes:
        site_url: the normalized site address (``https://clinic.example``).
        username: the WordPress login name, as typed at sign-in.
        display_name: the user's name as the site gave it (for the status bar).
        site_name: the site's title (for the window title).
    """

    site_url: str
    username: str
    display_name: str = ""
    site_name: str = ""

    @property
    def id(self) -> str:
        """The account's folder name and cache-key item (see ``clinicdesk.store.account_id``)."""
        return account_id(self.site_url, self.username)

    def to_json(self) -> dict[str, str]:
        return {
            "site_url": self.site_url,
            "username": self.username,
            "display_name": self.display_name,
            "site_name": self.site_name,
        }

    @classmethod
    def from_json(cls, value: object) -> Account | None:
        """The account in ``value``, or None when it is not one (a damaged entry is skipped)."""
        if not isinstance(value, dict):
            return None
        site, user = value.get("site_url"), value.get("username")
        if not isinstance(site, str) or not isinstance(user, str) or not site or not user:
            return None
        name, title = value.get("display_name", ""), value.get("site_name", "")
        return cls(
            site,
            user,
            name if isinstance(name, str) else "",
            title if isinstance(title, str) else "",
        )


@dataclass(slots=True)
class Settings:
    """Everything remembered between runs (no secret, no record of the site).

    Attributes:
        accounts: accounts signed in on this computer, most recent first.
        last_account: the id of the account the app opens at start, or None.
        sync_interval_minutes: how often a sync round runs on its own.
        clinic_states: USPS codes of the states the clinic sees clients from (inquiries from
            other states are flagged by the Inquiries tab).
        window_state: opaque window geometry and splitter positions, keyed by name.
    """

    accounts: list[Account] = field(default_factory=list)
    last_account: str | None = None
    sync_interval_minutes: int = DEFAULT_SYNC_MINUTES
    clinic_states: list[str] = field(default_factory=lambda: list(DEFAULT_CLINIC_STATES))
    window_state: dict[str, str] = field(default_factory=dict)

    def account(self, account_id_: str | None) -> Account | None:
        """The remembered account with this id, or None."""
        return next((a for a in self.accounts if a.id == account_id_), None)

    @property
    def current(self) -> Account | None:
        """The account to open at start."""
        return self.account(self.last_account)

    def remember(self, account: Account) -> None:
        """Add or refresh ``account`` and make it the one opened at start."""
        self.accounts = [account] + [a for a in self.accounts if a.id != account.id]
        self.last_account = account.id

    def forget(self, account: Account) -> None:
        """Drop ``account`` from the list (and from "last")."""
        self.accounts = [a for a in self.accounts if a.id != account.id]
        if self.last_account == account.id:
            self.last_account = None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": SETTINGS_VERSION,
            "accounts": [a.to_json() for a in self.accounts],
            "last_account": self.last_account,
            "sync_interval_minutes": self.sync_interval_minutes,
            "clinic_states": list(self.clinic_states),
            "window_state": dict(self.window_state),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        settings = cls()
        accounts = data.get("accounts")
        if isinstance(accounts, list):
            settings.accounts = [a for a in map(Account.from_json, accounts) if a is not None]
        last = data.get("last_account")
        settings.last_account = last if isinstance(last, str) else None
        minutes = data.get("sync_interval_minutes")
        if isinstance(minutes, int) and not isinstance(minutes, bool):
            settings.sync_interval_minutes = clamp_minutes(minutes)
        states = data.get("clinic_states")
        if isinstance(states, list):
            settings.clinic_states = [s for s in states if isinstance(s, str) and s in US_STATES]
        window = data.get("window_state")
        if isinstance(window, dict):
            settings.window_state = {
                k: v for k, v in window.items() if isinstance(k, str) and isinstance(v, str)
            }
        return settings


def clamp_minutes(minutes: int) -> int:
    """A sync interval within the allowed range."""
    return max(MIN_SYNC_MINUTES, min(MAX_SYNC_MINUTES, minutes))


#: Upgrade steps: version N's function turns a version-N dict into a version-N+1 dict.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("version", SETTINGS_VERSION)
    if not isinstance(version, int) or version > SETTINGS_VERSION:
        # Written by a newer ClinicDesk: read what we understand, keep the rest untouched.
        return data
    while version < SETTINGS_VERSION:
        data = _UPGRADES[version](data)
        version += 1
        data["version"] = version
    return data


class SettingsStore:
    """Reads and writes ``settings.json`` (mode ``0600``, replaced atomically).

    Args:
        data: the data folder.
    """

    def __init__(self, data: DataDir) -> None:
        self._path = data.settings_file
        self._data = data

    @property
    def path(self) -> Path:
        return self._path

    def load(self) -> Settings:
        """The settings, or defaults when there is no file or it cannot be read."""
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Settings()
        except OSError as error:
            logger.warning("settings file unreadable (%s); using defaults", type(error).__name__)
            return Settings()
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError:
            aside = self._path.with_name(self._path.name + ".damaged")
            logger.warning("settings file damaged; moved aside to %s", aside.name)
            with contextlib.suppress(OSError):
                os.replace(self._path, aside)
            return Settings()
        return Settings.from_json(_upgrade(data))

    def save(self, settings: Settings) -> None:
        """Write ``settings`` (a crash mid-write leaves the previous file intact)."""
        self._data.ensure()
        text = json.dumps(settings.to_json(), indent=2, sort_keys=True) + "\n"
        fd, temp = tempfile.mkstemp(prefix=".settings-", dir=self._path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self._path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        create_private_file(self._path)  # tightens the mode of the replaced file

    def update(self, change: Callable[[Settings], None]) -> Settings:
        """Load, apply ``change``, save; returns the saved settings."""
        settings = self.load()
        change(settings)
        self.save(settings)
        return settings


def with_names(account: Account, *, display_name: str, site_name: str) -> Account:
    """``account`` with the names the site gave at sign-in."""
    return replace(account, display_name=display_name, site_name=site_name)


def delete_account_files(paths: AccountPaths) -> None:
    """Remove an account's folder: the cache, its WAL files, backups and the key-source marker."""
    if paths.directory.exists():
        shutil.rmtree(paths.directory)
