"""``python -m benchmarks.bundle [--bundle DIR] [--runs K]``: the built app's size and start.

Reports the bundle folder's size on disk (and its archive's, when it sits beside it), and the
time from process start to the main window's first expose with the demo data, for the bundle's
executable (``DIR/clinicdesk --demo --screenshot FILE``) and for the source checkout
(``python main.py --demo --screenshot FILE``) on the same machine in the same run. The app
prints ``window-shown <CLOCK_MONOTONIC>`` (see :mod:`clinicdesk.ui.snapshot`); the parent takes
its own clock just before starting the process. Each kind is started once first, not counted
(the source's bytecode is compiled then and cached in a private folder, as an installed app's
is; the bundle's files come into the page cache), then ``K`` times, alternating; the medians
are compared. Target: the bundle no slower than 1.5x the source.

Prints a table and, last, one line of JSON. Exit status 1 only when a start failed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from tools.build_bundle import size_on_disk

ROOT = Path(__file__).resolve().parents[1]
#: The bundle may start at most this many times slower than the source checkout.
TARGET_RATIO = 1.5
#: Seconds one start (up to the end of the demo's first sync) may take.
TIMEOUT = 180.0


def start_to_window(command: list[str], work: Path, env: dict[str, str]) -> float:
    """Seconds from starting ``command`` to its ``window-shown`` report.

    Raises:
        RuntimeError: it failed, or never reported its window.
    """
    shot = work / "shot.png"
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 (our own app)
        [*command, "--demo", "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=TIMEOUT,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("window-shown "):
            if done.returncode != 0:
                break
            return float(line.split()[1]) - started
    raise RuntimeError(f"{command[0]} exited {done.returncode}: {done.stderr[-2000:]}")


def environment(home: Path, pycache: Path) -> dict[str, str]:
    """Offscreen, no D-Bus session, a private home; compiled bytecode kept between starts."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        DBUS_SESSION_BUS_ADDRESS="disabled:",
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        PYTHONPYCACHEPREFIX=str(pycache),
    )
    return env


def measure(bundle: Path, runs: int) -> dict[str, object]:
    """The figures, as a dictionary (see the module's docstring)."""
    executable = bundle / "clinicdesk"
    source = [sys.executable, str(ROOT / "main.py")]
    with tempfile.TemporaryDirectory(prefix="clinicdesk-bundle-bench-") as temp:
        work = Path(temp)
        env = environment(work / "home", work / "pycache")
        kinds = {"source": source, "bundle": [str(executable)]}
        first = {name: start_to_window(cmd, work, env) for name, cmd in kinds.items()}
        times: dict[str, list[float]] = {name: [] for name in kinds}
        for _ in range(runs):
            for name, cmd in kinds.items():
                times[name].append(start_to_window(cmd, work, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    archives = sorted(bundle.parent.glob("clinicdesk-*.tar.gz")) + sorted(
        bundle.parent.glob("clinicdesk-*.zip")
    )
    ratio = medians["bundle"] / medians["source"]
    return {
        "bundle": str(bundle),
        "folder_bytes": size_on_disk(bundle),
        "archive_bytes": archives[-1].stat().st_size if archives else None,
        "runs": runs,
        "first_start_s": {k: round(v, 3) for k, v in first.items()},
        "starts_s": {k: [round(v, 3) for v in values] for k, values in times.items()},
        "median_s": {k: round(v, 3) for k, v in medians.items()},
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "met": ratio <= TARGET_RATIO,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bundle", description=__doc__)
    parser.add_argument(
        "--bundle", type=Path, default=ROOT / "dist" / "clinicdesk", help="the built folder"
    )
    parser.add_argument("--runs", type=int, default=5, metavar="K", help="counted starts per kind")
    args = parser.parse_args(argv)
    if not (args.bundle / "clinicdesk").is_file():
        print(f"No built app in {args.bundle}: run python tools/build_bundle.py", file=sys.stderr)
        return 1
    try:
        figures = measure(args.bundle.resolve(), max(1, args.runs))
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"A start failed: {error}", file=sys.stderr)
        return 1
    mib = 1024 * 1024
    median = figures["median_s"]
    assert isinstance(median, dict)
    print(f"bundle folder on disk     {int(str(figures['folder_bytes'])) / mib:8.1f} MiB")
    if figures["archive_bytes"] is not None:
        print(f"archive                   {int(str(figures['archive_bytes'])) / mib:8.1f} MiB")
    print(f"start to window, source   {median['source']:8.3f} s  (median of {args.runs})")
    print(f"start to window, bundle   {median['bundle']:8.3f} s  (median of {args.runs})")
    verdict = "met" if figures["met"] else "MISSED"
    print(
        f"bundle / source           {figures['ratio']:8.3f}    target <= {TARGET_RATIO}: {verdict}"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
