"""The editor's saving: the pause after typing, Ctrl+S, saving first, a post gone while edited.

Local-first: each change restarts a short timer; when typing stops, the fields that differ from
what was last saved are written through the desk in one call (which queues them for the site in
the same transaction). Ctrl+S saves at once; opening another post, the tab hiding and the
application quitting save first (:meth:`DraftSaving.flush`), and refuse to go on when that
failed, so typed text is never dropped. A post that vanished from the offline copy while being
edited (deleted for good elsewhere) is saved again as a new draft rather than lost.

What to write, and when, is the presenter's decision
(:meth:`~clinicdesk.ui.posts.presenter.DraftPresenter.save_step`); this helper runs it. A
helper of :class:`~clinicdesk.ui.posts.form.PostEditor`, which it uses only through
:class:`~clinicdesk.ui.posts.parts.host.SaveHost`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QTimer

from clinicdesk.model.cached import PostEdit
from clinicdesk.store import CacheError, RecordNotFoundError

if TYPE_CHECKING:
    from clinicdesk.ui.posts.parts.host import SaveHost

logger = logging.getLogger(__name__)


class DraftSaving:
    """Saving one editor's post to the offline copy.

    Args:
        host: the editor this saves.
        autosave_ms: the pause after typing before a change is saved.
    """

    def __init__(self, host: SaveHost, autosave_ms: int) -> None:
        self._host = host
        self._after_pause = False
        self._timer = QTimer(host.dialog_parent)
        self._timer.setObjectName("postAutosaveTimer")
        self._timer.setSingleShot(True)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(self._save_after_pause)

    @property
    def after_pause(self) -> bool:
        """Whether the save under way is the one made when typing paused (not Ctrl+S, not an
        action): the tab then lets the list follow off the UI thread."""
        return self._after_pause

    def typed(self) -> bool:
        """The user changed the post: (re)start the pause before saving.

        Returns:
            False when the change was the widgets being filled, or the post is read-only.
        """
        if not self._host.presenter.typed():
            return False
        self._host.saved_label.setText(self._host.tr("Editing…"))
        self._timer.start()
        return True

    def cancel_pause(self) -> None:
        """Forget the pause under way (the fields are about to show another post)."""
        self._timer.stop()

    def _save_after_pause(self) -> None:
        self._after_pause = True
        try:
            self.save()
        finally:
            self._after_pause = False

    def saved_text(self) -> str:
        """What the editor says once the post is saved."""
        # Said here only: the post's state beside it says where the changes go from here
        # ("not on the site until you click Update", "changes go to the site at next sync").
        return self._host.tr("Saved on this computer")

    def flush(self) -> bool:
        """Save now whatever is waiting (before switching posts or quitting).

        Returns:
            False when something typed could not be saved (it is still in the editor, which
            must then not show anything else).
        """
        if self._host.presenter.read_only:
            return True
        self.save(commit_tags=True)
        return not self._host.presenter.save_failed

    def hold_on(self) -> bool:
        """Save first; say so and return False if that failed (the post stays open)."""
        if self.flush():
            return True
        self._host.notice.emit(
            self._host.tr(
                "Your changes to this post could not be saved yet, so it stays open. "
                "Try Save now (Ctrl+S) again, or copy your text somewhere safe."
            )
        )
        return False

    def save_now(self) -> None:
        """Ctrl+S: save at once and say so."""
        host = self._host
        if self.save(commit_tags=True) or not host.presenter.has_unsaved_changes(
            host.current_values()
        ):
            host.saved_label.setText(self.saved_text())

    def save(self, *, commit_tags: bool = False) -> bool:
        """Write the fields that changed to the offline copy.

        Args:
            commit_tags: also take the tags being typed (otherwise they wait until the tag
                field is left, so no half-typed tag is created).

        Returns:
            True when something was written.
        """
        host, presenter = self._host, self._host.presenter
        self._timer.stop()
        presenter.editing = False
        if presenter.read_only:
            return False
        if commit_tags and not host.terms.commit_tags():
            return False
        values = host.current_values()
        step = presenter.save_step(values)
        if step == "nothing":
            host.saved_label.setText(self.saved_text() if presenter.post_id else "")
            return False
        if step == "empty":
            return False
        try:
            post_id = self._create(values) if step == "create" else self._edit(values)
        except CacheError as error:
            presenter.save_failed_now()
            logger.warning("a post could not be saved: %s", error.message)
            host.error_banner.label.setText(
                host.tr(
                    "Your changes could not be saved yet: %1. They are still here; saving "
                    "is tried again as you type."
                ).replace("%1", error.message)
            )
            host.error_banner.show()
            return False
        presenter.save_succeeded(values, post_id)
        host.error_banner.hide()
        host.refresh_detail()
        host.saved_label.setText(self.saved_text())
        host.saved.emit(post_id)
        host.changesMade.emit()
        host.after_save()
        return True

    def _edit(self, values: dict[str, Any]) -> int:
        presenter = self._host.presenter
        post_id = presenter.post_id
        assert post_id is not None
        try:
            self._host.desk.edit(post_id, **cast(PostEdit, presenter.changes(values)))
        except RecordNotFoundError:
            # Deleted for good elsewhere while being edited: keep the text as a new draft
            # rather than lose it.
            logger.info("post %s vanished while edited; saved as a new draft", post_id)
            presenter.post_id = None
            post_id = self._create({**values, "status": "draft"})
            self._host.notice.emit(
                self._host.tr("This post was deleted elsewhere; your text is kept as a new draft.")
            )
        return post_id

    def _create(self, values: dict[str, Any]) -> int:
        presenter = self._host.presenter
        fields = cast(PostEdit, {**values, "author": presenter.author_for_create()})
        post_id = self._host.desk.create(**fields)
        presenter.post_id = post_id
        logger.debug("created post %s", post_id)
        self._host.created.emit(post_id)
        return post_id
