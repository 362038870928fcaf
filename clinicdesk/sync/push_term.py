"""Pushing a term: get-or-create by name under its parent."""

from __future__ import annotations

import logging

from clinicdesk.model.cached import OutboxItem
from clinicdesk.site import Taxonomy
from clinicdesk.sync.pushcore import EntityPush

logger = logging.getLogger(__name__)


class TermPush(EntityPush):
    """Pushing a term: get-or-create by name under its parent."""

    def send(self, item: OutboxItem) -> None:
        if item.op != "create":
            raise ValueError(f"unknown term operation {item.op!r}")
        body = self.cache.outbox.term_fields(item)
        taxonomy: Taxonomy = (
            "post_tag" if item.payload.get("taxonomy") == "post_tag" else "category"
        )
        # get-or-create: WordPress answers a name that exists under the same parent with that
        # term, so a retry after a lost answer is safe. ``term_fields`` gives the parent's site
        # id (a parent not on the site yet makes this wait: UnsyncedDependencyError).
        parent = body.get("parent")
        term = self.client.create_term(
            taxonomy, str(body["name"]), parent if isinstance(parent, int) else None
        )
        self._pushed(item, term)
