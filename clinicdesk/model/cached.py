"""What crosses the store's boundary: frozen dataclasses, safe to hand from thread to thread.

ORM rows never leave a session. Ids in these objects are **local** ids (``id``), with the site's id
beside them (``remote_id``, None until a local create has reached the site). Categories, tags and
the featured image of a post are local ids too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypedDict, TypeVar

from clinicdesk.model.records import (
    ContactMethod,
    InquiryTriage,
    NoteKind,
    PostStatus,
    Taxonomy,
    TriageStatus,
)

#: How a record stands with the site, most urgent first: "conflict" (both versions kept, the user
#: must choose), "rejected" (the site refused the change), "deleted_on_site" (deleted there while
#: it had local changes), "new" (not on the site yet), "modified" (local changes waiting),
#: "synced".
SyncState = Literal["conflict", "rejected", "deleted_on_site", "new", "modified", "synced"]

EntityKind = Literal["post", "term", "media", "inquiry", "note"]
OutboxOp = Literal["create", "update", "trash", "delete", "upload", "note"]
#: "staged": saved here but kept off the site until the user releases it (the edits of a post
#: that is live on the site wait for "Update"); the sync engine skips it like "held".
OutboxState = Literal["pending", "in_flight", "held", "staged"]

#: The inbox's views. "open": neither closed nor spam; "mine": open and assigned to the user.
InboxView = Literal[
    "open", "mine", "unassigned", "urgent", "unread", "closed", "spam", "all", "trash"
]
INBOX_VIEWS: tuple[InboxView, ...] = (
    "open",
    "mine",
    "unassigned",
    "urgent",
    "unread",
    "closed",
    "spam",
    "all",
    "trash",
)

PostSort = Literal["modified", "date", "title"]

T = TypeVar("T")


class PostEdit(TypedDict, total=False):
    """The editable fields of a post, as the UI changes them (local ids for terms and media)."""

    title: str
    content: str
    excerpt: str
    slug: str
    status: PostStatus
    date_gmt: datetime | None
    categories: list[int]
    tags: list[int]
    featured_media: int | None
    author: int


#: The triage fields of an inquiry, as staff change them: the very fields the site takes (an
#: assignee is a site user's id here too), so one TypedDict names both and they cannot drift.
TriageEdit = InquiryTriage


class TriageMerge(TriageEdit, total=False):
    """A settled merge of triage changes (``InquiryStore.resolve``): may also set the trash
    status, which the site may have changed."""

    status: Literal["private", "trash"]


@dataclass(frozen=True, slots=True)
class PostSnapshot:
    """A post's editable fields at one moment (a base copy, the site's copy, a revision)."""

    title: str
    content: str
    excerpt: str
    slug: str
    status: PostStatus
    date_gmt: datetime | None
    categories: tuple[int, ...]
    tags: tuple[int, ...]
    featured_media: int | None
    author: int
    #: The site's version of this copy, when it is one.
    modified_gmt: datetime | None = None

    def as_edit(self) -> PostEdit:
        """These fields as an edit that puts them back (its ``modified_gmt`` is not a field)."""
        return PostEdit(
            title=self.title,
            content=self.content,
            excerpt=self.excerpt,
            slug=self.slug,
            status=self.status,
            date_gmt=self.date_gmt,
            categories=list(self.categories),
            tags=list(self.tags),
            featured_media=self.featured_media,
            author=self.author,
        )


@dataclass(frozen=True, slots=True)
class PostSummary:
    """A post as a list shows it."""

    id: int
    remote_id: int | None
    title: str
    status: PostStatus
    author: int
    date_gmt: datetime | None
    modified_gmt: datetime
    sync_state: SyncState
    sync_message: str | None
    #: Saved here but kept off the site until the user clicks Update (a live post's edits).
    unpublished_changes: bool = False


@dataclass(frozen=True, slots=True)
class PostDetail:
    """A post as the editor shows it, with what sync knows about it."""

    id: int
    remote_id: int | None
    client_id: str | None
    fields: PostSnapshot
    generated_slug: str
    link: str
    modified_gmt: datetime
    server_modified_gmt: datetime | None
    sync_state: SyncState
    sync_message: str | None
    #: The site's version the local changes started from (None when there are none).
    base: PostSnapshot | None
    #: The site's newer version, kept while local changes wait or conflict.
    server: PostSnapshot | None
    #: Edits saved here but kept off the site until the user clicks Update (see
    #: ``PostStore.publish_changes``): the post is published, scheduled or private.
    unpublished_changes: bool = False


@dataclass(frozen=True, slots=True)
class RevisionInfo:
    """One saved version of a post."""

    id: int
    post_id: int
    created_at: datetime
    origin: Literal["local", "site"]
    fields: PostSnapshot


@dataclass(frozen=True, slots=True)
class Triage:
    """An inquiry's triage fields (and trash status) at one moment."""

    status: Literal["private", "trash"]
    triage_status: TriageStatus
    assignee: int
    urgent: bool
    unread: bool
    modified_gmt: datetime | None = None


