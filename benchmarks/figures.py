"""Figures, their targets, the growth comparison, the readable table and the JSON.

A :class:`Figure` is one measured number with the baseline it is compared with (measured in the
same run), their ratio, the target it should meet and whether it does. Targets are goals the
benchmark reports; nothing here fails because one is missed.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Unit = Literal["s", "ms", "requests", "MB"]


@dataclass(frozen=True, slots=True)
class Target:
    """A goal for a figure: its value, or its ratio to the baseline, at most ``limit``.

    Attributes:
        of: ``value`` or ``ratio``.
        limit: the largest acceptable number.
        text: how the target reads in the table and the JSON ("ratio <= 1.5").
    """

    of: Literal["value", "ratio"]
    limit: float
    text: str

    def met(self, value: float, ratio: float | None) -> bool | None:
        """Whether ``value`` (or ``ratio``) meets the target; None when there is no ratio."""
        number = value if self.of == "value" else ratio
        if number is None or math.isnan(number):
            return None
        return number <= self.limit


def at_most(limit: float, unit: str) -> Target:
    """The value must be at most ``limit`` (in ``unit``)."""
    return Target("value", limit, f"<= {limit:g} {unit}")


def ratio_at_most(limit: float, text: str | None = None) -> Target:
    """The ratio to the baseline must be at most ``limit``."""
    return Target("ratio", limit, text or f"ratio <= {limit:g}")


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure, as the JSON holds it.

    Attributes:
        name: dotted name (``sync.full.time``).
        value: the measurement.
        unit: ``s``, ``ms``, ``requests`` or ``MB``.
        baseline: what it is compared with (same unit), or None when it has none.
        ratio: ``value / baseline``, or None.
        target: the goal as text, or None when the figure is for information.
        met: whether the goal is met; None when there is no goal (or nothing to judge it by).
    """

    name: str
    value: float
    unit: Unit
    baseline: float | None
    ratio: float | None
    target: str | None
    met: bool | None

    def to_json(self) -> dict[str, Any]:
        """The figure as a JSON object (the seven keys of the issue, nothing else)."""
        return asdict(self)


def figure(
    name: str,
    value: float,
    unit: Unit,
    *,
    baseline: float | None = None,
    target: Target | None = None,
) -> Figure:
    """Build a figure, computing its ratio and whether it meets its target."""
    ratio = None
    if baseline is not None and baseline > 0:
        ratio = value / baseline
    met = target.met(value, ratio) if target is not None else None
    return Figure(
        name=name,
        value=_round(value),
        unit=unit,
        baseline=None if baseline is None else _round(baseline),
        ratio=None if ratio is None else _round(ratio, 4),
        target=None if target is None else target.text,
        met=met,
    )


def _round(number: float, digits: int = 6) -> float:
    return float(round(number, digits))


