"""The editor's other versions: the conflict comparison, the history, discarding local changes,
creating again a post deleted on the site.

A helper of :class:`~clinicdesk.ui.posts.form.PostEditor`, kept apart so the editor itself
stays the wiring of its parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clinicdesk.model.cached import PostSnapshot
from clinicdesk.model.records import Taxonomy
from clinicdesk.store import CacheError, RecordNotFoundError
from clinicdesk.ui.clinic_time import format_moment
from clinicdesk.ui.posts.versiondialogs import ConflictDialog, HistoryDialog

if TYPE_CHECKING:
    from clinicdesk.ui.posts.form import PostEditor


class VersionActions:
    """Comparing, restoring and discarding versions of the editor's post.

    Args:
        editor: the editor these act on.
    """

    def __init__(self, editor: PostEditor) -> None:
        self._e = editor

    def open_compare(self) -> None:
        """Show mine and the site's side by side (non-blocking)."""
        self._e.flush()
        if self._e._p.post_id is None:
            return
        try:
            detail = self._e.cache.posts.get(self._e._p.post_id)
        except CacheError as error:
            self._e.notice.emit(error.message)
            return
        if detail.server is None:
            self._e.notice.emit(self._e.tr("There is no other version to compare with."))
            return
        dialog = ConflictDialog(self._e.cache, detail, self.field_text, self._e)
        dialog.resolved.connect(self.resolved)
        self._e._keep(dialog)
        dialog.open()

    def resolved(self, post_id: int) -> None:
        """A version was chosen or restored: show it."""
        self._e.changesMade.emit()
        if post_id == self._e._p.post_id:
            self._e.open_post(post_id)
        self._e.saved.emit(post_id)

    def field_text(self, field: str, fields: PostSnapshot) -> str:
        """One field of a version, in words (for the comparison)."""
        value = getattr(fields, field)
        if field in ("categories", "tags"):
            taxonomy: Taxonomy = "category" if field == "categories" else "post_tag"
            try:
                names = {t.id: t.name for t in self._e.cache.catalog.terms(taxonomy)}
            except CacheError:
                names = {}
            return ", ".join(names.get(i, str(i)) for i in value)
        if field == "date_gmt":
            return "" if value is None else format_moment(value)
        if field == "featured_media":
            media = next((m for m in self._e._images() if m.id == value), None)
            return "" if value is None else (media.title if media else str(value))
        if field == "status":
            return {
                "publish": self._e.tr("Published"),
                "future": self._e.tr("Scheduled"),
                "draft": self._e.tr("Draft"),
                "pending": self._e.tr("Pending review"),
                "private": self._e.tr("Private"),
                "trash": self._e.tr("Trash"),
            }.get(value, str(value))
        return str(value)

    def open_history(self) -> None:
        """The post's saved versions (non-blocking)."""
        self._e.flush()
        if self._e._p.post_id is None:
            return
        dialog = HistoryDialog(self._e.cache, self._e._p.post_id, self._e)
        dialog.restored.connect(self.resolved)
        self._e._keep(dialog)
        dialog.open()

    def discard_changes(self) -> None:
        """Drop this post's local changes and go back to the site's version."""
        if self._e._p.post_id is None:
            return
        post_id = self._e._p.post_id
        try:
            self._e.cache.posts.keep_versions(post_id)
            self._e.cache.posts.discard_changes(post_id)
        except CacheError as error:
            self._e.notice.emit(error.message)
            return
        self._e._p.post_id = None  # nothing to save first
        try:
            self._e.cache.posts.get(post_id)
        except RecordNotFoundError:
            self._e._new_state()
            self._e.saved.emit(post_id)
            return
        except CacheError:
            pass
        self._e.open_post(post_id)
        self._e.saved.emit(post_id)

    def recreate(self) -> None:
        """Create again, as a new post, a post deleted on the site while it had changes here."""
        if self._e._p.post_id is None:
            return
        try:
            self._e.cache.posts.recreate(self._e._p.post_id)
        except CacheError as error:
            self._e.notice.emit(error.message)
            return
        self._e._refresh_detail()
        self._e.saved.emit(self._e._p.post_id)
        self._e.changesMade.emit()
