"""``python -m clinicdesk``: the same as ``python main.py``."""

import sys

from clinicdesk.app import main

if __name__ == "__main__":
    sys.exit(main())
