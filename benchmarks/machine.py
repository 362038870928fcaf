"""The machine the benchmark ran on, and what else kept its CPUs busy meanwhile.

The figures only mean something next to the machine and its load: on a shared two-core machine
another process's test run can double a timing. :class:`CpuWatch` counts the CPU time the whole
system spent during the run (``/proc/stat``) minus the benchmark's own (itself and its children),
and names the other processes that used the most.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PROC = Path("/proc")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def describe() -> dict[str, Any]:
    """CPU, cores, memory, OS and the versions that matter."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read(_PROC / "cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kb = next(
        (
            int(line.split()[1])
            for line in _read(_PROC / "meminfo").splitlines()
            if line.startswith("MemTotal:")
        ),
        0,
    )
    try:
        import PySide6

        pyside = PySide6.__version__
    except ImportError:
        pyside = "missing"
    try:
        import sqlcipher3  # type: ignore[import-untyped]

        sqlite = str(sqlcipher3.sqlite_version)
    except ImportError:
        sqlite = "missing"
    return {
        "cpu": cpu,
        "cores": os.cpu_count() or 0,
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "pyside6": pyside,
        "sqlcipher_sqlite": sqlite,
        "load_average_at_start": _load_average(),
    }


def _load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (empty where the OS has none)."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []


def _busy_seconds() -> float | None:
    """CPU seconds the whole system has been busy since boot (all cores), or None."""
    fields = _read(_PROC / "stat").splitlines()[:1]
    if not fields or not fields[0].startswith("cpu "):
        return None
    values = [int(v) for v in fields[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    busy = sum(values[:8]) - idle
    return busy / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _processes() -> dict[int, tuple[float, str]]:
    """pid -> (CPU seconds so far, command line) for every process that can be read."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[float, str]] = {}
    for entry in _PROC.glob("[0-9]*"):
        stat = _read(entry / "stat")
        if not stat:
            continue
        after = stat.rsplit(")", 1)[-1].split()
        try:
            cpu = (int(after[11]) + int(after[12])) / ticks  # utime, stime
        except (IndexError, ValueError):
            continue
        command = _read(entry / "cmdline").replace("\x00", " ").strip()
        found[int(entry.name)] = (cpu, command[:100] or stat.split("(", 1)[-1].split(")")[0])
    return found


@dataclass
class CpuWatch:
    """Measures what the rest of the machine did while the benchmark ran."""

    _start_wall: float = 0.0
    _start_busy: float | None = None
    _start_own: float = 0.0
    _start_procs: dict[int, tuple[float, str]] = field(default_factory=dict)

    def start(self) -> None:
        """Take the first reading."""
        self._start_wall = time.monotonic()
        self._start_busy = _busy_seconds()
        self._start_own = _own_seconds()
        self._start_procs = _processes()

    def stop(self) -> dict[str, Any]:
        """The second reading: others' CPU time, the busiest other processes, the load."""
        wall = time.monotonic() - self._start_wall
        busy = _busy_seconds()
        own = _own_seconds() - self._start_own
        others = None
        if busy is not None and self._start_busy is not None:
            others = max(0.0, busy - self._start_busy - own)
        me = os.getpid()
        busiest: list[dict[str, Any]] = []
        for pid, (cpu, command) in _processes().items():
            if pid == me:
                continue
            used = cpu - self._start_procs.get(pid, (0.0, ""))[0]
            if used >= 1.0:
                busiest.append({"pid": pid, "cpu_seconds": round(used, 1), "command": command})
        busiest.sort(key=lambda p: -float(p["cpu_seconds"]))
        return {
            "wall_seconds": round(wall, 1),
            "benchmark_cpu_seconds": round(own, 1),
            "other_cpu_seconds": None if others is None else round(others, 1),
            "other_cores_busy_on_average": None if others is None else round(others / wall, 2),
            "other_busiest_processes": busiest[:8],
            "load_average_at_end": _load_average(),
        }
