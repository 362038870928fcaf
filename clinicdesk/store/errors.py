"""Errors of the offline cache.

Every error the app is expected to show the user is a :class:`CacheError` with a plain ``message``.
None of them ever carries a key, a passphrase, or the text of a record.
"""

from __future__ import annotations

from clinicdesk.model.errors import UserFacingError


class CacheError(UserFacingError):
    """Base of every known, user-facing failure of :mod:`clinicdesk.store`.

    Attributes:
        message: a sentence for the user, saying what happened and what to do.
    """


class WrongKeyError(CacheError):
    """The cache could not be decrypted: the key or passphrase is wrong, or the file is damaged.

    SQLCipher cannot tell the two apart ("file is not a database"), so neither can we.
    """


class NewerSchemaError(CacheError):
    """The cache was written by a newer ClinicDesk; this version must not touch it.

    Attributes:
        revision: the schema revision found in the file.
        app_version: the ClinicDesk version that last wrote the file, when it said so.
    """

    def __init__(self, message: str, *, revision: str, app_version: str | None) -> None:
        super().__init__(message)
        self.revision = revision
        self.app_version = app_version


class NotACacheError(CacheError):
    """The file is a readable database, but not a ClinicDesk cache."""


class MigrationError(CacheError):
    """Upgrading the cache to this version's schema failed; the file was left as it was."""


class CacheKeyMissingError(CacheError):
    """The cache exists but its key is not in the keyring (removed, or another keyring)."""


class RecordNotFoundError(CacheError):
    """A local record the caller named does not exist (any more)."""


class InvalidEditError(CacheError, ValueError):
    """A local edit was refused before being stored (unknown field, wrong type, bad value)."""


class UnsyncedDependencyError(CacheError):
    """An outbox entry refers to a record that is not on the site yet (its create comes first)."""
