"""Local edits of posts: create, edit, trash, restore, delete, a saved version put back. Every
change is committed in the same transaction as its outbox entry, so the cache never holds an edit
that will not be sent, nor an entry without its edit; the first change to a synced post records
its *base copy* (the site's version the change started from).

Part of :class:`clinicdesk.store.posts.PostStore`.
"""

from __future__ import annotations

import uuid
from typing import Unpack

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from clinicdesk.model.cached import PostEdit
from clinicdesk.model.records import LIVE_STATUSES
from clinicdesk.store.common import (
    JsonDict,
    drop_entries,
    enqueue,
    release_staged,
    set_held,
    was_attempted,
)
from clinicdesk.store.entity import CacheJob
from clinicdesk.store.errors import RecordNotFoundError
from clinicdesk.store.models import OutboxEntry, Post, PostRevision, Term, utcnow
from clinicdesk.store.post_rows import (
    apply_json,
    record_revision,
    refs_of,
    snapshot_from_json,
    snapshot_json,
    validate_edit,
)


class PostEdits(CacheJob):
    """Local edits of the posts of one cache."""

    def create(self, **fields: Unpack[PostEdit]) -> int:
        """Create a post locally (a draft unless ``status`` says otherwise) and queue it.

        Returns:
            The new post's local id.

        Raises:
            InvalidEditError: a field is unknown or has a bad value.
        """
        with self._cache.write() as session:
            values = validate_edit(session, fields)
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
            apply_json(session, post, values)
            enqueue(
                session,
                "post",
                post.id,
                "create",
                snapshot_json(session, post),
                refs=refs_of(values),
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
            values = validate_edit(session, changes)
            current = snapshot_json(session, post)
            changed = {k: v for k, v in values.items() if current[k] != v}
            if not changed:
                return False
            self._apply_local(session, post, current, changed)
            if "status" in changed:
                release_staged(session, "post", post.id)
            staged = "status" not in changed and post.status in LIVE_STATUSES
            enqueue(
                session, "post", post.id, "update", changed, refs=refs_of(changed), staged=staged
            )
            return True

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
        edit = fields.as_edit()
        if fields.status == "trash":
            edit.pop("status")
        existing_terms = self._existing_terms(list(fields.categories) + list(fields.tags))
        edit["categories"] = [i for i in fields.categories if i in existing_terms]
        edit["tags"] = [i for i in fields.tags if i in existing_terms]
        return self.edit(local_id, **edit)

    def _existing_terms(self, ids: list[int]) -> set[int]:
        with self._cache.read() as session:
            return set(session.scalars(select(Term.id).where(Term.id.in_(ids))))

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _editable(session: Session, local_id: int) -> Post:
        post = session.get(Post, local_id)
        if post is None or post.pending_delete:
            raise RecordNotFoundError("This post is no longer in the offline copy.")
        return post

    @staticmethod
    def _apply_local(session: Session, post: Post, current: JsonDict, changed: JsonDict) -> None:
        record_revision(session, post, "local")
        if not post.dirty and not post.is_new:
            post.base = current
        apply_json(session, post, changed)
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
