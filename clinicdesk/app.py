"""The composition root: the command line, the headless commands, and the window's start.

``python main.py`` opens the window; ``sign-in`` and ``sync`` work without one. The headless
commands never import Qt (PySide6 is loaded only on the way to a window), so they run on a server
or in a terminal with no display and start fast.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from clinicdesk import about
from clinicdesk.about import command_name
from clinicdesk.services.syncround import (
    RoundProgress,
    RoundResult,
    SyncUnavailableError,
    account_after,
    run_round,
)
from clinicdesk.session.accounts import Account, DataDir, SettingsStore
from clinicdesk.session.credentials import CredentialStore, KeyringUnavailableError
from clinicdesk.session.current import stored_password
from clinicdesk.session.logs import LogSetup, configure_logging
from clinicdesk.session.signin import PLAIN_MESSAGES, SignInProblem, classify, sign_in
from clinicdesk.site import SignedOutError, SiteClient, SiteError, UnreachableError
from clinicdesk.store import (
    Cache,
    CacheError,
    CacheKey,
    PassphraseNeeded,
    find_cache_key,
    open_account_cache,
)
from clinicdesk.store.keys import MIN_PASSPHRASE_LENGTH

logger = logging.getLogger(__name__)

#: Exit codes, as documented in ``--help``.
EXIT_OK = 0
EXIT_FAILED = 1  # the site refused, could not be reached, or the round failed
EXIT_USAGE = 2  # a mistake on the command line (argparse uses 2 as well)
EXIT_NOT_SIGNED_IN = 3  # no account, or no password for it
EXIT_CACHE = 4  # the offline copy could not be opened
EXIT_INTERRUPTED = 130

_EPILOG = """\
commands without a window (they never load the graphical toolkit):
  sign-in --site URL --user NAME
      Check an Application Password with the site and keep it in the system keyring.
      The password is read from standard input (one line), or asked without echo on a
      terminal. Create one in WordPress under Users > Profile > Application Passwords.
  sync
      Run one sync round for the signed-in account and print the report.

When no system keyring can be used, the password (and the passphrase protecting the
offline copy) cannot be remembered: `sync` then reads them from standard input, one per
line (password first), or asks for them on a terminal.

exit codes: 0 done; 1 the site refused, could not be reached, or the sync failed (the
reason is on stderr); 2 usage; 3 not signed in, or no password; 4 the offline copy could
not be opened.

