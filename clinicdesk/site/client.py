"""The site client: every call the app makes to the clinic's WordPress site, typed.

:class:`SiteClient` is a thin facade over the contract in ``docs/site-api.md``: its methods take
and return the records of :mod:`clinicdesk.model.records` and raise only the errors of
:mod:`clinicdesk.site.errors`. What it stands on, each in its own module: listings and the record
routes (:mod:`clinicdesk.site.listing`), the request bodies and their checks
(:mod:`clinicdesk.site.bodies`), creating a record exactly once and finding one whose answer was
lost (:mod:`clinicdesk.site.creates`), the wire (:mod:`clinicdesk.site.transport`: retries,
timeouts, redirects, error mapping), and the records of every answer
(:mod:`clinicdesk.site.parse`). Each method's docstring is the contract for that call.
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime

import requests

from clinicdesk.model.records import (
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
    SiteInfo,
    StaffMember,
    Taxonomy,
    Term,
    User,
    Version,
)
from clinicdesk.site import creates, parse
from clinicdesk.site.bodies import (
    check_id,
    consultation_body,
    note_body,
    post_body,
    triage_body,
)
from clinicdesk.site.errors import (
    ForbiddenError,
    InvalidResponseError,
    NotFoundError,
    NotWordPressError,
    SignedOutError,
)
from clinicdesk.site.listing import (
    MAX_PER_PAGE,
    Collection,
    collect,
    plugin_feature,
    post_type_query,
)
from clinicdesk.site.timing import RetryPolicy, Timeouts
from clinicdesk.site.transport import Transport
from clinicdesk.site.url import normalize_site_url

__all__ = ["MAX_PER_PAGE", "SiteClient"]


_TAXONOMY_ROUTES: dict[Taxonomy, str] = {
    "category": "wp/v2/categories",
    "post_tag": "wp/v2/tags",
}


def _term_parser(taxonomy: Taxonomy) -> Callable[[object], Term]:
    def parse_term(value: object) -> Term:
        return parse.term(value, taxonomy)

    return parse_term


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
        self._posts = Collection(transport, "wp/v2/posts", parse.post, "posts")
        self._inquiries = Collection(
            transport, "wp/v2/inquiries", parse.inquiry, "inquiries", plugin=True
        )
        self._notes = Collection(transport, "clinicdesk/v1/notes", parse.note, "notes", plugin=True)
        self._media = Collection(transport, "wp/v2/media", parse.media, "media")
        self._users = Collection(transport, "wp/v2/users", parse.user, "users")
        self._terms = {
            taxonomy: Collection(
                transport,
                route,
                _term_parser(taxonomy),
                "categories" if taxonomy == "category" else "tags",
            )
            for taxonomy, route in _TAXONOMY_ROUTES.items()
        }

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
        return collect(self._users.pages({}, lenient=False))

    def list_staff(self) -> list[StaffMember]:
        """The people an inquiry can be assigned to (plugin route, ordered by name)."""
        with plugin_feature():
            answer = self._transport.request("GET", "clinicdesk/v1/staff")
        return list(parse.many(answer.json(), parse.staff_member, "staff"))

    def clinic_states(self) -> tuple[str, ...]:
        """The states the clinic serves, as its website's Settings > ClinicDesk says (plugin
        route ``clinicdesk/v1/settings``, staff only): USPS codes.

        Raises:
            PluginMissingError: no plugin, or one older than the route.
            SiteError: any other failure (a malformed answer is InvalidResponseError).
        """
        with plugin_feature():
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
        """Posts in edit context, page by page to the end (see
        :func:`~clinicdesk.site.listing.paginate`).

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
        query = post_type_query(
            status=status,
            modified_after=modified_after,
            modified_before=modified_before,
            search=search,
            include=include,
            orderby=orderby,
            order=order,
        )
        return self._posts.pages(query, per_page=per_page)

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
        return collect(
            self.iter_posts(
                status=status,
                modified_after=modified_after,
                modified_before=modified_before,
                search=search,
                include=include,
                per_page=per_page,
                orderby=orderby,
                order=order,
            )
        )

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
        return creates.create_post(self._transport, fields, client_id)

    def find_post_by_client_id(self, client_id: str) -> Post | None:
        """The post created with ``client_id``, in any status including the trash, or None.

        Only posts whose ``meta.clinicdesk_client_id`` really equals ``client_id`` are
        returned: without the companion plugin WordPress ignores the query parameter and would
        list unrelated posts.
        """
        return creates.find_post_by_client_id(self._posts, client_id)

    def update_post(self, post_id: int, fields: PostFields) -> Post:
        """Change only ``fields`` of a post (a partial update; retried safely when lost).

        Raises:
            ValueError: ``fields`` is empty or has an unknown key.
            NotFoundError, ForbiddenError, RejectedError: see the contract.
        """
        if not fields:
            raise ValueError("nothing to update")
        return self._posts.update(post_id, post_body(fields))

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
        return self._terms[taxonomy].pages({})

    def list_terms(self, taxonomy: Taxonomy) -> list[Term]:
        """Every category (``category``) or tag (``post_tag``), all pages (one term the app
        cannot use refuses the whole list: InvalidResponseError)."""
        return collect(self._terms[taxonomy].pages({}, lenient=False))

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
        return creates.create_term(self._transport, self._terms[taxonomy], taxonomy, name, parent)

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
        return creates.upload_media(self._transport, filename, data, mime_type, client_id)

    def find_media_by_client_id(self, client_id: str) -> Media | None:
        """The media item uploaded with ``client_id``, or None.

        Asks ``GET wp/v2/media?clinicdesk_client_id=<uuid>&context=edit`` (the plugin then looks
        at every status but the trash). Only items whose ``meta.clinicdesk_client_id`` really
        equals ``client_id`` are returned: without the plugin WordPress ignores the parameter
        and lists the library.
        """
        return creates.find_media_by_client_id(self._transport, client_id)

    def update_media(self, media_id: int, alt_text: str) -> Media:
        """Set a media item's alternative text (for screen readers)."""
        return self._media.update(media_id, {"alt_text": alt_text})

    def get_media(self, media_id: int) -> Media:
        """One media item in edit context."""
        return self._media.get(media_id)

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
        query = post_type_query(
            status=status,
            modified_after=modified_after,
            modified_before=None,
            search=None,
            include=None,
            orderby=orderby,
            order=order,
        )
        return self._inquiries.pages(query, per_page=per_page)

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
        return self._inquiries.update(inquiry_id, triage_body(triage))

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
            params["inquiry"] = check_id(inquiry)
        return self._notes.pages(params, per_page=per_page)

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
        body = note_body(inquiry, kind, content, client_id, by_system=by_system)
        with plugin_feature():
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
        with plugin_feature():
            answer = self._transport.request(
                "POST",
                "clinicdesk/v1/consultation",
                json_body=consultation_body(body),
                authenticated=False,
                idempotent=False,
            )
        return parse.new_id(answer.json())
