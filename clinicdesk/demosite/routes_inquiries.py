"""What the ClinicDesk plugin adds: inquiries, their notes, the staff list and the public form.

Inquiries are a private post type served by the shared post handlers; this module supplies their
meta, their serialisation and the plugin's gate: every inquiry route answers 401/403 to anyone
without ``clinicdesk_manage_inquiries`` before looking at anything else. Nothing here logs a field
of an inquiry or a note.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from clinicdesk.demosite.auth import DELETE_INQUIRIES, MANAGE_INQUIRIES, ROLE_CAPS
from clinicdesk.demosite.consultation import (
    STATES,
    FormCheck,
    check_form,
    form_token,
    rest_message,
    token_problem,
)
from clinicdesk.demosite.db import InquiryMeta, Note, Post, RateBucket, User
from clinicdesk.demosite.posttypes import PostCaps, PostType, base_fields, base_links
from clinicdesk.demosite.routes_posts import register_post_type
from clinicdesk.demosite.routing import Ctx, Endpoint, Router
from clinicdesk.demosite.schema import CONTEXT, PAGE, PER_PAGE, Arg, ArgError
from clinicdesk.demosite.wpjson import (
    ParamError,
    Reply,
    RestError,
    fmt,
    forbidden,
    invalid_params,
    is_wp_datetime,
    missing_params,
    pagination_headers,
    parse_datetime,
)
from clinicdesk.model.records import (
    CONSULTATION_FIELDS,
    CONTACT_METHODS,
    NOTE_KINDS,
    TRIAGE_STATUSES,
)

logger = logging.getLogger(__name__)

INQUIRY_TYPE_NAME = "clinicdesk_inquiry"
# Who wrote a note: a person (the signed-in user), or ClinicDesk itself (the app's automatic crisis
# flag, whichever staff member's app happened to send it). A system note has author 0.
NOTE_BY = ("user", "system")
SYSTEM_AUTHOR_NAME = "ClinicDesk (automatic)"


def _gmt_string(value: str) -> str:
    if not is_wp_datetime(value):
        raise ArgError("rest_invalid_date", "Invalid date.")
    return value


#: The registered inquiry meta, with the plugin's types, lengths and allowed values.
META_SCHEMA: dict[str, Arg] = {
    "first_name": Arg("string", max_length=100),
    "last_name": Arg("string", max_length=100),
    "email": Arg("string", max_length=254, format="email"),
    "phone": Arg("string", max_length=40),
    "preferred_contact": Arg("string", enum=CONTACT_METHODS),
    "state": Arg("string", enum=("", *STATES)),
    "insurance": Arg("string", max_length=100),
    "reason": Arg("string", max_length=200),
    "message": Arg("string", max_length=5000),
    "consent": Arg("boolean"),
    "received_gmt": Arg("string", check=_gmt_string),
    "triage_status": Arg("string", enum=TRIAGE_STATUSES),
    "assignee": Arg("integer", minimum=0),
    "urgent": Arg("boolean"),
    "unread": Arg("boolean"),
    "clinicdesk_client_id": Arg("string", max_length=64),
}


def staff_ids(db: Session) -> set[int]:
    """Ids of the users who hold ``clinicdesk_manage_inquiries``."""
    roles = [role for role, caps in ROLE_CAPS.items() if MANAGE_INQUIRIES in caps]
    return set(db.scalars(select(User.id).where(User.role.in_(roles))))


class InquiryMetaStore:
    """Inquiry meta kept as the columns of ``inquiry_meta``."""

    schema: Mapping[str, Arg] = META_SCHEMA
    #: What the person submitted: written once, by the form; no REST write may change it.
    fixed_keys: frozenset[str] = frozenset((*CONSULTATION_FIELDS, "received_gmt"))

    def load(self, ctx: Ctx, posts: Sequence[Post]) -> dict[int, dict[str, Any]]:
        """The meta object of each inquiry, in one query."""
        rows = {
            m.post_id: m
            for m in ctx.db.scalars(
                select(InquiryMeta).where(InquiryMeta.post_id.in_([p.id for p in posts]))
            )
        }
        return {p.id: _meta_json(rows.get(p.id), p) for p in posts}

    def save(self, ctx: Ctx, post: Post, values: Mapping[str, Any]) -> None:
        """Store the meta keys sent; the others keep their values (a partial update)."""
        assignee = values.get("assignee")
        if assignee and assignee not in staff_ids(ctx.db):
            raise invalid_params(
                {"meta": ParamError("rest_invalid_param", "meta.assignee is not a staff member.")}
            )
        meta = ctx.db.get(InquiryMeta, post.id)
        if meta is None:
            meta = InquiryMeta(post_id=post.id, received_gmt=post.date_gmt)
            ctx.db.add(meta)
        for key, value in values.items():
            if key == "clinicdesk_client_id":
                post.client_id = value or None
            elif key == "received_gmt":
                meta.received_gmt = parse_datetime(value, ctx.settings.tz, force_utc=True)
            else:
                setattr(meta, key, value)
        if "first_name" in values or "last_name" in values:
            post.title = f"{meta.first_name} {meta.last_name}".strip()


def _meta_json(meta: InquiryMeta | None, post: Post) -> dict[str, Any]:
    if meta is None:
        meta = InquiryMeta(
            received_gmt=post.date_gmt,
            triage_status="new",
            assignee=0,
            urgent=False,
            unread=True,
            consent=False,
            preferred_contact="email",
        )
    data: dict[str, Any] = {key: getattr(meta, key) for key in CONSULTATION_FIELDS}
    for key, default in (
        ("first_name", ""),
        ("last_name", ""),
        ("email", ""),
        ("phone", ""),
        ("state", ""),
        ("insurance", ""),
        ("reason", ""),
        ("message", ""),
    ):
        data[key] = data[key] if data[key] is not None else default
    data.update(
        received_gmt=fmt(meta.received_gmt),
        triage_status=meta.triage_status or "new",
        assignee=meta.assignee or 0,
        urgent=bool(meta.urgent),
        unread=bool(meta.unread) if meta.unread is not None else True,
        clinicdesk_client_id=post.client_id or "",
    )
    return data


def serialize_inquiries(
    ctx: Ctx, pt: PostType, posts: Sequence[Post], context: str
) -> list[dict[str, Any]]:
    """Inquiries as ``wp/v2/inquiries`` shows them: post fields, empty content, meta."""
    metas = InquiryMetaStore().load(ctx, posts)
    out = []
    for post in posts:
        data = base_fields(ctx, pt, post, context)
        content: dict[str, Any] = {"rendered": "", "protected": False}
        if context == "edit":
            content = {"raw": post.content, **content, "block_version": 0}
        data.update(content=content, template="", meta=metas[post.id])
        data["_links"] = base_links(ctx, pt, post)
        out.append(data)
    return out


def inquiry_gate(ctx: Ctx) -> None:
    """The plugin's guard: 401 anonymous, 403 signed in without ``clinicdesk_manage_inquiries``."""
    if not ctx.can(MANAGE_INQUIRIES):
        raise forbidden(ctx.denied_status)


