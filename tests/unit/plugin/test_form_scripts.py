"""The form's browser scripts are valid JavaScript (they have no build step to catch it)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tools.build_plugin_zip import SOURCE

SCRIPTS = [SOURCE / "assets" / "form.js", SOURCE / "blocks" / "consultation-form" / "editor.js"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_the_script_parses(script: object) -> None:
    result = subprocess.run(
        ["node", "--check", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_block_is_server_rendered_with_a_language_setting() -> None:
    block = json.loads((SOURCE / "blocks" / "consultation-form" / "block.json").read_text())
    assert block["name"] == "clinicdesk/consultation-form"
    assert block["attributes"]["lang"]["enum"] == ["", "en", "es"]
    assert block["editorScript"] == "clinicdesk-form-editor"
    assert "save" not in block and block["textdomain"] == "clinicdesk"
