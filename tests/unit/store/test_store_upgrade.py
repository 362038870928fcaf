"""Upgrading a cache made by an earlier ClinicDesk: what it held is all there afterwards.

A cache is made at revision 0001 (messages still in ``inquiries``, the full-text index over that
table alone) with the migrations of that version, filled the way that version stored inquiries,
then opened by this version.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from clinicdesk.store import Cache, open_cache
from clinicdesk.store.inbox import TRIAGE_VIEWS
from clinicdesk.store.migrate import SCRIPT_LOCATION, head_revision, schema_differences
from clinicdesk.store.search import check
from tests.fixtures.store import KEY, SECRET_MESSAGE, T0, opened, site_inquiry

#: (site id, first name, last name, triage status, urgent, unread, status, message)
_OLD_INQUIRIES = [
    (101, "José", "Núñez", "new", False, True, "private", "Ataques de pánico en el metro"),
    (102, "Jane", "Smith", "contacted", False, False, "private", "Sleep trouble since spring"),
    (103, "Bo", "Lee", "new", True, True, "private", SECRET_MESSAGE),
    (104, "Ivy", "Kim", "closed", True, False, "private", "Grief after my father died"),
    (105, "Hal", "Ng", "new", False, True, "trash", "Evening appointments only"),
    (106, "Ana", "Roe", "spam", False, False, "private", ""),
    (107, "Gus", "Park", "referred", False, False, "private", "Grief " * 600),
]


def _stamp(when: datetime) -> str:
    """A datetime as the cache stores it (naive UTC text, see ``UTCDateTime``)."""
    return when.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


@pytest.fixture
def first_version_migrations(tmp_path: Path) -> Path:
    """The migrations as ClinicDesk shipped them with schema 0001 (the later ones removed)."""
    folder = tmp_path / "migrations-0001"
    shutil.copytree(SCRIPT_LOCATION, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for script in (folder / "versions").glob("*.py"):
        if script.name != "__init__.py" and not script.name.startswith("0001_"):
            script.unlink()
    return folder


@pytest.fixture
def old_cache(tmp_path: Path, first_version_migrations: Path) -> Path:
    """A cache at revision 0001 holding :data:`_OLD_INQUIRIES` and a note, as 0001 stored them."""
    path = tmp_path / "cache.db"
    cache = open_cache(path, KEY, migrations_dir=first_version_migrations)
    try:
        assert cache.revision == "0001"
        with cache.write() as session:
            for n, (remote, first, last, triage, urgent, unread, status, message) in enumerate(
                _OLD_INQUIRIES
            ):
                when = _stamp(T0 + timedelta(hours=n))
                session.execute(
                    text(
                        "INSERT INTO inquiries (id, remote_id, status, date_gmt, modified_gmt,"
                        " first_name, last_name, email, phone, preferred_contact, state,"
                        " insurance, reason, message, consent, received_gmt, triage_status,"
                        " assignee, urgent, unread, server_modified_gmt, dirty, conflict,"
                        " deleted_on_site, pending_delete)"
                        " VALUES (:id, :remote, :status, :when, :when, :first, :last, :email,"
                        " '', 'email', 'TX', 'Self-pay', 'Anxiety', :message, 1, :when,"
                        " :triage, 0, :urgent, :unread, :when, 0, 0, 0, 0)"
                    ),
                    {
                        "id": n + 1,
                        "remote": remote,
                        "status": status,
                        "when": when,
                        "first": first,
                        "last": last,
                        "email": f"{first.lower()}.{remote}@example.org",
                        "message": message,
                        "triage": triage,
                        "urgent": urgent,
                        "unread": unread,
                    },
                )
            session.execute(
                text(
                    "INSERT INTO notes (remote_id, inquiry_id, author, author_name, date_gmt,"
                    " kind, content, pending) VALUES (900, 3, 2, 'Sam', :when, 'urgent',"
                    " 'Flagged on arrival', 0)"
                ),
                {"when": _stamp(T0)},
            )
    finally:
        cache.close()
    return path


@pytest.fixture
def upgraded(old_cache: Path) -> Iterator[Cache]:
    with opened(old_cache) as cache:
        yield cache


def _found(cache: Cache, words: str, view: str = "all") -> set[int | None]:
    ids = cache.inquiries.inbox_ids(view, text=words)  # type: ignore[arg-type]
    return {row.remote_id for row in cache.inquiries.inbox_rows(list(ids)) if row is not None}


def test_upgrade_keeps_every_message(upgraded: Cache, old_cache: Path) -> None:
    assert upgraded.revision == head_revision()
    assert upgraded.backup is not None and upgraded.backup.parent == old_cache.parent / "backups"
    for n, (remote, *_, message) in enumerate(_OLD_INQUIRIES):
        assert upgraded.inquiries.local_id(remote) == n + 1
        assert upgraded.inquiries.get(n + 1).message == message
    texts = {t.remote_id: t for t in upgraded.inquiries.arrival_texts([101, 103])}
    assert texts[103].message == SECRET_MESSAGE and texts[103].urgent_noted
    assert texts[101].message == "Ataques de pánico en el metro"
    assert [note.content for note in upgraded.inquiries.notes(3)] == ["Flagged on arrival"]


def test_upgraded_messages_are_found_by_search(upgraded: Cache) -> None:
    assert _found(upgraded, "panico") == {101}  # accents still do not matter
    assert _found(upgraded, "hopeless divorce") == {103}
    assert _found(upgraded, "grief") == {104, 107}
    assert _found(upgraded, "grief", "open") == {107}  # the view still applies
    assert _found(upgraded, "evening", "trash") == {105}
    assert _found(upgraded, "jose nun") == {101}  # names and email as before
    assert _found(upgraded, "jane.102@example") == {102}
    assert [i.remote_id for i in upgraded.inquiries.search("sleep")] == [102]
    with upgraded.read() as session:
        check(session)  # the rebuilt index agrees with the moved messages


def test_upgraded_inquiries_are_found_by_every_shown_field(upgraded: Cache) -> None:
    """Inquiries and notes stored before the index covered them are found by their reason,
    insurance, state and notes once upgraded, and stay found after a change."""
    everyone_open = _found(upgraded, "")  # 0001 stored every one with these three values
    assert len(everyone_open) == 6
    assert _found(upgraded, "anxiety") == everyone_open
    assert _found(upgraded, "self-pay tx") == everyone_open
    assert _found(upgraded, "flagged arrival") == {103}  # the note's words
    assert _found(upgraded, "sam bo") == {103}  # the note's author, with a name
    upgraded.inquiries.upsert_from_site(
        [dataclasses.replace(site_inquiry(102, first_name="Jane"), reason="Couples therapy")]
    )
    assert _found(upgraded, "couples") == {102}
    assert 102 not in _found(upgraded, "anxiety")
    with upgraded.read() as session:
        check(session)


def test_upgraded_cache_has_the_schema_of_a_new_one(upgraded: Cache) -> None:
    assert schema_differences(upgraded.engine) == []
    counts = upgraded.inquiries.triage_counts()
    for view in TRIAGE_VIEWS:
        assert counts[view] == len(upgraded.inquiries.inbox_ids(view)), view
    # Urgent Bo first (pinned), then the rest newest first; Hal is in the trash.
    assert _found(upgraded, "example") == {101, 102, 103, 104, 106, 107}
    ids = upgraded.inquiries.inbox_ids("all")
    assert [row.remote_id for row in upgraded.inquiries.inbox_rows(list(ids)) if row] == [
        103,
        107,
        106,
        104,
        102,
        101,
    ]


def test_upgraded_cache_follows_the_site_afterwards(upgraded: Cache) -> None:
    later = T0 + timedelta(days=1)
    upgraded.inquiries.upsert_from_site(
        [
            site_inquiry(
                102, first_name="Jane", last_name="Smith", message="Nightmares", modified=later
            ),
            site_inquiry(108, first_name="Zoe", message="Panic on the bus"),
        ]
    )
    assert _found(upgraded, "sleep") == set()
    assert _found(upgraded, "nightmares") == {102}
    assert _found(upgraded, "panic bus") == {108}
    upgraded.outbox.mark_deleted_on_site("inquiry", 103)
    assert _found(upgraded, "hopeless") == set()
    with upgraded.read() as session:
        check(session)


# -- the backups it leaves behind ---------------------------------------------------------------


def _backup_inquiry_count(backup: Path) -> int:
    """How many inquiries a backup holds, read as anyone with the key could (raw SQLCipher: an
    ``open_cache`` would upgrade the copy)."""
    import sqlcipher3

    connection = sqlcipher3.connect(str(backup))
    try:
        connection.execute(f'PRAGMA key = "{KEY.sqlcipher_value()}"')
        return int(connection.execute("SELECT count(*) FROM inquiries").fetchone()[0])
    finally:
        connection.close()


def test_the_backup_of_an_upgrade_holds_every_inquiry_until_they_are_removed(
    upgraded: Cache, old_cache: Path
) -> None:
    backup = upgraded.backup
    assert backup is not None
    # The copy made before the upgrade is readable with the cache's key (still in the keyring).
    assert _backup_inquiry_count(backup) == len(_OLD_INQUIRIES)
    # The user lost the right to see inquiries: they go from this computer, backups included.
    assert upgraded.inquiries.remove_all() == len(_OLD_INQUIRIES)
    with upgraded.read() as session:
        assert session.execute(text("SELECT count(*) FROM inquiries")).scalar_one() == 0
    assert not backup.exists()
    assert [p.name for p in (old_cache.parent / "backups").iterdir()] == []


def test_removing_inquiries_again_clears_a_backup_left_by_an_interrupted_removal(
    upgraded: Cache, old_cache: Path
) -> None:
    backup = upgraded.backup
    assert backup is not None
    kept = old_cache.parent / "kept.db"
    shutil.copyfile(backup, kept)
    upgraded.inquiries.remove_all()
    shutil.move(kept, backup)  # as if the app had stopped before the backups went
    assert upgraded.inquiries.remove_all() == 0  # nothing left in the cache itself...
    assert not backup.exists()  # ...but the backup is gone all the same


def test_pruning_removes_the_backups_of_a_migrated_cache(upgraded: Cache, old_cache: Path) -> None:
    assert upgraded.backup is not None and upgraded.backup.exists()
    assert upgraded.prune_backups() == 1
    assert not upgraded.backup.exists()
    assert upgraded.prune_backups() == 0
