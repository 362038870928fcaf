"""An open account: who, the password held for this run, and the unlocked cache. No Qt.

Both the window and ``main.py sync`` go through these steps:

1. the password: from the OS keyring, else asked (the keyring may be missing or locked);
2. the cache key: :func:`clinicdesk.store.find_cache_key` says whether the keyring holds it or the
   user must type a passphrase;
3. the cache: :func:`clinicdesk.store.open_account_cache`.

Signing out undoes them: the password leaves the keyring; on confirmation the cache, its folder
and its key go too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from clinicdesk.session.accounts import Account, DataDir, SettingsStore, delete_account_files
from clinicdesk.session.credentials import CredentialStore, KeyringUnavailableError
from clinicdesk.store import Cache

logger = logging.getLogger(__name__)


@dataclass
class AccountSession:
    """The account the app works on now.

    Attributes:
        account: who, on which site.
        password: the application password, held in memory for this run (the sync worker signs
            its requests with it). Never written anywhere but the OS keyring.
        cache: the unlocked offline copy.
        password_saved: whether the keyring holds the password (False: asked again next start).
        keyring_problem: why the keyring could not be used, for the user, or None.
        demo: True for ``--demo`` (nothing is kept).
    """

    account: Account
    password: str
    cache: Cache
    password_saved: bool
    keyring_problem: str | None = None
    demo: bool = False

    def __repr__(self) -> str:
        return f"AccountSession({self.account.site_url!r}, user={self.account.username!r})"

    def pending_changes(self) -> int:
        """Local changes waiting to be sent (the outbox)."""
        return self.cache.outbox.count()

    def close(self) -> None:
        """Close the cache (idempotent)."""
        self.cache.close()


def stored_password(credentials: CredentialStore, account: Account) -> str | None:
    """The account's application password from the keyring, or None when there is none.

    Raises:
        KeyringUnavailableError: the keyring is missing, locked or gone.
    """
    return credentials.get_app_password(account.site_url, account.username)


@dataclass(frozen=True, slots=True)
class SignOutResult:
    """What signing out removed.

    Attributes:
        password_removed: the keyring held the password and it is gone.
        cache_removed: the offline copy and its key were deleted.
        keyring_problem: the keyring could not be reached (nothing was in it to remove, or it
            is locked: the user is told), or None.
    """

    password_removed: bool
    cache_removed: bool
    keyring_problem: str | None


def sign_out(
    credentials: CredentialStore,
    data: DataDir,
    settings: SettingsStore,
    account: Account,
    *,
    delete_cache: bool,
) -> SignOutResult:
    """Forget the account's password and, when asked, its offline copy and the copy's key.

    The cache must be closed first. Keeping the copy keeps the account in the settings (the next
    sign-in reopens it with its unsent changes); deleting it forgets the account too.
    """
    problem: str | None = None
    try:
        removed = credentials.delete_app_password(account.site_url, account.username)
    except KeyringUnavailableError as error:
        removed, problem = False, error.message
    if delete_cache:
        delete_account_files(data.account_paths(account))
        try:
            credentials.delete_cache_key(account.id)
        except KeyringUnavailableError as error:
            problem = problem or error.message
    settings.update(
        lambda s: s.forget(account) if delete_cache else setattr(s, "last_account", account.id)
    )
    logger.info("signed out (offline copy %s)", "deleted" if delete_cache else "kept")
    return SignOutResult(removed, delete_cache, problem)
