"""The WordPress plugin as a package: the zip WordPress installs, its headers, its translations."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from tools.build_plugin_zip import SOURCE, build_plugin_zip

CONCERNS = {
    "post-type.php",
    "rest-inquiries.php",
    "rest.php",
    "notes.php",
    "consultation.php",
    "roles.php",
    "install.php",
    "privacy.php",
    "rate-limit.php",
    "settings.php",
    "text.php",
}
#: WordPress's translation functions whose first argument is the text and whose last the domain.
I18N_CALL = re.compile(
    r"\b(?:__|_e|esc_html__|esc_html_e|esc_attr__|esc_attr_e)\(\s*'((?:[^'\\]|\\.)*)'\s*(?:,\s*'([^']*)')?\s*\)"
)


def _header(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines()[:40]:
        match = re.match(r"^\s*\*?\s*([A-Z][A-Za-z ]+):\s+(.+)$", line)
        if match:
            fields[match.group(1).strip()] = match.group(2).strip()
    return fields


def test_the_zip_is_one_plugin_folder_without_development_files(tmp_path: Path) -> None:
    archive = build_plugin_zip(tmp_path / "clinicdesk.zip")
    with zipfile.ZipFile(archive) as unpacked:
        names = set(unpacked.namelist())
        assert unpacked.testzip() is None
    assert all(name.startswith("clinicdesk/") for name in names)
    assert {
        "clinicdesk/clinicdesk.php",
        "clinicdesk/uninstall.php",
        "clinicdesk/readme.txt",
        "clinicdesk/languages/clinicdesk.pot",
    } <= names
    assert {f"clinicdesk/includes/{name}" for name in CONCERNS} <= names
    assert not [n for n in names if n.endswith((".distignore", "phpcs.xml.dist"))]
    assert not [n for n in names if "/." in n]


def test_two_builds_are_byte_for_byte_the_same(tmp_path: Path) -> None:
    first = build_plugin_zip(tmp_path / "a.zip").read_bytes()
    second = build_plugin_zip(tmp_path / "b.zip").read_bytes()
    assert first == second


def test_the_header_and_the_readme_say_what_wordpress_org_expects() -> None:
    header = _header((SOURCE / "clinicdesk.php").read_text(encoding="utf-8"))
    assert header["Plugin Name"] == "ClinicDesk"
    assert header["License"] == "GPL-2.0-or-later"
    assert header["Text Domain"] == "clinicdesk"
    assert header["Domain Path"] == "/languages"
    readme = (SOURCE / "readme.txt").read_text(encoding="utf-8")
    fields = dict(re.findall(r"^([A-Z][A-Za-z ]+):\s*(.+)$", readme, re.MULTILINE))
    assert fields["Requires at least"] == header["Requires at least"]
    assert fields["Requires PHP"] == header["Requires PHP"]
    assert fields["Stable tag"] == header["Version"]
    assert fields["License"] == "GPL-2.0-or-later"
    assert "Tested up to" in fields
    assert f"= {header['Version']} =" in readme.split("== Changelog ==", 1)[1]
    assert "Delete all inquiry data when the plugin is deleted" in readme


def test_every_string_is_translatable_in_one_domain_and_in_the_pot() -> None:
    pot = (SOURCE / "languages" / "clinicdesk.pot").read_text(encoding="utf-8")
    msgids = set(re.findall(r'^msgid "(.*)"$', pot, re.MULTILINE))
    found = 0
    for path in SOURCE.rglob("*.php"):
        for text, domain in I18N_CALL.findall(path.read_text(encoding="utf-8")):
            found += 1
            assert domain == "clinicdesk", (path.name, text)
            unescaped = text.replace("\\'", "'").replace('"', '\\"')
            assert unescaped in msgids, (path.name, text)
    assert found > 50
