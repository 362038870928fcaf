"""The consultation form's rules, shared by the REST endpoint and the /consultation/ page.

The reference site's copy of the plugin's ``clinicdesk_consultation_check()`` and timing token
(resources/wordpress/clinicdesk/includes/consultation.php): one validation for both ways in,
answering a code per invalid field that the form turns into a message in its language.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

from clinicdesk.demosite.schema import is_boolean, is_email, to_boolean
from clinicdesk.model.records import CONSULTATION_TEXT_FIELDS, CONTACT_METHODS
from clinicdesk.model.states import STATE_NAMES

#: The USPS codes the contract accepts (:data:`~clinicdesk.model.states.STATE_NAMES`).
STATES = tuple(STATE_NAMES)
#: The plugin's default lists (CLINICDESK_DEFAULT_*).
DEFAULT_STATES = ("TX",)
DEFAULT_INSURERS = (
    "Aetna",
    "Blue Cross Blue Shield",
    "Cigna",
    "Medicaid",
    "Medicare",
    "UnitedHealthcare",
    "Self-pay",
)
DEFAULT_REASONS = (
    "Anxiety",
    "Depression",
    "Relationships",
    "Trauma",
    "Grief and loss",
    "Stress at work or school",
)
DEFAULT_MIN_SECONDS = 3
#: How long a timing token is accepted (the plugin's CLINICDESK_FORM_TOKEN_LIFETIME).
TOKEN_LIFETIME = 12 * 3600

_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "insurance": 100,
    "reason": 200,
    "message": 5000,
}
_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")


def sanitize_line(value: str) -> str:
    """One line: control characters (line breaks too) become spaces; trimmed."""
    return _LINE_CONTROLS.sub(" ", value).strip()


def sanitize_text(value: str) -> str:
    """Several lines: line breaks normalised to ``\\n``, other control characters dropped."""
    return _TEXT_CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


@dataclass
class FormCheck:
    """What :func:`check_form` found.

    Attributes:
        values: the sanitised fields (``consent`` True).
        missing: the required fields that were not sent at all.
        errors: field -> code (``required``, ``email``, ``too_long``, ``choice``, ``consent``,
            ``phone_required``, ``invalid``).
    """

    values: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the request may become an inquiry."""
        return not self.missing and not self.errors


def check_form(params: dict[str, Any]) -> FormCheck:
    """The one validation of a consultation request (REST and the plain form POST)."""
    result = FormCheck()
    result.missing = [n for n in ("first_name", "email", "consent") if params.get(n) is None]
    values = result.values
    errors = result.errors
    for name in CONSULTATION_TEXT_FIELDS:
        raw = params.get(name)
        raw = "" if raw is None else raw
        if not isinstance(raw, str):
            errors[name] = "invalid"
            continue
        value = sanitize_text(raw) if name == "message" else sanitize_line(raw)
        if name in _LIMITS and len(value) > _LIMITS[name]:
            errors[name] = "too_long"
        values[name] = value
    if "first_name" not in errors and params.get("first_name") is not None:
        if values["first_name"] == "":
            errors["first_name"] = "required"
    if "email" not in errors and params.get("email") is not None:
        if values["email"] == "":
            errors["email"] = "required"
        elif not is_email(values["email"]):
            errors["email"] = "email"
    if "preferred_contact" not in errors:
        values["preferred_contact"] = values["preferred_contact"] or "email"
        if values["preferred_contact"] not in CONTACT_METHODS:
            errors["preferred_contact"] = "choice"
        elif values["preferred_contact"] != "email" and not values.get("phone"):
            errors.setdefault("phone", "phone_required")
    if "state" not in errors and values["state"] and values["state"] not in STATES:
        errors["state"] = "choice"
    consent = params.get("consent")
    if consent is not None and not (is_boolean(consent) and to_boolean(consent)):
        errors["consent"] = "consent"
    values["consent"] = True
    return result


def rest_message(name: str, code: str) -> str:
    """The REST message for an invalid field (the plugin's clinicdesk_consultation_rest_message)."""
    if code == "consent":
        return f"{name} must be true."
    if code == "phone_required":
        return f"{name} is required when preferred_contact is phone or text."
    if code == "too_long":
        return f"{name} is too long."
    return f"{name} is not valid."


def form_token(secret: bytes, issued: int) -> str:
    """The signed timing token for a form handed out at Unix time ``issued``."""
    digest = hmac.new(secret, f"clinicdesk-form|{issued}".encode(), hashlib.sha256).hexdigest()
    return f"{issued}.{digest[:32]}"


_TOKEN = re.compile(r"^(\d{1,12})\.([0-9a-f]{32})$")


def token_problem(secret: bytes, token: Any, now: int, min_seconds: int) -> str:
    """'' for a good token old enough, else ``too_fast`` or ``expired`` (also forged/garbled)."""
    match = _TOKEN.match(token) if isinstance(token, str) else None
    if match is None:
        return "expired"
    issued = int(match.group(1))
    if not hmac.compare_digest(form_token(secret, issued), token):
        return "expired"
    age = now - issued
    if age < -60 or age > TOKEN_LIFETIME:
        return "expired"
    return "too_fast" if age < min_seconds else ""
