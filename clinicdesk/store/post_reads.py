"""Reading posts: the list's pages (filtered, sorted by any column, searched), the counts per
status, one post whole, its saved versions.

Part of :class:`clinicdesk.store.posts.PostStore`.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import ColumnElement, Integer, case, column, func, select, text
from sqlalchemy.orm import Session

from clinicdesk.model import records
from clinicdesk.model.cached import Page, PostDetail, PostSort, PostSummary, RevisionInfo
from clinicdesk.store import search
from clinicdesk.store.common import AnySelect, state_of, sync_state
from clinicdesk.store.entity import CacheJob
from clinicdesk.store.errors import RecordNotFoundError
from clinicdesk.store.models import Post, PostRevision, PostTerm, User
from clinicdesk.store.post_rows import has_staged, snapshot_from_json, snapshot_json, staged_exists


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
        unpublished_changes=has_staged(session, post.id),
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


def _listed(status: records.PostStatus | None) -> ColumnElement[bool]:
    """The posts a list shows: of this status, or every status but ``trash`` (None); never one
    deleted here and waiting to be deleted on the site."""
    return Post.pending_delete.is_(False) & (
        Post.status == status if status is not None else Post.status != "trash"
    )


SUMMARY_COLUMNS = (
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
    staged_exists().label("unpublished_changes"),
)


def summaries(session: Session, query: AnySelect) -> list[PostSummary]:
    """Run a select of ``SUMMARY_COLUMNS`` and build the summaries."""
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


class PostReads(CacheJob):
    """Reading the posts of one cache."""

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
        key = {"modified": Post.modified_gmt, "date": Post.date_gmt, "title": Post.title}[sort]
        return self._page(_listed(status), key, descending, limit, offset)

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
        condition = _listed(status)
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
        return self._page(condition, _list_sort_key(sort), descending, limit, offset)

    def _page(
        self, condition: ColumnElement[bool], key: Any, descending: bool, limit: int, offset: int
    ) -> Page[PostSummary]:
        """One page of the posts matching ``condition`` in ``key``'s order, and their total."""
        order = (key.desc() if descending else key.asc(), Post.id.desc())
        with self._cache.read() as session:
            total = session.scalar(select(func.count()).select_from(Post).where(condition)) or 0
            rows = select(*SUMMARY_COLUMNS).where(condition).order_by(*order)
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
                search.post_matches(match, SUMMARY_COLUMNS).limit(limit).offset(offset),
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
