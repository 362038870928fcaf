"""Schema versions: Alembic run from code, a backup before each upgrade, and newer files refused.

The migration scripts live in ``clinicdesk/store/migrations`` (no ``alembic.ini`` at run time).
Revision ids are numbers (``0001``, ``0002``...) so a message can say which version a file is at.

An upgrade runs in one ``BEGIN IMMEDIATE`` transaction (SQLite has transactional DDL): a crash
halfway leaves the file at the old version. Foreign keys are switched off during it (Alembic's
batch mode rebuilds a table by copying it, and dropping the old copy would otherwise fire
``ON DELETE CASCADE``) and checked with ``PRAGMA foreign_key_check`` before the commit.

For developers, a new migration is made with::

    python -m clinicdesk.store.migrations revision "add a column"

which builds a throwaway cache at the current head and lets Alembic compare it with the models.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine

from clinicdesk.store.errors import MigrationError, NewerSchemaError, NotACacheError
from clinicdesk.store.keys import CacheKey
from clinicdesk.store.paths import create_private_file, ensure_private_dir

logger = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).with_name("migrations")
_BEGIN_OPTION = "clinicdesk_begin"


@dataclass(frozen=True, slots=True)
class UpgradeResult:
    """What :func:`upgrade` did.

    Attributes:
        from_revision: the revision found (None for a new, empty file).
        to_revision: the revision the file is at now.
        backup: the copy made before upgrading, or None when nothing was upgraded or it was new.
    """

    from_revision: str | None
    to_revision: str
    backup: Path | None


def alembic_config(
    script_location: Path | None = None, connection: Connection | None = None
) -> Config:
    """An Alembic configuration built in memory (no ``alembic.ini``).

    Args:
        script_location: the scripts folder; the package's own by default.
        connection: the connection ``env.py`` runs the migrations on.
    """
    config = Config()
    config.set_main_option("script_location", str(script_location or SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision(script_location: Path | None = None) -> str:
    """The newest revision this version of ClinicDesk knows."""
    heads = ScriptDirectory.from_config(alembic_config(script_location)).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have exactly one head, found {heads}")
    return heads[0]


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def _meta_value(connection: Connection, key: str) -> str | None:
    try:
        value = connection.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (key,)).scalar()
    except Exception:  # noqa: BLE001 (a newer schema may have no such table; the value is a nicety)
        return None
    return None if value is None else str(value)


def backup_database(connection: Connection, key: CacheKey, destination: Path) -> None:
    """Write an encrypted copy of the open database to ``destination`` (created ``0600``).

    Uses ``sqlcipher_export`` into an attached database keyed with the same key: a consistent
    snapshot (WAL included), encrypted like the original, made while the connection holds it.

    Args:
        connection: a connection not inside a transaction.
        key: the cache's key.
        destination: a file that does not exist yet.
    """
    if not create_private_file(destination):
        raise FileExistsError(destination)
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(
        "ATTACH DATABASE ? AS clinicdesk_backup KEY ?", (str(destination), key.sqlcipher_value())
    )
    try:
        driver.execute("SELECT sqlcipher_export('clinicdesk_backup')")
    finally:
        driver.execute("DETACH DATABASE clinicdesk_backup")


def _backup_path(backup_dir: Path, from_revision: str) -> Path:
    ensure_private_dir(backup_dir, tighten=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = backup_dir / f"cache-schema{from_revision}-{stamp}.db"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = backup_dir / f"cache-schema{from_revision}-{stamp}-{counter}.db"
    return candidate


def _user_tables(connection: Connection) -> list[str]:
    rows = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).scalars()
    return [str(name) for name in rows]


def upgrade(
    engine: Engine,
    key: CacheKey,
    *,
    backup_dir: Path,
    app_version: str,
    script_location: Path | None = None,
) -> UpgradeResult:
    """Bring the database to this version's schema, or refuse to touch it.

    Args:
        engine: the cache's engine (key already checked).
        key: the cache's key, for the backup copy.
        backup_dir: where the copy made before an upgrade goes.
        app_version: this ClinicDesk's version, recorded in the file.
        script_location: another scripts folder (tests).

    Raises:
        NewerSchemaError: the file is at a revision this version does not know.
        NotACacheError: the file has tables but no ClinicDesk schema version.
        MigrationError: the upgrade failed; the file is unchanged.
    """
    config = alembic_config(script_location)
    script = ScriptDirectory.from_config(config)
    head = head_revision(script_location)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        tables = _user_tables(connection)
        written_by = _meta_value(connection, "app_version")
        connection.rollback()
        if current == head:
            return UpgradeResult(current, head, None)
        if current is not None and not _known(script, current):
            version = f" (ClinicDesk {written_by})" if written_by else ""
            raise NewerSchemaError(
                f"This offline copy was made by a newer version of ClinicDesk{version}, schema"
                f" version {current}; this version knows up to {head}."
                " Update ClinicDesk to open it.",
                revision=current,
                app_version=written_by,
            )
        if current is None and tables:
            raise NotACacheError("This file is a database, but not a ClinicDesk offline copy.")

        backup = None
        if current is not None:
            backup = _backup_path(backup_dir, current)
            backup_database(connection, key, backup)
            logger.info("backup written before upgrading the schema from %s", current)

        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            immediate = connection.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            with immediate.begin():
                config.attributes["connection"] = immediate
                command.upgrade(config, head)
                if immediate.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise MigrationError("The upgrade left broken links between records.")
                now = datetime.now(UTC).isoformat(timespec="seconds")
                for meta_key, value in (("app_version", app_version), ("schema_revision", head)):
                    immediate.exec_driver_sql(
                        "INSERT INTO meta (key, value) VALUES (?, ?)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (meta_key, value),
                    )
                immediate.exec_driver_sql(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('created_at', ?)", (now,)
                )
        except MigrationError:
            raise
        except Exception as error:
            logger.exception("schema upgrade failed")
            raise MigrationError(
                f"The offline copy could not be upgraded to this version ({type(error).__name__})."
                " It was left as it was."
            ) from error
        finally:
            driver.execute("PRAGMA foreign_keys = ON")
    return UpgradeResult(current, head, backup)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave the FTS5 tables and their shadow tables out of autogenerate's comparison.

    They are virtual tables made with raw SQL in the migrations, unknown to the models.
    """
    from clinicdesk.store.models import FTS_TABLES

    if type_ == "table" and name is not None:
        return not any(name == fts or name.startswith(f"{fts}_") for fts in FTS_TABLES)
    return True


def schema_differences(engine: Engine) -> list[Any]:
    """Differences between the models and the migrated database (empty when they agree).

    Used by the tests (the migrations must build exactly what the models declare) and by
    developers after editing ``models.py``.
    """
    from alembic.autogenerate import compare_metadata

    from clinicdesk.store.models import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object, "compare_type": True},
        )
        differences = list(compare_metadata(context, Base.metadata))
        connection.rollback()
    return differences
