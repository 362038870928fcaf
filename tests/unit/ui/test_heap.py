"""The app's start imports with the garbage collector paused, and always turns it back on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from clinicdesk.ui.heap import imports_unwatched


@pytest.fixture
def collector() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()  # what the test froze goes back to the collector
    if was_enabled:
        gc.enable()


@pytest.mark.usefixtures("collector")
def test_the_collector_is_paused_inside_and_on_again_after() -> None:
    gc.enable()
    frozen = gc.get_freeze_count()
    with imports_unwatched():
        assert not gc.isenabled()
        made = [[n] for n in range(1_000)]  # long-lived objects, as modules make
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(made), "what the imports made is exempt"


@pytest.mark.usefixtures("collector")
def test_a_failed_import_still_turns_the_collector_back_on() -> None:
    gc.enable()
    with pytest.raises(ImportError), imports_unwatched():
        raise ImportError("no such module")
    assert gc.isenabled()


@pytest.mark.usefixtures("collector")
def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    with imports_unwatched():
        pass
    assert not gc.isenabled()
