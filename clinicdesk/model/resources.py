"""Where the files in the project's ``resources/`` folder are, installed or not.

From a checkout (or an editable install) they are in ``resources/`` next to the package; a
regular install (a wheel) puts them under ``<prefix>/share/clinicdesk/`` (the ``data-files`` of
``pyproject.toml``). The crisis-language list is among them: the app must never run without it.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: Where a wheel installs ``resources/`` (see ``[tool.setuptools.data-files]``).
INSTALLED = Path("share") / "clinicdesk"


def _roots() -> tuple[Path, ...]:
    return (
        Path(__file__).resolve().parents[2] / "resources",
        Path(sys.prefix) / INSTALLED,
        Path(sys.base_prefix) / INSTALLED,
    )


def resource_path(*parts: str) -> Path:
    """A file or folder of ``resources/`` (``resource_path("demo")``).

    Raises:
        FileNotFoundError: it is in none of the places the project installs it to.
    """
    roots = _roots()
    for root in roots:
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    searched = ", ".join(str(root) for root in roots)
    raise FileNotFoundError(f"ClinicDesk's {'/'.join(parts)} is missing (looked in {searched})")
