"""Pushing media: an upload (at most once, by its client id) and alt-text changes."""

from __future__ import annotations

import logging
from pathlib import Path

from clinicdesk.model.cached import OutboxItem
from clinicdesk.site import (
    Media,
    RejectedError,
)
from clinicdesk.sync.context import Deferred
from clinicdesk.sync.pushcore import EntityPush

logger = logging.getLogger(__name__)


class MediaPush(EntityPush):
    """Pushing media: an upload (at most once, by its client id) and alt-text changes."""

    def send(self, item: OutboxItem) -> None:
        if item.op == "upload":
            upload = self.cache.outbox.upload_file(item)
            if upload is None:
                self._pushed(item, None)
                return
            path, mime_type = upload
            # An upload carries its client id (``meta.clinicdesk_client_id``), as a post create
            # does, so the library never gets a second copy. (Without the companion plugin
            # nothing can be found: a file whose answer was lost is sent again.)

            def upload_file() -> Media:
                try:
                    data = Path(path).read_bytes()
                except OSError:
                    raise RejectedError(
                        "The file to upload is no longer on this computer. Choose it again."
                    ) from None
                filename = str(item.payload.get("filename") or Path(path).name)
                return self.client.upload_media(filename, data, mime_type, item.client_id)

            media, _ = self._create_once(item, self.client.find_media_by_client_id, upload_file)
            alt_text = str(item.payload.get("alt_text") or "")
            if alt_text and media.alt_text != alt_text:
                media = self.client.update_media(media.id, alt_text)
            self._pushed(item, media)
        elif item.op == "update":
            if item.remote_id is None:
                raise Deferred("Waiting for the file to be uploaded first.")
            media = self.client.update_media(item.remote_id, str(item.payload.get("alt_text", "")))
            self._pushed(item, media)
        else:
            raise ValueError(f"unknown media operation {item.op!r}")
