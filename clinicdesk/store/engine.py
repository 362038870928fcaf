"""Opening the encrypted cache: SQLCipher through SQLAlchemy, checked, migrated and private.

Choices, and why:

- **Driver.** SQLAlchemy's ``sqlite+pysqlcipher`` dialect on the ``sqlcipher3`` wheel. The dialect
  sends ``PRAGMA key="<value>"`` with the value quoted as an identifier (``"`` doubled), first
  thing on every new connection, before SQLAlchemy's own first queries. For a raw key the value
  is ``x'<64 hex>'``, which is exactly SQLCipher's documented raw-key form, so the key is not
  mangled and no key derivation runs; a passphrase with quotes survives the quoting intact.
- **Pool.** A ``QueuePool`` of connections usable from any thread (``check_same_thread=False``;
  the library is built thread-safe), each used by one thread at a time. The dialect's default,
  ``SingletonThreadPool``, closes connections of other threads when it overflows. Sessions are
  short and never shared: every call of :meth:`Cache.read` / :meth:`Cache.write` takes its own.
- **Transactions.** The driver's own implicit ``BEGIN`` is turned off and SQLAlchemy's ``begin``
  event emits ours: ``BEGIN`` for reads, ``BEGIN IMMEDIATE`` for writes. The UI thread and the
  sync worker both write; an immediate transaction takes the write lock up front and waits for
  it (``busy_timeout``), where a deferred one that read first would fail with "database is
  locked" when it tried to write. :meth:`Cache.transaction` lets a caller make several store
  writes one transaction (the sync engine stores a page and the cursor that follows it so).
- **WAL + ``synchronous=FULL``.** In WAL mode readers never block the writer, so the UI keeps
  reading while sync writes. With ``NORMAL`` a commit survives a killed process but not a power
  cut or an OS crash; with ``FULL`` the WAL is flushed at every commit, so an edit the user saw
  saved survives both. A local edit is the only copy of that change until it reaches the site,
  so it gets the stronger guarantee. The price is one flush per commit: the sync worker applies
  a page of records per transaction, and a user's edits come at typing-pause rate.
- **Files.** The database file is created by us with mode ``0600`` before SQLCipher opens it;
  SQLite gives the ``-wal`` and ``-shm`` files the database file's mode. ``temp_store=MEMORY``
  keeps sort and index scratch data off the disk.
- **Page cache.** Every page read from the file is decrypted (and its HMAC checked); decrypted
  pages stay in each connection's cache. The inbox sorts and searches read the whole
  ``inquiries`` table (12 MB at 50,000 inquiries): with SQLCipher's default 8 MB cache each
  of them decrypted it all again (150-200 ms at 50,000, against 50 with a cache that holds it).
  ``cache_size`` is a ceiling, filled only as pages are read.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, exc
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from clinicdesk import __version__
from clinicdesk.store import migrate
from clinicdesk.store.errors import CacheError, WrongKeyError
from clinicdesk.store.keys import CacheKey
from clinicdesk.store.models import Meta
from clinicdesk.store.paths import AccountPaths, KeySource, create_private_file, ensure_private_dir

if TYPE_CHECKING:
    from clinicdesk.store.catalog import CatalogStore
    from clinicdesk.store.inquiries import InquiryStore
    from clinicdesk.store.outbox import OutboxStore
    from clinicdesk.store.posts import PostStore
    from clinicdesk.store.quarantine import QuarantineStore

logger = logging.getLogger(__name__)

#: Milliseconds a writer waits for another writer's transaction before "database is locked".
BUSY_TIMEOUT_MS = 10_000
#: Each connection's page cache, in KiB (see "Page cache" above).
PAGE_CACHE_KIB = 32 * 1024
_BEGIN_OPTION = "clinicdesk_begin"
_PRIVATE_FILE_MODE = 0o600
#: The meta key of :meth:`Cache.last_sync_success`.
_LAST_SYNC_SUCCESS_KEY = "last_sync_success"
#: The meta key of :meth:`Cache.site_time_zone`.
_SITE_TIME_ZONE_KEY = "site_time_zone"


def _tighten(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = path.with_name(path.name + suffix)
        if os.name == "posix" and candidate.exists():
            os.chmod(candidate, _PRIVATE_FILE_MODE)


def _make_engine(path: Path, key: CacheKey, pool_size: int) -> Engine:
    url = URL.create("sqlite+pysqlcipher", password=key.sqlcipher_value(), database=str(path))
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=BUSY_TIMEOUT_MS / 1000,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        hide_parameters=True,  # never put record fields into an exception's text or a log line
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # The key has been set by the dialect already. Manage transactions ourselves.
        dbapi_connection.isolation_level = None
        for pragma in (
            f"busy_timeout = {BUSY_TIMEOUT_MS}",
            "foreign_keys = ON",
            "synchronous = FULL",
            "temp_store = MEMORY",
            f"cache_size = -{PAGE_CACHE_KIB}",
        ):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_wrong_key(error: BaseException) -> bool:
    """Whether a driver error is SQLCipher's way of saying the key does not fit."""
    orig = getattr(error, "orig", error)
    return "file is not a database" in str(orig)


