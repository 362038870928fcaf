"""The REST index (``GET /wp-json/``), namespace indexes, and the site's few HTML pages.

The index is what the app's discovery reads: name, description, URLs, time zone, the namespaces
(``wp/v2`` for WordPress, ``clinicdesk/v1`` for the plugin) and whether application passwords are
available. The HTML pages exist so that ``link`` and ``source_url`` lead somewhere, and so the
``Link: rel="https://api.w.org/"`` header on the home page allows discovery as on WordPress.
"""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from clinicdesk.demosite.db import Post
from clinicdesk.demosite.routing import Ctx, Endpoint, Route, Router
from clinicdesk.demosite.schema import CONTEXT
from clinicdesk.demosite.text import render_content
from clinicdesk.demosite.wpjson import Reply


def _route_entry(ctx: Ctx, route: Route) -> dict[str, Any]:
    methods = list(route.endpoints)
    entry: dict[str, Any] = {
        "namespace": route.namespace,
        "methods": methods,
        "endpoints": [{"methods": methods, "args": {}}],
    }
    if "<" not in route.rule:
        entry["_links"] = {"self": [{"href": f"{ctx.rest_root}{route.rule.lstrip('/')}"}]}
    return entry


def index(ctx: Ctx, router: Router) -> Reply:
    """``GET /wp-json/``: the site description and a reduced route list."""
    s = ctx.settings
    return Reply(
        {
            "name": s.name,
            "description": s.description,
            "url": ctx.site_url,
            "home": ctx.site_url,
            "gmt_offset": _offset_json(s.gmt_offset),
            "timezone_string": s.timezone_string,
            "namespaces": router.namespaces,
            "authentication": {
                "application-passwords": {
                    "endpoints": {
                        "authorization": f"{ctx.site_url}/wp-admin/authorize-application.php"
                    }
                }
            },
            "routes": {r.pattern: _route_entry(ctx, r) for r in router.routes},
            "site_logo": 0,
            "site_icon": 0,
            "site_icon_url": "",
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
            # Added by the plugin (a ``rest_index`` filter): what the app compares with the
            # version it needs.
            **_plugin_version(ctx, router),
        }
    )


def _plugin_version(ctx: Ctx, router: Router) -> dict[str, str]:
    version = ctx.config.plugin_version
    if not version or "clinicdesk/v1" not in router.namespaces:
        return {}
    return {"clinicdesk_plugin_version": version}


def _offset_json(offset: float) -> float | int | str:
    # WordPress sends the option as stored: a whole number, or a string like "5.5".
    return int(offset) if float(offset).is_integer() else str(offset)


def namespace_index(ctx: Ctx, router: Router, namespace: str) -> Reply:
    """``GET /wp-json/{namespace}``: the routes of one namespace."""
    routes = [r for r in router.routes if r.namespace == namespace]
    return Reply(
        {
            "namespace": namespace,
            "routes": {r.pattern: _route_entry(ctx, r) for r in routes},
            "_links": {"up": [{"href": ctx.rest_root}]},
        }
    )


def register(router: Router) -> None:
    """Register the index and the namespace indexes (call after every other route)."""
    namespaces = router.namespaces
    router.add("/", "", {"GET": Endpoint(lambda ctx: index(ctx, router), {"context": CONTEXT})})
    for ns in namespaces:
        router.add(
            f"/{ns}",
            ns,
            {"GET": Endpoint(lambda ctx, ns=ns: namespace_index(ctx, router, ns))},
        )


# --- HTML --------------------------------------------------------------------------------------


def _page(ctx: Ctx, title: str, body: str, status: int = 200) -> Response:
    name = html.escape(ctx.settings.name)
    document = (
        '<!DOCTYPE html>\n<html lang="en-US"><head><meta charset="UTF-8">'
        f"<title>{html.escape(title)} &#8211; {name}</title></head>\n<body>\n"
        f'<header><a href="{ctx.site_url}/">{name}</a>'
        f"<p>{html.escape(ctx.settings.description)}</p></header>\n<main>\n{body}</main>\n"
        "</body></html>\n"
    )
    response = Response(document, status=status, content_type="text/html; charset=UTF-8")
    response.headers["Link"] = f'<{ctx.rest_root}>; rel="https://api.w.org/"'
    return response


def html_page(ctx: Ctx, path: str) -> Response:
    """The home page (latest published posts) or a published post by slug or ``?p=ID``."""
    post_id = ctx.request.args.get("p", type=int)
    if path in ("", "/") and post_id is None:
        posts = ctx.db.scalars(
            select(Post)
            .where(Post.type == "post", Post.status == "publish")
            .order_by(Post.date_gmt.desc(), Post.id.desc())
            .limit(10)
        ).all()
        items = "".join(
            f'<li><a href="{ctx.site_url}/{p.slug}/">{html.escape(p.title)}</a></li>\n'
            for p in posts
        )
        return _page(ctx, "Home", f"<ul>\n{items}</ul>\n")
    slug = path.strip("/")
    query = select(Post).where(Post.type == "post", Post.status == "publish")
    query = (
        query.where(Post.id == post_id) if post_id is not None else query.where(Post.slug == slug)
    )
    post = ctx.db.scalars(query.limit(1)).first()
    if post is None or "/" in slug:
        return _page(ctx, "Page not found", "<h1>Page not found</h1>\n", status=404)
    body = (
        f"<article><h1>{html.escape(post.title)}</h1>\n{render_content(post.content)}</article>\n"
    )
    return _page(ctx, post.title, body)


def serve_upload(ctx: Ctx, request: Request, relative: str) -> Response:
    """A file below the uploads folder; Werkzeug refuses any path that would leave it."""
    try:
        return send_from_directory(ctx.config.uploads_dir, relative, request.environ)
    except NotFound:
        return _page(ctx, "Page not found", "<h1>Page not found</h1>\n", status=404)
