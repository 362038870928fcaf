"""What the app says it is: version, licence, the plugin version it needs, ``--version``."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from clinicdesk import __version__, about
from clinicdesk.app import main
from clinicdesk.demosite.routing import PLUGIN_VERSION
from tests.fixtures.plugin import shipped_plugin_version

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_the_one_pyproject_builds_the_metadata_from() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in config["project"]["dynamic"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "clinicdesk.__version__"}
    assert about.app_version() == __version__
    # An SPDX expression (setuptools refuses the old table form from 2027-02-18).
    assert about.licence() == about.licence_from(config["project"]["license"], None)
    assert config["project"]["license"] == "LicenseRef-Proprietary"


def test_version_option_prints_version_licence_and_plugin_needed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"ClinicDesk {__version__}",
        "Licence: Proprietary",
        f"Needs the ClinicDesk Inquiries plugin {about.REQUIRED_PLUGIN_VERSION} or newer on the "
        "website.",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1.0.0", (1, 0, 0)),
        ("1.2", (1, 2, 0)),
        ("2", (2, 0, 0)),
        ("1.10.3-beta.1", (1, 10, 3)),
        (" 0.9.1 ", (0, 9, 1)),
        ("", None),
        ("v1.0", None),
        ("<b>1</b>", None),
    ],
)
def test_version_key(text: str, key: tuple[int, int, int] | None) -> None:
    assert about.version_key(text) == key


def test_only_a_readable_older_plugin_gets_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(about, "REQUIRED_PLUGIN_VERSION", "1.2.0")
    warning = about.plugin_warning("1.1.9")
    assert warning is not None
    assert "version 1.1.9" in warning and "needs 1.2.0 or newer" in warning
    assert "ask whoever looks after the website" in warning
    assert about.plugin_warning("0.9") is not None
    for fine in ("1.2.0", "1.2", "1.10.0", "2.0.0-rc.1"):
        assert about.plugin_warning(fine) is None, fine
    for unknown in ("", "unknown", "<script>"):
        assert about.plugin_warning(unknown) is None, unknown


def test_the_shipped_plugin_is_enough_and_the_reference_site_mirrors_its_version() -> None:
    shipped = shipped_plugin_version()
    assert PLUGIN_VERSION == shipped, "the reference site must follow the plugin's version"
    assert not about.plugin_outdated(shipped), "the app must not need a plugin nobody ships"


@pytest.mark.parametrize(
    ("expression", "text", "shown"),
    [
        ("LicenseRef-Proprietary", None, "Proprietary"),  # setuptools >= 77 (pyproject's form)
        (None, "Proprietary", "Proprietary"),  # an install made before it
        ("MIT", None, "MIT"),
        (None, None, "Proprietary"),
        ("  ", "", "Proprietary"),
    ],
)
def test_the_licence_is_read_from_either_metadata_field(
    expression: str | None, text: str | None, shown: str
) -> None:
    assert about.licence_from(expression, text) == shown
