"""Posts: local-first edits, the reads the UI needs, and what the sync engine applies.

Every local change is committed in the same transaction as its outbox entry, so the cache never
holds an edit that will not be sent, nor an entry without its edit. The first change to a synced
post records a *base copy* (the site's version the change started from); a pull that brings a
newer site version while local changes wait keeps the local fields and stores the site's copy
beside them (``server``) for the sync engine to merge.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, Unpack, cast

from sqlalchemy import Integer, case, column, delete, exists, func, insert, select, text, update
from sqlalchemy.orm import Session

from clinicdesk.domain.blocks import LOCAL_MEDIA_ATTR, local_image_ids, resolve_local_images
from clinicdesk.model import records
from clinicdesk.model.cached import (
    OutboxOp,
    Page,
    PostDetail,
    PostEdit,
    PostSnapshot,
    PostSort,
    PostSummary,
    RevisionInfo,
)
from clinicdesk.store import search
from clinicdesk.store.catalog import (
    remote_media_id,
    remote_term_ids,
)
from clinicdesk.store.common import (
    AnySelect,
    JsonDict,
    drop_entries,
    dt_from_json,
    dt_to_json,
    enqueue,
    entries_of,
    pending_count,
    release_staged,
    set_held,
    staged_keys,
    state_of,
    sync_state,
    was_attempted,
)
from clinicdesk.store.entity import EntityAdapter, Transactions
from clinicdesk.store.errors import (
    InvalidEditError,
    RecordNotFoundError,
    UnsyncedDependencyError,
)
from clinicdesk.store.models import (
    Media,
    OutboxEntry,
    Post,
    PostRevision,
    PostTerm,
    Term,
    User,
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

_TEXT_FIELDS = ("title", "content", "excerpt", "slug")
_EDITABLE_STATUSES = ("publish", "future", "draft", "pending", "private")
#: Statuses whose edits are kept off the site until the user clicks Update (as in WordPress,
#: where a published post's changes reach the site only then). Drafts and pending posts sync
#: as they are typed: they are not public.
LIVE_STATUSES = frozenset({"publish", "future", "private"})


def _staged_exists() -> Any:
    """Whether a post (``Post.id``) has edits kept off the site (a correlated EXISTS)."""
    return exists().where(
        OutboxEntry.entity == "post",
        OutboxEntry.local_id == Post.id,
        OutboxEntry.state == "staged",
    )


def _has_staged(session: Session, post_id: int) -> bool:
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
    return _snapshot(post, _terms_of(session, post.id))


def record_json(session: Session, record: records.Post) -> JsonDict:
    """A site post's editable fields as JSON in local ids (placeholders made as needed)."""
    return _SiteRefs(session, [record]).record_json(record)


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


def _apply_json(session: Session, post: Post, fields: JsonDict) -> None:
    for name in _TEXT_FIELDS:
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


def _validate(session: Session, changes: PostEdit) -> JsonDict:
    """Check an edit and turn it into JSON values (local ids), or raise InvalidEditError."""
    raw = cast(dict[str, Any], changes)
    unknown = set(raw) - set(POST_FIELDS)
    if unknown:
        raise InvalidEditError(f"Unknown post fields: {', '.join(sorted(unknown))}.")
    out: JsonDict = {}
    for name in _TEXT_FIELDS:
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


def _refs(fields: JsonDict) -> list[tuple[Literal["term", "media"], int]]:
    refs: list[tuple[Literal["term", "media"], int]] = [
        ("term", int(i)) for key in ("categories", "tags") for i in fields.get(key) or ()
    ]
    if fields.get("featured_media") is not None:
        refs.append(("media", int(fields["featured_media"])))
    if "content" in fields:
        # An image inserted before its upload: the upload must reach the site first.
        refs.extend(("media", media_id) for media_id in local_image_ids(str(fields["content"])))
    return refs


def _record_revision(session: Session, post: Post, origin: Literal["local", "site"]) -> None:
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


