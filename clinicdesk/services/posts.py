"""The Posts tab's writes: posts, their categories and tags, their images, as one desk the UI calls.

Each store call is one transaction (the record's row and its outbox entry together), the first
step of the one-way path UI -> service -> store -> sync -> site. Every write of the Posts tab
goes through here (the UI never decides what a write means for the outbox); the desk also reads
one post back for the editor. Its own policies: a conflict is settled only after both versions
went to the history (:meth:`PostDesk.take_site_version`, :meth:`PostDesk.settle`), and a typed
category or tag name is the existing term of that name whatever its case
(:meth:`PostDesk.term_ids`). What a test or a script drives without a window. No Qt.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Unpack

from clinicdesk.model.cached import PostDetail, PostEdit, RevisionInfo
from clinicdesk.model.records import Taxonomy
from clinicdesk.store import Cache


class PostDesk:
    """The writes of the post editor and the post list, on one open cache.

    Every method raises ``CacheError`` (``InvalidEditError``, ``RecordNotFoundError``...) with
    a message for the user when the store refuses.

    Args:
        cache: the open cache.
    """

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    def get(self, local_id: int) -> PostDetail:
        """One post as the offline copy has it now (what the editor shows after a write).

        Raises:
            RecordNotFoundError: the post is no longer in the offline copy.
        """
        return self._cache.posts.get(local_id)

    def revisions(self, local_id: int) -> list[RevisionInfo]:
        """The post's saved versions, newest first (what History offers to restore)."""
        return self._cache.posts.revisions(local_id)

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

    def take_site_version(self, local_id: int) -> None:
        """Settle a post for the site's version: mine goes to the history first, then the
        waiting local changes are dropped (the conflict's "Take the site's", and Discard)."""
        self._cache.posts.keep_versions(local_id)
        self._cache.posts.discard_changes(local_id)

    def settle(self, local_id: int, **merged: Unpack[PostEdit]) -> None:
        """Settle a post's conflict with these fields (mine, or merged by hand): the site's
        version goes to the history first; the settled fields wait for the next sync."""
        self._cache.posts.keep_versions(local_id)
        self._cache.posts.resolve(local_id, **merged)

    # -- categories, tags, images ----------------------------------------------------------------

    def term_ids(self, taxonomy: Taxonomy, names: Iterable[str]) -> list[int]:
        """The local ids of the categories or tags named, creating the ones not known yet.

        A name is matched without regard to case or surrounding spaces (typing "grief" ticks
        the existing "Grief"); a name given twice is created once. New terms are queued and
        sent before any post that uses them.

        Args:
            taxonomy: ``"category"`` or ``"post_tag"``.
            names: the names as typed.

        Returns:
            One id per name, in order.

        Raises:
            InvalidEditError: a name is blank.
        """
        known = {term.name.casefold(): term.id for term in self._cache.catalog.terms(taxonomy)}
        ids: list[int] = []
        for name in names:
            key = " ".join(name.split()).casefold()
            term_id = known.get(key)
            if term_id is None:
                term_id = self._cache.catalog.create_term(taxonomy, " ".join(name.split()))
                known[key] = term_id
            ids.append(term_id)
        return ids

    def queue_upload(self, path: Path, mime_type: str, *, title: str = "") -> int:
        """Queue a file for upload (usable in posts at once); its local media id.

        Raises:
            InvalidEditError: the file's type is unknown.
        """
        return self._cache.catalog.queue_upload(path, mime_type, title=title)

    def set_alt_text(self, media_id: int, alt_text: str) -> None:
        """Change an image's alternative text (queued; folded into a waiting upload).

        Raises:
            RecordNotFoundError: the image is no longer in the offline copy.
        """
        self._cache.catalog.set_alt_text(media_id, alt_text)
