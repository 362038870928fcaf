"""The Posts list's filters: a status (with how many posts have it), a category, an author.

What they offer is read from the offline copy (:meth:`FilterChoices.read`, which the tab also
runs on its worker thread after a sync round) and shown keeping what was chosen, as far as it
still exists. The search field beside them is the tab's: its words join the filter in
:meth:`PostFilters.current`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from clinicdesk.model.cached import TermInfo, UserInfo
from clinicdesk.model.records import PostStatus
from clinicdesk.store import Cache
from clinicdesk.ui.layouts import FlowLayout
from clinicdesk.ui.posts.common import named
from clinicdesk.ui.posts.listmodel import PostFilter


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """What the filter menus offer: posts per status, the categories, the authors."""

    counts: dict[str, int]
    categories: tuple[TermInfo, ...]
    users: tuple[UserInfo, ...]

    @classmethod
    def read(cls, cache: Cache) -> FilterChoices:
        """Read them (any thread; raises ``CacheError``)."""
        return cls(
            cache.posts.counts(),
            tuple(cache.catalog.terms("category")),
            tuple(cache.catalog.users()),
        )


class PostFilters(QWidget):
    """The three filter menus, flowing onto a second line when the list is narrow (a laptop, a
    larger font) instead of making the window wider than the screen.

    Args:
        parent: the parent widget.

    Signals:
        chosen(): the user picked another status, category or author.
    """

    chosen = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("postFilters")
        filters = FlowLayout(self)
        self.status_filter = QComboBox(self)
        named(self.status_filter, "statusFilter", self.tr("Show posts with status"))
        self.category_filter = QComboBox(self)
        named(self.category_filter, "categoryFilter", self.tr("Show posts in category"))
        self.author_filter = QComboBox(self)
        named(self.author_filter, "authorFilter", self.tr("Show posts by author"))
        for combo in (self.status_filter, self.category_filter, self.author_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.activated.connect(lambda _i: self.chosen.emit())
            filters.addWidget(combo)

    def show_choices(self, choices: FilterChoices) -> None:
        """Offer these choices, keeping what is chosen where it is still offered."""
        status = self.status_filter.currentData()
        category = self.category_filter.currentData()
        author = self.author_filter.currentData()
        self.status_filter.clear()
        for value, label in (
            (None, self.tr("All")),
            ("draft", self.tr("Drafts")),
            ("pending", self.tr("Pending review")),
            ("future", self.tr("Scheduled")),
            ("publish", self.tr("Published")),
            ("private", self.tr("Private")),
            ("trash", self.tr("Trash")),
        ):
            count = choices.counts.get(value or "all", 0)
            self.status_filter.addItem(f"{label} ({count})", value)
        self.category_filter.clear()
        self.category_filter.addItem(self.tr("All categories"), None)
        for term in choices.categories:
            self.category_filter.addItem(term.name, term.id)
        self.author_filter.clear()
        self.author_filter.addItem(self.tr("All authors"), None)
        for user in choices.users:
            self.author_filter.addItem(user.name or user.slug, user.id)
        for combo, value in (
            (self.status_filter, status),
            (self.category_filter, category),
            (self.author_filter, author),
        ):
            combo.setCurrentIndex(max(0, combo.findData(value)))

    def status(self) -> PostStatus | None:
        """The status chosen (None: every status but the trash)."""
        status: PostStatus | None = self.status_filter.currentData()
        return status

    def choose_status(self, status: PostStatus | None) -> None:
        """Choose a status (no ``chosen``: the caller follows)."""
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(status)))

    def current(self, words: str) -> PostFilter:
        """What the filters ask for, with the words searched for."""
        return PostFilter(
            status=self.status(),
            category=self.category_filter.currentData(),
            author=self.author_filter.currentData(),
            words=words,
        )
