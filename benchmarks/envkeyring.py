"""A keyring for the app process the benchmark starts: secrets handed over in the environment.

The startup figure runs the real app (``clinicdesk.app.main``) against a cache synced beforehand.
The app takes the account's application password and the cache key from the keyring; this
machine may have none, and the benchmark must never write into a real one. So the child process
is started with keyring's own switch, ``PYTHON_KEYRING_BACKEND=benchmarks.envkeyring.
EnvKeyring``, and :data:`ENV_VAR` holding the items as JSON: the app code runs unchanged, the
secrets (throw-away credentials of a throw-away reference site) live only in that process's
memory and environment, and are gone when it exits.
"""

from __future__ import annotations

import json
import os

from keyring.compat import properties

from clinicdesk.session.memory_keyring import MemoryKeyring

#: The environment variable holding ``[[service, username, secret], ...]``.
ENV_VAR = "CLINICDESK_BENCH_KEYRING"
#: The value of ``PYTHON_KEYRING_BACKEND`` that selects this backend.
BACKEND = "benchmarks.envkeyring.EnvKeyring"


class EnvKeyring(MemoryKeyring):
    """An in-memory keyring filled from :data:`ENV_VAR` when it is created.

    Only viable when the variable is set, so that merely importing this module never makes
    keyring choose it in another process.
    """

    # keyring reads ``priority`` as a class property and treats an exception as "not viable".
    @properties.classproperty
    def priority(cls) -> float:
        if ENV_VAR not in os.environ:
            raise RuntimeError(f"{ENV_VAR} is not set")
        return 0.1

    def __init__(self) -> None:
        super().__init__()
        for service, username, secret in json.loads(os.environ.get(ENV_VAR, "[]")):
            self.set_password(str(service), str(username), str(secret))


def environment(items: list[tuple[str, str, str]]) -> dict[str, str]:
    """The environment variables that give a child process these keyring items."""
    return {"PYTHON_KEYRING_BACKEND": BACKEND, ENV_VAR: json.dumps(items)}
