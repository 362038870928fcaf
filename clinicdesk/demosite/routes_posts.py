"""``wp/v2/posts`` and the single-record handlers every post type shares.

Creates and updates follow ``WP_REST_Posts_Controller::prepare_item_for_database`` and
``wp_insert_post``: partial updates, the publish capability check, ``future`` for a publish dated a
minute or more ahead, empty slugs for drafts, ``__trashed`` slugs, Uncategorized for a post left
without a category, and unknown term ids silently dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from clinicdesk.demosite.collection import collection_args, list_posts
from clinicdesk.demosite.db import Post, PostTerm, Term, User
from clinicdesk.demosite.posttypes import (
    CURIES,
    FUTURE_THRESHOLD_SECONDS,
    UNPUBLISHED,
    PostCaps,
    PostType,
    base_fields,
    base_links,
    can_delete,
    can_edit,
    can_read,
    get_or_404,
    unique_slug,
)
from clinicdesk.demosite.routing import EDITABLE, Ctx, Endpoint, Router
from clinicdesk.demosite.schema import CONTEXT, FORCE, Arg, ArgError, validate_value
from clinicdesk.demosite.text import has_blocks, render_content, render_excerpt, sanitize_title
from clinicdesk.demosite.wpjson import Reply, RestError, parse_datetime

logger = logging.getLogger(__name__)

UNCATEGORIZED_ID = 1
_TRASHED_SUFFIX = "__trashed"


class ClientIdMeta:
    """The one meta key the plugin registers on posts and attachments: ``clinicdesk_client_id``."""

    schema: Mapping[str, Arg] = {"clinicdesk_client_id": Arg("string", max_length=64)}

    def load(self, ctx: Ctx, posts: Sequence[Post]) -> dict[int, dict[str, Any]]:
        """``{"clinicdesk_client_id": ...}`` per post ("" when unset, as registered meta reads)."""
        return {p.id: {"clinicdesk_client_id": p.client_id or ""} for p in posts}

    def save(self, ctx: Ctx, post: Post, values: Mapping[str, Any]) -> None:
        """Store the client id ("" removes it)."""
        if "clinicdesk_client_id" in values:
            post.client_id = values["clinicdesk_client_id"] or None


def meta_arg(pt: PostType) -> Arg:
    """The ``meta`` body field of ``pt``: its registered keys, each checked; others ignored."""
    schema = pt.meta.schema if pt.meta else {}
    fixed: frozenset[str] = getattr(pt.meta, "fixed_keys", frozenset())

    def check(value: dict[str, Any]) -> dict[str, Any]:
        # Keys only the plugin writes (what a person sent through the form) are refused, as the
        # plugin's meta validation does, before anything is saved.
        for key in schema:
            if key in fixed and key in value:
                raise ArgError(
                    "rest_invalid_param",
                    f"meta.{key} is what the person sent through the form; it cannot be changed.",
                )
        # Each registered key is validated under the name "meta.<key>"; unknown keys are
        # ignored, as WordPress ignores meta that was not registered.
        return {
            key: validate_value(value[key], arg, f"meta.{key}")
            for key, arg in schema.items()
            if key in value
        }

    return Arg("object", check=check)


def _text_field(value: Any) -> Any:
    # ``title``, ``content`` and ``excerpt`` take a string or ``{"raw": ...}``.
    if isinstance(value, dict):
        raw = value.get("raw", "")
        if not isinstance(raw, str):
            raise ArgError("rest_invalid_type", "raw is not of type string.")
        return raw
    return value


_ANY_JSON = ("string", "object", "array", "integer", "number", "boolean", "null")


def _refuse(name: str, what: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        raise ArgError("rest_invalid_param", f"{name} of an {what} cannot be changed.")

    return check


def write_args(pt: PostType, ctx: Ctx) -> dict[str, Arg]:
    """The body fields a create or update accepts (the item schema's writable properties)."""
    text = Arg(("string", "object"), check=_text_field)
    date = Arg(("string", "null"), format="date-time")
    args: dict[str, Arg] = {
        "date": date,
        "date_gmt": date,
        "slug": Arg("string"),
        "status": Arg("string", enum=pt.write_statuses),
        "password": Arg("string"),
        "title": text,
        "content": text,
        "template": Arg("string"),
        "meta": meta_arg(pt),
    }
    if pt.supports_author:
        args["author"] = Arg("integer")
    for name in pt.fixed_fields:
        args[name] = Arg(_ANY_JSON, check=_refuse(name, pt.noun))
    if pt.name == "post":
        args.update(
            excerpt=text,
            featured_media=Arg("integer"),
            comment_status=Arg("string", enum=("open", "closed")),
            ping_status=Arg("string", enum=("open", "closed")),
            format=Arg(
                "string",
                enum=(
                    "standard",
                    "aside",
                    "chat",
                    "gallery",
                    "link",
                    "image",
                    "quote",
                    "status",
                    "video",
                    "audio",
                ),
            ),
            sticky=Arg("boolean"),
            categories=Arg("array", items=Arg("integer")),
            tags=Arg("array", items=Arg("integer")),
        )
    return args


# --- serialisation -----------------------------------------------------------------------------


def load_terms(ctx: Ctx, post_ids: Sequence[int]) -> dict[int, dict[str, list[int]]]:
    """Category and tag ids of many posts in one query, each list ordered by term name."""
    result: dict[int, dict[str, list[int]]] = {
        pid: {"category": [], "post_tag": []} for pid in post_ids
    }
    if not post_ids:
        return result
    rows = ctx.db.execute(
        select(PostTerm.post_id, Term.id, Term.taxonomy)
        .join(Term, Term.id == PostTerm.term_id)
        .where(PostTerm.post_id.in_(post_ids))
        .order_by(Term.name.collate("NOCASE"))
    )
    for post_id, term_id, taxonomy in rows:
        result[post_id][taxonomy].append(term_id)
    return result


def serialize_posts(
    ctx: Ctx, pt: PostType, posts: Sequence[Post], context: str
) -> list[dict[str, Any]]:
    """Posts as ``wp/v2/posts`` shows them, in ``view`` or ``edit`` context."""
    edit = context == "edit"
    terms = load_terms(ctx, [p.id for p in posts])
    metas = pt.meta.load(ctx, posts) if pt.meta else {}
    out = []
    for post in posts:
        data = base_fields(ctx, pt, post, context)
        protected = bool(post.password)
        content: dict[str, Any] = {"rendered": render_content(post.content), "protected": protected}
        excerpt: dict[str, Any] = {
            "rendered": render_excerpt(post.excerpt, post.content),
            "protected": protected,
        }
        if edit:
            content = {
                "raw": post.content,
                **content,
                "block_version": int(has_blocks(post.content)),
            }
            excerpt = {"raw": post.excerpt, **excerpt}
        data.update(
            content=content,
            excerpt=excerpt,
            author=post.author_id,
            featured_media=post.featured_media,
            comment_status=post.comment_status,
            ping_status=post.ping_status,
            sticky=post.sticky,
            template="",
            format=post.format,
            meta=metas.get(post.id, []),
            categories=terms[post.id]["category"],
            tags=terms[post.id]["post_tag"],
        )
        if edit:
            data["permalink_template"] = f"{ctx.site_url}/%postname%/"
            data["generated_slug"] = post.slug or unique_slug(
                ctx, pt.name, sanitize_title(post.title) or str(post.id), post.id
            )
        links = base_links(ctx, pt, post)
        root = ctx.rest_root
        if post.featured_media:
            links["wp:featuredmedia"] = [
                {"embeddable": True, "href": f"{root}wp/v2/media/{post.featured_media}"}
            ]
        links["wp:term"] = [
            {
                "taxonomy": "category",
                "embeddable": True,
                "href": f"{root}wp/v2/categories?post={post.id}",
            },
            {
                "taxonomy": "post_tag",
                "embeddable": True,
                "href": f"{root}wp/v2/tags?post={post.id}",
            },
        ]
        links["curies"] = CURIES
        data["_links"] = links
        out.append(data)
    return out


# --- writes ------------------------------------------------------------------------------------


def _resolve_status(ctx: Ctx, pt: PostType, post: Post | None) -> str:
    """``handle_status_param``: publishing needs ``publish_posts``, checked only on a change."""
    a = ctx.args
    if "status" not in a:
        return post.status if post else pt.create_status
    status: str = a.get("status")
    if post is not None and post.status == status:
        return status
    if status in ("publish", "future", "private") and not ctx.can(pt.caps.publish_posts):
        message = (
            "Sorry, you are not allowed to create private posts in this post type."
            if status == "private"
            else "Sorry, you are not allowed to publish posts in this post type."
        )
        raise ctx.deny("rest_cannot_publish", message)
    return status


def _apply_dates(ctx: Ctx, post: Post, old_status: str | None, new_status: str) -> None:
    """``date``/``date_gmt`` handling of ``prepare_item_for_database`` and ``wp_update_post``."""
    a = ctx.args
    tz = ctx.settings.tz
    explicit = None
    reset = False
    for name, force_utc in (("date", False), ("date_gmt", True)):
        if name in a:
            value = a.get(name)
            if value is None:
                reset = True
            elif value:
                explicit = parse_datetime(value, tz, force_utc=force_utc)
                break
    if explicit is not None:
        post.date_gmt = explicit
        post.date_floating = False
    elif reset or old_status is None:
        post.date_gmt = ctx.now
        post.date_floating = new_status in UNPUBLISHED
    elif post.date_floating and old_status in UNPUBLISHED:
        # A draft without a chosen date takes the time of each save.
        post.date_gmt = ctx.now
    if new_status not in UNPUBLISHED:
        post.date_floating = False


def _schedule(post: Post, status: str, ctx: Ctx) -> str:
    ahead = post.date_gmt - ctx.now
    if status == "publish" and ahead >= timedelta(seconds=FUTURE_THRESHOLD_SECONDS):
        return "future"
    if status == "future" and ahead < timedelta(seconds=FUTURE_THRESHOLD_SECONDS):
        return "publish"
    return status


def _apply_slug(ctx: Ctx, pt: PostType, post: Post, old_status: str | None) -> None:
    a = ctx.args
    if old_status == "trash" and post.status != "trash":
        # wp_insert_post gives an untrashed post back the slug it had.
        if post.desired_slug:
            post.slug = post.desired_slug
        post.desired_slug = None
        post.trashed_status = None
    if "slug" in a:
        post.slug = sanitize_title(a.get("slug"))
    if post.status in UNPUBLISHED:
        return
    if not post.slug:
        post.slug = sanitize_title(post.title) or (str(post.id) if post.id else "")
    if post.slug:
        post.slug = unique_slug(ctx, pt.name, post.slug, post.id)


def _set_terms(ctx: Ctx, post: Post, creating: bool) -> None:
    a = ctx.args
    given = {
        tax: a.get(name)
        for name, tax in (("categories", "category"), ("tags", "post_tag"))
        if name in a
    }
    for taxonomy, ids in given.items():
        # Unknown ids are dropped without a word, as wp_set_object_terms does with integers.
        known = ctx.db.scalars(
            select(Term.id).where(Term.taxonomy == taxonomy, Term.id.in_(ids or [0]))
        ).all()
        ctx.db.execute(
            delete(PostTerm).where(
                PostTerm.post_id == post.id,
                PostTerm.term_id.in_(select(Term.id).where(Term.taxonomy == taxonomy)),
            )
        )
        if known:
            ctx.db.execute(insert(PostTerm), [{"post_id": post.id, "term_id": t} for t in known])
    if "category" not in given:
        ensure_category(ctx.db, post.id)


def ensure_category(db: Session, post_id: int) -> None:
    """Give a post without any category Uncategorized, as ``wp_insert_post`` does."""
    has_category = db.scalar(
        select(PostTerm.post_id)
        .join(Term, Term.id == PostTerm.term_id)
        .where(PostTerm.post_id == post_id, Term.taxonomy == "category")
        .limit(1)
    )
    if has_category is None and db.get(Term, UNCATEGORIZED_ID) is not None:
        db.add(PostTerm(post_id=post_id, term_id=UNCATEGORIZED_ID))


def save_post(ctx: Ctx, pt: PostType, post: Post | None) -> Post:
    """Create (``post`` None) or partially update a record of ``pt`` from the request."""
    a = ctx.args
    creating = post is None
    old_status = None if post is None else post.status
    status = _resolve_status(ctx, pt, post)
    if "featured_media" in a and a.get("featured_media"):
        media = ctx.db.get(Post, a.get("featured_media"))
        if media is None or media.type != "attachment":
            raise RestError("rest_invalid_featured_media", "Invalid featured media ID.", 400)
    if "author" in a and a.get("author") != ctx.user_id:
        if ctx.db.get(User, a.get("author")) is None:
            raise RestError("rest_invalid_author", "Invalid author ID.", 400)
    if post is None:
        post = Post(type=pt.name, author_id=ctx.user_id if pt.supports_author else 0, slug="")
        ctx.db.add(post)
    for name in (
        "title",
        "content",
        "excerpt",
        "password",
        "comment_status",
        "ping_status",
        "format",
        "sticky",
        "featured_media",
    ):
        if name in a:
            setattr(post, name, a.get(name))
    if "author" in a:
        post.author_id = a.get("author")
    _apply_dates(ctx, post, old_status, status)
    post.status = _schedule(post, status, ctx)
    # wp_insert_post: a new record's modified time is its date (now, or the date the request
    # gave, past or future); only updates take the current time. So a back-dated post never shows
    # up in a modified_after window and a scheduled one is "modified" in the future.
    post.modified_gmt = post.date_gmt if creating else ctx.now
    ctx.db.flush()
    _apply_slug(ctx, pt, post, old_status)
    if pt.supports_terms:
        _set_terms(ctx, post, creating)
    if pt.meta and "meta" in a:
        pt.meta.save(ctx, post, a.get("meta"))
    ctx.db.flush()
    return post


def _check_write_permissions(ctx: Ctx, pt: PostType, post: Post | None) -> None:
    a = ctx.args
    if post is not None and not can_edit(ctx, pt, post):
        raise ctx.deny("rest_cannot_edit", "Sorry, you are not allowed to edit this post.")
    if (
        a.get("author")
        and a.get("author") != ctx.user_id
        and not ctx.can(pt.caps.edit_others_posts)
    ):
        verb = "create" if post is None else "update"
        code = "rest_cannot_edit_others"
        raise ctx.deny(code, f"Sorry, you are not allowed to {verb} posts as this user.")
    if post is None and not ctx.can(pt.caps.create_posts):
        raise ctx.deny(
            "rest_cannot_create", "Sorry, you are not allowed to create posts as this user."
        )
    if (a.get("categories") or a.get("tags")) and not ctx.can("edit_posts"):
        raise ctx.deny(
            "rest_cannot_assign_term", "Sorry, you are not allowed to assign the provided terms."
        )


def create_item(ctx: Ctx, pt: PostType) -> Reply:
    """``POST wp/v2/{rest_base}``: 201 with the new record in edit context."""
    if ctx.params.get("id"):
        raise RestError("rest_post_exists", "Cannot create existing post.", 400)
    _check_write_permissions(ctx, pt, None)
    post = save_post(ctx, pt, None)
    headers = {"Location": f"{ctx.rest_root}{pt.route}/{post.id}"}
    return Reply(pt.serialize(ctx, pt, [post], "edit")[0], status=201, headers=headers)


def update_item(ctx: Ctx, pt: PostType, id: int) -> Reply:
    """``POST``/``PUT``/``PATCH wp/v2/{rest_base}/{id}``: a partial update, 200 with the record."""
    post = get_or_404(ctx, pt, id)
    _check_write_permissions(ctx, pt, post)
    save_post(ctx, pt, post)
    return Reply(pt.serialize(ctx, pt, [post], "edit")[0])


def get_item(ctx: Ctx, pt: PostType, id: int) -> Reply:
    """``GET wp/v2/{rest_base}/{id}``."""
    post = get_or_404(ctx, pt, id)
    context = ctx.args.get("context")
    if context == "edit" and not can_edit(ctx, pt, post):
        raise ctx.deny("rest_forbidden_context", "Sorry, you are not allowed to edit this post.")
    if not can_read(ctx, pt, post):
        raise ctx.deny("rest_forbidden", "Sorry, you are not allowed to do that.")
    return Reply(pt.serialize(ctx, pt, [post], context)[0])


def trash(ctx: Ctx, post: Post) -> None:
    """``wp_trash_post``: remember status and slug, suffix the slug, bump ``modified_gmt``."""
    post.trashed_status = post.status
    if not post.slug.endswith(_TRASHED_SUFFIX):
        post.desired_slug = post.slug
        post.slug = post.slug[:191] + _TRASHED_SUFFIX
    post.status = "trash"
    if post.date_floating:
        post.date_gmt = ctx.now
    post.modified_gmt = ctx.now


def delete_item(ctx: Ctx, pt: PostType, id: int) -> Reply:
    """``DELETE wp/v2/{rest_base}/{id}``: to the trash, or for good with ``force=true``."""
    post = get_or_404(ctx, pt, id)
    if not can_delete(ctx, pt, post):
        raise ctx.deny("rest_cannot_delete", "Sorry, you are not allowed to delete this post.")
    if not ctx.args.get("force"):
        if not pt.supports_trash:
            raise RestError(
                "rest_trash_not_supported",
                "The post does not support trashing. Set 'force=true' to delete.",
                501,
            )
        if post.status == "trash":
            raise RestError("rest_already_trashed", "The post has already been deleted.", 410)
        trash(ctx, post)
        ctx.db.flush()
        return Reply(pt.serialize(ctx, pt, [post], "edit")[0])
    previous = pt.serialize(ctx, pt, [post], "edit")[0]
    if pt.on_delete is not None:
        pt.on_delete(ctx, post)
    ctx.db.delete(post)
    ctx.db.flush()
    return Reply({"deleted": True, "previous": previous})


def publish_due(db: Session, now: datetime) -> int:
    """Publish ``future`` posts whose time has come, as WordPress's cron does.

    Only the status changes: ``modified_gmt`` stays as it was (``wp_publish_post`` updates the
    row directly), which is why the app re-reads its own scheduled posts.

    Returns:
        How many posts were published.
    """
    due = db.scalars(select(Post.id).where(Post.status == "future", Post.date_gmt <= now)).all()
    if not due:
        return 0
    db.execute(update(Post).where(Post.id.in_(due)).values(status="publish"))
    for post_id in due:
        ensure_category(db, post_id)
    logger.info("Published %d scheduled post(s)", len(due))
    return len(due)


def register_post_type(router: Router, pt: PostType, *, gate: Any = None) -> None:
    """Register the collection and single-record routes of ``pt``."""
    base = f"/{pt.route}"

    def args_for(ctx: Ctx) -> dict[str, Arg]:
        return write_args(pt, ctx)

    router.add(
        base,
        "wp/v2",
        {
            "GET": Endpoint(partial(list_posts, pt=pt), partial(collection_args, pt)),
            "POST": Endpoint(partial(create_item, pt=pt), args_for),
        },
        gate=gate,
    )
    router.add(
        f"{base}/<int:id>",
        "wp/v2",
        {
            "GET": Endpoint(
                partial(get_item, pt=pt), {"context": CONTEXT, "password": Arg("string")}
            ),
            EDITABLE: Endpoint(partial(update_item, pt=pt), args_for),
            "DELETE": Endpoint(partial(delete_item, pt=pt), {"force": FORCE}),
        },
        gate=gate,
    )


POST_TYPE = PostType(
    name="post",
    rest_base="posts",
    caps=PostCaps(),
    serialize=serialize_posts,
    meta=ClientIdMeta(),
    supports_terms=True,
)


def register(router: Router) -> None:
    """Register ``wp/v2/posts``."""
    register_post_type(router, POST_TYPE)
