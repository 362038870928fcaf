"""Run a function off the UI thread and get its result or error back on it (as Picard does).

The UI thread never waits on the network, the keyring or the disk: sign-in checks, keyring calls
and opening a cache go through :class:`TaskRunner`; sync rounds have their own runner (one thread,
so rounds never overlap). The function runs on a ``QThreadPool`` thread; its result, or the
exception it raised, is handed to a callback on the thread that owns the runner (the UI thread).

Errors are split in two, as qutebrowser does: the kinds the caller expects (``known``, e.g. "site
unreachable") go to its ``on_error``; anything else is a bug and goes to ``sys.excepthook`` (the
crash dialog), never silently dropped.
"""

from __future__ import annotations

import itertools
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Outcome(Generic[T]):
    task_id: int
    result: T | None
    error: BaseException | None


class _Relay(QObject):
    """Lives on the UI thread; the worker emits on it, Qt queues the call across threads."""

    done = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self._task_id = task_id
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            outcome = _Outcome(self._task_id, self._fn(), None)
        except Exception as error:  # noqa: BLE001 - handed to the caller or the crash handler
            outcome = _Outcome(self._task_id, None, error)
        self._relay.done.emit(outcome)


class TaskRunner(QObject):
    """Runs functions on a thread pool, delivering results on the owner's thread.

    Args:
        max_threads: threads in the pool (1 runs tasks one after another, in order).
        name: for the log.
        parent: the QObject owning the runner.
    """

    def __init__(
        self, *, max_threads: int = 2, name: str = "tasks", parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)
        self._ids = itertools.count(1)
        self._callbacks: dict[
            int,
            tuple[
                Callable[[Any], None],
                Callable[[BaseException], None],
                tuple[type[BaseException], ...],
            ],
        ] = {}
        self._closed = False

    @property
    def busy(self) -> bool:
        """Whether a task is queued or running."""
        return bool(self._callbacks)

    def run(
        self,
        fn: Callable[[], T],
        on_result: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        known: tuple[type[BaseException], ...] = (),
    ) -> int:
        """Run ``fn()`` on a worker thread.

        Args:
            fn: the work; must not touch widgets.
            on_result: called on this runner's thread with what ``fn`` returned.
            on_error: called on this runner's thread with an exception of a ``known`` kind.
            known: the exception types ``on_error`` handles; any other goes to ``sys.excepthook``.

        Returns:
            The task's id.
        """
        if self._closed:
            raise RuntimeError("the task runner was shut down")
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_result, on_error or _unhandled, known)
        self._pool.start(_Runnable(task_id, fn, self._relay))
        return task_id

    @Slot(object)
    def _deliver(self, outcome: _Outcome[Any]) -> None:
        callbacks = self._callbacks.pop(outcome.task_id, None)
        if callbacks is None or self._closed:
            return
        on_result, on_error, known = callbacks
        if outcome.error is None:
            on_result(outcome.result)
        elif known and isinstance(outcome.error, known):
            on_error(outcome.error)
        else:
            error = outcome.error
            sys.excepthook(type(error), error, error.__traceback__)

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop delivering results and wait for running tasks to end.

        Returns:
            True when every task ended within the timeout.
        """
        self._closed = True
        self._pool.clear()
        finished = bool(self._pool.waitForDone(timeout_ms))
        if not finished:
            logger.warning("%s: tasks still running after %d ms", self.objectName(), timeout_ms)
        return finished


def _unhandled(error: BaseException) -> None:
    sys.excepthook(type(error), error, error.__traceback__)
