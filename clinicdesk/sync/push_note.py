"""Pushing a triage note: added once, by its client id."""

from __future__ import annotations

import logging

from clinicdesk.model.cached import OutboxItem
from clinicdesk.site import NotFoundError
from clinicdesk.store import RecordNotFoundError
from clinicdesk.sync.context import Deferred
from clinicdesk.sync.pushcore import EntityPush

logger = logging.getLogger(__name__)


class NotePush(EntityPush):
    """Pushing a triage note: added once, by its client id."""

    def send(self, item: OutboxItem) -> None:
        try:
            body = self.cache.outbox.note_fields(item)
        except RecordNotFoundError as exc:
            raise Deferred(exc.message) from None
        inquiry = int(body["inquiry"])
        try:
            note = self.client.add_note(
                inquiry,
                body["kind"],
                str(body["content"]),
                str(body["client_id"]),
                by_system=bool(body.get("by_system")),
            )
        except NotFoundError:
            self._gone(item, "inquiry", inquiry)
            return
        self._pushed_later(item, note)
