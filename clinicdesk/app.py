"""The composition root: parses the command line, builds the pieces, opens the window.

Until the app shell lands (sign-in, store, sync), ``--demo`` starts the reference site in-process,
signs in to it with the site client and opens a bare main window.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from clinicdesk import __version__

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The command line, documented for ``--help``."""
    parser = argparse.ArgumentParser(
        prog="clinicdesk",
        description="ClinicDesk: write the clinic's blog posts and triage consultation inquiries, "
        "online or offline.",
    )
    parser.add_argument("--version", action="version", version=f"ClinicDesk {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a local demo site with sample posts and inquiries and open the app on it "
        "(nothing is sent anywhere; everything is thrown away on exit)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep every file of the app in DIR instead of the usual app-data folder",
    )
    parser.add_argument("--debug", action="store_true", help="log more detail to stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ClinicDesk; returns the process exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.demo:
        print(
            "Signing in to a clinic's site is not available yet in this version.\n"
            "Try the demo: python main.py --demo",
            file=sys.stderr,
        )
        return 2
    return run_demo()


def run_demo() -> int:
    """Start the reference site on a free loopback port, sign in to it and open the window."""
    from clinicdesk.demosite.server import start
    from clinicdesk.site import SiteClient, SiteError
    from clinicdesk.ui.main_window import run_main_window

    demo = start(port=0)
    try:
        user, password = demo.users["administrator"]
        client = SiteClient(demo.url, user, password)
        try:
            info = client.discover()
            me = client.me()
        except SiteError as exc:
            print(f"The demo site did not start properly: {exc.message}", file=sys.stderr)
            return 1
        finally:
            client.close()
        return run_main_window(site_name=info.name, site_url=demo.url, user_name=me.name)
    finally:
        demo.stop()
