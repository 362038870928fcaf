"""``settings.json``: what the site said about the user, the inquiry settings, and the unlock
passphrase hashes (per account, forgotten at sign-in). No Qt."""

from __future__ import annotations

import json
from pathlib import Path

from clinicdesk.services.syncround import RoundResult, account_after
from clinicdesk.session.accounts import (
    DEFAULT_IDLE_LOCK_MINUTES,
    MAX_IDLE_LOCK_MINUTES,
    MAX_RESPONSE_HOURS,
    Account,
    DataDir,
    Settings,
    SettingsStore,
)
from clinicdesk.sync.report import SyncReport, UserAccess

ACCOUNT = Account(
    "https://clinic.example",
    "mreyes",
    "Marisol Reyes",
    "Sunrise Therapy",
    user_id=6,
    capabilities=frozenset({"read", "clinicdesk_manage_inquiries"}),
    has_plugin=True,
)
HASH = "scrypt$4$1$1$c2FsdA==$aGFzaA=="


def test_the_account_and_the_inquiry_settings_survive_a_save(tmp_path: Path) -> None:
    store = SettingsStore(DataDir(tmp_path).ensure())

    def change(settings: Settings) -> None:
        settings.remember(ACCOUNT)
        settings.set_unlock_hash(ACCOUNT, HASH)
        settings.crisis_protocol = "Call the clinical director first."
        settings.response_target_hours = 4.0
        settings.idle_lock_minutes = 15

    store.update(change)
    loaded = store.load()
    assert loaded.current == ACCOUNT
    assert loaded.current.user_known and loaded.current.can("clinicdesk_manage_inquiries")
    assert loaded.unlock_hash(ACCOUNT) == HASH
    assert loaded.crisis_protocol == "Call the clinical director first."
    assert (loaded.response_target_hours, loaded.idle_lock_minutes) == (4.0, 15)


def test_signing_in_forgets_the_unlock_passphrase_of_that_account_only() -> None:
    other = Account("https://clinic.example", "kpham", user_id=7)
    settings = Settings()
    for account in (ACCOUNT, other):
        settings.remember(account)
        settings.set_unlock_hash(account, HASH)
    settings.signed_in(ACCOUNT)
    assert settings.unlock_hash(ACCOUNT) is None
    assert settings.unlock_hash(other) == HASH
    settings.forget(other)
    assert settings.unlock_hashes == {}


def test_an_account_from_an_older_version_is_not_a_known_user() -> None:
    old = Account.from_json(
        {"site_url": "https://clinic.example", "username": "renata", "display_name": "Renata"}
    )
    assert old is not None
    assert not old.user_known and old.capabilities == frozenset() and not old.has_plugin


def test_odd_values_in_the_file_fall_back_or_are_clamped(tmp_path: Path) -> None:
    data = DataDir(tmp_path).ensure()
    data.settings_file.write_text(
        json.dumps(
            {
                "version": 1,
                "accounts": [
                    {
                        "site_url": "https://clinic.example",
                        "username": "x",
                        "user_id": True,
                        "capabilities": "edit_posts",
                        "has_plugin": "yes",
                    }
                ],
                "response_target_hours": 10_000,
                "idle_lock_minutes": -5,
                "crisis_protocol": 42,
                "unlock_hashes": {"a": HASH, "b": 3},
            }
        )
    )
    settings = SettingsStore(data).load()
    [account] = settings.accounts
    assert (account.user_id, account.capabilities, account.has_plugin) == (0, frozenset(), False)
    assert settings.response_target_hours == MAX_RESPONSE_HOURS
    # No "Never" (0 or less, as older versions stored it): the lock waits at most the maximum.
    assert settings.idle_lock_minutes == MAX_IDLE_LOCK_MINUTES
    assert settings.crisis_protocol == ""
    assert settings.unlock_hashes == {"a": HASH}
    data.settings_file.write_text(json.dumps({"idle_lock_minutes": 99_999}))
    assert SettingsStore(data).load().idle_lock_minutes == MAX_IDLE_LOCK_MINUTES
    assert Settings().idle_lock_minutes == DEFAULT_IDLE_LOCK_MINUTES
    data.settings_file.write_text(json.dumps({"idle_lock_minutes": 0}))
    assert SettingsStore(data).load().idle_lock_minutes == MAX_IDLE_LOCK_MINUTES == 60


