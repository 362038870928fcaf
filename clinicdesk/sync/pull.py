"""Pull: what changed on the site comes into the cache, page by page, without losing local edits.

Posts and inquiries are read incrementally: ``modified_after`` the newest ``modified_gmt`` stored
(in the cursor table) minus one second, because WordPress compares whole seconds strictly;
records seen twice are de-duplicated by id. Both lists are ordered by ``modified`` ascending, so
the cursor can move after every stored page: a crash mid-way resumes where it stopped. Each page
is stored in one transaction with the cursor past it, and the stores never overwrite local
changes (a newer site version waits beside them for the push to merge).

WordPress gives a **new** record its own date as ``modified_gmt`` (only updates take the current
time): a post written with a future date is "modified" in the future, so the cursor never moves
past the site's clock (its ``Date`` header); a post written with a past date never appears in
any window at all, and the sweep finds it.

Paging is not a snapshot: a record edited while the list is read moves to its end, which shifts
another record onto a page already read. A pass that saw a record twice is run again; anything
still missed, and every permanent deletion (which leaves no trace in any listing), is found by
the **sweep**: ``_fields=id,modified_gmt`` for every record, compared with what the cache holds;
an id missing from it is read once more by id before it counts as deleted.

Notes are read by id: ``after_id`` the highest id stored minus an overlap of 50.

Every listing is read one page ahead (:class:`~clinicdesk.sync.prefetch.ReadAhead`): the next
page is on its way while this one is stored, but pages are still stored in order, one by one,
and a cursor only ever moves past a page in the transaction that stores it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from clinicdesk.site import (
    ForbiddenError,
    Inquiry,
    InvalidResponseError,
    Note,
    NotFoundError,
    Post,
    RefusedRecord,
    Term,
)
from clinicdesk.store.quarantine import QuarantinedRecord
from clinicdesk.sync import queries
from clinicdesk.sync.context import Round
from clinicdesk.sync.prefetch import ReadAhead
from clinicdesk.sync.pull_kinds import (
    BATCH,
    INQUIRIES,
    INQUIRY_STATUSES,
    POSTS,
    PullKind,
    changed,
)
from clinicdesk.sync.report import SyncPhase

logger = logging.getLogger(__name__)

_OVERLAP = timedelta(seconds=1)

R = TypeVar("R", Post, Inquiry)


def _batches(ids: Sequence[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _close(iterator: object) -> None:
    close = getattr(iterator, "close", None)
    if callable(close):
        close()


def put_aside(work: Round, refused: Sequence[RefusedRecord]) -> None:
    """Keep records the app could not read aside (in the cache, with why), and say so in the
    report. Call it inside the transaction that stores the rest of their page."""
    if not refused:
        return
    work.cache.quarantine.put(
        QuarantinedRecord(r.kind, r.id, r.reason) for r in refused if r.id is not None
    )
    work.unreadable_without_id(r for r in refused if r.id is None)
    # Kinds and ids only: the reason names a field, never its value.
    logger.warning(
        "%d record(s) could not be read and were put aside: %s",
        len(refused),
        ", ".join(f"{r.kind} {r.id}" for r in refused[:10]),
    )


def _read_again(work: Round, kind: str, remote_ids: Iterable[int]) -> None:
    """Records of ``kind`` read at last (or gone): no longer put aside."""
    work.cache.quarantine.clear(kind, remote_ids)


# -- posts and inquiries -------------------------------------------------------------------------


def _read_listing(work: Round, kind: PullKind[R]) -> bool:
    """Read ``kind``'s ``modified``-ordered listing from the cursor (minus the overlap) into
    the cache.

    The listing is read with a fork of the round's client, one page ahead on its own thread.

    A record the app cannot read is put aside (:func:`put_aside`) and the cursor moves past it
    like past any other: it no longer stops the listing at its page.

    The window is read again (up to ``listing_passes`` times) when paging was not a snapshot:
    a record listed twice (it moved to the end while the pages were read), or an
    ``X-WP-Total`` that shrank from one page to a later one: a record deleted for good on a
    page already read shifts the next one onto that page, where it would never be seen. (The
    count alone is compared: WordPress counts records it then leaves out of a page for lack of
    permission, so fewer ids than the count is normal.)

    Returns:
        True when there was no cursor yet (a full download) and its last pass listed no record
        twice: only then is it a complete picture that stands in for a sweep.
    """
    resource = kind.resource
    cursor = work.cache.outbox.cursor(resource).modified_after
    after = None if cursor is None else cursor - _OVERLAP
    newest = cursor
    phase: SyncPhase = resource
    per_page = work.options.per_page
    moved = False
    for _ in range(max(1, work.options.listing_passes)):
        seen: dict[int, datetime | None] = {}
        moved = False
        done = 0
        largest_total = 0
        with ReadAhead(
            work.client,
            lambda client: kind.list_changed(client, after, per_page),
            name=f"read-{resource}",
        ) as listing:
            for page in listing:
                work.check_cancel()
                if page.total < largest_total:
                    moved = True  # something was deleted for good while the list was read
                largest_total = max(largest_total, page.total)
                fresh: list[R] = []
                for record in page.items:
                    if record.id in seen:
                        moved = True
                        if seen[record.id] == record.modified_gmt:
                            continue
                    seen[record.id] = record.modified_gmt
                    fresh.append(record)
                for refused in page.refused:
                    if refused.id is not None:
                        moved = moved or refused.id in seen
                        seen[refused.id] = refused.modified_gmt
                versions = [r.modified_gmt for r in page.items]
                versions += [r.modified_gmt for r in page.refused if r.modified_gmt is not None]
                page_newest = max(versions, default=None)
                if page_newest is not None:
                    # WordPress gives a new record its own date as modified_gmt, so a post
                    # scheduled (or written with a future date) is "modified" in the future.
                    # The window never moves past the site's present: everything changed until
                    # that date would be outside it. (Such a record is listed again each round,
                    # and comes back "unchanged".)
                    page_newest = min(page_newest, page.site_time or work.now)
                # Ordered by modified: the page and the cursor past it are one transaction (one
                # commit, one flush to disk), so a crash or a cancel resumes from the first page
                # not stored.
                with work.cache.transaction():
                    stored = kind.store(work, fresh) if fresh else 0
                    _read_again(work, kind.entity, (r.id for r in page.items))
                    put_aside(work, page.refused)
                    if page_newest is not None and (newest is None or page_newest > newest):
                        newest = page_newest
                        work.cache.outbox.set_cursor(resource, modified_after=newest)
                work.count_pulled(resource, stored)
                done += 1
                work.progress(phase, kind.listing_message, done, page.total_pages or None)
        if not moved:
            break
        # A record moved or went while the pages were read and may have pushed another one onto
        # a page already read: read the window again (what is stored comes back "unchanged").
        logger.info("%s moved while being listed; reading the window again", resource)
    return cursor is None and not moved


def pull_posts(work: Round) -> bool:
    """Fetch posts changed since the cursor (every post the first time).

    Returns:
        True when this was a full download: it then stands in for a sweep.
    """
    return _read_listing(work, POSTS)


def pull_inquiries(work: Round) -> bool:
    """Fetch inquiries (inbox and trash) changed since the cursor; the first time, every
    inquiry, newest first (:func:`_first_inquiries`).

    Returns:
        True when this was a full download.
    """
    if work.cache.outbox.cursor(INQUIRIES.resource).modified_after is None:
        return _first_inquiries(work)
    return _read_listing(work, INQUIRIES)


def _first_inquiries(work: Round) -> bool:
    """The first download of the inbox: newest arrival first, each page stored as it comes.

    The person who wrote in an hour ago must not wait behind years of closed inquiries (nor
    behind the post catalogue, which the engine pulls after): ordered by date, newest first,
    the first page stored is the screenful the inbox opens on, and the inbox fills in as pages
    arrive.

    Ordered by date, an inquiry edited meanwhile stays in place, and one arriving meanwhile
    shifts the others down (a record seen twice, nothing missed); only a permanent deletion
    shifts one onto a page already read, which a shrinking ``X-WP-Total`` shows: the download
    is then not "full", and the sweep that follows it finds what was missed. The cursor is set
    once the listing ends, to the site's time when it began: whatever changed since is in the
    next round's window. (Stopped half-way, the next round starts again from the newest:
    what is stored already comes back "unchanged".)

    Returns:
        True when the download is a complete picture (nothing deleted while it was read).
    """
    seen: set[int] = set()
    started: datetime | None = None
    done = 0
    largest_total = 0
    shrank = False
    with ReadAhead(
        work.client,
        lambda client: client.iter_inquiries(
            status=INQUIRY_STATUSES, per_page=work.options.per_page, orderby="date", order="desc"
        ),
        name="read-inquiries",
    ) as listing:
        for page in listing:
            work.check_cancel()
            if started is None:
                started = page.site_time or work.now
            shrank = shrank or page.total < largest_total
            largest_total = max(largest_total, page.total)
            fresh = [item for item in page.items if item.id not in seen]
            seen.update(item.id for item in page.items)
            seen.update(r.id for r in page.refused if r.id is not None)
            with work.cache.transaction():
                stored = INQUIRIES.store(work, fresh) if fresh else 0
                _read_again(work, INQUIRIES.entity, (r.id for r in fresh))
                put_aside(work, page.refused)
            work.count_pulled(INQUIRIES.resource, stored)
            done += 1
            work.progress("inquiries", INQUIRIES.listing_message, done, page.total_pages or None)
    work.cache.outbox.set_cursor(
        INQUIRIES.resource, modified_after=min(started or work.now, work.now)
    )
    if shrank:
        logger.info("inquiries were deleted while the inbox was first read; the sweep follows")
    return not shrank


def refresh(work: Round, kind: PullKind[R], remote_ids: Sequence[int]) -> set[int]:
    """Re-read records of ``kind`` by id and store them: :data:`BATCH` per request where the
    site can list by id, else one by one (:func:`read_one`).

    Returns:
        The ids the site returned (one it did not is deleted, or no longer visible to the user).
    """
    ids = sorted(set(remote_ids))
    list_ids = kind.list_ids
    if list_ids is None:
        return {remote_id for remote_id in ids if _checked_read(work, kind, remote_id)}
    found: set[int] = set()
    for batch in _batches(ids):
        work.check_cancel()
        listing = list_ids(work.client, batch)
        try:
            for page in listing:
                with work.cache.transaction():
                    stored = kind.store(work, page.items)
                    _read_again(work, kind.entity, (record.id for record in page.items))
                    put_aside(work, page.refused)
                work.count_pulled(kind.resource, stored)
                found.update(record.id for record in page.items)
                # Unreadable is not deleted: the site still has it.
                found.update(r.id for r in page.refused if r.id is not None)
        finally:
            _close(listing)
    return found


def _checked_read(work: Round, kind: PullKind[R], remote_id: int) -> bool:
    work.check_cancel()
    return read_one(work, kind, remote_id)


def read_one(work: Round, kind: PullKind[R], remote_id: int) -> bool:
    """Re-read one record of ``kind`` and store it.

    Returns:
        False when the site no longer has it (404), or no longer shows it to the user (403).
    """
    try:
        record = kind.get(work.client, remote_id)
    except (NotFoundError, ForbiddenError):
        return False
    except InvalidResponseError as exc:
        if exc.record != kind.entity or exc.record_id != remote_id:
            raise
        # The site has it but it cannot be read: put aside, not deleted.
        put_aside(work, [RefusedRecord(kind.entity, remote_id, exc.reason or exc.message)])
        return True
    with work.cache.transaction():
        stored = kind.store(work, [record])
        _read_again(work, kind.entity, [remote_id])
    work.count_pulled(kind.resource, stored)
    return True


def pull_due_scheduled(work: Round) -> None:
    """Re-read the scheduled posts whose date has come.

    WordPress publishes them without a new ``modified_gmt``, so no incremental listing ever
    shows the change.
    """
    due = queries.due_scheduled_posts(work.cache, work.now)
    if due:
        work.progress("posts", "Checking scheduled posts")
        refresh(work, POSTS, due)


# -- notes ---------------------------------------------------------------------------------------


def pull_notes(work: Round) -> None:
    """Fetch notes above the highest id stored (minus the overlap), de-duplicated by id.

    A note whose inquiry the cache does not have yet (it arrived after the inquiries were read)
    makes the engine fetch that inquiry before the cursor moves past the note.
    """
    cursor = work.cache.outbox.cursor("notes").after_id
    highest = cursor
    done = 0
    after_id = max(0, cursor - work.options.note_overlap)
    with ReadAhead(
        work.client,
        lambda client: client.iter_notes(after_id=after_id, per_page=work.options.per_page),
        name="read-notes",
    ) as listing:
        for page in listing:
            work.check_cancel()
            ids = [note.id for note in page.items]
            ids += [r.id for r in page.refused if r.id is not None]
            page_highest = max(ids, default=highest)
            if page.refused:
                with work.cache.transaction():
                    put_aside(work, page.refused)
                    if not page.items and page_highest > highest:
                        work.cache.outbox.set_cursor("notes", after_id=page_highest)
            _store_notes(work, page.items, page_highest if page_highest > highest else None)
            highest = max(highest, page_highest)
            done += 1
            work.progress("notes", "Fetching notes", done, page.total_pages or None)


def _store_notes(work: Round, notes: Sequence[Note], cursor: int | None) -> None:
    """Store a page of notes, then move the notes cursor to ``cursor`` (None: leave it).

    Usually one transaction with the cursor; a note whose inquiry is not here yet first has the
    inquiry fetched (outside any transaction: it is network work), and the cursor moves after.
    """
    if not notes:
        return
    with work.cache.transaction():
        applied = work.cache.inquiries.upsert_notes(notes)
        _read_again(work, "note", (note.id for note in notes))
        if cursor is not None and not applied.unknown_inquiries:
            work.cache.outbox.set_cursor("notes", after_id=cursor)
    stored = applied.stored
    if applied.unknown_inquiries:
        # New inquiries first (one request, usually), then whatever is still missing by id.
        pull_inquiries(work)
        missing = set(work.cache.inquiries.upsert_notes(notes).unknown_inquiries)
        stored = sum(1 for note in notes if note.inquiry not in missing)
        for remote_id in sorted(missing):
            work.check_cancel()
            if not read_one(work, INQUIRIES, remote_id):
                # Its inquiry is gone for good: its notes went with it (nothing to keep).
                logger.info("notes of an inquiry the site no longer has were skipped")
        with work.cache.transaction():
            work.cache.inquiries.upsert_notes(notes)
            if cursor is not None:
                work.cache.outbox.set_cursor("notes", after_id=cursor)
    work.count_pulled("notes", stored)


# -- terms, users, media -------------------------------------------------------------------------


def pull_terms(work: Round) -> None:
    """Fetch every category and tag; a term gone from a one-page list is gone from the site.

    A term the app cannot read is put aside (and counts as listed: it is not deleted here).
    """
    work.progress("terms", "Fetching categories and tags")
    terms: list[Term] = []
    refused: list[RefusedRecord] = []
    longest = 0
    for taxonomy in ("category", "post_tag"):
        listed = 0
        for page in work.client.iter_terms(taxonomy):
            terms.extend(page.items)
            refused.extend(page.refused)
            listed += len(page.items) + len(page.refused)
        longest = max(longest, listed)
    with work.cache.transaction():
        stored = changed(work.cache.catalog.upsert_terms(terms))
        _read_again(work, "category", (t.id for t in terms if t.taxonomy == "category"))
        _read_again(work, "tag", (t.id for t in terms if t.taxonomy == "post_tag"))
        put_aside(work, refused)
    work.count_pulled("terms", stored)
    # Only a list that fit on one page is a snapshot; a longer one may have shifted while read.
    if longest < work.options.per_page:
        listed_ids = {term.id for term in terms} | {r.id for r in refused if r.id is not None}
        for remote_id in work.cache.outbox.known_versions("term"):
            if remote_id not in listed_ids:
                work.cache.outbox.mark_deleted_on_site("term", remote_id)


def pull_users(work: Round, *, staff: bool) -> None:
    """Fetch the users who can be named as authors, and the staff inquiries can go to."""
    work.progress("users", "Fetching users")
    work.cache.catalog.replace_users(work.client.list_users())
    if staff:
        work.cache.catalog.replace_staff(work.client.list_staff())


def pull_media(work: Round) -> None:
    """Fetch the images posts refer to that the cache has not seen (a bounded number a round)."""
    wanted = queries.media_placeholders(work.cache, work.options.media_per_round)
    for done, remote_id in enumerate(wanted, 1):
        work.check_cancel()
        try:
            media = work.client.get_media(remote_id)
        except (NotFoundError, ForbiddenError):
            # Deleted from the library: drop the stand-in (a post then shows no image).
            _read_again(work, "media item", [remote_id])
            work.cache.outbox.mark_deleted_on_site("media", remote_id)
            continue
        except InvalidResponseError as exc:
            if exc.record != "media item" or exc.record_id != remote_id:
                raise
            # One image the app cannot read does not stop the others (it is asked for again
            # next round: its stand-in stays).
            put_aside(work, [RefusedRecord("media item", remote_id, exc.reason or exc.message)])
            continue
        with work.cache.transaction():
            stored = changed(work.cache.catalog.upsert_media([media]))
            _read_again(work, "media item", [remote_id])
        work.count_pulled("media", stored)
        work.progress("media", "Fetching images", done, len(wanted))


# -- the sweep -----------------------------------------------------------------------------------


def _compare(
    site: dict[int, datetime], known: dict[int, datetime | None]
) -> tuple[list[int], list[int]]:
    """(ids the cache has that the sweep did not list, ids listed that the cache lacks or holds
    at another version)."""
    missing = sorted(remote_id for remote_id in known if remote_id not in site)
    stale = sorted(
        remote_id for remote_id, version in site.items() if known.get(remote_id) != version
    )
    return missing, stale


def sweep(work: Round, kind: PullKind[R]) -> bool:
    """Compare every record's version of ``kind`` with the cache; fetch what differs, find
    deletions.

    Versions that differ (a change the incremental pull missed) are read again, a hundred at a
    time where the site can list by id. A record missing from the sweep may only have shifted
    between its pages: it is read by id, and only a 404 (or a 403: no longer visible to this
    user) counts as deleted.

    Returns:
        True when everything found was dealt with (False: more than a round's share waits).
    """
    work.progress("sweep", kind.sweep_message)
    site = {v.id: v.modified_gmt for v in kind.versions(work.client)}
    missing, stale = _compare(site, work.cache.outbox.known_versions(kind.entity))
    limit = work.options.confirm_per_round
    if kind.list_ids is not None:
        refresh(work, kind, stale[:limit])
        confirm = missing[: max(0, limit - len(stale))]
    else:
        confirm = (missing + stale)[:limit]
    for remote_id in confirm:
        work.check_cancel()
        if not read_one(work, kind, remote_id) and remote_id not in site:
            _deleted(work, kind, remote_id)
    return len(missing) + len(stale) <= limit


def sweep_posts(work: Round) -> bool:
    """The sweep for posts (see :func:`sweep`)."""
    return sweep(work, POSTS)


def sweep_inquiries(work: Round) -> bool:
    """The sweep for inquiries (see :func:`sweep`)."""
    return sweep(work, INQUIRIES)


def _deleted(work: Round, kind: PullKind[R], remote_id: int) -> None:
    _read_again(work, kind.entity, [remote_id])  # gone from the site: nothing left to read
    outcome = work.cache.outbox.mark_deleted_on_site(kind.entity, remote_id)
    if outcome == "kept":
        work.issue(
            "deleted_on_site",
            kind.entity,
            kind.local_id(work, remote_id),
            remote_id,
            "Deleted on the site while it had changes here; your version is kept.",
        )
