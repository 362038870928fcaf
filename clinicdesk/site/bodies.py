"""What the app sends: every request body and argument checked before anything goes on the wire.

A ``TypedDict`` says what the app means to send, but nothing checks it at run time: a caller's
typo or a wrong type would reach the site as a field WordPress silently ignores, or as a value it
refuses with a message the user cannot act on. So each body is built here from checked values,
and anything wrong raises :class:`ValueError` (a bug in the caller, never shown as the site's
fault). Ids that go into a URL path are checked too: only a positive int may (never
``12/../users``).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from datetime import datetime

from clinicdesk.model.records import (
    NOTE_KINDS,
    POST_STATUSES,
    TRIAGE_STATUSES,
    Consultation,
    InquiryTriage,
    NoteKind,
    PostFields,
    Taxonomy,
)
from clinicdesk.site.dates import format_gmt

__all__ = [
    "check_client_id",
    "check_id",
    "check_mime_type",
    "consultation_body",
    "note_body",
    "post_body",
    "term_body",
    "triage_body",
    "upload_filename",
]

_POST_FIELDS = frozenset(PostFields.__annotations__)
_TRIAGE_FIELDS = frozenset(InquiryTriage.__annotations__)
_CONSULTATION_FIELDS = frozenset(Consultation.__annotations__)
_MIME_RE = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$"
)


def check_id(record_id: int) -> int:
    """``record_id`` if it is a site id (a positive int), else ValueError."""
    # An id goes into the URL path: only a positive int may (never "12/../users").
    if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 1:
        raise ValueError(f"not a record id: {record_id!r}")
    return record_id


def check_client_id(client_id: str) -> str:
    """``client_id`` in the canonical UUID form, else ValueError."""
    try:
        return str(uuid.UUID(client_id))
    except (ValueError, TypeError, AttributeError):
        raise ValueError("client_id must be a UUID") from None


def check_mime_type(mime_type: str) -> str:
    """``mime_type`` if it looks like a MIME type (``image/jpeg``), else ValueError: it goes
    into a header."""
    if not _MIME_RE.match(mime_type):
        raise ValueError(f"not a MIME type: {mime_type!r}")
    return mime_type


def post_body(fields: PostFields) -> dict[str, object]:
    """The JSON body for a post create or update, checking what a TypedDict cannot at run time."""
    given: Mapping[str, object] = fields
    unknown = set(given) - _POST_FIELDS
    if unknown:
        raise ValueError(f"unknown post fields: {sorted(unknown)}")
    body: dict[str, object] = {}
    for key, value in given.items():
        if key == "date_gmt":
            if value is not None and not isinstance(value, datetime):
                raise ValueError("date_gmt must be a datetime or None")
            # None lets a draft's date float (WordPress sets it when the post is published).
            body[key] = None if value is None else format_gmt(value, zone=False)
        elif key == "status":
            if value not in POST_STATUSES:
                raise ValueError(f"unknown post status: {value!r}")
            body[key] = value
        elif key in ("categories", "tags"):
            if not isinstance(value, list | tuple):
                raise ValueError(f"{key} must be a list of ids")
            body[key] = [check_id(i) for i in value]
        else:
            body[key] = value
    return body


def triage_body(triage: InquiryTriage) -> dict[str, object]:
    """The JSON body of a triage change: the fields under ``meta`` (the others keep their value).

    Raises:
        ValueError: no field, an unknown field, or a value of the wrong type.
    """
    if not triage:
        raise ValueError("nothing to update")
    unknown = set(triage) - _TRIAGE_FIELDS
    if unknown:
        raise ValueError(f"unknown triage fields: {sorted(unknown)}")
    if "triage_status" in triage and triage["triage_status"] not in TRIAGE_STATUSES:
        raise ValueError(f"unknown triage status: {triage['triage_status']!r}")
    if "assignee" in triage:
        assignee = triage["assignee"]
        if isinstance(assignee, bool) or not isinstance(assignee, int) or assignee < 0:
            raise ValueError("assignee must be a user id, or 0 for nobody")
    given: Mapping[str, object] = triage
    for key in ("urgent", "unread"):
        if key in given and not isinstance(given[key], bool):
            raise ValueError(f"{key} must be true or false")
    return {"meta": dict(triage)}


def note_body(
    inquiry: int, kind: NoteKind, content: str, client_id: str, *, by_system: bool
) -> dict[str, object]:
    """The JSON body of a new note on ``inquiry``'s timeline.

    Raises:
        ValueError: unknown kind, empty content, or a client id that is not a UUID.
    """
    if kind not in NOTE_KINDS:
        raise ValueError(f"unknown note kind: {kind!r}")
    if not content.strip():
        raise ValueError("a note needs content")
    body: dict[str, object] = {
        "inquiry": check_id(inquiry),
        "kind": kind,
        "content": content,
        "client_id": check_client_id(client_id),
    }
    if by_system:  # only then: a plugin older than this field sees the same request
        body["by"] = "system"
    return body


def term_body(taxonomy: Taxonomy, name: str, parent: int | None) -> dict[str, object]:
    """The JSON body of a new category or tag (its name trimmed).

    Raises:
        ValueError: ``name`` is empty, or a parent for a tag (tags have no hierarchy).
    """
    name = name.strip()
    if not name:
        raise ValueError("a term needs a name")
    body: dict[str, object] = {"name": name}
    if parent:
        if taxonomy != "category":
            raise ValueError("only a category can have a parent")
        body["parent"] = check_id(parent)
    return body


def consultation_body(form: Consultation) -> dict[str, object]:
    """The JSON body of the public consultation form (the site checks the values).

    Raises:
        ValueError: an unknown field.
    """
    unknown = set(form) - _CONSULTATION_FIELDS
    if unknown:
        raise ValueError(f"unknown consultation fields: {sorted(unknown)}")
    return dict(form)


def upload_filename(filename: str) -> str:
    """An ASCII file name safe inside ``Content-Disposition`` (WordPress sanitizes it further)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-")
    if not safe or safe.startswith("."):
        safe = "upload"
    return safe[:200]