INQUIRY_TYPE = PostType(
    name=INQUIRY_TYPE_NAME,
    rest_base="inquiries",
    caps=PostCaps(
        **{
            name: DELETE_INQUIRIES if name.startswith("delete") else MANAGE_INQUIRIES
            for name in PostCaps.__dataclass_fields__
        }
        # Inquiries come from the consultation form only: nobody creates one through the API.
        | {"create_posts": "do_not_allow"}
    ),
    serialize=serialize_inquiries,
    meta=InquiryMetaStore(),
    default_statuses=("private",),
    create_status="private",
    write_statuses=("private",),
    supports_author=False,
    viewable=False,
    # The plugin refuses these on every inquiry write (its `CLINICDESK_FIXED_FIELDS`).
    fixed_fields=("date", "date_gmt", "slug", "password", "title", "content", "template"),
    noun="inquiry",
)


# --- the consultation form ---------------------------------------------------------------------


def _networks(entries: Sequence[str]) -> list[IPv4Network | IPv6Network]:
    networks = []
    for entry in entries:
        with contextlib.suppress(ValueError):
            networks.append(ip_network(entry.strip(), strict=False))
    return networks


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(remote: str, forwarded: str | None, trusted: Sequence[str]) -> str:
    """The address the form's rate limit counts, as the plugin finds it.

    ``remote`` (the TCP peer), unless it is one of the ``trusted`` proxies: then the nearest
    address of ``X-Forwarded-For`` (read from the right) that is not itself a trusted proxy.
    A forwarded address from anyone else is ignored: any client can write the header.
    """
    networks = _networks(trusted)
    peer = _address(remote)

    def is_trusted(address: IPv4Address | IPv6Address) -> bool:
        return any(address in network for network in networks)

    if peer is None:
        return remote or "unknown"
    client = peer
    if forwarded and is_trusted(peer):
        for hop in reversed(forwarded.split(",")):
            address = _address(hop)
            if address is None:
                break  # garbage: believe nothing further along the chain
            client = address
            if not is_trusted(address):
                break
    return str(client)


