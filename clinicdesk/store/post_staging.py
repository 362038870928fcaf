"""Edits of a live post wait for Update: releasing them, what they replaced, which posts hold
some.

The edits of a published, scheduled or private post (``LIVE_STATUSES``) are saved here but kept
off the site (a *staged* outbox entry) until the user's "Update". Part of
:class:`clinicdesk.store.posts.PostStore`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.model.cached import PostSummary
from clinicdesk.store.common import JsonDict, entries_of, release_staged
from clinicdesk.store.entity import CacheJob
from clinicdesk.store.errors import RecordNotFoundError
from clinicdesk.store.models import Post
from clinicdesk.store.post_reads import SUMMARY_COLUMNS, summaries
from clinicdesk.store.post_rows import snapshot_json, staged_exists


class PostStaging(CacheJob):
    """The staged edits of one cache's live posts."""

    def publish_changes(self, local_id: int) -> bool:
        """Send a live post's saved edits at the next sync (the user clicked Update).

        Returns:
            False when there were none waiting for it.
        """
        with self._cache.write() as session:
            return release_staged(session, "post", local_id) > 0

    def create_values(self, local_id: int) -> JsonDict:
        """A post's fields as its create carries them, in the outbox's JSON form (local ids).

        A post published here before its first sync is created with its fields as they are at
        that sync, except those edited since Publish: those edits wait for Update, so the create
        carries what the user published (the create's snapshot, then each sendable update in
        order).

        Raises:
            RecordNotFoundError: no such post.
        """
        with self._cache.read() as session:
            post = session.get(Post, local_id)
            if post is None:
                raise RecordNotFoundError("This post is no longer in the offline copy.")
            return {**snapshot_json(session, post), **_unstaged_values(session, local_id)}

    def unpublished(self) -> list[PostSummary]:
        """Posts with edits saved here but not on the site until Update (for a quit warning)."""
        with self._cache.read() as session:
            query = (
                select(*SUMMARY_COLUMNS)
                .where(staged_exists())
                .order_by(Post.modified_gmt.desc(), Post.id.desc())
            )
            return summaries(session, query)


def _unstaged_values(session: Session, local_id: int) -> JsonDict:
    """The values a post's staged edits replaced, as the last change to send left them (empty
    when nothing is staged)."""
    entries = entries_of(session, "post", local_id)
    staged = {str(key) for entry in entries if entry.state == "staged" for key in entry.payload}
    if not staged:
        return {}
    sendable: JsonDict = {}
    for entry in entries:
        if entry.state != "staged" and entry.op in ("create", "update"):
            sendable.update(entry.payload)
    return {key: sendable[key] for key in staged if key in sendable}
