"""From start (or sign-in) to an open window, and back at sign-out.

:class:`AppController` walks the steps of :mod:`clinicdesk.session.current` with the user: the
password from the keyring or the sign-in dialog, the cache key from the keyring or a passphrase
dialog (with what to do when the offline copy cannot be opened), then the window and its sync;
signing in again when the site refuses the password, and signing out. Everything that touches
the network, the keyring or the disk runs on a :class:`~clinicdesk.ui.tasks.TaskRunner`;
dialogs open non-blocking.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QMessageBox

from clinicdesk.model.errors import user_message
from clinicdesk.services.syncround import run_round
from clinicdesk.session.accounts import Account, DataDir, SettingsStore, delete_account_files
from clinicdesk.session.credentials import CredentialStore, KeyringUnavailableError
from clinicdesk.session.current import AccountSession, SignOutResult, sign_out, stored_password
from clinicdesk.session.logs import LogSetup
from clinicdesk.session.signin import SignInResult, classify, sign_in
from clinicdesk.site import SiteClient, SiteError
from clinicdesk.store import (
    Cache,
    CacheError,
    CacheKey,
    CacheKeyMissingError,
    PassphraseNeeded,
    WrongKeyError,
    find_cache_key,
    open_account_cache,
)
from clinicdesk.ui.dialogs.messages import problem_box, sign_out_box
from clinicdesk.ui.dialogs.passphrase import PassphraseDialog
from clinicdesk.ui.dialogs.signin import SignInDialog
from clinicdesk.ui.main_window import AppInfo, MainWindow
from clinicdesk.ui.sync_worker import DEFAULT_DEBOUNCE_MS, RoundFunction, SyncController
from clinicdesk.ui.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: Exit code when the user quits from a dialog before any window opened.
EXIT_CANCELLED = 0
EXIT_START_FAILED = 1


class DemoLogin:
    """The demo's credentials: the reference site's administrator."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url
        self.username = username
        self.password = password

    def __repr__(self) -> str:
        return f"DemoLogin({self.url!r}, {self.username!r})"


