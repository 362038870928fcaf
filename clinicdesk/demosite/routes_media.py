"""``wp/v2/media``: uploads (raw body or multipart ``file``), alt text, listing, deletion.

The plugin registers ``meta.clinicdesk_client_id`` on attachments too: a raw upload sends it as the
query parameter ``meta[clinicdesk_client_id]`` (request fields come from the query string as well
as the body), and ``clinicdesk_client_id`` filters the listing, as for posts.

Files are stored below ``DATA/uploads/YYYY/MM/`` and served by the site under
``/wp-content/uploads/``. Only the file types WordPress allows by default are accepted, and image
dimensions are read from the file header (no imaging library is needed for width and height).
"""

from __future__ import annotations

import html
import logging
import re
import struct
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select

from clinicdesk.demosite.collection import collection_args, list_posts
from clinicdesk.demosite.db import Media, Post
from clinicdesk.demosite.posttypes import (
    CURIES,
    PostCaps,
    PostType,
    base_fields,
    base_links,
    can_edit,
    get_or_404,
    unique_slug,
)
from clinicdesk.demosite.routes_posts import ClientIdMeta, delete_item, get_item, meta_arg
from clinicdesk.demosite.routing import EDITABLE, Ctx, Endpoint, Router
from clinicdesk.demosite.schema import CONTEXT, FORCE, Arg
from clinicdesk.demosite.text import autop, sanitize_file_name, sanitize_title
from clinicdesk.demosite.wpjson import Reply, RestError, to_local

logger = logging.getLogger(__name__)

#: Extension -> MIME type, the part of ``wp_get_mime_types`` open to authors and editors.
MIME_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpe": "image/jpeg",
    "gif": "image/gif",
    "png": "image/png",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "ico": "image/x-icon",
    "heic": "image/heic",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "csv": "text/csv",
    "mp3": "audio/mpeg",
    "m4a": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
    "zip": "application/zip",
}
_NOT_ALLOWED = "Sorry, you are not allowed to upload this file type."
#: What WordPress records for an image without EXIF/IPTC data.
_EMPTY_IMAGE_META: dict[str, Any] = {
    "aperture": "0",
    "credit": "",
    "camera": "",
    "caption": "",
    "created_timestamp": "0",
    "copyright": "",
    "focal_length": "0",
    "iso": "0",
    "shutter_speed": "0",
    "title": "",
    "orientation": "0",
    "keywords": [],
}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, JPEG or WebP image, or None if it is not one."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _filename_from_disposition(header: str) -> str | None:
    # RFC 6266: filename*=UTF-8''name takes precedence over filename="name".
    star = re.search(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)", header)
    if star:
        return unquote(star.group(1).strip())
    plain = re.search(r'filename\s*=\s*("([^"]*)"|[^;]+)', header)
    if plain:
        return (plain.group(2) if plain.group(2) is not None else plain.group(1)).strip()
    return None


def _read_upload(ctx: Ctx) -> tuple[str, bytes]:
    """The file name and bytes of the upload, with WordPress's errors for what is missing."""
    upload = ctx.request.files.get("file")
    if upload is not None:
        data = upload.read()
        if not data or not upload.filename:
            raise RestError("rest_upload_no_data", "No data supplied.", 400)
        return upload.filename, data
    data = ctx.request.get_data(cache=True)
    if not data:
        raise RestError("rest_upload_no_data", "No data supplied.", 400)
    if not ctx.request.headers.get("Content-Type"):
        raise RestError("rest_upload_no_content_type", "No Content-Type supplied.", 400)
    disposition = ctx.request.headers.get("Content-Disposition")
    if not disposition:
        raise RestError(
            "rest_upload_no_content_disposition", "No Content-Disposition supplied.", 400
        )
    filename = _filename_from_disposition(disposition)
    if not filename:
        raise RestError(
            "rest_upload_invalid_disposition",
            "Invalid Content-Disposition supplied. Content-Disposition needs to be formatted as "
            '`attachment; filename="image.png"` or similar.',
            400,
        )
    return filename, data


