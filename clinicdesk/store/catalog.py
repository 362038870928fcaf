"""Categories, tags, media and users: what posts refer to.

Posts refer to terms and media by **local** id, so a post can use a category created offline or
an image still waiting to upload. When a post arrives from the site naming a term or an image
the cache has not seen yet, a placeholder row (site id only) stands in until the term or image
itself is pulled; nothing a post refers to is silently dropped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clinicdesk.model import records
from clinicdesk.model.cached import MediaInfo, TermInfo, UserInfo
from clinicdesk.store.common import (
    enqueue,
    pending_count,
    sync_state,
)
from clinicdesk.store.entity import CacheJob, EntityAdapter
from clinicdesk.store.errors import InvalidEditError, RecordNotFoundError, UnsyncedDependencyError
from clinicdesk.store.models import Media, OutboxEntry, PostTerm, Term, User

logger = logging.getLogger(__name__)

ApplyOutcome = Literal["inserted", "updated", "unchanged", "kept_local"]
_TAXONOMIES: tuple[records.Taxonomy, ...] = ("category", "post_tag")


# -- session-level helpers (used by posts and the outbox) ---------------------------------------


def local_term_ids(
    session: Session, taxonomy: records.Taxonomy, remote_ids: Iterable[int]
) -> list[int]:
    """Local ids of the site's terms, making placeholders for terms not pulled yet."""
    wanted = list(dict.fromkeys(remote_ids))
    if not wanted:
        return []
    known = dict(
        session.execute(select(Term.remote_id, Term.id).where(Term.remote_id.in_(wanted))).all()
    )
    for remote_id in wanted:
        if remote_id not in known:
            placeholder = Term(taxonomy=taxonomy, remote_id=remote_id)
            session.add(placeholder)
            session.flush()
            known[remote_id] = placeholder.id
    return [known[remote_id] for remote_id in wanted]


def remote_term_ids(session: Session, local_ids: Sequence[int]) -> list[int]:
    """The site's ids of local terms.

    Raises:
        UnsyncedDependencyError: a term is not on the site yet.
    """
    if not local_ids:
        return []
    found = dict(
        session.execute(select(Term.id, Term.remote_id).where(Term.id.in_(local_ids))).all()
    )
    result = []
    for local_id in local_ids:
        remote_id = found.get(local_id)
        if remote_id is None:
            raise UnsyncedDependencyError(
                "A category or tag this post uses is not on the site yet."
            )
        result.append(remote_id)
    return result


def remote_media_id(session: Session, local_id: int | None) -> int:
    """The site's id of a local media item (0 for none).

    Raises:
        UnsyncedDependencyError: the file is not uploaded yet.
    """
    if local_id is None:
        return 0
    remote_id = session.scalar(select(Media.remote_id).where(Media.id == local_id))
    if remote_id is None:
        raise UnsyncedDependencyError("An image this post uses is not uploaded yet.")
    return remote_id


def _term_fields(record: records.Term, session: Session) -> dict[str, object]:
    parent = local_term_ids(session, "category", [record.parent]) if record.parent else []
    return {
        "taxonomy": record.taxonomy,
        "name": record.name,
        "slug": record.slug,
        "description": record.description,
        "parent_id": parent[0] if parent else None,
        "count": record.count,
    }