def test_a_round_that_flagged_arrivals_says_how_many_and_nothing_else() -> None:
    report = SyncReport("ok", pulled=1, new_inquiries=(51,))
    lines = RoundResult(report, flagged=1).lines
    assert lines[-1] == "1 new inquiry flagged urgent (crisis language)."
    assert "51" not in " ".join(lines)
    assert RoundResult(report, flagged=3).lines[-1] == (
        "3 new inquiries flagged urgent (crisis language)."
    )
    assert not any("flagged" in line for line in RoundResult(report).lines)


def test_what_a_round_said_about_the_user_is_kept_in_place(tmp_path: Path) -> None:
    store = SettingsStore(DataDir(tmp_path).ensure())
    other = Account("https://other.example", "sam", user_id=2, capabilities=frozenset({"read"}))

    def remember(settings: Settings) -> None:
        settings.remember(ACCOUNT)
        settings.remember(other)  # opened last: first in the list, and the one opened at start
        settings.set_unlock_hash(ACCOUNT, HASH)

    store.update(remember)
    # The intake specialist's inquiry role was taken away; the plugin was not asked about.
    access = UserAccess(6, frozenset({"read"}))
    result = RoundResult(SyncReport("ok", access=access))
    updated = account_after(ACCOUNT, result)
    assert updated != ACCOUNT
    assert (updated.user_id, updated.capabilities, updated.has_plugin) == (6, {"read"}, True)
    assert (updated.display_name, updated.site_name) == (ACCOUNT.display_name, ACCOUNT.site_name)
    store.update(lambda s: s.update_account(updated))
    settings = store.load()
    assert settings.accounts == [other, updated]
    assert settings.last_account == other.id
    assert settings.unlock_hash(updated) == HASH, "the unlock passphrase stays"

    # A round that did not reach the site changes nothing; the plugin, once asked, is kept.
    assert account_after(updated, RoundResult(SyncReport("offline"))) is updated
    gone = RoundResult(SyncReport("ok", access=UserAccess(6, frozenset({"read"}), False)))
    assert not account_after(updated, gone).has_plugin

    # An account forgotten meanwhile (signed out) is not brought back.
    store.update(lambda s: s.forget(updated))
    store.update(lambda s: s.update_account(updated))
    assert store.load().accounts == [other]


def test_a_round_that_removed_inquiries_says_so_in_one_line() -> None:
    report = SyncReport("ok", access=UserAccess(6, frozenset({"read"})))
    lines = RoundResult(report, inquiries_removed=42).lines
    assert lines[-1] == (
        "Your account no longer handles consultation inquiries on this site, so they were "
        "removed from this computer. Ask the site's administrator if this is a mistake."
    )
    assert "42" not in " ".join(lines)
    assert not any("removed" in line for line in RoundResult(report).lines)


def test_the_plugin_version_a_round_saw_is_kept_and_survives_a_save(tmp_path: Path) -> None:
    store = SettingsStore(DataDir(tmp_path).ensure())
    signed_in = Account(
        ACCOUNT.site_url, ACCOUNT.username, has_plugin=True, plugin_version="1.0.0", user_id=6
    )
    store.update(lambda s: s.remember(signed_in))
    # A round that checked the site: the plugin was downgraded there.
    seen = UserAccess(6, frozenset({"read"}), True, "0.9.0")
    updated = account_after(signed_in, RoundResult(SyncReport("ok", access=seen)))
    assert (updated.has_plugin, updated.plugin_version) == (True, "0.9.0")
    # A round that did not ask keeps what is known; one that found no plugin forgets it.
    unasked = RoundResult(SyncReport("ok", access=UserAccess(6, frozenset({"read"}))))
    assert account_after(updated, unasked).plugin_version == "0.9.0"
    gone = RoundResult(SyncReport("ok", access=UserAccess(6, frozenset({"read"}), False, "")))
    assert account_after(updated, gone).plugin_version == ""
    store.update(lambda s: s.update_account(updated))
    assert store.load().accounts == [updated]
    # An account saved by an older ClinicDesk has no version: unknown, not an error.
    raw = json.loads(store.path.read_text(encoding="utf-8"))
    del raw["accounts"][0]["plugin_version"]
    store.path.write_text(json.dumps(raw), encoding="utf-8")
    assert store.load().accounts[0].plugin_version == ""
