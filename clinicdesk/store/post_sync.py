"""What sync applies to posts: the site's pages stored, a lost create adopted, a change's
outcome, and a change's write body (local ids made the site's).

:class:`clinicdesk.store.posts.PostStore` is the local side; this is the site's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, cast

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from clinicdesk.domain.blocks import LOCAL_MEDIA_ATTR, resolve_local_images
from clinicdesk.model import records
from clinicdesk.store.catalog import (
    remote_media_id,
    remote_term_ids,
)
from clinicdesk.store.common import (
    JsonDict,
    dt_from_json,
    dt_to_json,
    enqueue,
    entries_of,
    pending_count,
    set_held,
)
from clinicdesk.store.entity import CacheJob, EntityAdapter
from clinicdesk.store.errors import (
    UnsyncedDependencyError,
)
from clinicdesk.store.models import (
    Media,
    OutboxEntry,
    Post,
    PostTerm,
)
from clinicdesk.store.post_rows import (
    TEXT_FIELDS,
    ApplyOutcome,
    SiteRefs,
    apply_json,
    record_json,
    record_revision,
    refs_of,
    row_snapshot,
    snapshot_json,
    terms_of_posts,
)

logger = logging.getLogger(__name__)


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
    refs = SiteRefs(session, items)
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
    terms = terms_of_posts(session, [post.id for post in existing.values()])
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


def _new_post_row(record: records.Post, client_id: str | None, fields: JsonDict) -> dict[str, Any]:
    """The ``posts`` row of a post new here (what ``Post(...)`` + :func:`apply_json` make)."""
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

    current = snapshot_json(session, post) if terms is None else row_snapshot(post, terms)
    if current == fields and post.server_modified_gmt == record.modified_gmt:
        return "unchanged"
    if any(current[name] != fields[name] for name in ("title", "content", "excerpt")):
        record_revision(session, post, "site")
    apply_json(session, post, fields)
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
            record_revision(session, post, "site")
        apply_json(session, post, fields)
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
        enqueue(session, "post", post.id, "update", changed, refs=refs_of(changed))
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
        apply_json(session, post, fields)
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
    for name in (*TEXT_FIELDS, "status", "author"):
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


class PostsFromSite(CacheJob):
    """Storing the site's posts in one cache."""

    def upsert_from_site(self, items: Sequence[records.Post]) -> list[ApplyOutcome]:
        """Store a page of posts from the site in one transaction (see :func:`upsert_posts`)."""
        with self._cache.write() as session:
            return upsert_posts(session, items)


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
    apply_pushed=apply_post_pushed,
    apply_adopted=partial(apply_post_pushed, adopted=True),
    answers_delete=True,
    site_fields=_post_body,
    keep_server_copy=_keep_post_copy,
)
