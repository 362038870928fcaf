"""A half-written note, kept across a lock of the Inquiries tab (in the encrypted cache only).

Part of :class:`clinicdesk.store.inquiries.InquiryStore`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from clinicdesk.store.entity import CacheJob

logger = logging.getLogger(__name__)

#: Where a half-written note waits while the Inquiries tab is locked (the meta table of the
#: encrypted cache; removing every inquiry removes it too).
NOTE_DRAFT_KEY = "inquiries.note_draft"


class NoteDrafts(CacheJob):
    """The kept note draft of one cache."""

    def keep_note_draft(self, local_ids: Sequence[int], text: str) -> None:
        """Keep a note someone was writing when the Inquiries tab locked, to give it back at
        the next unlock. It lives in this (encrypted) cache only, never in a plain file; one
        draft at a time (a newer one replaces it)."""
        value = json.dumps({"ids": [int(i) for i in local_ids], "text": text})
        self._cache.set_meta(NOTE_DRAFT_KEY, value)

    def note_draft(self) -> tuple[tuple[int, ...], str] | None:
        """The kept note draft: (the local ids of its inquiries, its text), or None."""
        raw = self._cache.get_meta(NOTE_DRAFT_KEY)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            ids = tuple(int(i) for i in data["ids"])
            text = str(data["text"])
        except (ValueError, KeyError, TypeError):
            logger.warning("a kept note draft could not be read; dropped")
            return None
        return (ids, text) if ids and text.strip() else None

    def drop_note_draft(self) -> None:
        """Forget the kept note draft (sent, or given up)."""
        if self._cache.get_meta(NOTE_DRAFT_KEY):
            self._cache.set_meta(NOTE_DRAFT_KEY, "")
