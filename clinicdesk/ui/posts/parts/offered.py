"""What the offline copy offers the post editor to choose from: categories, tags, images, people.

Reads only (the editor's writes go through the desk). The editor fills its side panel from
these, and its helpers name a version's categories or featured image with them. A read that
fails says so through ``tell`` and offers nothing, so a damaged catalogue never stops anyone
writing; :meth:`Offered.terms` lets the caller decide instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from clinicdesk.model.cached import MediaInfo, TermInfo
from clinicdesk.model.records import Taxonomy
from clinicdesk.store import Cache, CacheError

_T = TypeVar("_T")


class Offered:
    """The categories, tags, images and users of one open cache, for the post editor.

    Args:
        cache: the open cache (read only).
        tell: says a failed read to the user (plain text).
    """

    def __init__(self, cache: Cache, tell: Callable[[str], None]) -> None:
        self._cache = cache
        self._tell = tell

    def terms(self, taxonomy: Taxonomy) -> list[TermInfo]:
        """The categories or tags.

        Raises:
            CacheError: they could not be read (nothing was said).
        """
        return self._cache.catalog.terms(taxonomy)

    def categories(self) -> list[TermInfo]:
        """The categories (none, and said, when they cannot be read)."""
        return self._or_said(lambda: self.terms("category"))

    def tags(self) -> list[TermInfo]:
        """The tags (none, and said, when they cannot be read)."""
        return self._or_said(lambda: self.terms("post_tag"))

    def images(self) -> list[MediaInfo]:
        """The images a post can show (none, and said, when they cannot be read)."""
        return self._or_said(
            lambda: [m for m in self._cache.catalog.media() if m.media_type in ("image", "")]
        )

    def image_path(self, media_id: int) -> str | None:
        """Where an image waiting for its upload is on this computer (None: not known)."""
        return next((m.local_path for m in self.images() if m.id == media_id), None)

    def user_names(self) -> dict[int, str]:
        """The site's users by id (none, silently, when they cannot be read: an author is
        then shown by id)."""
        try:
            return {user.id: user.name for user in self._cache.catalog.users()}
        except CacheError:
            return {}

    def _or_said(self, read: Callable[[], list[_T]]) -> list[_T]:
        try:
            return read()
        except CacheError as error:
            self._tell(error.message)
            return []
