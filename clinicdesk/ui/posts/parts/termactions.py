"""The editor's categories and tags: typed tag names become tags, new categories are created.

Both are created in the offline copy and sent at the next sync. A helper of
:class:`~clinicdesk.ui.posts.form.PostEditor`, kept apart so the editor itself stays the wiring
of its parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

from clinicdesk.store import CacheError
from clinicdesk.ui.posts.common import named

if TYPE_CHECKING:
    from clinicdesk.ui.posts.form import PostEditor


class TermActions:
    """Categories and tags for one editor.

    Args:
        editor: the editor these act on.
    """

    def __init__(self, editor: PostEditor) -> None:
        self._e = editor

    def tags_finished(self) -> None:
        """The tag field was left: the names typed become tags."""
        if self._e._p.loading or self._e._p.read_only:
            return
        if self.commit_tags():
            self._e._changed()

    def commit_tags(self) -> bool:
        """Turn the typed tag names into tags (new ones created locally). False on failure."""
        names = self._e.tags_panel.typed_names()
        existing = {tag.name.casefold(): tag.id for tag in self._e._tags()}
        ids: list[int] = []
        try:
            for name in names:
                tag_id = existing.get(name.casefold())
                if tag_id is None:
                    tag_id = self._e.cache.catalog.create_term("post_tag", name)
                    existing[name.casefold()] = tag_id
                ids.append(tag_id)
        except CacheError as error:
            self._e.notice.emit(error.message)
            return False
        if ids != self._e._tag_ids:
            self._e._tag_ids = ids
            self._e.tags_panel.set_known(self._e._tags())
        return True

    def ask_new_category(self) -> None:
        """Ask for a new category's name (non-blocking)."""
        dialog = QInputDialog(self._e)
        named(dialog, "newCategoryDialog", self._e.tr("New category"))
        dialog.setWindowTitle(self._e.tr("New category"))
        dialog.setLabelText(self._e.tr("Name of the new category:"))
        dialog.textValueSelected.connect(self.add_category)
        self._e._keep(dialog)
        dialog.open()

    def add_category(self, name: str) -> None:
        """Create a category (locally, sent at the next sync) and tick it for this post."""
        name = " ".join(name.split())
        if not name:
            return
        try:
            existing = {t.name.casefold(): t.id for t in self._e.cache.catalog.terms("category")}
            term_id = existing.get(name.casefold())
            if term_id is None:
                term_id = self._e.cache.catalog.create_term("category", name)
        except CacheError as error:
            self._e.notice.emit(error.message)
            return
        selected = (*self._e._current()["categories"], term_id)
        self._e._p.loading = True
        try:
            self._e._fill_categories(selected)
        finally:
            self._e._p.loading = False
        self._e._changed()
