"""Test configuration shared by every suite.

Qt runs offscreen (no X server) unless the caller chose a platform; no stray D-Bus session is
started by Qt; the reference-site fixtures live in ``tests/fixtures/site.py``.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt would otherwise try to reach (or spawn) a session bus; tests that need one start their own.
os.environ.setdefault("DBUS_SESSION_BUS_ADDRESS", "disabled:")

pytest_plugins = ["tests.fixtures.site"]