@dataclass(frozen=True, slots=True)
class InquirySummary:
    """An inquiry as the inbox list shows it (no message: that is read on opening it)."""

    id: int
    remote_id: int | None
    first_name: str
    last_name: str
    email: str
    reason: str
    received_gmt: datetime
    status: Literal["private", "trash"]
    triage_status: TriageStatus
    assignee: int
    urgent: bool
    unread: bool
    sync_state: SyncState
    sync_message: str | None


@dataclass(frozen=True, slots=True)
class InquiryDetail:
    """Everything about one inquiry."""

    id: int
    remote_id: int | None
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
    triage: Triage
    sync_state: SyncState
    sync_message: str | None
    base: Triage | None
    server: Triage | None


@dataclass(frozen=True, slots=True)
class NoteInfo:
    """One entry of an inquiry's timeline."""

    id: int
    remote_id: int | None
    client_id: str | None
    inquiry_id: int
    author: int
    author_name: str
    date_gmt: datetime
    kind: NoteKind
    content: str
    pending: bool
    rejected_message: str | None


@dataclass(frozen=True, slots=True)
class TermInfo:
    """A category or tag."""

    id: int
    remote_id: int | None
    taxonomy: Taxonomy
    name: str
    slug: str
    description: str
    parent_id: int | None
    count: int
    sync_state: SyncState
    sync_message: str | None


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """An uploaded file, or one waiting to be uploaded (``local_path``)."""

    id: int
    remote_id: int | None
    source_url: str
    mime_type: str
    media_type: str
    alt_text: str
    title: str
    width: int | None
    height: int | None
    local_path: str | None
    sync_state: SyncState
    sync_message: str | None


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A site user (an author, a staff member, or both)."""

    id: int
    name: str
    slug: str
    roles: tuple[str, ...]
    is_staff: bool


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One waiting local change, as the sync engine replays it.

    Attributes:
        payload: the changed fields in local ids (``OutboxStore.post_fields`` and friends turn
            them into the site's ids).
        remote_id: the record's site id now (None for a create not yet confirmed).
        client_id: the record's create UUID (posts, terms, media, notes).
        attempts: sends started before; above zero the site may already have this change
            (a create must then be looked up by ``client_id`` before being sent again).
    """

    id: int
    entity: EntityKind
    local_id: int
    op: OutboxOp
    payload: Mapping[str, Any]
    state: OutboxState
    attempts: int
    last_error: str | None
    remote_id: int | None
    client_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CursorInfo:
    """Where the pull of one resource stands."""

    resource: str
    modified_after: datetime | None
    last_full_sweep: datetime | None
    after_id: int


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A page of a local list.

    Attributes:
        items: the rows.
        total: rows in the whole list.
        offset: where this page starts.
    """

    items: tuple[T, ...]
    total: int
    offset: int