def rate_bucket(address: str) -> str:
    """What the count is kept under: an IPv4 address, or the /64 network of an IPv6 one."""
    parsed = _address(address)
    if isinstance(parsed, IPv6Address):
        return str(ip_network(f"{parsed}/64", strict=False))
    return str(parsed) if parsed is not None else address


def _check_rate(ctx: Ctx) -> None:
    """Count this request against its client address; 429 past the limit.

    The address is the TCP peer (``REMOTE_ADDR``), or what a trusted proxy forwarded (see
    :func:`client_address`); IPv6 clients count per /64. The count is one statement (an upsert
    that answers the new count), so parallel requests cannot each read the same count and write
    back one more; and it is committed in its own transaction so that a refused request still
    counts (the request's own session is rolled back on an error).
    """
    limit, period = ctx.config.consultation_rate
    remote = ctx.request.remote_addr or "unknown"
    forwarded = ctx.request.headers.get("X-Forwarded-For")
    key = rate_bucket(client_address(remote, forwarded, ctx.config.trusted_proxies))
    now = ctx.now
    stale = now - timedelta(seconds=period)
    expired = RateBucket.window_start <= stale
    statement = (
        sqlite_insert(RateBucket)
        .values(address=key, window_start=now, count=1)
        .on_conflict_do_update(
            index_elements=[RateBucket.address],
            set_={
                "count": case((expired, 1), else_=RateBucket.count + 1),
                "window_start": case((expired, now), else_=RateBucket.window_start),
            },
        )
        .returning(RateBucket.count, RateBucket.window_start)
    )
    with Session(ctx.db.get_bind()) as session:
        count, window_start = session.execute(statement).one()
        session.commit()
    if count > limit:
        retry_after = max(1, math.ceil(period - (now - window_start).total_seconds()))
        logger.info("Consultation request refused: rate limit")
        raise RestError(
            "clinicdesk_rate_limited",
            "Too many requests. Please try again later.",
            429,
            headers={"Retry-After": str(retry_after)},
        )


@dataclass
class Screening:
    """What stands between a submission and a new inquiry decided (both ways in).

    Attributes:
        outcome: ``ok``, ``rate_limited``, ``rejected``, ``invalid``, ``too_fast`` or ``expired``.
        wait: seconds to wait (``rate_limited``).
        check: the validation (``ok`` and ``invalid``).
    """

    outcome: str
    wait: int = 0
    check: FormCheck | None = None


def screen_consultation(ctx: Ctx, params: Mapping[str, Any]) -> Screening:
    """The rate limit (every submission counts), the honeypot, the shared validation, and the
    timing token when the submission carries one (the website's form always does), in the
    plugin's order (``clinicdesk_consultation_screen()``)."""
    try:
        _check_rate(ctx)
    except RestError as err:
        if err.status != 429:
            raise
        return Screening("rate_limited", wait=int(err.headers.get("Retry-After", "1")))
    honeypot = params.get("website")
    if honeypot is not None and (not isinstance(honeypot, str) or honeypot.strip() != ""):
        logger.info("Consultation request refused: honeypot filled")
        return Screening("rejected")
    check = check_form(dict(params))
    if not check.ok:
        return Screening("invalid", check=check)
    if params.get("token") is not None:
        now = int(ctx.config.clock().timestamp())
        problem = token_problem(
            ctx.config.form_secret, params["token"], now, ctx.config.form_min_seconds
        )
        if problem:
            logger.info("Consultation request refused: timing token (%s)", problem)
            return Screening(problem)
    return Screening("ok", check=check)


