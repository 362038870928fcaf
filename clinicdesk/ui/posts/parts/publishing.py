"""The editor's publishing: the checks before publishing, publish/schedule/submit, Update.

The presenter decides what "Publish…" means for this post and this user
(:meth:`~clinicdesk.ui.posts.presenter.DraftPresenter.publish_plan`); this helper runs it
against the offline copy. A helper of :class:`~clinicdesk.ui.posts.form.PostEditor`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from clinicdesk.domain import prepublish
from clinicdesk.model.records import PostStatus
from clinicdesk.store import CacheError
from clinicdesk.ui.posts.dialogs import PrepublishDialog

if TYPE_CHECKING:
    from clinicdesk.ui.posts.form import PostEditor


class PublishActions:
    """Publishing for one editor.

    Args:
        editor: the editor these act on.
    """

    def __init__(self, editor: PostEditor) -> None:
        self._e = editor

    def request_publish(self) -> None:
        """Publish, schedule, submit for review, or (a live post) Update: after the checks
        (warnings, never a block)."""
        if self._e._p.read_only:
            return
        self._e.save(commit_tags=True)
        plan = self._e._p.publish_plan(self._e.publish_panel.date())
        if plan == "empty":
            self._e.notice.emit(
                self._e.tr("Write something first: an empty post is not published.")
            )
        elif plan == "update":
            self.after_checks(self._e.tr("Update anyway"), self.update_site)
        elif plan != "nothing":
            target: PostStatus = plan
            action = {
                "pending": self._e.tr("Submit anyway"),
                "future": self._e.tr("Schedule anyway"),
            }.get(target, self._e.tr("Publish anyway"))
            self.after_checks(action, lambda: self.publish(target))

    def after_checks(self, action: str, proceed: Callable[[], object]) -> None:
        """Run ``proceed`` now if the checks find nothing, else once the user accepts them."""
        findings = self.prepublish_findings()
        if not findings:
            proceed()
            return
        dialog = PrepublishDialog(findings, action, self._e)
        dialog.accepted.connect(proceed)
        self._e._keep(dialog)
        dialog.open()

    def update_site(self) -> None:
        """Send the live post's saved edits to the site at the next sync (no checks here)."""
        if self._e._p.post_id is None or not self._e.flush():
            return
        try:
            released = self._e.cache.posts.publish_changes(self._e._p.post_id)
        except CacheError as error:
            self._e.notice.emit(error.message)
            return
        self._e._refresh_detail()
        self._e.saved_label.setText(self._e._saved_text())
        if released:
            self._e.untilSync.emit(self._e.tr("Your changes go to the site at the next sync."))
            self._e.saved.emit(self._e._p.post_id)
            self._e.changesMade.emit()
        else:
            self._e.notice.emit(
                self._e.tr("No changes to publish: the site already has this version.")
            )

    def prepublish_findings(self) -> list[prepublish.Finding]:
        """What the checks before publishing find in the post as it is now."""
        values = self._e._current()
        uncategorized: set[int] = set()
        try:
            uncategorized = {
                t.id
                for t in self._e.cache.catalog.terms("category")
                if t.remote_id == 1 or t.slug == "uncategorized"
            }
        except CacheError:
            pass
        media = self._e._featured_media()
        return prepublish.check(
            title=values["title"],
            content=values["content"],
            excerpt=values["excerpt"],
            categories=values["categories"],
            uncategorized=uncategorized,
            featured_alt=None if media is None else media.alt_text,
        )

    def publish(self, status: PostStatus) -> None:
        """Set the status that publishes (or submits) the post; sent at the next sync."""
        if self._e._p.post_id is None:
            return
        try:
            self._e.cache.posts.edit(self._e._p.post_id, status=status)
        except CacheError as error:
            self._e.notice.emit(error.message)
            return
        self._e._p.published(status)
        self._e._p.loading = True
        try:
            self._e._fill_statuses(status)
        finally:
            self._e._p.loading = False
        self._e._refresh_detail()
        self._e.saved.emit(self._e._p.post_id)
        self._e.changesMade.emit()
