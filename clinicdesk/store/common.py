"""Helpers shared by the stores: the outbox queue with coalescing, sync states, JSON dates.

Internal to :mod:`clinicdesk.store`; the UI and sync use the stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Select, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from clinicdesk.model.cached import EntityKind, OutboxOp, SyncState
from clinicdesk.store.models import Creatable, OutboxEntry, Synced, utcnow

JsonDict = dict[str, Any]
#: A select of any columns.
AnySelect = Select[*tuple[Any, ...]]


def dt_to_json(value: datetime | None) -> str | None:
    """An aware datetime as ISO text in UTC (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(UTC).isoformat()


def dt_from_json(value: object) -> datetime | None:
    """The inverse of :func:`dt_to_json`."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def state_of(
    conflict: bool, rejected_message: str | None, deleted_on_site: bool, is_new: bool, dirty: bool
) -> tuple[SyncState, str | None]:
    """The sync state of a record and the message to show with it, most urgent first."""
    if conflict:
        return "conflict", None
    if rejected_message is not None:
        return "rejected", rejected_message
    if deleted_on_site:
        return "deleted_on_site", None
    if is_new:
        return "new", None
    if dirty:
        return "modified", None
    return "synced", None


def sync_state(row: Synced) -> tuple[SyncState, str | None]:
    """The sync state of a row (see :func:`state_of`)."""
    is_new = isinstance(row, Creatable) and row.is_new
    return state_of(row.conflict, row.rejected_message, row.deleted_on_site, is_new, row.dirty)


def _entries_of(entity: EntityKind, local_id: int) -> Select[OutboxEntry]:
    return select(OutboxEntry).where(OutboxEntry.entity == entity, OutboxEntry.local_id == local_id)


def entries_of(session: Session, entity: EntityKind, local_id: int) -> list[OutboxEntry]:
    """A record's outbox entries, oldest first."""
    return list(session.scalars(_entries_of(entity, local_id).order_by(OutboxEntry.id)))


def _create_entry_id(session: Session, entity: EntityKind, local_id: int) -> int | None:
    return cast(
        int | None,
        session.scalar(
            select(func.min(OutboxEntry.id)).where(
                OutboxEntry.entity == entity,
                OutboxEntry.local_id == local_id,
                OutboxEntry.op.in_(("create", "upload")),
            )
        ),
    )


def enqueue(
    session: Session,
    entity: EntityKind,
    local_id: int,
    op: OutboxOp,
    payload: Mapping[str, Any],
    *,
    refs: Iterable[tuple[EntityKind, int]] = (),
    staged: bool = False,
    fold_attempted: bool = True,
) -> int:
    """Queue a change, folding an update into the record's waiting entry when that is safe.

    An update is folded into the record's latest entry (keeping that entry's place in the queue)
    when that entry is an update, or a create not yet attempted, and is not being sent right now.
    It is appended as a new entry instead when it refers to a record (``refs``: a category, an
    image) whose own create is queued *after* that entry: the queue replays in order, so the
    create must come before the first entry that refers to it.

    Args:
        session: the write session (the caller's transaction).
        entity: the kind of record.
        local_id: its local id.
        op: what to do.
        payload: the changed fields (JSON values, local ids).
        refs: records the payload refers to.
        staged: keep the change on this computer until :func:`release_staged` (an edit of a
            post that is live on the site). A staged update folds only into a staged entry, and
            a change to send only into an entry that is not staged, so no sendable entry ever
            carries a staged change.
        fold_attempted: whether an update may fold into an update already sent once whose
            answer may have been lost (waiting again, not held). False keeps what that attempt
            sent apart, so its retry can tell whether it landed (an inquiry's triage: each
            change noted once).

    Returns:
        The id of the entry holding the change.
    """
    now = utcnow()
    if op == "update":
        last = session.scalars(
            _entries_of(entity, local_id).order_by(OutboxEntry.id.desc()).limit(1)
        ).first()
        foldable = (
            last is not None
            and last.state != "in_flight"
            and (last.state == "staged") == staged
            and (
                # (A held change was refused or stopped before its write: nothing of it landed.)
                (
                    last.op == "update"
                    and (fold_attempted or last.attempts == 0 or last.state == "held")
                )
                or (last.op in ("create", "upload") and last.attempts == 0)
            )
        )
        if last is not None and foldable:
            later_create = any(
                (created := _create_entry_id(session, ref_entity, ref_id)) is not None
                and created > last.id
                for ref_entity, ref_id in refs
            )
            if not later_create:
                last.payload = {**last.payload, **payload}
                last.updated_at = now
                return last.id
    entry = OutboxEntry(
        entity=entity,
        local_id=local_id,
        op=op,
        payload=dict(payload),
        state="staged" if staged else "pending",
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    return entry.id


def set_held(session: Session, entity: EntityKind, local_id: int, held: bool) -> None:
    """Hold (or release) every waiting entry of a record; entries being sent are left alone."""
    source, target = ("pending", "held") if held else ("held", "pending")
    session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.entity == entity,
            OutboxEntry.local_id == local_id,
            OutboxEntry.state == source,
        )
        .values(state=target, updated_at=utcnow())
    )


