"""``python -m benchmarks`` runs end to end at a small N and reports every figure.

Only the shape and sanity of the report are checked: the targets are goals the benchmark reports,
not something a test run on a busy machine could assert.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

KEYS = {"name", "value", "unit", "baseline", "ratio", "target", "met"}
UNITS = {"s", "ms", "requests", "MB"}
#: Figures every run reports (each list also has one figure per column's sort).
EXPECTED = (
    "sync.full.time",
    "sync.full.requests",
    "sync.noop.requests",
    "sync.noop.time",
    "sync.changed100.requests",
    "sync.changed100.time",
    "push.time",
    "push.requests",
    "inbox.first_screen",
    "inbox.search.p50",
    "inbox.search.p95",
    "inbox.sort.received",
    "inbox.sort.name",
    "posts.first_screen",
    "posts.search.p50",
    "posts.search.p95",
    "posts.sort.title",
    "posts.sort.modified",
    "ui.max_stall",
    "signin.first_inquiries",
    "startup.window_shown",
    "startup.peak_rss",
    "crisis.match_3000.p50",
    "crisis.match_3000.p95",
    "crisis.match_3000.cpu_p95",
    "crisis.check_arrivals",
)
#: Figures whose ratio to their baseline carries a target.
WITH_BASELINE = (
    "sync.full.time",
    "sync.noop.time",
    "push.time",
    "ui.max_stall",
    "crisis.check_arrivals",
)


def _check_figure(entry: dict[str, Any]) -> None:
    name = entry["name"]
    assert set(entry) == KEYS, name
    assert entry["unit"] in UNITS, name
    value = entry["value"]
    assert isinstance(value, int | float) and math.isfinite(value) and value > 0, name
    baseline, ratio = entry["baseline"], entry["ratio"]
    if baseline is None:
        assert ratio is None, name
    else:
        assert baseline > 0, name
        assert ratio == pytest.approx(value / baseline, rel=1e-3), name
    assert entry["target"] is None or isinstance(entry["target"], str), name
    assert entry["met"] in (None, True, False), name
    if entry["target"] is None:
        assert entry["met"] is None, name


@pytest.mark.slow
def test_the_benchmark_runs_end_to_end_at_a_small_n(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--inquiries",
            "200",
            "--posts",
            "50",
            "--startup-runs",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    figures = {entry["name"]: entry for entry in report["figures"]}
    assert len(figures) == len(report["figures"]), "each figure once"

    for name in EXPECTED:
        assert name in figures, name
    for entry in figures.values():
        _check_figure(entry)
    for name in WITH_BASELINE:
        assert figures[name]["baseline"] is not None, name
        assert figures[name]["met"] in (True, False), name
    assert figures["startup.peak_rss"]["unit"] == "MB"
    assert figures["inbox.first_screen"]["unit"] == "ms"
    assert figures["sync.noop.requests"]["unit"] == "requests"
    # The growth pass (N/10, P/10) compares every figure measured at N.
    measured = [name for name in figures if not name.startswith("growth.")]
    for name in measured:
        assert f"growth.{name}" in figures, name
    assert report["params"] == {
        "inquiries": 200,
        "posts": 50,
        "growth_pass": [{"inquiries": 20, "posts": 5}],
        "startup_runs": 1,
    }
    assert report["machine"]["cores"] >= 1

    # The readable table went to stdout, one line per figure.
    for name in figures:
        assert name in run.stdout, name
    assert "targets met" in run.stdout
