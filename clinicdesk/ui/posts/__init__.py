"""The Posts tab: the list of every post, and a local-first editor that writes block markup.

The shell builds :class:`PostsTab` with the open cache, the signed-in user's capabilities and
id, connects ``changesMade`` to its sync debounce and calls ``refresh()`` after each round.

``PostsTab`` is imported on first use, so that the Qt-free draft presenter
(:mod:`clinicdesk.ui.posts.presenter`) can be imported, and unit-tested, without loading Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clinicdesk.ui.posts.presenter import CAP_CATEGORIES, CAP_DELETE, CAP_PUBLISH, CAP_UPLOAD

if TYPE_CHECKING:
    from clinicdesk.ui.posts.tab import PostsTab

#: The capabilities the Posts tab looks at (the shell rebuilds it when they change).
POSTS_CAPABILITIES = frozenset({"edit_posts", CAP_PUBLISH, CAP_UPLOAD, CAP_CATEGORIES, CAP_DELETE})

__all__ = ["POSTS_CAPABILITIES", "PostsTab"]


def __getattr__(name: str) -> object:
    if name == "PostsTab":
        from clinicdesk.ui.posts.tab import PostsTab

        return PostsTab
    raise AttributeError(name)
