"""The copies made before a schema migration go once the migrated cache has synced.

A cache is really migrated (made at schema 0001 with that version's migrations, then opened by
this version, which writes a backup first), then synced with the reference site.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinicdesk.store import Cache, open_cache
from clinicdesk.store.migrate import SCRIPT_LOCATION
from clinicdesk.sync import run_round
from tests.fixtures.faults import FaultProxy
from tests.fixtures.site import SiteUnderTest
from tests.fixtures.sync import KEY, make_client


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[Cache]:
    """A cache made at schema 0001 and opened (so upgraded, with a backup) by this version."""
    old_migrations = tmp_path / "migrations-0001"
    shutil.copytree(SCRIPT_LOCATION, old_migrations, ignore=shutil.ignore_patterns("__pycache__"))
    for script in (old_migrations / "versions").glob("*.py"):
        if script.name != "__init__.py" and not script.name.startswith("0001_"):
            script.unlink()
    path = tmp_path / "account" / "cache.db"
    open_cache(path, KEY, migrations_dir=old_migrations).close()
    cache = open_cache(path, KEY)
    try:
        assert cache.backup is not None and cache.backup.exists()
        yield cache
    finally:
        cache.close()


def test_backups_go_after_the_first_round_that_ends_well(
    migrated: Cache, site: SiteUnderTest
) -> None:
    backup = migrated.backup
    assert backup is not None
    with FaultProxy(site.url) as proxy:
        proxy.pause()  # offline: the round fails, the backup is all there is
        with make_client(proxy.url, site.auth("administrator")) as client:
            assert run_round(client, migrated).outcome == "offline"
        assert backup.exists()
    with make_client(site.url, site.auth("administrator")) as client:
        report = run_round(client, migrated)
    assert report.outcome == "ok" and report.pending == 0
    assert not backup.exists()
    assert list(migrated.backup_dir.iterdir()) == []
