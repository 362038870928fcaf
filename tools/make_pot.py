"""Regenerates ``resources/wordpress/clinicdesk/languages/clinicdesk.pot`` with GNU xgettext.

::

    python -m tools.make_pot

WordPress's own tool is ``wp i18n make-pot`` (wp-cli, not in Debian); xgettext with WordPress's
translation functions as keywords gives the same catalogue. Needs the ``gettext`` package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tools.build_plugin_zip import SOURCE, plugin_files

POT = SOURCE / "languages" / "clinicdesk.pot"
#: WordPress's translation functions (the text is the first argument; _x's context the second).
KEYWORDS = ("__", "_e", "esc_html__", "esc_html_e", "esc_attr__", "esc_attr_e", "_x:1,2c", "_n:1,2")
HEADER_VERSION = "1.2.0"


def make_pot() -> Path:
    """Writes the .pot file and answers its path."""
    sources = [str(path) for path in plugin_files() if path.suffix == ".php"]
    command = [
        "xgettext",
        "--language=PHP",
        "--from-code=UTF-8",
        "--add-comments=translators:",
        "--sort-by-file",
        "--no-wrap",
        "--package-name=ClinicDesk",
        f"--package-version={HEADER_VERSION}",
        "--msgid-bugs-address=https://github.com/clinicdesk/clinicdesk/issues",
        f"--output={POT}",
        *(f"--keyword={keyword}" for keyword in KEYWORDS),
        *sources,
    ]
    POT.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(command, cwd=SOURCE, check=True)  # noqa: S603 -- our own argument list
    text = POT.read_text(encoding="utf-8")
    # xgettext stamps the creation time: drop it so the file only changes when strings change.
    lines = [line for line in text.splitlines() if not line.startswith('"POT-Creation-Date:')]
    text = "\n".join(lines).replace("charset=CHARSET", "charset=UTF-8") + "\n"
    text = (
        text.replace("# SOME DESCRIPTIVE TITLE.", "# ClinicDesk (WordPress plugin)")
        .replace(
            "# Copyright (C) YEAR THE PACKAGE'S COPYRIGHT HOLDER",
            "# Copyright (C) ClinicDesk contributors",
        )
        .replace(
            "the same license as the ClinicDesk package.",
            "the same license as ClinicDesk: GPL-2.0-or-later.",
        )
    )
    POT.write_text(text, encoding="utf-8")
    return POT


if __name__ == "__main__":
    print(make_pot())
    sys.exit(0)
