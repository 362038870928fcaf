"""Small helpers shared by the Posts tab's widgets."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget


def named(widget: QWidget, name: str, accessible: str) -> None:
    """Give a widget its ``objectName`` (tests) and accessible name (screen readers)."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


def plain_label(parent: QWidget, name: str, accessible: str, text: str = "") -> QLabel:
    """A label that never reads its text as HTML (text from the site or the user)."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    named(label, name, accessible)
    return label


def to_local(value: datetime) -> QDateTime:
    """An aware datetime as a QDateTime in the computer's time zone."""
    utc = value.astimezone(UTC)
    moment = QDateTime(
        QDate(utc.year, utc.month, utc.day),
        QTime(utc.hour, utc.minute, utc.second),
        QTimeZone.utc(),
    )
    return moment.toTimeZone(QTimeZone.systemTimeZone())


def from_local(value: QDateTime) -> datetime:
    """A QDateTime as an aware UTC datetime (whole seconds)."""
    utc = value.toUTC()
    date, time = utc.date(), utc.time()
    return datetime(
        date.year(), date.month(), date.day(), time.hour(), time.minute(), time.second(), tzinfo=UTC
    )


def raw_text(edit: QPlainTextEdit) -> str:
    """A plain-text editor's text exactly (``toPlainText`` turns no-break spaces into spaces)."""
    return edit.document().toRawText().replace("\u2029", "\n")
