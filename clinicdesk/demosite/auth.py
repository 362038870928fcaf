"""Roles, capabilities and application passwords.

The role table is WordPress's ``populate_roles()`` plus what the ClinicDesk plugin adds
(``clinicdesk_intake`` and the two inquiry capabilities), so ``users/me?context=edit`` lists the
same capabilities a real site would.

Application passwords are random 24-character strings; only a salted PBKDF2 hash is stored. They
carry about 143 bits of entropy, so the hash does not need to be slow to be safe; a modest
iteration count keeps every authenticated request cheap.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import string
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clinicdesk.demosite.db import AppPassword, User

logger = logging.getLogger(__name__)

MANAGE_INQUIRIES = "clinicdesk_manage_inquiries"
DELETE_INQUIRIES = "clinicdesk_delete_inquiries"
INTAKE_ROLE = "clinicdesk_intake"

_LEVELS = {
    role: [f"level_{n}" for n in range(top, -1, -1)]
    for role, top in {"administrator": 10, "editor": 7, "author": 2, "contributor": 1}.items()
}

_CONTRIBUTOR = ["edit_posts", "read", "delete_posts"]
_AUTHOR = [
    *_CONTRIBUTOR,
    "upload_files",
    "edit_published_posts",
    "publish_posts",
    "delete_published_posts",
]
_EDITOR = [
    *_AUTHOR,
    "moderate_comments",
    "manage_categories",
    "manage_links",
    "unfiltered_html",
    "edit_others_posts",
    "edit_pages",
    "edit_others_pages",
    "edit_published_pages",
    "publish_pages",
    "delete_pages",
    "delete_others_pages",
    "delete_published_pages",
    "delete_others_posts",
    "delete_private_posts",
    "edit_private_posts",
    "read_private_posts",
    "delete_private_pages",
    "edit_private_pages",
    "read_private_pages",
    MANAGE_INQUIRIES,
    DELETE_INQUIRIES,
]
_ADMINISTRATOR = [
    *_EDITOR,
    "switch_themes",
    "edit_themes",
    "activate_plugins",
    "edit_plugins",
    "edit_users",
    "edit_files",
    "manage_options",
    "import",
    "delete_users",
    "create_users",
    "unfiltered_upload",
    "edit_dashboard",
    "update_plugins",
    "delete_plugins",
    "install_plugins",
    "update_themes",
    "install_themes",
    "update_core",
    "list_users",
    "remove_users",
    "promote_users",
    "edit_theme_options",
    "delete_themes",
    "export",
]

#: Role -> capabilities, as WordPress and the plugin define them.
ROLE_CAPS: dict[str, frozenset[str]] = {
    "administrator": frozenset(_ADMINISTRATOR + _LEVELS["administrator"]),
    "editor": frozenset(_EDITOR + _LEVELS["editor"]),
    "author": frozenset(_AUTHOR + _LEVELS["author"]),
    "contributor": frozenset(_CONTRIBUTOR + _LEVELS["contributor"]),
    "subscriber": frozenset(["read", "level_0"]),
    INTAKE_ROLE: frozenset(["read", MANAGE_INQUIRIES]),
}

#: Short role names accepted in seed files and used as keys of the printed credentials.
ROLE_ALIASES = {"intake": INTAKE_ROLE}
#: The roles the site prints credentials for, by short name.
PRINTED_ROLES = ("administrator", "editor", "author", "contributor", "intake")

_PBKDF2_ITERATIONS = 10_000
_ALPHABET = string.ascii_letters + string.digits
DEMO_PASSWORD_NAME = "ClinicDesk reference site"  # noqa: S105 - a label, not a secret


def role_name(role: str) -> str:
    """The stored role for a seed file's role (``intake`` -> ``clinicdesk_intake``)."""
    return ROLE_ALIASES.get(role, role)


def capabilities(role: str | None) -> frozenset[str]:
    """The capabilities a user of ``role`` holds (nothing for anonymous)."""
    return ROLE_CAPS.get(role, frozenset()) if role else frozenset()


def allcaps(role: str) -> dict[str, bool]:
    """``$user->allcaps`` as the REST API shows it: every capability and the role name -> true."""
    caps = dict.fromkeys(sorted(capabilities(role)), True)
    caps[role] = True
    return caps


def generate_password() -> str:
    """A new application password: 24 letters and digits (``wp_generate_password(24, false)``)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(24))


def chunked(password: str) -> str:
    """The password in groups of four, the way WordPress displays it."""
    return " ".join(password[i : i + 4] for i in range(0, len(password), 4))


def hash_password(password: str) -> str:
    """A salted PBKDF2-SHA256 hash in ``pbkdf2_sha256$iterations$salt$hash`` form."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _PBKDF2_ITERATIONS)
    return "$".join(
        [
            "pbkdf2_sha256",
            str(_PBKDF2_ITERATIONS),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        ]
    )


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``, compared in constant time."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def issue_password(session: Session, user: User, now: datetime) -> str:
    """Replace the reference site's application password of ``user`` with a new one.

    Only passwords the reference site made itself are replaced, so restarting on the same data
    folder does not pile up old passwords (each of which every sign-in would have to try).

    Returns:
        The new password in clear, to be printed once.
    """
    session.execute(
        delete(AppPassword).where(
            AppPassword.user_id == user.id, AppPassword.name == DEMO_PASSWORD_NAME
        )
    )
    password = generate_password()
    session.add(
        AppPassword(
            user_id=user.id,
            name=DEMO_PASSWORD_NAME,
            password_hash=hash_password(password),
            created_gmt=now,
        )
    )
    return password


def authenticate(session: Session, authorization: str | None) -> User | None:
    """The user an ``Authorization: Basic`` header signs in, or None.

    As in WordPress, anything wrong (no header, unknown user, wrong or normal password) gives
    None, and the request goes on as anonymous. The login may also be the user's email.
    Spaces (and any other non-alphanumeric characters) in the password are ignored.
    """
    if not authorization or not authorization[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    login, sep, password = decoded.partition(":")
    if not sep:
        return None
    password = re.sub(r"[^A-Za-z0-9]", "", password)
    user = session.scalar(select(User).where(User.login == login))
    if user is None and "@" in login:
        user = session.scalar(select(User).where(User.email == login))
    if user is None or not password:
        return None
    hashes = session.scalars(
        select(AppPassword.password_hash).where(AppPassword.user_id == user.id)
    )
    if any(check_password(password, stored) for stored in hashes):
        return user
    return None
