"""The editor's featured image: the image chosen, an upload button, its alternative text."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from clinicdesk.model.cached import MediaInfo
from clinicdesk.ui.posts.common import named


class FeaturedImagePanel(QGroupBox):
    """The "Featured image" box.

    Signals:
        chosen(): the user picked another image (or none).
        uploadRequested(): "Upload image…" was clicked.
        altFinished(): the user left the alternative text field.
    """

    chosen = Signal()
    uploadRequested = Signal()
    altFinished = Signal()

    def __init__(self, parent: QWidget, *, may_upload: bool) -> None:
        super().__init__(self.tr("Featured image"), parent)
        named(self, "featuredGroup", self.tr("Featured image"))
        self.may_upload = may_upload
        inner = QVBoxLayout(self)
        self.featured_combo = QComboBox(self)
        named(self.featured_combo, "featuredImageCombo", self.tr("Featured image"))
        self.featured_combo.activated.connect(lambda _i: self.chosen.emit())
        inner.addWidget(self.featured_combo)
        self.upload_featured_button = QPushButton(self.tr("&Upload image…"), self)
        named(self.upload_featured_button, "uploadFeaturedButton", self.tr("Upload image"))
        self.upload_featured_button.clicked.connect(lambda _c=False: self.uploadRequested.emit())
        self.upload_featured_button.setEnabled(may_upload)
        inner.addWidget(self.upload_featured_button)
        self.featured_alt = QLineEdit(self)
        named(self.featured_alt, "featuredAltEdit", self.tr("Featured image alternative text"))
        self.featured_alt.setPlaceholderText(self.tr("Alternative text"))
        self.featured_alt.editingFinished.connect(self.altFinished)
        inner.addWidget(self.featured_alt)

    def fill(self, images: Iterable[MediaInfo], media_id: int | None) -> None:
        """Offer ``images`` (and "none") with ``media_id`` chosen."""
        images = list(images)
        self.featured_combo.clear()
        self.featured_combo.addItem(self.tr("(none)"), None)
        for media in images:
            name = media.title or Path(media.local_path or media.source_url).name or str(media.id)
            if media.sync_state == "new":
                name = self.tr("%1 (waiting to upload)").replace("%1", name)
            self.featured_combo.addItem(name, media.id)
        index = self.featured_combo.findData(media_id)
        if index < 0 and media_id is not None:
            self.featured_combo.addItem(self.tr("Image %1").replace("%1", str(media_id)), media_id)
            index = self.featured_combo.count() - 1
        self.featured_combo.setCurrentIndex(max(0, index))
        self.show_alt(self.chosen_media(images))

    def media_id(self) -> int | None:
        """The chosen image's local id (None: no featured image)."""
        value = self.featured_combo.currentData()
        return None if value is None else int(value)

    def chosen_media(self, images: Iterable[MediaInfo]) -> MediaInfo | None:
        """The chosen image among ``images``."""
        media_id = self.featured_combo.currentData()
        if media_id is None:
            return None
        return next((m for m in images if m.id == media_id), None)

    def show_alt(self, media: MediaInfo | None) -> None:
        """Show the chosen image's alternative text (the field is off without an image)."""
        self.featured_alt.setEnabled(media is not None)
        self.featured_alt.setText("" if media is None else media.alt_text)

    def set_editable(self, editable: bool) -> None:
        """Allow changes or not (a post in the trash)."""
        self.featured_combo.setEnabled(editable)
        self.upload_featured_button.setEnabled(editable and self.may_upload)
        self.featured_alt.setEnabled(editable and self.featured_combo.currentData() is not None)