def create_inquiry(ctx: Ctx, values: Mapping[str, Any]) -> int:
    """Stores a screened request as a new private inquiry; answers its id."""
    post = Post(
        type=INQUIRY_TYPE_NAME,
        status="private",
        title=f"{values['first_name']} {values.get('last_name', '')}".strip(),
        date_gmt=ctx.now,
        modified_gmt=ctx.now,
        comment_status="closed",
        ping_status="closed",
    )
    ctx.db.add(post)
    ctx.db.flush()
    # A neutral slug: WordPress would derive it from the title, putting a name in a URL.
    post.slug = f"inquiry-{post.id}"
    fields = {name: values[name] for name in CONSULTATION_FIELDS if name in values}
    ctx.db.add(
        InquiryMeta(
            post_id=post.id,
            received_gmt=ctx.now,
            triage_status="new",
            assignee=0,
            urgent=False,
            unread=True,
            **fields,
        )
    )
    logger.info("Consultation request stored as inquiry %d", post.id)
    return int(post.id)


def consultation(ctx: Ctx) -> Reply:
    """``POST clinicdesk/v1/consultation``: the public form creates an inquiry."""
    screening = screen_consultation(ctx, ctx.params)
    if screening.outcome == "rate_limited":
        raise RestError(
            "clinicdesk_rate_limited",
            "Too many requests. Please try again later.",
            429,
            headers={"Retry-After": str(screening.wait)},
        )
    if screening.outcome == "rejected":
        raise RestError("clinicdesk_rejected", "Your request could not be accepted.", 400)
    if screening.outcome == "too_fast":
        raise RestError(
            "clinicdesk_too_fast", "The form was sent too soon after it was opened.", 400
        )
    if screening.outcome == "expired":
        raise RestError(
            "clinicdesk_form_expired", "The form has expired. Please send it again.", 400
        )
    check = screening.check
    assert check is not None
    if not check.ok:
        fields = dict(check.errors)
        fields.update({name: "required" for name in check.missing})
        if check.missing:
            error = missing_params(check.missing)
        else:
            error = invalid_params(
                {
                    name: ParamError("rest_invalid_param", rest_message(name, code))
                    for name, code in check.errors.items()
                }
            )
        error.data["fields"] = fields
        raise error
    return Reply({"id": create_inquiry(ctx, check.values)}, status=201)


def form_token_route(ctx: Ctx) -> Reply:
    """``GET clinicdesk/v1/consultation/token``: a fresh timing token for the form's script."""
    now = int(ctx.config.clock().timestamp())
    return Reply(
        {
            "token": form_token(ctx.config.form_secret, now),
            "min_seconds": ctx.config.form_min_seconds,
        },
        headers={"Cache-Control": "no-cache, must-revalidate, max-age=0, no-store, private"},
    )


def form_settings(ctx: Ctx) -> Reply:
    """``GET clinicdesk/v1/settings``: what the app needs of the form's settings (staff)."""
    return Reply(
        {
            "states": list(ctx.config.served_states),
            "insurers": list(ctx.config.insurers),
            "reasons": list(ctx.config.reasons),
            "languages": ["en", "es"],
        }
    )


# --- notes and staff ---------------------------------------------------------------------------


def _note_json(note: Note, names: Mapping[int, str]) -> dict[str, Any]:
    return {
        "id": note.id,
        "inquiry": note.inquiry_id,
        "author": note.author_id,
        "author_name": SYSTEM_AUTHOR_NAME if note.author_id == 0 else names.get(note.author_id, ""),
        "by": "system" if note.author_id == 0 else "user",
        "date_gmt": fmt(note.date_gmt),
        "kind": note.kind,
        "content": note.content,
        "client_id": note.client_id,
    }


