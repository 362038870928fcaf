"""A post's row and its JSON forms: snapshots, terms, validation of edits, revisions.

The shared ground of the PostStore's jobs (:mod:`clinicdesk.store.posts`) and of
:mod:`clinicdesk.store.post_sync` (what sync applies), which all import it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.blocks import local_image_ids
from clinicdesk.model import records
from clinicdesk.model.cached import (
    PostEdit,
    PostSnapshot,
)
from clinicdesk.store.common import (
    JsonDict,
    dt_from_json,
    dt_to_json,
)
from clinicdesk.store.errors import (
    InvalidEditError,
)
from clinicdesk.store.models import (
    Media,
    OutboxEntry,
    Post,
    PostRevision,
    PostTerm,
    Term,
    utcnow,
)

logger = logging.getLogger(__name__)


ApplyOutcome = Literal["inserted", "updated", "unchanged", "kept_local", "dropped"]

#: The editable fields, in the order a form shows them.
POST_FIELDS: tuple[str, ...] = (
    "title",
    "content",
    "excerpt",
    "slug",
    "status",
    "date_gmt",
    "categories",
    "tags",
    "featured_media",
    "author",
)
#: Revisions kept per post; the oldest go first.
MAX_REVISIONS = 50
#: Edits closer together than this belong to one editing session: one revision for all of them.
REVISION_GAP = timedelta(minutes=10)

TEXT_FIELDS = ("title", "content", "excerpt", "slug")
_EDITABLE_STATUSES = ("publish", "future", "draft", "pending", "private")


def staged_exists() -> Any:
    """Whether a post (``Post.id``) has edits kept off the site (a correlated EXISTS)."""
    return exists().where(
        OutboxEntry.entity == "post",
        OutboxEntry.local_id == Post.id,
        OutboxEntry.state == "staged",
    )


def has_staged(session: Session, post_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    OutboxEntry.entity == "post",
                    OutboxEntry.local_id == post_id,
                    OutboxEntry.state == "staged",
                )
            )
        )
    )


# -- field snapshots (JSON, local ids) --------------------------------------------------------


def _terms_of(session: Session, post_id: int) -> tuple[list[int], list[int]]:
    rows = session.execute(
        select(Term.id, Term.taxonomy)
        .join(PostTerm, PostTerm.term_id == Term.id)
        .where(PostTerm.post_id == post_id)
        .order_by(Term.id)
    )
    categories: list[int] = []
    tags: list[int] = []
    for term_id, taxonomy in rows:
        (tags if taxonomy == "post_tag" else categories).append(term_id)
    return categories, tags


def snapshot_json(session: Session, post: Post) -> JsonDict:
    """The post's editable fields now, as JSON (local ids)."""
    return row_snapshot(post, _terms_of(session, post.id))


def record_json(session: Session, record: records.Post) -> JsonDict:
    """A site post's editable fields as JSON in local ids (placeholders made as needed)."""
    return SiteRefs(session, [record]).record_json(record)


def snapshot_from_json(data: JsonDict) -> PostSnapshot:
    """A :class:`PostSnapshot` from stored JSON."""
    return PostSnapshot(
        title=str(data.get("title", "")),
        content=str(data.get("content", "")),
        excerpt=str(data.get("excerpt", "")),
        slug=str(data.get("slug", "")),
        status=cast(records.PostStatus, data.get("status", "draft")),
        date_gmt=dt_from_json(data.get("date_gmt")),
        categories=tuple(int(i) for i in data.get("categories") or ()),
        tags=tuple(int(i) for i in data.get("tags") or ()),
        featured_media=cast(int | None, data.get("featured_media")),
        author=int(data.get("author") or 0),
        modified_gmt=dt_from_json(data.get("modified_gmt")),
    )


def _set_terms(session: Session, post: Post, taxonomy: str, term_ids: list[int]) -> None:
    current = session.scalars(
        select(PostTerm)
        .join(Term, Term.id == PostTerm.term_id)
        .where(PostTerm.post_id == post.id, Term.taxonomy == taxonomy)
    ).all()
    for link in current:
        session.delete(link)
    session.flush()
    for term_id in dict.fromkeys(term_ids):
        session.add(PostTerm(post_id=post.id, term_id=term_id))


