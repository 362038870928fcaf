"""The Posts tab: the list of every post, and a local-first editor that writes block markup.

The shell builds :class:`PostsTab` with the open cache, the signed-in user's capabilities and
id, connects ``changesMade`` to its sync debounce and calls ``refresh()`` after each round.
"""

from clinicdesk.ui.posts.tab import PostsTab

__all__ = ["PostsTab"]
