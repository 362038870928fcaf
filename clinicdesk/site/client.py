"""The site client: every call the app makes to the clinic's WordPress site, typed.

:class:`SiteClient` turns the contract in ``docs/site-api.md`` into methods that take and return
the records of :mod:`clinicdesk.model.records` and raise only the errors of
:mod:`clinicdesk.site.errors`. The wire (retries, timeouts, redirects, error mapping) is
:mod:`clinicdesk.site.transport`; checking answers is :mod:`clinicdesk.site.parse`.

Posts and inquiries are both WordPress post types with the same list parameters, pagination,
``modified_after`` semantics, partial updates and trash, so they share one implementation
(:class:`_PostType`); every paginated list goes through :func:`_paginate`.
"""

from __future__ import annotations

import copy
import logging
import random
import re
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import requests

from clinicdesk.model.records import (
    NOTE_KINDS,
    POST_STATUSES,
    TRIAGE_STATUSES,
    Consultation,
    CurrentUser,
    Inquiry,
    InquiryTriage,
    Media,
    Note,
    NoteKind,
    Page,
    Post,
    PostFields,
    RefusedRecord,
    SiteInfo,
    StaffMember,
    Taxonomy,
    Term,
    User,
    Version,
)
from clinicdesk.site import parse
from clinicdesk.site.answers import page_counts
from clinicdesk.site.dates import format_gmt, http_date
from clinicdesk.site.errors import (
    ForbiddenError,
    InvalidResponseError,
    NotFoundError,
    NotWordPressError,
    OutcomeUnknownError,
    PluginMissingError,
    RejectedError,
    SignedOutError,
)
from clinicdesk.site.timing import RetryPolicy, Timeouts
from clinicdesk.site.transport import Transport
from clinicdesk.site.url import normalize_site_url

__all__ = ["MAX_PER_PAGE", "SiteClient"]

logger = logging.getLogger(__name__)

R = TypeVar("R")

#: WordPress refuses a larger ``per_page`` with 400.
MAX_PER_PAGE = 100
# A site that keeps announcing more pages (a bug, or hostile) must not keep a sync busy forever:
# 10 000 pages of 100 is a million records, far beyond any clinic's site.
_MAX_PAGES = 10_000

_ORDERBY = ("date", "modified", "id", "title")
_ORDER = ("asc", "desc")
_POST_FIELDS = frozenset(PostFields.__annotations__)
_TRIAGE_FIELDS = frozenset(InquiryTriage.__annotations__)
_CONSULTATION_FIELDS = frozenset(Consultation.__annotations__)
_TAXONOMY_ROUTES: Mapping[Taxonomy, str] = {
    "category": "wp/v2/categories",
    "post_tag": "wp/v2/tags",
}
_MIME_RE = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$"
)


def _check_per_page(per_page: int) -> None:
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")


def _check_id(record_id: int) -> int:
    # An id goes into the URL path: only a positive int may (never "12/../users").
    if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 1:
        raise ValueError(f"not a record id: {record_id!r}")
    return record_id


def _check_client_id(client_id: str) -> str:
    try:
        return str(uuid.UUID(client_id))
    except (ValueError, TypeError, AttributeError):
        raise ValueError("client_id must be a UUID") from None


