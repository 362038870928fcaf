"""The Inquiries tab's export: the selected inquiries to a CSV file the user confirms."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from clinicdesk.domain.export import write_csv
from clinicdesk.store import CacheError
from clinicdesk.ui.clinic_time import to_clinic, zone_name
from clinicdesk.ui.inquiries.dialogs import (
    ExportDialog,
)
from clinicdesk.ui.inquiries.options import (
    MAX_BULK,
    contact_label,
    count_text,
    status_label,
)

if TYPE_CHECKING:
    from clinicdesk.ui.inquiries.tab import InquiriesTab

logger = logging.getLogger(__name__)


class InquiryExport:
    """CSV export for one tab.

    Args:
        tab: the Inquiries tab.
    """

    def __init__(self, tab: InquiriesTab) -> None:
        self._t = tab

    def export(self, ids: Sequence[int]) -> None:
        """Ask where to export ``ids`` as CSV (at most MAX_BULK; non-blocking)."""
        ids = list(ids)
        if not ids or self._t.state.locked:
            return
        if len(ids) > MAX_BULK:
            self._t.message_label.setText(
                self._t.tr("Select at most %1 inquiries at a time.").replace("%1", str(MAX_BULK))
            )
            return
        dialog = ExportDialog(len(ids), Path.home(), self._t)
        dialog.accepted.connect(lambda: self.write_export(ids, dialog.path))
        self._t.open_dialog(dialog)

    def write_export(self, ids: Sequence[int], path: Path) -> None:
        """Write ``ids`` to ``path`` as CSV and say how it went."""
        header = [
            # The clinic's clock, as everywhere in the app, named so the file says whose it is.
            self._t.tr("Received (%1)").replace("%1", zone_name()),
            self._t.tr("First name"),
            self._t.tr("Last name"),
            self._t.tr("Email"),
            self._t.tr("Phone"),
            self._t.tr("Contact by"),
            self._t.tr("State"),
            self._t.tr("Insurance"),
            self._t.tr("Reason"),
            self._t.tr("Message"),
            self._t.tr("Status"),
            self._t.tr("Assigned to"),
            self._t.tr("Urgent"),
        ]
        rows = []
        unread = 0
        for inquiry_id in ids:
            try:
                d = self._t.store.get(inquiry_id)
            except CacheError:
                unread += 1  # gone since it was selected (a sync removed it), or unreadable
                continue
            rows.append(
                [
                    to_clinic(d.received_gmt).toString("yyyy-MM-dd HH:mm"),
                    d.first_name,
                    d.last_name,
                    d.email,
                    d.phone,
                    contact_label(d.preferred_contact),
                    d.state,
                    d.insurance,
                    d.reason,
                    d.message,
                    status_label(d.triage.triage_status),
                    self._t.state.staff_names.get(d.triage.assignee, "")
                    if d.triage.assignee
                    else "",
                    self._t.tr("yes") if d.triage.urgent else "",
                ]
            )
        try:
            written = write_csv(path, header, rows)
        except OSError as error:
            self._t.message_label.setText(
                self._t.tr("The file could not be written: %1").replace("%1", error.strerror or "")
            )
            return
        said = count_text(
            written,
            self._t.tr("1 inquiry exported to %2 (not encrypted)."),
            self._t.tr("%1 inquiries exported to %2 (not encrypted)."),
        ).replace("%2", path.name)
        if unread:
            said += " " + count_text(
                unread,
                self._t.tr("1 selected inquiry could not be read and is not in the file."),
                self._t.tr("%1 selected inquiries could not be read and are not in the file."),
            )
        self._t.message_label.setText(said)