def median(values: Sequence[float]) -> float:
    """The median (values must not be empty)."""
    return float(statistics.median(values))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` percentile by linear interpolation (``0.95`` for p95)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# -- growth ----------------------------------------------------------------------------------------

#: How each figure should grow when N grows by the pass's factor. Keys are figure names or
#: prefixes ending with "."; the function takes the factor and gives the target (None: report).
_GROWTH_RULES: tuple[tuple[str, str], ...] = (
    ("sync.full.time", "linear"),
    ("sync.full.requests", "linear"),
    ("sync.noop.requests", "equal"),
    ("sync.noop.time", "constant"),
    ("sync.changed100.requests", "equal"),
    ("sync.changed100.time", "constant"),
    ("inbox.first_screen", "constant"),
    ("signin.first_inquiries", "constant"),
    ("inbox.search.", "constant"),
    ("posts.first_screen", "constant"),
    ("posts.search.", "constant"),
    # Every arrival is read once; one message is read whatever the size of the inbox.
    ("crisis.check_arrivals", "linear"),
    ("crisis.", "constant"),
)
#: "Roughly constant" allows this much growth for a tenfold N (noise, and B-tree depth).
ROUGHLY_CONSTANT = 2.0
#: "At most linear" allows this much above the factor (timing noise on a shared machine).
LINEAR_SLACK = 1.1


def growth_target(name: str, factor: float) -> Target | None:
    """The growth target of a figure when N grows ``factor`` times, or None (reported only)."""
    rule = next(
        (
            kind
            for key, kind in _GROWTH_RULES
            if name == key or (key.endswith(".") and name.startswith(key))
        ),
        None,
    )
    if rule == "equal":
        return ratio_at_most(1.0, "ratio <= 1 (constant)")
    if rule == "constant":
        return ratio_at_most(ROUGHLY_CONSTANT, f"ratio <= {ROUGHLY_CONSTANT:g} (roughly constant)")
    if rule == "linear":
        limit = factor * LINEAR_SLACK
        return ratio_at_most(limit, f"ratio <= {limit:g} (at most linear, x{factor:g} N)")
    return None


def growth(small: Iterable[Figure], large: Iterable[Figure], factor: float) -> list[Figure]:
    """One ``growth.<name>`` figure per figure measured in both passes.

    The value is the figure at the large N, the baseline the same figure at the small N.
    """
    small_by_name = {f.name: f for f in small}
    out: list[Figure] = []
    for big in large:
        little = small_by_name.get(big.name)
        if little is None:
            continue
        out.append(
            figure(
                f"growth.{big.name}",
                big.value,
                big.unit,
                baseline=little.value,
                target=growth_target(big.name, factor),
            )
        )
    return out


#: The times whose baseline is the same requests replayed raw (others compare with something
#: else: the full sync, the no-change round, an empty window), so only these split.
RAW_REPLAY_BASELINES = ("sync.full.time", "push.time")


def growth_breakdown(small: Iterable[Figure], large: Iterable[Figure]) -> list[str]:
    """How the growth of a time with a raw baseline splits between the site and ClinicDesk.

    A figure such as ``sync.full.time`` is ClinicDesk's time against the same requests replayed
    raw. Its growth figure compares the whole time, so a site whose own answers grow faster than
    N (page-number paging: WordPress and the reference site step over every earlier row for
    each page) shows up in it. These remarks say how much of the growth is the site's (the raw
    replay's growth) and how much ClinicDesk's own time above the replay grew.
    """
    small_by_name = {f.name: f for f in small}
    notes: list[str] = []
    for big in large:
        little = small_by_name.get(big.name)
        if big.name not in RAW_REPLAY_BASELINES:
            continue
        if little is None or big.baseline is None or little.baseline is None:
            continue
        own_big, own_little = big.value - big.baseline, little.value - little.baseline
        raw = big.baseline / little.baseline if little.baseline > 0 else float("nan")
        own = own_big / own_little if own_little > 0 else float("nan")
        notes.append(
            f"growth.{big.name}: the site alone (the same requests replayed raw) went from "
            f"{format_value(little.baseline, 's')} to {format_value(big.baseline, 's')} "
            f"(x{raw:.3g}); ClinicDesk's own time above it from "
            f"{format_value(own_little, 's')} to {format_value(own_big, 's')} (x{own:.3g})."
        )
    return notes


# -- output ----------------------------------------------------------------------------------------


def format_value(value: float | None, unit: str = "") -> str:
    """A number as the table shows it, with its unit ("-" for None)."""
    if value is None:
        return "-"
    if unit == "requests":
        return f"{value:,.0f}"
    magnitude = abs(value)
    text = (
        f"{value:,.0f}"
        if magnitude >= 1000
        else f"{value:.1f}"
        if magnitude >= 100
        else f"{value:.2f}"
        if magnitude >= 1
        else f"{value:.3f}"
    )
    return f"{text} {unit}".strip()


def _met(met: bool | None) -> str:
    return "-" if met is None else "yes" if met else "MISSED"


def table(figures: Sequence[Figure]) -> str:
    """The figures as a plain-text table (one line each)."""
    rows = [("figure", "value", "baseline", "ratio", "target", "met")]
    for f in figures:
        rows.append(
            (
                f.name,
                format_value(f.value, f.unit),
                format_value(f.baseline, f.unit),
                "-" if f.ratio is None else f"{f.ratio:.3g}",
                f.target or "-",
                _met(f.met),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(widths[i]) if i in (0, 4) else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary(figures: Sequence[Figure]) -> str:
    """One line: how many targets are met and which are missed."""
    judged = [f for f in figures if f.met is not None]
    missed = [f.name for f in judged if not f.met]
    line = f"{len(judged) - len(missed)} of {len(judged)} targets met"
    return f"{line}; missed: {', '.join(missed)}" if missed else line
