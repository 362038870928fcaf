"""Push: the outbox replays in order, each change checked against the site's copy first.

The store coalesces repeated edits of one record into one waiting entry; this module sends the
entries oldest first (``OutboxStore.claim_next``) and marks each outcome. Rules, per change:

* **Re-read before writing.** WordPress has no ETag or If-Match, so before an update the site's
  copy is read again and stored beside the local one. If it has not moved since the local edit
  started, the change is sent as it is. If it has, the three versions are merged
  (:mod:`clinicdesk.sync.merge`): a clean merge becomes the record's new local state and a new
  change against the site's copy (sent later in the same round, after another re-read); fields
  both sides changed differently put the record into conflict, both versions kept, nothing sent.
* **Creates are never duplicated.** A create whose answer was lost (a timeout, a dropped
  connection, a crash after sending) is looked up by its client id before it is sent again, and
  the post found is adopted, merged from what the create *sent* (kept in the entry before each
  attempt), never from the site's version then: a colleague's change made in between stays,
  only the fields changed here since go (``store.posts.adopt_post``; docs/sync.md).
* **Failures.** 400/403 on one record: that record is "rejected" with the site's message and the
  rest go on. 404 on a record with local changes (on the re-read or on the write itself):
  deleted on the site, kept here and surfaced; the rest go on.
  Offline, timeouts, 5xx and 429: the entry goes back to the queue and the push stops (the site
  is struggling; the next round backs off). 401: the push stops, everything kept.
* **Inquiries.** Only triage fields and the trash change; each triage change the site accepts is
  recorded as a note after it (``status``, ``assign``, ``urgent``), with a client id derived from
  the change so that a retry never writes the event twice. A retry whose values the site
  already holds has landed: it is noted and done, without a write; one that is merged or in
  conflict first notes what of it the site already holds. So a landed change whose answer was
  lost is noted exactly once (later edits wait in their own entry: never folded into a change
  sent once). Notes are append-only: they never conflict and are never held by an inquiry's
  conflict.

A crash between any two steps is safe: every step is a site request that can be repeated, or one
store transaction; an entry left "in flight" is put back in the queue at the next round and,
being attempted, is looked up before it is sent again.

The store work between two changes (the outcome of one, the claim of the next: one commit) runs
on a helper thread while the next change's re-read is on the wire; see :class:`_Pusher` for why
that keeps every rule above.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypeVar, cast

from clinicdesk.model.cached import (
    OutboxItem,
    PostDetail,
    PostEdit,
    PostSnapshot,
    Triage,
    TriageMerge,
)
from clinicdesk.site import (
    ForbiddenError,
    GoneError,
    Inquiry,
    InquiryTriage,
    Media,
    Note,
    NoteKind,
    NotFoundError,
    OutcomeUnknownError,
    PluginMissingError,
    Post,
    PostFields,
    RejectedError,
    SiteError,
    Taxonomy,
)
from clinicdesk.store import RecordNotFoundError, UnsyncedDependencyError
from clinicdesk.store.errors import InvalidEditError
from clinicdesk.store.outbox import SiteRecord
from clinicdesk.sync import queries
from clinicdesk.sync.context import Deferred, Round
from clinicdesk.sync.merge import UNKNOWN, merge_fields

logger = logging.getLogger(__name__)

_POST_FIELDS = (
    "title",
    "content",
    "excerpt",
    "slug",
    "status",
    "date_gmt",
    "categories",
    "tags",
    "featured_media",
    "author",
)
_TRIAGE_FIELDS = ("triage_status", "assignee", "urgent", "unread")
_NOTE_SALT_KEY = "sync.note_salt"
#: Merges of one record per round before it waits for the next round.
_MAX_MERGES = 3
#: A record a create makes on the site (a post, an uploaded file).
_Created = TypeVar("_Created", Post, Media)


class StopPush(Exception):
    """The push cannot go on this round (the site is unreachable, failing, or signed out)."""

    def __init__(self, error: SiteError) -> None:
        super().__init__(error.message)
        self.error = error


def push_outbox(work: Round) -> None:
    """Send the waiting changes, oldest first, until none can go.

    While a change is sent, the next one is claimed on a helper thread, in the transaction that
    also stores the outcome of the change sent before (see :class:`_Pusher`): each change costs
    one commit, made while the round waits for the site.

    Raises:
        StopPush: the site stopped answering usefully; the entry being sent is back in the queue.
        Cancelled: the caller asked to stop (between two changes).
    """
    total = work.cache.outbox.count()
    done = 0
    work.progress("push", "Sending changes", 0, total)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="clinicdesk-push") as helper:
        pusher = _Pusher(work, helper)
        try:
            while True:
                work.check_cancel()
                item = pusher.next_change()
                if item is None:
                    return
                pusher.send(item)
                done += 1
                work.progress("push", "Sending changes", done, max(total, done))
        finally:
            # Stopped (cancelled, the site failing) or done: nothing left half-way.
            pusher.close()


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A change the site accepted, whose outcome is stored with the next claim."""

    item: OutboxItem
    record: SiteRecord | None
    notes: list[Note]


