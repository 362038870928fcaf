"""What this ClinicDesk is: its version, its licence, and the plugin version it needs.

The version and the licence come from the package's metadata (``pyproject.toml``, installed with
the package or bundled with it by ``tools/build_bundle.py``); a source checkout that was never
installed falls back on :data:`clinicdesk.__version__`, from which the metadata's version is made.
No Qt, no I/O beyond reading the metadata: the headless commands and the window both use it.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from clinicdesk import __version__

#: The distribution name of the package (``pip install clinicdesk``).
DISTRIBUTION = "clinicdesk"
#: The licence when no metadata says otherwise (the same text as in ``pyproject.toml``).
DEFAULT_LICENCE = "Proprietary"
#: The oldest ClinicDesk Inquiries plugin this app works fully with.
REQUIRED_PLUGIN_VERSION = "1.0.0"

_VERSION = re.compile(r"(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?")


@cache
def app_version() -> str:
    """This app's version: the installed (or bundled) metadata's, else the source's."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return __version__


@cache
def licence() -> str:
    """The licence the package metadata states, else :data:`DEFAULT_LICENCE`."""
    try:
        fields = metadata.metadata(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return DEFAULT_LICENCE
    expression, text = (
        fields.get_all(name) or [None] for name in ("License-Expression", "License")
    )
    return licence_from(expression[0], text[0])


def licence_from(expression: str | None, text: str | None) -> str:
    """The licence in words from a package's metadata: its SPDX ``License-Expression`` (a
    ``LicenseRef-`` name without that prefix: "LicenseRef-Proprietary" is "Proprietary"),
    else its older free-text ``License``, else :data:`DEFAULT_LICENCE`."""
    for stated in (expression, text):
        if isinstance(stated, str) and stated.strip():
            return stated.strip().removeprefix("LicenseRef-")
    return DEFAULT_LICENCE


def version_key(text: str) -> tuple[int, int, int] | None:
    """``"1.2"`` -> ``(1, 2, 0)``; None when ``text`` does not start with a version number.

    A suffix (``1.2.0-beta``) is ignored: only the numbers are compared.
    """
    found = _VERSION.match(text.strip())
    if found is None:
        return None
    major, minor, patch = (int(part) if part else 0 for part in found.groups())
    return major, minor, patch


def plugin_outdated(version: str) -> bool:
    """Whether a plugin of ``version`` is older than this app needs.

    An empty or unreadable version is not called outdated: the app cannot tell, and a warning
    it cannot back up would only alarm.
    """
    found = version_key(version)
    required = version_key(REQUIRED_PLUGIN_VERSION)
    return found is not None and required is not None and found < required


def plugin_warning(version: str) -> str | None:
    """The message for staff when the site's plugin is older than needed, else None."""
    if not plugin_outdated(version):
        return None
    return (
        f"The ClinicDesk plugin on the website is version {version}; this ClinicDesk needs "
        f"{REQUIRED_PLUGIN_VERSION} or newer. Inquiries may not work fully until it is updated: "
        "please ask whoever looks after the website to update the plugin."
    )


def command_name(argv0: str | None = None) -> str:
    """The command as the user ran it, for ``--help`` and messages to copy: ``python main.py``,
    ``python -m clinicdesk``, or the name of an installed launcher."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    name = Path(argv0).name
    if name == "__main__.py":
        return "python -m clinicdesk"
    if name.endswith(".py"):
        return f"python {argv0}"
    return name or "clinicdesk"
