"""The built app under test: ``CLINICDESK_BUNDLE`` names its folder (``dist/clinicdesk``).

``.ci/run`` builds it with ``python tools/build_bundle.py`` and runs ``tests/bundle`` with the
variable set; without it every test here is skipped, saying so (a source checkout has no bundle).
The real Secret Service fixture is the UI suite's (one recipe for the whole project).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fixtures.secret_service import SecretService, secret_service

__all__ = ["SecretService", "bundle", "secret_service"]

#: The environment variable naming the built folder.
BUNDLE_ENV = "CLINICDESK_BUNDLE"


@pytest.fixture(scope="session")
def bundle() -> Path:
    """The built folder (the one holding the ``clinicdesk`` executable)."""
    where = os.environ.get(BUNDLE_ENV)
    if not where:
        pytest.skip(
            f"{BUNDLE_ENV} is not set: build the app with `python tools/build_bundle.py` and set "
            f"{BUNDLE_ENV}=dist/clinicdesk to test the built app"
        )
    folder = Path(where).resolve()
    assert (folder / "clinicdesk").is_file(), f"{folder} holds no clinicdesk executable"
    return folder
