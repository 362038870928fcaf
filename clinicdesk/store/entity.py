"""What an entity store gives the rest of the store: its transactions, and its outbox adapter.

Each kind of record the app sends to the site (post, inquiry, note, term, media) describes, in
its own module, how the outbox finishes one of its changes: how the site's answer is applied, how
its local ids become the site's write body, what "deleted on the site" drops. The outbox loops
over these registered adapters (as Joplin's synchronizer loops over its registered item types)
instead of importing the entity modules and branching on the kind, and the engine is the one
place that assembles them. So no store module imports a module that imports it back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from clinicdesk.model.cached import EntityKind
from clinicdesk.store.models import OutboxEntry


class Transactions(Protocol):
    """The open cache as the entity stores use it (:class:`clinicdesk.store.engine.Cache`).

    A protocol, so an entity store needs nothing of the engine that builds it.
    """

    def read(self) -> AbstractContextManager[Session]:
        """A session over one consistent snapshot."""

    def write(self) -> AbstractContextManager[Session]:
        """A session in one write transaction."""

    def prune_backups(self) -> int:
        """Delete the copies made before migrations; returns how many."""

    def get_meta(self, key: str) -> str | None:
        """A stored fact about the cache (None when there is none)."""

    def set_meta(self, key: str, value: str) -> None:
        """Store a fact about the cache. Never a secret."""


class CacheJob:
    """One job of a store over the open cache (reading posts, triage edits, the site's pages...).

    A store such as :class:`~clinicdesk.store.inquiries.InquiryStore` is the sum of its jobs:
    each holds only the cache, as ``_cache``, and none reaches into another's private names.

    Args:
        cache: the open cache.
    """

    _cache: Transactions

    def __init__(self, cache: Transactions) -> None:
        self._cache = cache


@dataclass(frozen=True, slots=True)
class EntityAdapter:
    """How the outbox finishes the changes of one kind of record.

    Attributes:
        entity: the kind, as the outbox names it ("post", "inquiry", "note", "term", "media").
        model: its table (the row that gets ``rejected_message``, ``remote_id``...).
        record_type: the site record that answers one of its changes.
        apply_pushed: stores the site's answer to an entry (the entry is deleted there).
        apply_adopted: stores a create's record found by its client id after a lost answer
            (posts: see ``adopt_post``); None for a kind never adopted.
        answers_delete: whether None (a permanent delete's answer) is an answer.
        site_fields: the write body of an entry, local ids made the site's (``payload`` is the
            claimed item's; the entry is None when it is gone); None when it has no body of
            its own.
        keep_server_copy: stores the site's version of a record in conflict.
        unsent_children: local ids of child records not on the site yet (an inquiry's notes),
            kept and held with it when the site deleted it.
        drop: removes a record (and whatever hangs on it) the site no longer has.
    """

    entity: EntityKind
    model: type[Any]
    record_type: type[Any]
    apply_pushed: Callable[[Session, OutboxEntry, Any], None]
    apply_adopted: Callable[[Session, OutboxEntry, Any], None] | None = None
    answers_delete: bool = False
    site_fields: Callable[[Session, OutboxEntry | None, Mapping[str, Any]], Any] | None = None
    keep_server_copy: Callable[[Session, Any], None] | None = None
    unsent_children: Callable[[Session, int], list[int]] | None = None
    drop: Callable[[Session, Any], None] | None = None

    def answers(self, record: object) -> bool:
        """Whether ``record`` can be the site's answer to a change of this kind."""
        if record is None:
            return self.answers_delete
        return isinstance(record, self.record_type)
