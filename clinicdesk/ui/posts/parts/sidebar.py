"""The editor's side bar: publish panel, categories, tags, featured image, excerpt and slug."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.ui.posts.common import named
from clinicdesk.ui.posts.parts.featured import FeaturedImagePanel
from clinicdesk.ui.posts.parts.publish import PublishPanel
from clinicdesk.ui.posts.parts.terms import CategoriesPanel, TagsPanel


class PostSettings(QScrollArea):
    """Everything about a post but its title and body, in a scrolling column.

    Args:
        parent: the parent widget.
        may_create_categories: the user may create categories.
        may_upload: the user may upload images.
    """

    def __init__(self, parent: QWidget, *, may_create_categories: bool, may_upload: bool) -> None:
        super().__init__(parent)
        self.setObjectName("postSettingsScroll")
        self.setWidgetResizable(True)
        # The column scrolls down only: it is never narrower than its widest part (see
        # minimumSizeHint), so nothing in it is cut off or needs scrolling sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side = QWidget(self)
        side.setObjectName("postSettings")
        self.setWidget(side)
        layout = QVBoxLayout(side)
        self.publish = PublishPanel(side)
        layout.addWidget(self.publish)
        self.categories = CategoriesPanel(side, may_create=may_create_categories)
        layout.addWidget(self.categories)
        self.tags = TagsPanel(side)
        layout.addWidget(self.tags)
        self.featured = FeaturedImagePanel(side, may_upload=may_upload)
        layout.addWidget(self.featured)
        excerpt = self._group(side, layout, "excerptGroup", self.tr("Excerpt"))
        self.excerpt_edit = QPlainTextEdit(side)
        named(self.excerpt_edit, "excerptEdit", self.tr("Excerpt"))
        self.excerpt_edit.setTabChangesFocus(True)
        self.excerpt_edit.setMaximumHeight(90)
        excerpt.addWidget(self.excerpt_edit)
        slug = self._group(side, layout, "slugGroup", self.tr("Slug"))
        self.slug_edit = QLineEdit(side)
        named(self.slug_edit, "slugEdit", self.tr("Slug (the post's address)"))
        slug.addWidget(self.slug_edit)
        layout.addStretch(1)

    def set_editable(self, editable: bool) -> None:
        """Allow changes to the post's settings or not (a post in the trash). The date stays
        off while "immediately" is ticked."""
        publish = self.publish
        for widget in (
            publish.status_combo,
            publish.immediately,
            self.categories.category_list,
            self.categories.new_category_button,
            self.tags.tags_edit,
            self.excerpt_edit,
            self.slug_edit,
        ):
            widget.setEnabled(editable)
        publish.date_edit.setEnabled(editable and not publish.immediately.isChecked())
        self.featured.set_editable(editable)

    def minimumSizeHint(self) -> QSize:
        """As wide as the column's contents and a vertical scroll bar (the splitter beside the
        editor then never squeezes it narrower, whatever the window or font size)."""
        hint = super().minimumSizeHint()
        side = self.widget()
        if side is None:
            return hint
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        width = side.minimumSizeHint().width() + bar + 2 * self.frameWidth()
        return QSize(max(hint.width(), width), hint.height())

    @staticmethod
    def _group(parent: QWidget, layout: QVBoxLayout, name: str, title: str) -> QVBoxLayout:
        box = QGroupBox(title, parent)
        named(box, name, title.replace("&", ""))
        inner = QVBoxLayout(box)
        layout.addWidget(box)
        return inner