def _add_revision(
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


def upsert_post(session: Session, record: records.Post) -> ApplyOutcome:
    """Store a post from the site without ever overwriting local changes.

    A post with local changes keeps its fields; the site's version, if newer than the one they
    started from, is stored beside them (``server_copy``) for the merge. A post created here
    whose create's answer was lost is recognised by its ``client_id`` and adopted.
    """
    return upsert_posts(session, [record])[0]


def upsert_posts(session: Session, items: Sequence[records.Post]) -> list[ApplyOutcome]:
    """Store a page of posts from the site (see :func:`upsert_post`), in page order.

    A first sync stores thousands of posts: one post at a time cost about ten statements each
    (lookups by id and client id, terms, media, an insert and a flush per term list). Here a
    page costs a few lookups for all of it, one insert of the new posts and one of their terms;
    only posts that exist here and changed on the site take the per-post path.
    """
    if len({record.id for record in items}) != len(items):
        # The same post twice in one answer (a misbehaving site): one at a time, so that the
        # second sees what the first stored.
        return [upsert_posts(session, [record])[0] for record in items]
    refs = _SiteRefs(session, items)
    existing = {
        post.remote_id: post
        for post in session.scalars(
            select(Post).where(Post.remote_id.in_([record.id for record in items]))
        )
    }
    wanted = {r.client_id for r in items if r.client_id and r.id not in existing}
    by_client_id = (
        {
            post.client_id: post
            for post in session.scalars(select(Post).where(Post.client_id.in_(wanted)))
        }
        if wanted
        else {}
    )
    terms = _terms_of_posts(session, [post.id for post in existing.values()])
    new_posts: list[tuple[dict[str, Any], JsonDict]] = []
    claimed: set[str] = set()  # client ids given to posts inserted from this page
    outcomes: list[ApplyOutcome] = []
    for record in items:
        fields = refs.record_json(record)
        post = existing.get(record.id)
        client_id = record.client_id
        if post is None and client_id:
            mine = by_client_id.get(client_id)
            if mine is not None and mine.remote_id is None:
                post = mine
            elif mine is not None or client_id in claimed:
                client_id = None  # a duplicate the site made of one of ours: keep it apart
        if post is None:
            if client_id:
                claimed.add(client_id)
            new_posts.append((_new_post_row(record, client_id, fields), fields))
            outcomes.append("inserted")
        else:
            outcomes.append(_update_post(session, post, record, fields, terms.get(post.id)))
    if new_posts:
        _insert_posts(session, new_posts)
    return outcomes


class _SiteRefs:
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


def _terms_of_posts(
    session: Session, post_ids: list[int]
) -> dict[int, tuple[list[int], list[int]]]:
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


def _snapshot(post: Post, terms: tuple[list[int], list[int]]) -> JsonDict:
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


def _new_post_row(record: records.Post, client_id: str | None, fields: JsonDict) -> dict[str, Any]:
    """The ``posts`` row of a post new here (what ``Post(...)`` + :func:`_apply_json` make)."""
    return {
        "remote_id": record.id,
        "client_id": client_id,
        "status": record.status,
        "title": record.title,
        "content": record.content,
        "excerpt": record.excerpt,
        "slug": record.slug,
        "generated_slug": record.generated_slug,
        "link": record.link,
        "author": record.author,
        "featured_media_id": fields["featured_media"],
        "date_gmt": dt_from_json(fields["date_gmt"]),
        "modified_gmt": record.modified_gmt,
        "server_modified_gmt": record.modified_gmt,
    }


def _insert_posts(session: Session, new_posts: list[tuple[dict[str, Any], JsonDict]]) -> None:
    """Insert posts new here, then their categories and tags (two bulk statements)."""
    session.execute(insert(Post), [row for row, _ in new_posts])
    local_ids = {
        remote_id: local_id
        for remote_id, local_id in session.execute(
            select(Post.remote_id, Post.id).where(
                Post.remote_id.in_([row["remote_id"] for row, _ in new_posts])
            )
        )
    }
    links = [
        {"post_id": local_ids[row["remote_id"]], "term_id": term_id}
        for row, fields in new_posts
        for term_id in dict.fromkeys([*fields["categories"], *fields["tags"]])
    ]
    if links:
        session.execute(insert(PostTerm), links)


def _update_post(
    session: Session,
    post: Post,
    record: records.Post,
    fields: JsonDict,
    terms: tuple[list[int], list[int]] | None,
) -> ApplyOutcome:
    """Apply a site post to its row here (see :func:`upsert_post`).

    Args:
        terms: the post's (categories, tags) as read for the page; None for a post found by its
            client id (read here).
    """
    post.generated_slug = record.generated_slug
    post.link = record.link
    if post.remote_id is None:
        # Our create reached the site but its answer did not reach us: adopt the site's post.
        return adopt_post(session, post, record, fields)
    if post.dirty or post.is_new or post.pending_delete:
        # WordPress publishes a scheduled post without a new modified_gmt, so a site copy that
        # differs from the base is newer even when its version did not move.
        if record.modified_gmt != post.server_modified_gmt or (
            post.base is not None and fields != post.base
        ):
            post.server_copy = {**fields, "modified_gmt": dt_to_json(record.modified_gmt)}
        if post.deleted_on_site:
            post.deleted_on_site = False
            if not post.conflict and post.rejected_message is None:
                set_held(session, "post", post.id, held=False)
        return "kept_local"

    current = snapshot_json(session, post) if terms is None else _snapshot(post, terms)
    if current == fields and post.server_modified_gmt == record.modified_gmt:
        return "unchanged"
    if any(current[name] != fields[name] for name in ("title", "content", "excerpt")):
        _record_revision(session, post, "site")
    _apply_json(session, post, fields)
    post.server_modified_gmt = record.modified_gmt
    post.modified_gmt = record.modified_gmt
    post.deleted_on_site = False
    post.server_copy = None
    return "updated"


def adopt_post(
    session: Session,
    post: Post,
    record: records.Post,
    fields: JsonDict,
    sent: JsonDict | None = None,
) -> ApplyOutcome:
    """Make the site's ``record`` the post created here whose create's answer was lost.

    Found by its client id (by a pull, or by the push's look-up before sending the create
    again), the post may have changed on both sides since the create went: a colleague retitled
    or trashed it on the site, the author edited it here. Its merge base is therefore what the
    create *sent* (``sent``, or the create entry's payload: the push records there what each
    attempt sends), never the site's current version:

    * nothing changed here since the create: the site's version is taken as it is (a
      colleague's retitle, trash or the date the site gave a post published offline stay);
    * else the base is the sent snapshot and the site's version is kept beside the local one
      when it differs from it: the waiting changes go through the push's three-way merge, so
      only the fields changed here since the create are sent, and the same field changed on
      both sides is a conflict.

    The create entry itself is done (the site has the post) and is dropped, unless it is the
    one being sent right now (the push marks it).

    Args:
        session: the write session.
        post: the local post (``remote_id`` still None).
        record: the site's post found by the post's client id.
        fields: ``record``'s fields as JSON in local ids (:func:`record_json`).
        sent: what the create sent, when the caller knows it (the entry it marks).

    Returns:
        "updated" when the site's version was taken, "kept_local" when changes wait.
    """
    post.remote_id = record.id
    post.is_new = False
    post.generated_slug = record.generated_slug
    post.link = record.link
    post.server_modified_gmt = record.modified_gmt
    if post.rejected_message is not None:
        # The site has it: whatever was refused before is not what stands now.
        post.rejected_message = None
        if not post.conflict and not post.deleted_on_site:
            set_held(session, "post", post.id, held=False)
    entries = entries_of(session, "post", post.id)
    for entry in entries:
        if entry.op == "create":
            if sent is None:
                sent = dict(entry.payload)
            if entry.state != "in_flight":
                session.delete(entry)
    session.flush()
    remaining = [e for e in entries if e.op != "create"]
    in_flight = any(e.state == "in_flight" for e in entries)
    if sent is None:
        sent = fields  # no record of what went (an old cache): the site's version, as before
    local = snapshot_json(session, post)
    if local == sent and not remaining and not in_flight:
        # Nothing changed here since the create: the site's version is the post now (what the
        # author wrote is kept in the post's revisions when the site's text differs, as for
        # any change from the site).
        if any(local[name] != fields[name] for name in ("title", "content", "excerpt")):
            _record_revision(session, post, "site")
        _apply_json(session, post, fields)
        post.dirty = False
        post.base = None
        post.server_copy = None
        post.modified_gmt = record.modified_gmt
        return "updated"
    post.dirty = True
    post.base = dict(sent)
    if fields != sent:
        post.server_copy = {**fields, "modified_gmt": dt_to_json(record.modified_gmt)}
    changed = {k: v for k, v in local.items() if sent.get(k) != v}
    if changed and not remaining and not in_flight:
        # Changed here with no change waiting to say so (not expected: edits after an
        # attempted create queue their own entry): queue them, so nothing is left unsent.
        enqueue(session, "post", post.id, "update", changed, refs=_refs(changed))
    return "kept_local"


def apply_post_pushed(
    session: Session, entry: OutboxEntry, record: records.Post | None, *, adopted: bool = False
) -> None:
    """An entry was accepted by the site; ``record`` is the site's post after it (None after a
    permanent delete).

    Args:
        adopted: ``record`` was found by the create's client id, not answered by the create:
            it may have changed on the site since (see :func:`adopt_post`).
    """
    post = session.get(Post, entry.local_id)
    op = entry.op
    sent = dict(entry.payload)
    session.delete(entry)
    session.flush()
    if post is None:
        return
    if adopted and op == "create" and record is not None and post.remote_id is None:
        adopt_post(session, post, record, record_json(session, record), sent)
        return
    if op == "delete" or record is None:
        if pending_count(session, "post", post.id) == 0:
            session.delete(post)
        return
    post.remote_id = record.id
    post.is_new = False
    post.generated_slug = record.generated_slug
    post.link = record.link
    post.server_modified_gmt = record.modified_gmt
    post.rejected_message = None
    fields = record_json(session, record)
    if pending_count(session, "post", post.id) == 0 and not post.conflict:
        _apply_json(session, post, fields)
        post.dirty = False
        post.base = None
        post.server_copy = None
        post.modified_gmt = record.modified_gmt
    else:
        # More local changes wait: they now start from the version just written.
        post.base = fields


def post_site_fields(session: Session, payload: JsonDict) -> records.PostFields:
    """A queued post payload as the site's write fields (site ids).

    Raises:
        UnsyncedDependencyError: a category, tag or image it uses is not on the site yet.
    """
    out: dict[str, Any] = {}
    for name in (*_TEXT_FIELDS, "status", "author"):
        if name in payload:
            out[name] = payload[name]
    if not out.get("author", 1):
        # 0 is "no author chosen" here; WordPress refuses it ("Invalid author ID") instead of
        # making the signed-in user the author, which leaving it out does.
        del out["author"]
    if "content" in out and LOCAL_MEDIA_ATTR in out["content"]:
        out["content"] = _resolve_images(session, out["content"])
    if "date_gmt" in payload:
        out["date_gmt"] = dt_from_json(payload["date_gmt"])
    for name in ("categories", "tags"):
        if name in payload:
            out[name] = remote_term_ids(session, list(payload[name]))
    if "featured_media" in payload:
        out["featured_media"] = remote_media_id(session, payload["featured_media"])
    return cast(records.PostFields, out)


def _resolve_images(session: Session, content: str) -> str:
    """The body with its images waiting for upload pointing at their uploaded files.

    Raises:
        UnsyncedDependencyError: one of them is not uploaded yet.
    """

    def uploaded(local_id: int) -> tuple[int, str] | None:
        row = session.get(Media, local_id)
        if row is None or row.remote_id is None or not row.source_url:
            return None
        return row.remote_id, row.source_url

    try:
        return resolve_local_images(content, uploaded)
    except LookupError:
        raise UnsyncedDependencyError("An image in this post is not uploaded yet.") from None


# -- DTOs ------------------------------------------------------------------------------------------


def _detail(session: Session, post: Post) -> PostDetail:
    state, message = sync_state(post)
    return PostDetail(
        id=post.id,
        remote_id=post.remote_id,
        client_id=post.client_id,
        fields=snapshot_from_json(snapshot_json(session, post)),
        generated_slug=post.generated_slug,
        link=post.link,
        modified_gmt=post.modified_gmt,
        server_modified_gmt=post.server_modified_gmt,
        sync_state=state,
        sync_message=message,
        base=None if post.base is None else snapshot_from_json(post.base),
        server=None if post.server_copy is None else snapshot_from_json(post.server_copy),
        unpublished_changes=_has_staged(session, post.id),
    )


#: The columns the posts list sorts by (see :meth:`PostStore.query`).
PostListSort = Literal["modified", "date", "title", "status", "author", "sync"]
_STATUS_ORDER = {"draft": 0, "pending": 1, "future": 2, "private": 3, "publish": 4, "trash": 5}


def _list_sort_key(sort: PostListSort) -> Any:
    if sort == "title":
        return Post.title.collate("NOCASE")
    if sort == "date":
        return Post.date_gmt
    if sort == "status":
        return case(_STATUS_ORDER, value=Post.status, else_=9)
    if sort == "author":
        name = select(User.name).where(User.id == Post.author).scalar_subquery()
        return func.coalesce(name, "").collate("NOCASE")
    if sort == "sync":
        return case(
            (Post.conflict.is_(True), 0),
            (Post.rejected_message.is_not(None), 1),
            (Post.deleted_on_site.is_(True), 2),
            (Post.is_new.is_(True), 3),
            (Post.dirty.is_(True), 4),
            else_=5,
        )
    return Post.modified_gmt


_SUMMARY_COLUMNS = (
    Post.id,
    Post.remote_id,
    Post.title,
    Post.status,
    Post.author,
    Post.date_gmt,
    Post.modified_gmt,
    Post.conflict,
    Post.rejected_message,
    Post.deleted_on_site,
    Post.is_new,
    Post.dirty,
    _staged_exists().label("unpublished_changes"),
)


def summaries(session: Session, query: AnySelect) -> list[PostSummary]:
    """Run a select of ``_SUMMARY_COLUMNS`` and build the summaries."""
    out = []
    for row in session.execute(query):
        state, message = state_of(row[7], row[8], row[9], row[10], row[11])
        out.append(
            PostSummary(
                id=row[0],
                remote_id=row[1],
                title=row[2],
                status=row[3],
                author=row[4],
                date_gmt=row[5],
                modified_gmt=row[6],
                sync_state=state,
                sync_message=message,
                unpublished_changes=bool(row[12]),
            )
        )
    return out


class PostStore:
    """The posts of one cache.

    Args:
        cache: the open cache.
    """

    def __init__(self, cache: Transactions) -> None:
        self._cache = cache

    # -- reads -----------------------------------------------------------------------------------

    def page(
        self,
        status: records.PostStatus | None = None,
        *,
        sort: PostSort = "modified",
        descending: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[PostSummary]:
        """One page of posts.

        Args:
            status: only this status; None for every status but ``trash``.
            sort: "modified" (last change, local or site), "date" (publication) or "title".
            descending: newest (or Z) first.
            limit: rows in the page.
            offset: rows skipped.
        """
        condition = Post.pending_delete.is_(False) & (
            Post.status == status if status is not None else Post.status != "trash"
        )
        column = {"modified": Post.modified_gmt, "date": Post.date_gmt, "title": Post.title}[sort]
        order = (column.desc() if descending else column.asc(), Post.id.desc())
        with self._cache.read() as session:
            total = session.scalar(select(func.count()).select_from(Post).where(condition)) or 0
            query = (
                select(*_SUMMARY_COLUMNS)
                .where(condition)
                .order_by(*order)
                .limit(limit)
                .offset(offset)
            )
            return Page(tuple(summaries(session, query)), total, offset)

    def query(
        self,
        status: records.PostStatus | None = None,
        *,
        category: int | None = None,
        author: int | None = None,
        words: str = "",
        sort: PostListSort = "modified",
        descending: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[PostSummary]:
        """One page of the posts list, filtered and sorted by any of its columns.

        Args:
            status: only this status; None for every status but ``trash``.
            category: only posts in this category (local id).
            author: only posts by this user.
            words: only posts whose title or body has every word (as prefixes, see
                :func:`clinicdesk.store.search.fts_query`); "" for no search.
            sort: "modified", "date", "title" (case-insensitive), "status" (drafts first),
                "author" (by name) or "sync" (conflicts first, then rejected, deleted on the
                site, not on the site yet, local changes, in step).
            descending: reverse the order (newest, Z or least urgent first).
            limit: rows in the page.
            offset: rows skipped.
        """
        condition = Post.pending_delete.is_(False) & (
            Post.status == status if status is not None else Post.status != "trash"
        )
        if category is not None:
            condition &= Post.id.in_(select(PostTerm.post_id).where(PostTerm.term_id == category))
        if author is not None:
            condition &= Post.author == author
        if words.strip():
            match = search.fts_query(words)
            if match is None:
                return Page((), 0, offset)
            matching = (
                text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH :match")
                .bindparams(match=match)
                .columns(column("rowid", Integer))
            )
            condition &= Post.id.in_(matching)
        key = _list_sort_key(sort)
        order = (key.desc() if descending else key.asc(), Post.id.desc())
        with self._cache.read() as session:
            total = session.scalar(select(func.count()).select_from(Post).where(condition)) or 0
            rows = select(*_SUMMARY_COLUMNS).where(condition).order_by(*order)
            return Page(tuple(summaries(session, rows.limit(limit).offset(offset))), total, offset)

    def counts(self) -> dict[str, int]:
        """Posts per status (and "all": every status but trash), for the view list."""
        with self._cache.read() as session:
            rows = session.execute(
                select(Post.status, func.count())
                .where(Post.pending_delete.is_(False))
                .group_by(Post.status)
            )
            counts = {str(status): int(n) for status, n in rows}
        counts["all"] = sum(n for status, n in counts.items() if status != "trash")
        return counts

    def get(self, local_id: int) -> PostDetail:
        """One post, with its base and site copies.

        Raises:
            RecordNotFoundError: no such post.
        """
        with self._cache.read() as session:
            post = session.get(Post, local_id)
            if post is None:
                raise RecordNotFoundError("This post is no longer in the offline copy.")
            return _detail(session, post)

    def search(self, text: str, *, limit: int = 50, offset: int = 0) -> list[PostSummary]:
        """Posts whose title or body matches ``text`` (words, prefixes as typed), best first."""
        match = search.fts_query(text)
        if match is None:
            return []
        with self._cache.read() as session:
            return summaries(
                session,
                search.post_matches(match, _SUMMARY_COLUMNS).limit(limit).offset(offset),
            )

    def revisions(self, local_id: int) -> list[RevisionInfo]:
        """The post's saved versions, newest first."""
        with self._cache.read() as session:
            rows = session.scalars(
                select(PostRevision)
                .where(PostRevision.post_id == local_id)
                .order_by(PostRevision.id.desc())
            )
            return [
                RevisionInfo(
                    id=row.id,
                    post_id=row.post_id,
                    created_at=row.created_at,
                    origin="site" if row.origin == "site" else "local",
                    fields=snapshot_from_json(row.fields),
                )
                for row in rows
            ]

    def local_id(self, remote_id: int) -> int | None:
        """The local id of the site's post, if the cache has it."""
        with self._cache.read() as session:
            return session.scalar(select(Post.id).where(Post.remote_id == remote_id))

    # -- local writes ----------------------------------------------------------------------------

    def create(self, **fields: Unpack[PostEdit]) -> int:
        """Create a post locally (a draft unless ``status`` says otherwise) and queue it.

        Returns:
            The new post's local id.

        Raises:
            InvalidEditError: a field is unknown or has a bad value.
        """
        with self._cache.write() as session:
            values = _validate(session, fields)
            values.setdefault("status", "draft")
            now = utcnow()
            post = Post(
                client_id=str(uuid.uuid4()),
                is_new=True,
                dirty=True,
                status="draft",
                modified_gmt=now,
            )
            session.add(post)
            session.flush()
            _apply_json(session, post, values)
            enqueue(
                session, "post", post.id, "create", snapshot_json(session, post), refs=_refs(values)
            )
            return post.id

    def edit(self, local_id: int, **changes: Unpack[PostEdit]) -> bool:
        """Change fields of a post locally and queue the change (one transaction).

        The first change since the post was last in step with the site records the base copy;
        repeated changes fold into one waiting update. Editing a post the site rejected sends
        it again.

        The edits of a post that is published, scheduled or private (:data:`LIVE_STATUSES`)
        are saved but kept off the site, folded into one *staged* entry, until
        :meth:`publish_changes` (the user's "Update"). A change of status is the user's
        Publish / Update / Switch to draft: it goes at the next sync, with every staged edit.

        Returns:
            False when nothing changed.

        Raises:
            RecordNotFoundError: no such post (or it is being deleted).
            InvalidEditError: a field is unknown or has a bad value.
        """
        with self._cache.write() as session:
            post = self._editable(session, local_id)
            values = _validate(session, changes)
            current = snapshot_json(session, post)
            changed = {k: v for k, v in values.items() if current[k] != v}
            if not changed:
                return False
            self._apply_local(session, post, current, changed)
            if "status" in changed:
                release_staged(session, "post", post.id)
            staged = "status" not in changed and post.status in LIVE_STATUSES
            enqueue(session, "post", post.id, "update", changed, refs=_refs(changed), staged=staged)
            return True

    def publish_changes(self, local_id: int) -> bool:
        """Send a live post's saved edits at the next sync (the user clicked Update).

        Returns:
            False when there were none waiting for it.
        """
        with self._cache.write() as session:
            return release_staged(session, "post", local_id) > 0

    def unstaged_values(self, local_id: int) -> JsonDict:
        """The values a post's staged edits replaced, as the last change to send left them.

        A post published here before its first sync is created with its fields as they are at
        that sync, except those edited since Publish: those edits wait for Update, so the create
        carries what the user published (the create's snapshot, then each sendable update in
        order). Empty when nothing is staged.
        """
        with self._cache.read() as session:
            entries = entries_of(session, "post", local_id)
            staged = {
                str(key) for entry in entries if entry.state == "staged" for key in entry.payload
            }
            if not staged:
                return {}
            sendable: JsonDict = {}
            for entry in entries:
                if entry.state != "staged" and entry.op in ("create", "update"):
                    sendable.update(entry.payload)
            return {key: sendable[key] for key in staged if key in sendable}

    def unpublished(self) -> list[PostSummary]:
        """Posts with edits saved here but not on the site until Update (for a quit warning)."""
        with self._cache.read() as session:
            query = (
                select(*_SUMMARY_COLUMNS)
                .where(_staged_exists())
                .order_by(Post.modified_gmt.desc(), Post.id.desc())
            )
            return summaries(session, query)

    def trash(self, local_id: int) -> None:
        """Move a post to the trash. A post never sent to the site is simply deleted."""
        with self._cache.write() as session:
            post = self._editable(session, local_id)
            if post.status == "trash":
                return
            if post.is_new and not was_attempted(session, "post", post.id):
                drop_entries(session, "post", post.id)
                session.delete(post)
                return
            current = snapshot_json(session, post)
            self._apply_local(session, post, current, {"status": "trash"})
            enqueue(session, "post", post.id, "trash", {})

    def restore(self, local_id: int) -> None:
        """Take a post out of the trash, as a draft."""
        self.edit(local_id, status="draft")

    def delete_permanently(self, local_id: int) -> None:
        """Delete a post for good. It disappears from lists now; the site is told later."""
        with self._cache.write() as session:
            post = self._editable(session, local_id)
            if post.is_new and not was_attempted(session, "post", post.id):
                drop_entries(session, "post", post.id)
                session.delete(post)
                return
            post.pending_delete = True
            post.dirty = True
            # Edits never published go with the post (they would only be sent to be deleted).
            session.execute(
                delete(OutboxEntry).where(
                    OutboxEntry.entity == "post",
                    OutboxEntry.local_id == post.id,
                    OutboxEntry.state == "staged",
                )
            )
            enqueue(session, "post", post.id, "delete", {})

    def restore_revision(self, local_id: int, revision_id: int) -> bool:
        """Put a saved version's fields back (as a local edit, itself revertible).

        Returns:
            False when the post already had those fields.
        """
        with self._cache.read() as session:
            revision = session.get(PostRevision, revision_id)
            if revision is None or revision.post_id != local_id:
                raise RecordNotFoundError("This version is no longer kept.")
            fields = snapshot_from_json(revision.fields)
        edit = _snapshot_edit(fields)
        if fields.status == "trash":
            edit.pop("status")
        existing_terms = self._existing_terms(list(fields.categories) + list(fields.tags))
        edit["categories"] = [i for i in fields.categories if i in existing_terms]
        edit["tags"] = [i for i in fields.tags if i in existing_terms]
        return self.edit(local_id, **edit)

    def _existing_terms(self, ids: list[int]) -> set[int]:
        with self._cache.read() as session:
            return set(session.scalars(select(Term.id).where(Term.id.in_(ids))))

    def keep_versions(self, local_id: int) -> None:
        """Save the post's local fields, and the site's copy waiting beside them, as revisions.

        The UI calls this before settling a conflict (keep mine, take the site's, or a merge by
        hand), so whichever version is given up stays in the post's history, restorable.

        Raises:
            RecordNotFoundError: no such post.
        """
        with self._cache.write() as session:
            post = session.get(Post, local_id)
            if post is None:
                raise RecordNotFoundError("This post is no longer in the offline copy.")
            _add_revision(session, post.id, "local", snapshot_json(session, post))
            if post.server_copy is not None:
                _add_revision(session, post.id, "site", dict(post.server_copy))

    def resolve(self, local_id: int, **merged: Unpack[PostEdit]) -> None:
        """Settle a post's local changes against the site's newer copy.

        The sync engine calls this with the result of a three-way merge, and the UI with the
        user's choice in a conflict. The site's copy becomes the new base; whatever ``merged``
        (applied over the local fields) still differs from it is queued as one update, and
        the post's held entries are released.

        Raises:
            RecordNotFoundError: no such post.
            InvalidEditError: the merge names unknown fields or values, or there is no site copy.
        """
        with self._cache.write() as session:
            post = session.get(Post, local_id)
            if post is None:
                raise RecordNotFoundError("This post is no longer in the offline copy.")
            if post.server_copy is None:
                raise InvalidEditError("There is no newer version from the site to merge with.")
            # A merge may keep the site's move to the trash (an edit may not ask for it).
            site_trashed = post.server_copy.get("status") == "trash"
            keep_trash = site_trashed and merged.get("status") == "trash"
            if keep_trash:
                merged = cast(PostEdit, {k: v for k, v in merged.items() if k != "status"})
            values = _validate(session, merged)
            if keep_trash:
                values["status"] = "trash"
            server = dict(post.server_copy)
            server_version = dt_from_json(server.pop("modified_gmt", None))
            _apply_json(session, post, values)
            result = snapshot_json(session, post)
            difference = {k: v for k, v in result.items() if server.get(k) != v}
            if post.is_new:
                difference = result  # not on the site yet: the create carries everything
            post.base = server
            post.server_copy = None
            post.server_modified_gmt = server_version
            post.conflict = False
            post.rejected_message = None
            post.modified_gmt = utcnow()
            # Fields edited but not published yet stay off the site (a merge must not leak them).
            unpublished = set() if post.is_new else staged_keys(session, "post", post.id)
            in_flight = drop_entries(session, "post", post.id)
            send = {k: v for k, v in difference.items() if k not in unpublished}
            keep = {k: v for k, v in difference.items() if k in unpublished}
            if send:
                op: OutboxOp = "create" if post.is_new else "update"
                enqueue(session, "post", post.id, op, send, refs=_refs(send))
            if keep:
                enqueue(session, "post", post.id, "update", keep, refs=_refs(keep), staged=True)
            post.dirty = bool(difference or in_flight)
            if not post.dirty:
                post.base = None

    def discard_changes(self, local_id: int) -> None:
        """Drop the post's waiting local changes and go back to the site's version.

        A post that was never on the site is deleted.
        """
        with self._cache.write() as session:
            post = session.get(Post, local_id)
            if post is None:
                return
            in_flight = drop_entries(session, "post", post.id)
            if post.remote_id is None and not in_flight:
                session.delete(post)
                return
            site = post.server_copy or post.base
            if site is not None:
                site = dict(site)
                version = dt_from_json(site.pop("modified_gmt", None))
                _apply_json(session, post, site)
                if version is not None:
                    post.server_modified_gmt = version
            post.pending_delete = False
            post.conflict = False
            post.rejected_message = None
            post.server_copy = None
            if not in_flight:
                post.dirty = False
                post.base = None

    def recreate(self, local_id: int) -> None:
        """Create again, as a new post, a post deleted on the site while it had local changes."""
        with self._cache.write() as session:
            post = session.get(Post, local_id)
            if post is None or not post.deleted_on_site:
                raise InvalidEditError("Only a post deleted on the site can be created again.")
            drop_entries(session, "post", post.id)
            post.remote_id = None
            post.client_id = str(uuid.uuid4())
            post.is_new = True
            post.dirty = True
            post.deleted_on_site = False
            post.conflict = False
            post.rejected_message = None
            post.base = None
            post.server_copy = None
            post.server_modified_gmt = None
            fields = snapshot_json(session, post)
            if fields["status"] == "trash":
                fields["status"] = "draft"
                _apply_json(session, post, {"status": "draft"})
            enqueue(session, "post", post.id, "create", fields, refs=_refs(fields))

    # -- applying the site's posts ---------------------------------------------------------------

    def upsert_from_site(self, items: Sequence[records.Post]) -> list[ApplyOutcome]:
        """Store a page of posts from the site in one transaction (see :func:`upsert_posts`)."""
        with self._cache.write() as session:
            return upsert_posts(session, items)

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _editable(session: Session, local_id: int) -> Post:
        post = session.get(Post, local_id)
        if post is None or post.pending_delete:
            raise RecordNotFoundError("This post is no longer in the offline copy.")
        return post

    @staticmethod
    def _apply_local(session: Session, post: Post, current: JsonDict, changed: JsonDict) -> None:
        _record_revision(session, post, "local")
        if not post.dirty and not post.is_new:
            post.base = current
        _apply_json(session, post, changed)
        post.dirty = True
        post.modified_gmt = utcnow()
        if post.rejected_message is not None:
            # The user changed what the site refused: try again.
            post.rejected_message = None
            if post.is_new:
                # A refused create (400/403) created nothing: let this change fold into it,
                # instead of queueing behind the same create refused again.
                session.execute(
                    update(OutboxEntry)
                    .where(
                        OutboxEntry.entity == "post",
                        OutboxEntry.local_id == post.id,
                        OutboxEntry.op == "create",
                        OutboxEntry.state == "held",
                    )
                    .values(attempts=0)
                )
            if not post.conflict and not post.deleted_on_site:
                set_held(session, "post", post.id, held=False)


def _snapshot_edit(fields: PostSnapshot) -> PostEdit:
    return PostEdit(
        title=fields.title,
        content=fields.content,
        excerpt=fields.excerpt,
        slug=fields.slug,
        status=fields.status,
        date_gmt=fields.date_gmt,
        categories=list(fields.categories),
        tags=list(fields.tags),
        featured_media=fields.featured_media,
        author=fields.author,
    )


def _post_pushed(
    session: Session, entry: OutboxEntry, record: records.Post | None, adopted: bool
) -> None:
    apply_post_pushed(session, entry, record, adopted=adopted)


def _keep_post_copy(session: Session, server: records.Post) -> None:
    upsert_post(session, server)


def _post_body(
    session: Session, _entry: OutboxEntry | None, payload: Mapping[str, Any]
) -> records.PostFields:
    # The claimed item's payload, as the push read it (not the entry's: record_sent may rewrite
    # a create's payload after this body was built).
    return post_site_fields(session, dict(payload))


#: How the outbox finishes a post's changes (registered by :mod:`clinicdesk.store.engine`).
POST_ADAPTER = EntityAdapter(
    entity="post",
    model=Post,
    record_type=records.Post,
    apply_pushed=_post_pushed,
    answers_delete=True,
    site_fields=_post_body,
    keep_server_copy=_keep_post_copy,
)
