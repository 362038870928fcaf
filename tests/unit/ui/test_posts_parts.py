"""The Posts side of the UI is built from parts that talk through typed interfaces.

The editor's action helpers (``ui/posts/parts/``) once reached into the editor's private names
(``self._e._p.loading``, ``self._e._changed()``...): any rename inside the editor broke them
silently. Ruff's SLF001 (private member access) is on for the package; these tests keep it on
for ``ui/posts`` and check the code there is clean of such reaches.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
POSTS = ROOT / "clinicdesk" / "ui" / "posts"


def test_private_member_access_is_checked_and_not_ignored_for_the_posts_ui() -> None:
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"][
        "lint"
    ]
    assert "SLF001" in lint["select"]
    files = [path.relative_to(ROOT).as_posix() for path in POSTS.rglob("*.py")]
    assert files
    ignored = [
        (file, pattern)
        for pattern, rules in lint.get("per-file-ignores", {}).items()
        if "SLF001" in rules
        for file in files
        if fnmatch(file, pattern)
    ]
    assert ignored == [], "the posts UI must not be excused from SLF001"


def test_no_module_of_the_posts_ui_uses_another_objects_private_names() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "SLF001", str(POSTS)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert found.returncode == 0, found.stdout + found.stderr
