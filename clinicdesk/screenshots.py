"""The docs' screenshots of the shell: ``python -m clinicdesk.screenshots docs/screenshots``.

A composition root like :mod:`clinicdesk.app`: it starts the reference site and hands the starter
to :func:`clinicdesk.ui.screenshots.take` (the UI never imports the reference site).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    """Take the screenshots into the folder named on the command line."""
    parser = argparse.ArgumentParser(prog="python -m clinicdesk.screenshots")
    parser.add_argument("folder", type=Path, help="where to write the PNG files")
    args = parser.parse_args(argv)
    from clinicdesk.demosite.server import start
    from clinicdesk.ui.screenshots import take

    take(args.folder, start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