def apply_json(session: Session, post: Post, fields: JsonDict) -> None:
    for name in TEXT_FIELDS:
        if name in fields:
            setattr(post, name, str(fields[name]))
    if "status" in fields:
        post.status = str(fields["status"])
    if "date_gmt" in fields:
        post.date_gmt = dt_from_json(fields["date_gmt"])
    if "author" in fields:
        post.author = int(fields["author"])
    if "featured_media" in fields:
        post.featured_media_id = cast(int | None, fields["featured_media"])
    if "categories" in fields:
        _set_terms(session, post, "category", list(fields["categories"]))
    if "tags" in fields:
        _set_terms(session, post, "post_tag", list(fields["tags"]))


def validate_edit(session: Session, changes: PostEdit) -> JsonDict:
    """Check an edit and turn it into JSON values (local ids), or raise InvalidEditError."""
    raw = cast(dict[str, Any], changes)
    unknown = set(raw) - set(POST_FIELDS)
    if unknown:
        raise InvalidEditError(f"Unknown post fields: {', '.join(sorted(unknown))}.")
    out: JsonDict = {}
    for name in TEXT_FIELDS:
        if name in raw:
            if not isinstance(raw[name], str):
                raise InvalidEditError(f"The {name} must be text.")
            out[name] = raw[name]
    if "status" in raw:
        if raw["status"] not in _EDITABLE_STATUSES:
            raise InvalidEditError("Unknown status (to move a post to the trash, use Trash).")
        out["status"] = raw["status"]
    if "date_gmt" in raw:
        value = raw["date_gmt"]
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise InvalidEditError("The date must be a date and time with a time zone.")
        out["date_gmt"] = dt_to_json(value)
    if "author" in raw:
        if not isinstance(raw["author"], int) or raw["author"] < 0:
            raise InvalidEditError("Unknown author.")
        out["author"] = raw["author"]
    if "featured_media" in raw:
        media_id = raw["featured_media"]
        if media_id is not None and (
            not isinstance(media_id, int) or session.get(Media, media_id) is None
        ):
            raise InvalidEditError("Unknown featured image.")
        out["featured_media"] = media_id
    for name, taxonomy in (("categories", "category"), ("tags", "post_tag")):
        if name in raw:
            ids = raw[name]
            if not isinstance(ids, list | tuple) or not all(isinstance(i, int) for i in ids):
                raise InvalidEditError(f"The {name} must be a list of ids.")
            ids = sorted(dict.fromkeys(ids))
            found = session.scalar(
                select(func.count())
                .select_from(Term)
                .where(Term.id.in_(ids), Term.taxonomy == taxonomy)
            )
            if found != len(ids):
                raise InvalidEditError(f"Unknown {name}.")
            out[name] = ids
    return out


def refs_of(fields: JsonDict) -> list[tuple[Literal["term", "media"], int]]:
    refs: list[tuple[Literal["term", "media"], int]] = [
        ("term", int(i)) for key in ("categories", "tags") for i in fields.get(key) or ()
    ]
    if fields.get("featured_media") is not None:
        refs.append(("media", int(fields["featured_media"])))
    if "content" in fields:
        # An image inserted before its upload: the upload must reach the site first.
        refs.extend(("media", media_id) for media_id in local_image_ids(str(fields["content"])))
    return refs


def record_revision(session: Session, post: Post, origin: Literal["local", "site"]) -> None:
    now = utcnow()
    if origin == "local":
        last = session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.id.desc())
            .limit(1)
        ).first()
        if last is not None and last.origin == "local" and now - last.created_at < REVISION_GAP:
            return
    session.add(
        PostRevision(
            post_id=post.id, created_at=now, origin=origin, fields=snapshot_json(session, post)
        )
    )
    session.flush()
    keep = (
        select(PostRevision.id)
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.id.desc())
        .limit(MAX_REVISIONS)
    )
    session.execute(
        delete(PostRevision).where(
            PostRevision.post_id == post.id, PostRevision.id.not_in(keep.scalar_subquery())
        )
    )


