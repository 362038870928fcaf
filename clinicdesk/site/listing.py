"""Listing and the record routes: one home for what every collection of the site shares.

A :class:`Collection` is one REST collection (posts, inquiries, notes, categories, tags, users,
media): its route, the parser of one record, its name for messages, and whether it is the
companion plugin's (a missing route then says "the plugin is not active", not "not found"). It
provides the pages of a listing (:meth:`Collection.pages`, by :func:`paginate`), the id sweep
(:meth:`Collection.versions`), and get / update / trash / delete of one record.
:func:`collect` gathers pages into one de-duplicated list. Posts and inquiries are both WordPress
post types with the same filters (:func:`post_type_query`).

Page-number paging is not a snapshot: a record that moves while the pages are read (edited while
ordered by ``modified``, or trashed) can shift another from one page to the previous one, so it is
missed in this pass, while a record can also appear twice. Callers de-duplicate by id
(:func:`collect` does) and rely on the version sweep to catch what a pass missed.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from clinicdesk.model.records import Page, RefusedRecord, Version
from clinicdesk.site import parse
from clinicdesk.site.answers import page_counts
from clinicdesk.site.bodies import check_id
from clinicdesk.site.dates import format_gmt, http_date
from clinicdesk.site.errors import (
    InvalidResponseError,
    NotFoundError,
    PluginMissingError,
    RejectedError,
)
from clinicdesk.site.transport import Transport

__all__ = [
    "MAX_PAGES",
    "MAX_PER_PAGE",
    "Collection",
    "check_per_page",
    "collect",
    "paginate",
    "plugin_feature",
    "post_type_query",
]

R = TypeVar("R")

#: WordPress refuses a larger ``per_page`` with 400.
MAX_PER_PAGE = 100
#: A site that keeps announcing more pages (a bug, or hostile) must not keep a sync busy forever:
#: 10 000 pages of 100 is a million records, far beyond any clinic's site.
MAX_PAGES = 10_000

_ORDERBY = ("date", "modified", "id", "title")
_ORDER = ("asc", "desc")


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


Rec = TypeVar("Rec", bound=_Identified)


def check_per_page(per_page: int) -> None:
    """ValueError unless ``per_page`` is 1..:data:`MAX_PER_PAGE`."""
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")


def paginate(
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
    """
    check_per_page(per_page)
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
        if page > MAX_PAGES:
            raise InvalidResponseError(
                f"The site kept announcing more pages of {what} (over {MAX_PAGES}). Something "
                "on the site is misbehaving."
            )


def _record_id(record: object) -> int | None:
    value = getattr(record, "id", None)
    return value if isinstance(value, int) else None


def _id_key(value: int | None) -> int:
    return -1 if value is None else value


def collect(pages: Iterable[Page[Rec]]) -> list[Rec]:
    """Every record of ``pages`` in one list; a record seen twice (it moved between pages while
    they were read) appears once, in its latest version, where it was last seen."""
    found: dict[int, Rec] = {}
    for page in pages:
        for record in page.items:
            found.pop(record.id, None)  # keep the order of the last sighting
            found[record.id] = record
    return list(found.values())


def post_type_query(
    *,
    status: str,
    modified_after: datetime | None,
    modified_before: datetime | None,
    search: str | None,
    include: Iterable[int] | None,
    orderby: str,
    order: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str | int] | None:
    """The query of a post type's listing (posts, inquiries), in edit context.

    Returns:
        The query, or None when ``include`` is empty: nothing is to be listed (WordPress reads an
        empty include as "no filter" and would list everything).

    Raises:
        ValueError: ``orderby`` or ``order`` unknown, a datetime naive, an id not an id.
    """
    if orderby not in _ORDERBY:
        raise ValueError(f"orderby must be one of {_ORDERBY}")
    if order not in _ORDER:
        raise ValueError(f"order must be one of {_ORDER}")
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
        ids = sorted({check_id(i) for i in include})
        if not ids:
            return None
        params["include"] = ",".join(map(str, ids))
    params.update(extra or {})
    return params


@contextmanager
def plugin_feature() -> Iterator[None]:
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
class Collection(Generic[R]):
    """One REST collection of the site and the record routes under it.

    Attributes:
        transport: sends the requests.
        route: the collection's route (``wp/v2/posts``); a record is ``{route}/{id}``.
        parse_one: builds one record from its JSON (:mod:`clinicdesk.site.parse`).
        what: the records' name in messages (``posts``).
        plugin: whether the companion plugin provides the route (see :func:`plugin_feature`).
    """

    transport: Transport
    route: str
    parse_one: Callable[[object], R]
    what: str
    plugin: bool = False

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Inside it, a missing route of the plugin's raises PluginMissingError."""
        if self.plugin:
            with plugin_feature():
                yield
        else:
            yield

    def pages(
        self,
        params: Mapping[str, str | int] | None,
        *,
        per_page: int = MAX_PER_PAGE,
        lenient: bool = True,
    ) -> Generator[Page[R], None, None]:
        """The pages of a listing with the query ``params`` (None: nothing to list, no page).

        ``per_page`` is checked now, before the first page is asked for (a generator function
        would only check it on first use). With ``lenient`` (the default) a record the app
        cannot use goes into its page's ``refused``; without, it refuses the whole listing.

        Raises:
            ValueError: ``per_page`` out of range.
        """
        check_per_page(per_page)
        if params is None:
            return _no_pages()
        return self._pages(params, per_page, lenient)

    def _pages(
        self, params: Mapping[str, str | int], per_page: int, lenient: bool
    ) -> Generator[Page[R], None, None]:
        with self.guard():
            yield from paginate(
                self.transport,
                self.route,
                params,
                self.parse_one,
                per_page=per_page,
                what=self.what,
                lenient=lenient,
            )

    def versions(self, status: str) -> list[Version]:
        """The id and ``modified_gmt`` of every record with ``status``, ordered by id."""
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
        with self.guard():
            for page in paginate(
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
        """One record in edit context."""
        with self.guard():
            answer = self.transport.request(
                "GET", f"{self.route}/{check_id(record_id)}", params={"context": "edit"}
            )
        return self.parse_one(answer.json())

    def update(self, record_id: int, body: Mapping[str, object]) -> R:
        """A partial update of one record: only the fields of ``body`` change."""
        with self.guard():
            answer = self.transport.request(
                "POST",
                f"{self.route}/{check_id(record_id)}",
                params={"context": "edit"},
                json_body=dict(body),
                # A partial update of an existing record: the same values twice do no harm.
                idempotent=True,
            )
        return self.parse_one(answer.json())

    def trash(self, record_id: int) -> R:
        """Move one record to the trash; returns it as it is there."""
        with self.guard():
            answer = self.transport.request("DELETE", f"{self.route}/{check_id(record_id)}")
        return self.parse_one(answer.json())

    def delete_permanently(self, record_id: int) -> None:
        """Delete one record for good (``force=true``); the site must confirm it."""
        with self.guard():
            answer = self.transport.request(
                "DELETE", f"{self.route}/{check_id(record_id)}", params={"force": "true"}
            )
        parse.deleted(answer.json())


def _no_pages() -> Generator[Page[R], None, None]:
    yield from ()
