"""The files of ``resources/`` ship with a regular install, and a missing one is named."""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

import pytest

from clinicdesk.model import resources as resource_files
from clinicdesk.model.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]


def test_every_resource_file_is_installed_by_a_wheel() -> None:
    # A wheel carries only the package and the data-files of pyproject.toml: a file of
    # resources/ left out of them (the crisis-language list!) would be missing once installed.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files: dict[str, list[str]] = config["tool"]["setuptools"]["data-files"]
    installed: dict[Path, Path] = {}
    for target, patterns in data_files.items():
        assert target.startswith(str(resource_files.INSTALLED)), target
        for pattern in patterns:
            for found in glob.glob(pattern, root_dir=ROOT):
                source = ROOT / found
                # setuptools refuses to build a wheel when a pattern names a folder.
                assert source.is_file(), f"{pattern} matches the folder {found}"
                installed[source] = Path(target) / source.name
    shipped = {path for path in (ROOT / "resources").rglob("*") if path.is_file()}
    assert shipped <= set(installed), sorted(map(str, shipped - set(installed)))
    for source, target in installed.items():
        relative = source.relative_to(ROOT / "resources")
        assert target == resource_files.INSTALLED / relative, (source, target)


def test_an_installed_copy_is_found_under_the_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = tmp_path / resource_files.INSTALLED
    (installed / "demo").mkdir(parents=True)
    (installed / "crisis-language.txt").write_text("suicid*\n", encoding="utf-8")
    monkeypatch.setattr(resource_files, "__file__", str(tmp_path / "site" / "clinicdesk" / "x.py"))
    monkeypatch.setattr(resource_files.sys, "prefix", str(tmp_path))
    assert resource_path("crisis-language.txt") == installed / "crisis-language.txt"
    assert resource_path("demo") == installed / "demo"


def test_a_missing_resource_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource_files, "__file__", str(tmp_path / "site" / "clinicdesk" / "x.py"))
    monkeypatch.setattr(resource_files.sys, "prefix", str(tmp_path))
    monkeypatch.setattr(resource_files.sys, "base_prefix", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"crisis-language\.txt is missing"):
        resource_path("crisis-language.txt")
