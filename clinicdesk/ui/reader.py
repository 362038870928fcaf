"""One read of the cache at a time, off the UI thread; asked again meanwhile, one more follows.

Both tabs read the cache the same way after a sync round or a change: the read runs on the tab's
:class:`~clinicdesk.ui.tasks.TaskRunner`, and asking for another read while one is on its way
does not start a second one beside it (they would race, and the older answer could land last):
it marks that one more read must follow, and any number of such requests coalesce into that one.

The tab supplies three things: ``prepare`` (on the UI thread: take what the read needs, return
the work to run off it), ``show`` (on the UI thread: show the result; say whether it is
:data:`SHOWN`, :data:`READ_AGAIN` because what it shows moved on meanwhile, or :data:`STALE` and
nothing more to do), and ``failed`` (a known error, e.g. the cache could not be read).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from PySide6.QtCore import QObject, QTimer, Signal

from clinicdesk.ui.tasks import TaskRunner

#: What ``show`` says about a read: shown and current; out of date, read again; or out of date
#: and nothing to read now (the tab is locked, say).
Shown = Literal["shown", "again", "stale"]
SHOWN: Shown = "shown"
READ_AGAIN: Shown = "again"
STALE: Shown = "stale"


class CoalescingReader(QObject):
    """Reads the cache one read at a time; requests made meanwhile coalesce into one more.

    Args:
        runner: the task runner the reads go to (shared with the tab's other background work,
            so they run in order).
        prepare: on the UI thread, returns the function that reads (it must not touch widgets).
        show: on the UI thread, shows what was read and says whether it is current.
        failed: on the UI thread, a read failed with one of the ``known`` errors.
        known: the errors ``failed`` handles (others go to the crash handler).
        defer_again: start the following read from the event loop rather than at once (the
            Inquiries tab: its ``show`` may itself ask for a read while the model resets).
        parent: the owning QObject.

    Signals:
        settled(): a read was shown and none is asked for: what is on screen is current.
    """

    settled = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        prepare: Callable[[], Callable[[], Any]],
        show: Callable[[Any], Shown],
        failed: Callable[[BaseException], None],
        *,
        known: tuple[type[BaseException], ...],
        defer_again: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._prepare = prepare
        self._show = show
        self._failed = failed
        self._known = known
        self._defer_again = defer_again
        self._busy = False
        self._again = False
        self._closed = False

    @property
    def busy(self) -> bool:
        """Whether a read is on its way."""
        return self._busy

    def request(self) -> None:
        """Read now, or once the read on its way is back (then only once, however often asked)."""
        if self._closed:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        self._again = False
        self._runner.run(self._prepare(), self._done, self._read_failed, known=self._known)

    def close(self) -> None:
        """No read starts from now on and none on its way is shown (before the cache closes)."""
        self._closed = True
        self._busy = self._again = False

    def _follow(self) -> None:
        if self._defer_again:
            QTimer.singleShot(0, self.request)
        else:
            self.request()

    def _done(self, result: Any) -> None:
        self._busy = False
        if self._closed:
            return
        shown = self._show(result)
        if self._again or shown == READ_AGAIN:
            self._follow()
        elif shown == SHOWN:
            self.settled.emit()

    def _read_failed(self, error: BaseException) -> None:
        self._busy = False
        if self._closed:
            return
        self._failed(error)
        if self._again:
            self._follow()
