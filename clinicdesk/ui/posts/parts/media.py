"""The editor's images and links: uploads queued in the offline copy, the featured image's text,
the link and image-text dialogs.

A helper of :class:`~clinicdesk.ui.posts.form.PostEditor` (it shares the editor's cache, its
notices and its dialogs), kept apart so the editor itself stays the wiring of its parts.
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
    from clinicdesk.ui.posts.form import PostEditor


class MediaActions:
    """Images and links for one editor.

    Args:
        editor: the editor these act on.
    """

    def __init__(self, editor: PostEditor) -> None:
        self._e = editor

    def _file_dialog(self, name: str, title: str, slot: Callable[[str], None]) -> None:
        dialog = QFileDialog(self._e, title)
        named(dialog, name, title)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(self._e.tr("Images (*.png *.jpg *.jpeg *.gif *.webp)"))
        dialog.fileSelected.connect(slot)
        self._e._keep(dialog)
        dialog.open()

    def choose_image(self) -> None:
        """Pick an image file to upload and insert (non-blocking)."""
        self._file_dialog("insertImageDialog", self._e.tr("Insert image"), self.insert_image_file)

    def choose_featured_file(self) -> None:
        """Pick an image file to upload as the featured image (non-blocking)."""
        self._file_dialog(
            "featuredImageDialog", self._e.tr("Featured image"), self.set_featured_file
        )

    def _queue_upload(self, path: str | Path) -> int | None:
        path = Path(path)
        mime = mimetypes.guess_type(path.name)[0] or ""
        if not mime.startswith("image/"):
            self._e.notice.emit(self._e.tr("Only images can be added here."))
            return None
        try:
            return self._e.cache.catalog.queue_upload(path, mime, title=path.stem)
        except CacheError as error:
            self._e.notice.emit(error.message)
            return None

    def insert_image_file(self, path: str | Path) -> None:
        """Queue an image for upload and insert it in the body, then ask for its text."""
        if self._e._p.read_only:
            return
        media_id = self._queue_upload(path)
        if media_id is None:
            return
        self._e.changesMade.emit()
        self._e.body.insert_image(Image(None, media_id, f"{LOCAL_MEDIA_SCHEME}{media_id}", ""))
        self.open_image_text()

    def set_featured_file(self, path: str | Path) -> None:
        """Queue an image for upload and make it the featured image."""
        if self._e._p.read_only:
            return
        media_id = self._queue_upload(path)
        if media_id is None:
            return
        self._e._p.loading = True
        try:
            self._e._fill_featured(media_id)
        finally:
            self._e._p.loading = False
        self._e._changed()

    def featured_chosen(self) -> None:
        """Another featured image was chosen: show its text; the post changed."""
        self._e._show_featured_alt()
        self._e._changed()

    def featured_alt_finished(self) -> None:
        """The featured image's alternative text was edited: keep it (sent at the next sync)."""
        media = self._e._featured_media()
        if media is None or self._e._p.loading or media.alt_text == self._e.featured_alt.text():
            return
        try:
            self._e.cache.catalog.set_alt_text(media.id, self._e.featured_alt.text().strip())
        except CacheError as error:
            self._e.notice.emit(error.message)
            return
        self._e.changesMade.emit()

    def open_image_text(self) -> None:
        """Edit the alternative text and caption of the image at the cursor (non-blocking)."""
        image = self._e.body.current_image()
        if image is None:
            return
        dialog = ImageTextDialog(image, self._e)

        def apply(alt: str, caption: str) -> None:
            current = self._e.body.current_image() or image
            spans = (
                current.caption
                if caption == _caption_text(current)
                else ((Span(caption),) if caption else ())
            )
            self._e.body.update_image(replace(current, alt=alt, caption=spans))

        dialog.textChosen.connect(apply)
        self._e._keep(dialog)
        dialog.open()

    def open_link_dialog(self) -> None:
        """Add, change or remove the link at the cursor (non-blocking)."""
        dialog = LinkDialog(self._e.body.current_link(), self._e)
        cursor = self._e.body.textCursor()

        def apply(href: str) -> None:
            self._e.body.setTextCursor(cursor)
            self._e.body.set_link(href)

        dialog.linkChosen.connect(apply)
        self._e._keep(dialog)
        dialog.open()


def _caption_text(image: Image) -> str:
    return "".join(span.text for span in image.caption).replace("\n", " ")
