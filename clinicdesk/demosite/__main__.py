"""``python -m clinicdesk.demosite``: run the reference site until SIGTERM or Ctrl+C.

It prints the site's address and the credentials it just issued (a fresh application password for
each role at every start). With ``--json`` it prints exactly one JSON line on stdout, for scripts
and test fixtures; logs always go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from clinicdesk.demosite.auth import chunked
from clinicdesk.demosite.consultation import DEFAULT_MIN_SECONDS, DEFAULT_STATES, STATES
from clinicdesk.demosite.server import DemoSite, is_loopback, start

logger = logging.getLogger(__name__)

_REMOTE_REFUSAL = (
    "refusing to listen on {host}: the reference site speaks plain HTTP, so application "
    "passwords (sent with every request) and the demo inquiries would cross the network "
    "unencrypted, and the ClinicDesk app refuses http:// to anything but loopback anyway. "
    "Pass --allow-remote if you really mean it (e.g. inside an isolated container)."
)


def _rate(value: str) -> tuple[int, int]:
    try:
        count, _, seconds = value.partition("/")
        parsed = int(count), int(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError("expected REQUESTS/SECONDS, e.g. 5/600") from None
    if parsed[0] < 1 or parsed[1] < 1:
        raise argparse.ArgumentTypeError("both numbers must be at least 1")
    return parsed


def _states(value: str) -> tuple[str, ...]:
    codes = tuple(code.strip().upper() for code in value.split(",") if code.strip())
    unknown = [code for code in codes if code not in STATES]
    if unknown or not codes:
        raise argparse.ArgumentTypeError(f"expected USPS codes such as TX,OK; unknown: {unknown}")
    return codes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m clinicdesk.demosite",
        description="Serve the ClinicDesk reference site (WordPress + the companion plugin).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=int, default=8080, help="port; 0 picks a free one")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder for the database and uploads (default: a temporary folder removed at exit)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON line with the URL and credentials, nothing else",
    )
    parser.add_argument(
        "--consultation-rate",
        type=_rate,
        default=(5, 600),
        metavar="N/SECONDS",
        help="consultation requests allowed per client address (default 5/600)",
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS[/BITS]",
        help="a reverse proxy whose X-Forwarded-For the form's rate limit believes (repeatable)",
    )
    parser.add_argument(
        "--states",
        type=_states,
        default=DEFAULT_STATES,
        metavar="TX,OK",
        help="the states the clinic serves (the form's list; default TX)",
    )
    parser.add_argument(
        "--form-min-seconds",
        type=int,
        default=DEFAULT_MIN_SECONDS,
        metavar="SECONDS",
        help="the form is refused when sent sooner than this after it opened (default 3)",
    )
    parser.add_argument(
        "--seed",
        type=Path,
        default=None,
        help="folder of seed JSON files (default: resources/demo)",
    )
    parser.add_argument(
        "--bulk-inquiries",
        type=int,
        default=0,
        metavar="N",
        help="add N generated inquiries to a new database",
    )
    parser.add_argument(
        "--bulk-posts",
        type=int,
        default=0,
        metavar="N",
        help="add N generated posts to a new database",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (credentials travel unencrypted)",
    )
    parser.add_argument("--log-level", default="INFO", help="logging level (stderr)")
    args = parser.parse_args(argv)
    if not is_loopback(args.host) and not args.allow_remote:
        parser.error(_REMOTE_REFUSAL.format(host=args.host))
    return args


def _announce(site: DemoSite, as_json: bool) -> None:
    if as_json:
        line = {
            "url": site.url,
            "user": site.user.user,
            "app_password": site.user.app_password,
            "users": {
                role: {"user": c.user, "app_password": c.app_password}
                for role, c in site.users.items()
            },
        }
        print(json.dumps(line), flush=True)
        return
    print(f"ClinicDesk reference site: {site.url}")
    print(f"REST API:                  {site.rest}")
    print(
        f"Sign in as {site.user.user!r} with application password {chunked(site.user.app_password)}"
    )
    for role, cred in site.users.items():
        print(f"  {role:<14} {cred.user:<16} {chunked(cred.app_password)}")
    print("Stop with Ctrl+C.", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the site until SIGTERM or SIGINT; returns the exit status."""
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("Received signal %d, stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    site = start(
        args.data,
        host=args.host,
        port=args.port,
        consultation_rate=args.consultation_rate,
        trusted_proxies=tuple(args.trusted_proxy),
        served_states=args.states,
        form_min_seconds=args.form_min_seconds,
        seed_dir=args.seed,
        bulk_inquiries=args.bulk_inquiries,
        bulk_posts=args.bulk_posts,
        allow_remote=args.allow_remote,
    )
    try:
        _announce(site, args.json)
        # Waiting in short slices keeps the main thread responsive to signals.
        while not stop.wait(0.5):
            pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
