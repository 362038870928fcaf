"""Listing any post type: ``GET wp/v2/posts``, ``wp/v2/inquiries`` and ``wp/v2/media``.

One implementation of ``WP_REST_Posts_Controller::get_items`` shared by every post type, so the
filters, ordering, ``modified_after`` semantics and pagination are the same everywhere, as they
are in WordPress. Each page costs a count, a page query and the type's batch queries (terms,
meta): never one query per record.
"""

from __future__ import annotations

import math
import re
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.sql.elements import UnaryExpression

from clinicdesk.demosite.db import Post, PostTerm
from clinicdesk.demosite.posttypes import PostType, can_edit, can_read
from clinicdesk.demosite.routing import Ctx
from clinicdesk.demosite.schema import (
    CONTEXT,
    ID_LIST,
    PAGE,
    PER_PAGE,
    Arg,
    ArgError,
    validate_value,
)
from clinicdesk.demosite.wpjson import Reply, RestError, pagination_headers, parse_datetime

_ORDERBY = (
    "author",
    "date",
    "id",
    "include",
    "modified",
    "parent",
    "relevance",
    "slug",
    "include_slugs",
    "title",
)
#: WordPress's English search stopwords (``wp_get_search_stopwords``).
_STOPWORDS = frozenset(
    "about an are as at be by com for from how in is it of on or that the this to was what when "
    "where who will with www".split()
)


def _check_statuses(ctx: Ctx, pt: PostType, statuses: list[str]) -> list[str]:
    """``sanitize_post_statuses``: the default status is free; any other needs the type's edit
    capability (``private`` also ``read_private_posts``), and only then is it checked against
    the known statuses, so an anonymous caller hears "forbidden" before "unknown"."""
    # The attachments controller narrows the enum to its own statuses: no ``any`` for media.
    extra = () if pt.name == "attachment" else ("any",)
    known = Arg("array", items=Arg("string", enum=(*pt.statuses, *extra)))
    for status in statuses:
        if status == pt.default_statuses[0]:
            continue
        allowed = ctx.can(pt.caps.edit_posts) or (
            status == "private" and ctx.can(pt.caps.read_private_posts)
        )
        if not allowed:
            raise ArgError(
                "rest_forbidden_status", "Status is forbidden.", {"status": ctx.denied_status}
            )
        validate_value(status, known, "status")
    return statuses


def collection_args(pt: PostType, ctx: Ctx) -> dict[str, Arg]:
    """The collection parameters of ``pt`` (``get_collection_params``)."""
    date = Arg("string", format="date-time")
    args: dict[str, Arg] = {
        "context": CONTEXT,
        "page": PAGE,
        "per_page": PER_PAGE,
        "search": Arg("string"),
        "after": date,
        "before": date,
        "modified_after": date,
        "modified_before": date,
        "exclude": ID_LIST,
        "include": ID_LIST,
        "offset": Arg("integer"),
        "order": Arg("string", enum=("asc", "desc"), default="desc"),
        "orderby": Arg("string", enum=_ORDERBY, default="date"),
        "slug": Arg("array", items=Arg("string")),
        "status": Arg(
            "array",
            items=Arg("string"),
            default=list(pt.default_statuses),
            check=partial(_check_statuses, ctx, pt),
        ),
        "clinicdesk_client_id": Arg("string"),
    }
    if pt.supports_author:
        args["author"] = ID_LIST
        args["author_exclude"] = ID_LIST
    if pt.supports_terms:
        for name in ("categories", "categories_exclude", "tags", "tags_exclude"):
            args[name] = ID_LIST
    return args


def search_terms(text: str) -> list[str]:
    """``WP_Query::parse_search``: quoted phrases and words, minus stopwords and single letters."""
    found = re.findall(r'".*?(?:"|$)|(?:(?<=[\t ",+])|^)[^\t ",+]+', text)
    terms = []
    for raw in found:
        term = raw.strip('"').strip()
        if not term or (len(term) == 1 and re.match(r"^[a-z\-]$", term, re.I)):
            continue
        if term.lower() in _STOPWORDS:
            continue
        terms.append(term)
    if not terms or len(terms) > 9:
        return [text]
    return terms


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_condition(text: str) -> ColumnElement[bool]:
    parts = []
    for term in search_terms(text):
        exclude = term.startswith("-") and len(term) > 1
        pattern = _like(term[1:] if exclude else term)
        match = or_(
            Post.title.like(pattern, escape="\\"),
            Post.excerpt.like(pattern, escape="\\"),
            Post.content.like(pattern, escape="\\"),
        )
        parts.append(~match if exclude else match)
    return and_(*parts)


def _terms_filter(ids: list[int]) -> ColumnElement[bool]:
    return Post.id.in_(select(PostTerm.post_id).where(PostTerm.term_id.in_(ids)))


