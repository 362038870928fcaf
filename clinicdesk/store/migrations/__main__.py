"""Developer commands for the cache's migrations.

``python -m clinicdesk.store.migrations revision "message"`` writes a new revision, compared by
Alembic against a throwaway cache at the current head; ``... heads`` prints the newest revision.
"""

from __future__ import annotations

import sys

from clinicdesk.store.migrate import dev_revision, head_revision


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
