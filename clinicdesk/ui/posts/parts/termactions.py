"""The editor's categories and tags: typed tag names become tags, new categories are created.

Both are created in the offline copy through the desk (a name already known, whatever its case,
is the existing term) and sent at the next sync. A helper of
:class:`~clinicdesk.ui.posts.form.PostEditor`, which it uses only through
:class:`~clinicdesk.ui.posts.parts.host.TermHost`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

from clinicdesk.store import CacheError
from clinicdesk.ui.posts.common import named

if TYPE_CHECKING:
    from clinicdesk.ui.posts.parts.host import TermHost


class TermActions:
    """Categories and tags for one editor.

    Args:
        host: the editor these act on.
    """

    def __init__(self, host: TermHost) -> None:
        self._host = host

    def tags_finished(self) -> None:
        """The tag field was left: the names typed become tags."""
        presenter = self._host.presenter
        if presenter.loading or presenter.read_only:
            return
        if self.commit_tags():
            self._host.mark_changed()

    def commit_tags(self) -> bool:
        """Turn the typed tag names into tags (new ones created locally). False on failure."""
        host = self._host
        try:
            ids = host.desk.term_ids("post_tag", host.tags_panel.typed_names())
        except CacheError as error:
            host.notice.emit(error.message)
            return False
        if ids != host.presenter.tag_ids:
            host.presenter.tag_ids = ids
            host.tags_panel.set_known(host.offered.tags())
        return True

    def ask_new_category(self) -> None:
        """Ask for a new category's name (non-blocking)."""
        host = self._host
        dialog = QInputDialog(host.dialog_parent)
        named(dialog, "newCategoryDialog", host.tr("New category"))
        dialog.setWindowTitle(host.tr("New category"))
        dialog.setLabelText(host.tr("Name of the new category:"))
        dialog.textValueSelected.connect(self.add_category)
        host.keep_dialog(dialog)
        dialog.open()

    def add_category(self, name: str) -> None:
        """Create a category (locally, sent at the next sync) and tick it for this post."""
        host = self._host
        if not name.strip():
            return
        try:
            [term_id] = host.desk.term_ids("category", [name])
        except CacheError as error:
            host.notice.emit(error.message)
            return
        selected = (*host.current_values()["categories"], term_id)
        with host.presenter.filling():
            host.show_categories(selected)
        host.mark_changed()
