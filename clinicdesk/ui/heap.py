"""Keep the interpreter's garbage collector from stalling the window while sync runs.

Python's cyclic garbage collector runs on whichever thread happens to allocate when a
threshold is crossed, and holds the interpreter lock while it walks every tracked object of the
generation it collects. Once the window is open the process holds about 128,000 such objects
(the modules, classes and functions of Qt, SQLAlchemy and the app, the window's widgets), and
nearly all of them live until the app quits. A first sync of 20,000 inquiries allocates enough
on its worker thread to trigger full collections that walk them all: 50 to 240 ms each (measured),
during which the UI thread cannot run a line of Python (a slot, a model's ``data()``), so the
window stalls.

:func:`freeze_long_lived` moves every object alive now into the collector's permanent
generation (``gc.freeze()``): later collections skip them, and a full collection during that
sync takes about 2 ms. The app calls it once, when its first window is open. Frozen objects are
still freed by reference counting; only garbage cycles among them would never be collected, and
there are a few hundred at most at that moment.

:func:`imports_unwatched` does the same for the app's start: importing Qt, SQLAlchemy and the
app creates those long-lived objects by the tens of thousands, and the collections they trigger
walk them again and again (about 70 ms on a quiet machine, several times that on a busy one)
for nothing: modules and classes are never garbage.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)


def freeze_long_lived() -> None:
    """Exempt every object alive now from the cyclic garbage collector, for good.

    Call it when what is alive is what the app keeps until it quits (its first window is
    open), not while short-lived work is under way.
    """
    gc.freeze()
    logger.debug("objects exempt from garbage collection: %d", gc.get_freeze_count())


@contextmanager
def imports_unwatched() -> Iterator[None]:
    """Import the app's modules with the cyclic collector paused, then exempt what they made.

    The collector is on again when the block ends, however it ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
