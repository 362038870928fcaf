"""Typed records exchanged with the site (see ``docs/site-api.md``).

Records coming *from* the site are frozen dataclasses built only by :mod:`clinicdesk.site.parse`
after validation, so the rest of the app can trust every field's type. Writes going *to* the site
are ``TypedDict``s with only the fields being changed (WordPress updates are partial).

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Literal, TypedDict, TypeVar

PostStatus = Literal["publish", "future", "draft", "pending", "private", "trash"]
POST_STATUSES: tuple[PostStatus, ...] = (
    "publish",
    "future",
    "draft",
    "pending",
    "private",
    "trash",
)
#: Statuses whose edits are kept off the site until the user clicks Update (as in WordPress,
#: where a published post's changes reach the site only then). Drafts and pending posts sync
#: as they are typed: they are not public.
LIVE_STATUSES: frozenset[PostStatus] = frozenset({"publish", "future", "private"})

TriageStatus = Literal["new", "contacted", "scheduled", "referred", "closed", "spam"]
TRIAGE_STATUSES: tuple[TriageStatus, ...] = (
    "new",
    "contacted",
    "scheduled",
    "referred",
    "closed",
    "spam",
)

ContactMethod = Literal["email", "phone", "text"]
CONTACT_METHODS: tuple[ContactMethod, ...] = ("email", "phone", "text")

NoteKind = Literal["note", "status", "assign", "urgent", "acknowledge"]
NOTE_KINDS: tuple[NoteKind, ...] = ("note", "status", "assign", "urgent", "acknowledge")

Taxonomy = Literal["category", "post_tag"]

#: The capability the companion plugin gives to those who may see and triage inquiries.
CAP_MANAGE_INQUIRIES = "clinicdesk_manage_inquiries"
#: The capability to delete inquiries (administrators and editors only).
CAP_DELETE_INQUIRIES = "clinicdesk_delete_inquiries"

#: The version of a plugin that is active but does not declare one: 1.0.0 was the only version
#: before ``clinicdesk_plugin_version`` was added to the REST index (see docs/site-api.md).
UNDECLARED_PLUGIN_VERSION = "1.0.0"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What ``GET /wp-json/`` says about the site."""

    name: str
    description: str
    url: str
    home: str
    namespaces: tuple[str, ...]
    application_passwords: bool
    gmt_offset: float
    timezone_string: str
    #: ``clinicdesk_plugin_version`` of the index as the plugin declares it, or "" (an older
    #: plugin that does not say, no plugin, or a value that is not a version number).
    plugin_declared: str = ""

    @property
    def has_plugin(self) -> bool:
        """True when the ClinicDesk companion plugin is active (inquiries are available)."""
        return "clinicdesk/v1" in self.namespaces

    @property
    def plugin_version(self) -> str:
        """The plugin's version: what it declares, ``UNDECLARED_PLUGIN_VERSION`` when it is
        active but says nothing, "" when it is not active."""
        if not self.has_plugin:
            return ""
        return self.plugin_declared or UNDECLARED_PLUGIN_VERSION


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The signed-in user (``GET wp/v2/users/me?context=edit``)."""

    id: int
    username: str
    name: str
    slug: str
    email: str
    roles: tuple[str, ...]
    capabilities: frozenset[str]

    def can(self, capability: str) -> bool:
        """Whether the user holds ``capability`` (e.g. ``publish_posts``)."""
        return capability in self.capabilities


@dataclass(frozen=True, slots=True)
class User:
    """A user as listed by ``wp/v2/users`` (view context)."""

    id: int
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class StaffMember:
    """Someone who may be assigned inquiries (``clinicdesk/v1/staff``)."""

    id: int
    name: str
    slug: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """A category or a tag."""

    id: int
    taxonomy: Taxonomy
    name: str
    slug: str
    description: str
    parent: int
    count: int


@dataclass(frozen=True, slots=True)
class Media:
    """An uploaded file (``wp/v2/media``)."""

    id: int
    source_url: str
    mime_type: str
    media_type: str
    alt_text: str
    title: str
    date_gmt: datetime
    modified_gmt: datetime
    width: int | None
    height: int | None
    #: ``meta.clinicdesk_client_id``: the UUID the app uploaded it with (None without the plugin,
    #: or for files uploaded another way).
    client_id: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """A blog post in edit context (raw title, content and excerpt)."""

    id: int
    status: PostStatus
    slug: str
    generated_slug: str
    title: str
    content: str
    excerpt: str
    author: int
    featured_media: int
    categories: tuple[int, ...]
    tags: tuple[int, ...]
    date_gmt: datetime | None
    modified_gmt: datetime
    link: str
    client_id: str | None


class PostFields(TypedDict, total=False):
    """The fields of a post the app writes. Only the keys present are sent (partial update)."""

    title: str
    content: str
    excerpt: str
    slug: str
    status: PostStatus
    date_gmt: datetime | None
    categories: list[int]
    tags: list[int]
    featured_media: int
    author: int


@dataclass(frozen=True, slots=True)
class Inquiry:
    """A consultation-form inquiry with its triage state (edit context, meta flattened)."""

    id: int
    status: Literal["private", "trash"]
    date_gmt: datetime
    modified_gmt: datetime
    first_name: str
    last_name: str
    email: str
    phone: str
    preferred_contact: ContactMethod
    state: str
    insurance: str
    reason: str
    message: str
    consent: bool
    received_gmt: datetime
    triage_status: TriageStatus
    assignee: int
    urgent: bool
    unread: bool


class InquiryTriage(TypedDict, total=False):
    """The triage fields staff change. Only the keys present are sent (partial update)."""

    triage_status: TriageStatus
    assignee: int
    urgent: bool
    unread: bool


#: The names of the triage fields (the keys of :class:`InquiryTriage`, in its order).
TRIAGE_FIELDS: tuple[str, ...] = tuple(InquiryTriage.__annotations__)


#: The author of a note ClinicDesk wrote itself (its automatic crisis flag): the site's
#: ``by: "system"`` (author 0 there), never a person's id.
SYSTEM_AUTHOR = -1


def is_system_note(author: int, kind: str) -> bool:
    """Whether a note is ClinicDesk's own (its automatic crisis flag), not a person's: such
    notes are written with :data:`SYSTEM_AUTHOR` (see ``services.arrivals.check_arrivals``)."""
    return author == SYSTEM_AUTHOR and kind in ("note", "urgent")


@dataclass(frozen=True, slots=True)
class Note:
    """One entry of an inquiry's append-only timeline (``clinicdesk/v1/notes``).

    ``author`` is :data:`SYSTEM_AUTHOR` for a note the site says ClinicDesk wrote itself.
    """

    id: int
    inquiry: int
    author: int
    author_name: str
    date_gmt: datetime
    kind: NoteKind
    content: str
    client_id: str | None


class Consultation(TypedDict, total=False):
    """A consultation-form submission, as the clinic's website posts it."""

    first_name: str
    last_name: str
    email: str
    phone: str
    preferred_contact: ContactMethod
    state: str
    insurance: str
    reason: str
    message: str
    consent: bool
    website: str


