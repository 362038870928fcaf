"""``wp/v2/users``, ``wp/v2/users/me`` and ``wp/v2/users/{id}``.

As in WordPress, someone without ``list_users`` only sees users who have published posts (the
list exists to name post authors), and ``users/me`` is how a client checks its credentials.
``POST wp/v2/users/{id}`` changes a user's role (``roles``), as an administrator does in
WordPress; the other fields of a user cannot be edited here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select

from clinicdesk.demosite.auth import ROLE_CAPS, allcaps
from clinicdesk.demosite.db import Post, User
from clinicdesk.demosite.routing import EDITABLE, Ctx, Endpoint, Router
from clinicdesk.demosite.schema import CONTEXT, ID_LIST, PAGE, PER_PAGE, Arg
from clinicdesk.demosite.wpjson import Reply, RestError, fmt, pagination_headers

_CANNOT_LIST = "Sorry, you are not allowed to list users."


def _published_by(user_id: Any) -> ColumnElement[bool]:
    return exists().where(Post.author_id == user_id, Post.type == "post", Post.status == "publish")


def _avatar_urls(email: str) -> dict[str, str]:
    digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
    return {
        str(size): f"https://secure.gravatar.com/avatar/{digest}?s={size}&d=mm&r=g"
        for size in (24, 48, 96)
    }


def serialize_users(ctx: Ctx, users: Sequence[User], context: str) -> list[dict[str, Any]]:
    """Users in ``view`` context, or ``edit`` with login, email, roles and capabilities."""
    out = []
    for user in users:
        first, _, last = user.name.partition(" ")
        data: dict[str, Any] = {"id": user.id}
        if context == "edit":
            data["username"] = user.login
        data["name"] = user.name
        if context == "edit":
            data.update(first_name=first, last_name=last, email=user.email)
        data.update(url="", description="", link=f"{ctx.site_url}/author/{user.slug}/")
        if context == "edit":
            data.update(locale="en_US", nickname=user.login)
        data["slug"] = user.slug
        if context == "edit":
            data.update(
                roles=[user.role],
                registered_date=f"{fmt(user.registered_gmt)}+00:00",
                capabilities=allcaps(user.role),
                extra_capabilities={user.role: True},
            )
        data["avatar_urls"] = _avatar_urls(user.email)
        data["meta"] = []
        data["_links"] = {
            "self": [{"href": f"{ctx.rest_root}wp/v2/users/{user.id}"}],
            "collection": [{"href": f"{ctx.rest_root}wp/v2/users"}],
        }
        out.append(data)
    return out


def me(ctx: Ctx) -> Reply:
    """``GET wp/v2/users/me``: the signed-in user, 401 ``rest_not_logged_in`` otherwise."""
    if ctx.user is None:
        raise RestError("rest_not_logged_in", "You are not currently logged in.", 401)
    return Reply(serialize_users(ctx, [ctx.user], ctx.args.get("context"))[0])


def get_user(ctx: Ctx, id: int) -> Reply:
    """``GET wp/v2/users/{id}``."""
    user = ctx.db.get(User, id)
    if user is None:
        raise RestError("rest_user_invalid_id", "Invalid user ID.", 404)
    context = ctx.args.get("context")
    own = ctx.user_id == user.id
    if context == "edit" and not own and not ctx.can("list_users"):
        raise ctx.deny("rest_user_cannot_view", _CANNOT_LIST)
    if not own and not ctx.can("list_users") and not ctx.db.scalar(select(_published_by(user.id))):
        raise ctx.deny("rest_user_cannot_view", _CANNOT_LIST)
    return Reply(serialize_users(ctx, [user], context)[0])


def update_user(ctx: Ctx, id: int) -> Reply:
    """``POST wp/v2/users/{id}`` with ``roles``: the user's role replaced (``promote_users``).

    WordPress's checks, in its order: the role must exist (400), and nobody who may edit users
    may give themselves a role that cannot. The reference site keeps one role per user.
    """
    user = ctx.db.get(User, id)
    if user is None:
        raise RestError("rest_user_invalid_id", "Invalid user ID.", 404)
    roles: list[str] = ctx.args.get("roles") or []
    if roles and not ctx.can("promote_users"):
        raise ctx.deny(
            "rest_cannot_edit_roles", "Sorry, you are not allowed to edit roles of this user."
        )
    if not roles and ctx.user_id != user.id and not ctx.can("edit_users"):
        raise ctx.deny("rest_cannot_edit", "Sorry, you are not allowed to edit this user.")
    for role in roles:
        if role not in ROLE_CAPS:
            raise RestError("rest_user_invalid_role", f"The role {role} does not exist.", 400)
        if user.id == ctx.user_id and "edit_users" not in ROLE_CAPS[role]:
            raise ctx.deny(
                "rest_user_invalid_role", "Sorry, you are not allowed to give users that role."
            )
    if len(roles) > 1:
        raise RestError(
            "rest_user_invalid_role", "The reference site gives each user one role.", 400
        )
    if roles:
        user.role = roles[0]
        ctx.db.flush()
    return Reply(serialize_users(ctx, [user], "edit")[0])


def list_users(ctx: Ctx) -> Reply:
    """``GET wp/v2/users``: by name, paginated."""
    a = ctx.args
    context = a.get("context")
    if context == "edit" and not ctx.can("list_users"):
        raise ctx.deny("rest_forbidden_context", _CANNOT_LIST)
    conds: list[ColumnElement[bool]] = []
    if not ctx.can("list_users"):
        conds.append(_published_by(User.id))
    if a.get("include"):
        conds.append(User.id.in_(a.get("include")))
    if a.get("exclude"):
        conds.append(User.id.not_in(a.get("exclude")))
    if a.get("search"):
        pattern = f"%{a.get('search')}%"
        conds.append(
            or_(
                User.name.like(pattern),
                User.login.like(pattern),
                User.email.like(pattern),
                User.slug.like(pattern),
            )
        )
    if a.get("slug"):
        conds.append(User.slug.in_(a.get("slug")))
    total = ctx.db.scalar(select(func.count()).select_from(User).where(*conds)) or 0
    per_page, page = a.get("per_page"), a.get("page")
    column: Any = {
        "id": User.id,
        "slug": User.slug,
        "email": User.email,
        "username": User.login,
    }.get(a.get("orderby"), User.name.collate("NOCASE"))
    order = column.desc() if a.get("order") == "desc" else column.asc()
    users = ctx.db.scalars(
        select(User)
        .where(*conds)
        .order_by(order, User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    headers = pagination_headers(
        rest_root=ctx.rest_root,
        route="wp/v2/users",
        query=ctx.query_pairs,
        total=total,
        per_page=per_page,
        page=page,
    )
    return Reply(serialize_users(ctx, users, context), headers=headers)


def register(router: Router) -> None:
    """Register the user routes."""
    router.add(
        "/wp/v2/users",
        "wp/v2",
        {
            "GET": Endpoint(
                list_users,
                {
                    "context": CONTEXT,
                    "page": PAGE,
                    "per_page": PER_PAGE,
                    "search": Arg("string"),
                    "include": ID_LIST,
                    "exclude": ID_LIST,
                    "slug": Arg("array", items=Arg("string")),
                    "order": Arg("string", enum=("asc", "desc"), default="asc"),
                    "orderby": Arg(
                        "string",
                        enum=(
                            "id",
                            "include",
                            "name",
                            "registered_date",
                            "slug",
                            "include_slugs",
                            "email",
                            "url",
                        ),
                        default="name",
                    ),
                },
            )
        },
    )
    router.add("/wp/v2/users/me", "wp/v2", {"GET": Endpoint(me, {"context": CONTEXT})})
    router.add(
        "/wp/v2/users/<int:id>",
        "wp/v2",
        {
            "GET": Endpoint(get_user, {"context": CONTEXT}),
            EDITABLE: Endpoint(update_user, {"roles": Arg("array", items=Arg("string"))}),
        },
    )
