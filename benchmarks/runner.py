"""One benchmark run: a pass at N/10 (for growth) and a pass at N, then the report.

Each pass seeds its own reference site (a separate process), syncs a cache that sits where the
app keeps an account's cache (so the startup figure opens it as the app would), measures the
sync, the inbox and post list on it, the UI thread during a second full sync (a fresh cache),
and the app's start. Everything is written in a temporary folder, removed at the end.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from benchmarks import machine, startup
from benchmarks.crisisbench import measure_arrival_check, measure_matching
from benchmarks.figures import Figure, format_value, growth, growth_breakdown
from benchmarks.site import start_site
from benchmarks.syncbench import measure_sync
from clinicdesk import __version__
from clinicdesk.session.accounts import DataDir, SettingsStore
from clinicdesk.session.signin import check_credentials
from clinicdesk.store import Cache, CacheKey, new_cache_key, open_account_cache

logger = logging.getLogger(__name__)

#: The growth pass runs at N and P divided by this.
GROWTH_FACTOR = 10
#: The run should take less than this at the defaults (reported, not enforced).
TIME_LIMIT_S = 600.0


@dataclass(frozen=True, slots=True)
class Options:
    """What to run.

    Attributes:
        inquiries: N, inquiries seeded on the site.
        posts: P, posts seeded.
        growth: also run the pass at N/10 and P/10, and compare.
        startup_runs: app starts measured per pass (and as many bare-window starts).
        keep: keep the temporary folder (its path is printed).
    """

    inquiries: int = 20_000
    posts: int = 2_000
    growth: bool = True
    startup_runs: int = 3
    keep: bool = False


@dataclass
class PassResult:
    """The figures of one pass, remarks, and where its time went."""

    inquiries: int
    posts: int
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)


@dataclass
class Report:
    """A whole run: the figures (the pass at N, then growth), notes, machine and load."""

    options: Options
    figures: list[Figure]
    notes: list[str]
    machine: dict[str, Any]
    load: dict[str, Any]
    passes: list[PassResult]
    started_at: str
    seconds: float

    def to_json(self) -> dict[str, Any]:
        """The report as JSON: ``figures`` holds one entry per figure."""
        return {
            "benchmark": "clinicdesk",
            "app_version": __version__,
            "started_at": self.started_at,
            "runtime_seconds": round(self.seconds, 1),
            "params": {
                "inquiries": self.options.inquiries,
                "posts": self.options.posts,
                "growth_pass": [
                    {"inquiries": p.inquiries, "posts": p.posts} for p in self.passes[:-1]
                ],
                "startup_runs": self.options.startup_runs,
            },
            "machine": self.machine,
            "load": self.load,
            "phases_seconds": {
                f"N={p.inquiries}": {k: round(v, 1) for k, v in p.phases.items()}
                for p in self.passes
            },
            "figures": [f.to_json() for f in self.figures],
            "notes": self.notes,
        }


class _Clock:
    """Prints progress to stderr and keeps each phase's duration."""

    def __init__(self, stream: TextIO, started: float) -> None:
        self._stream = stream
        self._started = started

    def say(self, text: str) -> None:
        elapsed = time.perf_counter() - self._started
        print(f"[{elapsed:6.1f} s] {text}", file=self._stream, flush=True)

    def phase(self, result: PassResult, name: str, action: Callable[[], Any]) -> Any:
        self.say(f"N={result.inquiries}: {name}")
        started = time.perf_counter()
        try:
            return action()
        finally:
            result.phases[name] = time.perf_counter() - started


