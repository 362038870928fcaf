"""``python -m benchmarks [--inquiries N] [--posts P] [--json FILE]``.

Prints progress on stderr and the table of figures on stdout; ``--json`` also writes them as JSON
(one entry per figure: name, value, unit, baseline, ratio, target, met). Targets are goals the
benchmark reports: the exit status is 0 whether they are met or not (1 only when something could
not be measured).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from benchmarks.figures import summary, table

# No window, ever: Qt renders offscreen, and no D-Bus session is started for it.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("DBUS_SESSION_BUS_ADDRESS", "disabled:")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line, every option with its help text."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure ClinicDesk against a reference site seeded with N inquiries and "
        "P posts, each figure against a baseline measured in the same run.",
    )
    parser.add_argument(
        "--inquiries",
        type=_positive,
        default=20_000,
        metavar="N",
        help="inquiries seeded on the reference site (default 20000)",
    )
    parser.add_argument(
        "--posts",
        type=_positive,
        default=2_000,
        metavar="P",
        help="posts seeded on the reference site (default 2000)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument(
        "--no-growth",
        action="store_true",
        help="skip the pass at N/10 and P/10 (and the growth figures)",
    )
    parser.add_argument(
        "--startup-runs",
        type=_positive,
        default=3,
        metavar="K",
        help="app starts measured (and as many bare-window starts; default 3)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    return build_parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from benchmarks.runner import Options, run
    from benchmarks.site import BenchError

    options = Options(
        inquiries=args.inquiries,
        posts=args.posts,
        growth=not args.no_growth,
        startup_runs=args.startup_runs,
        keep=args.keep,
    )
    try:
        report = run(options)
    except BenchError as error:
        print(f"benchmarks: {error}", file=sys.stderr)
        return 1
    about = report.machine
    load = report.load
    print(
        f"ClinicDesk benchmark: N={options.inquiries} inquiries, P={options.posts} posts; "
        f"{about['cpu']}, {about['cores']} cores, {about['memory_gb']} GB, {about['os']}, "
        f"Python {about['python']}, PySide6 {about['pyside6']}"
    )
    print(table(report.figures))
    print()
    print(summary(report.figures))
    for note in report.notes:
        print(f"note: {note}")
    others = load.get("other_cpu_seconds")
    print(
        f"runtime: {report.seconds:.0f} s; other processes used "
        f"{'?' if others is None else f'{others:.0f}'} CPU-seconds meanwhile "
        f"(load average at end: {', '.join(f'{x:.2f}' for x in load['load_average_at_end'])})"
    )
    for process in load.get("other_busiest_processes", [])[:5]:
        print(f"  other: {process['cpu_seconds']:>7.1f} CPU-s  {process['command']}")
    if args.json is not None:
        args.json.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
