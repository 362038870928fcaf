"""Start ClinicDesk: ``python main.py --help``."""

import sys

from clinicdesk.app import main

if __name__ == "__main__":
    sys.exit(main())