def _check_key(engine: Engine) -> None:
    """Read the schema (the first read decrypts page 1) or raise WrongKeyError."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
            connection.rollback()
    except exc.DBAPIError as error:
        if is_wrong_key(error):
            raise WrongKeyError(
                "The offline copy could not be unlocked: the key or passphrase is wrong,"
                " or the file is damaged."
            ) from None
        raise CacheError(f"The offline copy could not be opened ({error.orig}).") from None


def _use_wal(engine: Engine) -> None:
    """Switch the file to WAL mode (persistent; only once its schema is known to be ours)."""
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        result = driver.execute("PRAGMA journal_mode = WAL").fetchone()
        if result is None or str(result[0]).lower() != "wal":
            raise CacheError("The offline copy could not be switched to its safe write mode.")


class Cache:
    """An open cache: the engine, sessions for reading and writing, and the stores using them.

    Thread use: any thread may call :meth:`read` and :meth:`write`; each call gets its own
    session and connection (except :meth:`write` inside a :meth:`transaction` of the same
    thread), and what comes out of the stores are frozen DTOs, safe to hand to another thread.
    Writes from several threads take turns (``BEGIN IMMEDIATE``).

    Attributes:
        path: the database file.
        engine: the SQLAlchemy engine (for the stores and tests; the UI never touches it).
        key_source: whether the key is a keyring key or a passphrase.
        revision: the schema revision the file is at.
        backup: the copy written before a migration at this open, or None.
        backup_dir: the folder of the copies made before migrations (``backups/``).
    """

    def __init__(
        self,
        engine: Engine,
        path: Path,
        key_source: KeySource,
        revision: str,
        backup: Path | None,
        backup_dir: Path | None = None,
    ) -> None:
        self.engine = engine
        self.path = path
        self.key_source = key_source
        self.revision = revision
        self.backup = backup
        self.backup_dir = backup_dir if backup_dir is not None else path.parent / "backups"
        self._write_engine = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        self._closed = False
        self._lock = threading.Lock()
        self._open = threading.local()  # .session: this thread's transaction, if any

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session over one consistent snapshot; nothing it does is kept.

        Yields:
            The session. It is rolled back and closed on exit.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction: all of it is committed on success, none on error.

        Inside a :meth:`transaction` on this thread, the block is part of that transaction:
        it yields its session, and the transaction commits (or rolls back) at its own end.

        Yields:
            The session. Committed when the block ends normally, rolled back if it raises.
        """
        joined: Session | None = getattr(self._open, "session", None)
        if joined is not None:
            yield joined
            return
        with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make every store write on this thread until the block ends one transaction.

        Each commit costs a flush to disk (``synchronous=FULL``): the sync engine stores a page
        of records and moves the cursor that follows it in one, which halves its commits and
        leaves a crash nothing between "page stored" and "cursor moved". Nothing slow belongs
        inside: the write lock is held from the first write to the end. Reads (:meth:`read`)
        inside do not see its writes until it commits. A transaction inside another joins it.

        Raises:
            Whatever the block raises, after rolling back all of it.
        """
        if getattr(self._open, "session", None) is not None:
            yield
            return
        with self.write() as session:
            self._open.session = session
            try:
                yield
            finally:
                self._open.session = None

    @cached_property
    def posts(self) -> PostStore:
        """Posts: local edits, reads for the UI, and what sync applies."""
        from clinicdesk.store.posts import PostStore

        return PostStore(self)

    @cached_property
    def inquiries(self) -> InquiryStore:
        """Inquiries and their notes."""
        from clinicdesk.store.inquiries import InquiryStore

        return InquiryStore(self)

    @cached_property
    def catalog(self) -> CatalogStore:
        """Terms, media and users."""
        from clinicdesk.store.catalog import CatalogStore

        return CatalogStore(self)

    @cached_property
    def outbox(self) -> OutboxStore:
        """The queue of local changes, and the sync bookkeeping."""
        from clinicdesk.store.catalog import MEDIA_ADAPTER, TERM_ADAPTER
        from clinicdesk.store.inquiry_sync import INQUIRY_ADAPTER, NOTE_ADAPTER
        from clinicdesk.store.outbox import OutboxStore
        from clinicdesk.store.post_sync import POST_ADAPTER

        # The kinds of record the outbox sends, each finished by its own module's adapter.
        adapters = (POST_ADAPTER, INQUIRY_ADAPTER, NOTE_ADAPTER, TERM_ADAPTER, MEDIA_ADAPTER)
        return OutboxStore(self, {adapter.entity: adapter for adapter in adapters})

    @cached_property
    def quarantine(self) -> QuarantineStore:
        """Records of the site that could not be read (kept aside, with why)."""
        from clinicdesk.store.quarantine import QuarantineStore

        return QuarantineStore(self)

    def get_meta(self, key: str) -> str | None:
        """A stored fact about the cache ("app_version", "schema_revision", or the app's own)."""
        with self.read() as session:
            row = session.get(Meta, key)
            return None if row is None else row.value

    def set_meta(self, key: str, value: str) -> None:
        """Store a fact about the cache (e.g. the signed-in user as JSON). Never a secret."""
        with self.write() as session:
            row = session.get(Meta, key)
            if row is None:
                session.add(Meta(key=key, value=value))
            else:
                row.value = value

    def last_sync_success(self) -> datetime | None:
        """When a sync round last succeeded (aware UTC), as recorded by
        :meth:`record_sync_success`; None if never (or unreadable)."""
        raw = self.get_meta(_LAST_SYNC_SUCCESS_KEY)
        try:
            when = datetime.fromisoformat(raw) if raw else None
        except ValueError:
            return None
        return when if when is None or when.tzinfo is not None else when.replace(tzinfo=UTC)

    def record_sync_success(self, when: datetime) -> None:
        """Remember that a round succeeded at ``when`` (aware): kept in the cache, so "Last
        synced" tells how old the offline copy is after a restart too."""
        self.set_meta(_LAST_SYNC_SUCCESS_KEY, when.astimezone(UTC).isoformat(timespec="seconds"))

    def site_time_zone(self) -> tuple[str, float] | None:
        """The site's time zone as its REST index last said: (``timezone_string``, which may be
        "", ``gmt_offset`` in hours); None until a sync asked."""
        raw = self.get_meta(_SITE_TIME_ZONE_KEY)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return str(data["timezone_string"]), float(data["gmt_offset"])
        except (ValueError, KeyError, TypeError):
            return None

    def record_site_time_zone(self, timezone_string: str, gmt_offset: float) -> None:
        """Keep the site's time zone (the clinic's: its dates are shown in it)."""
        value = json.dumps({"timezone_string": timezone_string, "gmt_offset": gmt_offset})
        if self.get_meta(_SITE_TIME_ZONE_KEY) != value:
            self.set_meta(_SITE_TIME_ZONE_KEY, value)

    def close(self) -> None:
        """Close every connection (the WAL is checkpointed into the file on the last close)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self.engine.dispose()
                _tighten(self.path)

    def prune_backups(self) -> int:
        """Delete the copies made before migrations (``backups/``).

        Each is a whole cache, inquiries included, encrypted with the key that is still in the
        keyring: once what it guarded is safe (the migrated cache synced), or once inquiries must
        leave this computer, the copies go too.

        Returns:
            How many files were deleted. One that cannot be deleted is logged (its name only)
            and left.
        """
        removed = 0
        if not self.backup_dir.is_dir():
            return 0
        for file in sorted(self.backup_dir.glob("cache-schema*")):
            try:
                file.unlink()
                removed += 1
            except FileNotFoundError:
                pass
            except OSError as error:
                logger.warning("could not delete the backup %s: %s", file.name, error.strerror)
        if removed:
            logger.info("deleted %d backup(s) made before schema upgrades", removed)
        return removed

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_cache(
    path: Path,
    key: CacheKey,
    *,
    backup_dir: Path | None = None,
    migrations_dir: Path | None = None,
    pool_size: int = 3,
) -> Cache:
    """Open (or create) the cache at ``path``, upgrading its schema if it is older.

    Args:
        path: the database file. Created (mode ``0600``) when missing; its folder too (``0700``).
        key: the key it is (or will be) encrypted with.
        backup_dir: where the copy made before a migration goes; ``<folder>/backups`` by default.
        migrations_dir: another Alembic script folder (tests only).
        pool_size: connections kept open (the UI thread, the sync worker, a spare).

    Returns:
        The open cache. Close it (or use it as a context manager).

    Raises:
        WrongKeyError: the key does not decrypt the file (or the file is damaged).
        NewerSchemaError: the file was written by a newer ClinicDesk.
        NotACacheError: the file is a database but not a ClinicDesk cache.
        MigrationError: the schema upgrade failed (the file was left unchanged).
        CacheError: any other failure to open the file.
    """
    path = Path(path)
    if not path.parent.exists():
        ensure_private_dir(path.parent)
    create_private_file(path)
    _tighten(path)
    engine = _make_engine(path, key, pool_size)
    backups = backup_dir or path.parent / "backups"
    try:
        _check_key(engine)
        result = migrate.upgrade(
            engine,
            key,
            backup_dir=backups,
            script_location=migrations_dir,
            app_version=__version__,
        )
        _use_wal(engine)
    except BaseException:
        engine.dispose()
        raise
    _tighten(path)
    if result.backup is not None:
        logger.info("schema upgraded from %s to %s", result.from_revision, result.to_revision)
    return Cache(engine, path, key.source, result.to_revision, result.backup, backups)


def open_account_cache(paths: AccountPaths, key: CacheKey) -> Cache:
    """Open an account's cache and record where its key is kept (see ``keys.find_cache_key``).

    Args:
        paths: the account's files.
        key: from the keyring or the user's passphrase.
    """
    paths.ensure()
    cache = open_cache(paths.cache_file, key, backup_dir=paths.backup_dir)
    if paths.read_key_source() is not key.source:
        paths.write_key_source(key.source)
    return cache
