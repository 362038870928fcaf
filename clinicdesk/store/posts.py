"""Posts: one store, the sum of its jobs.

:class:`PostStore` is what ``cache.posts`` hands out. Each job lives in its own module, a class
holding only the cache it works on; none reaches into another's private names:

- :mod:`~clinicdesk.store.post_reads`: the list's pages, counts, one post, its versions;
- :mod:`~clinicdesk.store.post_edits`: local edits, each committed with its outbox entry;
- :mod:`~clinicdesk.store.post_staging`: a live post's edits waiting for Update;
- :mod:`~clinicdesk.store.post_conflicts`: settling a post out of step with the site;
- :mod:`~clinicdesk.store.post_sync`: the site's pages stored, and the outbox adapter.

A post's row and its JSON forms are :mod:`~clinicdesk.store.post_rows`'. The names callers
imported from here before (``PostListSort``, ``LIVE_STATUSES``, ``MAX_REVISIONS``...) still are.
"""

from __future__ import annotations

from clinicdesk.store.entity import Transactions
from clinicdesk.store.post_conflicts import PostConflicts
from clinicdesk.store.post_edits import PostEdits
from clinicdesk.store.post_reads import (
    PostListSort as PostListSort,
)
from clinicdesk.store.post_reads import PostReads
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
from clinicdesk.store.post_staging import PostStaging
from clinicdesk.store.post_sync import PostsFromSite
from clinicdesk.store.post_sync import (
    adopt_post as adopt_post,
)


class PostStore(PostReads, PostEdits, PostStaging, PostConflicts, PostsFromSite):
    """The posts of one cache: every job's methods on one object.

    Args:
        cache: the open cache.
    """

    def __init__(self, cache: Transactions) -> None:
        # Every job keeps the same cache as ``_cache``; one assignment serves them all.
        self._cache = cache
