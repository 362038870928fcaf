"""The editor's publishing: the checks before publishing, publish/schedule/submit, Update.

The presenter decides what "Publish…" means for this post and this user
(:meth:`~clinicdesk.ui.posts.presenter.DraftPresenter.publish_plan`); this helper runs it
through the desk. A helper of :class:`~clinicdesk.ui.posts.form.PostEditor`, which it uses
only through :class:`~clinicdesk.ui.posts.parts.host.PublishHost`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from clinicdesk.domain import prepublish
from clinicdesk.model.records import PostStatus
from clinicdesk.store import CacheError
from clinicdesk.ui.posts.dialogs import PrepublishDialog

if TYPE_CHECKING:
    from clinicdesk.ui.posts.parts.host import PublishHost


class PublishActions:
    """Publishing for one editor.

    Args:
        host: the editor these act on.
    """

    def __init__(self, host: PublishHost) -> None:
        self._host = host

    def request_publish(self) -> None:
        """Publish, schedule, submit for review, or (a live post) Update: after the checks
        (warnings, never a block)."""
        host = self._host
        if host.presenter.read_only:
            return
        host.save(commit_tags=True)
        plan = host.presenter.publish_plan(host.publish_panel.date())
        if plan == "empty":
            host.notice.emit(host.tr("Write something first: an empty post is not published."))
        elif plan == "update":
            self.after_checks(host.tr("Update anyway"), self.update_site)
        elif plan != "nothing":
            target: PostStatus = plan
            action = {
                "pending": host.tr("Submit anyway"),
                "future": host.tr("Schedule anyway"),
            }.get(target, host.tr("Publish anyway"))
            self.after_checks(action, lambda: self.publish(target))

    def after_checks(self, action: str, proceed: Callable[[], object]) -> None:
        """Run ``proceed`` now if the checks find nothing, else once the user accepts them."""
        findings = self.prepublish_findings()
        if not findings:
            proceed()
            return
        dialog = PrepublishDialog(findings, action, self._host.dialog_parent)
        dialog.accepted.connect(proceed)
        self._host.keep_dialog(dialog)
        dialog.open()

    def update_site(self) -> None:
        """Send the live post's saved edits to the site at the next sync (no checks here)."""
        host = self._host
        post_id = host.presenter.post_id
        if post_id is None or not host.flush():
            return
        try:
            released = host.desk.publish_changes(post_id)
        except CacheError as error:
            host.notice.emit(error.message)
            return
        host.refresh_detail()
        host.saved_label.setText(host.saved_text())
        if released:
            host.untilSync.emit(host.tr("Your changes go to the site at the next sync."))
            host.saved.emit(post_id)
            host.changesMade.emit()
        else:
            host.notice.emit(host.tr("No changes to publish: the site already has this version."))

    def prepublish_findings(self) -> list[prepublish.Finding]:
        """What the checks before publishing find in the post as it is now."""
        host = self._host
        values = host.current_values()
        uncategorized: set[int] = set()
        try:
            uncategorized = {
                t.id
                for t in host.offered.terms("category")
                if t.remote_id == 1 or t.slug == "uncategorized"
            }
        except CacheError:
            pass
        media = host.featured_media()
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
        host = self._host
        post_id = host.presenter.post_id
        if post_id is None:
            return
        try:
            host.desk.edit(post_id, status=status)
        except CacheError as error:
            host.notice.emit(error.message)
            return
        host.presenter.published(status)
        with host.presenter.filling():
            host.show_statuses(status)
        host.refresh_detail()
        host.saved.emit(post_id)
        host.changesMade.emit()
