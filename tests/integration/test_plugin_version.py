"""The plugin's version over real HTTP: the reference site declares it in its REST index, the
app reads it, and the headless commands warn (without refusing) when it is older than needed."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from clinicdesk import about
from clinicdesk.app import main
from clinicdesk.demosite.routing import PLUGIN_VERSION, SiteConfig
from clinicdesk.demosite.server import DemoSite, start
from clinicdesk.site import SiteClient

pytestmark = pytest.mark.demosite_only(
    reason="starts reference sites whose plugin declares an older version, or none"
)

StartSite = Callable[[str], DemoSite]


@pytest.fixture
def start_site(tmp_path: Path) -> Iterator[StartSite]:
    """Start reference sites whose plugin declares the given version ("": none)."""
    started: list[DemoSite] = []

    def starter(plugin_version: str) -> DemoSite:
        folder = tmp_path / f"site-{len(started)}"
        site = start(config=SiteConfig(data_dir=folder, plugin_version=plugin_version))
        started.append(site)
        return site

    yield starter
    for site in started:
        site.stop()


def test_the_reference_site_declares_its_plugin_version(start_site: StartSite) -> None:
    current = start_site(PLUGIN_VERSION)
    with SiteClient(current.url, None, None) as client:
        info = client.discover()
    assert info.plugin_declared == PLUGIN_VERSION
    assert not about.plugin_outdated(info.plugin_declared)
    # A plugin from before the field: taken as 1.0.0.
    undeclared = start_site("")
    with SiteClient(undeclared.url, None, None) as client:
        info = client.discover()
    assert (info.has_plugin, info.plugin_declared, info.plugin_version) == (True, "", "1.0.0")


def run(args: list[str], stdin: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``main.py ARGS`` in this process, with ``stdin`` as its standard input."""
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(args)
    finally:
        sys.stdin = saved
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_headless_commands_warn_about_an_older_plugin_and_still_work(
    start_site: StartSite,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(about, "REQUIRED_PLUGIN_VERSION", "1.1.0")
    site = start_site("1.0.3")
    user, password = site.users["administrator"]
    data = str(tmp_path / "profile")
    # No Secret Service here (DBUS_SESSION_BUS_ADDRESS=disabled:): secrets come from stdin.
    code, out, err = run(
        ["--data-dir", data, "sign-in", "--site", site.url, "--user", user], password + "\n", capsys
    )
    assert code == 0, err
    note = (
        "Note: The ClinicDesk plugin on the website is version 1.0.3; this ClinicDesk needs 1.1.0"
    )
    assert note in out
    code, out, err = run(
        ["--data-dir", data, "sync"], f"{password}\na passphrase for the copy\n", capsys
    )
    assert code == 0, err
    assert "Sync finished." in out
    assert note in out

    monkeypatch.setattr(about, "REQUIRED_PLUGIN_VERSION", "1.0.0")
    code, out, err = run(
        ["--data-dir", data, "sync"], f"{password}\na passphrase for the copy\n", capsys
    )
    assert code == 0, err
    assert "Note: The ClinicDesk plugin" not in out
