"""The startup figures: process start to main window shown with N cached, and peak RSS then.

The app runs in a new process, started the way ``python main.py --data-dir DIR`` starts it
(through :mod:`benchmarks.appchild`, which only adds the "shown" report), against a data
folder holding the signed-in account (``settings.json``) and its cache synced beforehand. The
account's application password and cache key come from :mod:`benchmarks.envkeyring`.
The baseline is the same process showing an empty window of the same size (Python + Qt alone).
Peak RSS is the child's own high-water mark when the window is shown (``VmHWM``; see
:mod:`benchmarks.appchild` for why not ``ru_maxrss``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import envkeyring
from benchmarks.appchild import SHOWN
from benchmarks.figures import Figure, at_most, figure, median
from benchmarks.site import BenchError, die_with_parent, read_line
from clinicdesk.session.accounts import Account
from clinicdesk.session.credentials import SERVICE, CredentialStore

#: Starts measured per kind (app, bare window); the median time and the highest RSS are kept.
RUNS = 3
#: How the startup figure is measured (for the output).
METHOD = (
    "startup: python -m benchmarks.appchild --data-dir DIR runs clinicdesk.app.main as "
    "main.py does, with an event filter that reports the main window's first expose; secrets "
    "from an in-memory keyring (benchmarks.envkeyring); the site is up, so the first "
    "sync round starts as in real use; bytecode cached as an installed app's is. Median of "
    "the starts (highest RSS); baseline: an empty QMainWindow of the same size in the same "
    "kind of process."
)
#: Seconds a start may take before the benchmark gives up on it.
TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class Start:
    """One measured start.

    Attributes:
        seconds: process start to main window shown.
        peak_rss_mb: the process's peak resident memory, in MiB.
    """

    seconds: float
    peak_rss_mb: float


def keyring_items(account: Account, password: str, cache_key: bytes) -> list[tuple[str, str, str]]:
    """The keyring items the app looks for at start: the password and the cache key."""
    return [
        (SERVICE, CredentialStore.app_password_item(account.site_url, account.username), password),
        (SERVICE, CredentialStore.cache_key_item(account.id), cache_key.hex()),
    ]


def start_once(args: list[str], env: dict[str, str], log_file: Path, pycache: Path) -> Start:
    """Start the app child with ``args`` and wait for its window.

    Compiled bytecode goes to (and comes from) ``pycache``, as an installed app's does from its
    ``__pycache__`` folders: this machine's ``PYTHONDONTWRITEBYTECODE`` would otherwise make
    every start compile the app again.

    Raises:
        BenchError: it exited or took too long without showing its window.
    """
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPYCACHEPREFIX": str(pycache),
        **env,
    }
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    with log_file.open("a", encoding="utf-8") as log:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "benchmarks.appchild", *args],
            stdout=subprocess.PIPE,
            stderr=log,
            env=environment,
            text=True,
            preexec_fn=die_with_parent,
        )
    line = ""
    try:
        line = read_line(process, TIMEOUT)
    finally:
        if not line_is_shown(line) and process.poll() is None:
            process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()
    if not line_is_shown(line):
        raise BenchError(f"The app did not show its window; see {log_file}.")
    _label, shown_at, peak_kib = line.split()
    return Start(float(shown_at) - started, int(peak_kib) / 1024)


def line_is_shown(line: str) -> bool:
    """Whether ``line`` is the child's "shown" report."""
    return line.startswith(SHOWN + " ")


def measure_startup(
    data_dir: Path,
    account: Account,
    password: str,
    cache_key: bytes,
    work_dir: Path,
    *,
    runs: int = RUNS,
) -> tuple[list[Figure], float]:
    """Start the app ``runs`` times on ``data_dir`` (and the bare window as often).

    The account must be the last one signed in (``settings.json``) and its cache closed. A
    first start of each kind compiles the bytecode and is not counted (it is reported).

    Returns:
        The figures, and the seconds the first (compiling) start took.
    """
    env = envkeyring.environment(keyring_items(account, password, cache_key))
    log_file = work_dir / "startup.log"
    pycache = work_dir / "pycache"
    app_args = ["--data-dir", str(data_dir)]
    cold = start_once(app_args, env, log_file, pycache)
    start_once(["--bare"], {}, log_file, pycache)
    app = [start_once(app_args, env, log_file, pycache) for _ in range(runs)]
    bare = [start_once(["--bare"], {}, log_file, pycache) for _ in range(runs)]
    figures = [
        figure(
            "startup.window_shown",
            median([s.seconds for s in app]),
            "s",
            baseline=median([s.seconds for s in bare]),
            target=at_most(1.5, "s"),
        ),
        figure(
            "startup.peak_rss",
            max(s.peak_rss_mb for s in app),
            "MB",
            baseline=max(s.peak_rss_mb for s in bare),
            target=at_most(300, "MB"),
        ),
    ]
    return figures, cold.seconds
