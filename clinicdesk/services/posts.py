"""The editor's writes to posts: what the Posts tab does, as one desk the UI calls.

Each operation is one store transaction (the post's row and its outbox entry together), the
first step of the one-way path UI -> service -> store -> sync -> site. The desk adds no policy of
its own today; it is where one goes (the UI never decides what a write means for the outbox),
and what a test or a script drives without a window. No Qt.
"""

from __future__ import annotations

from typing import Unpack

from clinicdesk.model.cached import PostEdit
from clinicdesk.store import Cache


class PostDesk:
    """The writes of the post editor and the post list, on one open cache.

    Args:
        cache: the open cache.
    """

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    def create(self, **fields: Unpack[PostEdit]) -> int:
        """Create a post locally (a draft unless ``status`` says otherwise), queued; its local id.

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        return self._cache.posts.create(**fields)

    def edit(self, local_id: int, **changes: Unpack[PostEdit]) -> bool:
        """Change a post locally and queue the change (one transaction); whether it changed.

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        return self._cache.posts.edit(local_id, **changes)

    def publish_changes(self, local_id: int) -> bool:
        """Send a live post's saved edits at the next sync (the user clicked Update).

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        return self._cache.posts.publish_changes(local_id)

    def trash(self, local_id: int) -> None:
        """Move a post to the trash (a post never sent to the site is simply deleted).

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        self._cache.posts.trash(local_id)

    def restore(self, local_id: int) -> None:
        """Take a post out of the trash, as a draft.

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        self._cache.posts.restore(local_id)

    def delete_permanently(self, local_id: int) -> None:
        """Delete a post for good: gone from the lists now, the site is told at the next sync.

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        self._cache.posts.delete_permanently(local_id)

    def discard_changes(self, local_id: int) -> None:
        """Drop the post's waiting local changes and go back to the site's version.

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        self._cache.posts.discard_changes(local_id)

    def keep_versions(self, local_id: int) -> None:
        """Save the post's local fields, and the site's copy beside them, as revisions.

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        self._cache.posts.keep_versions(local_id)

    def resolve(self, local_id: int, **merged: Unpack[PostEdit]) -> None:
        """Settle a post's local changes against the site's newer copy.

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        self._cache.posts.resolve(local_id, **merged)

    def recreate(self, local_id: int) -> None:
        """Create again, as a new post, a post deleted on the site while it had local changes.

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        self._cache.posts.recreate(local_id)

    def restore_revision(self, local_id: int, revision_id: int) -> bool:
        """Put a saved version's fields back, as a local edit (itself revertible).

        Raises:
            CacheError: the store refused it (``InvalidEditError``, ``RecordNotFoundError``...),
                with a message for the user.
        """
        return self._cache.posts.restore_revision(local_id, revision_id)