def _store(ctx: Ctx, filename: str, data: bytes) -> tuple[str, str, tuple[int, int] | None]:
    """Check the type, write the file, return (relative path, MIME type, image size)."""
    name = sanitize_file_name(filename)
    stem, dot, ext = name.rpartition(".")
    mime = MIME_TYPES.get(ext.lower()) if dot else None
    size = image_size(data)
    if mime is None or (
        mime.startswith("image/")
        and ext.lower() in ("jpg", "jpeg", "jpe", "png", "gif", "webp")
        and size is None
    ):
        # WordPress reports a refused type as an upload error with status 500.
        raise RestError("rest_upload_sideload_error", _NOT_ALLOWED, 500)
    local = to_local(ctx.now, ctx.settings.tz) or ctx.now
    folder = f"{local:%Y}/{local:%m}"
    target_dir = ctx.config.uploads_dir / folder
    target_dir.mkdir(parents=True, exist_ok=True)
    candidate, n = name, 1
    while (target_dir / candidate).exists():
        candidate = f"{stem}-{n}.{ext}"
        n += 1
    # "x" refuses to overwrite a file another request created in the meantime.
    with open(target_dir / candidate, "xb") as handle:
        handle.write(data)
    return f"{folder}/{candidate}", mime, size


def create_media(ctx: Ctx, pt: PostType) -> Reply:
    """``POST wp/v2/media``: store the upload, 201 with the attachment."""
    if not ctx.can(pt.caps.create_posts):
        raise ctx.deny(
            "rest_cannot_create", "Sorry, you are not allowed to create posts as this user."
        )
    a = ctx.args
    parent = a.get("post") or 0
    parent_post = ctx.db.get(Post, parent) if parent else None
    if parent and (parent_post is None or parent_post.type == "attachment"):
        raise RestError("rest_invalid_param", "Invalid parent type.", 400)
    filename, data = _read_upload(ctx)
    relative, mime, size = _store(ctx, filename, data)
    title = a.get("title") or Path(relative).stem
    post = Post(
        type="attachment",
        status="inherit",
        title=title,
        author_id=ctx.user_id,
        parent_id=parent,
        date_gmt=ctx.now,
        modified_gmt=ctx.now,
        comment_status="open",
        ping_status="closed",
        slug="",
    )
    ctx.db.add(post)
    ctx.db.flush()
    post.slug = unique_slug(ctx, "attachment", sanitize_title(title) or str(post.id), post.id)
    ctx.db.add(
        Media(
            post_id=post.id,
            file=relative,
            mime_type=mime,
            filesize=len(data),
            width=size[0] if size else None,
            height=size[1] if size else None,
            alt_text=a.get("alt_text", ""),
            caption=a.get("caption", ""),
            description=a.get("description", ""),
        )
    )
    # WP_REST_Attachments_Controller::create_item writes the meta after storing the file.
    if pt.meta and "meta" in a:
        pt.meta.save(ctx, post, a.get("meta"))
    ctx.db.flush()
    logger.info("Stored upload as attachment %d (%d bytes)", post.id, len(data))
    headers = {"Location": f"{ctx.rest_root}{pt.route}/{post.id}"}
    return Reply(pt.serialize(ctx, pt, [post], "edit")[0], status=201, headers=headers)


def update_media(ctx: Ctx, pt: PostType, id: int) -> Reply:
    """``POST wp/v2/media/{id}``: alt text, caption, description, title, parent."""
    post = get_or_404(ctx, pt, id)
    if not can_edit(ctx, pt, post):
        raise ctx.deny("rest_cannot_edit", "Sorry, you are not allowed to edit this post.")
    a = ctx.args
    media = ctx.db.get(Media, post.id)
    if "title" in a:
        post.title = a.get("title")
    if "post" in a:
        post.parent_id = a.get("post") or 0
    if media is not None:
        for name in ("alt_text", "caption", "description"):
            if name in a:
                setattr(media, name, a.get(name))
    if pt.meta and "meta" in a:
        pt.meta.save(ctx, post, a.get("meta"))
    post.modified_gmt = ctx.now
    ctx.db.flush()
    return Reply(pt.serialize(ctx, pt, [post], "edit")[0])