def add_revision(
    session: Session, post_id: int, origin: Literal["local", "site"], fields: JsonDict
) -> None:
    """Save one version whatever the editing-session gap, keeping the newest MAX_REVISIONS."""
    session.add(PostRevision(post_id=post_id, created_at=utcnow(), origin=origin, fields=fields))
    session.flush()
    keep = (
        select(PostRevision.id)
        .where(PostRevision.post_id == post_id)
        .order_by(PostRevision.id.desc())
        .limit(MAX_REVISIONS)
    )
    session.execute(
        delete(PostRevision).where(
            PostRevision.post_id == post_id, PostRevision.id.not_in(keep.scalar_subquery())
        )
    )


# -- the apply side (used by the sync engine through PostStore and the outbox) ------------------


class SiteRefs:
    """The local ids of the terms and media a page of site posts refers to, read once for the
    page; placeholders are made for those not pulled yet (as :func:`record_json` does)."""

    def __init__(self, session: Session, items: Sequence[records.Post]) -> None:
        taxonomy_of: dict[int, records.Taxonomy] = {}
        for record in items:
            for remote_id in record.categories:
                taxonomy_of.setdefault(remote_id, "category")
            for remote_id in record.tags:
                taxonomy_of.setdefault(remote_id, "post_tag")
        self._terms: dict[int, int] = (
            _by_remote_id(session, Term, list(taxonomy_of)) if taxonomy_of else {}
        )
        media = {record.featured_media for record in items if record.featured_media > 0}
        self._media: dict[int, int] = _by_remote_id(session, Media, list(media)) if media else {}
        terms = [
            Term(taxonomy=taxonomy, remote_id=remote_id)
            for remote_id, taxonomy in taxonomy_of.items()
            if remote_id not in self._terms
        ]
        images = [Media(remote_id=remote_id) for remote_id in media if remote_id not in self._media]
        if terms or images:
            session.add_all([*terms, *images])
            session.flush()
            self._terms.update((term.remote_id, term.id) for term in terms if term.remote_id)
            self._media.update((image.remote_id, image.id) for image in images if image.remote_id)

    def record_json(self, record: records.Post) -> JsonDict:
        """The post's editable fields as JSON in local ids (see :func:`record_json`)."""
        return {
            "title": record.title,
            "content": record.content,
            "excerpt": record.excerpt,
            "slug": record.slug,
            "status": record.status,
            "date_gmt": dt_to_json(record.date_gmt),
            "categories": sorted({self._terms[i] for i in record.categories}),
            "tags": sorted({self._terms[i] for i in record.tags}),
            "featured_media": self._media.get(record.featured_media),
            "author": record.author,
        }


def _by_remote_id(
    session: Session, model: type[Term | Media], remote_ids: list[int]
) -> dict[int, int]:
    """Site id -> local id of the rows of ``model`` with those site ids."""
    rows = session.execute(select(model.remote_id, model.id).where(model.remote_id.in_(remote_ids)))
    return {remote_id: local_id for remote_id, local_id in rows if remote_id is not None}


def terms_of_posts(session: Session, post_ids: list[int]) -> dict[int, tuple[list[int], list[int]]]:
    """(categories, tags) of each post, as :func:`_terms_of` gives them, in one query."""
    found: dict[int, tuple[list[int], list[int]]] = {post_id: ([], []) for post_id in post_ids}
    if not post_ids:
        return found
    rows = session.execute(
        select(PostTerm.post_id, Term.id, Term.taxonomy)
        .join(Term, Term.id == PostTerm.term_id)
        .where(PostTerm.post_id.in_(post_ids))
        .order_by(PostTerm.post_id, Term.id)
    )
    for post_id, term_id, taxonomy in rows:
        categories, tags = found[post_id]
        (tags if taxonomy == "post_tag" else categories).append(term_id)
    return found


def row_snapshot(post: Post, terms: tuple[list[int], list[int]]) -> JsonDict:
    """:func:`snapshot_json` with the post's terms already read."""
    categories, tags = terms
    return {
        "title": post.title,
        "content": post.content,
        "excerpt": post.excerpt,
        "slug": post.slug,
        "status": post.status,
        "date_gmt": dt_to_json(post.date_gmt),
        "categories": categories,
        "tags": tags,
        "featured_media": post.featured_media_id,
        "author": post.author,
    }