def _conditions(ctx: Ctx, pt: PostType) -> list[ColumnElement[bool]]:
    a = ctx.args
    statuses: list[str] = a.get("status")
    if "clinicdesk_client_id" in a and "status" not in a:
        # The plugin's lookup looks at every status but the trash unless told otherwise (and the
        # user may see unpublished records; others get the collection's default status).
        statuses = ["any"] if ctx.can(pt.caps.edit_posts) else list(pt.default_statuses)
    if "any" in statuses:
        # Every status but the trash, plus any status also named explicitly (``any,trash``).
        statuses = [s for s in pt.statuses if s != "trash" or s in statuses]
    conds: list[ColumnElement[bool]] = [Post.type == pt.name, Post.status.in_(statuses)]
    tz = ctx.settings.tz
    for name, column, later in (
        ("after", Post.date_gmt, True),
        ("before", Post.date_gmt, False),
        ("modified_after", Post.modified_gmt, True),
        ("modified_before", Post.modified_gmt, False),
    ):
        if name in a:
            # Strictly after / before, to the second, like WP_Date_Query's '>' and '<'.
            when = parse_datetime(a.get(name), tz)
            conds.append(column > when if later else column < when)
    if a.get("search"):
        conds.append(_search_condition(a.get("search")))
    if a.get("include"):
        conds.append(Post.id.in_(a.get("include")))
    if a.get("exclude"):
        conds.append(Post.id.not_in(a.get("exclude")))
    if a.get("slug"):
        conds.append(Post.slug.in_(a.get("slug")))
    if "clinicdesk_client_id" in a:
        conds.append(Post.client_id == a.get("clinicdesk_client_id"))
    if a.get("author"):
        conds.append(Post.author_id.in_(a.get("author")))
    if a.get("author_exclude"):
        conds.append(Post.author_id.not_in(a.get("author_exclude")))
    for name in ("categories", "tags"):
        if a.get(name):
            conds.append(_terms_filter(a.get(name)))
        if a.get(f"{name}_exclude"):
            conds.append(~_terms_filter(a.get(f"{name}_exclude")))
    return conds


def _order(ctx: Ctx) -> list[UnaryExpression[Any] | Any]:
    a = ctx.args
    desc = a.get("order") == "desc"
    orderby = a.get("orderby")
    if orderby == "include" and a.get("include"):
        position = case({pid: i for i, pid in enumerate(a.get("include"))}, value=Post.id)
        return [position]
    column: Any = {
        "author": Post.author_id,
        "id": Post.id,
        "modified": Post.modified_gmt,
        "parent": Post.parent_id,
        "slug": Post.slug,
        "include_slugs": Post.slug,
        "title": Post.title.collate("NOCASE"),
    }.get(orderby, Post.date_gmt)
    # Stock WordPress sorts on the one column (ties in whatever order MySQL picks per page); the
    # plugin adds the id in the same direction (clinicdesk_stable_order), and so does this.
    if desc:
        return [column.desc(), Post.id.desc()]
    return [column.asc(), Post.id.asc()]


def list_posts(ctx: Ctx, pt: PostType) -> Reply:
    """``GET wp/v2/{rest_base}``: one page, with ``X-WP-Total``/``X-WP-TotalPages``/``Link``."""
    a = ctx.args
    context = a.get("context")
    if context == "edit" and not ctx.can(pt.caps.edit_posts):
        raise ctx.deny(
            "rest_forbidden_context", "Sorry, you are not allowed to edit posts in this post type."
        )
    if a.get("orderby") == "relevance" and not a.get("search"):
        raise RestError(
            "rest_no_search_term_defined",
            "You need to define a search term to order by relevance.",
            400,
        )
    conds = _conditions(ctx, pt)
    total = ctx.db.scalar(select(func.count()).select_from(Post).where(*conds)) or 0
    per_page: int = a.get("per_page")
    page: int = a.get("page")
    max_pages = math.ceil(total / per_page)
    if page > max_pages and total > 0:
        raise RestError(
            "rest_post_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
            400,
        )
    offset = a.get("offset") if "offset" in a else (page - 1) * per_page
    rows = ctx.db.scalars(
        select(Post).where(*conds).order_by(*_order(ctx)).limit(per_page).offset(offset)
    ).all()
    # As in WordPress (6.1's ``get_items``), records the user may not see are dropped from the
    # page after the query, so X-WP-Total counts what matched, not what this user was shown. In
    # edit context "may see" is "may edit" (``check_update_permission``): a contributor listing
    # posts in edit context gets only their own unpublished ones, never others' published posts.
    check = can_edit if context == "edit" else can_read
    shown = [p for p in rows if check(ctx, pt, p)]
    headers = pagination_headers(
        rest_root=ctx.rest_root,
        route=pt.route,
        query=ctx.query_pairs,
        total=total,
        per_page=per_page,
        page=page,
    )
    return Reply(pt.serialize(ctx, pt, shown, context), headers=headers)