def _paginate(
    transport: Transport,
    route: str,
    params: Mapping[str, str | int],
    parse_one: Callable[[object], R],
    *,
    per_page: int,
    what: str,
    lenient: bool = False,
) -> Iterator[Page[R]]:
    """Every page of a collection, by page number, to the last.

    Stops at ``X-WP-TotalPages`` as given by the latest answer (a list that grows while paging
    is followed to its new end), or when the site says the page is past the end (a list that
    shrank while paging: WordPress answers 400 ``*_invalid_page_number``). An empty page before
    that is read past: WordPress thins each page of what the user may not see.

    With ``lenient``, each record is read on its own (:func:`parse.each`): one the app cannot
    use goes into the page's ``refused`` instead of refusing the whole page.

    A site that ignores ``?page=`` (a page cache in front of WordPress that keys on the path
    only) sends page 1 again for every page: when page N+1 holds exactly the ids of page N, the
    listing stops with :class:`InvalidResponseError` instead of asking for every announced page.

    Page-number paging is not a snapshot: a record that moves (edited while ordered by
    ``modified``, or trashed) can shift another from one page to the previous one, so it is
    missed in this pass, while a record can also appear twice. Callers de-duplicate by id and
    rely on the version sweep to catch what a pass missed.
    """
    _check_per_page(per_page)
    page = 1
    previous_ids: list[int | None] = []
    while True:
        query = {**params, "per_page": per_page, "page": page}
        try:
            answer = transport.request("GET", route, params=query)
        except RejectedError as exc:
            if page > 1 and (exc.code or "").endswith("_invalid_page_number"):
                return
            raise
        total, total_pages = page_counts(answer.headers)
        refused: tuple[RefusedRecord, ...] = ()
        if lenient:
            items, refused = parse.each(answer.json(), parse_one, what)
        else:
            items = parse.many(answer.json(), parse_one, what)
        ids: list[int | None] = [_record_id(item) for item in items]
        ids += [record.id for record in refused]
        if page > 1 and ids and sorted(ids, key=_id_key) == previous_ids:
            raise InvalidResponseError(
                f"The site sent the same {what} for page {page} as for page {page - 1}: it, or "
                "a page cache in front of it, ignores the page number, so ClinicDesk cannot "
                f"read the whole list of {what}. Ask whoever runs the site to exclude the REST "
                "API (/wp-json/) from page caching."
            )
        previous_ids = sorted(ids, key=_id_key)
        yield Page(
            items=items,
            page=page,
            total=total,
            total_pages=total_pages,
            site_time=http_date(answer.headers.get("Date")),
            refused=refused,
        )
        # An empty page is not the end while the site announces more: WordPress drops the
        # records the user may not see from each page after the query (a contributor's first
        # pages of others' posts come back empty), and X-WP-Total still counts them.
        if page >= total_pages:
            return
        page += 1
        if page > _MAX_PAGES:
            raise InvalidResponseError(
                f"The site kept announcing more pages of {what} (over {_MAX_PAGES}). Something "
                "on the site is misbehaving."
            )


def _record_id(record: object) -> int | None:
    value = getattr(record, "id", None)
    return value if isinstance(value, int) else None


def _id_key(value: int | None) -> int:
    return -1 if value is None else value


def _no_pages() -> Generator[Page[R], None, None]:
    yield from ()


@contextmanager
def _plugin_feature() -> Iterator[None]:
    """Report a missing companion-plugin route as PluginMissingError instead of "not found"."""
    try:
        yield
    except NotFoundError as exc:
        if exc.code == "rest_no_route":
            raise PluginMissingError(
                "The ClinicDesk plugin is not active on the site, so inquiries are not "
                "available. Ask whoever looks after the website to install and activate it.",
                code=exc.code,
                status=exc.status,
            ) from None
        raise


@dataclass(frozen=True, slots=True)
class _PostType(Generic[R]):
    """The machinery posts and inquiries share (both are WordPress post types)."""

    transport: Transport
    route: str
    parse_one: Callable[[object], R]
    what: str
    plugin: bool

    @contextmanager
    def _guard(self) -> Iterator[None]:
        if self.plugin:
            with _plugin_feature():
                yield
        else:
            yield

    def pages(
        self,
        *,
        status: str,
        modified_after: datetime | None,
        modified_before: datetime | None,
        search: str | None,
        include: Iterable[int] | None,
        per_page: int,
        orderby: str,
        order: str,
        extra: Mapping[str, str] | None = None,
    ) -> Generator[Page[R], None, None]:
        """The pages of a listing. Arguments are checked now, before the first page is asked
        for (a generator function would only check them on first use)."""
        if orderby not in _ORDERBY:
            raise ValueError(f"orderby must be one of {_ORDERBY}")
        if order not in _ORDER:
            raise ValueError(f"order must be one of {_ORDER}")
        _check_per_page(per_page)
        params: dict[str, str | int] = {
            "context": "edit",
            "status": status,
            "orderby": orderby,
            "order": order,
        }
        if modified_after is not None:
            params["modified_after"] = format_gmt(modified_after, zone=True)
        if modified_before is not None:
            params["modified_before"] = format_gmt(modified_before, zone=True)
        if search:
            params["search"] = search
        if include is not None:
            ids = sorted({_check_id(i) for i in include})
            if not ids:
                # WordPress reads an empty include as "no filter" and would list everything.
                return _no_pages()
            params["include"] = ",".join(map(str, ids))
        params.update(extra or {})
        return self._pages(params, per_page)

    def _pages(
        self, params: Mapping[str, str | int], per_page: int
    ) -> Generator[Page[R], None, None]:
        with self._guard():
            yield from _paginate(
                self.transport,
                self.route,
                params,
                self.parse_one,
                per_page=per_page,
                what=self.what,
                lenient=True,
            )

    def versions(self, status: str) -> list[Version]:
        params: dict[str, str | int] = {
            "context": "edit",
            "status": status,
            "_fields": "id,modified_gmt",
            # Ids never change, so ordering by id moves nothing between pages when a record is
            # edited during the sweep (only a trash or delete can shift one).
            "orderby": "id",
            "order": "asc",
        }
        found: dict[int, Version] = {}
        with self._guard():
            for page in _paginate(
                self.transport,
                self.route,
                params,
                parse.version,
                per_page=MAX_PER_PAGE,
                what=self.what,
                # A version the app cannot read is left out: the sweep then reads that record
                # by id, and one it still cannot read is put aside, never taken for deleted.
                lenient=True,
            ):
                for v in page.items:
                    found[v.id] = v
        return [found[i] for i in sorted(found)]

    def get(self, record_id: int) -> R:
        with self._guard():
            answer = self.transport.request(
                "GET", f"{self.route}/{_check_id(record_id)}", params={"context": "edit"}
            )
        return self.parse_one(answer.json())

    def update(self, record_id: int, body: Mapping[str, object]) -> R:
        with self._guard():
            answer = self.transport.request(
                "POST",
                f"{self.route}/{_check_id(record_id)}",
                params={"context": "edit"},
                json_body=dict(body),
                # A partial update of an existing record: the same values twice do no harm.
                idempotent=True,
            )
        return self.parse_one(answer.json())

    def trash(self, record_id: int) -> R:
        with self._guard():
            answer = self.transport.request("DELETE", f"{self.route}/{_check_id(record_id)}")
        return self.parse_one(answer.json())

    def delete_permanently(self, record_id: int) -> None:
        with self._guard():
            answer = self.transport.request(
                "DELETE", f"{self.route}/{_check_id(record_id)}", params={"force": "true"}
            )
        parse.deleted(answer.json())


