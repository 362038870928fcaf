"""The state banners above the post editor: conflict, refused, deleted, unpublished, trash."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from clinicdesk.ui.posts.common import named, plain_label
from clinicdesk.ui.posts.presenter import Banners


class Banner(QFrame):
    """One banner: a plain-text line and its buttons, hidden until needed.

    Args:
        name: the objectName (the label is ``<name>Text``).
        accessible: the accessible name.
        parent: the parent widget.
    """

    def __init__(self, name: str, accessible: str, parent: QWidget) -> None:
        super().__init__(parent)
        named(self, name, accessible)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = plain_label(self, f"{name}Text", accessible)
        layout.addWidget(self.label, 1)
        self.hide()

    def button(self, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        """Add a button that calls ``slot``."""
        button = QPushButton(text, self)
        named(button, name, text.replace("&", "").rstrip("…"))
        button.clicked.connect(lambda _checked=False: slot())
        cast(QHBoxLayout, self.layout()).addWidget(button)
        return button


class StateBanners:
    """The editor's six banners, added to ``layout`` in the order they are read.

    Args:
        parent: the editor.
        layout: the editor's layout.
        compare: opens the comparison of the two versions.
        discard: drops the local changes.
        recreate: creates again a post deleted on the site.
    """

    def __init__(
        self,
        parent: QWidget,
        layout: QVBoxLayout,
        *,
        compare: Callable[[], object],
        discard: Callable[[], object],
        recreate: Callable[[], object],
    ) -> None:
        tr = parent.tr
        self.conflict = Banner("conflictBanner", tr("Conflict"), parent)
        self.conflict.label.setText(
            tr("This post was changed here and on the site. Compare the two versions.")
        )
        self.compare_button = self.conflict.button(
            "compareButton", tr("&Compare versions…"), compare
        )
        self.rejected = Banner("rejectedBanner", tr("Refused by the site"), parent)
        self.discard_button = self.rejected.button(
            "discardChangesButton", tr("Discard my changes"), discard
        )
        self.deleted = Banner("deletedBanner", tr("Deleted on the site"), parent)
        self.deleted.label.setText(
            tr("This post was deleted on the site while it had changes here.")
        )
        self.recreate_button = self.deleted.button(
            "recreateButton", tr("Create it again"), recreate
        )
        self.deleted.button("discardDeletedButton", tr("Discard my changes"), discard)
        self.unpublished = Banner("unpublishedBanner", tr("Changes not published"), parent)
        self.unpublished.label.setText(
            tr(
                "Your changes are saved on this computer but are not on the site until you "
                "click Update."
            )
        )
        self.unpublished.button("discardUnpublishedButton", tr("Discard changes"), discard)
        self.trash = Banner("trashBanner", tr("In the trash"), parent)
        self.trash.label.setText(tr("This post is in the trash. Restore it to edit it."))
        self.error = Banner("saveErrorBanner", tr("Saving problem"), parent)
        for banner in (
            self.conflict,
            self.rejected,
            self.deleted,
            self.unpublished,
            self.trash,
            self.error,
        ):
            layout.addWidget(banner)

    def show(self, state: Banners) -> None:
        """Show the banners the presenter asked for (the error banner is the editor's)."""
        self.trash.setVisible(state.trash)
        self.conflict.setVisible(state.conflict)
        self.rejected.setVisible(state.rejected)
        if state.rejected:
            self.rejected.label.setText(
                self.rejected.tr(
                    "The site refused the last change: %1 Edit the post to send it again."
                ).replace("%1", state.rejected_message)
            )
        self.deleted.setVisible(state.deleted)
        self.unpublished.setVisible(state.unpublished)