class _Pusher:
    """Sends claimed changes one at a time, on the round's thread.

    The store work between two changes goes on a helper thread while the site is busy: when
    change k starts, the helper stores the outcome of change k-1 (deferred by
    :meth:`_pushed_later`) and claims change k+1, in one transaction. Change k touches the store
    only after that transaction is over (:meth:`_settle`); until then it sends at most the
    re-read of an inquiry, which changes nothing on the site. So store writes never overlap,
    and the rules of the outbox hold as in a one-thread loop:

    * a change is sent only after its claim (state ``in_flight``, ``attempts`` up) is committed,
      and is marked pushed only after its last request; in between it stays in flight, so
      ``claim_next`` takes no other entry of its record (its record's changes go in order);
    * a crash at any point leaves each change either waiting, in flight (re-read or looked up
      before it goes again, as after a crash right after its request), or done;
    * a change claimed ahead and never sent (the push stopped first) is put back as it was
      (:meth:`close`).

    Only outcomes that give the site's id to nothing else are deferred (updates and notes):
    a create's outcome is stored at once, before the next change, which may refer to it, is
    sent.
    """

    def __init__(self, work: Round, helper: Executor) -> None:
        self.work = work
        self.cache = work.cache
        self.client = work.client
        self._helper = helper
        self._salt: uuid.UUID | None = None
        self._merges: dict[tuple[str, int], int] = {}
        #: The accepted change whose outcome is stored with the next claim.
        self._outcome: _Outcome | None = None
        #: The helper's work under way: (change claimed or None, outcomes stored).
        self._ahead: Future[tuple[OutboxItem | None, int]] | None = None
        #: Claimed (in flight) and not sent yet: the helper's claim, then the change to send.
        self._claimed: OutboxItem | None = None
        self._unsent: OutboxItem | None = None

    # -- the queue -----------------------------------------------------------------------------

    def next_change(self) -> OutboxItem | None:
        """The next change to send, claimed; None when no change can go.

        Starts the helper on the change after it (see the class docstring).
        """
        self._settle()
        item, self._claimed = self._claimed, None
        if item is None:
            # Nothing claimed ahead (none could be while the last change was in flight, or
            # this is the first): store the last outcome and claim here.
            item, stored = self._store_and_claim(self._take_outcome())
            self.work.pushed += stored
        if item is None:
            return None
        self._unsent = item
        self._ahead = self._helper.submit(self._store_and_claim, self._take_outcome())
        return item

    def close(self) -> None:
        """End the push as a stop between two changes would: the helper's work finished, the
        last outcome stored, a change claimed and not sent put back in the queue."""
        try:
            self._settle()
        finally:
            outcome = self._take_outcome()
            unsent = [item for item in (self._unsent, self._claimed) if item is not None]
            self._unsent = self._claimed = None
            if outcome is not None or unsent:
                with self.cache.transaction():
                    if outcome is not None:
                        self.work.pushed += self._store_outcome(outcome)
                    for item in unsent:
                        self.cache.outbox.unclaim(item.id)

    def _take_outcome(self) -> _Outcome | None:
        outcome, self._outcome = self._outcome, None
        return outcome

    def _store_and_claim(self, outcome: _Outcome | None) -> tuple[OutboxItem | None, int]:
        """Store an outcome and claim the next change, in one commit (each is a flush to disk).

        Runs on the helper thread, or on the round's thread when the helper is idle.
        """
        with self.cache.transaction():
            stored = self._store_outcome(outcome) if outcome is not None else 0
            return self.cache.outbox.claim_next(), stored

    def _store_outcome(self, outcome: _Outcome) -> int:
        if outcome.notes:
            self.cache.inquiries.upsert_notes(outcome.notes)
        self.cache.outbox.mark_pushed(outcome.item.id, outcome.record)
        return 1

    def _settle(self) -> None:
        """Wait for the helper's work (raising its error, if any): the store is ours after."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            self._claimed, stored = ahead.result()
            self.work.pushed += stored

    # -- dispatch ------------------------------------------------------------------------------

    def send(self, item: OutboxItem) -> None:
        """Send one claimed entry and mark its outcome (or leave it in flight, parked)."""
        self._unsent = None
        try:
            try:
                self._dispatch(item)
            finally:
                self._settle()  # done already, unless a request failed first
        except UnsyncedDependencyError as exc:
            self._park(item, exc.message)
        except Deferred as exc:
            self._park(item, exc.message)
        except PluginMissingError as exc:
            self.work.error(exc)
            self._park(item, exc.message)
        except (RejectedError, ForbiddenError) as exc:
            # The site refused this change as it is: the user must act; the rest goes on.
            message = _rejection(exc)
            self.cache.outbox.mark_rejected(item.id, message)
            self.work.issue("rejected", item.entity, item.local_id, item.remote_id, message)
        except SiteError as exc:
            # Offline, timed out, 5xx, 429, signed out, an unreadable answer, an unknown outcome:
            # the entry waits for the next round (a create is looked up before it goes again).
            self.cache.outbox.mark_failed(item.id, exc.message)
            raise StopPush(exc) from None

    def _dispatch(self, item: OutboxItem) -> None:
        if item.entity == "inquiry":
            self._inquiry(item)  # an update settles after its re-read, the rest first
            return
        self._settle()
        if item.entity == "post":
            self._post(item)
        elif item.entity == "note":
            self._note(item)
        elif item.entity == "term":
            self._term(item)
        else:
            self._media(item)

    def _park(self, item: OutboxItem, message: str) -> None:
        """Leave the entry in flight until the round ends, so its record waits and others go.

        (``claim_next`` skips records with an entry in flight; the engine puts parked entries
        back in the queue when the round ends.)
        """
        self.work.issue("waiting", item.entity, item.local_id, item.remote_id, message)

    def _pushed(self, item: OutboxItem, record: SiteRecord | None) -> None:
        self.cache.outbox.mark_pushed(item.id, record)
        self.work.pushed += 1

    def _pushed_later(
        self, item: OutboxItem, record: SiteRecord | None, notes: list[Note] | None = None
    ) -> None:
        """Mark the entry pushed (storing the site's ``notes`` with it) with the next claim.

        Only as the last step of :meth:`send`, and only for an outcome no other change needs
        (an update, a note: no new site id). Until it is stored the entry stays in flight.
        """
        if self._outcome is not None:
            raise RuntimeError("an outcome is already waiting to be stored")
        self._outcome = _Outcome(item, record, notes or [])

    def _count_merge(self, item: OutboxItem) -> None:
        """Bound the merges of one record per round: each one queues a change that is re-read
        and may find the site changed again (someone else saving the same record, fast)."""
        key = (item.entity, item.local_id)
        self._merges[key] = self._merges.get(key, 0) + 1
        if self._merges[key] > _MAX_MERGES:
            raise Deferred("The site keeps changing this record; it is sent in the next round.")

    def _gone(self, item: OutboxItem, entity: Literal["post", "inquiry"], remote_id: int) -> None:
        """The site no longer has the record this change is for: keep it here, surfaced."""
        self.cache.outbox.mark_failed(item.id, "deleted on the site")
        local_id = item.local_id
        if item.entity != entity:  # a note: what was deleted is its inquiry
            local_id = self.cache.inquiries.local_id(remote_id) or local_id
        if self.cache.outbox.mark_deleted_on_site(entity, remote_id) == "kept":
            self.work.issue(
                "deleted_on_site",
                entity,
                local_id,
                remote_id,
                "Deleted on the site while it had changes here; your version is kept.",
            )

    # -- posts ---------------------------------------------------------------------------------

    def _post(self, item: OutboxItem) -> None:
        if item.op == "create":
            self._create_post(item)
            return
        remote_id = item.remote_id
        if remote_id is None:
            remote_id = self._find_unconfirmed(item)
            if remote_id is None:
                return
        if item.op == "update":
            self._update_post(item, remote_id)
        elif item.op == "trash":
            self._trash_post(item, remote_id)
        elif item.op == "delete":
            self._delete_post(item, remote_id)
        else:
            raise ValueError(f"unknown post operation {item.op!r}")

    def _create_post(self, item: OutboxItem) -> None:
        try:
            detail = self.cache.posts.get(item.local_id)
        except RecordNotFoundError:
            self._pushed(item, None)  # discarded here before it ever reached the site
            return
        if detail.remote_id is not None:
            # Adopted meanwhile (a pull found it by its client id): what is left is an update.
            self._update_post(item, detail.remote_id)
            return
        # A create carries the post as it is now, not as it was queued: later edits cannot fold
        # into a create already attempted, and one refused (or waiting for a category the site
        # refused) must go out as the user has since corrected it. A move to the trash stays
        # its own change, queued after this one.
        payload = _post_payload(detail.fields)
        # Edits made after Publish wait for Update: the create carries what was published.
        payload.update(self.cache.posts.unstaged_values(item.local_id))
        if payload["status"] == "trash":
            payload["status"] = item.payload.get("status", "draft")
        # Site ids first: a category or image not on the site yet makes it wait, costing nothing.
        fields = self.cache.outbox.post_fields(replace(item, payload=payload))
        client_id = item.client_id
        if client_id is None:
            raise ValueError("a post create without a client id")

        def create() -> Post:
            if payload != item.payload:
                # What this attempt sends is kept before it goes (a commit only when it
                # differs from what the entry holds, i.e. rarely): should its answer be lost,
                # the post found later is merged from this, not from the site's version then.
                self.cache.outbox.record_sent(item.id, payload)
            return self.client.create_post(fields, client_id)

        post, adopted = self._create_once(item, self.client.find_post_by_client_id, create)
        self.cache.outbox.mark_pushed(item.id, post, adopted=adopted)
        self.work.pushed += 1

    def _create_once(
        self,
        item: OutboxItem,
        find: Callable[[str], _Created | None],
        create: Callable[[], _Created],
    ) -> tuple[_Created, bool]:
        """Create a record on the site at most once, by its client id (a post, an upload).

        Sent before without an answer (a crash, a timeout), it may be there already: it is
        looked up first. When this answer is lost, it is asked for once now: most often it is
        there and is adopted. When it is not, it may still be being written: the error goes up
        and the next round asks again before sending anything, so a slow site never gets a
        second copy. (Without a client id nothing can be found: the create is simply sent.)

        Returns:
            The site's record, and whether it was found (adopted) rather than answered: a
            record found may have changed on the site since the create went.
        """
        client_id = item.client_id
        if client_id is not None and item.attempts > 1:
            found = find(client_id)
            if found is not None:
                return found, True
        try:
            return create(), False
        except OutcomeUnknownError:
            found = find(client_id) if client_id is not None else None
            if found is None:
                raise
            return found, True

    def _find_unconfirmed(self, item: OutboxItem) -> int | None:
        """The site id of a post whose create was sent but never confirmed, or None when the
        entry needed no request after all (it is marked)."""
        if queries.create_queued(self.cache, "post", item.local_id):
            raise Deferred("Waiting for the post to be created on the site first.")
        if item.client_id is None:
            raise Deferred("This post is not on the site yet.")
        found = self.client.find_post_by_client_id(item.client_id)
        if found is not None:
            self.cache.posts.upsert_from_site([found])
            return found.id
        if item.op in ("trash", "delete"):
            # It never reached the site: there is nothing there to remove.
            self._pushed(item, None)
            return None
        self.cache.outbox.mark_rejected(
            item.id, "This post never reached the site. Create it again to send your changes."
        )
        self.work.issue(
            "rejected", "post", item.local_id, None, "This post never reached the site."
        )
        return None

    def _update_post(self, item: OutboxItem, remote_id: int) -> None:
        try:
            server = self.client.get_post(remote_id)
        except NotFoundError:
            self._gone(item, "post", remote_id)
            return
        # Stored beside the local fields (never over them) when it differs from the base.
        self.cache.posts.upsert_from_site([server])
        try:
            detail = self.cache.posts.get(item.local_id)
        except RecordNotFoundError:
            self._pushed(item, None)
            return
        if detail.server is None:
            # The site has not moved since the edit started: send the change as it is.
            fields = self.cache.outbox.post_fields(item)
            try:
                written = self._write_post(remote_id, fields, server)
            except NotFoundError:
                # Deleted for good between the re-read and the write: this change ends here
                # (the user's version kept, as for any deletion); the others still go.
                self._gone(item, "post", remote_id)
                return
            self._pushed_later(item, written)
            return
        self._merge_post(item, detail, detail.server)

    def _merge_post(self, item: OutboxItem, detail: PostDetail, site: PostSnapshot) -> None:
        self._count_merge(item)
        local = _post_values(detail.fields)
        if detail.base is not None:
            base: dict[str, object] = _post_values(detail.base)
        else:
            # No record of where the edit started: what this change names is unknown ground.
            base = {**_post_values(site), **dict.fromkeys(item.payload, UNKNOWN)}
        merge = merge_fields(
            base, local, _post_values(site), bodies=("content",), id_sets=("categories", "tags")
        )
        if merge.clean:
            try:
                self.cache.outbox.mark_failed(item.id, "merged with the site's version")
                self.cache.posts.resolve(item.local_id, **_post_edit(merge.merged))
            except InvalidEditError:
                pass  # the store refused the merged values: let the user choose instead
            else:
                self.work.merged += 1
                return
        else:
            self.cache.outbox.mark_failed(item.id, "changed on the site too")
        self.cache.outbox.mark_conflict("post", item.local_id)
        self.work.issue(
            "conflict",
            "post",
            item.local_id,
            detail.remote_id,
            "Changed here and on the site: "
            + (", ".join(merge.conflicts) if merge.conflicts else "fields")
            + ". Both versions are kept.",
        )

    def _write_post(self, remote_id: int, fields: PostFields, server: Post) -> Post:
        """Send a post's changed fields; a move to the trash is its own request."""
        body = dict(fields)
        if "date_gmt" in body and body["date_gmt"] is None and server.date_gmt is not None:
            # "No date" asks WordPress for the time of this request: it would move a post's
            # publication date (one published offline, whose create's date the site chose)
            # to now. A date already on the site stays; choosing one is always explicit.
            del body["date_gmt"]
        trash = body.get("status") == "trash"
        if trash:
            del body["status"]  # WordPress refuses "trash" as a status to write
        result = server
        if body:
            result = self.client.update_post(remote_id, cast(PostFields, body))
        if trash and result.status != "trash":
            result = self._trash_remote_post(remote_id)
        return result

    def _trash_remote_post(self, remote_id: int) -> Post:
        try:
            return self.client.trash_post(remote_id)
        except GoneError:
            return self.client.get_post(remote_id)  # already there: a retry after a lost answer

    def _trash_post(self, item: OutboxItem, remote_id: int) -> None:
        try:
            result = self._trash_remote_post(remote_id)
        except NotFoundError:
            # Deleted for good on the site: what the user asked for, and more.
            self._pushed(item, None)
            return
        self._pushed(item, result)

    def _delete_post(self, item: OutboxItem, remote_id: int) -> None:
        try:
            detail = self.cache.posts.get(item.local_id)
            server = self.client.get_post(remote_id)
        except (NotFoundError, RecordNotFoundError):
            self._pushed(item, None)
            return
        seen = detail.base or detail.fields
        if server.modified_gmt != detail.server_modified_gmt or _plain(server) != _plain(seen):
            # Someone changed it since this computer last saw it (the fields are compared too:
            # modified_gmt has whole seconds): deleting it for good would destroy work nobody
            # here has seen. It goes to the site's trash instead.
            trashed = server if server.status == "trash" else self._trash_remote_post(remote_id)
            self._pushed(item, trashed)
            self.cache.posts.upsert_from_site([trashed])
            self.work.issue(
                "trashed_instead",
                "post",
                self.cache.posts.local_id(remote_id),
                remote_id,
                "Changed on the site since you deleted it, so it was moved to the trash instead.",
            )
            return
        try:
            self.client.delete_post_permanently(remote_id)
        except NotFoundError:
            pass  # already gone (a retry after a lost answer)
        self._pushed(item, None)

    # -- inquiries -----------------------------------------------------------------------------

    def _inquiry(self, item: OutboxItem) -> None:
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
        site = _site_triage(server)
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
        triage = {k: local[k] for k in _TRIAGE_FIELDS if local[k] != site[k]}
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
        notes: list[Note] = []
        for kind, content in events:
            client_id = str(uuid.uuid5(self._note_salt(), f"{item.id}:{kind}:{content}"))
            notes.append(self.client.add_note(remote_id, kind, content, client_id))
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
        ) or _site_triage(server) != {**seen, "status": server.status}:
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

    # -- notes, terms, media -------------------------------------------------------------------

    def _note(self, item: OutboxItem) -> None:
        try:
            body = self.cache.outbox.note_fields(item)
        except RecordNotFoundError as exc:
            raise Deferred(exc.message) from None
        inquiry = int(body["inquiry"])
        try:
            note = self.client.add_note(
                inquiry, body["kind"], str(body["content"]), str(body["client_id"])
            )
        except NotFoundError:
            self._gone(item, "inquiry", inquiry)
            return
        self._pushed_later(item, note)

    def _term(self, item: OutboxItem) -> None:
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

    def _media(self, item: OutboxItem) -> None:
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


