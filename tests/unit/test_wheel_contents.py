"""What ``pip install`` ships: the app's package only, never the benchmark or the tests."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages  # type: ignore[import-untyped,unused-ignore]

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_takes_the_app_and_leaves_the_benchmark_and_the_tests_out() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    find = config["tool"]["setuptools"]["packages"]["find"]
    include, exclude = find.get("include", ["*"]), find.get("exclude", ())
    packages = set(find_packages(str(ROOT), include=include, exclude=exclude))
    assert {"clinicdesk", "clinicdesk.ui", "clinicdesk.store", "clinicdesk.demosite"} <= packages
    assert (ROOT / "benchmarks" / "__main__.py").is_file()
    shipped_elsewhere = sorted(p for p in packages if not p.startswith("clinicdesk"))
    assert shipped_elsewhere == []
    assert not any(p == "clinicdesk.bench" or p.startswith("clinicdesk.bench.") for p in packages)
