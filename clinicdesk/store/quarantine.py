"""Records the site holds that ClinicDesk could not read: kept aside, by kind and id, with why.

A listing is read record by record (:func:`clinicdesk.site.parse.each`): one record the app
cannot use (an overlong field, a broken character) no longer stops the others, and is put here
instead. The list survives a restart (the user keeps being told until the record is fixed on the
site), and a record leaves it as soon as a later version of it is read, or the site no longer
has it.

It is kept as one small JSON value in the cache's ``meta`` table rather than a table of its own:
it holds ids and reasons only (never a field of an inquiry), a handful of entries at most, and
needs no schema change. Writes join the caller's transaction (:meth:`Cache.transaction`), so a
page, its quarantine and the cursor past it are stored together.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from clinicdesk.store.entity import CacheJob
from clinicdesk.store.models import Meta

logger = logging.getLogger(__name__)

_KEY = "sync.quarantine"
#: At most this many entries are kept (a site sending thousands of broken records is reported
#: by count through the round's errors anyway; the list stays small).
MAX_ENTRIES = 1_000


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    """A record of the site that could not be read.

    Attributes:
        kind: "post", "inquiry", "note"...
        remote_id: its id on the site.
        reason: why, in a few words for the user (never a field's value).
    """

    kind: str
    remote_id: int
    reason: str


class QuarantineStore(CacheJob):
    """The records put aside (see the module docstring)."""

    def _load(self) -> dict[str, QuarantinedRecord]:
        # Through write(): inside the caller's transaction, its own earlier writes are seen.
        with self._cache.write() as session:
            row = session.get(Meta, _KEY)
            return _parse(None if row is None else row.value)

    def _save(self, entries: dict[str, QuarantinedRecord]) -> None:
        value = json.dumps(
            [{"kind": e.kind, "id": e.remote_id, "reason": e.reason} for e in entries.values()]
        )
        with self._cache.write() as session:
            row = session.get(Meta, _KEY)
            if row is None:
                session.add(Meta(key=_KEY, value=value))
            else:
                row.value = value

    def all(self) -> tuple[QuarantinedRecord, ...]:
        """Every record put aside, oldest first."""
        with self._cache.read() as session:
            row = session.get(Meta, _KEY)
            return tuple(_parse(None if row is None else row.value).values())

    def put(self, records: Iterable[QuarantinedRecord]) -> None:
        """Put records aside (a record already there gets its new reason)."""
        records = list(records)
        if not records:
            return
        entries = self._load()
        for record in records:
            key = f"{record.kind}:{record.remote_id}"
            entries.pop(key, None)  # a record seen again moves to the end
            entries[key] = record
        while len(entries) > MAX_ENTRIES:
            entries.pop(next(iter(entries)))
        self._save(entries)

    def clear(self, kind: str, remote_ids: Iterable[int]) -> int:
        """Take records out (read at last, or gone from the site). Returns how many were in."""
        ids = set(remote_ids)
        if not ids:
            return 0
        entries = self._load()
        gone = [key for key, e in entries.items() if e.kind == kind and e.remote_id in ids]
        for key in gone:
            del entries[key]
        if gone:
            self._save(entries)
        return len(gone)

    def ids(self, kind: str) -> set[int]:
        """The ids of the records of ``kind`` put aside."""
        return {e.remote_id for e in self.all() if e.kind == kind}


def _parse(raw: str | None) -> dict[str, QuarantinedRecord]:
    if not raw:
        return {}
    try:
        return {
            f"{item['kind']}:{int(item['id'])}": QuarantinedRecord(
                str(item["kind"]), int(item["id"]), str(item["reason"])
            )
            for item in json.loads(raw)
        }
    except (ValueError, TypeError, KeyError):
        # Our own bookkeeping, unreadable: start again (the next rounds fill it back).
        logger.warning("the list of unreadable records was damaged; starting a new one")
        return {}
