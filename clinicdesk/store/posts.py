"""Posts: one store, the sum of its jobs.

:class:`PostStore` is what ``cache.posts`` hands out. Each job lives in its own module, a class
holding only the cache it works on; none reaches into another's private names:

- :mod:`~clinicdesk.store.post_reads`: the list's pages, counts, one post, its versions;
- :mod:`~clinicdesk.store.post_edits`: local edits, each committed with its outbox entry;
- :mod:`~clinicdesk.store.post_staging`: a live post's edits waiting for Update;
- :mod:`~clinicdesk.store.post_conflicts`: settling a post out of step with the site;
- :mod:`~clinicdesk.store.post_sync`: the site's pages stored, and the outbox adapter.

A post's row and its JSON forms are :mod:`~clinicdesk.store.post_rows`'; the list's sort keys
(``PostListSort``) are :mod:`~clinicdesk.store.post_reads`'; ``LIVE_STATUSES`` is the vocabulary's
(:mod:`clinicdesk.model.records`).
"""

from __future__ import annotations

from clinicdesk.store.post_conflicts import PostConflicts
from clinicdesk.store.post_edits import PostEdits
from clinicdesk.store.post_reads import PostReads
from clinicdesk.store.post_staging import PostStaging
from clinicdesk.store.post_sync import PostsFromSite


class PostStore(PostReads, PostEdits, PostStaging, PostConflicts, PostsFromSite):
    """The posts of one cache: every job's methods on one object.

    Args:
        cache: the open cache.
    """