def upsert_term(session: Session, record: records.Term) -> ApplyOutcome:
    """Store a term from the site (a local term waiting to be sent keeps its own fields)."""
    row = session.scalar(select(Term).where(Term.remote_id == record.id))
    fields = _term_fields(record, session)
    if row is None:
        session.add(Term(remote_id=record.id, **fields))
        return "inserted"
    if row.dirty or row.is_new:
        row.count = record.count
        return "kept_local"
    changed = any(getattr(row, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(row, name, value)
    row.deleted_on_site = False
    return "updated" if changed else "unchanged"


def _merge_term_into(session: Session, duplicate: Term, keeper: Term) -> None:
    """Fold a locally created term into the site's existing one (``term_exists``)."""
    linked = set(session.scalars(select(PostTerm.post_id).where(PostTerm.term_id == keeper.id)))
    for link in session.scalars(select(PostTerm).where(PostTerm.term_id == duplicate.id)):
        if link.post_id in linked:
            session.delete(link)
        else:
            link.term_id = keeper.id
    # Waiting post entries name the duplicate's local id: point them at the keeper.
    for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.entity == "post")):
        payload = dict(entry.payload)
        changed = False
        for key in ("categories", "tags"):
            ids = payload.get(key)
            if isinstance(ids, list) and duplicate.id in ids:
                payload[key] = list(
                    dict.fromkeys(keeper.id if i == duplicate.id else i for i in ids)
                )
                changed = True
        if changed:
            entry.payload = payload
    session.execute(update(Term).where(Term.parent_id == duplicate.id).values(parent_id=keeper.id))
    session.flush()
    session.delete(duplicate)


def apply_term_pushed(session: Session, entry: OutboxEntry, record: records.Term) -> None:
    """A term create was accepted (or the site already had it: adopt that one)."""
    row = session.get(Term, entry.local_id)
    session.delete(entry)
    session.flush()
    if row is None:
        return
    existing = session.scalar(select(Term).where(Term.remote_id == record.id, Term.id != row.id))
    if existing is not None:
        _merge_term_into(session, row, existing)
        upsert_term(session, record)
        return
    row.remote_id = record.id
    row.is_new = False
    if pending_count(session, "term", row.id) == 0:
        row.dirty = False
        row.rejected_message = None
        for name, value in _term_fields(record, session).items():
            setattr(row, name, value)


def apply_media_pushed(session: Session, entry: OutboxEntry, record: records.Media) -> None:
    """An upload or an alt-text change was accepted."""
    row = session.get(Media, entry.local_id)
    session.delete(entry)
    session.flush()
    if row is None:
        return
    row.remote_id = record.id
    row.is_new = False
    row.server_modified_gmt = record.modified_gmt
    if pending_count(session, "media", row.id) == 0:
        _set_media_fields(row, record)
        row.dirty = False
        row.rejected_message = None
        row.local_path = None


def _set_media_fields(row: Media, record: records.Media) -> None:
    row.source_url = record.source_url
    row.mime_type = record.mime_type
    row.media_type = record.media_type
    row.alt_text = record.alt_text
    row.title = record.title
    row.date_gmt = record.date_gmt
    row.modified_gmt = record.modified_gmt
    row.width = record.width
    row.height = record.height


def upsert_media(session: Session, record: records.Media) -> ApplyOutcome:
    """Store a media item from the site (local alt-text edits waiting are kept)."""
    row = session.scalar(select(Media).where(Media.remote_id == record.id))
    if row is None:
        row = Media(remote_id=record.id, server_modified_gmt=record.modified_gmt)
        _set_media_fields(row, record)
        session.add(row)
        return "inserted"
    if row.dirty or row.is_new:
        if record.modified_gmt != row.server_modified_gmt:
            row.server_copy = {"alt_text": record.alt_text, "title": record.title}
        return "kept_local"
    unchanged = row.server_modified_gmt == record.modified_gmt and row.source_url
    _set_media_fields(row, record)
    row.server_modified_gmt = record.modified_gmt
    row.deleted_on_site = False
    return "unchanged" if unchanged else "updated"


def term_site_fields(session: Session, entry: OutboxEntry) -> dict[str, object]:
    """A term create's body for the site (``name``, and ``parent`` for a category)."""
    payload = dict(entry.payload)
    body: dict[str, object] = {"name": payload["name"]}
    parent_id = payload.get("parent_id")
    if isinstance(parent_id, int):
        parent = session.scalar(select(Term.remote_id).where(Term.id == parent_id))
        if parent is None:
            raise UnsyncedDependencyError("The parent category is not on the site yet.")
        body["parent"] = parent
    return body


