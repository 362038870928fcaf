"""The built app (``CLINICDESK_BUNDLE``), run as a staff computer would run it: no Python.

Every process here is the bundle's own executable, started outside the checkout with an
environment that has no virtual environment, no ``PYTHONPATH`` and only the system's ``PATH``,
so nothing of the source tree or of the build's Python can stand in for what the bundle lacks.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from clinicdesk import __version__
from clinicdesk.about import REQUIRED_PLUGIN_VERSION
from clinicdesk.session.credentials import CredentialStore
from tests.fixtures.secret_service import SecretService
from tests.fixtures.site import SiteUnderTest

ROOT = Path(__file__).resolve().parents[2]
#: Modules that must not be in the bundle: the tests, the benchmark, the test tools.
FORBIDDEN = (
    "tests",
    "benchmarks",
    "clinicdesk.bench",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "responses",
)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment like a staff computer's: the system PATH, no Python settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "PYTEST", "CLINICDESK"))
        and key not in ("PATH", "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
    }
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        PATH="/usr/local/bin:/usr/bin:/bin",
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QT_QPA_PLATFORM="offscreen",
        DBUS_SESSION_BUS_ADDRESS="disabled:",
    )
    env.update(extra)
    return env


def run_app(
    bundle: Path,
    *args: str,
    cwd: Path,
    env: dict[str, str],
    stdin: str = "",
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """The bundle's executable with ``args``, outside the checkout."""
    return subprocess.run(
        [str(bundle / "clinicdesk"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
    )


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file (from its IHDR chunk)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_version_comes_from_the_bundled_metadata(bundle: Path, tmp_path: Path) -> None:
    (dist_info,) = (bundle / "_internal").glob("clinicdesk-*.dist-info")
    assert dist_info.name == f"clinicdesk-{__version__}.dist-info"
    done = run_app(bundle, "--version", cwd=tmp_path, env=clean_env(tmp_path / "home"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"ClinicDesk {__version__}"
    assert "Licence: Proprietary" in lines
    assert f"plugin {REQUIRED_PLUGIN_VERSION} or newer" in done.stdout


def test_the_bundle_carries_its_resources_and_no_test_or_benchmark_code(bundle: Path) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    inside = bundle / "_internal"
    for needed in (
        "resources/crisis-language.txt",
        "resources/demo/posts.json",
        "resources/wordpress/clinicdesk/clinicdesk.php",
        "resources/wordpress/clinicdesk.zip",
        "resources/icons/clinicdesk.svg",
        "clinicdesk/store/migrations/env.py",
    ):
        assert (inside / needed).is_file(), needed
    modules = list(CArchiveReader(str(bundle / "clinicdesk")).open_embedded_archive("PYZ.pyz").toc)
    assert "clinicdesk.app" in modules and "keyring.backends.SecretService" in modules
    assert "sqlcipher3" in modules or any(m.startswith("sqlcipher3.") for m in modules)
    bad = [m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert bad == []
    on_disk = [
        str(path.relative_to(bundle))
        for path in bundle.rglob("*")
        if path.name in ("tests", "bench", "benchmarks", "conftest.py")
        and ("clinicdesk" in path.parts or path.parent == inside)
    ]
    assert on_disk == []
    for package in ("pytest", "_pytest", "pytestqt", "hypothesis", "tests"):
        assert not (inside / package).exists(), package


def test_the_x11_window_needs_nothing_a_staff_desktop_may_lack(bundle: Path) -> None:
    # Qt's xcb plugin (the window on an X11 desktop) refuses to load without these; desktops
    # often lack libxcb-cursor0 in particular. The build copies them in.
    inside = bundle / "_internal"
    assert (inside / "PySide6/Qt/plugins/platforms/libqxcb.so").is_file()
    for library in ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"):
        assert (inside / library).is_file(), library
    assert (inside / "PySide6/Qt/plugins/imageformats/libqsvg.so").is_file(), "the SVG icon"


def test_demo_comes_up_syncs_and_writes_a_screenshot(bundle: Path, tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    done = run_app(
        bundle, "--demo", "--screenshot", str(shot), cwd=tmp_path, env=clean_env(tmp_path / "home")
    )
    assert done.returncode == 0, done.stderr[-4000:]
    reported = done.stdout.split()
    assert reported[0] == "window-shown" and float(reported[1]) > 0
    assert f"screenshot {shot}" in done.stdout
    width, height = png_size(shot)
    assert width >= 800 and height >= 500


def test_the_demo_opens_a_real_x11_window(bundle: Path, tmp_path: Path) -> None:
    # Offscreen proves the app; this proves the bundle's X11 plugin and the libraries it
    # carries for it load, as on a staff member's desktop (Xvfb is a real X server).
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        pytest.skip("xvfb-run is not installed (apt-get install xvfb xauth)")
    shot = tmp_path / "x11.png"
    env = clean_env(tmp_path / "home", QT_QPA_PLATFORM="xcb")
    done = subprocess.run(
        [xvfb_run, "-a", "-s", "-screen 0 1280x800x24", str(bundle / "clinicdesk"),
         "--demo", "--screenshot", str(shot)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert done.stdout.startswith("window-shown ")
    assert png_size(shot)[0] >= 800


def test_sign_in_and_sync_against_the_reference_site_with_a_real_secret_service(
    bundle: Path, tmp_path: Path, site: SiteUnderTest, secret_service: SecretService
) -> None:
    user, password = site.auth("administrator")
    profile = tmp_path / "profile"
    env = clean_env(tmp_path / "home", DBUS_SESSION_BUS_ADDRESS=secret_service.address)
    signed = run_app(
        bundle, "--data-dir", str(profile), "sign-in", "--site", site.url, "--user", user,
        stdin=password + "\n", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    assert "SecretService Keyring" in signed.stdout
    assert secret_service.items()[CredentialStore.app_password_item(site.url, user)] == password
    settings = json.loads((profile / "settings.json").read_text())
    assert [a["username"] for a in settings["accounts"]] == [user]

    synced = run_app(bundle, "--data-dir", str(profile), "sync", cwd=tmp_path, env=env)
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.startswith("Sync finished."), synced.stdout
    assert "0 changes waiting to sync." in synced.stdout
    # The offline copy is encrypted (SQLCipher is in the bundle): no SQLite header.
    caches = [p for p in (profile / "accounts").rglob("*.db") if p.is_file()]
    assert caches, "sync made no offline copy"
    for cache in caches:
        assert not cache.read_bytes().startswith(b"SQLite format 3"), cache


def test_the_archive_unpacks_and_installs_a_menu_entry_for_this_user_only(
    bundle: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = clean_env(home)
    (archive,) = bundle.parent.glob(f"clinicdesk-{__version__}-linux-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert all(n == "clinicdesk" or n.startswith("clinicdesk/") for n in names)
        tar.extractall(tmp_path / "unpacked", filter="tar")
    unpacked = tmp_path / "unpacked" / "clinicdesk"
    done = subprocess.run(
        [str(unpacked / "install.sh")], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    installed = home / ".local" / "lib" / "clinicdesk"
    entry = home / ".local" / "share" / "applications" / "clinicdesk.desktop"
    icon = home / ".local" / "share" / "icons" / "hicolor" / "scalable" / "apps" / "clinicdesk.svg"
    assert icon.read_bytes() == (bundle / "_internal/resources/icons/clinicdesk.svg").read_bytes()
    fields = dict(line.split("=", 1) for line in entry.read_text().splitlines() if "=" in line)
    assert fields["Exec"] == f'"{installed}/clinicdesk"'
    assert fields["Icon"] == "clinicdesk" and fields["Type"] == "Application"
    validate = shutil.which("desktop-file-validate")
    if validate:
        checked = subprocess.run(
            [validate, str(entry)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    shutil.rmtree(unpacked)  # the installed copy must stand on its own
    version = run_app(installed, "--version", cwd=tmp_path, env=env)
    assert version.stdout.startswith(f"ClinicDesk {__version__}"), version.stderr
    linked = home / ".local" / "bin" / "clinicdesk"
    assert linked.resolve() == (installed / "clinicdesk").resolve()

    removed = subprocess.run(
        ["/bin/sh", str(installed / "uninstall.sh")], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert not entry.exists() and not icon.exists() and not installed.exists()
    assert not linked.exists()


@pytest.mark.parametrize("name", ["clinicdesk.desktop", "clinicdesk.svg", "install.sh"])
def test_the_linux_files_sit_beside_the_executable(bundle: Path, name: str) -> None:
    assert (bundle / name).is_file()


def test_the_bundle_benchmark_reports_size_and_both_starts(bundle: Path) -> None:
    # The figures' shape, not their targets (those are reported in docs/performance.md).
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bundle", "--bundle", str(bundle), "--runs", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["folder_bytes"] > 50 * 1024 * 1024
    assert set(figures["median_s"]) == {"source", "bundle"}
    assert all(value > 0 for value in figures["median_s"].values())
    assert figures["ratio"] == pytest.approx(
        figures["median_s"]["bundle"] / figures["median_s"]["source"], rel=0.01
    )
    assert "bundle / source" in done.stdout
