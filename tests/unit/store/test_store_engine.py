"""Opening the encrypted cache: encryption at rest, keys, file modes, schema versions, threads."""

from __future__ import annotations

import hashlib
import shutil
import stat
import threading
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import text

from clinicdesk.store import (
    CacheKey,
    NewerSchemaError,
    NotACacheError,
    WrongKeyError,
    new_cache_key,
    open_cache,
)
from clinicdesk.store.migrate import SCRIPT_LOCATION, head_revision, schema_differences
from tests.fixtures.store import (
    KEY,
    SECRET_MESSAGE,
    SECRET_TITLE,
    opened,
    site_inquiry,
)

#: The revision a newer ClinicDesk would add after this one's newest.
HEAD = head_revision()
NEWER = f"{int(HEAD) + 1:04d}"

_EXTRA_REVISION = f'''"""Test-only revision: adds a column."""

import sqlalchemy as sa
from alembic import op

revision = "{NEWER}"
down_revision = "{HEAD}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("avatar_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("avatar_url")
'''


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def newer_migrations(tmp_path: Path) -> Path:
    """A copy of the migrations with one more revision, as a newer ClinicDesk would ship."""
    folder = tmp_path / "newer-migrations"
    shutil.copytree(SCRIPT_LOCATION, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / f"{NEWER}_test_only.py").write_text(_EXTRA_REVISION)
    return folder


def _fill(path: Path) -> None:
    with opened(path) as cache:
        cache.inquiries.upsert_from_site([site_inquiry(1, message=SECRET_MESSAGE)])
        cache.posts.create(title=SECRET_TITLE, content="<p>Grief has no timetable.</p>")


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    _fill(path)
    with opened(path) as cache:
        page = cache.posts.page()
        assert [p.title for p in page.items] == [SECRET_TITLE]
        assert cache.inquiries.get(1).message == SECRET_MESSAGE
        assert cache.revision == head_revision()
        assert cache.get_meta("schema_revision") == head_revision()


def test_file_and_wal_hold_no_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    needles = [
        SECRET_MESSAGE.encode(),
        b"zqxjkv",
        b"wvbnmq",
        b"hopeless",
        SECRET_TITLE.encode(),
        b"Grief has no timetable",
        b"CREATE TABLE",
        b"inquiries",
    ]
    with opened(path) as cache:
        cache.inquiries.upsert_from_site([site_inquiry(1, message=SECRET_MESSAGE)])
        cache.posts.create(title=SECRET_TITLE, content="<p>Grief has no timetable.</p>")
        wal = path.with_name(path.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0  # the data really is in the WAL now
        for file in (path, wal):
            data = file.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} readable in {file.name}"
    data = path.read_bytes()  # after the checkpoint on close
    assert not data.startswith(b"SQLite format 3\x00")
    for needle in needles:
        assert needle not in data


def test_wrong_key_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    _fill(path)
    before = _digest(path)
    with pytest.raises(WrongKeyError, match="key or passphrase is wrong"):
        open_cache(path, CacheKey.from_bytes(new_cache_key()))
    with pytest.raises(WrongKeyError):
        open_cache(path, CacheKey.from_passphrase("a guess at the passphrase"))
    assert _digest(path) == before


def test_passphrase_with_quotes_round_trips_and_wrong_one_fails(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    phrase = CacheKey.from_passphrase("it's \"quoted\" x'00' ; DROP -- é")
    with opened(path, phrase) as cache:
        cache.posts.create(title="Kept")
    with opened(path, CacheKey.from_passphrase("it's \"quoted\" x'00' ; DROP -- é")) as cache:
        assert cache.posts.page().total == 1
        assert cache.key_source.value == "passphrase"
    with pytest.raises(WrongKeyError):
        open_cache(path, CacheKey.from_passphrase("it's \"quoted\" x'00' ; DROP -- e"))


def test_raw_key_is_used_as_the_key_not_as_a_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    _fill(path)
    # Opened directly with SQLCipher's raw-key syntax: the same 32 bytes, no key derivation.
    connection = sqlcipher3.connect(str(path))
    try:
        connection.execute(f"PRAGMA key = \"x'{bytes(range(32)).hex()}'\"")
        assert connection.execute("SELECT count(*) FROM posts").fetchone() == (1,)
    finally:
        connection.close()


def test_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "cache.db"
    with opened(path) as cache:
        cache.posts.create(title="x")
        assert _mode(path.parent) == 0o700
        assert _mode(path) == 0o600
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            assert side.exists() and _mode(side) == 0o600
    path.chmod(0o644)
    with opened(path):
        assert _mode(path) == 0o600  # loosened by someone: tightened again on open


def test_wal_and_connection_settings(tmp_path: Path) -> None:
    with opened(tmp_path / "cache.db") as cache, cache.read() as session:
        pragmas = {
            name: session.execute(text(f"PRAGMA {name}")).scalar()
            for name in (
                "journal_mode",
                "foreign_keys",
                "synchronous",
                "busy_timeout",
                "cache_size",
            )
        }
        assert pragmas == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "synchronous": 2,  # FULL
            "busy_timeout": 10_000,
            "cache_size": -32 * 1024,  # KiB: the inquiries of a large clinic stay decrypted
        }


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    with opened(tmp_path / "cache.db") as cache:
        assert schema_differences(cache.engine) == []


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path, newer_migrations: Path) -> None:
    path = tmp_path / "cache.db"
    newer = open_cache(path, KEY, migrations_dir=newer_migrations)
    assert newer.revision == NEWER
    newer.close()
    before = _digest(path)
    with pytest.raises(NewerSchemaError, match="newer version of ClinicDesk") as caught:
        open_cache(path, KEY)
    assert caught.value.revision == NEWER
    assert caught.value.app_version == "0.1.0"
    assert NEWER in caught.value.message and "Update ClinicDesk" in caught.value.message
    assert _digest(path) == before
    assert not (tmp_path / "backups").exists()


