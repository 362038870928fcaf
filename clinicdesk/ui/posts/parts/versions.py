"""The editor's other versions: the conflict comparison, the history, discarding local changes,
creating again a post deleted on the site.

A helper of :class:`~clinicdesk.ui.posts.form.PostEditor`, which it uses only through
:class:`~clinicdesk.ui.posts.parts.host.VersionHost`; every write goes through the desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clinicdesk.model.cached import PostSnapshot
from clinicdesk.model.records import Taxonomy
from clinicdesk.store import CacheError, RecordNotFoundError
from clinicdesk.ui.clinic_time import format_moment
from clinicdesk.ui.posts.common import status_names
from clinicdesk.ui.posts.versiondialogs import ConflictDialog, HistoryDialog

if TYPE_CHECKING:
    from clinicdesk.ui.posts.parts.host import VersionHost


class VersionActions:
    """Comparing, restoring and discarding versions of the editor's post.

    Args:
        host: the editor these act on.
    """

    def __init__(self, host: VersionHost) -> None:
        self._host = host

    def open_compare(self) -> None:
        """Show mine and the site's side by side (non-blocking)."""
        host = self._host
        host.flush()
        post_id = host.presenter.post_id
        if post_id is None:
            return
        try:
            detail = host.desk.get(post_id)
        except CacheError as error:
            host.notice.emit(error.message)
            return
        if detail.server is None:
            host.notice.emit(host.tr("There is no other version to compare with."))
            return
        dialog = ConflictDialog(host.desk, detail, self.field_text, host.dialog_parent)
        dialog.resolved.connect(self.resolved)
        host.keep_dialog(dialog)
        dialog.open()

    def resolved(self, post_id: int) -> None:
        """A version was chosen or restored: show it."""
        host = self._host
        host.changesMade.emit()
        if post_id == host.presenter.post_id:
            host.open_post(post_id)
        host.saved.emit(post_id)

    def field_text(self, field: str, fields: PostSnapshot) -> str:
        """One field of a version, in words (for the comparison)."""
        host = self._host
        value = getattr(fields, field)
        if field in ("categories", "tags"):
            taxonomy: Taxonomy = "category" if field == "categories" else "post_tag"
            try:
                names = {t.id: t.name for t in host.offered.terms(taxonomy)}
            except CacheError:
                names = {}
            return ", ".join(names.get(i, str(i)) for i in value)
        if field == "date_gmt":
            return "" if value is None else format_moment(value)
        if field == "featured_media":
            media = next((m for m in host.offered.images() if m.id == value), None)
            return "" if value is None else (media.title if media else str(value))
        if field == "status":
            return status_names().get(value, str(value))
        return str(value)

    def open_history(self) -> None:
        """The post's saved versions (non-blocking)."""
        host = self._host
        host.flush()
        post_id = host.presenter.post_id
        if post_id is None:
            return
        dialog = HistoryDialog(host.desk, post_id, host.dialog_parent)
        dialog.restored.connect(self.resolved)
        host.keep_dialog(dialog)
        dialog.open()

    def discard_changes(self) -> None:
        """Drop this post's local changes and go back to the site's version (mine is kept in
        the history)."""
        host = self._host
        post_id = host.presenter.post_id
        if post_id is None:
            return
        try:
            host.desk.take_site_version(post_id)
        except CacheError as error:
            host.notice.emit(error.message)
            return
        host.presenter.post_id = None  # nothing to save first
        try:
            host.desk.get(post_id)
        except RecordNotFoundError:
            host.start_blank()
            host.saved.emit(post_id)
            return
        except CacheError:
            pass
        host.open_post(post_id)
        host.saved.emit(post_id)

    def recreate(self) -> None:
        """Create again, as a new post, a post deleted on the site while it had changes here."""
        host = self._host
        post_id = host.presenter.post_id
        if post_id is None:
            return
        try:
            host.desk.recreate(post_id)
        except CacheError as error:
            host.notice.emit(error.message)
            return
        host.refresh_detail()
        host.saved.emit(post_id)
        host.changesMade.emit()
