"""Guards against Qt binding bugs that would crash the app or the test run."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_processing_events_does_not_leak_references_to_none(qapp: QApplication) -> None:
    # PySide6 6.12.0 released one reference to None per processEvents() call; after enough
    # calls Python 3.11 aborts with "none_dealloc". pyproject.toml pins below it.
    before = sys.getrefcount(None)
    for _ in range(500):
        qapp.processEvents()
    assert before - sys.getrefcount(None) < 50
