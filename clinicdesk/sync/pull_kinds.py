"""The kinds of record the pull lists by change and sweeps (posts, inquiries), registered once.

Each :class:`PullKind` says, for one kind, what :mod:`clinicdesk.sync.pull` needs to know to
list its changes, read it by id, store it, and find it here: the listing, the sweep and a
re-read are written once over these (as the push registers one sender per kind in
:mod:`clinicdesk.sync.push`), so no step of the pull asks which kind it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Literal, TypeVar

from clinicdesk.site import Inquiry, Page, Post, SiteClient, Version
from clinicdesk.sync.context import Round

#: Every post status, the trash included, in one listing: trash changes propagate like any other.
#: (WordPress reads ``any`` as "all but those excluded from search" minus what is named too, so
#: ``any,trash`` is every status.)
POST_STATUSES = "any,trash"
#: The inquiry statuses: the inbox and the trash.
INQUIRY_STATUSES = "private,trash"
#: Records read by id in one request, at most.
BATCH = 100

R = TypeVar("R", Post, Inquiry)


def changed(outcomes: Iterable[str]) -> int:
    """How many of a stored page's outcomes are new or changed records.

    "kept_local": the site's copy waits beside local changes; the push counts what it becomes.
    """
    return sum(1 for outcome in outcomes if outcome not in ("unchanged", "kept_local"))


@dataclass(frozen=True, slots=True)
class PullKind(Generic[R]):
    """How the pull reads and stores one kind of record.

    Attributes:
        entity: the kind as the outbox, the round's issues, the site's errors and the records
            put aside name it.
        resource: its cursor, its phase of the round and its count in the report.
        listing_message: the progress message while its changes are listed.
        sweep_message: the progress message while it is swept.
        list_changed: ``(client, after, per_page)``: the pages of records changed after
            ``after`` (every one when None), oldest change first.
        versions: every record's id and version on the site (the sweep).
        get: one record by id (NotFoundError/ForbiddenError when the user cannot have it).
        list_ids: ``(client, ids)``: the pages of the records with these ids (up to
            :data:`BATCH`), or
            None when the site can only read this kind one id at a time.
        store: stores records from the site (inside the caller's transaction); returns how many
            were new or changed.
        local_id: the record's local id by its site id, if the cache has it.
    """

    entity: Literal["post", "inquiry"]
    resource: Literal["posts", "inquiries"]
    listing_message: str
    sweep_message: str
    list_changed: Callable[[SiteClient, datetime | None, int], Iterator[Page[R]]]
    versions: Callable[[SiteClient], list[Version]]
    get: Callable[[SiteClient, int], R]
    list_ids: Callable[[SiteClient, list[int]], Iterator[Page[R]]] | None
    store: Callable[[Round, Sequence[R]], int]
    local_id: Callable[[Round, int], int | None]


def _store_posts(work: Round, items: Sequence[Post]) -> int:
    return changed(work.cache.posts.upsert_from_site(items))


def _store_inquiries(work: Round, items: Sequence[Inquiry]) -> int:
    """Store inquiries from the site; note which were new here (the crisis check reads them).

    Returns:
        How many were new or changed.
    """
    outcomes = work.cache.inquiries.upsert_from_site(items)
    work.new_inquiries.extend(
        item.id for item, outcome in zip(items, outcomes, strict=True) if outcome == "inserted"
    )
    return changed(outcomes)


POSTS: PullKind[Post] = PullKind(
    entity="post",
    resource="posts",
    listing_message="Fetching posts",
    sweep_message="Checking for deleted posts",
    list_changed=lambda client, after, per_page: client.iter_posts(
        status=POST_STATUSES,
        modified_after=after,
        per_page=per_page,
        orderby="modified",
        order="asc",
    ),
    versions=lambda client: client.post_versions(POST_STATUSES),
    get=lambda client, remote_id: client.get_post(remote_id),
    list_ids=lambda client, ids: client.iter_posts(
        status=POST_STATUSES, include=ids, per_page=BATCH, orderby="id", order="asc"
    ),
    store=_store_posts,
    local_id=lambda work, remote_id: work.cache.posts.local_id(remote_id),
)

INQUIRIES: PullKind[Inquiry] = PullKind(
    entity="inquiry",
    resource="inquiries",
    listing_message="Fetching inquiries",
    sweep_message="Checking for deleted inquiries",
    list_changed=lambda client, after, per_page: client.iter_inquiries(
        status=INQUIRY_STATUSES, modified_after=after, per_page=per_page
    ),
    versions=lambda client: client.inquiry_versions(INQUIRY_STATUSES),
    get=lambda client, remote_id: client.get_inquiry(remote_id),
    # The inquiries endpoint has no ``include``: each is read by id.
    list_ids=None,
    store=_store_inquiries,
    local_id=lambda work, remote_id: work.cache.inquiries.local_id(remote_id),
)
