"""The push pipeline: claimed changes sent one at a time, the store work between two of them on a
helper thread.

What each kind of record does with its change is its own module's (:mod:`clinicdesk.sync.push_post`,
``push_inquiry``, ``push_note``, ``push_term``, ``push_media``), registered in
:mod:`clinicdesk.sync.push`, whose docstring gives the rules. Here: the queue (claim ahead, the
outcome of one change stored with the claim of the next: one commit made while the round waits
for the site; see :class:`Pusher` for why that keeps every rule), the mapping of site errors to
the entry's fate, and the steps the senders share.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeVar

from clinicdesk.model.cached import OutboxItem
from clinicdesk.site import (
    ForbiddenError,
    Media,
    Note,
    OutcomeUnknownError,
    PluginMissingError,
    Post,
    RejectedError,
    SiteError,
)
from clinicdesk.store import UnsyncedDependencyError
from clinicdesk.store.outbox import SiteRecord
from clinicdesk.sync.context import Deferred, Round

logger = logging.getLogger(__name__)

#: Merges of one record per round before it waits for the next round.
MAX_MERGES = 3
#: A record a create makes on the site (a post, an uploaded file).
_Created = TypeVar("_Created", Post, Media)


class StopPush(Exception):
    """The push cannot go on this round (the site is unreachable, failing, or signed out)."""

    def __init__(self, error: SiteError) -> None:
        super().__init__(error.message)
        self.error = error


def run_push(work: Round, kinds: Mapping[str, Callable[[Pusher], EntityPush]]) -> None:
    """Send the waiting changes, oldest first, until none can go.

    While a change is sent, the next one is claimed on a helper thread, in the transaction that
    also stores the outcome of the change sent before (see :class:`Pusher`): each change costs
    one commit, made while the round waits for the site.

    Raises:
        StopPush: the site stopped answering usefully; the entry being sent is back in the queue.
        Cancelled: the caller asked to stop (between two changes).
    """
    total = work.cache.outbox.count()
    done = 0
    work.progress("push", "Sending changes", 0, total)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="clinicdesk-push") as helper:
        pusher = Pusher(work, helper, kinds)
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


class Pusher:
    """Sends claimed changes one at a time, on the round's thread.

    The store work between two changes goes on a helper thread while the site is busy: when
    change k starts, the helper stores the outcome of change k-1 (deferred by
    :meth:`pushed_later`) and claims change k+1, in one transaction. Change k touches the store
    only after that transaction is over (:meth:`settle`); until then it sends at most the
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

    def __init__(
        self,
        work: Round,
        helper: Executor,
        kinds: Mapping[str, Callable[[Pusher], EntityPush]],
    ) -> None:
        self.work = work
        self.cache = work.cache
        self.client = work.client
        self._helper = helper
        #: One sender per kind of record (post, inquiry, note, term, media), as registered.
        self._kinds = {entity: make(self) for entity, make in kinds.items()}
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
        self.settle()
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
            self.settle()
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

    def settle(self) -> None:
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
                self.settle()  # done already, unless a request failed first
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
        sender = self._kinds.get(item.entity)
        if sender is None:
            raise ValueError(f"no push is registered for a {item.entity!r} change")
        if sender.settles_first:
            self.settle()
        sender.send(item)

    def _park(self, item: OutboxItem, message: str) -> None:
        """Leave the entry in flight until the round ends, so its record waits and others go.

        (``claim_next`` skips records with an entry in flight; the engine puts parked entries
        back in the queue when the round ends.)
        """
        self.work.issue("waiting", item.entity, item.local_id, item.remote_id, message)

    def pushed(self, item: OutboxItem, record: SiteRecord | None) -> None:
        self.cache.outbox.mark_pushed(item.id, record)
        self.work.pushed += 1

    def pushed_later(
        self, item: OutboxItem, record: SiteRecord | None, notes: list[Note] | None = None
    ) -> None:
        """Mark the entry pushed (storing the site's ``notes`` with it) with the next claim.

        Only as the last step of :meth:`send`, and only for an outcome no other change needs
        (an update, a note: no new site id). Until it is stored the entry stays in flight.
        """
        if self._outcome is not None:
            raise RuntimeError("an outcome is already waiting to be stored")
        self._outcome = _Outcome(item, record, notes or [])

    def count_merge(self, item: OutboxItem) -> None:
        """Bound the merges of one record per round: each one queues a change that is re-read
        and may find the site changed again (someone else saving the same record, fast)."""
        key = (item.entity, item.local_id)
        self._merges[key] = self._merges.get(key, 0) + 1
        if self._merges[key] > MAX_MERGES:
            raise Deferred("The site keeps changing this record; it is sent in the next round.")

    def gone(self, item: OutboxItem, entity: Literal["post", "inquiry"], remote_id: int) -> None:
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


class EntityPush:
    """How one kind of record goes to the site: a subclass per kind, registered with
    :func:`run_push` (as Joplin's synchronizer loops over registered item types).

    It sends one claimed change with :attr:`client` and finishes it through the pipeline
    (:meth:`_pushed`, or :meth:`_pushed_later` for an outcome no other change needs).

    Attributes:
        settles_first: whether the pipeline waits for the helper's store work before
            :meth:`send` (an inquiry update re-reads the site first, and settles itself).
    """

    settles_first: ClassVar[bool] = True

    def __init__(self, pusher: Pusher) -> None:
        self.pusher = pusher
        self.work = pusher.work
        self.cache = pusher.cache
        self.client = pusher.client

    def send(self, item: OutboxItem) -> None:
        """Send one claimed change and mark its outcome (or raise what the pipeline handles)."""
        raise NotImplementedError

    # The pipeline's steps, as each kind's sender uses them.

    def _settle(self) -> None:
        self.pusher.settle()

    def _pushed(self, item: OutboxItem, record: SiteRecord | None) -> None:
        self.pusher.pushed(item, record)

    def _pushed_later(
        self, item: OutboxItem, record: SiteRecord | None, notes: list[Note] | None = None
    ) -> None:
        self.pusher.pushed_later(item, record, notes)

    def _count_merge(self, item: OutboxItem) -> None:
        self.pusher.count_merge(item)

    def _gone(self, item: OutboxItem, entity: Literal["post", "inquiry"], remote_id: int) -> None:
        self.pusher.gone(item, entity, remote_id)

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


def _rejection(error: RejectedError | ForbiddenError) -> str:
    """The site's message, with its reason per field when it gave them (400s name fields)."""
    params = error.params if isinstance(error, RejectedError) else {}
    reasons = "; ".join(reason for reason in params.values() if reason)
    return f"{error.message} ({reasons[:500]})" if reasons else error.message