def _rejection(error: RejectedError | ForbiddenError) -> str:
    """The site's message, with its reason per field when it gave them (400s name fields)."""
    params = error.params if isinstance(error, RejectedError) else {}
    reasons = "; ".join(reason for reason in params.values() if reason)
    return f"{error.message} ({reasons[:500]})" if reasons else error.message


# -- field conversions -----------------------------------------------------------------------------


def _post_values(snapshot: PostSnapshot) -> dict[str, object]:
    """A post's editable fields for merging (sets of ids sorted, so order never differs)."""
    return {
        "title": snapshot.title,
        "content": snapshot.content,
        "excerpt": snapshot.excerpt,
        "slug": snapshot.slug,
        "status": snapshot.status,
        "date_gmt": snapshot.date_gmt,
        "categories": sorted(snapshot.categories),
        "tags": sorted(snapshot.tags),
        "featured_media": snapshot.featured_media,
        "author": snapshot.author,
    }


def _plain(post: Post | PostSnapshot) -> tuple[object, ...]:
    """The fields of a post that need no id translation, for "has it changed?" checks."""
    return (post.title, post.content, post.excerpt, post.author, post.date_gmt)


def _post_payload(snapshot: PostSnapshot) -> dict[str, object]:
    """A post's fields in the outbox's JSON form (local ids), as ``OutboxStore`` reads them."""
    return {
        "title": snapshot.title,
        "content": snapshot.content,
        "excerpt": snapshot.excerpt,
        "slug": snapshot.slug,
        "status": snapshot.status,
        "date_gmt": None if snapshot.date_gmt is None else snapshot.date_gmt.isoformat(),
        "categories": list(snapshot.categories),
        "tags": list(snapshot.tags),
        "featured_media": snapshot.featured_media,
        "author": snapshot.author,
    }


def _post_edit(values: Mapping[str, object]) -> PostEdit:
    edit = {name: values[name] for name in _POST_FIELDS if name in values}
    for name in ("categories", "tags"):
        if name in edit:
            edit[name] = list(cast(list[int], edit[name]))
    return cast(PostEdit, edit)


def _triage_values(triage: Triage) -> dict[str, object]:
    return {
        "status": triage.status,
        "triage_status": triage.triage_status,
        "assignee": triage.assignee,
        "urgent": triage.urgent,
        "unread": triage.unread,
    }


def _site_triage(inquiry: Inquiry) -> dict[str, object]:
    return {
        "status": inquiry.status,
        "triage_status": inquiry.triage_status,
        "assignee": inquiry.assignee,
        "urgent": inquiry.urgent,
        "unread": inquiry.unread,
    }


def _landed(payload: Mapping[str, object], site: Mapping[str, object]) -> bool:
    """Whether the site holds every value a triage change sets (its write went through)."""
    return bool(payload) and all(name in site and site[name] == v for name, v in payload.items())


def _triage_merge(values: Mapping[str, object]) -> TriageMerge:
    return cast(TriageMerge, {k: values[k] for k in ("status", *_TRIAGE_FIELDS) if k in values})
