"""``wp/v2/categories`` and ``wp/v2/tags`` (``WP_REST_Terms_Controller``).

Creating a name that exists answers 400 ``term_exists`` with ``data.term_id``, which the app uses
as get-or-create. Terms cannot be trashed. Category 1 (Uncategorized) cannot be deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, func, insert, or_, select

from clinicdesk.demosite.db import Post, PostTerm, Term
from clinicdesk.demosite.routes_posts import UNCATEGORIZED_ID
from clinicdesk.demosite.routing import EDITABLE, Ctx, Endpoint, Router
from clinicdesk.demosite.schema import CONTEXT, FORCE, ID_LIST, PAGE, PER_PAGE, Arg
from clinicdesk.demosite.text import sanitize_title
from clinicdesk.demosite.wpjson import Reply, RestError, pagination_headers


@dataclass(frozen=True)
class Taxonomy:
    """A taxonomy served under ``wp/v2/{rest_base}``."""

    name: str
    rest_base: str
    hierarchical: bool
    link_base: str
    #: ``assign_terms`` for tags (contributors may add tags), ``manage_categories`` otherwise.
    create_cap: str

    @property
    def route(self) -> str:
        """The collection route, e.g. ``wp/v2/categories``."""
        return f"wp/v2/{self.rest_base}"


CATEGORIES = Taxonomy("category", "categories", True, "category", "manage_categories")
TAGS = Taxonomy("post_tag", "tags", False, "tag", "edit_posts")


def _counts(ctx: Ctx, term_ids: Sequence[int]) -> dict[int, int]:
    # ``count`` is the number of published posts, as _update_post_term_count keeps it.
    rows = ctx.db.execute(
        select(PostTerm.term_id, func.count())
        .join(Post, Post.id == PostTerm.post_id)
        .where(PostTerm.term_id.in_(term_ids), Post.status == "publish", Post.type == "post")
        .group_by(PostTerm.term_id)
    )
    # Rows unpack as tuples (``Result.tuples()`` is deprecated from SQLAlchemy 2.1).
    return {term_id: count for term_id, count in rows}


def serialize_terms(ctx: Ctx, tax: Taxonomy, terms: Sequence[Term]) -> list[dict[str, Any]]:
    """Terms as WordPress shows them (the same fields in view and edit context)."""
    counts = _counts(ctx, [t.id for t in terms])
    root = ctx.rest_root
    out = []
    for term in terms:
        data: dict[str, Any] = {
            "id": term.id,
            "count": counts.get(term.id, 0),
            "description": term.description,
            "link": f"{ctx.site_url}/{tax.link_base}/{term.slug}/",
            "name": term.name,
            "slug": term.slug,
            "taxonomy": tax.name,
        }
        if tax.hierarchical:
            data["parent"] = term.parent
        data["meta"] = []
        data["_links"] = {
            "self": [{"href": f"{root}{tax.route}/{term.id}"}],
            "collection": [{"href": f"{root}{tax.route}"}],
            "about": [{"href": f"{root}wp/v2/taxonomies/{tax.name}"}],
            "wp:post_type": [{"href": f"{root}wp/v2/posts?{tax.rest_base}={term.id}"}],
            "curies": [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}],
        }
        out.append(data)
    return out


def _get_or_404(ctx: Ctx, tax: Taxonomy, term_id: int) -> Term:
    term = ctx.db.get(Term, term_id)
    if term is None or term.taxonomy != tax.name:
        raise RestError("rest_term_invalid", "Term does not exist.", 404)
    return term


def list_terms(ctx: Ctx, tax: Taxonomy) -> Reply:
    """``GET wp/v2/{categories,tags}``: one page with the pagination headers.

    Unlike posts, a page past the end is an empty list, not an error (as in WordPress).
    """
    a = ctx.args
    conds: list[ColumnElement[bool]] = [Term.taxonomy == tax.name]
    if a.get("search"):
        pattern = f"%{a.get('search')}%"
        conds.append(or_(Term.name.like(pattern), Term.slug.like(pattern)))
    if a.get("include"):
        conds.append(Term.id.in_(a.get("include")))
    if a.get("exclude"):
        conds.append(Term.id.not_in(a.get("exclude")))
    if a.get("slug"):
        conds.append(Term.slug.in_(a.get("slug")))
    if tax.hierarchical and "parent" in a:
        conds.append(Term.parent == a.get("parent"))
    if "post" in a:
        conds.append(Term.id.in_(select(PostTerm.term_id).where(PostTerm.post_id == a.get("post"))))
    if a.get("hide_empty"):
        published = and_(
            PostTerm.term_id == Term.id, Post.id == PostTerm.post_id, Post.status == "publish"
        )
        conds.append(exists().where(published))
    total = ctx.db.scalar(select(func.count()).select_from(Term).where(*conds)) or 0
    per_page, page = a.get("per_page"), a.get("page")
    orderby = a.get("orderby")
    if orderby == "include" and a.get("include"):
        order: list[Any] = [case({tid: i for i, tid in enumerate(a.get("include"))}, value=Term.id)]
    else:
        column: Any = {"id": Term.id, "slug": Term.slug, "description": Term.description}.get(
            orderby, Term.name.collate("NOCASE")
        )
        order = [column.desc() if a.get("order") == "desc" else column.asc(), Term.id]
    terms = ctx.db.scalars(
        select(Term).where(*conds).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    headers = pagination_headers(
        rest_root=ctx.rest_root,
        route=tax.route,
        query=ctx.query_pairs,
        total=total,
        per_page=per_page,
        page=page,
    )
    return Reply(serialize_terms(ctx, tax, terms), headers=headers)


def get_term(ctx: Ctx, tax: Taxonomy, id: int) -> Reply:
    """``GET wp/v2/{categories,tags}/{id}``."""
    return Reply(serialize_terms(ctx, tax, [_get_or_404(ctx, tax, id)])[0])


def _slug_taken(ctx: Ctx, slug: str, taxonomy: str | None = None, exclude_id: int = 0) -> bool:
    # WordPress's terms table is shared by every taxonomy: without ``taxonomy``, any term counts.
    cond = and_(Term.slug == slug, Term.id != exclude_id)
    if taxonomy is not None:
        cond = and_(cond, Term.taxonomy == taxonomy)
    return ctx.db.scalar(select(Term.id).where(cond).limit(1)) is not None


def _unique_term_slug(
    ctx: Ctx, tax: Taxonomy, slug: str, parent: int = 0, exclude_id: int = 0
) -> str:
    """``wp_unique_term_slug``: the slug if this taxonomy does not use it; else, for a category
    with a parent, the parent slugs appended (``anxiety-adults``) as far as needed; else (or
    still taken) ``-2``, ``-3``..."""
    if not _slug_taken(ctx, slug, tax.name, exclude_id):
        return slug
    parent_suffix = ""
    the_parent = parent if tax.hierarchical else 0
    while the_parent:
        parent_term = ctx.db.get(Term, the_parent)
        if parent_term is None or parent_term.taxonomy != tax.name:
            break
        parent_suffix += f"-{parent_term.slug}"
        if not _slug_taken(ctx, slug + parent_suffix):
            break
        the_parent = parent_term.parent
    slug += parent_suffix
    if not _slug_taken(ctx, slug, exclude_id=exclude_id):
        return slug
    n = 2
    while _slug_taken(ctx, f"{slug}-{n}", exclude_id=exclude_id):
        n += 1
    return f"{slug}-{n}"


def _existing_name(ctx: Ctx, tax: Taxonomy, name: str, parent: int) -> Term | None:
    # wp_insert_term: a category clashes with a sibling of the same name, a tag with any tag of
    # the same name; names compare without regard to case (MySQL's collation).
    cond = func.lower(Term.name) == name.lower()
    if tax.hierarchical:
        cond = and_(cond, Term.parent == parent)
    return ctx.db.scalar(select(Term).where(Term.taxonomy == tax.name, cond).limit(1))


def _check_parent(ctx: Ctx, tax: Taxonomy) -> int:
    # WP_REST_Terms_Controller reads ``parent`` from the request even where the schema has no
    # such field (tags), so a tag sent with a parent is refused rather than the parent ignored.
    if not tax.hierarchical and ctx.params.get("parent") is not None:
        raise RestError(
            "rest_taxonomy_not_hierarchical",
            "Cannot set parent term, taxonomy is not hierarchical.",
            400,
        )
    if "parent" not in ctx.args:
        return 0
    parent: int = ctx.args.get("parent")
    parent_term = ctx.db.get(Term, parent) if parent else None
    if parent and (parent_term is None or parent_term.taxonomy != tax.name):
        raise RestError("rest_term_invalid", "Parent term does not exist.", 400)
    return parent


def create_term(ctx: Ctx, tax: Taxonomy) -> Reply:
    """``POST wp/v2/{categories,tags}``: 201 with the term, or 400 ``term_exists``."""
    if not ctx.can(tax.create_cap):
        raise ctx.deny(
            "rest_cannot_create", "Sorry, you are not allowed to create terms in this taxonomy."
        )
    a = ctx.args
    parent = _check_parent(ctx, tax)
    name = a.get("name").strip()
    if not name:
        # wp_insert_term's error carries no status, so the REST API answers 500 with it.
        raise RestError("empty_term_name", "A name is required for this term.", 500)
    existing = _existing_name(ctx, tax, name, parent)
    if existing is not None:
        message = (
            "A term with the name provided already exists with this parent."
            if tax.hierarchical
            else "A term with the name provided already exists in this taxonomy."
        )
        raise RestError("term_exists", message, 400, term_id=existing.id)
    slug = sanitize_title(a.get("slug") or name) or sanitize_title(name) or "term"
    term = Term(
        taxonomy=tax.name,
        name=name,
        slug=_unique_term_slug(ctx, tax, slug, parent),
        description=a.get("description", ""),
        parent=parent,
    )
    ctx.db.add(term)
    ctx.db.flush()
    headers = {"Location": f"{ctx.rest_root}{tax.route}/{term.id}"}
    return Reply(serialize_terms(ctx, tax, [term])[0], status=201, headers=headers)


def update_term(ctx: Ctx, tax: Taxonomy, id: int) -> Reply:
    """``POST wp/v2/{categories,tags}/{id}``: a partial update."""
    term = _get_or_404(ctx, tax, id)
    if not ctx.can("manage_categories"):
        raise ctx.deny("rest_cannot_update", "Sorry, you are not allowed to edit this term.")
    a = ctx.args
    if ctx.params.get("parent") is not None:
        term.parent = _check_parent(ctx, tax)
    if "name" in a and a.get("name").strip():
        term.name = a.get("name").strip()
    if "description" in a:
        term.description = a.get("description")
    if "slug" in a:
        slug = sanitize_title(a.get("slug"))
        clash = ctx.db.scalar(
            select(Term.id).where(Term.taxonomy == tax.name, Term.slug == slug, Term.id != term.id)
        )
        if clash is not None:
            raise RestError(
                "duplicate_term_slug",
                f"The slug \u201c{slug}\u201d is already in use by another term.",
                500,
            )
        term.slug = slug
    ctx.db.flush()
    return Reply(serialize_terms(ctx, tax, [term])[0])


def delete_term(ctx: Ctx, tax: Taxonomy, id: int) -> Reply:
    """``DELETE wp/v2/{categories,tags}/{id}?force=true`` (terms have no trash: 501 without)."""
    term = _get_or_404(ctx, tax, id)
    if not ctx.can("manage_categories") or term.id == UNCATEGORIZED_ID:
        raise ctx.deny("rest_cannot_delete", "Sorry, you are not allowed to delete this term.")
    if not ctx.args.get("force"):
        raise RestError(
            "rest_trash_not_supported",
            "Terms do not support trashing. Set 'force=true' to delete.",
            501,
        )
    previous = serialize_terms(ctx, tax, [term])[0]
    orphans_before = select(PostTerm.post_id).where(PostTerm.term_id == term.id)
    affected = list(ctx.db.scalars(orphans_before))
    ctx.db.execute(delete(PostTerm).where(PostTerm.term_id == term.id))
    ctx.db.delete(term)
    ctx.db.flush()
    if tax.hierarchical and affected:
        # wp_delete_term gives posts left without a category the default one.
        with_category = (
            select(PostTerm.post_id)
            .join(Term, Term.id == PostTerm.term_id)
            .where(Term.taxonomy == "category", PostTerm.post_id.in_(affected))
        )
        orphans = set(affected) - set(ctx.db.scalars(with_category))
        if orphans:
            ctx.db.execute(
                insert(PostTerm), [{"post_id": p, "term_id": UNCATEGORIZED_ID} for p in orphans]
            )
    return Reply({"deleted": True, "previous": previous})


def _list_args(tax: Taxonomy) -> dict[str, Arg]:
    args = {
        "context": CONTEXT,
        "page": PAGE,
        "per_page": PER_PAGE,
        "search": Arg("string"),
        "exclude": ID_LIST,
        "include": ID_LIST,
        "order": Arg("string", enum=("asc", "desc"), default="asc"),
        "orderby": Arg(
            "string",
            enum=(
                "id",
                "include",
                "name",
                "slug",
                "include_slugs",
                "term_group",
                "description",
                "count",
            ),
            default="name",
        ),
        "hide_empty": Arg("boolean", default=False),
        "post": Arg("integer"),
        "slug": Arg("array", items=Arg("string")),
    }
    if tax.hierarchical:
        args["parent"] = Arg("integer")
    return args


def _write_args(tax: Taxonomy, *, creating: bool) -> dict[str, Arg]:
    args = {
        "name": Arg("string", required=creating),
        "description": Arg("string"),
        "slug": Arg("string"),
        "meta": Arg("object"),
    }
    if tax.hierarchical:
        args["parent"] = Arg("integer")
    return args


def register(router: Router) -> None:
    """Register ``wp/v2/categories`` and ``wp/v2/tags``."""
    for tax in (CATEGORIES, TAGS):
        router.add(
            f"/{tax.route}",
            "wp/v2",
            {
                "GET": Endpoint(partial(list_terms, tax=tax), _list_args(tax)),
                "POST": Endpoint(partial(create_term, tax=tax), _write_args(tax, creating=True)),
            },
        )
        router.add(
            f"/{tax.route}/<int:id>",
            "wp/v2",
            {
                "GET": Endpoint(partial(get_term, tax=tax), {"context": CONTEXT}),
                EDITABLE: Endpoint(partial(update_term, tax=tax), _write_args(tax, creating=False)),
                "DELETE": Endpoint(partial(delete_term, tax=tax), {"force": FORCE}),
            },
        )
