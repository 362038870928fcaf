"""What the Inquiries tab takes from the app's settings, and the words it shows for values.

Every user-visible string here goes through ``QCoreApplication.translate`` (these are functions,
not QObjects, so ``self.tr`` is not available).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QCoreApplication

from clinicdesk.domain.inquiry_rules import (
    DEFAULT_CLINIC_STATES,
    DEFAULT_RESPONSE_TARGET_HOURS,
    BusinessHours,
)
from clinicdesk.model.records import ContactMethod, NoteKind, TriageStatus
from clinicdesk.session.accounts import MAX_IDLE_LOCK_MINUTES
from clinicdesk.ui.clinic_time import format_moment

_CONTEXT = "Inquiries"

#: Minutes without input before the tab locks itself, unless the settings say otherwise.
DEFAULT_IDLE_LOCK_MINUTES = 10

#: Most inquiries one bulk action or export may take (a selection of 50,000 is a slip).
MAX_BULK = 1000


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


@dataclass(frozen=True, slots=True)
class InquiryOptions:
    """The settings the tab works with (the shell reads them from its settings file).

    Attributes:
        clinic_states: USPS codes of the states the clinic serves; others are flagged
            "outside service area".
        crisis_protocol: what staff do when someone may be in crisis; "" shows
            :func:`default_crisis_protocol`.
        response_target_hours: the first-response target, in business hours (8: one
            business day).
        idle_lock_minutes: minutes without keyboard or mouse input before the tab locks (at
            most :data:`MAX_IDLE_LOCK_MINUTES`; 0 or less, an old "never", means the most).
        unlock_hash: the unlock passphrase's hash (``clinicdesk.domain.lock``), or None when
            none was chosen yet (the tab then asks for one before showing any inquiry).
        business_hours: when the clinic answers (the response target counts only these).
    """

    clinic_states: tuple[str, ...] = DEFAULT_CLINIC_STATES
    crisis_protocol: str = ""
    response_target_hours: float = DEFAULT_RESPONSE_TARGET_HOURS
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    unlock_hash: str | None = None
    business_hours: BusinessHours = field(default_factory=BusinessHours)

    @property
    def idle_lock_ms(self) -> int:
        """How long the tab waits without input before it locks, in milliseconds: never more
        than the maximum, and never "not at all"."""
        minutes = self.idle_lock_minutes
        if minutes <= 0 or minutes > MAX_IDLE_LOCK_MINUTES:
            minutes = MAX_IDLE_LOCK_MINUTES
        return minutes * 60_000

    @property
    def protocol_text(self) -> str:
        """The crisis protocol to show."""
        return self.crisis_protocol.strip() or default_crisis_protocol()


def default_crisis_protocol() -> str:
    """The crisis protocol shown until the clinic writes its own in the settings."""
    return _tr(
        "1. Call the person now, at the number they gave, before anything else. If there is "
        "no phone number, email them at once asking them to call.\n"
        "2. If they may be in immediate danger, call 911 (or their local emergency number) "
        "and stay on the line with them if you can.\n"
        "3. Give them the 988 Suicide & Crisis Lifeline: call or text 988, or chat at "
        "988lifeline.org, any time, day or night.\n"
        "4. Tell the clinical director right away.\n"
        "5. Write what you did in the timeline before closing the inquiry."
    )


def lifeline_text() -> str:
    """The 988 Lifeline, shown with every urgent inquiry."""
    return _tr(
        "988 Suicide & Crisis Lifeline: call or text 988, or chat at 988lifeline.org "
        "(24 hours a day, in English and Spanish)."
    )


def lifeline_spanish_text() -> str:
    """The 988 Lifeline's Spanish options, shown when the person wrote in Spanish."""
    return _tr(
        "Written in Spanish: the 988 Lifeline answers in Spanish. Call 988 and press 2, or "
        "text AYUDA to 988."
    )


def status_label(status: TriageStatus | str) -> str:
    """A triage status as staff read it."""
    labels: dict[str, str] = {
        "new": _tr("New"),
        "contacted": _tr("Contacted"),
        "scheduled": _tr("Scheduled"),
        "referred": _tr("Referred"),
        "closed": _tr("Closed"),
        "spam": _tr("Spam"),
    }
    return labels.get(status, status)


def contact_label(method: ContactMethod | str) -> str:
    """A preferred contact method as staff read it."""
    labels: dict[str, str] = {"email": _tr("Email"), "phone": _tr("Phone"), "text": _tr("Text")}
    return labels.get(method, method)


def note_kind_label(kind: NoteKind) -> str:
    """The kind of a timeline entry."""
    labels: dict[str, str] = {
        "note": _tr("Note"),
        "status": _tr("Status"),
        "assign": _tr("Assigned"),
        "urgent": _tr("Urgent"),
        "acknowledge": _tr("Acknowledged"),
    }
    return labels.get(kind, kind)


def local_time(moment: datetime) -> str:
    """A moment in the clinic's time zone and the user's locale, the date by name."""
    return format_moment(moment)


def short_time(moment: datetime) -> str:
    """A moment in the clinic's time zone, short (the time only when it is today there)."""
    return format_moment(moment, today=datetime.now(UTC))


def duration(span: timedelta) -> str:
    """A span rounded to what matters ("5 min", "3 h 10 min", "2 d 4 h")."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _tr("%1 d %2 h").replace("%1", str(days)).replace("%2", str(hours))
    if hours:
        return _tr("%1 h %2 min").replace("%1", str(hours)).replace("%2", str(minutes))
    return _tr("%1 min").replace("%1", str(minutes))


def ago(moment: datetime, now: datetime) -> str:
    """How long ago ``moment`` was, to one unit ("just now", "5 min ago", "3 h ago", "2 d ago")."""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return _tr("just now")
    if minutes < 60:
        return _tr("%1 min ago").replace("%1", str(minutes))
    if minutes < 24 * 60:
        return _tr("%1 h ago").replace("%1", str(minutes // 60))
    return _tr("%1 d ago").replace("%1", str(minutes // (24 * 60)))


def count_text(n: int, one: str, many: str) -> str:
    """``one`` for 1, else ``many`` with %1 replaced by n (both already translated)."""
    return one if n == 1 else many.replace("%1", str(n))
