"""Checking a sign-in against the site, and what to tell the user when it fails. No Qt.

The dialog and ``main.py sign-in`` share this: :func:`verify_sign_in` asks the site who the user is
(``GET /wp-json/`` then ``GET wp/v2/users/me``); :func:`classify` sorts a failure into the few
cases the user can act on differently. The dialog words each case through ``tr()``; the headless
command uses :data:`PLAIN_MESSAGES`.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from clinicdesk.session.accounts import Account
from clinicdesk.session.credentials import CredentialStore, KeyringUnavailableError
from clinicdesk.site import (
    CertificateError,
    CurrentUser,
    InsecureURLError,
    NotWordPressError,
    SignedOutError,
    SiteClient,
    SiteError,
    SiteInfo,
    UnreachableError,
    is_loopback_host,
    normalize_site_url,
)

logger = logging.getLogger(__name__)


class SignInProblem(enum.Enum):
    """Why a sign-in failed, in the terms the user can act on."""

    INSECURE_HTTP = "insecure-http"  # http:// to another computer: refused before sending
    BAD_ADDRESS = "bad-address"  # not a usable web address
    UNREACHABLE = "unreachable"  # no answer: offline, wrong name, site down, closed port
    NOT_WORDPRESS = "not-wordpress"  # answers, but no WordPress REST API
    WRONG_PASSWORD = "wrong-password"  # noqa: S105 (401: wrong user name or app password)
    CERTIFICATE = "certificate"  # TLS certificate not trusted
    OTHER = "other"  # anything else the site said (its message is shown)


#: The headless command's wording of each problem (the dialog has its own, translated).
PLAIN_MESSAGES: dict[SignInProblem, str] = {
    SignInProblem.INSECURE_HTTP: (
        "Refused: the address uses plain http:// to another computer, which would send your "
        "password unencrypted. Use the site's https:// address."
    ),
    SignInProblem.BAD_ADDRESS: "That is not a web address ClinicDesk can use.",
    SignInProblem.UNREACHABLE: (
        "The site could not be reached. Check the address and your internet connection."
    ),
    SignInProblem.NOT_WORDPRESS: (
        "This address is not a WordPress site, or the site's REST API is turned off."
    ),
    SignInProblem.WRONG_PASSWORD: (
        "Wrong username or application password. Use an Application Password "
        "(Users > Profile > Application Passwords), not your normal WordPress password."
    ),
    SignInProblem.CERTIFICATE: (
        "The site's security certificate could not be verified, so ClinicDesk did not send your "
        "password. Check the address; if it is right, ask whoever runs the site to fix its "
        "certificate."
    ),
    SignInProblem.OTHER: "The site refused the sign-in.",
}


def classify(error: SiteError, typed_address: str) -> SignInProblem:
    """The kind of sign-in failure ``error`` is.

    Args:
        error: what the site client raised.
        typed_address: the address as the user typed it (to tell plain http apart from other
            address problems).
    """
    if isinstance(error, InsecureURLError):
        text = typed_address.strip()
        if text.lower().startswith("http://"):
            try:
                host = urlsplit(text).hostname or ""
            except ValueError:
                host = ""
            if host and not is_loopback_host(host):
                return SignInProblem.INSECURE_HTTP
        return SignInProblem.BAD_ADDRESS
    if isinstance(error, CertificateError):
        return SignInProblem.CERTIFICATE
    if isinstance(error, UnreachableError):
        return SignInProblem.UNREACHABLE
    if isinstance(error, NotWordPressError):
        return SignInProblem.NOT_WORDPRESS
    if isinstance(error, SignedOutError):
        return SignInProblem.WRONG_PASSWORD
    return SignInProblem.OTHER


@dataclass(frozen=True, slots=True)
class SignInResult:
    """A checked sign-in.

    Attributes:
        account: the account, with the names the site gave.
        info: what the site said about itself.
        me: the signed-in user and their capabilities.
        password_saved: whether the password is now in the OS keyring.
        keyring_problem: why it is not, for the user ("No secure keyring is available..."), or None.
    """

    account: Account
    info: SiteInfo
    me: CurrentUser
    password_saved: bool
    keyring_problem: str | None


ClientFactory = Callable[[str, str, str], SiteClient]


def check_credentials(
    site_text: str,
    username: str,
    password: str,
    *,
    client_factory: ClientFactory = SiteClient,
) -> tuple[Account, SiteInfo, CurrentUser]:
    """Ask the site whether these credentials work. Runs on a worker thread (network).

    Raises:
        SiteError: the address is refused, the site cannot be reached, is not WordPress, or does
            not accept the credentials (see :func:`classify`).
        ValueError: the user name or password is empty.
    """
    username = username.strip()
    if not username or not password.strip():
        raise ValueError("empty username or password")
    site_url = normalize_site_url(site_text)
    with client_factory(site_url, username, password) as client:
        info = client.discover()
        me = client.me()
    logger.info("sign-in checked: %s has plugin=%s", site_url, info.has_plugin)
    account = Account(
        site_url,
        username,
        me.name,
        info.name,
        user_id=me.id,
        capabilities=me.capabilities,
        has_plugin=info.has_plugin,
        plugin_version=info.plugin_version,
    )
    return account, info, me


def sign_in(
    site_text: str,
    username: str,
    password: str,
    credentials: CredentialStore,
    *,
    client_factory: ClientFactory = SiteClient,
) -> SignInResult:
    """Check the credentials with the site, then keep the password in the OS keyring.

    Nothing is stored unless the site accepted the credentials. When no keyring can be used the
    sign-in still succeeds: the password is then kept only in memory by the caller, and
    ``keyring_problem`` says why.

    Raises:
        SiteError: see :func:`check_credentials`.
    """
    account, info, me = check_credentials(
        site_text, username, password, client_factory=client_factory
    )
    try:
        credentials.set_app_password(account.site_url, account.username, password)
    except KeyringUnavailableError as error:
        return SignInResult(account, info, me, password_saved=False, keyring_problem=error.message)
    return SignInResult(account, info, me, password_saved=True, keyring_problem=None)
