"""The offline cache: an encrypted SQLite (SQLCipher) database per account. No Qt, no HTTP.

Open one with :func:`open_account_cache` (or :func:`open_cache` for a bare path), with a key from
:func:`find_cache_key`; then use ``cache.posts``, ``cache.inquiries``, ``cache.catalog`` and
``cache.outbox``. Everything they return is a frozen DTO from :mod:`clinicdesk.model.cached`.
"""

from clinicdesk.model.identity import account_id
from clinicdesk.store.engine import Cache, open_account_cache, open_cache
from clinicdesk.store.errors import (
    CacheError,
    CacheKeyMissingError,
    InvalidEditError,
    MigrationError,
    NewerSchemaError,
    NotACacheError,
    RecordNotFoundError,
    UnsyncedDependencyError,
    WrongKeyError,
)
from clinicdesk.store.keys import (
    CacheKey,
    KeyFound,
    PassphraseNeeded,
    find_cache_key,
    new_cache_key,
)
from clinicdesk.store.paths import AccountPaths, KeySource, default_data_dir

__all__ = [
    "AccountPaths",
    "Cache",
    "CacheError",
    "CacheKey",
    "CacheKeyMissingError",
    "InvalidEditError",
    "KeyFound",
    "KeySource",
    "MigrationError",
    "NewerSchemaError",
    "NotACacheError",
    "PassphraseNeeded",
    "RecordNotFoundError",
    "UnsyncedDependencyError",
    "WrongKeyError",
    "account_id",
    "default_data_dir",
    "find_cache_key",
    "new_cache_key",
    "open_account_cache",
    "open_cache",
]
