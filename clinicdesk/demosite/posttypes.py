"""What posts, inquiries and attachments have in common: capabilities, links, slugs, base fields.

A :class:`PostType` plays the part of ``register_post_type``'s arguments: which capabilities it
maps to, which fields it supports, which statuses its collection lists by default and how its
records are serialised. The capability checks are WordPress's ``map_meta_cap`` rules for
``read_post``, ``edit_post`` and ``delete_post``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import or_, select

from clinicdesk.demosite.db import Post
from clinicdesk.demosite.routing import Ctx
from clinicdesk.demosite.schema import Arg
from clinicdesk.demosite.text import texturize
from clinicdesk.demosite.wpjson import RestError, fmt, to_local

#: Statuses a post may be written with (``get_post_stati(['internal' => false])``).
WRITABLE_STATUSES = ("publish", "future", "draft", "pending", "private")
#: What ``status=any`` means: every status but the trash.
ANY_STATUSES = WRITABLE_STATUSES
#: Statuses whose date floats until one is set, and whose slug stays empty until published.
UNPUBLISHED = ("draft", "pending")
#: WordPress publishes a ``publish`` request dated this far ahead as ``future`` (one minute).
FUTURE_THRESHOLD_SECONDS = 60


@dataclass(frozen=True)
class PostCaps:
    """The primitive capabilities a post type's meta capabilities map to (``$post_type->cap``)."""

    read: str = "read"
    create_posts: str = "edit_posts"
    edit_posts: str = "edit_posts"
    edit_others_posts: str = "edit_others_posts"
    edit_published_posts: str = "edit_published_posts"
    edit_private_posts: str = "edit_private_posts"
    publish_posts: str = "publish_posts"
    read_private_posts: str = "read_private_posts"
    delete_posts: str = "delete_posts"
    delete_others_posts: str = "delete_others_posts"
    delete_published_posts: str = "delete_published_posts"
    delete_private_posts: str = "delete_private_posts"


class MetaStore(Protocol):
    """How a post type keeps its registered meta (``register_post_meta`` with ``show_in_rest``)."""

    schema: Mapping[str, Arg]

    def load(self, ctx: Ctx, posts: Sequence[Post]) -> dict[int, dict[str, Any]]:
        """The ``meta`` object of each post, by id (one query for the whole page)."""

    def save(self, ctx: Ctx, post: Post, values: Mapping[str, Any]) -> None:
        """Store the (already type-checked) values sent; may raise ``rest_invalid_param``."""


Serializer = Callable[[Ctx, "PostType", Sequence[Post], str], list[dict[str, Any]]]


@dataclass(frozen=True)
class PostType:
    """A post type served under ``wp/v2/{rest_base}``.

    Attributes:
        name: the stored type (``post``, ``clinicdesk_inquiry``, ``attachment``).
        rest_base: the route segment.
        caps: the capability map.
        serialize: builds the JSON of a page of records in a context (``view``/``edit``).
        meta: the registered meta, if any.
        default_statuses: what the collection lists when no ``status`` is given.
        create_status: the status of a record created without one.
        statuses: the statuses the collection's ``status`` filter accepts.
        write_statuses: the statuses a create or update may ask for.
        supports_author: has an ``author`` field and filter.
        supports_terms: has ``categories`` and ``tags``.
        supports_trash: ``DELETE`` without ``force`` moves it to the trash.
        viewable: public: has permalinks and ``generated_slug``.
        on_delete: called before a permanent delete (media removes its file).
        fixed_fields: record fields no REST write may set (``400 rest_invalid_param``).
        noun: what a record is called in messages ("post", "inquiry").
    """

    name: str
    rest_base: str
    caps: PostCaps
    serialize: Serializer
    meta: MetaStore | None = None
    default_statuses: tuple[str, ...] = ("publish",)
    create_status: str = "draft"
    statuses: tuple[str, ...] = (*WRITABLE_STATUSES, "trash")
    write_statuses: tuple[str, ...] = WRITABLE_STATUSES
    supports_author: bool = True
    supports_terms: bool = False
    supports_trash: bool = True
    viewable: bool = True
    on_delete: Callable[[Ctx, Post], None] | None = field(default=None)
    fixed_fields: tuple[str, ...] = ()
    noun: str = "post"

    @property
    def route(self) -> str:
        """The collection route, e.g. ``wp/v2/posts``."""
        return f"wp/v2/{self.rest_base}"


def get_or_404(ctx: Ctx, pt: PostType, post_id: int) -> Post:
    """The record ``post_id`` of this type, else 404 ``rest_post_invalid_id``."""
    post = ctx.db.get(Post, post_id)
    if post is None or post.type != pt.name:
        raise RestError("rest_post_invalid_id", "Invalid post ID.", 404)
    return post


