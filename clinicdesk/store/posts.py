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
from typing import Any, Literal, Unpack, cast

from sqlalchemy import Integer, case, column, delete, func, select, text, update
from sqlalchemy.orm import Session

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
from clinicdesk.store.common import (
    AnySelect,
    JsonDict,
    drop_entries,
    dt_from_json,
    enqueue,
    entries_of,
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
)
from clinicdesk.store.models import (
    OutboxEntry,
    Post,
    PostRevision,
    PostTerm,
    Term,
    User,
    utcnow,
)
from clinicdesk.store.post_rows import (
    LIVE_STATUSES as LIVE_STATUSES,
)
from clinicdesk.store.post_rows import (
    MAX_REVISIONS as MAX_REVISIONS,
)
from clinicdesk.store.post_rows import (
    POST_FIELDS as POST_FIELDS,
)
from clinicdesk.store.post_rows import (
    REVISION_GAP as REVISION_GAP,
)
from clinicdesk.store.post_rows import (
    ApplyOutcome,
    _add_revision,
    _apply_json,
    _has_staged,
    _record_revision,
    _refs,
    _staged_exists,
    _validate,
    snapshot_from_json,
    snapshot_json,
)
from clinicdesk.store.post_sync import (
    adopt_post as adopt_post,
)
from clinicdesk.store.post_sync import (
    apply_post_pushed,
    post_site_fields,
    upsert_post,
    upsert_posts,
)

logger = logging.getLogger(__name__)


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
