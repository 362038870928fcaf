"""Builds ``clinicdesk.zip``, the WordPress plugin as *Plugins > Add New > Upload Plugin* takes it.

::

    python -m tools.build_plugin_zip                 # writes dist/clinicdesk.zip
    python -m tools.build_plugin_zip --output PATH

The zip holds one folder, ``clinicdesk/``, with every file of ``resources/wordpress/clinicdesk/``
except those matched by its ``.distignore`` (one glob per line). Pure Python (``zipfile``): it
needs nothing installed. The archive is reproducible: entries are sorted and carry a fixed time,
so the same sources always give the same bytes. Packaging can call :func:`build_plugin_zip`.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import zipfile
from pathlib import Path

#: The plugin's folder name: WordPress identifies the plugin as ``clinicdesk/clinicdesk.php``.
SLUG = "clinicdesk"
ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "wordpress" / SLUG
DEFAULT_OUTPUT = ROOT / "dist" / f"{SLUG}.zip"
#: Every entry's time (the zip format cannot say 1970): fixed, so builds are reproducible.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def _ignored_patterns(source: Path) -> list[str]:
    distignore = source / ".distignore"
    if not distignore.exists():
        return []
    lines = (line.strip() for line in distignore.read_text(encoding="utf-8").splitlines())
    return [line.rstrip("/") for line in lines if line and not line.startswith("#")]


def plugin_files(source: Path = SOURCE) -> list[Path]:
    """The files that go into the zip, relative to ``source``, sorted.

    Args:
        source: the plugin folder.
    """
    patterns = _ignored_patterns(source)
    files = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        parts = relative.parts
        ignored = any(
            fnmatch.fnmatch(relative.as_posix(), pattern)
            or any(fnmatch.fnmatch(part, pattern) for part in parts)
            for pattern in patterns
        )
        if path.is_file() and not ignored:
            files.append(relative)
    return files


def build_plugin_zip(output: Path = DEFAULT_OUTPUT, source: Path = SOURCE) -> Path:
    """Writes the plugin zip to ``output`` (its folder is created) and answers its path.

    Args:
        output: the zip to write (replaced if it exists).
        source: the plugin folder.

    Raises:
        FileNotFoundError: ``source`` has no ``clinicdesk.php``.
    """
    if not (source / f"{SLUG}.php").is_file():
        raise FileNotFoundError(f"{source / (SLUG + '.php')} is missing")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in plugin_files(source):
            info = zipfile.ZipInfo(f"{SLUG}/{relative.as_posix()}", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (source / relative).read_bytes())
    partial.replace(output)
    return output


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m tools.build_plugin_zip", description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the zip to write")
    args = parser.parse_args(argv)
    path = build_plugin_zip(args.output)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
