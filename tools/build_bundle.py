"""Build the self-contained ClinicDesk folder and its archive: ``python tools/build_bundle.py``.

The steps, each timed and printed:

0. the icon for Windows (``.ico``) and macOS (``.icns``), drawn from the SVG
   (:mod:`tools.bundle.icons`);
1. the package's metadata (``clinicdesk-<version>.dist-info``), taken from a wheel built from
   ``pyproject.toml``, so that ``clinicdesk --version`` works in the bundle without the package
   being installed where the build runs;
2. PyInstaller on ``tools/bundle/clinicdesk.spec``: ``dist/clinicdesk/`` (onedir);
3. on Linux, the desktop entry, the icon and the per-user install scripts beside the executable;
4. one archive of the folder: ``dist/clinicdesk-<version>-<system>-<machine>.tar.gz`` (``.zip``
   on Windows; on macOS the ``.app`` is in ``dist/`` and is archived by the workflow after
   signing).

Prints, last, one line of JSON: the folder, the archive, the version, the seconds each step took,
and the folder's size on disk. Exits non-zero when any step fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: tools.bundle.icons is found from the checkout

from tools.bundle.icons import write_icons  # noqa: E402

SPEC = ROOT / "tools" / "bundle" / "clinicdesk.spec"
LINUX = ROOT / "tools" / "bundle" / "linux"
ICON = ROOT / "resources" / "icons" / "clinicdesk.svg"
NAME = "clinicdesk"


def size_on_disk(folder: Path) -> int:
    """Bytes the folder takes on disk (allocated blocks, as ``du`` counts them)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            stat = path.stat()
            total += getattr(stat, "st_blocks", 0) * 512 or stat.st_size
    return total


def build_metadata(work: Path) -> Path:
    """The package's ``.dist-info`` folder, from a wheel built from this checkout."""
    wheels = work / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
    )
    (wheel,) = wheels.glob(f"{NAME}-*.whl")
    target = work / "metadata"
    shutil.rmtree(target, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if m.split("/")[0].endswith(".dist-info")]
        archive.extractall(target, members)  # noqa: S202 (our own wheel, just built)
    (dist_info,) = target.glob(f"{NAME}-*.dist-info")
    # RECORD lists the wheel's files, which the bundle does not have as files.
    (dist_info / "RECORD").unlink(missing_ok=True)
    return dist_info


def version_of(dist_info: Path) -> str:
    """The ``Version:`` of a ``.dist-info`` folder."""
    for line in (dist_info / "METADATA").read_text(encoding="utf-8").splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    raise ValueError(f"{dist_info} has no version")


def run_pyinstaller(dist: Path, work: Path, dist_info: Path, version: str) -> Path:
    """PyInstaller on the spec; returns the bundle folder."""
    env = {
        **os.environ,
        "CLINICDESK_DIST_INFO": str(dist_info),
        "CLINICDESK_VERSION": version,
        "CLINICDESK_ICON_DIR": str(work / "icons"),
    }
    subprocess.run(  # noqa: S603 (our own interpreter)
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work / "pyinstaller"),
            str(SPEC),
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return dist / NAME


def add_linux_files(folder: Path) -> None:
    """The desktop entry, the icon and the install scripts, beside the executable."""
    shutil.copy2(LINUX / "clinicdesk.desktop", folder / "clinicdesk.desktop")
    shutil.copy2(ICON, folder / "clinicdesk.svg")
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy2(LINUX / script, folder / script)
        (folder / script).chmod(0o755)


def make_archive(folder: Path, version: str) -> Path:
    """One archive of the folder (its top level is the folder ``clinicdesk/``)."""
    system = platform.system().lower()
    machine = platform.machine().lower() or "unknown"
    stem = folder.parent / f"{NAME}-{version}-{system}-{machine}"
    if system == "windows":
        return Path(shutil.make_archive(str(stem), "zip", folder.parent, folder.name))
    archive = stem.with_name(stem.name + ".tar.gz")

    def anonymous(member: tarfile.TarInfo) -> tarfile.TarInfo:
        # Whoever unpacks it owns the files; the build machine's user names mean nothing there.
        member.uid = member.gid = 0
        member.uname = member.gname = ""
        return member

    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(folder, arcname=folder.name, filter=anonymous)
    return archive


def main(argv: Sequence[str] | None = None) -> int:
    """Build; print the summary line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=None, help="build folder (default: temp)")
    args = parser.parse_args(argv)
    dist: Path = args.dist.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="clinicdesk-build-") as temp:
        work = (args.work or Path(temp)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        write_icons(work / "icons")
        seconds["icons"] = time.monotonic() - started
        dist_info = build_metadata(work)
        version = version_of(dist_info)
        seconds["metadata"] = time.monotonic() - started - seconds["icons"]
        step = time.monotonic()
        folder = run_pyinstaller(dist, work, dist_info, version)
        seconds["pyinstaller"] = time.monotonic() - step
    if platform.system() == "Linux":
        add_linux_files(folder)
    step = time.monotonic()
    archive = make_archive(folder, version)
    seconds["archive"] = time.monotonic() - step
    seconds["total"] = time.monotonic() - started
    summary = {
        "folder": str(folder),
        "archive": str(archive),
        "version": version,
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "folder_bytes": size_on_disk(folder),
        "archive_bytes": archive.stat().st_size,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
