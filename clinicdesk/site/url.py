"""The site's address: what the user may type, and where credentials may be sent.

Every request carries the user's application password, so the rules here are checked when the
address is entered (:func:`normalize_site_url`) and again before every request and every redirect
(:func:`check_request_url`): ``https://`` always, ``http://`` only to this computer itself.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit, urlunsplit

from clinicdesk.site.errors import InsecureURLError

__all__ = ["check_request_url", "is_loopback_host", "normalize_site_url", "origin_of"]

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Addresses people paste from their browser's address bar while signed in to WordPress. None of
# these can be the root of a site (WordPress reserves the names), so dropping them is safe.
_WORDPRESS_SUFFIXES = ("/wp-json", "/wp-admin", "/wp-login.php")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_USERINFO_MESSAGE = (
    "The address must not contain a user name or password (the part before “@”). "
    "ClinicDesk asks for your user name and application password separately."
)


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names this computer: ``localhost``, ``127.0.0.0/8`` or ``::1``.

    Only these may be reached over plain ``http://``: traffic to them never leaves the machine.
    Other names that usually resolve to loopback (``foo.localhost``, IPv4-mapped addresses) are not
    accepted, because nothing guarantees how they resolve.

    Args:
        host: a host name or IP address, IPv6 with or without brackets, any case.
    """
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_for_url(host: str) -> str:
    """The host as it goes back into a URL (IPv6 addresses need brackets)."""
    return f"[{host}]" if ":" in host else host


def _split(text: str) -> SplitResult:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - urllib validates the port lazily; make it raise here.
    except ValueError as exc:
        raise InsecureURLError(
            f"“{text}” is not a valid web address. Type it as it appears in your browser, "
            "for example https://clinic.example."
        ) from exc
    return parts


def _check_parts(parts: SplitResult, shown: str) -> None:
    """Enforce the scheme, userinfo and host rules shared by typed and requested addresses."""
    if "@" in parts.netloc:
        raise InsecureURLError(_USERINFO_MESSAGE)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InsecureURLError(
            f"“{shown}” is not a website address ClinicDesk can use: it must start with https://."
        )
    host = parts.hostname or ""
    if not host:
        raise InsecureURLError(f"“{shown}” has no website name in it.")
    if scheme == "http" and not is_loopback_host(host):
        raise InsecureURLError(
            f"“{shown}” uses http://, which would send your password unencrypted over the "
            "internet. Use the https:// address of the site."
        )


def normalize_site_url(text: str) -> str:
    """Turn what the user typed into the canonical site address, or explain what is wrong.

    Accepts ``clinic.example``, ``https://clinic.example/``, ``https://clinic.example/wp-json/``
    or a WordPress installed in a folder (``https://clinic.example/blog``). Adds ``https://``
    when no scheme is given, lower-cases the scheme and host, drops a default port and a
    trailing ``/wp-json``, ``/wp-admin`` or ``/wp-login.php``.

    Args:
        text: the address as typed.

    Returns:
        ``scheme://host[:port][/path]`` with no trailing slash, e.g. ``https://clinic.example``.

    Raises:
        InsecureURLError: empty, malformed, not http(s), user name or password in the address,
            no host, ``http://`` to anything but this computer, or a query or fragment.
    """
    shown = text.strip()
    if not shown:
        raise InsecureURLError("Type the address of the clinic's website, e.g. clinic.example.")
    if any(ch.isspace() for ch in shown) or "\\" in shown:
        raise InsecureURLError(f"“{shown}” is not a valid web address: it contains spaces.")
    candidate = shown if _SCHEME_RE.match(shown) else "https://" + shown
    if "@" in candidate.split("://", 1)[1].split("/", 1)[0]:
        # Checked before anything else so that no message below repeats a typed password.
        raise InsecureURLError(_USERINFO_MESSAGE)
    parts = _split(candidate)
    _check_parts(parts, shown)
    if parts.query or parts.fragment or candidate.endswith(("?", "#")):
        raise InsecureURLError(
            f"“{shown}” has a “?” or “#” part. Type only the site's address, e.g. "
            "https://clinic.example."
        )
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = _host_for_url(host)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = parts.path.rstrip("/")
    lowered = path.lower()
    for suffix in _WORDPRESS_SUFFIXES:
        if lowered.endswith(suffix):
            path = path[: -len(suffix)].rstrip("/")
            break
    return urlunsplit((scheme, netloc, path, "", ""))


def origin_of(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of ``url``, with the default port filled in.

    Raises:
        InsecureURLError: the URL cannot be parsed.
    """
    parts = _split(url)
    scheme = parts.scheme.lower()
    port = parts.port if parts.port is not None else _DEFAULT_PORTS.get(scheme, 0)
    return scheme, (parts.hostname or "").lower(), port


def check_request_url(url: str, site_url: str) -> None:
    """Refuse to send a request (with credentials) to ``url`` unless it is safe.

    Called before every request, including each redirect the client is asked to follow: the
    target must obey the same rules as the site address, and must be the site itself (same host
    and port; ``http`` to ``https`` on the same host is an upgrade and allowed, the reverse is not).

    Args:
        url: the full URL about to be requested.
        site_url: the normalized site address the client was created with.

    Raises:
        InsecureURLError: the target is not https (or loopback http), has a user name or password
            in it, or is not the site.
    """
    parts = _split(url)
    _check_parts(parts, _without_query(url))
    scheme, host, port = origin_of(url)
    site_scheme, site_host, site_port = origin_of(site_url)
    same = (scheme, host, port) == (site_scheme, site_host, site_port)
    # A real site upgrades to port 443; a loopback test server may upgrade in place.
    upgrade = (
        site_scheme == "http"
        and scheme == "https"
        and host == site_host
        and port in (443, site_port)
    )
    if not (same or upgrade):
        raise InsecureURLError(
            f"ClinicDesk was sent to {_without_query(url)}, which is not the site "
            f"{site_url}. Your password was not sent there. If the site has moved, change its "
            "address in the settings."
        )


def _without_query(url: str) -> str:
    """``url`` without its query and fragment, which may hold personal data (a search, an id)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an invalid address)"
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
