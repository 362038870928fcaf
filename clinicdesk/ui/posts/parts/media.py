"""The editor's images and links: uploads queued in the offline copy, the featured image's text,
the link and image-text dialogs.

A helper of :class:`~clinicdesk.ui.posts.form.PostEditor`, which it uses only through
:class:`~clinicdesk.ui.posts.parts.host.MediaHost`; uploads and alternative texts are queued
through the desk.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from clinicdesk.domain.blocks import LOCAL_MEDIA_SCHEME, Image, Span
from clinicdesk.store import CacheError
from clinicdesk.ui.posts.common import named
from clinicdesk.ui.posts.dialogs import ImageTextDialog, LinkDialog

if TYPE_CHECKING:
    from clinicdesk.ui.posts.parts.host import MediaHost


class MediaActions:
    """Images and links for one editor.

    Args:
        host: the editor these act on.
    """

    def __init__(self, host: MediaHost) -> None:
        self._host = host

    def _file_dialog(self, name: str, title: str, slot: Callable[[str], None]) -> None:
        dialog = QFileDialog(self._host.dialog_parent, title)
        named(dialog, name, title)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(self._host.tr("Images (*.png *.jpg *.jpeg *.gif *.webp)"))
        dialog.fileSelected.connect(slot)
        self._host.keep_dialog(dialog)
        dialog.open()

    def choose_image(self) -> None:
        """Pick an image file to upload and insert (non-blocking)."""
        self._file_dialog(
            "insertImageDialog", self._host.tr("Insert image"), self.insert_image_file
        )

    def choose_featured_file(self) -> None:
        """Pick an image file to upload as the featured image (non-blocking)."""
        self._file_dialog(
            "featuredImageDialog", self._host.tr("Featured image"), self.set_featured_file
        )

    def _queue_upload(self, path: str | Path) -> int | None:
        path = Path(path)
        mime = mimetypes.guess_type(path.name)[0] or ""
        if not mime.startswith("image/"):
            self._host.notice.emit(self._host.tr("Only images can be added here."))
            return None
        try:
            return self._host.desk.queue_upload(path, mime, title=path.stem)
        except CacheError as error:
            self._host.notice.emit(error.message)
            return None

    def insert_image_file(self, path: str | Path) -> None:
        """Queue an image for upload and insert it in the body, then ask for its text."""
        if self._host.presenter.read_only:
            return
        media_id = self._queue_upload(path)
        if media_id is None:
            return
        self._host.changesMade.emit()
        self._host.body.insert_image(Image(None, media_id, f"{LOCAL_MEDIA_SCHEME}{media_id}", ""))
        self.open_image_text()

    def set_featured_file(self, path: str | Path) -> None:
        """Queue an image for upload and make it the featured image."""
        if self._host.presenter.read_only:
            return
        media_id = self._queue_upload(path)
        if media_id is None:
            return
        with self._host.presenter.filling():
            self._host.show_featured(media_id)
        self._host.mark_changed()

    def featured_chosen(self) -> None:
        """Another featured image was chosen: show its text; the post changed."""
        self._host.show_featured_alt()
        self._host.mark_changed()

    def featured_alt_finished(self) -> None:
        """The featured image's alternative text was edited: keep it (sent at the next sync)."""
        media = self._host.featured_media()
        if (
            media is None
            or self._host.presenter.loading
            or media.alt_text == self._host.featured_alt.text()
        ):
            return
        try:
            self._host.desk.set_alt_text(media.id, self._host.featured_alt.text().strip())
        except CacheError as error:
            self._host.notice.emit(error.message)
            return
        self._host.changesMade.emit()

    def open_image_text(self) -> None:
        """Edit the alternative text and caption of the image at the cursor (non-blocking)."""
        image = self._host.body.current_image()
        if image is None:
            return
        dialog = ImageTextDialog(image, self._host.dialog_parent)

        def apply(alt: str, caption: str) -> None:
            current = self._host.body.current_image() or image
            spans = (
                current.caption
                if caption == _caption_text(current)
                else ((Span(caption),) if caption else ())
            )
            self._host.body.update_image(replace(current, alt=alt, caption=spans))

        dialog.textChosen.connect(apply)
        self._host.keep_dialog(dialog)
        dialog.open()

    def open_link_dialog(self) -> None:
        """Add, change or remove the link at the cursor (non-blocking)."""
        dialog = LinkDialog(self._host.body.current_link(), self._host.dialog_parent)
        cursor = self._host.body.textCursor()

        def apply(href: str) -> None:
            self._host.body.setTextCursor(cursor)
            self._host.body.set_link(href)

        dialog.linkChosen.connect(apply)
        self._host.keep_dialog(dialog)
        dialog.open()


def _caption_text(image: Image) -> str:
    return "".join(span.text for span in image.caption).replace("\n", " ")