def test_migration_writes_an_encrypted_private_backup_first(
    tmp_path: Path, newer_migrations: Path
) -> None:
    path = tmp_path / "cache.db"
    _fill(path)
    upgraded = open_cache(path, KEY, migrations_dir=newer_migrations)
    try:
        backup = upgraded.backup
        assert backup is not None and backup.parent == tmp_path / "backups"
        assert upgraded.revision == NEWER
        with upgraded.read() as session:
            columns = [row[1] for row in session.execute(text("PRAGMA table_info(users)"))]
        assert "avatar_url" in columns
    finally:
        upgraded.close()
    assert _mode(backup) == 0o600 and _mode(backup.parent) == 0o700
    data = backup.read_bytes()
    assert not data.startswith(b"SQLite format 3\x00")
    assert SECRET_MESSAGE.encode() not in data and SECRET_TITLE.encode() not in data
    # The backup is the old version, whole, and opens with the same key.
    with opened(backup) as old:
        assert old.revision == HEAD and old.backup is None
        assert old.inquiries.get(1).message == SECRET_MESSAGE
        assert [p.title for p in old.posts.page().items] == [SECRET_TITLE]
    # Opening again at the same version makes no new backup.
    again = open_cache(path, KEY, migrations_dir=newer_migrations)
    again.close()
    assert again.backup is None
    assert len(list((tmp_path / "backups").iterdir())) == 1


def test_other_database_is_not_taken_for_a_cache(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlcipher3.connect(str(path))
    try:
        connection.execute(f"PRAGMA key = \"x'{bytes(range(32)).hex()}'\"")
        connection.execute("CREATE TABLE something (x)")
        connection.commit()
    finally:
        connection.close()
    with pytest.raises(NotACacheError):
        open_cache(path, KEY)


def test_plain_sqlite_file_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    connection = sqlcipher3.connect(str(path))
    try:
        connection.execute("CREATE TABLE something (x)")
        connection.commit()
    finally:
        connection.close()
    with pytest.raises(WrongKeyError):
        open_cache(path, KEY)


def test_writer_threads_and_readers_share_the_cache(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with opened(tmp_path / "cache.db") as cache:
        post_ids = [cache.posts.create(title=f"Post {i}") for i in range(2)]
        cache.inquiries.upsert_from_site([site_inquiry(i) for i in range(1, 21)])
        stop = threading.Event()

        def edit_posts(post_id: int) -> None:
            try:
                for n in range(40):
                    cache.posts.edit(post_id, content=f"<p>revision {n}</p>")
            except BaseException as error:  # noqa: BLE001 (reported below)
                errors.append(error)

        def sync_like_writer() -> None:
            try:
                for n in range(40):
                    cache.inquiries.upsert_from_site(
                        [
                            site_inquiry(i, triage_status="contacted" if n % 2 else "new")
                            for i in range(1, 21)
                        ]
                    )
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

        def reader() -> None:
            try:
                while not stop.is_set():
                    assert cache.inquiries.page("all").total == 20
                    assert cache.posts.page().total == 2
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

        readers = [threading.Thread(target=reader) for _ in range(2)]
        writers = [threading.Thread(target=edit_posts, args=(i,)) for i in post_ids]
        writers.append(threading.Thread(target=sync_like_writer))
        for thread in readers + writers:
            thread.start()
        for thread in writers:
            thread.join()
        stop.set()
        for thread in readers:
            thread.join()
        assert errors == []
        assert {cache.posts.get(i).fields.content for i in post_ids} == {"<p>revision 39</p>"}
        # 40 edits per post, folded into the one waiting create each.
        assert cache.outbox.count() == 2


def test_write_sessions_take_the_write_lock_up_front(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    with opened(path) as cache:
        other = sqlcipher3.connect(str(path), timeout=0, isolation_level=None)
        try:
            other.execute(f"PRAGMA key = \"x'{bytes(range(32)).hex()}'\"")
            with cache.read() as session:
                session.execute(text("SELECT 1 FROM meta")).all()
                other.execute("BEGIN IMMEDIATE")  # a reader does not hold the write lock
                other.execute("ROLLBACK")
            with cache.write() as session:
                session.execute(text("SELECT 1 FROM meta")).all()  # only read so far...
                with pytest.raises(sqlcipher3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")  # ...yet the write lock is taken
        finally:
            other.close()
