"""Closing the window while a sync round is stuck on the site: the round is cancelled (its
request cut), the close waits for it to end, and only then is the cache closed.

Before, the close waited 15 s for the worker, then closed the cache under the round that was
still waiting on the site.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from clinicdesk.services.syncround import RoundResult
from clinicdesk.services.syncround import run_round as bridge_round
from clinicdesk.session.credentials import CredentialStore
from clinicdesk.store import Cache
from clinicdesk.ui.dialogs.signin import SignInDialog
from tests.fixtures.desktop import MakeController, wait_for_window, wait_until_synced
from tests.fixtures.forwarding_proxy import Proxy
from tests.fixtures.site import SiteUnderTest


def test_closing_the_window_during_a_stuck_round_cancels_it_before_the_cache_closes(
    qtbot: QtBot,
    make_controller: MakeController,
    memory_credentials: CredentialStore,
    site: SiteUnderTest,
    make_proxy: Callable[..., Proxy],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events: list[str] = []
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def watched_round(*args: Any, **kwargs: Any) -> RoundResult:
        # The real round; the wrapper only notes when it ended and how.
        try:
            result = bridge_round(*args, **kwargs)
        except BaseException as exc:
            errors.append(exc)
            raise
        finally:
            with lock:
                events.append("round ended")
        outcomes.append(result.outcome)
        return result

    real_close = Cache.close

    def watched_close(self: Cache) -> None:
        with lock:
            events.append("cache closed")
        real_close(self)

    monkeypatch.setattr(Cache, "close", watched_close)

    proxy = make_proxy(site.url)
    user, password = site.auth("administrator")
    controller = make_controller(memory_credentials, round_function=watched_round)
    controller.start()
    qtbot.waitUntil(lambda: isinstance(controller.dialog, SignInDialog), timeout=10_000)
    dialog = controller.dialog
    assert isinstance(dialog, SignInDialog)
    dialog.site_edit.setText(proxy.url)
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)
    dialog.sign_in_button.click()
    window = wait_for_window(qtbot, controller)
    wait_until_synced(qtbot, window)
    with lock:
        events.clear()
    outcomes.clear()

    # The site stops answering in the middle of a round (the proxy holds every request; the
    # client's read timeout, 30 s, is longer than the close used to wait).
    proxy.hold()
    window.sync.sync_now()
    qtbot.waitUntil(lambda: proxy.held >= 1, timeout=30_000)
    assert window.sync.running

    window.close()  # the user closes the window; the app then shuts down as run_gui does
    controller.shutdown()

    assert events[:2] == ["round ended", "cache closed"], events
    assert outcomes == ["cancelled"]
    assert errors == []
    assert proxy.held_too_long == 0, "the round waited on the site until the proxy gave up"