def run_pass(inquiries: int, posts: int, root: Path, options: Options, clock: _Clock) -> PassResult:
    """Seed a site with ``inquiries`` and ``posts`` and measure every figure against it."""
    from benchmarks.uibench import (
        UiResults,
        measure_first_inquiries,
        measure_inbox,
        measure_posts,
        measure_stalls,
    )

    result = PassResult(inquiries, posts)
    root.mkdir(parents=True)
    log = root / "processes.log"
    site = clock.phase(
        result,
        "seed and start the site",
        lambda: start_site(root / "site", inquiries=inquiries, posts=posts, log_file=log),
    )
    try:
        data = DataDir(root / "app").ensure()
        # The account as the app's sign-in keeps it (user id, capabilities, plugin): the window
        # shows the tabs the user may use only when it knows them.
        account, _info, _me = check_credentials(site.url, site.admin.user, site.admin.password)
        SettingsStore(data).update(lambda settings: settings.remember(account))
        key = new_cache_key()
        cache = open_account_cache(data.account_paths(account), CacheKey.from_bytes(key))
        try:
            synced = clock.phase(
                result, "sync figures", lambda: measure_sync(site, cache, inquiries=inquiries)
            )
            result.figures += synced.figures
            result.notes += [f"N={inquiries}: {note}" for note in synced.notes]
            lists: tuple[tuple[str, Callable[[Cache], UiResults]], ...] = (
                ("inbox figures", measure_inbox),
                ("post list", measure_posts),
            )
            for name, measure in lists:
                measured = clock.phase(result, name, partial(measure, cache))
                result.figures += measured.figures
                result.notes += measured.notes
            # After the lists (the flags it writes pin rows to the top of the inbox).
            check, said = clock.phase(
                result,
                "crisis check of the arrivals",
                partial(measure_arrival_check, cache, synced.full_seconds),
            )
            result.figures.append(check)
            result.notes.append(f"N={inquiries}: {said}.")
        finally:
            cache.close()
        stalls, seconds = clock.phase(
            result,
            "UI stalls during a full sync",
            lambda: measure_stalls(site, account, root / "stalls"),
        )
        result.figures += stalls
        result.notes.append(
            f"N={inquiries}: the full sync under the window (shell's SyncController) took "
            f"{seconds:.1f} s (in-process run: {synced.full_seconds:.1f} s)."
        )
        result.figures += clock.phase(
            result,
            "first sign-in to the newest inquiries",
            lambda: measure_first_inquiries(
                site, account, root / "first-inquiries", inquiries=inquiries
            ),
        )
        started, cold = clock.phase(
            result,
            "startup",
            lambda: startup.measure_startup(
                data.root, account, site.admin.password, key, root, runs=options.startup_runs
            ),
        )
        result.figures += started
        result.notes += [
            startup.METHOD,
            f"N={inquiries}: the first app start, compiling its bytecode, took {cold:.2f} s "
            "(not counted).",
        ]
        result.notes.append(
            f"N={inquiries}: the site took {site.seconds_to_start:.1f} s to seed and start."
        )
        matching = clock.phase(result, "crisis-language matching", measure_matching)
        result.figures += matching
        p50 = next(f.value for f in matching if f.name == "crisis.match_3000.p50")
        result.notes.append(
            f"N={inquiries}: the crisis-language check of {inquiries} arrivals of 3,000 "
            f"characters would take about {p50 * inquiries / 1000:.1f} s "
            f"(the full sync: {synced.full_seconds:.1f} s)."
        )
    finally:
        site.stop()
    return result


def run(options: Options, *, progress: TextIO = sys.stderr) -> Report:
    """Run the benchmark and return its report."""
    started = time.perf_counter()
    started_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    clock = _Clock(progress, started)
    watch = machine.CpuWatch()
    watch.start()
    about = machine.describe()
    root = Path(tempfile.mkdtemp(prefix="clinicdesk-bench-"))
    passes: list[PassResult] = []
    try:
        small = (options.inquiries // GROWTH_FACTOR, options.posts // GROWTH_FACTOR)
        if options.growth and min(small) >= 1:
            passes.append(run_pass(*small, root / "small", options, clock))
        passes.append(run_pass(options.inquiries, options.posts, root / "large", options, clock))
    finally:
        if options.keep:
            clock.say(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    large = passes[-1]
    figures = list(large.figures)
    # Remarks said by both passes once and first; those about one pass name it.
    notes = sorted(
        dict.fromkeys(note for p in passes for note in p.notes),
        key=lambda note: note.startswith("N="),
    )
    if len(passes) > 1:
        figures += growth(passes[0].figures, large.figures, GROWTH_FACTOR)
        # The growth figures compare values; the small pass's baselines are worth seeing too.
        first = passes[0]
        notes += [
            f"N={first.inquiries}: {f.name} {format_value(f.value, f.unit)} against a "
            f"baseline of {format_value(f.baseline, f.unit)} (ratio {f.ratio:.3g})."
            for f in first.figures
            if f.baseline is not None
            and f.ratio is not None
            and f.name.startswith(("sync.full", "push."))
        ]
        notes += growth_breakdown(first.figures, large.figures)
        notes.append(
            f"growth.*: value at N={large.inquiries} (P={large.posts}), baseline at "
            f"N={passes[0].inquiries} (P={passes[0].posts})."
        )
    seconds = time.perf_counter() - started
    load = watch.stop()
    return Report(options, figures, notes, about, load, passes, started_at, seconds)
