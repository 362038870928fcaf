"""Pushing an inquiry: triage changes after a re-read (each noted once), trash, delete."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import ClassVar, cast

from clinicdesk.model.cached import (
    OutboxItem,
    Triage,
    TriageMerge,
)
from clinicdesk.model.records import TRIAGE_FIELDS
from clinicdesk.site import (
    GoneError,
    Inquiry,
    InquiryTriage,
    Note,
    NoteKind,
    NotFoundError,
)
from clinicdesk.store import RecordNotFoundError
from clinicdesk.sync import queries
from clinicdesk.sync.merge import UNKNOWN, merge_fields
from clinicdesk.sync.pushcore import EntityPush, Pusher

logger = logging.getLogger(__name__)

_NOTE_SALT_KEY = "sync.note_salt"


class InquiryPush(EntityPush):
    """Pushing an inquiry: triage changes after a re-read (each noted once), trash, delete."""

    settles_first: ClassVar[bool] = False

    def __init__(self, pusher: Pusher) -> None:
        super().__init__(pusher)
        self._salt: uuid.UUID | None = None

    def send(self, item: OutboxItem) -> None:
        remote_id = item.remote_id
        if remote_id is None:
            raise ValueError("an inquiry change without a site id")  # inquiries come from the site
        if item.op == "update":
            self._update_inquiry(item, remote_id)
            return
        self._settle()
        if item.op == "trash":
            try:
                result = self._trash_remote_inquiry(remote_id)
            except NotFoundError:
                self._gone(item, "inquiry", remote_id)
                return
            self._pushed(item, result)
        elif item.op == "delete":
            self._delete_inquiry(item, remote_id)
        else:
            raise ValueError(f"unknown inquiry operation {item.op!r}")

    def _trash_remote_inquiry(self, remote_id: int) -> Inquiry:
        try:
            return self.client.trash_inquiry(remote_id)
        except GoneError:
            return self.client.get_inquiry(remote_id)

    def _update_inquiry(self, item: OutboxItem, remote_id: int) -> None:
        try:
            # The re-read goes while the helper stores the last outcome and claims the next
            # change; this change touches the store only once that is done.
            try:
                server = self.client.get_inquiry(remote_id)
            finally:
                self._settle()
        except NotFoundError:
            self._gone(item, "inquiry", remote_id)
            return
        try:
            triage, started = self.cache.inquiries.triage_state(item.local_id)
        except RecordNotFoundError:
            self._pushed(item, None)
            return
        local = _triage_values(triage)
        site = _triage_values(server)
        if started is not None:
            base: dict[str, object] = _triage_values(started)
        else:
            base = {**site, **dict.fromkeys(item.payload, UNKNOWN)}
        if item.attempts > 1 and started is not None and _landed(item.payload, site):
            # Sent before, its answer lost, and the site holds all of it: it landed. Nothing to
            # write again; its events are noted now (derived ids: never twice), and the site's
            # version (with a colleague's changes to other fields) is the record's. Later
            # changes made here wait in their own entries (never folded into an attempted
            # one), merged from this version: our own write is not taken for a colleague's.
            mine = {**base, **{k: v for k, v in item.payload.items() if k in base}}
            try:
                notes = self._record_triage(item, remote_id, base, mine, site)
            except NotFoundError:
                self._gone(item, "inquiry", remote_id)  # deleted since the re-read
                return
            self._pushed_later(item, server, notes)
            return
        merge = merge_fields(base, local, site)
        if not merge.clean or merge.differs_from(local):
            # This change is not sent as it is (a conflict, or a merge queues a new change
            # from the site's version). An earlier attempt of it may have landed with its
            # answer lost: what the site holds of it is ours, and is noted now, or never.
            try:
                landed = self._record_triage(item, remote_id, base, local, site, landed_only=True)
            except NotFoundError:
                self._gone(item, "inquiry", remote_id)  # deleted since the re-read
                return
            if landed:
                self.cache.inquiries.upsert_notes(landed)
        if not merge.clean:
            self.cache.outbox.mark_failed(item.id, "changed on the site too")
            self.cache.outbox.mark_conflict("inquiry", item.local_id, server)
            self.work.issue(
                "conflict",
                "inquiry",
                item.local_id,
                remote_id,
                "Triage changed here and on the site: "
                + ", ".join(merge.conflicts)
                + ". Both versions are kept.",
            )
            return
        if merge.differs_from(local):
            # The site changed fields this edit did not touch: take them, then send ours
            # (as a new change, after another re-read).
            self._count_merge(item)
            self.cache.inquiries.upsert_from_site([server])
            self.cache.outbox.mark_failed(item.id, "merged with the site's version")
            self.cache.inquiries.resolve(item.local_id, **_triage_merge(merge.merged))
            self.work.merged += 1
            return
        try:
            result = self._write_inquiry(remote_id, local, site, server)
            notes = self._record_triage(item, remote_id, base, local, site)
        except NotFoundError:
            # Deleted for good since the re-read: as above, this change alone ends.
            self._gone(item, "inquiry", remote_id)
            return
        # The outcome and its timeline are stored together, with the next claim. A crash
        # before that sends the entry again: the notes' derived client ids find those written.
        self._pushed_later(item, result, notes)

    def _write_inquiry(
        self,
        remote_id: int,
        local: Mapping[str, object],
        site: Mapping[str, object],
        server: Inquiry,
    ) -> Inquiry:
        triage = {k: local[k] for k in TRIAGE_FIELDS if local[k] != site[k]}
        result = server
        if local["status"] == "private" and site["status"] == "trash":
            result = self.client.restore_inquiry(remote_id)
        if triage:
            result = self.client.update_inquiry(remote_id, cast(InquiryTriage, triage))
        if local["status"] == "trash" and site["status"] != "trash":
            result = self._trash_remote_inquiry(remote_id)
        return result

    def _record_triage(
        self,
        item: OutboxItem,
        remote_id: int,
        base: Mapping[str, object],
        local: Mapping[str, object],
        site: Mapping[str, object],
        *,
        landed_only: bool = False,
    ) -> list[Note]:
        """Add the timeline events of the triage change just accepted; returns the site's
        notes, for the caller to store with the entry's outcome.

        The events are this user's changes (base -> local). On a first attempt only the fields
        just sent count; on a retry (the update may have gone through before a crash) also
        those the site already holds. The note's client id is derived from the entry and the
        event, so a retry returns the note already written instead of a second one: each
        triage change is on the timeline exactly once, whatever was lost or killed between
        the write and its notes.

        Args:
            landed_only: only the events an earlier attempt of this entry may have written to
                the site (a retry, and the site holds the value): for a change that is not
                sent now (merged or in conflict), whose landed part would otherwise never be
                noted.
        """
        if landed_only and item.attempts <= 1:
            return []
        events: list[tuple[NoteKind, str]] = []
        kinds: tuple[tuple[str, NoteKind], ...] = (
            ("triage_status", "status"),
            ("assignee", "assign"),
            ("urgent", "urgent"),
        )
        for name, kind in kinds:
            mine = local[name]
            if mine == base.get(name, UNKNOWN):
                continue
            if local[name] == site[name] and item.attempts <= 1:
                continue  # someone else made the same change (and noted it)
            if landed_only and local[name] != site[name]:
                continue  # not on the site: it goes (and is noted) with the change to come
            content = ("on" if mine else "off") if name == "urgent" else str(mine)
            events.append((kind, content))
        # The flag the automatic crisis check set is recorded as ClinicDesk's, never as the
        # person's whose app happened to send it (its explaining note, still waiting, says so).
        automatic = ("urgent", "on") in events and self.cache.inquiries.has_unsent_system_note(
            item.local_id
        )
        notes: list[Note] = []
        for kind, content in events:
            client_id = str(uuid.uuid5(self._note_salt(), f"{item.id}:{kind}:{content}"))
            by_system = automatic and (kind, content) == ("urgent", "on")
            notes.append(
                self.client.add_note(remote_id, kind, content, client_id, by_system=by_system)
            )
        return notes

    def _note_salt(self) -> uuid.UUID:
        """A random namespace per cache, so that derived note ids never collide across users."""
        if self._salt is None:
            stored = self.cache.get_meta(_NOTE_SALT_KEY)
            if stored is None:
                stored = str(uuid.uuid4())
                self.cache.set_meta(_NOTE_SALT_KEY, stored)
            self._salt = uuid.UUID(stored)
        return self._salt

    def _delete_inquiry(self, item: OutboxItem, remote_id: int) -> None:
        try:
            server = self.client.get_inquiry(remote_id)
        except NotFoundError:
            self._pushed(item, None)
            return
        try:
            detail = self.cache.inquiries.get(item.local_id)
        except RecordNotFoundError:
            self._pushed(item, None)
            return
        seen = _triage_values(detail.base or detail.triage)
        if server.modified_gmt != queries.inquiry_version(
            self.cache, item.local_id
        ) or _triage_values(server) != {**seen, "status": server.status}:
            # Changed by someone since this computer saw it: keep it, in the site's trash.
            trashed = server if server.status == "trash" else self._trash_remote_inquiry(remote_id)
            self._pushed(item, trashed)
            self.cache.inquiries.upsert_from_site([trashed])
            self.work.issue(
                "trashed_instead",
                "inquiry",
                self.cache.inquiries.local_id(remote_id),
                remote_id,
                "Changed on the site since you deleted it, so it was moved to the trash instead.",
            )
            return
        try:
            self.client.delete_inquiry_permanently(remote_id)
        except NotFoundError:
            pass
        self._pushed(item, None)


def _triage_values(triage: Triage | Inquiry) -> dict[str, object]:
    """The trash status and triage fields, of the cache's triage or of the site's inquiry alike."""
    return {name: getattr(triage, name) for name in ("status", *TRIAGE_FIELDS)}


def _landed(payload: Mapping[str, object], site: Mapping[str, object]) -> bool:
    """Whether the site holds every value a triage change sets (its write went through)."""
    return bool(payload) and all(name in site and site[name] == v for name, v in payload.items())


def _triage_merge(values: Mapping[str, object]) -> TriageMerge:
    return cast(TriageMerge, {k: values[k] for k in ("status", *TRIAGE_FIELDS) if k in values})