files: everything ClinicDesk writes (settings.json, accounts/<id>/ with the encrypted
offline copy, logs/clinicdesk.log) is in the app-data folder (on Linux
~/.local/share/clinicdesk), or in --data-dir DIR. Passwords and keys are only ever in the
system keyring, never in a file.
"""


class _VersionAction(argparse.Action):
    """``--version``: read from the package metadata only when asked (not at every start)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(
            f"ClinicDesk {about.app_version()}\n"
            f"Licence: {about.licence()}\n"
            f"Needs the ClinicDesk Inquiries plugin {about.REQUIRED_PLUGIN_VERSION} or newer on "
            "the website."
        )
        parser.exit()


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The command line, documented for ``--help`` (``prog``: the command as it was run)."""
    parser = argparse.ArgumentParser(
        prog=prog or command_name(),
        description="ClinicDesk: write the clinic's blog posts and triage consultation\n"
        "inquiries, online or offline. Without a command it opens the window on the last\n"
        "account, or asks you to sign in.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show the version, licence and plugin needed"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a local demo site with sample posts and fictional inquiries and open the "
        "app on it (nothing leaves this computer; everything is thrown away on exit)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep every file of the app in DIR instead of the usual app-data folder "
        "(a separate profile)",
    )
    parser.add_argument("--debug", action="store_true", help="log more detail")
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        help="open as usual, wait for the first sync, save a picture of the window to FILE "
        "(PNG) and quit; prints when the window was shown. Exit code 1 if that sync failed",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sign_in = commands.add_parser(
        "sign-in",
        help="check an application password and keep it in the system keyring",
        description="Check an Application Password with the site and keep it in the system "
        "keyring. The password is read from standard input, or asked without echo on a "
        "terminal. Create one in WordPress under Users > Profile > Application Passwords.",
    )
    sign_in.add_argument("--site", required=True, metavar="URL", help="the site's address")
    sign_in.add_argument("--user", required=True, metavar="NAME", help="your WordPress username")
    commands.add_parser(
        "sync",
        help="run one sync round for the signed-in account and print the report",
        description="Run one sync round for the signed-in account: send the changes waiting on "
        "this computer and fetch what changed on the site. Prints the report; on failure the "
        "reason goes to stderr and the exit code is not 0.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ClinicDesk; returns the process exit code."""
    args = build_parser().parse_args(argv)
    if args.demo and args.command:
        print(
            "clinicdesk: --demo opens the window; it cannot be combined with a command.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.screenshot and args.command:
        print("clinicdesk: --screenshot needs the window; not a command.", file=sys.stderr)
        return EXIT_USAGE
    if args.command is None:
        # The only path that loads Qt (heap.py itself imports no Qt).
        from clinicdesk.ui.heap import imports_unwatched

        with imports_unwatched():
            from clinicdesk.ui.application import StartDemoSite, run_gui

        start_demo: StartDemoSite | None = None
        if args.demo:
            # The composition root starts the reference site; the UI only gets the starter.
            from clinicdesk.demosite.server import start

            start_demo = start
        return run_gui(
            data_dir=args.data_dir, demo=start_demo, debug=args.debug, screenshot=args.screenshot
        )
    return run_headless(args, stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr)


def run_headless(args: argparse.Namespace, *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """The ``sign-in`` and ``sync`` commands."""
    data = DataDir.resolve(args.data_dir).ensure()
    logs = configure_logging(data.log_file, debug=args.debug, stderr_level=logging.ERROR)
    command = _Headless(data, SettingsStore(data), CredentialStore(), stdin, stdout, stderr, logs)
    try:
        if args.command == "sign-in":
            return command.sign_in(args.site, args.user)
        return command.sync()
    except KeyboardInterrupt:
        command.say("Interrupted. Changes not yet sent are kept on this computer.")
        return EXIT_INTERRUPTED
    finally:
        logs.close()


class _Headless:
    """The headless commands, with their streams (tests give their own)."""

    def __init__(
        self,
        data: DataDir,
        settings: SettingsStore,
        credentials: CredentialStore,
        stdin: TextIO,
        stdout: TextIO,
        stderr: TextIO,
        logs: LogSetup,
    ) -> None:
        self.data, self.settings, self.credentials, self.logs = data, settings, credentials, logs
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr

    def say(self, text: str) -> None:
        print(f"clinicdesk: {text}", file=self.stderr)

    def _secret(self, prompt: str) -> str | None:
        """One secret: asked without echo on a terminal, else one line of standard input."""
        if self.stdin.isatty():
            value = getpass.getpass(prompt, stream=self.stderr)
        else:
            line = self.stdin.readline()
            if not line:
                return None
            value = line.rstrip("\r\n")
        if value:
            self.logs.redaction.add_secret(value)
        return value or None

    # -- sign-in ------------------------------------------------------------------------------

    def sign_in(self, site: str, user: str) -> int:
        password = self._secret(f"Application password for {user} on {site}: ")
        if password is None or not user.strip():
            self.say("No application password was given (it is read from standard input).")
            return EXIT_USAGE
        try:
            result = sign_in(site, user, password, self.credentials)
        except SiteError as error:
            problem = classify(error, site)
            text = PLAIN_MESSAGES[problem]
            if problem in (SignInProblem.BAD_ADDRESS, SignInProblem.OTHER):
                text = f"{text} {error.message}"
            self.say(text)
            return EXIT_FAILED
        # A checked sign-in also resets the Inquiries tab's unlock passphrase (forgotten ones).
        self.settings.update(lambda s: s.signed_in(result.account))
        account = result.account
        who = account.display_name or account.username
        print(
            f"Signed in to {account.site_name or account.site_url} ({account.site_url}) as {who}.",
            file=self.stdout,
        )
        if not result.info.has_plugin:
            print(
                "Note: the ClinicDesk plugin is not active on the site; inquiries are not "
                "available.",
                file=self.stdout,
            )
        self._plugin_note(account)
        if result.password_saved:
            backend = self.credentials.backend_name()
            print(f"The password is kept in the system keyring ({backend}).", file=self.stdout)
        else:
            self.say(
                f"{result.keyring_problem} The password was not saved: ClinicDesk will ask "
                "for it each time it starts."
            )
        return EXIT_OK

    # -- sync ---------------------------------------------------------------------------------

    def sync(self) -> int:
        settings = self.settings.load()
        account = settings.current
        if account is None:
            self.say(
                "No account is signed in on this computer. Sign in first: "
                f"{command_name()} sign-in --site URL --user NAME"
            )
            return EXIT_NOT_SIGNED_IN
        sign_in_again = (
            f"{command_name()} sign-in --site {account.site_url} --user {account.username}"
        )
        try:
            password = stored_password(self.credentials, account)
        except KeyringUnavailableError as error:
            self.say(f"{error.message} Reading the application password from standard input.")
            password = self._secret(f"Application password for {account.username}: ")
            if password is None:
                self.say("No application password was given.")
                return EXIT_NOT_SIGNED_IN
        if password is None:
            self.say(
                f"Signed out: no password is saved for {account.username} on "
                f"{account.site_url}. Sign in again: {sign_in_again}"
            )
            return EXIT_NOT_SIGNED_IN
        self.logs.redaction.add_secret(password)

        try:
            cache = self._open_cache(account)
        except (CacheError, KeyringUnavailableError) as error:
            self.say(f"The offline copy could not be opened: {error}")
            return EXIT_CACHE
        if cache is None:
            return EXIT_CACHE

        cancel = threading.Event()
        verbose = self.stderr.isatty()

        def progress(step: RoundProgress) -> None:
            if verbose:
                counts = f" ({step.done}/{step.total})" if step.total else ""
                print(f"  {step.message}{counts}", file=self.stderr)

        def one_round(client: SiteClient) -> RoundResult:
            return run_round(
                client,
                cache,
                progress=progress,
                cancel=cancel,
                author=account.user_id,
                author_name=account.display_name,
            )

        rounds: list[RoundResult] = []
        try:
            proxy = self.settings.load().proxy or None  # the only proxy used (see Settings)
            with SiteClient(account.site_url, account.username, password, proxy=proxy) as client:
                rounds.append(one_round(client))
                if rounds[0].flagged and rounds[0].ok and not cancel.is_set():
                    # New arrivals were flagged urgent after the round: send the flags now, so
                    # the rest of the team sees them without waiting for the next sync.
                    rounds.append(one_round(client))
            waiting = cache.outbox.count()
        except SyncUnavailableError as error:
            self.say(str(error))
            return EXIT_FAILED
        except SignedOutError:
            self.say(
                f"Signed out: the site no longer accepts the application password. "
                f"Sign in again: {sign_in_again}"
            )
            return EXIT_FAILED
        except UnreachableError as error:
            self.say(
                f"Site unreachable: {error.message} Changes waiting are kept on this "
                "computer and will be sent next time."
            )
            return EXIT_FAILED
        except SiteError as error:
            self.say(f"Sync failed: {error.message}")
            return EXIT_FAILED
        except CacheError as error:
            self.say(f"Sync failed: the offline copy: {error.message}")
            return EXIT_CACHE
        except KeyboardInterrupt:
            cancel.set()
            raise
        finally:
            cache.close()
            updated = self._keep_access(account, rounds)
        for n, done in enumerate(rounds):
            if n:
                print("Sending the urgent flags now:", file=self.stdout)
            for line in done.lines:
                print(line, file=self.stdout)
            for line in done.problems:
                print(f"Needs you: {line}", file=self.stdout)
        self._plugin_note(updated)
        result = rounds[-1]
        print(f"{waiting} change{'s' if waiting != 1 else ''} waiting to sync.", file=self.stdout)
        if result.outcome == "ok":
            return EXIT_OK
        reason = {
            "signed_out": "Signed out: the site no longer accepts the application password. "
            f"Sign in again: {sign_in_again}",
            "offline": "Site unreachable: changes waiting are kept on this computer and will "
            "be sent next time.",
            "busy": "Another sync of this account is running (is ClinicDesk open?). Nothing "
            "was done.",
            "cancelled": "The sync was cancelled.",
        }.get(result.outcome, "The sync stopped.")
        self.say(f"{reason} {result.detail}".strip())
        return EXIT_FAILED

    def _plugin_note(self, account: Account) -> None:
        """A note when the site's plugin is older than this app needs (nothing is refused)."""
        warning = about.plugin_warning(account.plugin_version) if account.has_plugin else None
        if warning:
            print(f"Note: {warning}", file=self.stdout)

    def _keep_access(self, account: Account, rounds: list[RoundResult]) -> Account:
        """Keep what the site said about the user with the account (a role changed on the site:
        the window opens with the right tabs next time), as signing in does.

        Returns:
            The account as the site now describes it.
        """
        updated = account
        for done in rounds:
            updated = account_after(updated, done)
        if updated == account:
            return updated
        try:
            self.settings.update(lambda s: s.update_account(updated))
        except OSError as error:
            self.say(f"What the site said about your account could not be saved: {error}")
            return updated
        logger.info("the account's capabilities on the site changed; kept")
        return updated

    def _open_cache(self, account: Account) -> Cache | None:
        """The account's cache, unlocked with the keyring's key or a passphrase; None if refused."""
        paths = self.data.account_paths(account)
        found = find_cache_key(self.credentials, paths)
        if not isinstance(found, PassphraseNeeded):
            return open_account_cache(paths, found.key)
        self.say(f"{found.reason} The offline copy is protected by a passphrase instead.")
        passphrase = self._secret("Passphrase of the offline copy: ")
        if passphrase is None:
            self.say("No passphrase was given.")
            return None
        if found.new:
            if len(passphrase) < MIN_PASSPHRASE_LENGTH:
                self.say(f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters.")
                return None
            if self.stdin.isatty() and self._secret("Type it again: ") != passphrase:
                self.say("The two passphrases differ.")
                return None
        return open_account_cache(paths, CacheKey.from_passphrase(passphrase))
