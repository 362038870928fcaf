"""What went wrong on the wire, as a typed error with a sentence a clinic staff member can act on.

:func:`classify` maps requests' exceptions to a :class:`Failure` (the error, whether the request
may have reached the site, whether trying again could help); :func:`error_for_status` maps a
non-2xx answer (WordPress's JSON error when there is one) to its
:class:`~clinicdesk.site.errors.SiteError`. :func:`release` drops what a requests exception
keeps alive (the connection pool, the request with its ``Authorization`` header).
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Mapping
from dataclasses import dataclass

import requests
from urllib3.exceptions import NewConnectionError, ReadTimeoutError

from clinicdesk.site.answers import Answer, error_payload
from clinicdesk.site.errors import (
    CancelledError,
    CertificateError,
    ForbiddenError,
    GoneError,
    InsecureURLError,
    InvalidResponseError,
    NotFoundError,
    NotWordPressError,
    RateLimitedError,
    RejectedError,
    ServerError,
    SignedOutError,
    SiteError,
    TimedOutError,
    UnreachableError,
)
from clinicdesk.site.timing import parse_retry_after

__all__ = [
    "Failure",
    "cancelled",
    "classify",
    "error_for_status",
    "release",
    "timed_out",
    "too_large",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """One attempt failed before a complete answer arrived.

    Attributes:
        error: the typed error to raise if this is final.
        sent: whether the request may have reached the site (False only when the connection
            could not be opened, or the certificate was refused).
        retryable: whether trying again could help.
    """

    error: SiteError
    sent: bool
    retryable: bool


def too_large(limit: int) -> InvalidResponseError:
    return InvalidResponseError(
        f"The site sent an answer larger than ClinicDesk accepts (over {limit:,} bytes), so it "
        "was not read. Something on the site is misbehaving."
    )


def timed_out() -> TimedOutError:
    return TimedOutError(
        "The site did not answer in time. It may be busy or down; ClinicDesk will try again later."
    )


def cancelled() -> CancelledError:
    return CancelledError("Stopped: the sync was cancelled.")


def release(exc: BaseException) -> None:
    """Drop the locals of the frames in ``exc``'s tracebacks (and its chained exceptions').

    urllib3 keeps the failing exception in a local of the frame it was raised through, a
    reference cycle only the garbage collector breaks. Until then the cycle holds the connection
    pool, so closing the session would leave its sockets open (urllib3 closes a pool's sockets
    when the pool is freed), and it holds the request with its Authorization header.
    """
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += current.args


def classify(exc: requests.RequestException) -> Failure:
    """Map a requests exception to a typed error and whether the request may have been sent."""
    if isinstance(exc, requests.exceptions.SSLError):
        return Failure(
            error=CertificateError(
                "The site's security certificate could not be verified, so ClinicDesk did not "
                "connect. The certificate may have expired, or the address may be wrong. If the "
                "clinic uses its own certificate authority, set its file in the settings."
            ),
            sent=False,
            retryable=False,
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure(error=timed_out(), sent=False, retryable=True)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return Failure(error=timed_out(), sent=True, retryable=True)
    if isinstance(exc, requests.exceptions.ProxyError):
        return Failure(
            error=UnreachableError(
                "ClinicDesk could not reach the proxy server set up on this computer. Check the "
                "network settings."
            ),
            sent=False,
            retryable=True,
        )
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
        return Failure(
            error=InsecureURLError("The site address is not valid. Check it in the settings."),
            sent=False,
            retryable=False,
        )
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return Failure(
            error=InvalidResponseError(
                "The site's answer was damaged (it could not be decompressed)."
            ),
            sent=True,
            retryable=True,
        )
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, ReadTimeoutError):  # raised while streaming the body
        return Failure(error=timed_out(), sent=True, retryable=True)
    if isinstance(getattr(reason, "reason", None), NewConnectionError):
        # The connection was never opened (refused, no route, name not found): nothing was sent.
        return Failure(
            error=UnreachableError(
                "ClinicDesk could not reach the site. Check the internet connection and the site "
                "address; the site may also be down."
            ),
            sent=False,
            retryable=True,
        )
    return Failure(
        error=UnreachableError(
            "The connection to the site was lost before it finished answering. Check the "
            "internet connection; ClinicDesk will try again."
        ),
        sent=True,
        retryable=True,
    )


def _rate_limited_message(wait: float | None) -> str:
    if wait is None:
        return "The site asked ClinicDesk to slow down. Try again in a few minutes."
    return f"The site asked ClinicDesk to slow down. Try again in {_duration(wait)}."


def _duration(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 120:
        return f"{whole} second{'s' if whole != 1 else ''}"
    return f"{math.ceil(whole / 60)} minutes"


def _params_of(data: Mapping[str, object]) -> dict[str, str]:
    """``data.params`` of ``rest_invalid_param`` ({name: reason}) or
    ``rest_missing_callback_param`` ([names])."""
    raw = data.get("params")
    if isinstance(raw, dict):
        return {str(k)[:200]: (v[:1000] if isinstance(v, str) else "") for k, v in raw.items()}
    if isinstance(raw, list):
        return {str(name)[:200]: "" for name in raw if isinstance(name, str)}
    return {}


def error_for_status(answer: Answer, *, now: float) -> SiteError:
    """The typed error for a non-2xx answer (WordPress's JSON error when there is one).

    Args:
        answer: the answer.
        now: the current Unix time, to read a ``Retry-After`` date.
    """
    status = answer.status
    payload = error_payload(answer.body, answer.content_type)
    code = payload.code if payload else None
    said = payload.message.strip() if payload and payload.message else ""
    detail = f" The site said: “{said}”" if said else ""
    if status == 401:
        return SignedOutError(
            "The site did not accept your sign-in: you are signed out, or the application "
            "password was revoked. Sign in again.",
            code=code,
            status=status,
        )
    if status == 403:
        return ForbiddenError(
            f"Your account on the site is not allowed to do this.{detail}",
            code=code,
            status=status,
        )
    if status == 404:
        if payload is None:
            return NotWordPressError(
                "The site has no REST API at this address (it answered “not found” with a web "
                "page). Check the address, and that the site uses pretty permalinks.",
                status=status,
            )
        if code == "rest_no_route":
            return NotFoundError(
                "The site does not offer this feature: a plugin may be missing or inactive.",
                code=code,
                status=status,
            )
        return NotFoundError(
            "This item is not on the site any more: it may have been deleted for good.",
            code=code,
            status=status,
        )
    if status == 410:
        return GoneError("This item is already in the site's trash.", code=code, status=status)
    if status == 429:
        wait = parse_retry_after(answer.headers.get("Retry-After"), now)
        return RateLimitedError(_rate_limited_message(wait), code=code, retry_after=wait)
    if 400 <= status < 500:
        data = payload.data if payload else {}
        return RejectedError(
            f"The site refused this request (error {status}).{detail}",
            code=code,
            status=status,
            params=_params_of(data),
            data=data,
        )
    if 500 <= status < 600:
        return ServerError(
            f"The site ran into a problem (error {status}). Try again in a few minutes; if it "
            "keeps happening, tell whoever looks after the website.",
            code=code,
            status=status,
        )
    return InvalidResponseError(
        f"The site gave an answer ClinicDesk does not understand (status {status}).",
        status=status,
    )