#: What a visitor types on the consultation form, in the form's order: the inquiry's meta keys of
#: the same names (``message`` is free text, the others one line each). They are the keys of
#: :class:`Consultation` but the consent and the honeypot (``website``), so the two cannot drift.
CONSULTATION_TEXT_FIELDS: tuple[str, ...] = tuple(
    name for name in Consultation.__annotations__ if name not in ("consent", "website")
)
#: What the form records about the person: the text fields and the consent (fixed once written).
CONSULTATION_FIELDS: tuple[str, ...] = (*CONSULTATION_TEXT_FIELDS, "consent")


@dataclass(frozen=True, slots=True)
class Version:
    """The id and version of a record, from a ``_fields=id,modified_gmt`` sweep."""

    id: int
    modified_gmt: datetime


@dataclass(frozen=True, slots=True)
class RefusedRecord:
    """A record of a listing that the site holds but ClinicDesk cannot use (an overlong field,
    a broken character, a value it does not know): the rest of its page is used without it.

    Attributes:
        kind: what it is ("post", "inquiry", "note"...).
        id: its id on the site, when that could be read.
        reason: what is wrong with it, for the user ("its field “title.raw” is too long...").
            Never the value of an inquiry's field.
        modified_gmt: its version, when that could be read (a cursor moves past it).
    """

    kind: str
    id: int | None
    reason: str
    modified_gmt: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a collection with WordPress's pagination headers.

    ``site_time`` is the site's clock when it answered (its ``Date`` header), None when it sent
    none: the sync engine never moves a ``modified_after`` window past it. ``refused`` are the
    records of the page that could not be used (listings read record by record); ``items``
    holds the others.
    """

    items: tuple[T, ...]
    page: int
    total: int
    total_pages: int
    site_time: datetime | None = None
    refused: tuple[RefusedRecord, ...] = ()