def serialize_media(
    ctx: Ctx, pt: PostType, posts: Sequence[Post], context: str
) -> list[dict[str, Any]]:
    """Attachments as ``wp/v2/media`` shows them."""
    edit = context == "edit"
    files = {
        m.post_id: m
        for m in ctx.db.scalars(select(Media).where(Media.post_id.in_([p.id for p in posts])))
    }
    metas = pt.meta.load(ctx, posts) if pt.meta else {}
    out = []
    for post in posts:
        media = files.get(post.id)
        data = base_fields(ctx, pt, post, context)
        source_url = f"{ctx.site_url}/wp-content/uploads/{media.file}" if media else ""
        data["guid"] = (
            {"rendered": source_url, "raw": source_url} if edit else {"rendered": source_url}
        )
        mime = media.mime_type if media else ""
        details: dict[str, Any] = {"filesize": media.filesize if media else 0}
        if media is not None and media.width is not None:
            details = {
                "width": media.width,
                "height": media.height,
                "file": media.file,
                "filesize": media.filesize,
                "sizes": {},
                "image_meta": dict(_EMPTY_IMAGE_META),
            }
        caption = media.caption if media else ""
        description = media.description if media else ""
        rendered_description = autop(description)
        if "width" in details and media is not None:
            # prepend_attachment: the image itself leads the rendered description.
            rendered_description = (
                f'<p class="attachment"><a href=\'{source_url}\'><img width="{media.width}" '
                f'height="{media.height}" src="{source_url}" class="attachment-medium size-medium" '
                f'alt="{html.escape(media.alt_text)}" decoding="async" loading="lazy" /></a></p>\n'
                + rendered_description
            )
        data.update(
            author=post.author_id,
            comment_status=post.comment_status,
            ping_status=post.ping_status,
            template="",
            meta=metas.get(post.id, []),
            description={"raw": description, "rendered": rendered_description}
            if edit
            else {"rendered": rendered_description},
            caption={"raw": caption, "rendered": autop(caption)}
            if edit
            else {"rendered": autop(caption)},
            alt_text=media.alt_text if media else "",
            media_type="image" if mime.startswith("image/") else "file",
            mime_type=mime,
            media_details=details,
            post=post.parent_id or None,
            source_url=source_url,
        )
        if edit:
            data["permalink_template"] = f"{ctx.site_url}/?attachment_id={post.id}"
            data["generated_slug"] = post.slug
            data["missing_image_sizes"] = []
        data["_links"] = {**base_links(ctx, pt, post), "curies": CURIES}
        out.append(data)
    return out


def remove_file(ctx: Ctx, post: Post) -> None:
    """Delete an attachment's file from the uploads folder (before its row goes)."""
    media = ctx.db.get(Media, post.id)
    if media is None:
        return
    path = (ctx.config.uploads_dir / media.file).resolve()
    if ctx.config.uploads_dir.resolve() in path.parents:
        path.unlink(missing_ok=True)


ATTACHMENT_TYPE = PostType(
    name="attachment",
    rest_base="media",
    caps=PostCaps(create_posts="upload_files"),
    serialize=serialize_media,
    meta=ClientIdMeta(),
    default_statuses=("inherit",),
    statuses=("inherit", "private", "trash"),
    write_statuses=("inherit", "private"),
    supports_trash=False,
    on_delete=remove_file,
)


def _media_args(ctx: Ctx) -> dict[str, Arg]:
    return {
        "title": Arg("string"),
        "alt_text": Arg("string"),
        "caption": Arg("string"),
        "description": Arg("string"),
        "post": Arg("integer"),
        "meta": meta_arg(ATTACHMENT_TYPE),
    }


def register(router: Router) -> None:
    """Register ``wp/v2/media``."""
    pt = ATTACHMENT_TYPE
    router.add(
        "/wp/v2/media",
        "wp/v2",
        {
            "GET": Endpoint(partial(list_posts, pt=pt), partial(collection_args, pt)),
            "POST": Endpoint(partial(create_media, pt=pt), _media_args, upload=True),
        },
    )
    router.add(
        "/wp/v2/media/<int:id>",
        "wp/v2",
        {
            "GET": Endpoint(partial(get_item, pt=pt), {"context": CONTEXT}),
            EDITABLE: Endpoint(partial(update_media, pt=pt), _media_args),
            "DELETE": Endpoint(partial(delete_item, pt=pt), {"force": FORCE}),
        },
    )
