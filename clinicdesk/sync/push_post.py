"""Pushing a post: create (at most once), update after a re-read and a merge, trash, delete."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import cast

from clinicdesk.model.cached import (
    OutboxItem,
    PostDetail,
    PostEdit,
    PostSnapshot,
)
from clinicdesk.site import (
    GoneError,
    NotFoundError,
    Post,
    PostFields,
)
from clinicdesk.store import RecordNotFoundError
from clinicdesk.store.errors import InvalidEditError
from clinicdesk.store.post_rows import POST_FIELDS
from clinicdesk.sync import queries
from clinicdesk.sync.context import Deferred
from clinicdesk.sync.merge import UNKNOWN, merge_fields
from clinicdesk.sync.pushcore import EntityPush

logger = logging.getLogger(__name__)


class PostPush(EntityPush):
    """Pushing a post: create (at most once), update after a re-read and a merge, trash, delete."""

    def send(self, item: OutboxItem) -> None:
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
        # A create carries the post as it is now, not as it was queued: later edits cannot fold
        # into a create already attempted, and one refused (or waiting for a category the site
        # refused) must go out as the user has since corrected it. Edits made after Publish
        # wait for Update: the create carries what was published. A move to the trash stays
        # its own change, queued after this one.
        try:
            detail = self.cache.posts.get(item.local_id)
            payload = self.cache.posts.create_values(item.local_id)
        except RecordNotFoundError:
            self._pushed(item, None)  # discarded here before it ever reached the site
            return
        if detail.remote_id is not None:
            # Adopted meanwhile (a pull found it by its client id): what is left is an update.
            self._update_post(item, detail.remote_id)
            return
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


def _post_edit(values: Mapping[str, object]) -> PostEdit:
    edit = {name: values[name] for name in POST_FIELDS if name in values}
    for name in ("categories", "tags"):
        if name in edit:
            edit[name] = list(cast(list[int], edit[name]))
    return cast(PostEdit, edit)
