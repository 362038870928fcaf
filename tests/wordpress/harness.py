"""A real WordPress on 127.0.0.1 for the contract and integration suites.

Debian's own packages (WordPress 6.1, MariaDB, PHP 8.2), a private MariaDB (its own datadir,
socket only), PHP's built-in server, the ClinicDesk plugin installed as a clinic installs it (the
``clinicdesk.zip`` of ``tools/build_plugin_zip.py``, unpacked into ``wp-content/plugins`` and
activated through WordPress's ``activate_plugin()``), and the demo content the reference site
seeds from ``resources/demo/``::

    python -m tests.wordpress.harness up --json /tmp/wp.json [--port N] [--fresh]
    CLINICDESK_TEST_SITE=/tmp/wp.json python -m pytest tests/contract
    python -m tests.wordpress.harness down [--purge]

``up`` writes the same JSON the reference site prints with ``--json`` (mode 0600: it holds
application passwords). ``down`` stops everything ``up`` started; the data stays for a fast next
``up`` unless ``--purge``. :func:`running` does the same as a context manager (for a pytest
session fixture). Needs root (apt, /etc/wordpress). Only one instance per machine: WordPress's
Debian configuration is chosen by host name, and the host is always 127.0.0.1.

Nothing secret is printed or put on a command line: passwords travel through files only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fixtures.site import TRUSTED_PROXY
from tools.build_plugin_zip import build_plugin_zip

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
PHP_DIR = Path(__file__).resolve().parent / "php"
#: The plugin as WordPress names it: its folder in wp-content/plugins and its main file.
PLUGIN = "clinicdesk/clinicdesk.php"
#: Must-use plugin files older harness runs (or the single-file plugin) left behind.
STALE_MU_PLUGINS = ("clinicdesk-inquiries.php", "clinicdesk-loader.php")
DEMO = REPO / "resources" / "demo"

PACKAGES = (
    "wordpress",
    # A theme: with none (Debian's wordpress only recommends theme packages) every front-end
    # page is an empty answer, and the consultation form's browser tests need pages. WordPress
    # 6.1's default theme, which wp_install() activates.
    "wordpress-theme-twentytwentythree",
    "mariadb-server",
    "mariadb-client",
    "php-cli",
    "php-mysql",
    "php-xml",
    "php-mbstring",
    "php-curl",
    "php-gd",
)
WP_ROOT = Path("/usr/share/wordpress")
WP_CONTENT = Path("/var/lib/wordpress/wp-content")
WP_CONFIG = Path("/etc/wordpress/config-127.0.0.1.php")
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
CONFIG_MARKER = "Written by tests/wordpress/harness.py (ClinicDesk)"
DEFAULT_WORKDIR = Path(
    os.environ.get("CLINICDESK_WP_WORKDIR") or Path(tempfile.gettempdir()) / "clinicdesk-wordpress"
)
HOST = "127.0.0.1"
RATE = "5/600"
#: The reference site's defaults when resources/demo/site.json does not say otherwise.
SITE_TITLE = "Hill Country Counseling (demo)"
SITE_DESCRIPTION = "Therapy for Texans, in person and online"

#: The JSON's role keys and the role each stands for (the first demo user with it is used).
ROLE_KEYS = {
    "administrator": "administrator",
    "editor": "editor",
    "author": "author",
    "contributor": "contributor",
    "intake": "clinicdesk_intake",
}


class HarnessError(RuntimeError):
    """Something the harness needs did not work; the message says what (never a secret)."""


@dataclass
class Timings:
    """Seconds spent in each step of ``up``, printed at the end."""

    steps: list[tuple[str, float]] = field(default_factory=list)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Times the body as step ``name``."""
        start = time.monotonic()
        try:
            yield
        finally:
            self.steps.append((name, time.monotonic() - start))

    def summary(self) -> str:
        """One line: each step and the total."""
        parts = [f"{name} {seconds:.1f}s" for name, seconds in self.steps]
        total = sum(seconds for _, seconds in self.steps)
        return ", ".join([*parts, f"total {total:.1f}s"])


def _say(message: str) -> None:
    print(f"wordpress: {message}", file=sys.stderr, flush=True)


