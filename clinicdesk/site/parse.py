"""The records of every answer: one parser per kind of record the site sends.

The site is a remote program the app does not control (a caching plugin, a firewall or a broken
theme may answer instead of WordPress), so a record is either built whole from checked values
(:class:`~clinicdesk.site.fields.FieldReader`) or not at all: the first problem raises
:class:`~clinicdesk.site.errors.InvalidResponseError` naming the record, its id (when it could be
read) and the field. A list is read all or nothing (:func:`many`) or record by record
(:func:`each`: the records the app cannot use come back apart, to be put aside).

Decoding the answer itself (JSON, error objects, page headers) is :mod:`clinicdesk.site.answers`;
dates are :mod:`clinicdesk.site.dates`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from clinicdesk.model.records import (
    CONTACT_METHODS,
    NOTE_KINDS,
    POST_STATUSES,
    SYSTEM_AUTHOR,
    TRIAGE_STATUSES,
    CurrentUser,
    Inquiry,
    Media,
    Note,
    Post,
    RefusedRecord,
    SiteInfo,
    StaffMember,
    Taxonomy,
    Term,
    User,
    Version,
)
from clinicdesk.site.dates import parse_gmt
from clinicdesk.site.errors import InvalidResponseError, NotWordPressError
from clinicdesk.site.fields import (
    CLIENT_ID,
    DISPLAY_NAME,
    LONGTEXT,
    MAX_INT,
    MIME,
    SHORT,
    SLUG,
    TEXT_BYTES,
    URL,
    USER_EMAIL,
    USER_LOGIN,
    USER_SLUG,
    FieldReader,
    expect_list,
    text_problem,
)

__all__ = [
    "clinic_states",
    "current_user",
    "deleted",
    "each",
    "inquiry",
    "many",
    "media",
    "new_id",
    "note",
    "post",
    "site_info",
    "staff_member",
    "term",
    "user",
    "version",
]

#: The plugin's declared version (``1.2.0``, ``1.2.0-beta.1``).
_PLUGIN_VERSION = re.compile(r"\d{1,6}(\.\d{1,6}){0,3}([-+][0-9A-Za-z.-]{1,40})?")
_PLUGIN_VERSION_LEN = 64

R = TypeVar("R")


def many(values: object, parse_one: Callable[[object], R], what: str) -> tuple[R, ...]:
    """Parse a JSON array of records with ``parse_one``; all or nothing."""
    return tuple(parse_one(item) for item in expect_list(values, f"a list of {what}"))


def each(
    values: object, parse_one: Callable[[object], R], what: str
) -> tuple[tuple[R, ...], tuple[RefusedRecord, ...]]:
    """Parse a JSON array of records with ``parse_one``, record by record.

    One record WordPress holds but ClinicDesk cannot use (an overlong field, a broken character)
    must not hide the others of its page: each is parsed on its own, and the refused ones come
    back apart, with what could still be read of them (their id and version, so the caller can
    put them aside and move its cursor past them).

    Raises:
        InvalidResponseError: ``values`` is not a list at all.
    """
    good: list[R] = []
    refused: list[RefusedRecord] = []
    for item in expect_list(values, f"a list of {what}"):
        try:
            good.append(parse_one(item))
        except InvalidResponseError as exc:
            refused.append(
                RefusedRecord(
                    kind=exc.record or what,
                    id=exc.record_id if exc.record_id is not None else _loose_id(item),
                    reason=exc.reason or exc.message,
                    modified_gmt=_loose_modified(item),
                )
            )
    return tuple(good), tuple(refused)


def _loose_id(item: object) -> int | None:
    """The id of a record that could not be read, when it is a plain positive id."""
    value = item.get("id") if isinstance(item, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_INT:
        return value
    return None


def _loose_modified(item: object) -> datetime | None:
    """The ``modified_gmt`` of a record that could not be read, when that field is sound."""
    value = item.get("modified_gmt") if isinstance(item, dict) else None
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return parse_gmt(value)
    except (ValueError, OverflowError):
        return None


def site_info(value: object) -> SiteInfo:
    """``GET /wp-json/``.

    Raises:
        NotWordPressError: not a JSON object listing the ``wp/v2`` namespace.
        InvalidResponseError: the index is WordPress's but a field is malformed.
    """
    namespaces = value.get("namespaces") if isinstance(value, dict) else None
    if not isinstance(namespaces, list) or "wp/v2" not in namespaces:
        raise NotWordPressError(
            "This address answers, but not as a WordPress site, or the site's REST API is turned "
            "off. Check the address, or ask whoever runs the site to turn the REST API on."
        )
    r = FieldReader.root(value, "site description", with_id=False)
    auth = r.raw("authentication") if r.has("authentication") else []
    return SiteInfo(
        name=r.text("name", max_len=LONGTEXT),
        description=r.text("description", max_len=LONGTEXT),
        url=r.text("url", max_len=URL),
        home=r.text("home", max_len=URL),
        namespaces=r.text_list("namespaces"),
        # "authentication" is [] (PHP's empty array) unless some method is available.
        application_passwords=isinstance(auth, dict) and "application-passwords" in auth,
        gmt_offset=r.number("gmt_offset"),
        timezone_string=r.text("timezone_string"),
        plugin_declared=_plugin_version(r.raw("clinicdesk_plugin_version"))
        if r.has("clinicdesk_plugin_version")
        else "",
    )


def _plugin_version(value: object) -> str:
    """The plugin's declared version when it looks like one (``1.2.0``), else "".

    Lenient on purpose: a strange value here must not stop anyone signing in; it only means the
    app cannot tell whether the plugin is recent enough.
    """
    if isinstance(value, str) and len(value) <= _PLUGIN_VERSION_LEN:
        text = value.strip()
        if _PLUGIN_VERSION.fullmatch(text):
            return text
    return ""


def current_user(value: object) -> CurrentUser:
    """``GET wp/v2/users/me?context=edit``."""
    r = FieldReader.root(value, "user")
    caps = r.obj("capabilities", empty_list_ok=True)
    granted = []
    for cap in caps.keys():
        if len(cap) > SHORT or text_problem(cap) is not None:
            r.fail("capabilities", "holds a capability name that is not valid")
        if caps.flag(cap):
            granted.append(cap)
    return CurrentUser(
        id=r.record_id,
        username=r.text("username", max_len=USER_LOGIN),
        name=r.text("name", max_len=DISPLAY_NAME),
        slug=r.text("slug", max_len=USER_SLUG),
        email=r.text("email", max_len=USER_EMAIL),
        roles=r.text_list("roles"),
        capabilities=frozenset(granted),
    )


def user(value: object) -> User:
    """One user of ``GET wp/v2/users`` (view context)."""
    r = FieldReader.root(value, "user")
    return User(
        id=r.record_id,
        name=r.text("name", max_len=DISPLAY_NAME),
        slug=r.text("slug", max_len=USER_SLUG),
    )


def staff_member(value: object) -> StaffMember:
    """One entry of ``GET clinicdesk/v1/staff``."""
    r = FieldReader.root(value, "staff member")
    return StaffMember(
        id=r.record_id,
        name=r.text("name", max_len=DISPLAY_NAME),
        slug=r.text("slug", max_len=USER_SLUG),
        roles=r.text_list("roles"),
    )


#: A USPS code: two capital letters.
_STATE_CODE = re.compile(r"^[A-Z]{2}$")


def clinic_states(value: object) -> tuple[str, ...]:
    """The ``states`` of ``GET clinicdesk/v1/settings``: USPS codes, each once, in order.

    Raises:
        InvalidResponseError: not an object with a list of two-letter codes.
    """
    r = FieldReader.root(value, "settings answer", with_id=False)
    states = r.text_list("states")
    if len(states) > 100 or any(not _STATE_CODE.match(code) for code in states):
        r.fail("states", "should list two-letter state codes")
    return tuple(dict.fromkeys(states))


def term(value: object, taxonomy: Taxonomy) -> Term:
    """A category or tag; refuses a term of another taxonomy than the one asked for."""
    r = FieldReader.root(value, "category" if taxonomy == "category" else "tag")
    got = r.choice("taxonomy", ("category", "post_tag"))
    if got != taxonomy:
        r.fail("taxonomy", f"is “{got}” where “{taxonomy}” was asked for")
    return Term(
        id=r.record_id,
        taxonomy=got,
        name=r.text("name", max_len=SLUG),
        slug=r.text("slug", max_len=SLUG),
        description=r.text("description", max_len=LONGTEXT),
        # Tags have no parent in WordPress's answer.
        parent=r.integer("parent") if taxonomy == "category" else 0,
        count=r.integer("count"),
    )


def media(value: object) -> Media:
    """An attachment of ``wp/v2/media`` in edit context."""
    r = FieldReader.root(value, "media item")
    details = r.obj("media_details", empty_list_ok=True)
    width = details.integer("width") if details.has("width") else None
    height = details.integer("height") if details.has("height") else None
    return Media(
        id=r.record_id,
        source_url=r.text("source_url", max_len=URL),
        mime_type=r.text("mime_type", max_len=MIME),
        media_type=r.text("media_type"),
        alt_text=r.text("alt_text", max_len=LONGTEXT),
        title=r.rendered_raw("title", max_len=TEXT_BYTES, max_bytes=TEXT_BYTES),
        date_gmt=r.date("date_gmt"),
        modified_gmt=r.date("modified_gmt"),
        width=width,
        height=height,
        # Without the companion plugin's registration WordPress sends ``meta: []`` here.
        client_id=_client_id(r) if r.has("meta") else None,
    )


def _client_id(r: FieldReader) -> str | None:
    # "meta" is [] on a site where no plugin registered post meta for REST; the key is absent when
    # the companion plugin is not active.
    meta = r.obj("meta", empty_list_ok=True)
    return meta.optional_text("clinicdesk_client_id", max_len=CLIENT_ID)


def post(value: object) -> Post:
    """A post in edit context (``title.raw`` etc. are required: view context is refused)."""
    r = FieldReader.root(value, "post")
    return Post(
        id=r.record_id,
        status=r.choice("status", POST_STATUSES),
        slug=r.text("slug", max_len=SLUG),
        # Computed from the title by WordPress (cut to 200 bytes, then made unique).
        generated_slug=r.text("generated_slug", max_len=SHORT),
        title=r.rendered_raw("title", max_len=TEXT_BYTES, max_bytes=TEXT_BYTES),
        content=r.rendered_raw("content", max_len=LONGTEXT),
        excerpt=r.rendered_raw("excerpt", max_len=LONGTEXT),
        author=r.integer("author"),
        featured_media=r.integer("featured_media"),
        categories=r.int_list("categories"),
        tags=r.int_list("tags"),
        date_gmt=r.optional_date("date_gmt"),
        modified_gmt=r.date("modified_gmt"),
        link=r.text("link", max_len=URL),
        client_id=_client_id(r),
    )


def inquiry(value: object) -> Inquiry:
    """An inquiry in edit context, its ``meta`` flattened into the record."""
    r = FieldReader.root(value, "inquiry")
    m = r.obj("meta")
    return Inquiry(
        id=r.record_id,
        status=r.choice("status", ("private", "trash")),
        date_gmt=r.date("date_gmt"),
        modified_gmt=r.date("modified_gmt"),
        # Post meta is LONGTEXT: the plugin caps what the form accepts, but anything written
        # another way (WP-CLI, another plugin) is still a valid inquiry to WordPress.
        first_name=m.text("first_name", max_len=LONGTEXT),
        last_name=m.text("last_name", max_len=LONGTEXT),
        email=m.text("email", max_len=LONGTEXT),
        phone=m.text("phone", max_len=LONGTEXT),
        preferred_contact=m.choice("preferred_contact", CONTACT_METHODS),
        state=m.text("state", max_len=LONGTEXT),
        insurance=m.text("insurance", max_len=LONGTEXT),
        reason=m.text("reason", max_len=LONGTEXT),
        message=m.text("message", max_len=LONGTEXT),
        consent=m.flag("consent"),
        received_gmt=m.date("received_gmt"),
        triage_status=m.choice("triage_status", TRIAGE_STATUSES),
        assignee=m.integer("assignee"),
        urgent=m.flag("urgent"),
        unread=m.flag("unread"),
    )


def note(value: object) -> Note:
    """One note of ``clinicdesk/v1/notes``."""
    r = FieldReader.root(value, "note")
    if not r.has("client_id"):
        r.fail("client_id", "is missing")
    # A plugin older than "by" leaves it out: then a person wrote the note.
    by_system = r.has("by") and r.choice("by", ("user", "system")) == "system"
    return Note(
        id=r.record_id,
        inquiry=r.integer("inquiry", minimum=1),
        author=SYSTEM_AUTHOR if by_system else r.integer("author"),
        author_name=r.text("author_name", max_len=DISPLAY_NAME),
        date_gmt=r.date("date_gmt"),
        kind=r.choice("kind", NOTE_KINDS),
        content=r.text("content", max_len=LONGTEXT),  # the notes table's LONGTEXT
        client_id=r.optional_text("client_id", max_len=CLIENT_ID),
    )


def version(value: object) -> Version:
    """One record of a ``_fields=id,modified_gmt`` sweep."""
    r = FieldReader.root(value, "record")
    return Version(id=r.record_id, modified_gmt=r.date("modified_gmt"))


def new_id(value: object) -> int:
    """``{"id": N}`` (the consultation form's answer)."""
    return FieldReader.root(value, "created record").record_id


def deleted(value: object) -> None:
    """``{"deleted": true, "previous": {...}}`` of a permanent delete.

    Raises:
        InvalidResponseError: the site did not confirm the deletion.
    """
    r = FieldReader.root(value, "deletion result", with_id=False)
    if not r.flag("deleted"):
        r.fail("deleted", "is false: the site did not confirm the deletion")
