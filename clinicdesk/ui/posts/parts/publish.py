"""The editor's publish panel: where the post stands, status, date, main button, history."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.wordcount import count_words, plain_text, reading_minutes
from clinicdesk.ui.clinic_time import clinic_zone, from_clinic, to_clinic, zone_name
from clinicdesk.ui.icon import give_icon
from clinicdesk.ui.posts.common import named, plain_label, status_names
from clinicdesk.ui.posts.presenter import PublishButton


class PublishPanel(QGroupBox):
    """The "Publish" box of the editor's side bar.

    Signals:
        statusActivated(): the user picked a status in the list.
        dateModeChanged(bool): "Publish immediately" was ticked (True) or cleared.
        dateChanged(): the publish date changed.
        publishClicked(): the main button was clicked.
        saveClicked(): "Save now" was clicked.
        historyClicked(): "History…" was clicked.
    """

    statusActivated = Signal()
    dateModeChanged = Signal(bool)
    dateChanged = Signal()
    publishClicked = Signal()
    saveClicked = Signal()
    historyClicked = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(self.tr("Publish"), parent)
        named(self, "publishGroup", self.tr("Publish"))
        inner = QVBoxLayout(self)
        self.sync_label = plain_label(self, "syncStateLabel", self.tr("Where this post stands"))
        inner.addWidget(self.sync_label)
        status_row = QHBoxLayout()
        status_label = QLabel(self.tr("&Status:"), self)
        self.status_combo = QComboBox(self)
        named(self.status_combo, "statusCombo", self.tr("Status"))
        status_label.setBuddy(self.status_combo)
        status_row.addWidget(status_label)
        status_row.addWidget(self.status_combo, 1)
        inner.addLayout(status_row)
        self.status_combo.activated.connect(lambda _i: self.statusActivated.emit())
        self.immediately = QCheckBox(self.tr("Publish &immediately"), self)
        named(self.immediately, "publishImmediatelyCheck", self.tr("Publish immediately"))
        self.immediately.toggled.connect(self.dateModeChanged)
        inner.addWidget(self.immediately)
        self.date_edit = QDateTimeEdit(self)
        named(self.date_edit, "publishDateEdit", self.tr("Publish date"))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.date_edit.dateTimeChanged.connect(lambda _d: self.dateChanged.emit())
        inner.addWidget(self.date_edit)
        self.zone_label = plain_label(self, "publishZoneLabel", self.tr("Time zone"))
        inner.addWidget(self.zone_label)
        self.publish_button = QPushButton(self.tr("Publish…"), self)
        named(self.publish_button, "publishButton", self.tr("Publish"))
        give_icon(self.publish_button)
        self.publish_button.clicked.connect(lambda _c=False: self.publishClicked.emit())
        inner.addWidget(self.publish_button)
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save now"), self)
        named(self.save_button, "saveButton", self.tr("Save now"))
        give_icon(self.save_button)
        self.save_button.setToolTip(self.tr("Changes are saved as you type; Ctrl+S saves at once"))
        self.save_button.clicked.connect(lambda _c=False: self.saveClicked.emit())
        row.addWidget(self.save_button)
        self.history_button = QPushButton(self.tr("&History…"), self)
        named(self.history_button, "historyButton", self.tr("History"))
        give_icon(self.history_button)
        self.history_button.clicked.connect(lambda _c=False: self.historyClicked.emit())
        row.addWidget(self.history_button)
        inner.addLayout(row)
        self.author_label = plain_label(self, "authorLabel", self.tr("Author"))
        inner.addWidget(self.author_label)
        self.words_label = plain_label(self, "wordCountLabel", self.tr("Word count"))
        inner.addWidget(self.words_label)
        self.saved_label = plain_label(self, "saveStateLabel", self.tr("Saving"))
        inner.addWidget(self.saved_label)

    def fill_statuses(self, offered: list[str], status: str) -> None:
        """Offer ``offered`` with ``status`` chosen."""
        names = status_names()
        self.status_combo.clear()
        for value in offered:
            self.status_combo.addItem(names.get(value, value), value)
        self.status_combo.setCurrentIndex(self.status_combo.findData(status))

    def choose_status(self, status: object) -> None:
        """Show ``status`` as chosen (without a signal)."""
        self.status_combo.setCurrentIndex(self.status_combo.findData(status))

    def status(self) -> str:
        """The chosen status."""
        return str(self.status_combo.currentData() or "draft")

    def show_date(self, date_gmt: datetime | None) -> None:
        """Show a publish date (None: immediately), in the clinic's time zone: a post scheduled
        for 9:00 goes live at 9:00 on the clinic's clock, wherever this computer is."""
        self.immediately.setChecked(date_gmt is None)
        self.date_edit.setTimeZone(clinic_zone())
        self.date_edit.setDateTime(to_clinic(date_gmt or datetime.now(UTC)))
        self.date_edit.setEnabled(date_gmt is not None)
        zone = self.tr("Clinic time: %1").replace("%1", zone_name(date_gmt))
        self.date_edit.setToolTip(zone)
        self.date_edit.setAccessibleDescription(zone)
        self.zone_label.setText(zone)

    def date(self) -> datetime | None:
        """The publish date chosen (None: immediately)."""
        if self.immediately.isChecked():
            return None
        return from_clinic(self.date_edit.dateTime())

    def button_text(self, button: PublishButton) -> str:
        """The main button's text for what the presenter decided."""
        return {
            "update": self.tr("Update"),
            "submit": self.tr("Submit for review…"),
            "submitted": self.tr("Submitted for review"),
            "schedule": self.tr("Schedule…"),
            "publish": self.tr("Publish…"),
        }[button.kind]

    def state_text(self, key: str, message: str) -> str:
        """Where the post stands, in words (``message``: the site's reason for a refusal)."""
        if key == "rejected":
            return self.tr("Refused by the site: %1").replace("%1", message)
        return {
            "new_post": self.tr("New post: saved on this computer as soon as you type."),
            "conflict": self.tr("Changed here and on the site: compare the versions."),
            "deleted_on_site": self.tr("Deleted on the site while it had changes here."),
            "unpublished": self.tr("Not on the site until you click Update."),
            "will_publish": self.tr("Will publish at next sync."),
            "will_schedule": self.tr("Will be scheduled at next sync."),
            "will_submit": self.tr("Will be submitted for review at next sync."),
            "will_trash": self.tr("Will move to the site's trash at next sync."),
            "not_on_site": self.tr("Not on the site yet: sent at the next sync."),
            "changes_waiting": self.tr("Changes go to the site at the next sync."),
            "publish": self.tr("Published on the site."),
            "future": self.tr("Scheduled on the site."),
            "draft": self.tr("Draft, saved on the site."),
            "pending": self.tr("Pending review on the site."),
            "private": self.tr("Private, on the site."),
            "trash": self.tr("In the site's trash."),
        }.get(key, "")

    def show_button(self, button: PublishButton, action: QAction) -> None:
        """Show what the main button (and its shortcut's action) does now."""
        text = self.button_text(button)
        self.publish_button.setText(text)
        self.publish_button.setAccessibleName(text.rstrip("…"))
        action.setText(text.rstrip("…"))
        self.publish_button.setEnabled(button.enabled)
        action.setEnabled(button.enabled)

    def show_author(self, how: str, who: str) -> None:
        """Name the author: by name, as "you", or by user number."""
        if how == "name":
            author = self.tr("Author: %1").replace("%1", who)
        elif how == "you":
            author = self.tr("Author: you")
        else:
            author = self.tr("Author: user %1").replace("%1", who)
        self.author_label.setText(author)

    def show_words(self, content: str) -> None:
        """The saved body's length in words and minutes of reading."""
        words = count_words(plain_text(content))
        self.words_label.setText(
            self.tr("%1 words · about %2 min read")
            .replace("%1", str(words))
            .replace("%2", str(reading_minutes(words)))
        )
