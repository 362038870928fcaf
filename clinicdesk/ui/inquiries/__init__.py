"""The Inquiries tab: the triage inbox (see :class:`InquiriesTab`)."""

from clinicdesk.ui.inquiries.options import (
    DEFAULT_IDLE_LOCK_MINUTES,
    InquiryOptions,
    default_crisis_protocol,
)
from clinicdesk.ui.inquiries.tab import InquiriesTab, Notifier

__all__ = [
    "DEFAULT_IDLE_LOCK_MINUTES",
    "InquiriesTab",
    "InquiryOptions",
    "Notifier",
    "default_crisis_protocol",
]
