"""The inbox's filters beside the search: one reason, one assignee (or nobody)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

#: The assignee choice for inquiries nobody has taken (site user ids start at 1).
NOBODY = 0


class InboxFilters(QWidget):
    """Two drop-downs: "Any reason" or one reason; "Anyone" or one staff member or nobody.

    Signals:
        changed(): a choice changed; read :meth:`reason` and :meth:`assignee`.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        self.reason_box = QComboBox(self)
        self.reason_box.setObjectName("inquiryReasonFilter")
        self.reason_box.setAccessibleName(self.tr("Filter by reason"))
        self.reason_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.reason_box.setMaximumWidth(200)
        self.assignee_box = QComboBox(self)
        self.assignee_box.setObjectName("inquiryAssigneeFilter")
        self.assignee_box.setAccessibleName(self.tr("Filter by assignee"))
        self.assignee_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.assignee_box.setMaximumWidth(200)
        layout.addWidget(self.reason_box)
        layout.addWidget(self.assignee_box)
        self.set_choices([], {})
        self.reason_box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.assignee_box.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def set_choices(self, reasons: Sequence[str], staff: Mapping[int, str]) -> None:
        """Offer these reasons and staff members, keeping the current choices where they are
        still offered (else back to "any", which is then announced by ``changed``)."""
        reason, assignee = self.reason(), self.assignee()
        for box in (self.reason_box, self.assignee_box):
            box.blockSignals(True)
        self.reason_box.clear()
        self.reason_box.addItem(self.tr("Any reason"), None)
        for name in reasons:
            self.reason_box.addItem(name, name)
        self.assignee_box.clear()
        self.assignee_box.addItem(self.tr("Anyone"), None)
        self.assignee_box.addItem(self.tr("Nobody yet"), NOBODY)
        for user_id, name in sorted(staff.items(), key=lambda item: item[1].casefold()):
            self.assignee_box.addItem(name, user_id)
        self.reason_box.setCurrentIndex(max(0, self.reason_box.findData(reason)))
        self.assignee_box.setCurrentIndex(max(0, self.assignee_box.findData(assignee)))
        for box in (self.reason_box, self.assignee_box):
            box.blockSignals(False)
        if (self.reason(), self.assignee()) != (reason, assignee):
            self.changed.emit()

    def reason(self) -> str | None:
        """The chosen reason, None for any."""
        data = self.reason_box.currentData()
        return data if isinstance(data, str) else None

    def assignee(self) -> int | None:
        """The chosen assignee's site id (0: nobody), None for anyone."""
        data = self.assignee_box.currentData()
        return data if isinstance(data, int) else None

    def choose(self, reason: str | None, assignee: int | None) -> None:
        """Select these choices (as the user would), where offered."""
        self.reason_box.setCurrentIndex(max(0, self.reason_box.findData(reason)))
        self.assignee_box.setCurrentIndex(max(0, self.assignee_box.findData(assignee)))
