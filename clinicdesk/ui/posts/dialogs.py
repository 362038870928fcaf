"""The Posts tab's dialogs: all opened with ``open()`` (never ``exec()``), results by signal.

- :class:`PrepublishDialog`: the warnings before publishing, with "Publish anyway".
- :class:`LinkDialog`, :class:`ImageTextDialog`: a link's address; an image's text.
- :class:`HistoryDialog`, :class:`ConflictDialog`: in :mod:`clinicdesk.ui.posts.versiondialogs`
  (re-exported here).
- :func:`confirm_box`: a yes/no question (deleting for good).

Text from the site (titles, bodies, messages) is shown as plain text, or escaped into HTML
built here (the body comparison).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.blocks import Image, inline_text
from clinicdesk.domain.prepublish import Finding
from clinicdesk.ui.posts.dialogkit import dialog_button, dialog_label, set_names

# The version dialogs have their own module; their names stay importable from here.
from clinicdesk.ui.posts.versiondialogs import ConflictDialog as ConflictDialog
from clinicdesk.ui.posts.versiondialogs import HistoryDialog as HistoryDialog

logger = logging.getLogger(__name__)


def confirm_box(parent: QWidget, name: str, title: str, text: str, yes: str) -> QMessageBox:
    """A question with a destructive "yes" and a default "Cancel" (plain text)."""
    box = QMessageBox(parent)
    set_names(box, name, title)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    set_names(yes_button, f"{name}YesButton", yes.replace("&", ""))
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    set_names(cancel, f"{name}CancelButton", cancel.text().replace("&", ""))
    box.setDefaultButton(cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


class PrepublishDialog(QDialog):
    """Warnings before publishing (or submitting): "Publish anyway" accepts, "Go back" rejects.

    Args:
        findings: what the checks found.
        action: the button's text ("Publish anyway", "Submit anyway"...).
        parent: the parent widget.
    """

    def __init__(self, findings: Sequence[Finding], action: str, parent: QWidget) -> None:
        super().__init__(parent)
        set_names(self, "prepublishDialog", self.tr("Before publishing"))
        self.setWindowTitle(self.tr("Before publishing"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            dialog_label(
                self.tr("A few things to look at first:"),
                self,
                "prepublishIntro",
                self.tr("Introduction"),
            )
        )
        self.items = dialog_label(
            "\n".join("• " + self.describe(f) for f in findings),
            self,
            "prepublishFindings",
            self.tr("Things to look at"),
        )
        layout.addWidget(self.items)
        buttons = QDialogButtonBox(self)
        buttons.setObjectName("prepublishButtons")
        self.go_back = dialog_button(
            buttons,
            "prepublishGoBackButton",
            self.tr("Go back"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        self.anyway = dialog_button(
            buttons, "prepublishAnywayButton", action, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.go_back.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def describe(self, finding: Finding) -> str:
        """A finding in words."""
        if finding.kind == "empty_title":
            return self.tr("The post has no title.")
        if finding.kind == "no_category":
            return self.tr("The post has no category (it would be filed under Uncategorized).")
        if finding.kind == "no_excerpt":
            return self.tr("The post has no excerpt (search engines and the blog list show one).")
        if finding.kind == "image_without_alt":
            if finding.detail == "featured":
                return self.tr("The featured image has no alternative text.")
            return self.tr("An image has no alternative text: %1").replace(
                "%1", finding.detail.rsplit("/", 1)[-1] or finding.detail
            )
        return self.tr("A link looks wrong: %1").replace("%1", finding.detail or self.tr("(empty)"))


class LinkDialog(QDialog):
    """A link's address. Accepted with the address ("" removes the link).

    Signals:
        linkChosen(str): the address to set ("" to remove the link).
    """

    linkChosen = Signal(str)

    def __init__(self, current: str, parent: QWidget) -> None:
        super().__init__(parent)
        set_names(self, "linkDialog", self.tr("Link"))
        self.setWindowTitle(self.tr("Link"))
        layout = QFormLayout(self)
        self.address = QLineEdit(current, self)
        set_names(self.address, "linkAddressEdit", self.tr("Link address"))
        self.address.setPlaceholderText("https://")
        layout.addRow(self.tr("&Address:"), self.address)
        buttons = QDialogButtonBox(self)
        ok = dialog_button(
            buttons, "linkOkButton", self.tr("Set link"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        ok.setDefault(True)
        remove = dialog_button(
            buttons,
            "linkRemoveButton",
            self.tr("Remove link"),
            QDialogButtonBox.ButtonRole.ResetRole,
        )
        dialog_button(
            buttons, "linkCancelButton", self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        remove.clicked.connect(self._remove)
        layout.addRow(buttons)

    def _accept(self) -> None:
        self.linkChosen.emit(self.address.text().strip())
        self.accept()

    def _remove(self) -> None:
        self.linkChosen.emit("")
        self.accept()


class ImageTextDialog(QDialog):
    """An image's alternative text and caption.

    Signals:
        textChosen(str, str): the alternative text and the caption.
    """

    textChosen = Signal(str, str)

    def __init__(self, image: Image, parent: QWidget) -> None:
        super().__init__(parent)
        set_names(self, "imageTextDialog", self.tr("Image text"))
        self.setWindowTitle(self.tr("Image text"))
        layout = QFormLayout(self)
        intro = dialog_label(
            self.tr("Describe the image for people who cannot see it (screen readers read this)."),
            self,
            "imageTextIntro",
            self.tr("About alternative text"),
        )
        layout.addRow(intro)
        self.alt = QLineEdit(image.alt, self)
        set_names(self.alt, "imageAltEdit", self.tr("Alternative text"))
        layout.addRow(self.tr("&Alternative text:"), self.alt)
        self.caption = QLineEdit(inline_text(image.caption).replace("\n", " "), self)
        set_names(self.caption, "imageCaptionEdit", self.tr("Caption"))
        layout.addRow(self.tr("&Caption:"), self.caption)
        buttons = QDialogButtonBox(self)
        ok = dialog_button(
            buttons, "imageTextOkButton", self.tr("OK"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        ok.setDefault(True)
        dialog_button(
            buttons,
            "imageTextCancelButton",
            self.tr("Cancel"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def _accept(self) -> None:
        self.textChosen.emit(self.alt.text().strip(), self.caption.text().strip())
        self.accept()
