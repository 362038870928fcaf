"""The benchmark's figures: ratios, targets, growth, percentiles and the table."""

from __future__ import annotations

import pytest

from benchmarks.figures import (
    at_most,
    figure,
    growth,
    growth_breakdown,
    growth_target,
    percentile,
    ratio_at_most,
    summary,
    table,
)


def test_a_figure_judges_its_target_by_value_or_by_ratio() -> None:
    fast = figure("inbox.first_screen", 42.0, "ms", target=at_most(100, "ms"))
    assert (fast.met, fast.target, fast.ratio) == (True, "<= 100 ms", None)
    slow = figure("sync.full.time", 30.0, "s", baseline=10.0, target=ratio_at_most(1.5))
    assert slow.ratio == 3.0
    assert slow.met is False
    assert slow.target == "ratio <= 1.5"
    informative = figure("push.requests", 1500, "requests", baseline=500)
    assert (informative.ratio, informative.target, informative.met) == (3.0, None, None)


def test_a_ratio_target_without_a_baseline_is_not_judged() -> None:
    entry = figure("push.time", 3.0, "s", baseline=None, target=ratio_at_most(1.3))
    assert entry.met is None


def test_the_json_of_a_figure_has_exactly_the_issues_keys() -> None:
    entry = figure("ui.max_stall", 12.5, "ms", baseline=10.0, target=at_most(50, "ms"))
    assert entry.to_json() == {
        "name": "ui.max_stall",
        "value": 12.5,
        "unit": "ms",
        "baseline": 10.0,
        "ratio": 1.25,
        "target": "<= 50 ms",
        "met": True,
    }


def test_growth_compares_each_figure_with_the_small_pass() -> None:
    small = [
        figure("sync.full.time", 4.0, "s"),
        figure("sync.noop.requests", 4, "requests"),
        figure("inbox.search.p95", 10.0, "ms"),
        figure("push.time", 20.0, "s"),
    ]
    large = [
        figure("sync.full.time", 44.0, "s"),
        figure("sync.noop.requests", 5, "requests"),
        figure("inbox.search.p95", 15.0, "ms"),
        figure("push.time", 21.0, "s"),
        figure("only.large", 1.0, "s"),
    ]
    found = {f.name: f for f in growth(small, large, 10)}
    assert set(found) == {f"growth.{f.name}" for f in small}
    assert found["growth.sync.full.time"].ratio == 11.0
    assert found["growth.sync.full.time"].met is True  # at most linear, with 10% slack
    assert found["growth.sync.noop.requests"].met is False  # must stay constant
    assert found["growth.inbox.search.p95"].met is True  # roughly constant
    assert found["growth.push.time"].met is None  # reported only


def test_growth_targets_follow_the_issue() -> None:
    assert growth_target("sync.noop.requests", 10) == ratio_at_most(1.0, "ratio <= 1 (constant)")
    linear = growth_target("sync.full.time", 10)
    assert linear is not None and linear.limit == pytest.approx(11.0)
    assert growth_target("posts.search.p50", 10) is not None
    assert growth_target("startup.peak_rss", 10) is None
    # Reading one message does not depend on how many the inbox holds.
    assert growth_target("crisis.match_3000.p95", 10) == ratio_at_most(
        2.0, "ratio <= 2 (roughly constant)"
    )
    # ...but the check of a first sync's arrivals reads every one of them.
    checked = growth_target("crisis.check_arrivals", 10)
    assert checked is not None and checked.limit == pytest.approx(11.0)


def test_percentiles_interpolate() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile([7.0], 0.95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_the_table_shows_every_figure_and_the_summary_names_misses() -> None:
    figures = [
        figure("sync.full.time", 30.0, "s", baseline=10.0, target=ratio_at_most(1.5)),
        figure("inbox.first_screen", 42.0, "ms", target=at_most(100, "ms")),
        figure("push.requests", 1500, "requests", baseline=500),
    ]
    text = table(figures)
    assert text.splitlines()[0].split()[:2] == ["figure", "value"]
    assert "MISSED" in text.splitlines()[2]
    assert "1,500" in text
    assert summary(figures) == "1 of 2 targets met; missed: sync.full.time"


def test_the_growth_of_a_time_is_split_between_the_site_and_clinicdesk() -> None:
    # The site's raw time grows 15x, ClinicDesk's time above it 4x: the remark says both.
    # Times compared with something other than a raw replay (the no-change round against the
    # full sync, the crisis check against it too) have no "site alone" to split off.
    small = [
        figure("sync.full.time", 0.8, "s", baseline=0.5),
        figure("inbox.search.p95", 10.0, "ms"),
        figure("sync.noop.time", 0.03, "s", baseline=0.8),
        figure("crisis.check_arrivals", 0.2, "s", baseline=0.8),
    ]
    large = [
        figure("sync.full.time", 9.5, "s", baseline=7.5),
        figure("inbox.search.p95", 20.0, "ms"),
        figure("sync.noop.time", 0.03, "s", baseline=9.5),
        figure("crisis.check_arrivals", 1.9, "s", baseline=9.5),
    ]
    (note,) = growth_breakdown(small, large)
    assert note.startswith("growth.sync.full.time: the site alone")
    assert "(x15)" in note and "(x6.67)" in note
