"""The post editor's decisions, without Qt: what changed, when to save, what to show.

The editor's widgets (``ui/posts/form.py`` and its parts in ``ui/posts/parts/``) ask this
presenter and show its answers; everything here is plain Python, so it is unit-tested without a
display (tests/unit/ui/test_post_presenter.py). The presenter never touches the cache either:
the editor does the store calls and tells the presenter how they went.

The presenter answers in keys (``"publish"``, ``"conflict"``…), not sentences: the widgets turn
them into translated text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from clinicdesk.model.cached import PostDetail, PostSnapshot
from clinicdesk.model.records import LIVE_STATUSES, PostStatus

#: How long after the last keystroke a change is saved (milliseconds).
AUTOSAVE_MS = 700
#: The capabilities this editor looks at.
CAP_PUBLISH = "publish_posts"
CAP_UPLOAD = "upload_files"
CAP_CATEGORIES = "manage_categories"
#: The capability the Posts tab needs to move a post to the trash.
CAP_DELETE = "delete_posts"

#: How far a draft's date may be from its modified time and still be WordPress's floating date.
FLOATING_SLACK = timedelta(seconds=2)

#: What the main button says (and does), see :meth:`DraftPresenter.publish_button`.
ButtonKind = Literal["update", "submit", "submitted", "schedule", "publish"]
#: What "Publish…" leads to, see :meth:`DraftPresenter.publish_plan`.
PublishPlan = Literal["empty", "update", "nothing", "pending", "future", "publish"]
#: Where the post stands, see :meth:`DraftPresenter.state_key`.
StateKey = Literal[
    "new_post",
    "conflict",
    "rejected",
    "deleted_on_site",
    "unpublished",
    "will_publish",
    "will_schedule",
    "will_submit",
    "will_trash",
    "not_on_site",
    "changes_waiting",
    "publish",
    "future",
    "draft",
    "pending",
    "private",
    "trash",
    "",
]
#: What to do with the fields now, see :meth:`DraftPresenter.save_step`.
SaveStep = Literal["nothing", "empty", "create", "edit"]


@dataclass(frozen=True)
class PublishButton:
    """The main button: what it says and whether it can be clicked."""

    kind: ButtonKind
    enabled: bool


@dataclass(frozen=True)
class Banners:
    """Which state banners show (at most the ones the post's state calls for)."""

    trash: bool = False
    conflict: bool = False
    rejected: bool = False
    deleted: bool = False
    unpublished: bool = False
    #: The site's reason, for the "refused" banner.
    rejected_message: str = ""


class DraftPresenter:
    """The state of one post being edited, and the editor's decisions about it.

    Args:
        capabilities: the signed-in user's capabilities.
        user_id: the signed-in user (the author of new posts).
    """

    def __init__(self, capabilities: Iterable[str], user_id: int) -> None:
        self.capabilities = frozenset(capabilities)
        self.user_id = user_id
        #: The post being edited (None for a new post not saved yet).
        self.post_id: int | None = None
        #: What the store said about the post when it was last read.
        self.detail: PostDetail | None = None
        #: The post's author.
        self.author = user_id
        #: The field values last written to (or read from) the offline copy.
        self.saved: dict[str, Any] = {}
        #: The last try to save failed: the text is only in the editor.
        self.save_failed = False
        #: The widgets are being filled (their change signals are not the user typing).
        self.loading = False
        #: Something was typed and the pause before saving it has not ended yet.
        self.editing = False
        #: The post's tags (local ids), as last taken from the tag field.
        self.tag_ids: list[int] = []

    @contextmanager
    def filling(self) -> Iterator[None]:
        """While the widgets are filled from the offline copy: their change signals are not
        the user typing (:meth:`typed` says no). Nests: the outer filling goes on after."""
        before, self.loading = self.loading, True
        try:
            yield
        finally:
            self.loading = before

    # -- what is being edited ------------------------------------------------------------------

    def start_new(self) -> None:
        """A new, empty post (saved once something is typed)."""
        self.post_id = None
        self.detail = None
        self.author = self.user_id
        self.editing = False

    def opened(self, post_id: int, detail: PostDetail) -> None:
        """Another post is now edited."""
        self.post_id = post_id
        self.detail = detail
        self.author = detail.fields.author
        self.editing = False

    def shown(self, values: Mapping[str, Any]) -> None:
        """The widgets now show ``values``, which are what the offline copy holds."""
        self.saved = dict(values)
        self.editing = False

    def date_to_show(self, fields: PostSnapshot) -> datetime | None:
        """The publish date as Publish will use it (None: "immediately").

        WordPress gives a draft nobody dated the time of its last save as its date (a
        "floating" date, moved on at each save, equal to its modified time); shown as chosen,
        Publish would backdate the post to it, where WordPress publishes it now. So such a
        date shows as "immediately".
        """
        detail = self.detail
        date = fields.date_gmt
        if (
            date is not None
            and fields.status in ("draft", "pending")
            and detail is not None
            and detail.server_modified_gmt is not None
            and abs(date - detail.server_modified_gmt) <= FLOATING_SLACK
            and (detail.base is None or detail.base.date_gmt == date)
        ):
            return None
        return date

    @property
    def read_only(self) -> bool:
        """A post in the trash is shown, not edited (restore it first)."""
        return bool(self.saved.get("status", "draft") == "trash")

    # -- autosave ------------------------------------------------------------------------------

    def typed(self) -> bool:
        """The user changed a field. Returns whether the autosave pause (re)starts."""
        if self.loading or self.read_only:
            return False
        self.editing = True
        return True

    def has_unsaved_changes(self, values: Mapping[str, Any]) -> bool:
        """Whether something typed is not in the offline copy yet."""
        return self.editing or dict(values) != self.saved

    def changes(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The fields of ``values`` that differ from what was last saved."""
        return {k: v for k, v in values.items() if v != self.saved.get(k)}

    def save_step(self, values: Mapping[str, Any]) -> SaveStep:
        """What saving ``values`` means now (the pause is over either way)."""
        self.editing = False
        if not self.changes(values):
            self.save_failed = False
            return "nothing"
        if self.post_id is None:
            if not any(
                str(values.get(field, "")).strip() for field in ("title", "content", "excerpt")
            ):
                return "empty"  # an empty new post is not created
            return "create"
        return "edit"

    def save_succeeded(self, values: Mapping[str, Any], post_id: int) -> None:
        """The offline copy now holds ``values`` for ``post_id``."""
        self.save_failed = False
        self.post_id = post_id
        self.saved = dict(values)

    def save_failed_now(self) -> None:
        """The offline copy could not be written: the text is only in the editor."""
        self.save_failed = True

    def author_for_create(self) -> int:
        """The author a newly created post gets."""
        return self.author or self.user_id

    # -- publishing ----------------------------------------------------------------------------

    def statuses_offered(self, status: str) -> list[str]:
        """The statuses the status list offers (the post's own one always among them)."""
        offered = ["draft", "pending"]
        if CAP_PUBLISH in self.capabilities:
            offered += ["private", "publish", "future"]
        if status not in offered:
            offered.append(status)
        return offered

    def status_needs_checks(self, status: str | None) -> bool:
        """Whether choosing ``status`` in the list goes through the checks before publishing."""
        return status in ("publish", "future") and self.saved.get("status") not in (
            "publish",
            "future",
        )

    def target_status(self, date: datetime | None, now: datetime | None = None) -> PostStatus:
        """The status "Publish…" gives: pending without the right to publish, future for a
        date still to come, else publish."""
        if CAP_PUBLISH not in self.capabilities:
            return "pending"
        now = now or datetime.now(UTC)
        return "future" if date is not None and date > now else "publish"

    def publish_button(self, date: datetime | None, now: datetime | None = None) -> PublishButton:
        """What the main button says, and whether it is enabled."""
        saved_status = self.saved.get("status")
        if saved_status in LIVE_STATUSES:
            # Live on the site: edits are kept here until this is clicked (the site decides
            # whether this user may change it).
            kind: ButtonKind = "update"
            enabled = True
        elif CAP_PUBLISH not in self.capabilities:
            kind = "submitted" if saved_status == "pending" else "submit"
            enabled = saved_status == "draft" or saved_status is None
        else:
            kind = "schedule" if self.target_status(date, now) == "future" else "publish"
            enabled = True
        return PublishButton(kind, enabled and not self.read_only)

    def publish_plan(self, date: datetime | None, now: datetime | None = None) -> PublishPlan:
        """What "Publish…" does once the fields are saved."""
        if self.post_id is None:
            return "empty"
        saved_status = self.saved.get("status")
        if saved_status in LIVE_STATUSES:
            return "update"  # live on the site: its edits were kept here; Update lets them go
        target = self.target_status(date, now)
        if saved_status == "pending" and target == "pending":
            return "nothing"
        return "pending" if target == "pending" else "future" if target == "future" else "publish"

    def published(self, status: PostStatus) -> None:
        """The offline copy now has ``status`` (sent at the next sync)."""
        self.saved["status"] = status

    # -- what to show --------------------------------------------------------------------------

    def banners(self) -> Banners:
        """The banners the post's state calls for."""
        detail = self.detail
        state = detail.sync_state if detail is not None else None
        return Banners(
            trash=self.read_only,
            conflict=state == "conflict",
            rejected=state == "rejected",
            deleted=state == "deleted_on_site",
            unpublished=state == "modified" and detail is not None and detail.unpublished_changes,
            rejected_message=(detail.sync_message or "") if detail is not None else "",
        )

    def state_key(self) -> StateKey:
        """Where the post stands with the site."""
        detail = self.detail
        if self.post_id is None or detail is None:
            return "new_post"
        state = detail.sync_state
        status = detail.fields.status
        if state in ("conflict", "rejected", "deleted_on_site"):
            return state
        if detail.unpublished_changes and state == "modified":
            return "unpublished"
        if state in ("new", "modified"):
            before = None if state == "new" or detail.base is None else detail.base.status
            if status == "publish" and before != "publish":
                return "will_publish"
            if status == "future" and before != "future":
                return "will_schedule"
            if status == "pending" and before != "pending":
                return "will_submit"
            if status == "trash":
                return "will_trash"
            return "not_on_site" if state == "new" else "changes_waiting"
        if status in ("publish", "future", "draft", "pending", "private", "trash"):
            return status
        return ""

    def author_shown(self, names: Mapping[int, str]) -> tuple[Literal["name", "you", "id"], str]:
        """How to name the author: by name, as "you", or by user number."""
        if self.author in names:
            return "name", names[self.author]
        if self.author == self.user_id:
            return "you", ""
        return "id", str(self.author)