def _author_names(db: Session, notes: Sequence[Note]) -> dict[int, str]:
    ids = {n.author_id for n in notes}
    rows = db.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def list_notes(ctx: Ctx) -> Reply:
    """``GET clinicdesk/v1/notes``: notes with ``id > after_id``, oldest first, paginated."""
    a = ctx.args
    conds = [Note.id > a.get("after_id")]
    if "inquiry" in a:
        conds.append(Note.inquiry_id == a.get("inquiry"))
    total = ctx.db.scalar(select(func.count()).select_from(Note).where(*conds)) or 0
    per_page, page = a.get("per_page"), a.get("page")
    if page > math.ceil(total / per_page) and total > 0:
        raise RestError(
            "rest_post_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
            400,
        )
    notes = ctx.db.scalars(
        select(Note).where(*conds).order_by(Note.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    names = _author_names(ctx.db, notes)
    headers = pagination_headers(
        rest_root=ctx.rest_root,
        route="clinicdesk/v1/notes",
        query=ctx.query_pairs,
        total=total,
        per_page=per_page,
        page=page,
    )
    return Reply([_note_json(n, names) for n in notes], headers=headers)


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ArgError("rest_too_short", "content must be at least 1 character long.")
    return value


def _system_note_allowed(kind: str, content: str) -> bool:
    """Whether a note may be written as ClinicDesk's own: only what its automatic crisis flag
    records (the ``urgent`` event turning the flag on, and the ``note`` saying why)."""
    return kind == "note" or (kind == "urgent" and content.strip() == "on")


def create_note(ctx: Ctx) -> Reply:
    """``POST clinicdesk/v1/notes``: 201 with the note, or 200 with the one a client id made."""
    a = ctx.args
    client_id = a.get("client_id") or None
    if client_id is not None:
        existing = ctx.db.scalar(select(Note).where(Note.client_id == client_id))
        if existing is not None:
            return Reply(_note_json(existing, _author_names(ctx.db, [existing])))
    by_system = a.get("by") == "system"
    if by_system and not _system_note_allowed(a.get("kind"), a.get("content")):
        raise RestError(
            "rest_invalid_param",
            "Invalid parameter(s): by",
            400,
            params={"by": "Only the automatic crisis flag (urgent on, or a note) is the system's."},
        )
    inquiry = ctx.db.get(Post, a.get("inquiry"))
    if inquiry is None or inquiry.type != INQUIRY_TYPE_NAME:
        raise RestError("rest_post_invalid_id", "Invalid post ID.", 404)
    note = Note(
        inquiry_id=inquiry.id,
        author_id=0 if by_system else ctx.user_id,
        date_gmt=ctx.now,
        kind=a.get("kind"),
        content=a.get("content"),
        client_id=client_id,
    )
    ctx.db.add(note)
    ctx.db.flush()
    return Reply(_note_json(note, _author_names(ctx.db, [note])), status=201)


def list_staff(ctx: Ctx) -> Reply:
    """``GET clinicdesk/v1/staff``: who can be assigned inquiries, by name."""
    roles = [role for role, caps in ROLE_CAPS.items() if MANAGE_INQUIRIES in caps]
    users = ctx.db.scalars(
        select(User).where(User.role.in_(roles)).order_by(User.name.collate("NOCASE"), User.id)
    )
    return Reply([{"id": u.id, "name": u.name, "slug": u.slug, "roles": [u.role]} for u in users])


def register(router: Router) -> None:
    """Register ``wp/v2/inquiries`` and the ``clinicdesk/v1`` routes."""
    register_post_type(router, INQUIRY_TYPE, gate=inquiry_gate)
    ns = "clinicdesk/v1"
    router.add(
        "/clinicdesk/v1/notes",
        ns,
        {
            "GET": Endpoint(
                list_notes,
                {
                    "context": CONTEXT,
                    "page": PAGE,
                    "per_page": PER_PAGE,
                    "after_id": Arg("integer", minimum=0, default=0),
                    "inquiry": Arg("integer"),
                },
            ),
            "POST": Endpoint(
                create_note,
                {
                    "inquiry": Arg("integer", required=True),
                    "kind": Arg("string", required=True, enum=NOTE_KINDS),
                    "content": Arg("string", required=True, max_length=20000, check=_non_blank),
                    "client_id": Arg(("string", "null"), max_length=64),
                    "by": Arg("string", enum=NOTE_BY, default="user"),
                },
            ),
        },
        gate=inquiry_gate,
    )
    router.add("/clinicdesk/v1/staff", ns, {"GET": Endpoint(list_staff)}, gate=inquiry_gate)
    router.add("/clinicdesk/v1/settings", ns, {"GET": Endpoint(form_settings)}, gate=inquiry_gate)
    router.add("/clinicdesk/v1/consultation", ns, {"POST": Endpoint(consultation)})
    router.add("/clinicdesk/v1/consultation/token", ns, {"GET": Endpoint(form_token_route)})