class AppController(QObject):
    """Takes the user from start to the main window, and handles sign-in and sign-out.

    Args:
        data: the data folder.
        credentials: the keyring wrapper (an in-memory one for the demo).
        logs: the log setup (typed secrets are registered with its redaction filter).
        demo: sign in to this demo site by itself, or None.
        round_function: the sync round (tests slow it down).
        debounce_ms: the delay between a local edit and its sync.
        parent: the owner.

    Signals:
        windowOpened(MainWindow): the main window is shown.
        finished(int): the app should quit with this exit code.
    """

    windowOpened = Signal(object)
    finished = Signal(int)

    def __init__(
        self,
        *,
        data: DataDir,
        credentials: CredentialStore,
        logs: LogSetup,
        demo: DemoLogin | None = None,
        round_function: RoundFunction = run_round,
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("appController")
        self.data = data
        self.settings = SettingsStore(data)
        self.credentials = credentials
        self.logs = logs
        self.demo = demo
        self._round_function = round_function
        self._debounce_ms = debounce_ms
        self.tasks = TaskRunner(max_threads=2, name="shell", parent=self)
        self.session: AccountSession | None = None
        self.sync: SyncController | None = None
        self.window: MainWindow | None = None
        self.dialog: QDialog | None = None
        self.box: QMessageBox | None = None
        self._replacing_window = False
        self._finished = False

    # -- start ------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the last account, sign in to the demo, or ask to sign in."""
        if self.demo is not None:
            demo = self.demo
            self._check_sign_in(demo.url, demo.username, demo.password)
            return
        account = self.settings.load().current
        if account is None:
            self.show_sign_in()
            return
        self.tasks.run(
            lambda: stored_password(self.credentials, account),
            lambda password: self._have_password(account, password),
            lambda error: self._no_keyring_at_start(account, error),
            known=(KeyringUnavailableError,),
        )

    def _have_password(self, account: Account, password: str | None) -> None:
        if password is None:
            self.show_sign_in(
                account,
                note=self.tr(
                    "No password is saved for %1 on this computer. Sign in to open it."
                ).replace("%1", account.site_url),
            )
            return
        self.logs.redaction.add_secret(password)
        self._open_cache(account, password, saved=True, keyring_problem=None)

    def _no_keyring_at_start(self, account: Account, error: BaseException) -> None:
        message = user_message(error)
        self.show_sign_in(account, keyring_warning=message)

    # -- sign-in ----------------------------------------------------------------------------

    def show_sign_in(
        self,
        account: Account | None = None,
        *,
        note: str = "",
        keyring_warning: str | None = None,
        quit_on_cancel: bool = True,
    ) -> SignInDialog:
        """Open the sign-in dialog (prefilled with ``account``)."""
        if keyring_warning is None and not self.credentials.is_available():
            keyring_warning = self.tr("No secure keyring is available on this computer.")
        dialog = SignInDialog(
            site=account.site_url if account else "",
            username=account.username if account else "",
            note=note,
            keyring_warning=keyring_warning or "",
            quit_label=quit_on_cancel,
            parent=self.window,
        )
        dialog.submitted.connect(self._check_sign_in)
        if quit_on_cancel:
            dialog.rejected.connect(lambda: self._quit(EXIT_CANCELLED))
        self._set_dialog(dialog)
        dialog.open()
        return dialog

    def _site_client(self, site: str, username: str, password: str) -> SiteClient:
        """A client of the site through the proxy the settings name (read now, so a change in
        the settings dialog applies from the next request on), or directly. Runs on a worker
        thread; an unacceptable proxy raises InsecureURLError, shown like any site error."""
        proxy = self.settings.load().proxy
        return SiteClient(site, username, password, proxy=proxy or None)

    def _check_sign_in(self, site: str, username: str, password: str) -> None:
        self.logs.redaction.add_secret(password)
        self.tasks.run(
            lambda: sign_in(
                site, username, password, self.credentials, client_factory=self._site_client
            ),
            lambda result: self._signed_in(result, password),
            lambda error: self._sign_in_failed(site, error),
            known=(SiteError, ValueError),
        )

    def _sign_in_failed(self, site: str, error: BaseException) -> None:
        dialog = self.dialog
        if not isinstance(dialog, SignInDialog):
            # The demo signs in without a dialog.
            self._fatal(
                self.tr("The demo site did not start properly: %1").replace("%1", str(error))
            )
            return
        if isinstance(error, SiteError):
            dialog.show_problem(classify(error, site), error.message)
        else:
            dialog.show_message(self.tr("Type your username and Application Password."))

    def _signed_in(self, result: SignInResult, password: str) -> None:
        session = self.session
        if session is not None and session.account.id == result.account.id:
            # Signed in again after the site refused the old password: carry on syncing. The
            # open window keeps its tabs (and the Inquiries tab its unlock passphrase).
            self.settings.update(lambda s: s.remember(result.account))
            session.password = password
            session.password_saved = result.password_saved
            session.keyring_problem = result.keyring_problem
            self._close_dialog()
            if self.window is not None:
                self.window.update_keyring_notice()
            if self.sync is not None:
                self.sync.resume(password)
            return
        window = self.window
        if session is not None and window is not None and not window.flush_edits():
            dialog = self.dialog
            if isinstance(dialog, SignInDialog):
                dialog.show_message(
                    self.tr(
                        "The post being edited could not be saved, so the account stays open. "
                        "Cancel, save or copy the post, then sign in again."
                    )
                )
            return
        # A new session: this also forgets the account's unlock passphrase of the Inquiries
        # tab (signing in again is how a forgotten one is reset; the lock page says so).
        self.settings.update(lambda s: s.signed_in(result.account))
        if session is not None:
            self._close_session(replacing=True)
        self._close_dialog()
        self._open_cache(
            result.account,
            password,
            saved=result.password_saved,
            keyring_problem=result.keyring_problem,
        )

    # -- the offline copy -------------------------------------------------------------------

    def _open_cache(
        self,
        account: Account,
        password: str,
        *,
        saved: bool,
        keyring_problem: str | None,
        passphrase: str | None = None,
    ) -> None:
        paths = self.data.account_paths(account)

        def work() -> Cache | PassphraseNeeded:
            if passphrase is not None:
                return open_account_cache(paths, CacheKey.from_passphrase(passphrase))
            found = find_cache_key(self.credentials, paths)
            if isinstance(found, PassphraseNeeded):
                return found
            return open_account_cache(paths, found.key)

        def opened(value: Cache | PassphraseNeeded) -> None:
            if isinstance(value, PassphraseNeeded):
                self._ask_passphrase(account, password, saved, keyring_problem, value)
                return
            self._close_dialog()
            self._open_window(
                AccountSession(
                    account,
                    password,
                    value,
                    password_saved=saved,
                    keyring_problem=keyring_problem,
                    demo=self.demo is not None,
                )
            )

        def failed(error: BaseException) -> None:
            retry = lambda: self._open_cache(  # noqa: E731
                account, password, saved=saved, keyring_problem=keyring_problem
            )
            self._cache_problem(account, error, retry)

        self.tasks.run(work, opened, failed, known=(CacheError, KeyringUnavailableError))

    def _ask_passphrase(
        self,
        account: Account,
        password: str,
        saved: bool,
        keyring_problem: str | None,
        needed: PassphraseNeeded,
    ) -> None:
        dialog = PassphraseDialog(
            new=needed.new, reason=needed.reason, site=account.site_url, parent=self.window
        )

        def submitted(passphrase: str) -> None:
            self.logs.redaction.add_secret(passphrase)
            self._open_cache(
                account,
                password,
                saved=saved,
                keyring_problem=keyring_problem,
                passphrase=passphrase,
            )

        dialog.submitted.connect(submitted)
        dialog.rejected.connect(lambda: self._quit(EXIT_CANCELLED))
        self._set_dialog(dialog)
        dialog.open()

    def _cache_problem(
        self, account: Account, error: BaseException, retry: Callable[[], None]
    ) -> None:
        dialog = self.dialog
        if isinstance(error, WrongKeyError) and isinstance(dialog, PassphraseDialog):
            dialog.show_error(
                self.tr("That passphrase does not unlock the offline copy. Try again.")
            )
            return
        message = user_message(error)
        fresh = (
            "freshCopyButton",
            self.tr("Start a fresh copy"),
            QMessageBox.ButtonRole.DestructiveRole,
        )
        quit_ = ("quitButton", self.tr("Quit"), QMessageBox.ButtonRole.RejectRole)
        if isinstance(error, KeyringUnavailableError):
            text = self.tr(
                "%1\n\nThe offline copy of %2 is locked with a key kept in the keyring. Unlock "
                "the keyring and try again, or start a fresh copy from the site (changes not yet "
                "sent would be lost)."
            )
            buttons = [
                ("retryButton", self.tr("Try again"), QMessageBox.ButtonRole.AcceptRole),
                fresh,
                quit_,
            ]
            name = "keyringLockedBox"
        elif isinstance(error, CacheKeyMissingError):
            text = self.tr("%1\n\n(%2)")
            buttons = [fresh, quit_]
            name = "cacheKeyMissingBox"
        else:
            text = self.tr("The offline copy of %2 could not be opened.\n\n%1")
            buttons = [quit_]
            name = "cacheProblemBox"
        self._close_dialog()
        box, made = problem_box(
            self.window,
            name=name,
            title=self.tr("The offline copy"),
            text=text.replace("%1", message).replace("%2", account.site_url),
            buttons=buttons,
        )

        def finished() -> None:
            clicked = box.clickedButton()
            if clicked is made.get("retryButton"):
                retry()
            elif clicked is made.get("freshCopyButton"):
                self._start_fresh_copy(account, retry)
            else:
                self._quit(EXIT_START_FAILED)

        box.finished.connect(finished)
        self.box = box
        box.open()

    def _start_fresh_copy(self, account: Account, then: Callable[[], None]) -> None:
        paths = self.data.account_paths(account)

        def work() -> None:
            delete_account_files(paths)
            try:
                self.credentials.delete_cache_key(account.id)
            except KeyringUnavailableError:
                pass  # nothing can be removed from a keyring that cannot be reached

        self.tasks.run(work, lambda _none: then(), None, known=())

    # -- the window -------------------------------------------------------------------------

    def _open_window(self, session: AccountSession) -> None:
        settings = self.settings.load()
        self.session = session
        self.sync = SyncController(
            session,
            interval_minutes=settings.sync_interval_minutes,
            debounce_ms=self._debounce_ms,
            round_function=self._round_function,
            client_factory=self._site_client,
            parent=self,
        )
        keyring = (
            self.tr("memory only (demo)")
            if session.demo
            else self.credentials.backend_name() or self.tr("nowhere (no keyring)")
        )
        info = AppInfo(self.data.root, self.logs.log_file, keyring)
        window = MainWindow(session, self.sync, self.settings, info)
        window.signOutRequested.connect(self.sign_out)
        window.signInAgainRequested.connect(self.sign_in_again)
        window.closed.connect(self._window_closed)
        self.window = window
        window.show()
        self.sync.start()
        logger.info("window opened (cache key: %s)", session.cache.key_source.value)
        self.windowOpened.emit(window)

    def _window_closed(self) -> None:
        if self._replacing_window:
            return
        self._quit(0)

    def sign_in_again(self) -> None:
        """The site refused the saved password: ask for a new one, keeping the window open."""
        session = self.session
        if session is None:
            return
        self.show_sign_in(
            session.account,
            note=self.tr(
                "The site no longer accepts the saved Application Password (it may have been "
                "revoked). Create a new one and sign in again."
            ),
            quit_on_cancel=False,
        )

    # -- sign-out ---------------------------------------------------------------------------

    def sign_out(self) -> QMessageBox | None:
        """Ask how to sign out (warning about waiting changes), then do it."""
        session = self.session
        if session is None:
            return None
        try:
            pending = session.pending_changes()
        except CacheError:
            pending = self.sync.status.pending if self.sync else 0
        box, delete, keep = sign_out_box(
            self.window, site=session.account.site_url, pending=pending
        )

        def finished() -> None:
            clicked = box.clickedButton()
            if clicked is delete or clicked is keep:
                self._sign_out(delete_cache=clicked is delete)

        box.finished.connect(finished)
        self.box = box
        box.open()
        return box

    def _sign_out(self, *, delete_cache: bool, discard_unsaved: bool = False) -> None:
        session = self.session
        if session is None:
            return
        window = self.window
        if window is not None and not discard_unsaved and not window.flush_edits():
            # What is being typed could not be saved: the cache must not close under it.
            self.box = window.unsaved_box(
                on_discard=lambda: self._sign_out(delete_cache=delete_cache, discard_unsaved=True)
            )
            return
        account = session.account
        self._close_session(replacing=True)

        def done(result: SignOutResult) -> None:
            note = self.tr("You are signed out.")
            if result.keyring_problem:
                note += " " + result.keyring_problem
            self.show_sign_in(account, note=note)

        def failed(error: BaseException) -> None:
            logger.error("signing out failed: %s", type(error).__name__)
            self.show_sign_in(
                account,
                note=self.tr(
                    "You are signed out, but the offline copy could not be deleted (%1). "
                    "Close ClinicDesk and delete the folder %2 by hand."
                )
                .replace("%1", str(getattr(error, "strerror", None) or error))
                .replace("%2", str(self.data.account_paths(account).directory)),
            )

        self.tasks.run(
            lambda: sign_out(
                self.credentials, self.data, self.settings, account, delete_cache=delete_cache
            ),
            done,
            failed,
            known=(OSError,),
        )

    def _close_session(self, *, replacing: bool) -> None:
        """Stop sync, close the window (stopping its tabs) and the cache.

        The callers saved what was being typed first (or the user chose to go on without it).
        """
        self._replacing_window = replacing
        try:
            # The round is cancelled and waited for before anything it uses closes.
            stopped = self.sync.shutdown() if self.sync is not None else True
            if self.window is not None:
                self.window.close_now()
                self.window.deleteLater()
            if self.session is not None:
                if stopped:
                    self.session.close()
                else:
                    # Never close the cache under a running round: the process ends (or the
                    # round does) and SQLite's journal keeps the file consistent either way.
                    logger.warning("a sync round did not stop in time: its cache is left open")
        finally:
            self._replacing_window = False
        if self.sync is not None:
            self.sync.deleteLater()
        self.sync = None
        self.window = None
        self.session = None

    # -- plumbing ---------------------------------------------------------------------------

    def _set_dialog(self, dialog: QDialog) -> None:
        self._close_dialog()
        self.dialog = dialog

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            # Accepted, not rejected: "cancel quits" must not fire when we close it.
            dialog.done(QDialog.DialogCode.Accepted)
            dialog.deleteLater()

    def _fatal(self, text: str) -> None:
        box, _made = problem_box(
            self.window,
            name="startProblemBox",
            title=self.tr("ClinicDesk"),
            text=text,
            buttons=[("quitButton", self.tr("Quit"), QMessageBox.ButtonRole.RejectRole)],
        )
        box.finished.connect(lambda: self._quit(EXIT_START_FAILED))
        self.box = box
        box.open()

    def _quit(self, code: int) -> None:
        if not self._finished:
            self._finished = True
            self.finished.emit(code)

    def shutdown(self) -> None:
        """Stop sync and every task, close the window and the cache (idempotent)."""
        self._close_session(replacing=True)
        self._close_dialog()
        box, self.box = self.box, None
        if box is not None:
            try:
                box.close()
            except RuntimeError:
                pass  # already deleted (boxes delete themselves on close)
        self.tasks.shutdown()