def _status_for_caps(post: Post) -> str:
    # A trashed post is judged by the status it had before (``_wp_trash_meta_status``).
    return (post.trashed_status or "draft") if post.status == "trash" else post.status


def _is_own(ctx: Ctx, post: Post) -> bool:
    return bool(post.author_id) and post.author_id == ctx.user_id


def can_edit(ctx: Ctx, pt: PostType, post: Post) -> bool:
    """``current_user_can('edit_post', $id)``."""
    c = pt.caps
    status = _status_for_caps(post)
    if _is_own(ctx, post):
        need = [c.edit_published_posts if status in ("publish", "future") else c.edit_posts]
    else:
        need = [c.edit_others_posts]
        if post.status in ("publish", "future"):
            need.append(c.edit_published_posts)
        elif post.status == "private":
            need.append(c.edit_private_posts)
    return all(ctx.can(cap) for cap in need)


def can_delete(ctx: Ctx, pt: PostType, post: Post) -> bool:
    """``current_user_can('delete_post', $id)``."""
    c = pt.caps
    status = _status_for_caps(post)
    if _is_own(ctx, post):
        need = [c.delete_published_posts if status == "publish" else c.delete_posts]
    else:
        need = [c.delete_others_posts]
        if post.status in ("publish", "future"):
            need.append(c.delete_published_posts)
        elif post.status == "private":
            need.append(c.delete_private_posts)
    return all(ctx.can(cap) for cap in need)


def can_read(ctx: Ctx, pt: PostType, post: Post) -> bool:
    """``check_read_permission``: published (or attached) records, else ``read_post``."""
    if post.status in ("publish", "inherit"):
        return True
    if _is_own(ctx, post):
        return ctx.can(pt.caps.read)
    if post.status == "private":
        return ctx.can(pt.caps.read_private_posts)
    return can_edit(ctx, pt, post)


def permalink(ctx: Ctx, pt: PostType, post: Post) -> str:
    """``get_permalink`` with the ``/%postname%/`` structure."""
    if not pt.viewable:
        return f"{ctx.site_url}/?post_type={pt.name}&p={post.id}"
    if post.status in (*UNPUBLISHED, "future") or not post.slug:
        return f"{ctx.site_url}/?p={post.id}"
    return f"{ctx.site_url}/{post.slug}/"


def unique_slug(ctx: Ctx, type_name: str, slug: str, exclude_id: int | None) -> str:
    """``wp_unique_post_slug``: ``slug``, else ``slug-2``, ``slug-3``... within the post type."""
    escaped = slug.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    taken = set(
        ctx.db.scalars(
            select(Post.slug).where(
                Post.type == type_name,
                Post.id != (exclude_id or 0),
                or_(Post.slug == slug, Post.slug.like(f"{escaped}-%", escape="\\")),
            )
        )
    )
    # With /%postname%/ a number could be read as a year archive (wp_unique_post_slug).
    clashes_with_dates = type_name == "post" and slug.isdigit() and int(slug) > 0
    if slug not in taken and not clashes_with_dates:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def rendered_title(post: Post) -> str:
    """``title.rendered``: texturized, prefixed as ``get_the_title`` does for private posts."""
    title = texturize(post.title)
    return f"Private: {title}" if post.status == "private" else title


def base_fields(ctx: Ctx, pt: PostType, post: Post, context: str) -> dict[str, Any]:
    """The fields every post type has, in WordPress's key order (up to ``title``)."""
    tz = ctx.settings.tz
    edit = context == "edit"
    guid = {"rendered": f"{ctx.site_url}/?p={post.id}"}
    data: dict[str, Any] = {
        "id": post.id,
        "date": fmt(to_local(post.date_gmt, tz)),
        "date_gmt": fmt(post.date_gmt),
        "guid": {**guid, "raw": guid["rendered"]} if edit else guid,
        "modified": fmt(to_local(post.modified_gmt, tz)),
        "modified_gmt": fmt(post.modified_gmt),
    }
    if edit and pt.name != "attachment":
        data["password"] = post.password
    data.update(
        slug=post.slug,
        status=post.status,
        type=pt.name,
        link=permalink(ctx, pt, post),
        title={"raw": post.title, "rendered": rendered_title(post)}
        if edit
        else {"rendered": rendered_title(post)},
    )
    return data


def base_links(ctx: Ctx, pt: PostType, post: Post) -> dict[str, Any]:
    """The ``_links`` every post type has."""
    root = ctx.rest_root
    links: dict[str, Any] = {
        "self": [{"href": f"{root}{pt.route}/{post.id}"}],
        "collection": [{"href": f"{root}{pt.route}"}],
        "about": [{"href": f"{root}wp/v2/types/{pt.name}"}],
    }
    if pt.supports_author and post.author_id:
        links["author"] = [{"embeddable": True, "href": f"{root}wp/v2/users/{post.author_id}"}]
    return links


CURIES = [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}]
