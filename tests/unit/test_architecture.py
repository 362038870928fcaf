"""The rooms' import rules (docs/architecture.md) and the public names scripts rely on.

The rules themselves are import-linter contracts in pyproject.toml; these tests run
``lint-imports`` the way CI does, show that a broken rule is caught, and check in a fresh
interpreter what importing a room really loads.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
    return subprocess.run(
        [*command, "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def _loaded_after(statement: str) -> set[str]:
    """Top-level packages loaded by ``statement`` in a fresh interpreter."""
    code = (
        f"{statement}\nimport sys\n"
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(result.stdout.split())


def test_the_import_contracts_are_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_store_module_importing_the_site_client_breaks_the_contracts(tmp_path: Path) -> None:
    for package in ("clinicdesk", "benchmarks"):  # the contracts' two root packages
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    engine = tmp_path / "clinicdesk" / "store" / "engine.py"
    engine.write_text(engine.read_text() + "\nfrom clinicdesk.site import SiteClient  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "site/ and store/ are independent: they share model/ only BROKEN" in result.stdout
    assert "clinicdesk.store.engine -> clinicdesk.site" in result.stdout


@pytest.mark.parametrize(
    ("room", "absent"),
    [
        ("clinicdesk.store", {"requests", "PySide6"}),
        ("clinicdesk.model", {"requests", "PySide6", "sqlalchemy"}),
        ("clinicdesk.domain.blocks", {"requests", "PySide6", "sqlalchemy"}),
        ("clinicdesk.site", {"PySide6", "sqlalchemy"}),
        ("clinicdesk.sync", {"PySide6"}),
        ("clinicdesk.services.syncround", {"PySide6"}),
        ("clinicdesk.session.current", {"PySide6"}),
    ],
)
def test_importing_a_room_loads_only_what_it_needs(room: str, absent: set[str]) -> None:
    loaded = _loaded_after(f"import {room}")
    assert room.split(".")[0] in loaded
    assert not loaded & absent, f"importing {room} loads {sorted(loaded & absent)}"


def test_the_public_names_stay_importable_from_the_package_roots() -> None:
    from clinicdesk.credentials import CredentialStore, KeyringUnavailableError
    from clinicdesk.model import UserFacingError
    from clinicdesk.site import (
        CertificateError,
        ForbiddenError,
        NotFoundError,
        RetryPolicy,
        SignedOutError,
        SiteClient,
        SiteError,
        Timeouts,
        UnreachableError,
    )
    from clinicdesk.store import (
        Cache,
        CacheKey,
        PassphraseNeeded,
        account_id,
        find_cache_key,
        open_account_cache,
        open_cache,
    )
    from clinicdesk.sync import SyncReport, run_round

    assert SiteClient.__name__ == "SiteClient" and callable(run_round)
    assert all(callable(f) for f in (open_cache, open_account_cache, find_cache_key, account_id))
    for cls in (
        Cache,
        CacheKey,
        PassphraseNeeded,
        RetryPolicy,
        Timeouts,
        SyncReport,
        CredentialStore,
    ):
        assert isinstance(cls, type)
    # One base for every message the user reads: the UI shows ``error.message`` without guessing.
    for error in (
        SiteError,
        CertificateError,
        ForbiddenError,
        NotFoundError,
        SignedOutError,
        UnreachableError,
        KeyringUnavailableError,
    ):
        assert issubclass(error, UserFacingError)
    from clinicdesk.store import CacheError

    assert issubclass(CacheError, UserFacingError)
    assert str(KeyringUnavailableError("The keyring is locked.")) == "The keyring is locked."
