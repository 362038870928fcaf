"""The one base class of the errors a user is meant to read.

Every known, expected failure (the site unreachable, a wrong passphrase, the keyring locked, the
account signed out...) derives from :class:`UserFacingError`, so the UI shows ``error.message``
without guessing whether an exception carries one; anything else is a bug for the crash handler.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """A known failure with a sentence for the user.

    Attributes:
        message: what happened and what to do, in plain language. Never a password, a key, or the
            text of an inquiry.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class KeyringUnavailableError(UserFacingError):
    """No usable OS keyring: none installed, locked, refused to open, or its service went away.

    It lives here, not with the keyring wrapper (:mod:`clinicdesk.session.credentials`), because
    the store meets it too: it is raised through the key holder the session hands the store.

    Attributes:
        message: a sentence for the user. Never contains a secret.
    """


def user_message(error: BaseException) -> str:
    """The sentence to show for ``error``: its ``message`` when it is user-facing, else its text.

    Args:
        error: any exception that reached the UI.

    Returns:
        The message for the user.
    """
    if isinstance(error, UserFacingError):
        return error.message
    return str(error)