def _post_body(fields: PostFields) -> dict[str, object]:
    """The JSON body for a post create or update, checking what a TypedDict cannot at run time."""
    given: Mapping[str, object] = fields
    unknown = set(given) - _POST_FIELDS
    if unknown:
        raise ValueError(f"unknown post fields: {sorted(unknown)}")
    body: dict[str, object] = {}
    for key, value in given.items():
        if key == "date_gmt":
            if value is not None and not isinstance(value, datetime):
                raise ValueError("date_gmt must be a datetime or None")
            # None lets a draft's date float (WordPress sets it when the post is published).
            body[key] = None if value is None else format_gmt(value, zone=False)
        elif key == "status":
            if value not in POST_STATUSES:
                raise ValueError(f"unknown post status: {value!r}")
            body[key] = value
        elif key in ("categories", "tags"):
            if not isinstance(value, list | tuple):
                raise ValueError(f"{key} must be a list of ids")
            body[key] = [_check_id(i) for i in value]
        else:
            body[key] = value
    return body


def _upload_filename(filename: str) -> str:
    """An ASCII file name safe inside ``Content-Disposition`` (WordPress sanitizes it further)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-")
    if not safe or safe.startswith("."):
        safe = "upload"
    return safe[:200]


class SiteClient:
    """Talks to one clinic site as one user.

    Every method sends one or more HTTP requests and either returns checked records or raises a
    :class:`~clinicdesk.site.errors.SiteError` subclass with a message for the user. It never
    raises requests' exceptions. Not thread-safe: one client per worker thread; :meth:`fork`
    makes one for a thread that works beside this one's.

    Args:
        site_url: the site's address as the user typed it (normalized here).
        username: the WordPress login name; None (with ``app_password`` None) for a client that
            only uses public routes (discovery, the consultation form).
        app_password: an application password (spaces are ignored). Kept only in memory, never
            logged.
        session: a ``requests.Session`` to use; its owner closes it. Otherwise the client makes
            one, closed by :meth:`close`.
        session_factory: makes the session of each :meth:`fork` (which closes it). Give one
            with ``session`` when every request must go through a session of that kind (the
            benchmark records them all); by default a fork gets a new ``requests.Session``.
        timeouts: connect/read/total timeouts (defaults 5 s / 30 s / 300 s).
        retry: the retry policy for idempotent requests.
        ca_bundle: a CA certificate file for a site with a certificate of the clinic's own
            authority. TLS verification itself cannot be turned off.
        sleep: how to wait between retries (tests inject a recorder). None: wait on the
            round's cancel (:meth:`limits`), which ends the wait at once.
        clock: current Unix time, for ``Retry-After`` dates.
        rand: numbers in [0, 1) for the backoff jitter.
        proxy: the proxy the clinic chose (the app's setting), or None to connect directly.
            Proxies from the environment (``HTTPS_PROXY``...) and ``~/.netrc`` are never used.

    Raises:
        InsecureURLError: the address is not acceptable (see :func:`normalize_site_url`).
    """

    def __init__(
        self,
        site_url: str,
        username: str | None,
        app_password: str | None,
        *,
        session: requests.Session | None = None,
        session_factory: Callable[[], requests.Session] | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        ca_bundle: str | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
        proxy: str | None = None,
    ) -> None:
        if (username is None) != (app_password is None):
            raise ValueError("give both a username and an application password, or neither")
        self._username = username
        self._session_factory = session_factory
        self._use(
            Transport(
                normalize_site_url(site_url),
                None if username is None or app_password is None else (username, app_password),
                session=session,
                timeouts=timeouts,
                retry=retry,
                ca_bundle=ca_bundle,
                sleep=sleep,
                clock=clock,
                rand=rand,
                proxy=proxy,
            )
        )

    def _use(self, transport: Transport) -> None:
        self._transport = transport
        self._posts = _PostType(transport, "wp/v2/posts", parse.post, "posts", False)
        self._inquiries = _PostType(transport, "wp/v2/inquiries", parse.inquiry, "inquiries", True)

    def __repr__(self) -> str:
        # Never the password.
        return f"SiteClient({self.site_url!r}, user={self._username!r})"

    @property
    def site_url(self) -> str:
        """The normalized site address."""
        return self._transport.site_url

    @property
    def requests_made(self) -> int:
        """HTTP requests sent so far (each retry and redirect counts), for reports."""
        return self._transport.requests_made

    def fork(self) -> SiteClient:
        """A client of the same site, account and settings for another thread, with a session
        of its own (from ``session_factory``, or a new one). Close it when done.

        Its requests count in this client's :attr:`requests_made` too.
        """
        twin = copy.copy(self)
        factory = self._session_factory
        twin._use(self._transport.fork(None if factory is None else factory()))
        return twin

    def limits(
        self, *, cancel: threading.Event | None = None, wait_budget: float | None = None
    ) -> AbstractContextManager[None]:
        """Bind this client and its forks to a round (its cancel, its budget of waits between
        retries) for the duration of the ``with``: see :meth:`Transport.limits`."""
        return self._transport.limits(cancel=cancel, wait_budget=wait_budget)

    def close(self) -> None:
        """Close the HTTP session, if the client created it (a fork always closes its own)."""
        self._transport.close()

    def __enter__(self) -> SiteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the site and the user ---------------------------------------------------------------

    def discover(self) -> SiteInfo:
        """What the site is: ``GET /wp-json/``.

        Sent with the credentials when the client has them (some security plugins close the
        index to visitors).

        Raises:
            NotWordPressError: the address does not answer with WordPress's REST index (a web
                page, a 404, JSON of another shape, or, for an anonymous client, an index closed
                to visitors). ``SiteInfo.has_plugin`` tells whether the companion plugin is
                active: its absence is not an error here.
        """
        signed_in = self._transport.has_credentials
        try:
            answer = self._transport.request("GET", "", authenticated=signed_in)
        except NotFoundError as exc:
            raise NotWordPressError(
                "This address answers, but has no WordPress REST API. Check the address.",
                code=exc.code,
                status=exc.status,
            ) from None
        except (SignedOutError, ForbiddenError) as exc:
            if signed_in:
                raise
            # Some security plugins close the REST API to visitors.
            raise NotWordPressError(
                "The site's REST API is closed to visitors (a security plugin may do this). Sign "
                "in first, or ask whoever looks after the website to open it.",
                code=exc.code,
                status=exc.status,
            ) from None
        try:
            value = answer.json()
        except InvalidResponseError:
            value = None  # a web page or garbage: site_info says "not WordPress"
        return parse.site_info(value)

    def me(self) -> CurrentUser:
        """The signed-in user with roles and capabilities; the way to check a sign-in.

        Raises:
            SignedOutError: wrong user name or application password (WordPress cannot tell
                these apart from no credentials at all).
        """
        answer = self._transport.request("GET", "wp/v2/users/me", params={"context": "edit"})
        return parse.current_user(answer.json())

    def list_users(self) -> list[User]:
        """Users as the site lists them (for a user without ``list_users``: only those who
        published posts). For naming post authors."""
        return [
            user
            for page in _paginate(
                self._transport, "wp/v2/users", {}, parse.user, per_page=MAX_PER_PAGE, what="users"
            )
            for user in page.items
        ]

    def list_staff(self) -> list[StaffMember]:
        """The people an inquiry can be assigned to (plugin route, ordered by name)."""
        with _plugin_feature():
            answer = self._transport.request("GET", "clinicdesk/v1/staff")
        return list(parse.many(answer.json(), parse.staff_member, "staff"))

    def clinic_states(self) -> tuple[str, ...]:
        """The states the clinic serves, as its website's Settings > ClinicDesk says (plugin
        route ``clinicdesk/v1/settings``, staff only): USPS codes.

        Raises:
            PluginMissingError: no plugin, or one older than the route.
            SiteError: any other failure (a malformed answer is InvalidResponseError).
        """
        with _plugin_feature():
            answer = self._transport.request("GET", "clinicdesk/v1/settings")
        return parse.clinic_states(answer.json())

    # ---- posts -------------------------------------------------------------------------------

    def iter_posts(
        self,
        *,
        status: str = "any",
        modified_after: datetime | None = None,
        modified_before: datetime | None = None,
        search: str | None = None,
        include: Iterable[int] | None = None,
        per_page: int = MAX_PER_PAGE,
        orderby: str = "modified",
        order: str = "asc",
    ) -> Iterator[Page[Post]]:
        """Posts in edit context, page by page to the end (see :func:`_paginate`).

        Args:
            status: ``any`` (all but trash), one status, or a comma list (``draft,pending``).
            modified_after: only posts modified strictly after this aware datetime. Sent in UTC
                with ``Z`` at 1-second resolution (fractions dropped). WordPress compares
                strictly at whole seconds, so a caller resuming from the newest ``modified_gmt``
                it has seen must pass that time minus one second and de-duplicate by id: two
                edits in the same second would otherwise be missed.
            modified_before: only posts modified strictly before this time.
            search: text matched against title, content and excerpt.
            include: only these ids (an empty collection yields no page and sends nothing).
            per_page: 1..100.
            orderby: ``date``, ``modified``, ``id`` or ``title``.
            order: ``asc`` or ``desc``.

        Raises:
            ValueError: an argument is out of range or a datetime is naive.
        """
        return self._posts.pages(
            status=status,
            modified_after=modified_after,
            modified_before=modified_before,
            search=search,
            include=include,
            per_page=per_page,
            orderby=orderby,
            order=order,
        )

    def list_posts(
        self,
        *,
        status: str = "any",
        modified_after: datetime | None = None,
        modified_before: datetime | None = None,
        search: str | None = None,
        include: Iterable[int] | None = None,
        per_page: int = MAX_PER_PAGE,
        orderby: str = "modified",
        order: str = "asc",
    ) -> list[Post]:
        """All posts :meth:`iter_posts` yields, in one list (a post seen twice appears once,
        in its latest version)."""
        found: dict[int, Post] = {}
        for page in self.iter_posts(
            status=status,
            modified_after=modified_after,
            modified_before=modified_before,
            search=search,
            include=include,
            per_page=per_page,
            orderby=orderby,
            order=order,
        ):
            for post in page.items:
                found.pop(post.id, None)  # keep the order of the last sighting
                found[post.id] = post
        return list(found.values())

    def post_versions(self, status: str) -> list[Version]:
        """The id and ``modified_gmt`` of every post with ``status`` (``any``, ``trash``...),
        ordered by id: the sweep that finds permanent deletions and missed edits.

        A record absent from a sweep may only have shifted between pages while another was
        trashed during it: confirm with :meth:`get_post` (NotFoundError) before treating it as
        deleted.
        """
        return self._posts.versions(status)

    def get_post(self, post_id: int) -> Post:
        """One post in edit context (a trashed post too, with ``status="trash"``).

        Raises:
            NotFoundError: no such post (or deleted permanently).
        """
        return self._posts.get(post_id)

    def create_post(self, fields: PostFields, client_id: str) -> Post:
        """Create a post carrying ``client_id`` as ``meta.clinicdesk_client_id``.

        The create is sent once. If its answer is lost it is **not** sent again: the post may
        exist. Look it up with :meth:`find_post_by_client_id` and adopt it, or create again if
        it is not there.

        Args:
            fields: the post's fields.
            client_id: a UUID made by the caller for this record and kept with it.

        Raises:
            OutcomeUnknownError: the post may or may not have been created (timeout, dropped
                connection, 5xx, or a success answer that could not be read).
            ForbiddenError: e.g. a contributor asking for ``publish`` (403
                ``rest_cannot_publish``); nothing was created.
            RejectedError, SignedOutError, RateLimitedError: refused; nothing was created.
        """
        client_id = _check_client_id(client_id)
        body = _post_body(fields)
        body["meta"] = {"clinicdesk_client_id": client_id}
        answer = self._transport.request(
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

    def find_post_by_client_id(self, client_id: str) -> Post | None:
        """The post created with ``client_id``, in any status including the trash, or None.

        Only posts whose ``meta.clinicdesk_client_id`` really equals ``client_id`` are
        returned: without the companion plugin WordPress ignores the query parameter and would
        list unrelated posts.
        """
        client_id = _check_client_id(client_id)
        for status in ("any", "trash"):
            # One page is enough: at most one post carries a given client id. (Without the
            # plugin, the parameter is ignored and the meta is not exposed, so no page would
            # ever match and paging through the whole site would be pointless.)
            pages = self._posts.pages(
                status=status,
                modified_after=None,
                modified_before=None,
                search=None,
                include=None,
                per_page=MAX_PER_PAGE,
                orderby="id",
                order="asc",
                extra={"clinicdesk_client_id": client_id},
            )
            with closing(pages):
                first = next(pages, None)
            for post in first.items if first else ():
                if post.client_id == client_id:
                    return post
        return None

    def update_post(self, post_id: int, fields: PostFields) -> Post:
        """Change only ``fields`` of a post (a partial update; retried safely when lost).

        Raises:
            ValueError: ``fields`` is empty or has an unknown key.
            NotFoundError, ForbiddenError, RejectedError: see the contract.
        """
        if not fields:
            raise ValueError("nothing to update")
        return self._posts.update(post_id, _post_body(fields))

    def trash_post(self, post_id: int) -> Post:
        """Move a post to the trash; returns it with ``status="trash"``.

        Raises:
            GoneError: it was already in the trash (also what a retry after a lost answer gets).
        """
        return self._posts.trash(post_id)

    def delete_post_permanently(self, post_id: int) -> None:
        """Delete a post for good (``force=true``).

        Raises:
            NotFoundError: no such post (also what a retry after a lost answer gets, i.e. done).
        """
        self._posts.delete_permanently(post_id)

    # ---- terms -------------------------------------------------------------------------------

    def iter_terms(self, taxonomy: Taxonomy) -> Iterator[Page[Term]]:
        """Every category or tag, page by page, read term by term: a term the app cannot use
        is in its page's ``refused``."""
        return _paginate(
            self._transport,
            _TAXONOMY_ROUTES[taxonomy],
            {},
            lambda value: parse.term(value, taxonomy),
            per_page=MAX_PER_PAGE,
            what="categories" if taxonomy == "category" else "tags",
            lenient=True,
        )

    def list_terms(self, taxonomy: Taxonomy) -> list[Term]:
        """Every category (``category``) or tag (``post_tag``), all pages."""
        route = _TAXONOMY_ROUTES[taxonomy]
        return [
            term
            for page in _paginate(
                self._transport,
                route,
                {},
                lambda value: parse.term(value, taxonomy),
                per_page=MAX_PER_PAGE,
                what="categories" if taxonomy == "category" else "tags",
            )
            for term in page.items
        ]

    def create_term(self, taxonomy: Taxonomy, name: str, parent: int | None = None) -> Term:
        """Get or create the category or tag called ``name`` (a category under ``parent``).

        WordPress refuses a name that exists at the same level (the same parent; names compare
        regardless of case) with 400 ``term_exists`` carrying the existing id, which is returned
        instead. That also makes the create safe to retry after a lost answer. The same name
        under another parent is a new category (WordPress gives it a slug ending in the
        parent's slug).

        Args:
            taxonomy: ``category`` or ``post_tag``.
            name: the term's name.
            parent: the site id of the parent category; None or 0 for the top level.

        Raises:
            ValueError: ``name`` is empty, or a parent for a tag (tags have no hierarchy).
            ForbiddenError: the user may not create terms of this taxonomy.
            RejectedError: e.g. the parent category does not exist (``rest_term_invalid``).
        """
        name = name.strip()
        if not name:
            raise ValueError("a term needs a name")
        body: dict[str, object] = {"name": name}
        if parent:
            if taxonomy != "category":
                raise ValueError("only a category can have a parent")
            body["parent"] = _check_id(parent)
        route = _TAXONOMY_ROUTES[taxonomy]
        try:
            answer = self._transport.request("POST", route, json_body=body, idempotent=True)
        except RejectedError as exc:
            term_id = exc.data.get("term_id")
            if exc.code != "term_exists" or isinstance(term_id, bool):
                raise
            if isinstance(term_id, str) and term_id.isdigit():
                term_id = int(term_id)
            for term in self.list_terms(taxonomy) if isinstance(term_id, int) else ():
                if term.id == term_id:
                    return term
            raise
        return parse.term(answer.json(), taxonomy)

    # ---- media -------------------------------------------------------------------------------

    def upload_media(
        self, filename: str, data: bytes, mime_type: str, client_id: str | None = None
    ) -> Media:
        """Upload a file to the media library, carrying ``client_id`` when given.

        The body is the file itself, so the client id travels as the query parameter
        ``meta[clinicdesk_client_id]`` (WordPress reads query parameters as request fields; the
        companion plugin registers the meta key on attachments, and without it WordPress ignores
        the parameter). Like a post create, the upload is sent once: if its answer is lost,
        OutcomeUnknownError (carrying ``client_id``, or ``""`` without one) asks the caller to
        look it up with :meth:`find_media_by_client_id` before sending it again.

        Args:
            filename: the file's name (reduced to safe ASCII; WordPress sanitizes it again).
            data: the file's bytes.
            mime_type: e.g. ``image/jpeg``.
            client_id: a UUID made by the caller for this upload and kept with it.

        Raises:
            ValueError: ``mime_type`` is not a MIME type, or ``client_id`` is not a UUID.
            ForbiddenError: the user lacks ``upload_files`` (contributors).
            RejectedError: the site refused the file (a type it does not allow:
                ``rest_upload_sideload_error``, which WordPress sends with status 500).
            OutcomeUnknownError: the file may or may not have been uploaded.
        """
        if not _MIME_RE.match(mime_type):
            raise ValueError(f"not a MIME type: {mime_type!r}")
        params: dict[str, str] = {}
        if client_id is not None:
            client_id = _check_client_id(client_id)
            params["meta[clinicdesk_client_id]"] = client_id
        try:
            answer = self._transport.request(
                "POST",
                "wp/v2/media",
                params=params,
                body=data,
                headers={
                    "Content-Type": mime_type,
                    "Content-Disposition": f'attachment; filename="{_upload_filename(filename)}"',
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

    def find_media_by_client_id(self, client_id: str) -> Media | None:
        """The media item uploaded with ``client_id``, or None.

        Asks ``GET wp/v2/media?clinicdesk_client_id=<uuid>&context=edit`` (the plugin then looks
        at every status but the trash). Only items whose ``meta.clinicdesk_client_id`` really
        equals ``client_id`` are returned: without the plugin WordPress ignores the parameter
        and lists the library.
        """
        client_id = _check_client_id(client_id)
        answer = self._transport.request(
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

    def update_media(self, media_id: int, alt_text: str) -> Media:
        """Set a media item's alternative text (for screen readers)."""
        answer = self._transport.request(
            "POST",
            f"wp/v2/media/{_check_id(media_id)}",
            params={"context": "edit"},
            json_body={"alt_text": alt_text},
            idempotent=True,
        )
        return parse.media(answer.json())

    def get_media(self, media_id: int) -> Media:
        """One media item in edit context."""
        answer = self._transport.request(
            "GET", f"wp/v2/media/{_check_id(media_id)}", params={"context": "edit"}
        )
        return parse.media(answer.json())

    # ---- inquiries (companion plugin) ---------------------------------------------------------

    def iter_inquiries(
        self,
        *,
        status: str = "private",
        modified_after: datetime | None = None,
        per_page: int = MAX_PER_PAGE,
        orderby: str = "modified",
        order: str = "asc",
    ) -> Iterator[Page[Inquiry]]:
        """Inquiries (``private``: the inbox; ``trash``), page by page; oldest change first by
        default, ``orderby="date", order="desc"`` for the newest arrivals first.

        ``modified_after`` works as for :meth:`iter_posts` (UTC, whole seconds, strictly after:
        the caller overlaps by one second and de-duplicates by id). A record the app cannot use
        is in its page's ``refused``, not in ``items``.

        Raises:
            PluginMissingError: the companion plugin is not active.
            SignedOutError, ForbiddenError: the user may not see inquiries.
        """
        return self._inquiries.pages(
            status=status,
            modified_after=modified_after,
            modified_before=None,
            search=None,
            include=None,
            per_page=per_page,
            orderby=orderby,
            order=order,
        )

    def inquiry_versions(self, status: str) -> list[Version]:
        """The id sweep for inquiries (see :meth:`post_versions`)."""
        return self._inquiries.versions(status)

    def get_inquiry(self, inquiry_id: int) -> Inquiry:
        """One inquiry with its triage state."""
        return self._inquiries.get(inquiry_id)

    def update_inquiry(self, inquiry_id: int, triage: InquiryTriage) -> Inquiry:
        """Change triage fields only (sent as ``{"meta": {...}}``; others keep their value).

        Raises:
            ValueError: no field, an unknown field, or a value of the wrong type.
            RejectedError: the site refused a value (400 naming ``meta``).
        """
        if not triage:
            raise ValueError("nothing to update")
        unknown = set(triage) - _TRIAGE_FIELDS
        if unknown:
            raise ValueError(f"unknown triage fields: {sorted(unknown)}")
        if "triage_status" in triage and triage["triage_status"] not in TRIAGE_STATUSES:
            raise ValueError(f"unknown triage status: {triage['triage_status']!r}")
        if "assignee" in triage:
            assignee = triage["assignee"]
            if isinstance(assignee, bool) or not isinstance(assignee, int) or assignee < 0:
                raise ValueError("assignee must be a user id, or 0 for nobody")
        given: Mapping[str, object] = triage
        for key in ("urgent", "unread"):
            if key in given and not isinstance(given[key], bool):
                raise ValueError(f"{key} must be true or false")
        return self._inquiries.update(inquiry_id, {"meta": dict(triage)})

    def trash_inquiry(self, inquiry_id: int) -> Inquiry:
        """Move an inquiry to the trash (needs ``clinicdesk_delete_inquiries``).

        Raises:
            ForbiddenError: an intake specialist (they cannot delete).
            GoneError: already in the trash.
        """
        return self._inquiries.trash(inquiry_id)

    def restore_inquiry(self, inquiry_id: int) -> Inquiry:
        """Take an inquiry out of the trash (back to ``private``, the inbox).

        Raises:
            ForbiddenError: the user may not manage inquiries.
        """
        return self._inquiries.update(inquiry_id, {"status": "private"})

    def delete_inquiry_permanently(self, inquiry_id: int) -> None:
        """Delete an inquiry and its notes for good (``force=true``).

        Raises:
            ForbiddenError: an intake specialist (they cannot delete).
            NotFoundError: no such inquiry (also what a retry after a lost answer gets).
        """
        self._inquiries.delete_permanently(inquiry_id)

    # ---- notes (companion plugin) -----------------------------------------------------------

    def iter_notes(
        self, *, after_id: int = 0, inquiry: int | None = None, per_page: int = MAX_PER_PAGE
    ) -> Iterator[Page[Note]]:
        """Notes with ``id > after_id`` (of one inquiry, or all), ascending id, page by page.

        Ids may become visible out of order under concurrent writes: the caller re-reads with
        an overlap (its highest id minus 50) and de-duplicates by id.
        """
        if isinstance(after_id, bool) or not isinstance(after_id, int) or after_id < 0:
            raise ValueError("after_id must be 0 or more")
        params: dict[str, str | int] = {"after_id": after_id}
        if inquiry is not None:
            params["inquiry"] = _check_id(inquiry)
        _check_per_page(per_page)
        return self._iter_notes(params, per_page)

    def _iter_notes(self, params: dict[str, str | int], per_page: int) -> Iterator[Page[Note]]:
        with _plugin_feature():
            yield from _paginate(
                self._transport,
                "clinicdesk/v1/notes",
                params,
                parse.note,
                per_page=per_page,
                what="notes",
                lenient=True,
            )

    def add_note(
        self,
        inquiry: int,
        kind: NoteKind,
        content: str,
        client_id: str,
        *,
        by_system: bool = False,
    ) -> Note:
        """Append a note (or a triage event) to an inquiry's timeline.

        ``by_system`` writes it as ClinicDesk's own (``by: "system"``: author 0, shown as
        "ClinicDesk (automatic)"), for what the automatic crisis flag records: the site accepts
        that only for a ``note`` or the ``urgent`` event ``on``.

        Unlike other creates this one **is retried** when its answer is lost: the site returns
        the existing note for a ``client_id`` it has already seen instead of adding a second,
        so sending it again is safe. Give the same ``client_id`` when the caller itself retries.

        Raises:
            ValueError: unknown kind, empty content, or a client id that is not a UUID.
            NotFoundError: no such inquiry.
        """
        if kind not in NOTE_KINDS:
            raise ValueError(f"unknown note kind: {kind!r}")
        if not content.strip():
            raise ValueError("a note needs content")
        with _plugin_feature():
            body: dict[str, object] = {
                "inquiry": _check_id(inquiry),
                "kind": kind,
                "content": content,
                "client_id": _check_client_id(client_id),
            }
            if by_system:  # only then: a plugin older than this field sees the same request
                body["by"] = "system"
            answer = self._transport.request(
                "POST", "clinicdesk/v1/notes", json_body=body, idempotent=True
            )
        return parse.note(answer.json())

    # ---- the public consultation form (plugin) ------------------------------------------------

    def submit_consultation(self, body: Consultation) -> int:
        """Post the public consultation form, as the clinic's website does; returns the new
        inquiry's id. Sent without credentials, and never repeated (the form has no client id).

        Raises:
            ValueError: an unknown field.
            RejectedError: invalid or missing fields (``params`` names each), or the honeypot.
            RateLimitedError: too many submissions from this address (``retry_after``).
            OutcomeUnknownError: the inquiry may or may not have been created.
        """
        unknown = set(body) - _CONSULTATION_FIELDS
        if unknown:
            raise ValueError(f"unknown consultation fields: {sorted(unknown)}")
        with _plugin_feature():
            answer = self._transport.request(
                "POST",
                "clinicdesk/v1/consultation",
                json_body=dict(body),
                authenticated=False,
                idempotent=False,
            )
        return parse.new_id(answer.json())
