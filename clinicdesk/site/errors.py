"""Typed errors of the site client.

Every failure talking to the site is one of these, each with a plain-language ``message`` a clinic
staff member can act on, and (when the site answered) WordPress's ``code`` and HTTP ``status``.
Nothing here ever carries a password or the text of an inquiry.
"""

from __future__ import annotations

from collections.abc import Mapping

from clinicdesk.model.errors import UserFacingError


class SiteError(UserFacingError):
    """Base of every error raised by :mod:`clinicdesk.site`.

    Attributes:
        message: a sentence for the user, saying what happened and what to do.
        code: WordPress's error code (``rest_post_invalid_id``...), when the site gave one.
        status: the HTTP status, when the site answered.
    """

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class InsecureURLError(SiteError):
    """The address would send credentials in clear (http:// to a non-loopback host), would send
    them to another host (a redirect), or is malformed."""


class UnreachableError(SiteError):
    """The site could not be reached: no network, DNS failure, connection refused or dropped."""


class TimedOutError(UnreachableError):
    """The site did not answer in time."""


class CancelledError(SiteError):
    """The caller cancelled (closing the window, Sync now, sign-out) while a request was on the
    wire or waiting to be retried. Not a failure of the site: nothing is wrong with it."""


class CertificateError(SiteError):
    """The site's TLS certificate could not be verified."""


class NotWordPressError(SiteError):
    """The address answers, but not as a WordPress site with its REST API turned on."""


class PluginMissingError(SiteError):
    """The site is WordPress but the ClinicDesk companion plugin is not active."""


class SignedOutError(SiteError):
    """401: no valid credentials (a wrong or revoked application password looks the same)."""


class ForbiddenError(SiteError):
    """403: signed in, but this user may not do this."""


class NotFoundError(SiteError):
    """404: the record (or route) does not exist, e.g. it was deleted permanently."""


class GoneError(SiteError):
    """410: already in the trash (``rest_already_trashed``)."""


class RejectedError(SiteError):
    """400 (and other 4xx not listed above): the site refused the request as it is.

    Attributes:
        params: for ``rest_invalid_param`` / ``rest_missing_callback_param``, the names of the
            fields the site complained about, each with the site's reason ("" when none given).
        data: the ``data`` object of the error, for codes that carry more (``term_exists`` has
            ``term_id``).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.params: dict[str, str] = dict(params or {})
        self.data: dict[str, object] = dict(data or {})


class RateLimitedError(SiteError):
    """429: too many requests; ``retry_after`` is the number of seconds the site asked to wait."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class ServerError(SiteError):
    """5xx: the site failed (after the retries the client makes)."""


class InvalidResponseError(SiteError):
    """The site answered something that is not what the contract says: bad JSON, an HTML page,
    a missing field or a wrong type. Nothing from such an answer is used.

    Attributes:
        record: the kind of record that was malformed ("post", "inquiry"...), when known.
        record_id: its id, when it could be read.
        field: the dotted name of the faulty field (``title.raw``, ``meta.email``), when known.
        reason: what is wrong with that one record, in a few words for the user ("its field
            “title.raw” is too long (...)"), when a single record was at fault. Never a value
            of an inquiry's field.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        record: str | None = None,
        record_id: int | None = None,
        field: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.record = record
        self.record_id = record_id
        self.field = field
        self.reason = reason


class OutcomeUnknownError(SiteError):
    """A create was sent but its answer was lost (timeout, dropped connection, 5xx).

    The record may or may not exist on the site. The client never re-sends such a create on its
    own; the caller looks it up by its client id (``find_post_by_client_id``) before trying again.

    Attributes:
        client_id: the UUID the create carried.
    """

    def __init__(self, message: str, *, client_id: str, cause: SiteError | None = None) -> None:
        super().__init__(
            message, code=cause.code if cause else None, status=cause.status if cause else None
        )
        self.client_id = client_id
        self.cause = cause
