"""The app's data folder, the accounts it remembers, and its settings file. No Qt, no secrets.

Layout of the data folder (the platform's app-data folder, or ``--data-dir DIR``)::

    settings.json                    accounts (site + user name, what the site said about the
                                     user at sign-in; never a password), preferences, the hashes
                                     of the Inquiries tab's unlock passphrases, window geometry
    accounts/<account id>/...        each account's encrypted cache (see clinicdesk.store.paths)
    logs/clinicdesk.log              the rotating log (redacted; see clinicdesk.session.logs)

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

from clinicdesk.domain.inquiry_rules import DEFAULT_RESPONSE_TARGET_HOURS
from clinicdesk.model.identity import account_id
from clinicdesk.model.states import US_STATES
from clinicdesk.store.paths import (
    AccountPaths,
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
#: The first-response target for inquiries, in business hours (8: one business day).
MIN_RESPONSE_HOURS = 1
MAX_RESPONSE_HOURS = 80
#: Minutes without input before the Inquiries tab locks itself (0: never).
DEFAULT_IDLE_LOCK_MINUTES = 10
# The clinic's policy: the Inquiries tab never stays open unattended longer (no "never").
MAX_IDLE_LOCK_MINUTES = 60
#: The longest crisis protocol kept (a pasted document is cut there).
MAX_PROTOCOL_CHARS = 20_000
#: The longest proxy address kept (anything longer is not an address).
MAX_PROXY_CHARS = 2000

#: An IANA zone name is at most ~30 characters; anything longer in the file is not one.
MAX_TIME_ZONE_CHARS = 64


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

    What the site said about the user is kept too, so the window opens with the right tabs
    without asking the site (offline). Signing in refreshes it, and so does every sync round
    that reached the site (a role changed on the site follows without signing in again).

    Attributes:
        site_url: the normalized site address (``https://clinic.example``).
        username: the WordPress login name, as typed at sign-in.
        display_name: the user's name as the site gave it (for the status bar).
        site_name: the site's title (for the window title).
        user_id: the user's id on the site (the author of new posts and notes); 0 when not
            known (an account remembered by an older ClinicDesk).
        capabilities: the user's WordPress capabilities at sign-in or the last sync
            (``edit_posts``...).
        has_plugin: whether the site had the ClinicDesk plugin active, as last checked.
        plugin_version: the plugin's version then ("" when not active, or not known: an
            account remembered by an older ClinicDesk).
        site_states: the states the clinic serves as its website says (Settings > ClinicDesk),
            as of the last sync round that could ask; empty when not known (no plugin, an older
            one, or a user who does not handle inquiries).
    """

    site_url: str
    username: str
    display_name: str = ""
    site_name: str = ""
    user_id: int = 0
    capabilities: frozenset[str] = frozenset()
    has_plugin: bool = False
    plugin_version: str = ""
    site_states: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The account's folder name and cache-key item (see ``clinicdesk.store.account_id``)."""
        return account_id(self.site_url, self.username)

    @property
    def user_known(self) -> bool:
        """Whether the site's answer about the user (id, capabilities) was kept at sign-in."""
        return self.user_id > 0

    def can(self, capability: str) -> bool:
        """Whether the user held ``capability`` when the site last said."""
        return capability in self.capabilities

    def with_access(
        self,
        *,
        user_id: int,
        capabilities: frozenset[str],
        has_plugin: bool | None,
        plugin_version: str | None = None,
    ) -> Account:
        """The account with what the site said about the user in a sync round.

        Args:
            user_id: the user's id on the site.
            capabilities: their capabilities now.
            has_plugin: whether the plugin is active, or None when the round did not check
                (the value kept stays).
            plugin_version: the plugin's version when the round checked, else None.
        """
        return replace(
            self,
            user_id=user_id,
            capabilities=frozenset(capabilities),
            has_plugin=self.has_plugin if has_plugin is None else has_plugin,
            plugin_version=self.plugin_version if plugin_version is None else plugin_version,
        )

    def with_site_states(self, states: tuple[str, ...] | None) -> Account:
        """The account with the site's states (None: the round could not ask; kept as is)."""
        return self if states is None else replace(self, site_states=_states(list(states)))

    def to_json(self) -> dict[str, Any]:
        return {
            "site_url": self.site_url,
            "username": self.username,
            "display_name": self.display_name,
            "site_name": self.site_name,
            "user_id": self.user_id,
            "capabilities": sorted(self.capabilities),
            "has_plugin": self.has_plugin,
            "plugin_version": self.plugin_version,
            "site_states": list(self.site_states),
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
        user_id, capabilities = value.get("user_id", 0), value.get("capabilities", [])
        plugin_version = value.get("plugin_version", "")
        return cls(
            site,
            user,
            name if isinstance(name, str) else "",
            title if isinstance(title, str) else "",
            user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else 0,
            frozenset(c for c in capabilities if isinstance(c, str))
            if isinstance(capabilities, list)
            else frozenset(),
            value.get("has_plugin") is True,
            plugin_version[:64] if isinstance(plugin_version, str) else "",
            _states(value.get("site_states")),
        )


@dataclass(slots=True)
class Settings:
    """Everything remembered between runs (no secret, no record of the site).

    Attributes:
        accounts: accounts signed in on this computer, most recent first.
        last_account: the id of the account the app opens at start, or None.
        sync_interval_minutes: how often a sync round runs on its own.
        clinic_states: USPS codes of the states the clinic sees clients from, as chosen in
            this app (inquiries from other states are flagged by the Inquiries tab). Used only
            when ``clinic_states_override`` is set or the site does not say: see
            :func:`service_states`.
        clinic_states_override: whether this computer's choice overrides the states set on the
            website (Settings > ClinicDesk). Off by default: the flag follows the website.
        crisis_protocol: what staff do when someone may be in crisis, as the clinic wrote it;
            "" shows the protocol ClinicDesk ships.
        response_target_hours: the first-response target for inquiries, in business hours.
        idle_lock_minutes: minutes without input before the Inquiries tab locks (1 to
            :data:`MAX_IDLE_LOCK_MINUTES`).
        unlock_hashes: per account id, the salted hash of the Inquiries tab's unlock passphrase
            (``clinicdesk.domain.lock``; never the passphrase). Forgotten at each sign-in, so
            signing in again is how a forgotten passphrase is reset.
        window_state: opaque window geometry and splitter positions, keyed by name.
        proxy: the proxy the clinic chose for reaching its site (``http://host:port``), or ""
            to connect directly. The only proxy ClinicDesk uses: those of the environment
            (``HTTPS_PROXY``...) are ignored. Checked with the site's rules
            (:func:`clinicdesk.site.transport.check_proxy_url`); never holds a password.
        time_zone: the IANA name of the zone dates are shown in, chosen on this computer; ""
            for the clinic's, as its website says (``timezone_string`` / ``gmt_offset``).
    """

    accounts: list[Account] = field(default_factory=list)
    last_account: str | None = None
    sync_interval_minutes: int = DEFAULT_SYNC_MINUTES
    clinic_states: list[str] = field(default_factory=lambda: list(DEFAULT_CLINIC_STATES))
    clinic_states_override: bool = False
    crisis_protocol: str = ""
    response_target_hours: float = DEFAULT_RESPONSE_TARGET_HOURS
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    unlock_hashes: dict[str, str] = field(default_factory=dict)
    window_state: dict[str, str] = field(default_factory=dict)
    proxy: str = ""
    time_zone: str = ""

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

    def signed_in(self, account: Account) -> None:
        """``account`` was just signed in (its password checked with the site): remember it,
        and forget its unlock passphrase (the way to reset a forgotten one)."""
        self.remember(account)
        self.unlock_hashes.pop(account.id, None)

    def update_account(self, account: Account) -> None:
        """Keep what the site said about a remembered account (after a sync round), in its
        place: the account opened at start and the unlock passphrase stay as they are. An
        account not remembered (forgotten meanwhile) is not added back."""
        self.accounts = [account if known.id == account.id else known for known in self.accounts]

    def forget(self, account: Account) -> None:
        """Drop ``account`` from the list (and from "last"), with its unlock passphrase."""
        self.accounts = [a for a in self.accounts if a.id != account.id]
        self.unlock_hashes.pop(account.id, None)
        if self.last_account == account.id:
            self.last_account = None

    def unlock_hash(self, account: Account) -> str | None:
        """The hash of ``account``'s unlock passphrase, or None when none was chosen."""
        return self.unlock_hashes.get(account.id)

    def set_unlock_hash(self, account: Account, stored: str) -> None:
        """Keep the hash of ``account``'s new unlock passphrase."""
        self.unlock_hashes[account.id] = stored

    def to_json(self) -> dict[str, Any]:
        return {
            "version": SETTINGS_VERSION,
            "accounts": [a.to_json() for a in self.accounts],
            "last_account": self.last_account,
            "sync_interval_minutes": self.sync_interval_minutes,
            "clinic_states": list(self.clinic_states),
            "clinic_states_override": self.clinic_states_override,
            "crisis_protocol": self.crisis_protocol,
            "response_target_hours": self.response_target_hours,
            "idle_lock_minutes": self.idle_lock_minutes,
            "unlock_hashes": dict(self.unlock_hashes),
            "window_state": dict(self.window_state),
            "proxy": self.proxy,
            "time_zone": self.time_zone,
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
        override = data.get("clinic_states_override")
        if isinstance(override, bool):
            settings.clinic_states_override = override
        else:
            # Written before the website said which states it serves: a choice made here then
            # (anything but the default) stays in force until the user changes it.
            settings.clinic_states_override = settings.clinic_states != list(DEFAULT_CLINIC_STATES)
        protocol = data.get("crisis_protocol")
        if isinstance(protocol, str):
            settings.crisis_protocol = protocol[:MAX_PROTOCOL_CHARS]
        hours = data.get("response_target_hours")
        if isinstance(hours, int | float) and not isinstance(hours, bool):
            settings.response_target_hours = clamp_response_hours(hours)
        idle = data.get("idle_lock_minutes")
        if isinstance(idle, int) and not isinstance(idle, bool):
            settings.idle_lock_minutes = clamp_idle_minutes(idle)
        settings.unlock_hashes = _str_dict(data.get("unlock_hashes"))
        settings.window_state = _str_dict(data.get("window_state"))
        proxy = data.get("proxy")
        if isinstance(proxy, str) and len(proxy) <= MAX_PROXY_CHARS:
            settings.proxy = proxy.strip()
        zone = data.get("time_zone")
        if isinstance(zone, str) and len(zone) <= MAX_TIME_ZONE_CHARS:
            settings.time_zone = zone.strip()
        return settings


def _states(value: object) -> tuple[str, ...]:
    """The known USPS codes in ``value`` (a list), each once, in order."""
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(s for s in value if isinstance(s, str) and s in US_STATES))


def service_states(settings: Settings, account: Account | None) -> tuple[str, ...]:
    """The states the Inquiries tab treats as the clinic's service area: those set on the
    website (kept with the account at each sync), unless this computer's choice overrides
    them or the website does not say."""
    if settings.clinic_states_override or account is None or not account.site_states:
        return tuple(settings.clinic_states)
    return account.site_states


def choose_states(settings: Settings, account: Account | None, chosen: list[str]) -> None:
    """Keep the states chosen in the settings dialog: the same as the website's means following
    the website (no override); anything else overrides it."""
    settings.clinic_states = list(chosen)
    site = account.site_states if account is not None else ()
    settings.clinic_states_override = not site or sorted(chosen) != sorted(site)


def _str_dict(value: object) -> dict[str, str]:
    """The string-to-string items of ``value`` (nothing when it is not a dict)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def clamp_minutes(minutes: int) -> int:
    """A sync interval within the allowed range."""
    return max(MIN_SYNC_MINUTES, min(MAX_SYNC_MINUTES, minutes))


def clamp_response_hours(hours: float) -> float:
    """A first-response target within the allowed range."""
    return float(max(MIN_RESPONSE_HOURS, min(MAX_RESPONSE_HOURS, hours)))


def clamp_idle_minutes(minutes: int) -> int:
    """An idle-lock time within the allowed range: 1 minute to the maximum. There is no
    "never": 0 or less (what older versions stored for it) becomes the maximum."""
    if minutes <= 0:
        return MAX_IDLE_LOCK_MINUTES
    return min(MAX_IDLE_LOCK_MINUTES, minutes)


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


def delete_account_files(paths: AccountPaths) -> None:
    """Remove an account's folder: the cache, its WAL files, backups and the key-source marker."""
    if paths.directory.exists():
        shutil.rmtree(paths.directory)
