"""Who an account is: the site's identity and the stable id of one user on one site.

A value both the session room (keyring entries, the account list) and the store (the account's
folder, :class:`clinicdesk.store.paths.AccountPaths` takes it as a value) speak, so it lives in the
vocabulary. Standard library only.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

_SAFE = re.compile(r"[^a-z0-9._-]+")


def _slug(text: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SAFE.sub("-", ascii_text.lower()).strip(".-_")[:limit] or "x"


def normalize_site(site_url: str) -> str:
    """The site's identity for account ids: host (lower case), non-default port and path.

    The scheme is left out on purpose (a site moved from http to https on loopback is the same
    site), as are a trailing slash, the query and the fragment.

    Args:
        site_url: the address the user typed, with or without a scheme.
    """
    parts = urlsplit(site_url if "//" in site_url else f"//{site_url}")
    host = (parts.hostname or "").lower()
    port = parts.port
    default_port = {"https": 443, "http": 80}.get(parts.scheme.lower())
    netloc = host if port is None or port == default_port else f"{host}:{port}"
    return netloc + parts.path.rstrip("/")


def account_id(site_url: str, username: str) -> str:
    """A stable, filesystem-safe id for one user on one site.

    Readable for support (``clinic.example.org-jane-1a2b3c4d``) and unique: the hash covers the
    exact normalized site and the lower-cased login name (WordPress logins are case-insensitive),
    so two sites or users that sanitize to the same words still get different ids.

    Args:
        site_url: the site's address.
        username: the WordPress login name.
    """
    site = normalize_site(site_url)
    user = username.strip().lower()
    digest = hashlib.sha256(f"{site}\n{user}".encode()).hexdigest()[:8]
    return f"{_slug(site, 60)}-{_slug(user, 40)}-{digest}"
