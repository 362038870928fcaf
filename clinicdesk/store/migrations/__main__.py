"""Developer commands for the cache's migrations.

``python -m clinicdesk.store.migrations revision "message"`` writes a new revision, compared by
Alembic against a throwaway cache at the current head; ``... heads`` prints the newest revision.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from clinicdesk.store.engine import open_cache
from clinicdesk.store.keys import CacheKey, new_cache_key
from clinicdesk.store.migrate import alembic_config, head_revision


def dev_revision(message: str) -> None:
    """Autogenerate a new migration script against a throwaway cache at the current head.

    Here, not in :mod:`clinicdesk.store.migrate`: it opens a cache, and the engine that opens
    one imports the migrations (a developer command may sit above both).
    """
    with tempfile.TemporaryDirectory() as folder:
        cache = open_cache(Path(folder) / "dev.db", CacheKey.from_bytes(new_cache_key()))
        try:
            with cache.engine.connect() as connection, connection.begin():
                config = alembic_config(connection=connection)
                number = int(head_revision()) + 1
                command.revision(config, message, autogenerate=True, rev_id=f"{number:04d}")
        finally:
            cache.close()


def main(argv: list[str]) -> int:
    """Run a developer command; returns the exit status."""
    if len(argv) == 2 and argv[0] == "revision":
        dev_revision(argv[1])
        return 0
    if argv == ["heads"]:
        print(head_revision())
        return 0
    print('usage: python -m clinicdesk.store.migrations revision "message" | heads')
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
