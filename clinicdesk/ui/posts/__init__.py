"""The Posts tab: the list of every post, and a local-first editor that writes block markup.

The shell builds :class:`PostsTab` with the open cache, the signed-in user's capabilities and
id, connects ``changesMade`` to its sync debounce and calls ``refresh()`` after each round.
"""

from clinicdesk.ui.posts.form import CAP_CATEGORIES, CAP_PUBLISH, CAP_UPLOAD
from clinicdesk.ui.posts.tab import CAP_DELETE, PostsTab

#: The capabilities the Posts tab looks at (the shell rebuilds it when they change).
POSTS_CAPABILITIES = frozenset({"edit_posts", CAP_PUBLISH, CAP_UPLOAD, CAP_CATEGORIES, CAP_DELETE})

__all__ = ["POSTS_CAPABILITIES", "PostsTab"]
