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
  only the fields changed here since go (``store.post_sync.adopt_post``; docs/sync.md).
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
on a helper thread while the next change's re-read is on the wire; see
:class:`clinicdesk.sync.pushcore.Pusher` for why that keeps every rule above. Each kind of record
sends its changes in its own module, registered in :data:`KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from clinicdesk.sync.context import Round
from clinicdesk.sync.push_inquiry import InquiryPush
from clinicdesk.sync.push_media import MediaPush
from clinicdesk.sync.push_note import NotePush
from clinicdesk.sync.push_post import PostPush
from clinicdesk.sync.push_term import TermPush
from clinicdesk.sync.pushcore import EntityPush, Pusher, StopPush, run_push

__all__ = ["KINDS", "StopPush", "push_outbox"]

#: The kinds of record the push sends, each by its own sender (the outbox's kinds).
KINDS: Mapping[str, Callable[[Pusher], EntityPush]] = {
    "post": PostPush,
    "inquiry": InquiryPush,
    "note": NotePush,
    "term": TermPush,
    "media": MediaPush,
}


def push_outbox(work: Round) -> None:
    """Send the waiting changes, oldest first, until none can go (see :func:`run_push`).

    Raises:
        StopPush: the site stopped answering usefully; the entry being sent is back in the queue.
        Cancelled: the caller asked to stop (between two changes).
    """
    run_push(work, KINDS)
