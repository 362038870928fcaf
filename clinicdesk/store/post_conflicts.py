"""Settling a post out of step with the site: both versions kept as revisions, local changes
merged with the site's newer copy (by the sync engine or the user), dropped for the site's
version, or a post deleted on the site created again.

Part of :class:`clinicdesk.store.posts.PostStore`.
"""

from __future__ import annotations

import uuid
from typing import Unpack, cast

from clinicdesk.model.cached import OutboxOp, PostEdit
from clinicdesk.store.common import back_to_site, drop_entries, dt_from_json, enqueue, staged_keys
from clinicdesk.store.entity import CacheJob
from clinicdesk.store.errors import InvalidEditError, RecordNotFoundError
from clinicdesk.store.models import Post, utcnow
from clinicdesk.store.post_rows import (
    add_revision,
    apply_json,
    refs_of,
    snapshot_json,
    validate_edit,
)


class PostConflicts(CacheJob):
    """Settling the posts of one cache against the site's."""

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
            add_revision(session, post.id, "local", snapshot_json(session, post))
            if post.server_copy is not None:
                add_revision(session, post.id, "site", dict(post.server_copy))

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
            values = validate_edit(session, merged)
            if keep_trash:
                values["status"] = "trash"
            server = dict(post.server_copy)
            server_version = dt_from_json(server.pop("modified_gmt", None))
            apply_json(session, post, values)
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
                enqueue(session, "post", post.id, op, send, refs=refs_of(send))
            if keep:
                enqueue(session, "post", post.id, "update", keep, refs=refs_of(keep), staged=True)
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
            back_to_site(post, in_flight, lambda site: apply_json(session, post, site))

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
                apply_json(session, post, {"status": "draft"})
            enqueue(session, "post", post.id, "create", fields, refs=refs_of(fields))
