"""Creating a record on the site exactly once, and finding one whose answer was lost.

A post and an upload carry a client id (a UUID the app made and kept with the record) and are
sent once: if the answer is lost, :class:`~clinicdesk.site.errors.OutcomeUnknownError` asks the
caller to look the record up by that id (``find_*_by_client_id``) before sending it again, so the
site never holds two copies. A category or tag is get-or-create: WordPress refuses a name that
exists with the existing id, which is returned instead. :class:`~clinicdesk.site.SiteClient`
calls these; its methods document the contract.
"""

from __future__ import annotations

import logging
from contextlib import closing

from clinicdesk.model.records import Media, Post, PostFields, Taxonomy, Term
from clinicdesk.site import parse
from clinicdesk.site.bodies import (
    check_client_id,
    check_mime_type,
    post_body,
    term_body,
    upload_filename,
)
from clinicdesk.site.errors import InvalidResponseError, OutcomeUnknownError, RejectedError
from clinicdesk.site.listing import MAX_PER_PAGE, Collection, collect, post_type_query
from clinicdesk.site.transport import Transport

__all__ = [
    "create_post",
    "create_term",
    "find_media_by_client_id",
    "find_post_by_client_id",
    "upload_media",
]

logger = logging.getLogger(__name__)


def create_post(transport: Transport, fields: PostFields, client_id: str) -> Post:
    """Create a post carrying ``client_id``, sent once.

    See :meth:`~clinicdesk.site.SiteClient.create_post`.
    """
    client_id = check_client_id(client_id)
    body = post_body(fields)
    body["meta"] = {"clinicdesk_client_id": client_id}
    answer = transport.request(
        "POST", "wp/v2/posts", json_body=body, idempotent=False, client_id=client_id
    )
    try:
        post = parse.post(answer.json())
    except InvalidResponseError as exc:
        # The site said it created the post, but its answer is unusable: only a lookup by
        # client id can tell what exists.
        raise OutcomeUnknownError(
            f"The site created the post but its answer could not be read ({exc.message})",
            client_id=client_id,
            cause=exc,
        ) from exc
    if post.client_id != client_id:
        logger.warning(
            "the site did not keep the post's client id (is the ClinicDesk plugin active?); "
            "a lost answer could not be matched to post %d",
            post.id,
        )
    return post


def find_post_by_client_id(posts: Collection[Post], client_id: str) -> Post | None:
    """The post created with ``client_id``, in any status including the trash, or None."""
    client_id = check_client_id(client_id)
    for status in ("any", "trash"):
        # One page is enough: at most one post carries a given client id. (Without the
        # plugin, the parameter is ignored and the meta is not exposed, so no page would
        # ever match and paging through the whole site would be pointless.)
        query = post_type_query(
            status=status,
            modified_after=None,
            modified_before=None,
            search=None,
            include=None,
            orderby="id",
            order="asc",
            extra={"clinicdesk_client_id": client_id},
        )
        pages = posts.pages(query)
        with closing(pages):
            first = next(pages, None)
        for post in first.items if first else ():
            if post.client_id == client_id:
                return post
    return None


def create_term(
    transport: Transport, terms: Collection[Term], taxonomy: Taxonomy, name: str, parent: int | None
) -> Term:
    """Get or create a category or tag (see :meth:`~clinicdesk.site.SiteClient.create_term`)."""
    body = term_body(taxonomy, name, parent)
    try:
        answer = transport.request("POST", terms.route, json_body=body, idempotent=True)
    except RejectedError as exc:
        term_id = exc.data.get("term_id")
        if exc.code != "term_exists" or isinstance(term_id, bool):
            raise
        if isinstance(term_id, str) and term_id.isdigit():
            term_id = int(term_id)
        for term in collect(terms.pages({}, lenient=False)) if isinstance(term_id, int) else ():
            if term.id == term_id:
                return term
        raise
    return parse.term(answer.json(), taxonomy)


def upload_media(
    transport: Transport, filename: str, data: bytes, mime_type: str, client_id: str | None
) -> Media:
    """Upload a file carrying ``client_id`` when given, sent once.

    See :meth:`~clinicdesk.site.SiteClient.upload_media`.
    """
    check_mime_type(mime_type)
    params: dict[str, str] = {}
    if client_id is not None:
        client_id = check_client_id(client_id)
        params["meta[clinicdesk_client_id]"] = client_id
    try:
        answer = transport.request(
            "POST",
            "wp/v2/media",
            params=params,
            body=data,
            headers={
                "Content-Type": mime_type,
                "Content-Disposition": f'attachment; filename="{upload_filename(filename)}"',
            },
            idempotent=False,
            client_id=client_id or "",
        )
    except OutcomeUnknownError as exc:
        cause = exc.cause
        if cause is not None and cause.code == "rest_upload_sideload_error":
            # A file type WordPress refuses: a 500, but refused before anything is stored.
            raise RejectedError(
                "The site does not accept this type of file. Choose another file (a JPEG "
                "or PNG image, for example).",
                code=cause.code,
                status=cause.status,
            ) from None
        raise
    try:
        media = parse.media(answer.json())
    except InvalidResponseError as exc:
        raise OutcomeUnknownError(
            f"The site stored the file but its answer could not be read ({exc.message})",
            client_id=client_id or "",
            cause=exc,
        ) from exc
    if client_id is not None and media.client_id != client_id:
        logger.warning(
            "the site did not keep the upload's client id (is the ClinicDesk plugin active?); "
            "a lost answer could not be matched to media item %d",
            media.id,
        )
    return media


def find_media_by_client_id(transport: Transport, client_id: str) -> Media | None:
    """The media item uploaded with ``client_id``, or None."""
    client_id = check_client_id(client_id)
    answer = transport.request(
        "GET",
        "wp/v2/media",
        params={
            "context": "edit",
            "clinicdesk_client_id": client_id,
            "orderby": "id",
            "order": "asc",
            # One page is enough: at most one item carries a given client id (and without
            # the plugin no item exposes the meta, so paging the library would be pointless).
            "per_page": MAX_PER_PAGE,
        },
    )
    for media in parse.many(answer.json(), parse.media, "media"):
        if media.client_id == client_id:
            return media
    return None