def _run(cmd: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    """Runs ``cmd``; on failure raises with its output (commands never carry secrets)."""
    result = subprocess.run(
        cmd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-3000:]
        raise HarnessError(f"{cmd[0]} failed ({result.returncode}): {output}")
    return result.stdout


def _write_private(path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` readable by its owner only, created so from the start."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def _proc(pid: int) -> tuple[str, int, str] | None:
    """A process's state letter, process group and command line; None when there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        fields = stat.rsplit(")", 1)[1].split()
        return fields[0], int(fields[2]), cmdline
    except (OSError, IndexError, ValueError):
        return None


def _ours(pid: int, needle: str) -> bool:
    """Whether ``pid`` runs (not a zombie) with ``needle`` in its command line.

    The harness only ever signals processes it recognises this way, so a pid file left over
    from before a reboot can never make it stop somebody else's process.
    """
    info = _proc(pid)
    return info is not None and info[0] != "Z" and needle in info[2]


def _group(pgid: int) -> list[tuple[int, str]]:
    """The live (non-zombie) members of process group ``pgid`` and their command lines."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = _proc(int(entry.name))
            if info is not None and info[1] == pgid and info[0] != "Z":
                members.append((int(entry.name), info[2]))
    return members


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# --- packages ------------------------------------------------------------------------------------


def missing_packages() -> list[str]:
    """The Debian packages WordPress needs that are not installed."""
    missing = []
    for package in PACKAGES:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def install_packages() -> None:
    """Installs the missing packages, with service starts blocked during apt."""
    missing = missing_packages()
    if not missing:
        return
    _say(f"installing {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    saved: bytes | None = POLICY_RC_D.read_bytes() if POLICY_RC_D.exists() else None
    POLICY_RC_D.write_text("#!/bin/sh\n# Written by the ClinicDesk WordPress harness.\nexit 101\n")
    POLICY_RC_D.chmod(0o755)
    try:
        _run(["apt-get", "update", "-qq"], env=env)
        _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)
    finally:
        if saved is None:
            POLICY_RC_D.unlink(missing_ok=True)
        else:
            POLICY_RC_D.write_bytes(saved)


# --- the harness ---------------------------------------------------------------------------------


class WordPress:
    """One WordPress test site: its folder, database server and web server.

    Args:
        workdir: where its database, logs and state live (kept between ``up`` and ``down``).
    """

    def __init__(self, workdir: Path = DEFAULT_WORKDIR) -> None:
        self.workdir = workdir
        self.state_file = workdir / "state.json"
        self.db_dir = workdir / "mysql"
        self.run_dir = workdir / "run"
        self.socket = self.run_dir / "mysqld.sock"
        self.db_pid_file = self.run_dir / "mysqld.pid"
        self.my_cnf = workdir / "my.cnf"
        self.secrets_file = workdir / "secrets.json"
        self.log_dir = workdir / "log"

    # -- state ------------------------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        if not self.state_file.exists():
            return {}
        data = json.loads(self.state_file.read_text())
        return data if isinstance(data, dict) else {}

    def _save_state(self, **changes: Any) -> None:
        state = {**self._state(), **changes}
        _write_private(self.state_file, json.dumps(state, indent=1))

    def _secrets(self) -> dict[str, str]:
        if not self.secrets_file.exists():
            values = {"db_password": secrets.token_urlsafe(24)}
            for name in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE"):
                values[f"{name}_KEY"] = secrets.token_urlsafe(48)
                values[f"{name}_SALT"] = secrets.token_urlsafe(48)
            _write_private(self.secrets_file, json.dumps(values))
        data = json.loads(self.secrets_file.read_text())
        assert isinstance(data, dict)
        return {str(k): str(v) for k, v in data.items()}

    # -- MariaDB ----------------------------------------------------------------------------------

    def _write_my_cnf(self) -> None:
        self.my_cnf.write_text(
            "\n".join(
                [
                    "[mysqld]",
                    "user = mysql",
                    f"datadir = {self.db_dir}",
                    f"socket = {self.socket}",
                    f"pid-file = {self.db_pid_file}",
                    f"log-error = {self.log_dir / 'mariadb.log'}",
                    "skip-networking",
                    "skip-name-resolve",
                    "skip-log-bin",
                    "performance_schema = OFF",
                    "innodb_buffer_pool_size = 64M",
                    "innodb_log_file_size = 16M",
                    "max_connections = 50",
                    "character-set-server = utf8mb4",
                    "collation-server = utf8mb4_unicode_520_ci",
                    "",
                    "[client]",
                    f"socket = {self.socket}",
                    "user = root",
                    "",
                ]
            )
        )
        self.my_cnf.chmod(0o644)

    def _mysql(self, sql: str) -> str:
        """Runs SQL as the database's root (unix-socket authentication: no password)."""
        return _run(
            ["mariadb", f"--defaults-file={self.my_cnf}", "--batch", "--skip-column-names"],
            stdin=sql,
        )

    def _db_pid(self) -> int | None:
        """The pid of this site's running mariadbd, if it runs."""
        try:
            pid = int(self.db_pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _ours(pid, f"--defaults-file={self.my_cnf}") else None

    def _db_running(self) -> bool:
        return self._db_pid() is not None

    def _start_db(self) -> bool:
        """Starts the private MariaDB; answers whether its datadir had to be created."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.run_dir, "mysql", "mysql")
        shutil.chown(self.log_dir, "mysql", "mysql")
        self._write_my_cnf()
        created = not (self.db_dir / "mysql").is_dir()
        if created:
            shutil.rmtree(self.db_dir, ignore_errors=True)
            self.db_dir.mkdir(parents=True)
            shutil.chown(self.db_dir, "mysql", "mysql")
            _run(
                [
                    "mariadb-install-db",
                    f"--defaults-file={self.my_cnf}",
                    "--auth-root-authentication-method=socket",
                    "--skip-test-db",
                ]
            )
        if not self._db_running():
            log = (self.log_dir / "mariadbd.out").open("ab")
            subprocess.Popen(
                ["mariadbd", f"--defaults-file={self.my_cnf}"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
        deadline = time.monotonic() + 60
        while True:
            result = subprocess.run(
                ["mariadb-admin", f"--defaults-file={self.my_cnf}", "ping"],
                capture_output=True,
                check=False,
            )
            if result.returncode == 0 and self._db_running():
                break
            if time.monotonic() > deadline:
                raise HarnessError(f"MariaDB did not start; see {self.log_dir / 'mariadb.log'}")
            time.sleep(0.2)
        if created:
            password = self._secrets()["db_password"]
            self._mysql(
                "CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;\n"
                f"CREATE USER 'wordpress'@'localhost' IDENTIFIED BY '{password}';\n"
                "GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost';\n"
            )
        return created

    def _stop_db(self) -> None:
        pid = self._db_pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while self._db_pid() == pid:
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.1)

    # -- WordPress --------------------------------------------------------------------------------

    def _write_wp_config(self) -> None:
        if WP_CONFIG.exists() and CONFIG_MARKER not in WP_CONFIG.read_text(errors="replace"):
            raise HarnessError(
                f"{WP_CONFIG} exists and was not written by this harness: not touched"
            )
        values = self._secrets()
        keys = "".join(
            f"define( '{name}', '{value}' );\n"
            for name, value in values.items()
            if name.endswith(("_KEY", "_SALT"))
        )
        text = (
            "<?php\n"
            f"// {CONFIG_MARKER}: a local test site only.\n"
            "define( 'DB_NAME', 'wordpress' );\n"
            "define( 'DB_USER', 'wordpress' );\n"
            f"define( 'DB_PASSWORD', '{values['db_password']}' );\n"
            f"define( 'DB_HOST', 'localhost:{self.socket}' );\n"
            "define( 'DB_CHARSET', 'utf8mb4' );\n"
            "define( 'DB_COLLATE', '' );\n"
            f"{keys}"
            "define( 'WP_ENVIRONMENT_TYPE', 'local' );\n"
            "define( 'WP_DEBUG', false );\n"
            "define( 'WP_DEBUG_DISPLAY', false );\n"
            "define( 'WP_DEBUG_LOG', false );\n"
            "@ini_set( 'display_errors', '0' );\n"
            "define( 'WP_HTTP_BLOCK_EXTERNAL', true );\n"
            "define( 'AUTOMATIC_UPDATER_DISABLED', true );\n"
            "define( 'DISALLOW_FILE_MODS', true );\n"
            "define( 'FS_METHOD', 'direct' );\n"
            "$table_prefix = 'wp_';\n"
        )
        _write_private(WP_CONFIG, text)

    def _install_plugin(self) -> None:
        """Unpacks a freshly built ``clinicdesk.zip`` into wp-content/plugins (as *Upload Plugin*
        does) and removes the must-use copies earlier runs installed."""
        for name in STALE_MU_PLUGINS:
            (WP_CONTENT / "mu-plugins" / name).unlink(missing_ok=True)
        plugins = WP_CONTENT / "plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        target = plugins / PLUGIN.split("/")[0]
        shutil.rmtree(target, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix="zip-", dir=self.workdir) as tmp:
            archive = build_plugin_zip(Path(tmp) / "clinicdesk.zip")
            with zipfile.ZipFile(archive) as unpacked:
                for entry in unpacked.infolist():
                    if entry.is_dir():
                        continue
                    # Paths come from our own zip, but check anyway that none leaves the folder.
                    destination = (plugins / entry.filename).resolve()
                    if not destination.is_relative_to(target.resolve()):
                        raise HarnessError(f"unexpected path in the plugin zip: {entry.filename}")
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(unpacked.read(entry))
                    destination.chmod(0o644)

    def _activate_plugin(self, port: int) -> None:
        """Activates the plugin with WordPress's activate_plugin() (its activation hook runs)."""
        result = self._php_step(
            "activate.php", {"port": port, "url": f"http://{HOST}:{port}", "plugin": PLUGIN}
        )
        if int(result.get("schema", 0)) < 1:
            raise HarnessError("the ClinicDesk plugin did not install its schema on activation")

    def _php_step(self, script: str, data: dict[str, Any]) -> dict[str, Any]:
        """Runs one PHP step with ``data`` as its input; answers its JSON output."""
        with tempfile.TemporaryDirectory(prefix="step-", dir=self.workdir) as tmp:
            source = Path(tmp) / "input.json"
            output = Path(tmp) / "output.json"
            _write_private(source, json.dumps({**data, "output": str(output)}))
            _run(["php", "-d", "display_errors=stderr", str(PHP_DIR / script), str(source)])
            result = json.loads(output.read_text())
        if not isinstance(result, dict):
            raise HarnessError(f"{script} gave no result")
        return result

    def _demo(self, name: str) -> Any:
        return json.loads((DEMO / name).read_text(encoding="utf-8"))

    def _logins(self) -> dict[str, str]:
        users = self._demo("users.json")
        logins = {}
        for key, role in ROLE_KEYS.items():
            login = next((str(u["username"]) for u in users if u["role"] == role), None)
            if login is None:
                raise HarnessError(f"resources/demo/users.json has no {role}")
            logins[key] = login
        return logins

    def _install_wordpress(self, port: int, timings: Timings) -> None:
        users = self._demo("users.json")
        admin = next(u for u in users if u["role"] == "administrator")
        site = self._demo("site.json") if (DEMO / "site.json").exists() else {}
        common = {"port": port, "url": f"http://{HOST}:{port}"}
        with timings.step("install"):
            self._php_step(
                "install.php",
                {
                    **common,
                    "title": site.get("name", SITE_TITLE),
                    "description": site.get("description", SITE_DESCRIPTION),
                    "rate": RATE,
                    "trusted_proxies": TRUSTED_PROXY,
                    "admin": {
                        "username": admin["username"],
                        "email": admin["email"],
                        "name": admin["name"],
                    },
                },
            )
        with timings.step("activate"):
            self._activate_plugin(port)
        with timings.step("seed"):
            counts = self._php_step(
                "seed.php",
                {
                    **common,
                    "users": users,
                    "terms": self._demo("terms.json"),
                    "posts": self._demo("posts.json"),
                    "inquiries": self._demo("inquiries.json"),
                },
            )
        _say(
            "seeded {users} users, {posts} posts, {inquiries} inquiries, {notes} notes".format(
                **counts
            )
        )

    # -- the web server ---------------------------------------------------------------------------

    def _start_php(self, port: int) -> int:
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        env.pop("WORDPRESS_CONFIG", None)
        log = (self.log_dir / "php-server.log").open("ab")
        # start_new_session=True is setsid: the server and its workers form one process group,
        # which down signals as a whole (the master does not stop its workers on SIGTERM).
        process = subprocess.Popen(
            [
                "php",
                "-d",
                "display_errors=0",
                "-d",
                "log_errors=1",
                "-d",
                "opcache.enable_cli=1",
                "-d",
                "memory_limit=256M",
                "-d",
                "upload_max_filesize=16M",
                "-d",
                "post_max_size=20M",
                "-S",
                f"{HOST}:{port}",
                "-t",
                str(WP_ROOT),
                str(PHP_DIR / "router.php"),
            ],
            cwd=WP_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self._save_state(php_pgid=process.pid, port=port)
        url = f"http://{HOST}:{port}/wp-json/"
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise HarnessError(f"php -S exited; see {self.log_dir / 'php-server.log'}")
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    body = json.loads(answer.read())
                if "clinicdesk/v1" not in body.get("namespaces", []):
                    raise HarnessError("WordPress answers but the ClinicDesk plugin is not loaded")
                return process.pid
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
                if time.monotonic() > deadline:
                    raise HarnessError(f"WordPress did not answer at {url}") from None
                time.sleep(0.2)

    def _php_members(self, pgid: int) -> list[int]:
        router = str(PHP_DIR / "router.php")
        return [pid for pid, cmdline in _group(pgid) if "-S" in cmdline and router in cmdline]

    def _stop_php(self) -> None:
        pgid = self._state().get("php_pgid")
        if not isinstance(pgid, int):
            return
        members = self._php_members(pgid)
        if not members:
            return
        # The whole group (master and workers: the master does not stop its workers), but only
        # when every process in it is this site's php -S.
        whole_group = len(members) == len(_group(pgid))
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                if whole_group:
                    os.killpg(pgid, sig)
                else:
                    for pid in members:
                        os.kill(pid, sig)
            deadline = time.monotonic() + 10
            while self._php_members(pgid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if not self._php_members(pgid):
                break
        # php -S was started by an earlier process: nobody reaps it if we are not its parent.
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pgid, os.WNOHANG)

    # -- up and down ------------------------------------------------------------------------------

    def up(self, json_file: Path, port: int = 0, *, fresh: bool = False) -> dict[str, Any]:
        """Brings the site up (installing and seeding it the first time) and writes ``json_file``.

        Args:
            json_file: where to write the site description (mode 0600).
            port: the port to serve on; 0 picks a free one.
            fresh: start from an empty database (and reseed) even if one exists.

        Returns:
            The site description (the same as the JSON file).
        """
        if os.geteuid() != 0:
            raise HarnessError("needs root (apt, /etc/wordpress, the mysql user)")
        timings = Timings()
        # A site that never finished installing is started over rather than repaired.
        self.down(purge=fresh or not self._state().get("installed"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workdir.chmod(0o711)  # mysql must reach its datadir inside
        with timings.step("packages"):
            install_packages()
        port = port or free_port()
        with timings.step("mariadb"):
            created = self._start_db()
        self._write_wp_config()
        self._install_plugin()
        if created:
            self._install_wordpress(port, timings)
            self._save_state(installed=True)
        else:
            with timings.step("activate"):
                self._activate_plugin(port)
        with timings.step("credentials"):
            credentials = self._php_step(
                "credentials.php",
                {"port": port, "url": f"http://{HOST}:{port}", "logins": self._logins()},
            )
        with timings.step("php -S"):
            self._start_php(port)
        site = {
            "url": f"http://{HOST}:{port}",
            "user": credentials["administrator"]["user"],
            "app_password": credentials["administrator"]["app_password"],
            "users": credentials,
            "kind": "wordpress",
        }
        _write_private(json_file, json.dumps(site, indent=1) + "\n")
        _say(f"up at http://{HOST}:{port} ({timings.summary()}); site description in {json_file}")
        return site

    def down(self, *, purge: bool = False) -> None:
        """Stops the web server and the database (and deletes the site's data with ``purge``)."""
        self._stop_php()
        self._stop_db()
        if self.state_file.exists():
            self._save_state(php_pgid=None)
        if purge:
            shutil.rmtree(self.workdir, ignore_errors=True)
            if WP_CONFIG.exists() and CONFIG_MARKER in WP_CONFIG.read_text(errors="replace"):
                WP_CONFIG.unlink()
            for name in STALE_MU_PLUGINS:
                (WP_CONTENT / "mu-plugins" / name).unlink(missing_ok=True)
            shutil.rmtree(WP_CONTENT / "plugins" / PLUGIN.split("/")[0], ignore_errors=True)


@contextlib.contextmanager
def running(
    json_file: Path, port: int = 0, *, fresh: bool = True, workdir: Path = DEFAULT_WORKDIR
) -> Iterator[dict[str, Any]]:
    """A WordPress site for the body of the ``with`` (e.g. a pytest session fixture).

    Yields:
        The site description, also written to ``json_file``.
    """
    site = WordPress(workdir)
    try:
        yield site.up(json_file, port, fresh=fresh)
    finally:
        site.down(purge=fresh)


def main(argv: list[str] | None = None) -> int:
    """The command line: ``up`` and ``down``."""
    parser = argparse.ArgumentParser(prog="python -m tests.wordpress.harness", description=__doc__)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="state folder")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start (install and seed the first time)")
    up.add_argument("--json", type=Path, required=True, help="where to write the site (0600)")
    up.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    up.add_argument("--fresh", action="store_true", help="new database, reseeded")
    down = commands.add_parser("down", help="stop everything up started")
    down.add_argument("--purge", action="store_true", help="also delete the site's data")
    args = parser.parse_args(argv)
    site = WordPress(args.workdir)
    try:
        if args.command == "up":
            started = time.monotonic()
            try:
                site.up(args.json, args.port, fresh=args.fresh)
            except BaseException:
                site.down()  # leave no daemon behind a failed start
                raise
            _say(f"up took {time.monotonic() - started:.1f}s")
        else:
            site.down(purge=args.purge)
            _say("down" + (" (data deleted)" if args.purge else ""))
    except HarnessError as error:
        _say(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