def staged_keys(session: Session, entity: EntityKind, local_id: int) -> set[str]:
    """The fields named by a record's staged entries (empty when it has none)."""
    payloads = session.scalars(
        select(OutboxEntry.payload).where(
            OutboxEntry.entity == entity,
            OutboxEntry.local_id == local_id,
            OutboxEntry.state == "staged",
        )
    )
    return {str(key) for payload in payloads for key in payload}


def release_staged(session: Session, entity: EntityKind, local_id: int) -> int:
    """Let a record's staged entries go at the next sync (in their order); returns how many."""
    result = session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.entity == entity,
            OutboxEntry.local_id == local_id,
            OutboxEntry.state == "staged",
        )
        .values(state="pending", updated_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def drop_entries(session: Session, entity: EntityKind, local_id: int) -> int:
    """Remove a record's entries that are not being sent; returns how many remain in flight."""
    session.execute(
        delete(OutboxEntry).where(
            OutboxEntry.entity == entity,
            OutboxEntry.local_id == local_id,
            OutboxEntry.state != "in_flight",
        )
    )
    return pending_count(session, entity, local_id)


def back_to_site(row: Synced, in_flight: int, restore: Callable[[JsonDict], None]) -> None:
    """Take a row whose waiting entries were dropped back to the site's version (its "discard").

    The site's version is the copy kept in a conflict, else the base the local edits started
    from; ``restore`` writes its fields to the row (each kind knows its own fields). While an
    entry is still being sent (``in_flight``), the row stays dirty with its base, so that the
    answer to it settles as any other.
    """
    site = row.server_copy or row.base
    if site is not None:
        site = dict(site)
        version = dt_from_json(site.pop("modified_gmt", None))
        restore(site)
        if version is not None:
            row.server_modified_gmt = version
    row.pending_delete = False
    row.conflict = False
    row.rejected_message = None
    row.server_copy = None
    if not in_flight:
        row.dirty = False
        row.base = None


#: Built once: every outcome a push stores asks it.
_PENDING_COUNT = (
    select(func.count())
    .select_from(OutboxEntry)
    .where(OutboxEntry.entity == bindparam("entity"), OutboxEntry.local_id == bindparam("local_id"))
)


def pending_count(session: Session, entity: EntityKind, local_id: int) -> int:
    """How many entries a record still has in the outbox (any state)."""
    return session.scalar(_PENDING_COUNT, {"entity": entity, "local_id": local_id}) or 0


def was_attempted(session: Session, entity: EntityKind, local_id: int) -> bool:
    """Whether any entry of the record may have reached the site (being sent, or sent before)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(
                OutboxEntry.entity == entity,
                OutboxEntry.local_id == local_id,
                (OutboxEntry.attempts > 0) | (OutboxEntry.state == "in_flight"),
            )
        )
        or 0
    ) > 0