# -- DTOs ----------------------------------------------------------------------------------------


def _term_info(row: Term) -> TermInfo:
    state, message = sync_state(row)
    taxonomy: records.Taxonomy = "post_tag" if row.taxonomy == "post_tag" else "category"
    return TermInfo(
        id=row.id,
        remote_id=row.remote_id,
        taxonomy=taxonomy,
        name=row.name,
        slug=row.slug,
        description=row.description,
        parent_id=row.parent_id,
        count=row.count,
        sync_state=state,
        sync_message=message,
    )


def _media_info(row: Media) -> MediaInfo:
    state, message = sync_state(row)
    return MediaInfo(
        id=row.id,
        remote_id=row.remote_id,
        source_url=row.source_url,
        mime_type=row.mime_type,
        media_type=row.media_type,
        alt_text=row.alt_text,
        title=row.title,
        width=row.width,
        height=row.height,
        local_path=row.local_path,
        sync_state=state,
        sync_message=message,
    )


def _user_info(row: User) -> UserInfo:
    return UserInfo(
        id=row.id, name=row.name, slug=row.slug, roles=tuple(row.roles), is_staff=row.is_staff
    )


class CatalogStore(CacheJob):
    """Terms, media and users of one cache."""

    # -- reads -----------------------------------------------------------------------------------

    def terms(self, taxonomy: records.Taxonomy) -> list[TermInfo]:
        """The categories or tags, by name (placeholders for terms not pulled yet left out)."""
        with self._cache.read() as session:
            rows = session.scalars(
                select(Term)
                .where(Term.taxonomy == taxonomy, Term.name != "")
                .order_by(Term.name, Term.id)
            )
            return [_term_info(row) for row in rows]

    def media(self) -> list[MediaInfo]:
        """Media items, newest first (placeholders left out)."""
        with self._cache.read() as session:
            rows = session.scalars(
                select(Media)
                .where((Media.source_url != "") | Media.local_path.is_not(None))
                .order_by(Media.date_gmt.desc(), Media.id.desc())
            )
            return [_media_info(row) for row in rows]

    def users(self, *, staff_only: bool = False) -> list[UserInfo]:
        """Users by name; with ``staff_only``, those who may be assigned inquiries."""
        with self._cache.read() as session:
            query = select(User).order_by(User.name, User.id)
            if staff_only:
                query = query.where(User.is_staff)
            return [_user_info(row) for row in session.scalars(query)]

    # -- local writes ----------------------------------------------------------------------------

    def create_term(
        self, taxonomy: records.Taxonomy, name: str, parent_id: int | None = None
    ) -> int:
        """Create a category or tag locally; it is sent before any post entry that uses it.

        Returns:
            The new term's local id.
        """
        if taxonomy not in _TAXONOMIES:
            raise InvalidEditError("Unknown kind of term.")
        name = name.strip()
        if not name:
            raise InvalidEditError("A category or tag needs a name.")
        with self._cache.write() as session:
            if parent_id is not None:
                parent = session.get(Term, parent_id)
                if parent is None or parent.taxonomy != "category" or taxonomy != "category":
                    raise InvalidEditError("Only a category can have a parent category.")
            row = Term(
                taxonomy=taxonomy,
                name=name,
                parent_id=parent_id,
                client_id=str(uuid.uuid4()),
                is_new=True,
                dirty=True,
            )
            session.add(row)
            session.flush()
            refs = [("term", parent_id)] if parent_id is not None else []
            enqueue(
                session,
                "term",
                row.id,
                "create",
                {"taxonomy": taxonomy, "name": name, "parent_id": parent_id},
                refs=refs,  # type: ignore[arg-type]
            )
            return row.id

    def queue_upload(
        self, local_path: Path, mime_type: str, *, title: str = "", alt_text: str = ""
    ) -> int:
        """Queue a file for upload; it can be used in posts at once.

        Args:
            local_path: the file on this computer (read when the upload is sent).
            mime_type: its type (``image/jpeg``).
            title: its title.
            alt_text: its alternative text.

        Returns:
            The media item's local id.
        """
        if not mime_type or "/" not in mime_type:
            raise InvalidEditError("Unknown file type.")
        media_type = "image" if mime_type.startswith("image/") else "file"
        with self._cache.write() as session:
            row = Media(
                mime_type=mime_type,
                media_type=media_type,
                title=title,
                alt_text=alt_text,
                local_path=str(local_path),
                client_id=str(uuid.uuid4()),
                is_new=True,
                dirty=True,
            )
            session.add(row)
            session.flush()
            enqueue(
                session,
                "media",
                row.id,
                "upload",
                {
                    "filename": Path(local_path).name,
                    "mime_type": mime_type,
                    "title": title,
                    "alt_text": alt_text,
                },
            )
            return row.id

    def set_alt_text(self, media_id: int, alt_text: str) -> None:
        """Change an image's alternative text (queued; folded into a waiting upload)."""
        with self._cache.write() as session:
            row = session.get(Media, media_id)
            if row is None:
                raise RecordNotFoundError("This image is no longer in the offline copy.")
            if row.alt_text == alt_text:
                return
            if not row.dirty and not row.is_new:
                row.base = {"alt_text": row.alt_text, "title": row.title}
            row.alt_text = alt_text
            row.dirty = True
            enqueue(session, "media", row.id, "update", {"alt_text": alt_text})

    # -- applying the site's data ----------------------------------------------------------------

    def upsert_terms(self, items: Sequence[records.Term]) -> list[ApplyOutcome]:
        """Store terms from the site in one transaction."""
        with self._cache.write() as session:
            return [upsert_term(session, record) for record in items]

    def upsert_media(self, items: Sequence[records.Media]) -> list[ApplyOutcome]:
        """Store media items from the site in one transaction."""
        with self._cache.write() as session:
            return [upsert_media(session, record) for record in items]

    def replace_users(self, users: Sequence[records.User]) -> None:
        """Store the site's user list (names of authors); staff flags are kept."""
        with self._cache.write() as session:
            for user in users:
                row = session.get(User, user.id)
                if row is None:
                    session.add(User(id=user.id, name=user.name, slug=user.slug, roles=[]))
                else:
                    row.name, row.slug = user.name, user.slug

    def replace_staff(self, staff: Sequence[records.StaffMember]) -> None:
        """Store the people inquiries can be assigned to (everyone else loses the flag)."""
        with self._cache.write() as session:
            ids = {member.id for member in staff}
            session.execute(
                update(User).where(User.is_staff, User.id.not_in(ids)).values(is_staff=False)
            )
            for member in staff:
                row = session.get(User, member.id)
                if row is None:
                    row = User(id=member.id)
                    session.add(row)
                row.name, row.slug = member.name, member.slug
                row.roles = list(member.roles)
                row.is_staff = True


def _term_body(
    session: Session, entry: OutboxEntry | None, _payload: Mapping[str, Any]
) -> dict[str, object]:
    if entry is None:
        raise RecordNotFoundError("This change is no longer waiting to be sent.")
    return term_site_fields(session, entry)


#: How the outbox finishes a term's changes (registered by :mod:`clinicdesk.store.engine`).
TERM_ADAPTER = EntityAdapter(
    entity="term",
    model=Term,
    record_type=records.Term,
    apply_pushed=apply_term_pushed,
    site_fields=_term_body,
)

#: How the outbox finishes a media item's changes (uploads, alt text).
MEDIA_ADAPTER = EntityAdapter(
    entity="media", model=Media, record_type=records.Media, apply_pushed=apply_media_pushed
)
