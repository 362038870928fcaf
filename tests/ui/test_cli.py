"""``main.py --help``, ``main.py sign-in`` and ``main.py sync`` as separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from clinicdesk.session.credentials import CredentialStore
from tests.fixtures.desktop import all_file_bytes
from tests.fixtures.forwarding_proxy import Proxy
from tests.fixtures.secret_service import SecretService
from tests.fixtures.site import SiteUnderTest

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env=env,
    )


def test_help_documents_every_mode() -> None:
    top = run("--help")
    assert top.returncode == 0
    for expected in ("--demo", "--data-dir", "sign-in", "sync", "exit codes", "keyring"):
        assert expected in top.stdout, expected
    sign_in = run("sign-in", "--help")
    assert sign_in.returncode == 0
    for expected in ("--site", "--user", "standard input", "Users > Profile > Application"):
        assert expected in " ".join(sign_in.stdout.split()), expected
    assert run("sync", "--help").returncode == 0
    assert run("sign-in").returncode == 2, "--site and --user are required"


def test_headless_commands_never_load_qt(tmp_path: Path, closed_port: int) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from clinicdesk.app import main
        codes = [
            main(["--data-dir", {str(tmp_path)!r}, "sync"]),
            main(["--data-dir", {str(tmp_path)!r}, "sign-in", "--site",
                  "http://127.0.0.1:{closed_port}", "--user", "demo"]),
        ]
        qt = sorted(m for m in sys.modules if m.startswith("PySide6"))
        print(codes, qt)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input="abcd efgh ijkl mnop qrst uvwx\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.stdout.strip().splitlines()[-1] == "[3, 1] []", done.stderr


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("wrong-password", "Wrong username or application password"),
        ("http://clinic.example", "plain http:// to another computer"),
        ("html", "not a WordPress site"),
        ("no such scheme://x", "not a web address ClinicDesk can use"),
    ],
)
def test_sign_in_command_explains_failures(
    tmp_path: Path, site: SiteUnderTest, html_site: str, address: str, expected: str
) -> None:
    user, _password = site.auth("administrator")
    target = {"wrong-password": site.url, "html": html_site}.get(address, address)
    done = run(
        "--data-dir", str(tmp_path), "sign-in", "--site", target, "--user", user,
        stdin="abcd efgh ijkl mnop qrst uvwx\n",
    )  # fmt: skip
    assert done.returncode == 1
    assert expected in done.stderr
    assert not (tmp_path / "settings.json").exists(), "nothing is remembered"


def test_sign_in_and_sync_with_a_real_keyring(
    tmp_path: Path, site: SiteUnderTest, secret_service: SecretService
) -> None:
    user, password = site.auth("administrator")
    data = tmp_path / "profile"
    env = dict(os.environ)  # the Secret Service's bus address is in it (the fixture set it)
    signed = run(
        "--data-dir", str(data), "sign-in", "--site", site.url, "--user", user,
        stdin=password + "\n", env=env,
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    assert "SecretService Keyring" in signed.stdout
    assert secret_service.items()[CredentialStore.app_password_item(site.url, user)] == password
    settings = json.loads((data / "settings.json").read_text())
    assert [a["username"] for a in settings["accounts"]] == [user]

    synced = run("--data-dir", str(data), "sync", env=env)
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.startswith("Sync finished.")
    assert "0 changes waiting to sync." in synced.stdout
    for path, content in all_file_bytes(data):
        assert password.encode() not in content, path
        assert password.replace(" ", "").encode() not in content, path


def test_without_a_keyring_sync_reads_the_secrets_and_reports_failures(
    tmp_path: Path, site: SiteUnderTest, make_proxy: Callable[..., Proxy]
) -> None:
    proxy = make_proxy(site.url)
    user, password = site.auth("editor")
    data = str(tmp_path / "profile")
    passphrase = "a long passphrase for the copy"

    nobody = run("--data-dir", data, "sync")
    assert nobody.returncode == 3
    assert "No account is signed in" in nobody.stderr

    signed = run(
        "--data-dir", data, "sign-in", "--site", proxy.url, "--user", user, stdin=password + "\n"
    )
    assert signed.returncode == 0, signed.stderr
    assert "was not saved" in signed.stderr

    synced = run("--data-dir", data, "sync", stdin=f"{password}\n{passphrase}\n")
    assert synced.returncode == 0, synced.stderr
    assert "Sync finished." in synced.stdout

    wrong_passphrase = run("--data-dir", data, "sync", stdin=f"{password}\nnot the passphrase\n")
    assert wrong_passphrase.returncode == 4
    assert "could not be opened" in wrong_passphrase.stderr

    refused = run(
        "--data-dir", data, "sync", stdin=f"abcd efgh ijkl mnop qrst uvwx\n{passphrase}\n"
    )
    assert refused.returncode == 1
    assert "Signed out" in refused.stderr
    assert f"sign-in --site {proxy.url} --user {user}" in refused.stderr

    proxy.stop()
    offline = run("--data-dir", data, "sync", stdin=f"{password}\n{passphrase}\n")
    assert offline.returncode == 1
    assert "Site unreachable" in offline.stderr
    assert "kept on this computer" in offline.stderr


def test_help_names_the_command_as_it_was_run() -> None:
    # Someone who typed "python main.py" must be able to copy what the help shows.
    top = run("--help")
    assert top.stdout.startswith("usage: python main.py "), top.stdout[:80]
    module = subprocess.run(
        [sys.executable, "-m", "clinicdesk", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert module.returncode == 0
    assert module.stdout.startswith("usage: python -m clinicdesk "), module.stdout[:80]
    assert "usage: python main.py sign-in" in run("sign-in", "--help").stdout


def test_every_benchmark_option_has_help_text() -> None:
    from benchmarks.__main__ import build_parser

    parser = build_parser()
    for action in parser._actions:
        assert action.help, action.option_strings
