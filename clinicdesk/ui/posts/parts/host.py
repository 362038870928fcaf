"""What the post editor's action helpers may use of the editor: typed interfaces, nothing private.

The helpers of ``ui/posts/parts/`` that act on the post (:mod:`.saving`, :mod:`.termactions`,
:mod:`.publishing`, :mod:`.versions`, :mod:`.media`) are given the editor as a host. Each one
declares here, as a :class:`~typing.Protocol`, exactly what it uses: the desk that writes
(:class:`~clinicdesk.services.posts.PostDesk`), the Qt-free presenter that holds the draft's
state, the editor's signals, and a few public methods. A helper never reaches into the editor's
underscore names (ruff's SLF001 keeps it so), so the editor can change inside without breaking
them, and a reader sees at a glance what each helper touches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from clinicdesk.model.cached import MediaInfo
from clinicdesk.model.records import PostStatus
from clinicdesk.services.posts import PostDesk
from clinicdesk.ui.posts.body import BodyEditor
from clinicdesk.ui.posts.parts.banners import Banner
from clinicdesk.ui.posts.parts.offered import Offered
from clinicdesk.ui.posts.parts.publish import PublishPanel
from clinicdesk.ui.posts.parts.terms import TagsPanel
from clinicdesk.ui.posts.presenter import DraftPresenter

if TYPE_CHECKING:
    from clinicdesk.ui.posts.parts.termactions import TermActions


class EditorHost(Protocol):
    """What every action helper uses: the desk, the presenter, the signals, dialogs."""

    @property
    def desk(self) -> PostDesk:
        """The desk every write of the editor goes through."""

    @property
    def presenter(self) -> DraftPresenter:
        """The draft's state and the editor's decisions (Qt-free)."""

    @property
    def dialog_parent(self) -> QWidget:
        """The widget a helper's dialogs open over."""

    @property
    def notice(self) -> SignalInstance:
        """``notice(str)``: something to tell the user."""

    @property
    def saved(self) -> SignalInstance:
        """``saved(int)``: a change was saved in the offline copy."""

    @property
    def changesMade(self) -> SignalInstance:
        """``changesMade()``: something now waits to be sent to the site."""

    def tr(self, sourceText: str, /, disambiguation: str | None = ..., n: int = ...) -> str:
        """The translation of a user-visible string (Qt's)."""

    def keep_dialog(self, dialog: QWidget) -> None:
        """Keep a non-blocking dialog alive until it closes."""

    def mark_changed(self) -> None:
        """The user changed the post: restart the pause before saving."""

    @property
    def offered(self) -> Offered:
        """The categories, tags, images and users to choose from (reads only)."""

    def current_values(self) -> dict[str, Any]:
        """The post's fields as the widgets show them now."""


class SaveHost(EditorHost, Protocol):
    """What the saving helper uses besides."""

    @property
    def terms(self) -> TermActions:
        """The tags helper (the tags being typed are taken before saving)."""

    @property
    def saved_label(self) -> QLabel:
        """Where "Saved on this computer" is said."""

    @property
    def error_banner(self) -> Banner:
        """The banner that says a save failed."""

    @property
    def created(self) -> SignalInstance:
        """``created(int)``: a new post was saved for the first time."""

    def refresh_detail(self) -> None:
        """Read the post again and show where it stands."""

    def after_save(self) -> None:
        """Show what a save changed beyond the post's state (the preview)."""


class TermHost(EditorHost, Protocol):
    """What the categories and tags helper uses besides."""

    @property
    def tags_panel(self) -> TagsPanel:
        """The tag field."""

    def show_categories(self, selected: tuple[int, ...]) -> None:
        """Offer the categories again with these ticked."""


class PublishHost(EditorHost, Protocol):
    """What the publishing helper uses besides."""

    @property
    def publish_panel(self) -> PublishPanel:
        """The status, date and main button."""

    @property
    def saved_label(self) -> QLabel:
        """Where "Saved on this computer" is said."""

    @property
    def untilSync(self) -> SignalInstance:
        """``untilSync(str)``: something true until the next sync round."""

    def save(self, *, commit_tags: bool = False) -> bool:
        """Write the fields that changed to the offline copy."""

    def flush(self) -> bool:
        """Save whatever waits; False when it could not be saved."""

    def refresh_detail(self) -> None:
        """Read the post again and show where it stands."""

    def saved_text(self) -> str:
        """What the editor says once the post is saved."""

    def show_statuses(self, status: PostStatus) -> None:
        """Offer the statuses again with this one chosen."""

    def featured_media(self) -> MediaInfo | None:
        """The chosen featured image, if any."""


class VersionHost(EditorHost, Protocol):
    """What the versions helper (compare, history, discard, create again) uses besides."""

    def flush(self) -> bool:
        """Save whatever waits; False when it could not be saved."""

    def open_post(self, post_id: int | None) -> bool:
        """Edit this post (saving the one open first)."""

    def start_blank(self) -> None:
        """Show a new, empty post (nothing is saved first)."""

    def refresh_detail(self) -> None:
        """Read the post again and show where it stands."""


class MediaHost(EditorHost, Protocol):
    """What the images and links helper uses besides."""

    @property
    def body(self) -> BodyEditor:
        """The rich-text body."""

    @property
    def featured_alt(self) -> QLineEdit:
        """The featured image's alternative text."""

    def show_featured(self, media_id: int | None) -> None:
        """Offer the images again with this one chosen."""

    def show_featured_alt(self) -> None:
        """Show the chosen featured image's alternative text."""

    def featured_media(self) -> MediaInfo | None:
        """The chosen featured image, if any."""
