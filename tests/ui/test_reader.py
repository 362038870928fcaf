"""The shared coalescing reader: one read at a time, requests made meanwhile become one more."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from clinicdesk.store import CacheError
from clinicdesk.ui.reader import READ_AGAIN, SHOWN, STALE, CoalescingReader, Shown
from clinicdesk.ui.tasks import TaskRunner


class Source:
    """Reads that wait for the test to let them go, counting how many started."""

    def __init__(self) -> None:
        self.started = 0
        self.release = threading.Event()
        self.release.set()
        self.failing: set[int] = set()

    def prepare(self) -> Callable[[], int]:
        self.started += 1
        number = self.started

        def work() -> int:
            assert self.release.wait(30)
            if number in self.failing:
                raise CacheError("the offline copy could not be read")
            return number

        return work


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    runner = TaskRunner(max_threads=1, name="testReader")
    yield runner
    runner.shutdown()


def make(
    runner: TaskRunner,
    source: Source,
    answers: Callable[[int], Shown] = lambda _n: SHOWN,
    *,
    defer: bool = False,
) -> tuple[CoalescingReader, list[int], list[BaseException]]:
    shown: list[int] = []
    errors: list[BaseException] = []

    def show(number: int) -> Shown:
        shown.append(number)
        return answers(number)

    reader = CoalescingReader(
        runner, source.prepare, show, errors.append, known=(CacheError,), defer_again=defer
    )
    return reader, shown, errors


@pytest.mark.parametrize("defer", [False, True])
def test_requests_while_a_read_is_on_its_way_become_one_more_read(
    qtbot: QtBot, runner: TaskRunner, defer: bool
) -> None:
    source = Source()
    source.release.clear()
    reader, shown, _errors = make(runner, source, defer=defer)
    reader.request()
    assert reader.busy
    for _ in range(5):
        reader.request()
    assert source.started == 1  # never two reads side by side
    source.release.set()
    with qtbot.waitSignal(reader.settled, timeout=30_000):
        pass
    assert shown == [1, 2]  # the five requests made meanwhile: one more read, shown last
    assert not reader.busy


def test_a_read_that_is_out_of_date_is_read_again(qtbot: QtBot, runner: TaskRunner) -> None:
    source = Source()
    reader, shown, _errors = make(runner, source, lambda n: READ_AGAIN if n == 1 else SHOWN)
    with qtbot.waitSignal(reader.settled, timeout=30_000):
        reader.request()
    assert shown == [1, 2]


def test_a_stale_read_asks_for_nothing_more(qtbot: QtBot, runner: TaskRunner) -> None:
    source = Source()
    reader, shown, _errors = make(runner, source, lambda _n: STALE)
    settled: list[None] = []
    reader.settled.connect(lambda: settled.append(None))
    reader.request()
    # Showing and deciding what follows happen in one call on the UI thread.
    qtbot.waitUntil(lambda: shown == [1] and not reader.busy, timeout=30_000)
    assert source.started == 1
    assert settled == []


def test_a_failed_read_is_reported_and_a_request_made_meanwhile_follows(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    source = Source()
    source.release.clear()
    source.failing = {1}
    reader, shown, errors = make(runner, source)
    reader.request()
    reader.request()
    source.release.set()
    with qtbot.waitSignal(reader.settled, timeout=30_000):
        pass
    assert [str(e) for e in errors] == ["the offline copy could not be read"]
    assert shown == [2]


def test_nothing_is_read_or_shown_once_closed(qtbot: QtBot, runner: TaskRunner) -> None:
    source = Source()
    source.release.clear()
    reader, shown, _errors = make(runner, source)
    reader.request()
    reader.close()
    reader.request()
    source.release.set()
    runner.shutdown()
    assert shown == []
    assert source.started == 1
